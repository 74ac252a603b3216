"""Try a password against the account's password policy, rule by rule."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import Summarized, describe_error, escape, guarded, problem
from labkit.widgets.mfa_enrollment import error_code

# IAM's limits on any password, shown only when a password breaks them.
LIMITS = frozenset({"max-length", "characters"})


def account_password_policy(lab: Any) -> dict[str, Any] | None:
    """The account's password policy as IAM returns it, or None when the
    account has none (AWS's default rules then apply)."""
    passwords = getattr(lab, "passwords", None)
    if passwords is not None and hasattr(passwords, "policy"):
        # Read without an API call, so the trail shows only what the learner did.
        return passwords.policy()
    try:
        return lab.client("iam").get_account_password_policy()["PasswordPolicy"]
    except Exception as error:
        if error_code(error) == "NoSuchEntity":
            return None
        raise


GREEN, RED = "#1b5e20", "#b71c1c"
MET, NOT_MET = "Met", "Not met"


def rules_title(policy: dict[str, Any] | None) -> str:
    """Whose rules they are: the account's policy, or AWS's default one."""
    return (
        "The account's password policy"
        if policy is not None
        else "AWS's default password rules (the account has no password policy)"
    )


def verdict_text(rules: list[Any]) -> str:
    """The verdict in words: accepted, or refused with AWS's message."""
    unmet = [rule for rule in rules if not rule.ok]
    if not unmet:
        return "This password meets every rule."
    message = getattr(unmet[0], "message", "") or unmet[0].description
    return f"IAM would refuse this password: {message}"


def rules_html(rules: list[Any], policy: dict[str, Any] | None) -> str:
    """Each rule as a line saying "Met" (green) or "Not met" (red), under a
    title saying whose rules they are, then the verdict in words."""
    lines = "".join(
        f'<li class="labkit-rule labkit-{"met" if rule.ok else "unmet"}" '
        f'style="list-style:none;color:{GREEN if rule.ok else RED}">'
        f"{'✅' if rule.ok else '❌'} <b>{MET if rule.ok else NOT_MET}:</b> "
        f"{escape(rule.description)}</li>"
        for rule in rules
    )
    ok = all(rule.ok for rule in rules)
    verdict = (
        f'<div class="labkit-verdict labkit-{"accepted" if ok else "refused"}" '
        f'style="color:{GREEN if ok else RED}">{"✔" if ok else "✖"} '
        f"{escape(verdict_text(rules))}</div>"
    )
    return f'<b>{escape(rules_title(policy))}</b><ul style="padding-left:0">{lines}</ul>{verdict}'


class PasswordPolicyTester(Summarized, widgets.VBox):
    """Type a password; see which of the account's password rules it meets.

    ``value`` is the password typed; ``ok`` is True when every rule is met.
    """

    value = traitlets.Unicode("")
    ok = traitlets.Bool(False)

    def __init__(
        self, lab: Any, user_name: str | None = None, show: bool = False, **kwargs: Any
    ) -> None:
        self.lab = lab
        self.user_name = user_name
        control = widgets.Text if show else widgets.Password
        self.password = control(description="Password", placeholder="type a password")
        self.rules = widgets.HTML()
        self._shown: list[Any] = []
        self._policy: dict[str, Any] | None = None
        self._failure: str | None = None
        super().__init__([self.password, self.rules], **kwargs)
        self._wire()
        self.refresh()

    def _wire(self) -> None:
        traitlets.link((self, "value"), (self.password, "value"))
        self.observe(self._on_value_change, names="value")

    def refresh(self) -> None:
        """Read the password policy again and check the password against it."""
        self._check()

    @guarded
    def _on_value_change(self, change: dict[str, Any]) -> None:
        self._check()

    @guarded
    def _check(self) -> None:
        # The very rules IAM holds a new password to, from the same place.
        policy = account_password_policy(self.lab)
        rules = self.lab.passwords.check(self.user_name, self.value)
        self.ok = all(rule.ok for rule in rules)
        # IAM's limits on every password show only when broken.
        shown = [rule for rule in rules if not (rule.ok and rule.name in LIMITS)]
        self._shown, self._policy, self._failure = shown, policy, None
        self.rules.value = rules_html(shown, policy)

    def summary(self) -> str:
        """One line: whose rules apply and the verdict on the password typed
        (which is never shown)."""
        if self._failure is not None:
            return f"Password policy tester: could not check the password ({self._failure})"
        met = verdict_text(self._shown) if self.value else "type a password to check it"
        return f"Password policy tester: {met} (rules: {rules_title(self._policy)})"

    def _show_failure(self, error: BaseException) -> None:
        self.ok = False
        self._failure = describe_error(error)
        self.rules.value = problem(f"Could not check the password: {self._failure}")
