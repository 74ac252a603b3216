"""The IAM dashboard's security checklist."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from labkit.lab.status import SecurityStatus, StatusItem, security_status
from tests.test_lab_mfa import fake_lab


def by_name(status: SecurityStatus) -> dict[str, bool]:
    return {item.name: item.ok for item in status}


def test_a_fresh_account_fails_all_but_root_keys() -> None:
    status = security_status(fake_lab())
    assert by_name(status) == {
        "Activate MFA on your root account": False,
        "Delete your root access keys": True,
        "Create individual IAM users": False,
        "Use groups to assign permissions": False,
        "Apply an IAM password policy": False,
    }
    assert not status.ok


def test_a_well_run_account_passes() -> None:
    lab: Any = fake_lab()
    serial = lab.mfa.create_root_device()["SerialNumber"]
    lab.mfa.enable_root(serial, *lab.mfa.authenticator(serial).consecutive_codes())
    lab.backend.create_user("us-east-1", "alice")
    lab.backend.create_group("Developers", "/")
    lab.backend.add_user_to_group("Developers", "alice")
    lab.backend.update_account_password_policy(True, False, 0, 14, 0, True, True, True, True)
    status = security_status(lab)
    assert all(by_name(status).values())
    assert status.ok


def test_root_access_keys_fail_the_check() -> None:
    lab: Any = fake_lab()
    lab.credentials.create_root_key()
    assert by_name(security_status(lab))["Delete your root access keys"] is False


def test_an_empty_group_does_not_count() -> None:
    lab: Any = fake_lab()
    lab.backend.create_group("Empty", "/")
    assert by_name(security_status(lab))["Use groups to assign permissions"] is False


def test_rendering() -> None:
    status = SecurityStatus(
        [StatusItem("Done", True, "never shown"), StatusItem("To do", False, "do <this>")]
    )
    assert str(status) == "✅ Done\n❌ To do — do <this>"
    html = status._repr_html_()
    assert "✅" in html and "❌" in html
    assert "do &lt;this&gt;" in html and "never shown" not in html


def test_items_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        StatusItem("x", True, "y").ok = False  # type: ignore[misc]


def test_the_real_labs_security_status() -> None:
    from labkit.lab.account import Lab

    with Lab(seed=3) as lab:
        status = lab.security_status()
        assert isinstance(status, SecurityStatus)
        assert by_name(status)["Create individual IAM users"] is False
        lab.client("iam").create_user(UserName="alice")
        assert by_name(lab.security_status())["Create individual IAM users"] is True
