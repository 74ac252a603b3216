"""Virtual MFA: real TOTP codes, scannable QR codes and AWS's checks."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from typing import Any

import pyotp
import pytest

from labkit.lab.clock import Clock
from labkit.lab.context import AccountContext
from labkit.lab.errors import AwsError
from labkit.lab.handlers import HANDLERS, Call
from labkit.lab.identities import Principal
from labkit.lab.mfa import (
    DEVICE_IN_USE,
    INVALID_CODE,
    STEP,
    Authenticator,
    InvalidSecret,
    normalize_secret,
    otpauth_uri,
    qr_png,
)

T0 = 1_700_000_010.0  # 10 s into a TOTP window


def fake_lab(seed: int = 1) -> Any:
    """A fresh account's running parts (MFA, passwords...), without a Lab."""
    account = f"{random.randrange(10**11, 10**12)}"
    clock = Clock()
    clock.freeze(T0)
    return AccountContext.create(account, "us-east-1", clock, random.Random(seed))


def principal(lab: Any, name: str = "root") -> Principal:
    if name == "root":
        return Principal(
            f"arn:aws:iam::{lab.account_id}:root", "Account", lab.account_id, lab.account_id, "root"
        )
    return Principal(
        f"arn:aws:iam::{lab.account_id}:user/{name}", "User", lab.account_id, "AIDAEXAMPLE", name
    )


def call(lab: Any, operation: str, caller: str = "root", **params: Any) -> Any:
    return HANDLERS[f"iam:{operation}"](Call(lab, principal(lab, caller), "iam", operation, params))


def aws_error(lab: Any, operation: str, caller: str = "root", **params: Any) -> AwsError:
    with pytest.raises(AwsError) as raised:
        call(lab, operation, caller, **params)
    return raised.value


@pytest.fixture
def lab() -> Any:
    lab = fake_lab()
    lab.backend.create_user("us-east-1", "alice")
    return lab


def new_device(lab: Any, name: str = "alice", path: str = "/") -> tuple[str, Authenticator]:
    created = call(lab, "CreateVirtualMFADevice", VirtualMFADeviceName=name, Path=path)
    serial = created["VirtualMFADevice"]["SerialNumber"]
    return serial, lab.mfa.authenticator(serial)


def enable(lab: Any, serial: str, phone: Authenticator, user: str = "alice") -> None:
    code1, code2 = phone.consecutive_codes()
    call(
        lab,
        "EnableMFADevice",
        UserName=user,
        SerialNumber=serial,
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )


# -- TOTP ---------------------------------------------------------------------


def test_authenticator_matches_rfc_6238_totp() -> None:
    clock = Clock()
    clock.freeze(T0)
    secret = pyotp.random_base32()
    phone = Authenticator(secret, clock)
    assert phone.code() == pyotp.TOTP(secret).at(T0)
    assert phone.code(at=T0 + 3600) == pyotp.TOTP(secret).at(T0 + 3600)


def test_consecutive_codes_are_the_previous_and_current_windows() -> None:
    clock = Clock()
    clock.freeze(T0)
    phone = Authenticator(pyotp.random_base32(), clock)
    assert phone.consecutive_codes() == (phone.code(T0 - STEP), phone.code(T0))


def test_codes_follow_the_labs_clock() -> None:
    clock = Clock()
    clock.freeze(T0)
    secret = pyotp.random_base32()
    phone = Authenticator(secret, clock)
    clock.advance(STEP)
    assert phone.code() == pyotp.TOTP(secret).at(T0 + STEP)


# -- QR code --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "account", "uri"),
    [
        (
            "alice",
            "123456789012",
            "otpauth://totp/Amazon%20Web%20Services:alice@123456789012?secret=ABC"
            "&issuer=Amazon%20Web%20Services",
        ),
        (
            "root-account-mfa-device",
            "my-alias",
            "otpauth://totp/Amazon%20Web%20Services:root-account-mfa-device@my-alias?secret=ABC"
            "&issuer=Amazon%20Web%20Services",
        ),
    ],
)
def test_otpauth_uri_is_the_one_aws_encodes(name: str, account: str, uri: str) -> None:
    assert otpauth_uri("ABC", name, account) == uri


# In CI a missing zbarimg must fail the test rather than skip it.
@pytest.mark.skipif(
    shutil.which("zbarimg") is None and os.environ.get("CI") != "true",
    reason="zbarimg (zbar-tools) not installed",
)
def test_qr_code_png_scans_to_the_otpauth_uri(lab: Any, tmp_path: Any) -> None:
    created = call(lab, "CreateVirtualMFADevice", VirtualMFADeviceName="alice")["VirtualMFADevice"]
    png = created["QRCodePNG"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    scanned = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    seed = created["Base32StringSeed"].decode()
    assert scanned == (
        f"otpauth://totp/Amazon%20Web%20Services:alice@{lab.account_id}?secret={seed}"
        "&issuer=Amazon%20Web%20Services"
    )
    # The scanned secret yields the codes the Lab accepts.
    assert pyotp.parse_uri(scanned).at(T0) == lab.mfa.authenticator(created["SerialNumber"]).code()


def test_qr_png_is_deterministic() -> None:
    assert qr_png("otpauth://totp/x?secret=ABC") == qr_png("otpauth://totp/x?secret=ABC")


# -- CreateVirtualMFADevice -----------------------------------------------------


def test_create_returns_aws_shape_and_moto_agrees(lab: Any) -> None:
    created = call(lab, "CreateVirtualMFADevice", VirtualMFADeviceName="alice", Path="/team/")
    device = created["VirtualMFADevice"]
    assert device["SerialNumber"] == f"arn:aws:iam::{lab.account_id}:mfa/team/alice"
    seed = device["Base32StringSeed"]
    assert isinstance(seed, bytes) and len(seed) == 64
    assert lab.mfa.seed(device["SerialNumber"]) == seed.decode()
    assert (
        lab.backend.virtual_mfa_devices[device["SerialNumber"]].base32_string_seed == seed.decode()
    )


def test_seeds_are_reproducible_under_the_labs_seed() -> None:
    first, second = fake_lab(seed=7), fake_lab(seed=7)
    seeds = [
        call(one, "CreateVirtualMFADevice", VirtualMFADeviceName="d")["VirtualMFADevice"][
            "Base32StringSeed"
        ]
        for one in (first, second)
    ]
    assert seeds[0] == seeds[1]


def test_create_twice_is_entity_already_exists(lab: Any) -> None:
    new_device(lab)
    error = aws_error(lab, "CreateVirtualMFADevice", VirtualMFADeviceName="alice")
    assert (error.code, error.status) == ("EntityAlreadyExists", 409)


# -- EnableMFADevice ---------------------------------------------------------------


def codes_for(phone: Authenticator, case: str) -> tuple[str, str]:
    now, previous, following = phone.code(T0), phone.code(T0 - STEP), phone.code(T0 + STEP)
    return {
        "zeros": ("000000", "000000"),
        "same code twice": (now, now),
        "reversed": (now, previous),
        "not six digits": (now[:5], following),
        "far in the past": (phone.code(T0 - 20 * STEP), phone.code(T0 - 19 * STEP)),
        "far in the future": (phone.code(T0 + 20 * STEP), phone.code(T0 + 21 * STEP)),
    }[case]


@pytest.mark.parametrize(
    "case",
    [
        "zeros",
        "same code twice",
        "reversed",
        "not six digits",
        "far in the past",
        "far in the future",
    ],
)
def test_enable_refuses_invalid_codes(lab: Any, case: str) -> None:
    serial, phone = new_device(lab)
    code1, code2 = codes_for(phone, case)
    error = aws_error(
        lab,
        "EnableMFADevice",
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )
    assert (error.code, error.message, error.status) == (
        "InvalidAuthenticationCode",
        INVALID_CODE,
        403,
    )
    assert lab.backend.users["alice"].mfa_devices == {}


@pytest.mark.parametrize("offset", [-STEP, 0, STEP])
def test_enable_accepts_two_consecutive_codes_near_now(lab: Any, offset: int) -> None:
    serial, phone = new_device(lab)
    code1, code2 = phone.code(T0 + offset - STEP), phone.code(T0 + offset)
    assert (
        call(
            lab,
            "EnableMFADevice",
            UserName="alice",
            SerialNumber=serial,
            AuthenticationCode1=code1,
            AuthenticationCode2=code2,
        )
        == {}
    )
    assert serial in lab.backend.users["alice"].mfa_devices
    assert lab.mfa.device_for_user("alice") == serial


def test_enable_an_unknown_device_is_no_such_entity(lab: Any) -> None:
    serial = f"arn:aws:iam::{lab.account_id}:mfa/nobody"
    error = aws_error(
        lab,
        "EnableMFADevice",
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1="123456",
        AuthenticationCode2="234567",
    )
    assert (error.code, error.status) == ("NoSuchEntity", 404)
    assert error.message == f"VirtualMFADevice with serial number {serial} doesn't exist."


def test_enable_for_a_missing_user_is_no_such_entity(lab: Any) -> None:
    serial, phone = new_device(lab)
    code1, code2 = phone.consecutive_codes()
    error = aws_error(
        lab,
        "EnableMFADevice",
        UserName="ghost",
        SerialNumber=serial,
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )
    assert (error.code, error.status) == ("NoSuchEntity", 404)


def test_a_device_is_enabled_for_one_user_only(lab: Any) -> None:
    lab.backend.create_user("us-east-1", "bob")
    serial, phone = new_device(lab)
    enable(lab, serial, phone)
    lab.clock.advance(2 * STEP)
    error = aws_error(
        lab,
        "EnableMFADevice",
        UserName="bob",
        SerialNumber=serial,
        AuthenticationCode1=phone.code(T0 + STEP),
        AuthenticationCode2=phone.code(),
    )
    assert (error.code, error.status) == ("EntityAlreadyExists", 409)


def test_list_mfa_devices_shows_the_enabled_device(lab: Any) -> None:
    serial, phone = new_device(lab)
    enable(lab, serial, phone)
    listed = list(lab.backend.list_mfa_devices("alice"))
    assert [device.serial_number for device in listed] == [serial]
    own = call(lab, "ListMFADevices", caller="alice")
    assert [device["SerialNumber"] for device in own["MFADevices"]] == [serial]


# -- verify: tolerance and reuse -----------------------------------------------------


def test_verify_rejects_000000_and_accepts_the_current_code(lab: Any) -> None:
    serial, phone = new_device(lab)
    assert phone.code() != "000000"
    assert lab.mfa.verify(serial, "000000") is False
    assert lab.mfa.verify(serial, phone.code()) is True


def test_a_code_is_never_accepted_twice(lab: Any) -> None:
    serial, phone = new_device(lab)
    code = phone.code()
    assert lab.mfa.verify(serial, code) is True
    assert lab.mfa.verify(serial, code) is False


def test_codes_used_to_enable_are_spent(lab: Any) -> None:
    serial, phone = new_device(lab)
    enable(lab, serial, phone)
    assert lab.mfa.verify(serial, phone.code()) is False
    lab.clock.advance(STEP)
    assert lab.mfa.verify(serial, phone.code()) is True


@pytest.mark.parametrize(
    ("offset", "ok"),
    [(-2 * STEP, False), (-STEP, True), (0, True), (STEP, True), (2 * STEP, False)],
)
def test_verify_tolerates_one_window_either_side(lab: Any, offset: int, ok: bool) -> None:
    serial, phone = new_device(lab)
    assert lab.mfa.verify(serial, phone.code(T0 + offset)) is ok


def test_verify_an_unknown_device_is_false(lab: Any) -> None:
    assert lab.mfa.verify("arn:aws:iam::000000000000:mfa/x", "123456") is False


# -- resync, deactivate, delete, get ---------------------------------------------------


def test_resync_accepts_codes_from_a_drifted_phone(lab: Any) -> None:
    serial, phone = new_device(lab)
    enable(lab, serial, phone)
    drifted = T0 + 5 * STEP
    assert (
        call(
            lab,
            "ResyncMFADevice",
            UserName="alice",
            SerialNumber=serial,
            AuthenticationCode1=phone.code(drifted),
            AuthenticationCode2=phone.code(drifted + STEP),
        )
        == {}
    )
    error = aws_error(
        lab,
        "ResyncMFADevice",
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1="000000",
        AuthenticationCode2="000000",
    )
    assert error.code == "InvalidAuthenticationCode"


def test_delete_an_assigned_device_is_a_conflict(lab: Any) -> None:
    serial, phone = new_device(lab)
    enable(lab, serial, phone)
    error = aws_error(lab, "DeleteVirtualMFADevice", SerialNumber=serial)
    assert (error.code, error.message, error.status) == ("DeleteConflict", DEVICE_IN_USE, 409)
    assert call(lab, "DeactivateMFADevice", UserName="alice", SerialNumber=serial) == {}
    assert lab.backend.users["alice"].mfa_devices == {}
    assert call(lab, "DeleteVirtualMFADevice", SerialNumber=serial) == {}
    assert serial not in lab.backend.virtual_mfa_devices
    error = aws_error(lab, "DeleteVirtualMFADevice", SerialNumber=serial)
    assert (error.code, error.status) == ("NoSuchEntity", 404)


def test_deactivate_a_device_the_user_lacks_is_no_such_entity(lab: Any) -> None:
    serial, _ = new_device(lab)
    error = aws_error(lab, "DeactivateMFADevice", UserName="alice", SerialNumber=serial)
    assert (error.code, error.message) == ("NoSuchEntity", "MFA Device invalid for user.")


def test_get_mfa_device(lab: Any) -> None:
    serial, phone = new_device(lab)
    assert aws_error(lab, "GetMFADevice", SerialNumber=serial, UserName="alice").code == (
        "NoSuchEntity"
    )
    enable(lab, serial, phone)
    got = call(lab, "GetMFADevice", caller="alice", SerialNumber=serial)
    assert (got["UserName"], got["SerialNumber"]) == ("alice", serial)
    assert got["EnableDate"].timestamp() == T0


def test_list_virtual_mfa_devices_hides_seeds_and_filters(lab: Any) -> None:
    assigned, phone = new_device(lab)
    unassigned, _ = new_device(lab, "spare")
    enable(lab, assigned, phone)
    every = call(lab, "ListVirtualMFADevices")["VirtualMFADevices"]
    assert {d["SerialNumber"] for d in every} == {assigned, unassigned}
    assert all("Base32StringSeed" not in d and "QRCodePNG" not in d for d in every)
    only = call(lab, "ListVirtualMFADevices", AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert [(d["SerialNumber"], d["User"]["UserName"]) for d in only] == [(assigned, "alice")]
    free = call(lab, "ListVirtualMFADevices", AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert [d["SerialNumber"] for d in free] == [unassigned]


# -- DeleteUser -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (
            lambda lab: lab.backend.create_access_key("alice"),
            "Cannot delete entity, must delete access keys first.",
        ),
        (
            lambda lab: lab.backend.create_login_profile("alice", "Secr3t!pass"),
            "Cannot delete entity, must delete login profile first.",
        ),
        (
            lambda lab: (
                lab.backend.create_group("g", "/"),
                lab.backend.add_user_to_group("g", "alice"),
            ),
            "Cannot delete entity, must remove users from group first.",
        ),
        ("mfa", "Cannot delete entity, must delete MFA device first."),
    ],
)
def test_delete_user_that_still_owns_something_is_a_conflict(
    lab: Any, setup: Any, message: str
) -> None:
    if setup == "mfa":
        serial, phone = new_device(lab)
        enable(lab, serial, phone)
    else:
        setup(lab)
    error = aws_error(lab, "DeleteUser", UserName="alice")
    assert (error.code, error.message, error.status) == ("DeleteConflict", message, 409)


def test_delete_a_bare_user_is_left_to_moto(lab: Any) -> None:
    assert call(lab, "DeleteUser", UserName="alice") is None


# -- root MFA and the account summary -----------------------------------------------------


def test_root_device_has_the_root_serial_and_a_scannable_shape(lab: Any) -> None:
    device = lab.mfa.create_root_device()
    assert device["SerialNumber"] == f"arn:aws:iam::{lab.account_id}:mfa/root-account-mfa-device"
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    assert lab.mfa.authenticator(device["SerialNumber"]).uri.startswith(
        "otpauth://totp/Amazon%20Web%20Services:root-account-mfa-device@"
    )


def test_enable_root_needs_consecutive_codes(lab: Any) -> None:
    serial = lab.mfa.create_root_device()["SerialNumber"]
    phone = lab.mfa.authenticator(serial)
    with pytest.raises(AwsError) as raised:
        lab.mfa.enable_root(serial, "000000", "000000")
    assert raised.value.code == "InvalidAuthenticationCode"
    assert lab.mfa.root_enabled is False
    assert call(lab, "GetAccountSummary")["SummaryMap"]["AccountMFAEnabled"] == 0
    lab.mfa.enable_root(serial, *phone.consecutive_codes())
    assert lab.mfa.root_enabled is True
    assert lab.mfa.device_for_user("root") == serial
    assert call(lab, "GetAccountSummary")["SummaryMap"]["AccountMFAEnabled"] == 1
    error = aws_error(lab, "DeleteVirtualMFADevice", SerialNumber=serial)
    assert error.code == "DeleteConflict"
    assigned = call(lab, "ListVirtualMFADevices", AssignmentStatus="Assigned")
    assert assigned["VirtualMFADevices"][0]["User"]["Arn"] == f"arn:aws:iam::{lab.account_id}:root"


def test_creating_the_root_device_again_starts_over(lab: Any) -> None:
    first = lab.mfa.create_root_device()
    second = lab.mfa.create_root_device()
    assert first["SerialNumber"] == second["SerialNumber"]
    assert first["Base32StringSeed"] != second["Base32StringSeed"]


# -- through the real Lab and boto3 ----------------------------------------------------------


@pytest.fixture
def real_lab() -> Any:
    from labkit.lab.account import Lab

    with Lab(seed=3) as lab:
        lab.clock.freeze(T0)
        lab.client("iam").create_user(UserName="alice")
        yield lab


def client_error(fn: Any, **params: Any) -> dict[str, Any]:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as raised:
        fn(**params)
    response = raised.value.response
    return {**response["Error"], "Status": response["ResponseMetadata"]["HTTPStatusCode"]}


def test_boto3_enrols_a_device_only_with_valid_codes(real_lab: Any) -> None:
    iam = real_lab.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    assert serial == "arn:aws:iam::123456789012:mfa/alice"
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    assert device["Base32StringSeed"].decode() == real_lab.mfa.seed(serial)
    error = client_error(
        iam.enable_mfa_device,
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1="000000",
        AuthenticationCode2="000000",
    )
    assert (error["Code"], error["Message"], error["Status"]) == (
        "InvalidAuthenticationCode",
        INVALID_CODE,
        403,
    )
    code1, code2 = real_lab.mfa.authenticator(serial).consecutive_codes()
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    listed = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert [d["SerialNumber"] for d in listed] == [serial]
    error = client_error(iam.delete_user, UserName="alice")
    assert (error["Code"], error["Message"], error["Status"]) == (
        "DeleteConflict",
        "Cannot delete entity, must delete MFA device first.",
        409,
    )
    error = client_error(iam.delete_virtual_mfa_device, SerialNumber=serial)
    assert (error["Code"], error["Message"]) == ("DeleteConflict", DEVICE_IN_USE)


def test_boto3_account_summary_reports_root_mfa(real_lab: Any) -> None:
    iam = real_lab.client("iam")
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 0
    serial = real_lab.create_root_mfa_device()["SerialNumber"]
    real_lab.enable_root_mfa(serial, *real_lab.mfa.authenticator(serial).consecutive_codes())
    assert iam.get_account_summary()["SummaryMap"]["AccountMFAEnabled"] == 1


def test_console_sign_in_with_mfa(real_lab: Any) -> None:
    from labkit.lab.errors import SignInError

    iam = real_lab.client("iam")
    iam.create_login_profile(UserName="alice", Password="Passw0rd!")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"][
        "SerialNumber"
    ]
    phone = real_lab.mfa.authenticator(serial)
    code1, code2 = phone.consecutive_codes()
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    with pytest.raises(SignInError):
        real_lab.sign_in("alice", "Passw0rd!", mfa_code=phone.code())  # already used to enable
    real_lab.clock.advance(STEP)
    code = phone.code()
    assert real_lab.sign_in("alice", "Passw0rd!", mfa_code=code) is not None
    with pytest.raises(SignInError):
        real_lab.sign_in("alice", "Passw0rd!", mfa_code=code)  # a code works once


# -- secrets as people copy them --------------------------------------------------------


def test_a_secret_copied_with_spaces_and_in_lowercase_gives_the_same_codes() -> None:
    clock = Clock()
    clock.freeze(T0)
    secret = pyotp.random_base32(64)
    shown = " ".join(secret[i : i + 4] for i in range(0, 64, 4))  # as the console groups it
    for typed in (shown, shown.lower(), secret.encode(), f"  {secret}\n"):
        assert Authenticator(typed, clock).code() == pyotp.TOTP(secret).at(T0)
    assert normalize_secret(shown.lower()) == secret


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("ABCD 1FGH", "character 5, '1' (did you mean the letter I?)"),
        ("abc0", "'0' (did you mean the letter O?)"),
        ("ABC", "stops short"),
        ("   ", "The secret is empty"),
        ("ÄBCD", "character 1, 'Ä'"),
        (b"\xff\xfe", "A secret is text"),
    ],
)
def test_a_secret_that_is_not_base32_is_refused_in_words(typed: Any, words: str) -> None:
    with pytest.raises(InvalidSecret) as refused:
        Authenticator(typed, Clock())
    assert words in str(refused.value)
    assert isinstance(refused.value, ValueError)
    # In a notebook the refusal is its message alone, never a traceback.
    assert refused.value._render_traceback_() == [f"InvalidSecret: {refused.value}"]


# -- several devices per user ------------------------------------------------------------
# IAM User Guide, "AWS Multi-factor authentication in IAM": up to eight MFA
# devices of any combination per root user or IAM user; any one signs in.


def test_a_user_may_enable_several_devices_and_any_one_verifies(lab: Any) -> None:
    phone_serial, phone = new_device(lab, "alice-phone")
    laptop_serial, laptop = new_device(lab, "alice-laptop")
    enable(lab, phone_serial, phone)
    enable(lab, laptop_serial, laptop)
    assert lab.mfa.devices_for_user("alice") == (phone_serial, laptop_serial)
    assert lab.mfa.owner_of(laptop_serial) == "alice"
    own = call(lab, "ListMFADevices", caller="alice")["MFADevices"]
    assert [d["SerialNumber"] for d in own] == [phone_serial, laptop_serial]
    lab.clock.advance(STEP)
    assert lab.mfa.verify_for_user("alice", laptop.code()) == laptop_serial
    assert lab.mfa.verify_for_user("alice", phone.code()) == phone_serial
    assert lab.mfa.verify_for_user("alice", "000000") is None


def test_sign_in_and_session_tokens_take_a_code_from_any_device(real_lab: Any) -> None:
    from labkit.lab.errors import SignInError

    iam = real_lab.client("iam")
    iam.create_login_profile(UserName="alice", Password="Passw0rd!")
    phones = {}
    for name in ("alice-phone", "alice-key-ring"):
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
            "SerialNumber"
        ]
        phones[serial] = real_lab.mfa.authenticator(serial)
        code1, code2 = phones[serial].consecutive_codes()
        iam.enable_mfa_device(
            UserName="alice",
            SerialNumber=serial,
            AuthenticationCode1=code1,
            AuthenticationCode2=code2,
        )
    assert len(iam.list_mfa_devices(UserName="alice")["MFADevices"]) == 2
    real_lab.clock.advance(STEP)
    first, second = phones
    assert real_lab.sign_in("alice", "Passw0rd!", mfa_code=phones[second].code()) is not None
    with pytest.raises(SignInError):
        real_lab.sign_in("alice", "Passw0rd!")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = real_lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    token = alice.client("sts").get_session_token(
        SerialNumber=first, TokenCode=phones[first].code()
    )
    assert token["Credentials"]["AccessKeyId"].startswith("ASIA")


# -- a real phone, the real clock ----------------------------------------------------------


def test_a_frozen_clock_refuses_a_real_phone_and_says_why(real_lab: Any) -> None:
    import time

    iam = real_lab.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    serial = device["SerialNumber"]
    wall = pyotp.TOTP(device["Base32StringSeed"].decode())  # the phone: real time
    now = time.time()
    codes = {"AuthenticationCode1": wall.at(now - STEP), "AuthenticationCode2": wall.at(now)}
    error = client_error(iam.enable_mfa_device, UserName="alice", SerialNumber=serial, **codes)
    assert error["Code"] == "InvalidAuthenticationCode"
    why = real_lab.mfa.explain_codes(serial, *codes.values())
    assert "frozen at 2023-11-14 22:13:30 UTC" in why and "lab.clock.follow_real_time()" in why
    # Following real time, the phone's codes are accepted.
    real_lab.clock.follow_real_time()
    assert real_lab.clock.real and repr(real_lab.clock) == "Clock(real time)"
    now = time.time()
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1=wall.at(now - STEP),
        AuthenticationCode2=wall.at(now),
    )
    assert real_lab.mfa.devices_for_user("alice") == (serial,)


def test_the_clock_says_its_state_in_words() -> None:
    clock = Clock()
    assert clock.real and clock.describe() == "real time"
    clock.advance(90)
    assert not clock.real and clock.describe() == "running 90 seconds ahead of real time"
    clock.freeze(T0)
    assert clock.frozen and clock.describe() == "frozen at 2023-11-14 22:13:30 UTC"
    clock.follow_real_time()
    assert clock.real and not clock.frozen


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("not digits", "is not a code: a code is six digits"),
        ("spent", "already used"),
        ("not consecutive", "not consecutive"),
        ("another device", "not codes of alice near the Lab's time"),
        ("minutes away", "a few minutes away"),
    ],
)
def test_explain_codes_says_what_the_lab_saw(lab: Any, case: str, words: str) -> None:
    serial, phone = new_device(lab)
    other, stranger = new_device(lab, "spare")
    if case == "spent":
        assert lab.mfa.verify(serial, phone.code())
    codes = {
        "not digits": ("12 345", phone.code()),
        "spent": (phone.code(T0 - STEP), phone.code()),
        "not consecutive": (phone.code(T0 - STEP), phone.code(T0 + STEP)),
        "another device": stranger.consecutive_codes(),
        "minutes away": (phone.code(T0 - 6 * STEP), phone.code(T0 - 5 * STEP)),
    }[case]
    assert words in lab.mfa.explain_codes(serial, *codes)


def test_explain_codes_for_an_unknown_device(lab: Any) -> None:
    assert "no virtual MFA device" in lab.mfa.explain_codes("arn:aws:iam::1:mfa/x", "123456")


# -- AWS's current self-managed MFA policy, and the tutorial's ------------------------------
# IAM User Guide, "IAM: Allows IAM users to self-manage an MFA device": the
# current example lets a user create a device of any name (arn:aws:iam::*:mfa/*)
# and enable, resync, get and list devices on their own user only.


def _user_with(lab: Any, policy: str) -> Any:
    iam = lab.client("iam")
    iam.create_user(UserName="ana")
    arn = iam.create_policy(PolicyName="Allow-MFA", PolicyDocument=policy)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="ana", PolicyArn=arn)
    key = iam.create_access_key(UserName="ana")["AccessKey"]
    return lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("iam")


def test_a_device_named_freely_is_refused_under_the_tutorials_policy(real_lab: Any) -> None:
    from labkit.policy.examples import TUTORIAL_ALLOW_MFA

    ana = _user_with(real_lab, TUTORIAL_ALLOW_MFA)
    error = client_error(ana.create_virtual_mfa_device, VirtualMFADeviceName="ana-phone")
    assert (error["Code"], error["Message"]) == (
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/ana is not authorized to perform: "
        "iam:CreateVirtualMFADevice on resource: arn:aws:iam::123456789012:mfa/ana-phone "
        "because no identity-based policy allows the iam:CreateVirtualMFADevice action",
    )
    # Why, in the engine's words: the one statement about creating devices
    # names only a device called after the user.
    principal = real_lab.principal_of("arn:aws:iam::123456789012:user/ana")
    why = real_lab.decide(
        principal, "iam:CreateVirtualMFADevice", "arn:aws:iam::123456789012:mfa/ana-phone"
    ).explain()
    assert "Allow-MFA / AllowIndividualUserToManageTheirOwnMFA (resource)" in why
    # Named after the user it works, and then no second device can be made.
    assert ana.create_virtual_mfa_device(VirtualMFADeviceName="ana")["VirtualMFADevice"]
    assert client_error(ana.create_virtual_mfa_device, VirtualMFADeviceName="ana")["Code"] == (
        "EntityAlreadyExists"
    )


def test_a_device_named_freely_works_under_the_current_policy(real_lab: Any) -> None:
    from labkit.policy.examples import CURRENT_ALLOW_MFA

    ana = _user_with(real_lab, CURRENT_ALLOW_MFA)
    serials = []
    for name in ("ana-phone", "ana-tablet"):
        device = ana.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
        code1, code2 = Authenticator(device["Base32StringSeed"], real_lab.clock).consecutive_codes()
        ana.enable_mfa_device(
            UserName="ana",
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1=code1,
            AuthenticationCode2=code2,
        )
        serials.append(device["SerialNumber"])
    listed = ana.list_mfa_devices(UserName="ana")["MFADevices"]
    assert [d["SerialNumber"] for d in listed] == serials
    # Without MFA, turning a device off is refused by the explicit deny.
    error = client_error(ana.deactivate_mfa_device, UserName="ana", SerialNumber=serials[0])
    assert error["Code"] == "AccessDenied" and "explicit deny" in error["Message"]


def test_the_current_policy_keeps_users_to_their_own_devices(real_lab: Any) -> None:
    from labkit.policy.examples import CURRENT_ALLOW_MFA

    ana = _user_with(real_lab, CURRENT_ALLOW_MFA)
    device = ana.create_virtual_mfa_device(VirtualMFADeviceName="for-alice")["VirtualMFADevice"]
    code1, code2 = Authenticator(device["Base32StringSeed"], real_lab.clock).consecutive_codes()
    error = client_error(
        ana.enable_mfa_device,
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )
    assert error["Code"] == "AccessDenied" and "user/alice" in error["Message"]


def test_the_policy_history_is_written_once() -> None:
    from labkit.policy import Policy, examples

    assert examples.TUTORIAL_ALLOW_MFA is examples.ALLOW_MFA
    current = Policy.parse(examples.CURRENT_ALLOW_MFA)
    assert [s.sid for s in current.statements][-1] == "BlockMostAccessUnlessSignedInWithMFA"
    assert "reference_policies_examples_iam_mfa-selfmanage" in examples.CURRENT_ALLOW_MFA_SOURCE
    assert len(examples.ALLOW_MFA_CHANGES) >= 4
    assert all(what and why for what, why in examples.ALLOW_MFA_CHANGES)
