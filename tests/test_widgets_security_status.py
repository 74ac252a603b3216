"""SecurityStatus: the IAM dashboard's security recommendations, live, in words
and colour: red "Action needed", green "Done"."""

from __future__ import annotations

from labkit import Authenticator
from labkit.lab.account import Lab
from labkit.lab.status import GREEN, RED
from labkit.widgets import SecurityStatus


def test_shows_the_recommendations_and_follows_the_account() -> None:
    with Lab(seed=1) as lab:
        status = SecurityStatus(lab)
        shown = status.checklist.value
        assert "Action needed:</b> Add MFA for root user" in shown
        assert f"color:{RED}" in shown
        assert not status.ok
        todo = shown.count("labkit-todo")
        assert todo == 2  # root MFA, password policy
        lab.client("iam").update_account_password_policy(
            MinimumPasswordLength=12,
            RequireUppercaseCharacters=True,
            RequireLowercaseCharacters=True,
            RequireNumbers=True,
        )
        assert status.checklist.value.count("labkit-todo") == todo  # not yet refreshed
        status.refresh_button.click()
        assert status.checklist.value.count("labkit-todo") == todo - 1
        assert "Done:</b> The password policy is at least as strong" in status.checklist.value
        assert "4 of 5 done" in status.checklist.value


def test_red_turns_green_as_the_course_goes() -> None:
    with Lab(seed=1) as lab:
        status = SecurityStatus(lab)
        assert 'data-key="root-mfa"' in status.checklist.value
        device = lab.create_root_mfa_device()
        phone = Authenticator(device["Base32StringSeed"], lab.clock)
        lab.enable_root_mfa(device["SerialNumber"], *phone.consecutive_codes())
        lab.client("iam").update_account_password_policy(
            MinimumPasswordLength=14,
            RequireUppercaseCharacters=True,
            RequireLowercaseCharacters=True,
            RequireNumbers=True,
            RequireSymbols=True,
        )
        status.refresh()
        assert status.ok
        assert "labkit-todo" not in status.checklist.value
        assert f"color:{GREEN}" in status.checklist.value
        assert status.summary() == (
            "Security status: 5 of 5 recommendations done; nothing needs action"
        )


def test_the_summary_names_what_needs_action() -> None:
    with Lab(seed=1) as lab:
        lab.client("iam").create_access_key()  # the root user's own key
        assert SecurityStatus(lab).summary() == (
            "Security status: 2 of 5 recommendations done; action needed: "
            "Add MFA for root user; Deactivate or delete access keys for root user; "
            "Set a password policy at least as strong as AWS's default"
        )


def test_displaying_refreshes() -> None:
    with Lab(seed=1) as lab:
        status = SecurityStatus(lab)
        lab.client("iam").create_access_key()
        bundle = status._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert "Deactivate or delete access keys for root user" in data["text/plain"]
        assert not status.items[1].ok


def test_a_failure_is_a_message() -> None:
    class Broken:
        def security_status(self):
            raise RuntimeError("no account")

    status = SecurityStatus(Broken())
    assert "no account" in status.checklist.value
    assert not status.ok
    assert status.summary() == "Security status: could not be read (RuntimeError: no account)"
