"""PasswordPolicyTester: a password against the account's rules, or AWS's default."""

from __future__ import annotations

import pytest

from labkit.lab.account import Lab
from labkit.widgets import PasswordPolicyTester
from labkit.widgets.password_tester import account_password_policy


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        yield lab


def test_without_a_policy_awss_default_rules_apply(lab) -> None:
    tester = PasswordPolicyTester(lab)
    assert "default password rules" in tester.rules.value
    tester.value = "short"
    assert not tester.ok
    assert "❌" in tester.rules.value
    tester.value = "Correct-Horse-9"
    assert tester.ok
    assert "meets every rule" in tester.rules.value


def test_the_accounts_policy_rule_by_rule(lab) -> None:
    lab.client("iam").update_account_password_policy(
        MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True
    )
    tester = PasswordPolicyTester(lab)
    assert "password policy</b>" in tester.rules.value
    tester.password.value = "abcdefghijklmn"  # as typed in the box
    assert tester.value == "abcdefghijklmn"
    assert tester.rules.value.count("labkit-unmet") == 2  # no symbol, no number
    assert tester.rules.value.count("labkit-met") == 1  # long enough
    tester.value = "abcdefghijkl-9"
    assert tester.ok


def test_refresh_reads_a_changed_policy(lab) -> None:
    tester = PasswordPolicyTester(lab, show=True)
    tester.value = "Abcdefgh1"
    assert tester.ok
    lab.client("iam").update_account_password_policy(MinimumPasswordLength=20)
    tester.refresh()
    assert not tester.ok


def test_reading_the_policy_leaves_the_trail_alone(lab) -> None:
    before = len(lab.trail)
    assert account_password_policy(lab) is None
    assert len(lab.trail) == before


@pytest.mark.parametrize("garbage", ["", " ", "\x00", "🚀" * 100, "x" * 10_000, "'\"<script>"])
def test_garbage_never_raises(lab, garbage: str) -> None:
    tester = PasswordPolicyTester(lab)
    tester.value = garbage
    assert "<li" in tester.rules.value
    assert "<script>" not in tester.rules.value


def test_each_rule_says_met_or_not_met_in_words_and_colour(lab) -> None:
    from labkit.widgets.password_tester import GREEN, RED

    lab.client("iam").update_account_password_policy(MinimumPasswordLength=14, RequireNumbers=True)
    tester = PasswordPolicyTester(lab)
    tester.value = "abcdefghijklmn"
    shown = tester.rules.value
    assert "<b>Not met:</b> Include at least one number" in shown
    assert "<b>Met:</b> At least 14 characters" in shown
    assert f"color:{RED}" in shown and f"color:{GREEN}" in shown
    # The verdict is AWS's own PasswordPolicyViolation message.
    assert "IAM would refuse this password: Password should have at least one number" in shown


def test_the_summary_gives_the_verdict_without_the_password(lab) -> None:
    tester = PasswordPolicyTester(lab)
    assert tester.summary() == (
        "Password policy tester: type a password to check it "
        "(rules: AWS's default password rules (the account has no password policy))"
    )
    tester.value = "Secret-Horse-9"
    assert tester.summary().startswith("Password policy tester: This password meets every rule.")
    tester.value = "secret"
    summary = tester.summary()
    assert "IAM would refuse this password: Password should" in summary
    assert "secret" not in summary.replace("Password", "")
