"""SecurityStatus: the IAM dashboard checklist, live."""

from __future__ import annotations

from labkit.lab.account import Lab
from labkit.widgets import SecurityStatus


def test_shows_the_checklist_and_follows_the_account() -> None:
    with Lab(seed=1) as lab:
        status = SecurityStatus(lab)
        assert "Create individual IAM users" in status.checklist.value
        assert not status.ok
        todo = status.checklist.value.count("labkit-todo")
        lab.client("iam").create_user(UserName="alice")
        assert status.checklist.value.count("labkit-todo") == todo  # not yet refreshed
        status.refresh_button.click()
        assert status.checklist.value.count("labkit-todo") == todo - 1
        lab.client("iam").update_account_password_policy(MinimumPasswordLength=12)
        status.refresh()
        assert status.checklist.value.count("labkit-todo") == todo - 2
        assert (
            f"{len(status.items) - todo + 2} of {len(status.items)} done" in status.checklist.value
        )


def test_displaying_refreshes() -> None:
    with Lab(seed=1) as lab:
        status = SecurityStatus(lab)
        lab.client("iam").create_user(UserName="alice")
        status._repr_mimebundle_()
        assert any(item.ok for item in status.items if "individual" in item.name)


def test_a_failure_is_a_message() -> None:
    lab = Lab(seed=1)
    lab.close()

    class Broken:
        def security_status(self):
            raise RuntimeError("no account")

    status = SecurityStatus(Broken())
    assert "no account" in status.checklist.value
    assert not status.ok
