"""MFAEnrollment: a user's virtual MFA device, from QR code to enabled."""

from __future__ import annotations

import os
import shutil

import pytest

from labkit.lab.account import Lab
from labkit.widgets import MFAEnrollment
from labkit.widgets.mfa_enrollment import error_code, grouped_secret

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        lab.client("iam").create_user(UserName="alice")
        yield lab


def test_shows_the_qr_code_and_the_secret(lab) -> None:
    enrol = MFAEnrollment(lab, "alice")
    assert enrol.serial_number == "arn:aws:iam::123456789012:mfa/alice"
    assert bytes(enrol.qr_code.value).startswith(PNG_MAGIC)
    assert enrol.secret == lab.mfa.seed(enrol.serial_number)
    assert grouped_secret(enrol.secret) in enrol.secret_label.value


def test_wrong_codes_show_awss_answer(lab) -> None:
    enrol = MFAEnrollment(lab, "alice")
    enrol.code1.value, enrol.code2.value = "123456", "654321"
    enrol.enable_button.click()
    assert "InvalidAuthenticationCode" in enrol.result.value
    assert not enrol.enabled


def test_two_consecutive_codes_enable_the_device(lab) -> None:
    enrol = MFAEnrollment(lab, "alice")
    code1, code2 = lab.mfa.authenticator(enrol.serial_number).consecutive_codes()
    enrol.code1.value, enrol.code2.value = code1, code2
    enrol.enable_button.click()
    assert enrol.enabled
    assert "now enabled" in enrol.result.value
    devices = lab.client("iam").list_mfa_devices(UserName="alice")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [enrol.serial_number]


def test_enable_helper_and_a_second_try(lab) -> None:
    enrol = MFAEnrollment(lab, "alice")
    assert enrol.enable("000000", "000000") is False
    assert enrol.enable(*lab.mfa.authenticator(enrol.serial_number).consecutive_codes())


def test_running_the_cell_again_shows_the_same_device(lab) -> None:
    first = MFAEnrollment(lab, "alice")
    again = MFAEnrollment(lab, "alice")
    assert again.serial_number == first.serial_number
    assert again.secret == first.secret
    assert bytes(again.qr_code.value).startswith(PNG_MAGIC)
    assert "already existed" in again.result.value


def test_a_user_that_does_not_exist_gets_awss_answer_on_enable(lab) -> None:
    enrol = MFAEnrollment(lab, "nobody")
    enrol.enable(*lab.mfa.authenticator(enrol.serial_number).consecutive_codes())
    assert not enrol.enabled
    assert "NoSuchEntity" in enrol.result.value


@pytest.mark.parametrize(
    "garbage",
    ["", " ", "abcdef", "12345", "1234567", "12 34 56", "-1", "\x00" * 6, "🚀" * 6, "9" * 4000],
)
def test_garbage_codes_never_raise(lab, garbage: str) -> None:
    enrol = MFAEnrollment(lab, "alice")
    enrol.code1.value = garbage
    enrol.code2.value = garbage
    enrol.enable_button.click()
    assert not enrol.enabled
    # Refused in words and in colour, never a glyph alone.
    assert "<b>Not enabled</b>" in enrol.result.value and "#b71c1c" in enrol.result.value
    assert "Status: not enabled yet" in enrol.status.value


def test_a_closed_lab_is_a_message_not_a_traceback() -> None:
    lab = Lab(seed=1)
    lab.close()
    enrol = MFAEnrollment(lab, "alice")
    assert enrol.serial_number == ""
    assert "Lab was closed" in enrol.result.value
    enrol.enable_button.click()
    assert "no MFA device" in enrol.result.value
    assert enrol.summary() == "MFA enrollment: no device for alice yet."


def test_error_code() -> None:
    assert error_code(ValueError("x")) is None


# -- words and colour, summaries ------------------------------------------------------


def test_enabled_is_said_in_words_and_green(lab) -> None:
    enrol = MFAEnrollment(lab, "alice")
    assert enrol.summary() == (
        "MFA enrollment: alice's device arn:aws:iam::123456789012:mfa/alice, not enabled yet."
    )
    assert "Status: not enabled yet" in enrol.status.value and "#b71c1c" in enrol.status.value
    assert enrol.enable(*lab.mfa.authenticator(enrol.serial_number).consecutive_codes())
    assert "<b>Enabled</b>" in enrol.result.value and "#1b5e20" in enrol.result.value
    assert "Status: enabled" in enrol.status.value and "#1b5e20" in enrol.status.value
    assert enrol.summary().endswith("mfa/alice, enabled.")


def test_a_device_of_any_name(lab) -> None:
    enrol = MFAEnrollment(lab, "alice", device_name="alice-phone")
    assert enrol.serial_number == "arn:aws:iam::123456789012:mfa/alice-phone"
    assert enrol.enable(*lab.mfa.authenticator(enrol.serial_number).consecutive_codes())
    assert lab.mfa.devices_for_user("alice") == (enrol.serial_number,)


def test_a_name_taken_by_someone_elses_device_is_said(lab) -> None:
    lab.client("iam").create_user(UserName="bob")
    bob = MFAEnrollment(lab, "bob", device_name="phone")
    assert bob.enable(*lab.mfa.authenticator(bob.serial_number).consecutive_codes())
    alice = MFAEnrollment(lab, "alice", device_name="phone")
    assert not alice.enabled and alice.secret == ""
    assert "taken by a device enabled for bob" in alice.result.value
    assert "device_name=&quot;alice-phone&quot;" in alice.result.value


# -- the clock and a real phone ----------------------------------------------------------


def test_a_frozen_clock_is_announced_and_a_phones_codes_are_explained(lab) -> None:
    import time

    import pyotp

    lab.clock.freeze(1_700_000_010)
    enrol = MFAEnrollment(lab, "alice")
    assert "frozen at 2023-11-14 22:13:30 UTC" in enrol.clock_label.value
    assert "lab.clock.follow_real_time()" in enrol.clock_label.value
    phone = pyotp.TOTP(enrol.secret)  # a real phone: it reads the real time
    now = time.time()
    assert not enrol.enable(phone.at(now - 30), phone.at(now))
    assert "InvalidAuthenticationCode" in enrol.result.value
    assert "Why, in the Lab:" in enrol.result.value
    assert "computes its codes from the real time" in enrol.result.value
    lab.clock.follow_real_time()
    now = time.time()
    assert enrol.enable(phone.at(now - 30), phone.at(now))
    assert "follows real time" in enrol.clock_label.value


def test_a_real_clock_is_announced(lab) -> None:
    lab.clock.follow_real_time()
    assert "follows real time" in MFAEnrollment(lab, "alice").clock_label.value


# In CI a missing zbarimg must fail the test rather than skip it.
@pytest.mark.skipif(
    shutil.which("zbarimg") is None and os.environ.get("CI") != "true",
    reason="zbarimg (zbar-tools) not installed",
)
def test_the_qr_code_shown_scans_to_the_devices_secret(lab, tmp_path) -> None:
    import subprocess

    import pyotp

    enrol = MFAEnrollment(lab, "alice", device_name="alice-phone")
    path = tmp_path / "qr.png"
    path.write_bytes(bytes(enrol.qr_code.value))
    scanned = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert scanned == (
        "otpauth://totp/Amazon%20Web%20Services:alice-phone@123456789012"
        f"?secret={enrol.secret}&issuer=Amazon%20Web%20Services"
    )
    # What a phone scanning it shows is what the Lab accepts.
    app = pyotp.parse_uri(scanned)
    now = lab.clock.time()
    assert enrol.enable(app.at(now - 30), app.at(now))
