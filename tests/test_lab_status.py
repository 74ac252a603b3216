"""The IAM dashboard's security recommendations, computed from the Lab's live state.

Each recommendation turns from "Action needed" (red) to "Done" (green) by the
very calls a learner makes. The practices behind them:
https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html (root user
credentials, MFA, unused credentials),
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html,
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
(AWS's default password policy), and AWS Config's iam-password-policy rule, which
counts an account using the default policy as non-compliant
(https://docs.aws.amazon.com/config/latest/developerguide/iam-password-policy.html).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from labkit import Authenticator, Lab
from labkit.lab.status import (
    ACTION_NEEDED,
    AGO,
    DONE,
    GREEN,
    RED,
    UNUSED_DAYS,
    Recommendation,
    SecurityStatus,
    StatusItem,
)

DAY = 86_400
KEYS = ["root-mfa", "root-access-keys", "users-mfa", "unused-credentials", "password-policy"]
FULL_POLICY = {
    "MinimumPasswordLength": 14,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "AllowUsersToChangePassword": True,
}


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=5) as lab:
        yield lab


def ok(lab: Lab, key: str) -> bool:
    return lab.security_status()[key].ok


def test_a_fresh_account_needs_root_mfa_and_a_password_policy(lab: Lab) -> None:
    status = lab.security_status()
    assert isinstance(status, SecurityStatus)
    assert [item.key for item in status] == KEYS
    assert {item.key: item.ok for item in status} == {
        "root-mfa": False,
        "root-access-keys": True,
        "users-mfa": True,  # nobody can sign in yet
        "unused-credentials": True,
        "password-policy": False,
    }
    assert not status.ok
    assert status["password-policy"].details == ("the account has no password policy of its own",)


def test_root_mfa_turns_green_once_enabled(lab: Lab) -> None:
    assert not ok(lab, "root-mfa")
    device = lab.create_root_mfa_device()
    assert not ok(lab, "root-mfa")  # created, not enabled
    phone = Authenticator(device["Base32StringSeed"], lab.clock)
    lab.enable_root_mfa(device["SerialNumber"], *phone.consecutive_codes())
    assert ok(lab, "root-mfa")
    assert str(lab.security_status()["root-mfa"]) == "Done: Root user has MFA"


def test_root_access_keys_turn_red_then_green_when_deactivated_or_deleted(lab: Lab) -> None:
    iam = lab.client("iam")
    key = iam.create_access_key()["AccessKey"]["AccessKeyId"]  # root's own key
    item = lab.security_status()["root-access-keys"]
    assert not item.ok
    assert item.details == (f"root user: active access key {key}",)
    iam.update_access_key(AccessKeyId=key, Status="Inactive")
    assert ok(lab, "root-access-keys")  # "no active access keys"
    iam.update_access_key(AccessKeyId=key, Status="Active")
    assert not ok(lab, "root-access-keys")
    iam.delete_access_key(AccessKeyId=key)
    assert ok(lab, "root-access-keys")


def test_users_who_sign_in_need_mfa(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="robot")  # no password: not a console user
    assert ok(lab, "users-mfa")
    iam.create_user(UserName="ana")
    iam.create_login_profile(UserName="ana", Password="Ana-Reads-Orders-1")
    item = lab.security_status()["users-mfa"]
    assert not item.ok
    assert item.details == ("ana: console password, no MFA device",)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ana")["VirtualMFADevice"]
    phone = Authenticator(device["Base32StringSeed"], lab.clock)
    first, second = phone.consecutive_codes()
    iam.enable_mfa_device(
        UserName="ana",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    )
    assert ok(lab, "users-mfa")


def test_removing_console_access_also_satisfies_users_mfa(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="dev")
    iam.create_login_profile(UserName="dev", Password="Dev-Ships-Code-2")
    assert not ok(lab, "users-mfa")
    iam.delete_login_profile(UserName="dev")
    assert ok(lab, "users-mfa")


def test_an_access_key_unused_for_90_days_is_flagged_until_removed(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="robot")
    key = iam.create_access_key(UserName="robot")["AccessKey"]["AccessKeyId"]
    lab.clock.advance((UNUSED_DAYS - 1) * DAY)
    assert ok(lab, "unused-credentials")
    lab.clock.advance(DAY)
    item = lab.security_status()["unused-credentials"]
    assert not item.ok
    assert item.details == (f"robot: access key {key} never used, created {AGO}",)
    iam.update_access_key(UserName="robot", AccessKeyId=key, Status="Inactive")
    assert ok(lab, "unused-credentials")  # an inactive key signs nothing
    iam.delete_access_key(UserName="robot", AccessKeyId=key)
    assert ok(lab, "unused-credentials")


def test_a_console_password_unused_for_90_days_is_flagged_until_used(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="ana")
    iam.create_login_profile(UserName="ana", Password="Ana-Reads-Orders-1")
    lab.clock.advance(100 * DAY)
    item = lab.security_status()["unused-credentials"]
    assert not item.ok
    assert item.details == (f"ana: console password never used, set {AGO}",)
    lab.sign_in("ana", "Ana-Reads-Orders-1")
    assert ok(lab, "unused-credentials")
    lab.clock.advance(UNUSED_DAYS * DAY)
    assert lab.security_status()["unused-credentials"].details == (
        f"ana: console password last used {AGO}",
    )
    iam.delete_login_profile(UserName="ana")
    assert ok(lab, "unused-credentials")


def test_a_password_policy_weaker_than_the_default_stays_red(lab: Lab) -> None:
    """AWS's default: 8 characters, three of the four character types."""
    iam = lab.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True)
    item = lab.security_status()["password-policy"]
    assert not item.ok
    (detail,) = item.details
    assert detail.startswith("it requires 1 of the four character types (symbols)")
    assert "'!!!!!!!!!!!!!!'" in detail  # a password it accepts that the default refuses
    iam.update_account_password_policy(**FULL_POLICY)
    assert ok(lab, "password-policy")


def test_a_partial_update_of_the_password_policy_turns_it_red_again(lab: Lab) -> None:
    """UpdateAccountPasswordPolicy replaces the whole policy: omitted
    parameters revert to their defaults
    (https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html)."""
    iam = lab.client("iam")
    iam.update_account_password_policy(**FULL_POLICY)
    assert ok(lab, "password-policy")
    iam.update_account_password_policy(MinimumPasswordLength=16)
    item = lab.security_status()["password-policy"]
    assert not item.ok
    assert "none of the four character types" in item.details[0]


def test_a_short_minimum_is_weaker_than_the_default(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=6,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        RequireNumbers=True,
        RequireSymbols=True,
    )
    (detail,) = lab.security_status()["password-policy"].details
    assert detail.startswith("it accepts passwords of 6 characters")


def test_the_course_turns_every_recommendation_green(lab: Lab) -> None:
    iam = lab.client("iam")
    lab.load("users")
    assert not lab.security_status().ok
    iam.update_account_password_policy(**FULL_POLICY)
    device = lab.create_root_mfa_device()
    lab.enable_root_mfa(
        device["SerialNumber"],
        *Authenticator(device["Base32StringSeed"], lab.clock).consecutive_codes(),
    )
    for user in ("ana", "dev", "CTO"):
        made = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]
        first, second = Authenticator(made["Base32StringSeed"], lab.clock).consecutive_codes()
        iam.enable_mfa_device(
            UserName=user,
            SerialNumber=made["SerialNumber"],
            AuthenticationCode1=first,
            AuthenticationCode2=second,
        )
    status = lab.security_status()
    assert status.ok, str(status)
    assert status.summary() == "Security recommendations: 5 of 5 done"


def test_words_and_colours() -> None:
    status = SecurityStatus(
        [
            Recommendation("a", "Do <this>", "This is done", True, "never shown", "IAM"),
            Recommendation("b", "Do that", "That is done", False, "call x", "IAM → X", ("ana",)),
        ]
    )
    assert str(status).splitlines()[:3] == [
        "Security recommendations: 1 of 2 done; action needed: Do that",
        f"{DONE}: This is done",
        f"{ACTION_NEEDED}: Do that",
    ]
    assert "    - ana" in str(status) and "How: call x" in str(status)
    shown = status._repr_html_()
    assert f"color:{GREEN}" in shown and f"color:{RED}" in shown
    assert "Done:</b> This is done" in shown and "Action needed:</b> Do that" in shown
    assert "never shown" not in shown
    assert repr(status[1]) == "Action needed: Do that"
    assert status["b"] is status[1] and status["Do that"] is status[1]
    with pytest.raises(KeyError):
        status["nothing"]


def test_recommendations_are_frozen_and_keep_their_old_name() -> None:
    assert StatusItem is Recommendation
    with pytest.raises(dataclasses.FrozenInstanceError):
        Recommendation("a", "x", "y", True, "h", "c").ok = False  # type: ignore[misc]


def test_every_recommendation_names_its_aws_page(lab: Lab) -> None:
    for item in lab.security_status():
        assert item.reference.startswith("https://docs.aws.amazon.com/IAM/latest/UserGuide/")
        assert item.console and item.hint
