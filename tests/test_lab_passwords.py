"""Console passwords: AWS's password rules, reuse, expiry and sign-in."""

from __future__ import annotations

from typing import Any

import pytest

from labkit.lab.errors import AwsError, SignInError
from labkit.lab.passwords import (
    SIGN_IN_FAILED,
    PasswordChangeRequired,
    check_password,
    policy_violation,
)
from tests.test_lab_mfa import aws_error, call, fake_lab

STRICT = {
    "MinimumPasswordLength": 14,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
}


def set_policy(lab: Any, **overrides: Any) -> None:
    options = {
        "allow_change_password": True,
        "hard_expiry": False,
        "max_password_age": 0,
        "minimum_password_length": 6,
        "password_reuse_prevention": 0,
        "require_lowercase_characters": False,
        "require_numbers": False,
        "require_symbols": False,
        "require_uppercase_characters": False,
    }
    options.update(overrides)
    lab.backend.update_account_password_policy(**options)


@pytest.fixture
def lab() -> Any:
    lab = fake_lab()
    lab.backend.create_user("us-east-1", "alice")
    return lab


# -- check_password ------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "policy", "message"),
    [
        ("a", {"MinimumPasswordLength": 14}, "Password should have a minimum length of 14"),
        ("abcdefghijklmn", {"MinimumPasswordLength": 14}, None),
        ("abcdef", {}, None),  # a policy without a length means AWS's 6
        ("abcde", {}, "Password should have a minimum length of 6"),
        ("lowercase-only-1", STRICT, "Password should have at least one uppercase letter"),
        ("UPPERCASE-ONLY-1", STRICT, "Password should have at least one lowercase letter"),
        ("No-Numbers-Here!", STRICT, "Password should have at least one number"),
        ("NoSymbolsHere123", STRICT, "Password should have at least one symbol"),
        ("Sh0rt!", STRICT, "Password should have a minimum length of 14"),
        ("Correct-Horse-9", STRICT, None),
        # With no account password policy, AWS's default rules apply.
        (
            "a",
            None,
            "Password should meet 2 more of the following requirements: "
            "Password should have at least one uppercase letter, "
            "Password should have at least one number, "
            "Password should have at least one symbol",
        ),
        (
            "abcdefgh1",
            None,
            "Password should meet 1 more of the following requirements: "
            "Password should have at least one uppercase letter, "
            "Password should have at least one symbol",
        ),
        ("Abc1", None, "Password should have a minimum length of 8"),
        ("Abcdefg1", None, None),
        ("abcdefg!1", None, None),
        ("Passw0rd", None, None),
    ],
)
def test_check_password(password: str, policy: dict | None, message: str | None) -> None:
    assert policy_violation(check_password(password, policy)) == message


def test_default_policy_rules_for_the_widget() -> None:
    rules = check_password("Abcdefg1", None)
    assert [(rule.name, rule.ok) for rule in rules] == [
        ("mix", True),
        ("length", True),
        ("identity", True),
    ]
    assert all(rule.description for rule in rules)


def test_default_policy_refuses_the_account_name() -> None:
    rules = check_password("My-Account-1", None, account_names=["my-account-1"])
    assert [rule.name for rule in rules if not rule.ok] == ["identity"]


def test_strict_policy_lists_every_rule() -> None:
    names = [rule.name for rule in check_password("x", STRICT)]
    assert names == ["uppercase", "lowercase", "numbers", "symbols", "length"]


# -- CreateLoginProfile, UpdateLoginProfile ------------------------------------------


def test_create_login_profile_under_a_14_character_policy(lab: Any) -> None:
    set_policy(lab, minimum_password_length=14)
    error = aws_error(lab, "CreateLoginProfile", UserName="alice", Password="a")
    assert (error.code, error.message, error.status) == (
        "PasswordPolicyViolation",
        "Password should have a minimum length of 14",
        400,
    )
    assert lab.backend.users["alice"].password is None


def test_default_policy_applies_when_none_is_set(lab: Any) -> None:
    error = aws_error(lab, "CreateLoginProfile", UserName="alice", Password="password")
    assert error.code == "PasswordPolicyViolation"
    assert error.message.startswith("Password should meet 2 more of the following requirements")
    profile = call(
        lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd", PasswordResetRequired=True
    )["LoginProfile"]
    assert (profile["UserName"], profile["PasswordResetRequired"]) == ("alice", True)
    assert profile["CreateDate"].timestamp() == lab.clock.time()
    assert lab.backend.users["alice"].password == "Passw0rd"


def test_create_login_profile_twice_is_entity_already_exists(lab: Any) -> None:
    call(lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd")
    error = aws_error(lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd")
    assert (error.code, error.status) == ("EntityAlreadyExists", 409)


def test_update_login_profile(lab: Any) -> None:
    error = aws_error(lab, "UpdateLoginProfile", UserName="alice", Password="Passw0rd")
    assert (error.code, error.message) == (
        "NoSuchEntity",
        "Login Profile for User alice cannot be found.",
    )
    call(lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd")
    assert aws_error(lab, "UpdateLoginProfile", UserName="alice", Password="x").code == (
        "PasswordPolicyViolation"
    )
    call(lab, "UpdateLoginProfile", UserName="alice", PasswordResetRequired=True)
    assert lab.backend.users["alice"].password_reset_required is True
    assert lab.backend.users["alice"].password == "Passw0rd"
    call(lab, "UpdateLoginProfile", UserName="alice", Password="N3w-Password")
    assert lab.backend.users["alice"].password == "N3w-Password"


# -- ChangePassword and reuse ----------------------------------------------------------


def test_change_password(lab: Any) -> None:
    call(
        lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd", PasswordResetRequired=True
    )
    wrong = aws_error(
        lab, "ChangePassword", caller="alice", OldPassword="nope", NewPassword="N3w-Password"
    )
    assert wrong.code == "InvalidUserType"
    weak = aws_error(
        lab, "ChangePassword", caller="alice", OldPassword="Passw0rd", NewPassword="weak"
    )
    assert weak.code == "PasswordPolicyViolation"
    assert (
        call(
            lab,
            "ChangePassword",
            caller="alice",
            OldPassword="Passw0rd",
            NewPassword="N3w-Password",
        )
        == {}
    )
    user = lab.backend.users["alice"]
    assert (user.password, user.password_reset_required) == ("N3w-Password", False)


def test_root_cannot_change_password_with_change_password(lab: Any) -> None:
    error = aws_error(lab, "ChangePassword", OldPassword="a", NewPassword="b")
    assert error.code == "InvalidUserType"


def test_change_password_without_a_login_profile(lab: Any) -> None:
    error = aws_error(lab, "ChangePassword", caller="alice", OldPassword="a", NewPassword="b")
    assert (error.code, error.status) == ("NoSuchEntity", 404)


def test_password_reuse_prevention(lab: Any) -> None:
    set_policy(lab, password_reuse_prevention=2)
    call(lab, "CreateLoginProfile", UserName="alice", Password="first-1")
    call(lab, "ChangePassword", caller="alice", OldPassword="first-1", NewPassword="second-2")
    error = aws_error(
        lab, "ChangePassword", caller="alice", OldPassword="second-2", NewPassword="first-1"
    )
    assert error.code == "PasswordPolicyViolation"
    call(lab, "ChangePassword", caller="alice", OldPassword="second-2", NewPassword="third-3")
    # Only the last two are remembered.
    call(lab, "ChangePassword", caller="alice", OldPassword="third-3", NewPassword="first-1")


# -- sign-in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "password"), [("alice", "wrong"), ("ghost", "Passw0rd"), ("bob", "Passw0rd")]
)
def test_sign_in_failures_use_the_consoles_words(lab: Any, user: str, password: str) -> None:
    lab.backend.create_user("us-east-1", "bob")  # no login profile
    call(lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd")
    with pytest.raises(SignInError, match="^Your authentication information is incorrect"):
        lab.passwords.check_sign_in(user, password)
    assert SIGN_IN_FAILED == "Your authentication information is incorrect. Please try again."


def test_sign_in_succeeds_and_records_last_use(lab: Any) -> None:
    call(lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd")
    assert lab.passwords.check_sign_in("alice", "Passw0rd") is None
    assert lab.backend.users["alice"].password_last_used == lab.clock.now()


def test_sign_in_when_a_reset_is_required(lab: Any) -> None:
    call(
        lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd", PasswordResetRequired=True
    )
    with pytest.raises(PasswordChangeRequired) as raised:
        lab.passwords.check_sign_in("alice", "Passw0rd")
    assert raised.value.reason == "reset_required"


@pytest.mark.parametrize(
    ("hard", "expected"), [(False, PasswordChangeRequired), (True, SignInError)]
)
def test_sign_in_after_the_password_expired(lab: Any, hard: bool, expected: type) -> None:
    set_policy(lab, max_password_age=90, hard_expiry=hard)
    call(lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd")
    lab.clock.advance(89 * 86_400)
    lab.passwords.check_sign_in("alice", "Passw0rd")
    lab.clock.advance(86_400)
    with pytest.raises(expected) as raised:
        lab.passwords.check_sign_in("alice", "Passw0rd")
    assert isinstance(raised.value, PasswordChangeRequired) is (not hard)
    assert "expired" in str(raised.value)


def test_policy_in_aws_shape(lab: Any) -> None:
    assert lab.passwords.policy() is None
    set_policy(lab, minimum_password_length=14, require_symbols=True)
    policy = lab.passwords.policy()
    assert policy["MinimumPasswordLength"] == 14
    assert policy["RequireSymbols"] is True
    assert policy["ExpirePasswords"] is False


def test_aws_error_is_raised_not_moto_error(lab: Any) -> None:
    with pytest.raises(AwsError):
        call(lab, "CreateLoginProfile", UserName="ghost", Password="Passw0rd")


# -- through the real Lab and boto3 ----------------------------------------------------------


def test_boto3_password_policy_errors() -> None:
    from botocore.exceptions import ClientError

    from labkit.lab.account import Lab

    with Lab(seed=3) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="alice")
        with pytest.raises(ClientError) as raised:
            iam.create_login_profile(UserName="alice", Password="password")
        assert raised.value.response["Error"]["Code"] == "PasswordPolicyViolation"
        iam.update_account_password_policy(MinimumPasswordLength=14)
        with pytest.raises(ClientError) as raised:
            iam.create_login_profile(UserName="alice", Password="a")
        error = raised.value.response["Error"]
        assert (error["Code"], error["Message"]) == (
            "PasswordPolicyViolation",
            "Password should have a minimum length of 14",
        )
        profile = iam.create_login_profile(UserName="alice", Password="abcdefghijklmn")
        assert profile["LoginProfile"]["UserName"] == "alice"
        assert lab.sign_in("alice", "abcdefghijklmn") is not None
