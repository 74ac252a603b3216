"""MFAEnrollment: a user's virtual MFA device, from QR code to enabled."""

from __future__ import annotations

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
    assert "⚠" in enrol.result.value


def test_a_closed_lab_is_a_message_not_a_traceback() -> None:
    lab = Lab(seed=1)
    lab.close()
    enrol = MFAEnrollment(lab, "alice")
    assert enrol.serial_number == ""
    assert "Lab was closed" in enrol.result.value
    enrol.enable_button.click()
    assert "no MFA device" in enrol.result.value


def test_error_code() -> None:
    assert error_code(ValueError("x")) is None
