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


# -- UpdateAccountPasswordPolicy replaces the whole policy ----------------------------------
#
# "This operation does not support partial updates. No parameters are required, but if
# you do not specify a parameter, that parameter's value reverts to its default value."
# AllowUsersToChangePassword's default is false: "IAM users in the account do not
# automatically have permissions to change their own password."
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html

FULL = {
    "MinimumPasswordLength": 14,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "AllowUsersToChangePassword": True,
    "MaxPasswordAge": 90,
    "PasswordReusePrevention": 5,
    "HardExpiry": True,
}


def test_a_partial_update_reverts_every_other_setting_to_its_default() -> None:
    from labkit.lab.account import Lab

    with Lab(seed=3) as lab:
        iam = lab.client("iam")
        iam.update_account_password_policy(**FULL)
        iam.update_account_password_policy(MinimumPasswordLength=12)
        policy = iam.get_account_password_policy()["PasswordPolicy"]
        assert policy["MinimumPasswordLength"] == 12
        for setting in (
            "RequireUppercaseCharacters",
            "RequireLowercaseCharacters",
            "RequireNumbers",
            "RequireSymbols",
            "AllowUsersToChangePassword",
            "ExpirePasswords",
            "HardExpiry",
        ):
            assert policy[setting] is False, setting
        assert not policy.get("MaxPasswordAge") and not policy.get("PasswordReusePrevention")
        iam.update_account_password_policy()  # nothing given: every default
        assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 6


def test_losing_allow_users_to_change_password_refuses_change_password() -> None:
    """Without AllowUsersToChangePassword (or a policy that allows it), a user's
    own ChangePassword is refused with AccessDenied."""
    from botocore.exceptions import ClientError

    from labkit.lab.account import Lab

    with Lab(seed=3) as lab:
        iam = lab.client("iam")
        iam.update_account_password_policy(**FULL)
        iam.create_user(UserName="ana")
        iam.create_login_profile(UserName="ana", Password="Ana-Reads-Orders-1!")
        ana = lab.sign_in("ana", "Ana-Reads-Orders-1!").client("iam")
        ana.change_password(OldPassword="Ana-Reads-Orders-1!", NewPassword="Ana-Writes-Too-22!")
        iam.update_account_password_policy(MinimumPasswordLength=14)  # the trap
        with pytest.raises(ClientError) as raised:
            ana.change_password(OldPassword="Ana-Writes-Too-22!", NewPassword="Ana-Again-333!!x")
        error = raised.value.response["Error"]
        assert error["Code"] == "AccessDenied"
        assert error["Message"] == (
            "User: arn:aws:iam::123456789012:user/ana is not authorized to perform: "
            "iam:ChangePassword on resource: arn:aws:iam::123456789012:user/ana because no "
            "identity-based policy allows the iam:ChangePassword action"
        )


# -- weaker than AWS's default password policy -----------------------------------------------
#
# AWS's default: "Minimum password length of 8 characters and a maximum of 128
# characters; Minimum of three of the following mix of character types: uppercase,
# lowercase, numbers, and non-alphanumeric characters"
# https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html


@pytest.mark.parametrize(
    ("policy", "weak"),
    [
        (None, []),
        ({"MinimumPasswordLength": 6}, ["types", "length"]),
        ({"MinimumPasswordLength": 12, "RequireNumbers": True, "RequireSymbols": True}, ["types"]),
        ({**STRICT, "MinimumPasswordLength": 7}, ["length"]),
        ({**STRICT, "MinimumPasswordLength": 8}, []),
        (
            {
                "MinimumPasswordLength": 8,
                "RequireUppercaseCharacters": True,
                "RequireLowercaseCharacters": True,
                "RequireNumbers": True,
            },
            [],
        ),
    ],
)
def test_weaker_than_default(policy: dict | None, weak: list[str]) -> None:
    from labkit.lab.passwords import weaker_than_default

    found = weaker_than_default(policy)
    kinds = ["types" if "character types" in w.reason else "length" for w in found]
    assert kinds == weak
    for weakness in found:  # each example really is accepted here and refused by default
        assert policy_violation(check_password(weakness.example, policy)) is None
        assert policy_violation(check_password(weakness.example, None)) is not None


def test_weakness_words() -> None:
    from labkit.lab.passwords import weaker_than_default

    (weakness,) = weaker_than_default(
        {"MinimumPasswordLength": 12, "RequireNumbers": True, "RequireSymbols": True}
    )
    assert str(weakness) == (
        "it requires 2 of the four character types (numbers, symbols); AWS's default "
        "password policy requires at least 3 of them (it accepts '3!3!3!3!3!3!')"
    )


# -- choosing a new password as the console asks for one ---------------------------------------


@pytest.fixture
def reset_lab() -> Any:
    from labkit.lab.account import Lab

    with Lab(seed=4) as lab:
        iam = lab.client("iam")
        iam.update_account_password_policy(
            MinimumPasswordLength=14,
            RequireNumbers=True,
            AllowUsersToChangePassword=True,
            PasswordReusePrevention=3,
        )
        iam.create_user(UserName="lee")
        iam.create_login_profile(
            UserName="lee", Password="Temporary-Pass-2026", PasswordResetRequired=True
        )
        yield lab


def test_a_required_reset_says_how_to_choose_the_new_password(reset_lab: Any) -> None:
    with pytest.raises(PasswordChangeRequired) as raised:
        reset_lab.sign_in("lee", "Temporary-Pass-2026")
    assert raised.value.reason == "reset_required"
    assert str(raised.value) == (
        "Your administrator requires you to choose a new password to continue. In the Lab, "
        "choose it as you sign in: lab.sign_in('lee', <your current password>, "
        "new_password=<your new password>)."
    )


TOO_LONG = (
    "1 validation error detected: Value at 'newPassword' failed to satisfy constraint: "
    "Member must have length less than or equal to 128"
)
VIOLATION = "PasswordPolicyViolation"


@pytest.mark.parametrize(
    ("new", "code", "message"),
    [
        ("Short-1", VIOLATION, "Password should have a minimum length of 14"),
        ("No-Numbers-In-Here", VIOLATION, "Password should have at least one number"),
        ("Temporary-Pass-2026", VIOLATION, "Password should not be one of your previous passwords"),
        ("x" * 129, "ValidationError", TOO_LONG),
    ],
)
def test_a_new_password_the_policy_refuses(
    reset_lab: Any, new: str, code: str, message: str
) -> None:
    from labkit.lab.passwords import PasswordNotChanged

    with pytest.raises(PasswordNotChanged) as raised:
        reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password=new)
    assert (raised.value.code, str(raised.value)) == (code, message)
    assert isinstance(raised.value, SignInError)
    # Nothing changed: the old password still works, and still must be changed.
    with pytest.raises(PasswordChangeRequired):
        reset_lab.sign_in("lee", "Temporary-Pass-2026")


def test_a_new_password_the_policy_accepts_signs_in(reset_lab: Any) -> None:
    session = reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password="Lee-Chose-This-1")
    assert session.arn == "arn:aws:iam::123456789012:user/lee"
    iam = reset_lab.client("iam")
    assert iam.get_login_profile(UserName="lee")["LoginProfile"]["PasswordResetRequired"] is False
    with pytest.raises(SignInError, match="^Your authentication information is incorrect"):
        reset_lab.sign_in("lee", "Temporary-Pass-2026")
    assert reset_lab.sign_in("lee", "Lee-Chose-This-1").arn == session.arn
    # The change is the user's own ChangePassword call, on the trail like any other.
    (event,) = reset_lab.trail.filter(principal="lee", action="iam:ChangePassword")
    assert (event.decision, event.error_code) == ("allowed", None)


def test_a_new_password_is_only_for_a_sign_in_that_asks_for_one(reset_lab: Any) -> None:
    reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password="Lee-Chose-This-1")
    with pytest.raises(SignInError, match="does not ask for a new password"):
        reset_lab.sign_in("lee", "Lee-Chose-This-1", new_password="Lee-Chose-Again-2")


def test_a_user_who_may_not_change_their_password_stays_stuck(reset_lab: Any) -> None:
    """The reset needs iam:ChangePassword: AllowUsersToChangePassword or
    IAMUserChangePassword (which the console attaches when it asks for a reset)."""
    from labkit.lab.passwords import PasswordNotChanged

    iam = reset_lab.client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=14, RequireNumbers=True)
    with pytest.raises(PasswordNotChanged) as raised:
        reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password="Lee-Chose-This-1")
    assert raised.value.code == "AccessDenied"
    assert "is not authorized to perform: iam:ChangePassword" in str(raised.value)
    iam.attach_user_policy(
        UserName="lee", PolicyArn="arn:aws:iam::aws:policy/IAMUserChangePassword"
    )
    assert reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password="Lee-Chose-This-1")


def test_an_expired_password_is_changed_at_sign_in(reset_lab: Any) -> None:
    iam = reset_lab.client("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=14, AllowUsersToChangePassword=True, MaxPasswordAge=30
    )
    reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password="Lee-Chose-This-1")
    reset_lab.clock.advance(31 * 86_400)
    with pytest.raises(PasswordChangeRequired) as raised:
        reset_lab.sign_in("lee", "Lee-Chose-This-1")
    assert raised.value.reason == "expired"
    reset_lab.sign_in("lee", "Lee-Chose-This-1", new_password="Lee-Chose-Later-2")
    assert reset_lab.sign_in("lee", "Lee-Chose-Later-2")


def test_a_hard_expiry_cannot_be_changed_at_sign_in(reset_lab: Any) -> None:
    iam = reset_lab.client("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=30,
        HardExpiry=True,
    )
    reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password="Lee-Chose-This-1")
    reset_lab.clock.advance(31 * 86_400)
    with pytest.raises(SignInError, match="Ask your administrator to reset it"):
        reset_lab.sign_in("lee", "Lee-Chose-This-1", new_password="Lee-Chose-Later-2")


def test_the_mfa_code_comes_before_the_new_password(reset_lab: Any) -> None:
    from labkit import Authenticator

    iam = reset_lab.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="lee")["VirtualMFADevice"]
    phone = Authenticator(device["Base32StringSeed"], reset_lab.clock)
    first, second = phone.consecutive_codes()
    iam.enable_mfa_device(
        UserName="lee",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=first,
        AuthenticationCode2=second,
    )
    reset_lab.clock.advance(30)
    with pytest.raises(SignInError, match="MFA code required"):
        reset_lab.sign_in("lee", "Temporary-Pass-2026", new_password="Lee-Chose-This-1")
    session = reset_lab.sign_in(
        "lee", "Temporary-Pass-2026", mfa_code=phone.code(), new_password="Lee-Chose-This-1"
    )
    assert session.principal.mfa_at is not None


def test_set_at_is_on_the_labs_clock(lab: Any) -> None:
    assert lab.passwords.set_at("alice") is None
    call(lab, "CreateLoginProfile", UserName="alice", Password="Passw0rd")
    assert lab.passwords.set_at("alice") == lab.clock.time()
