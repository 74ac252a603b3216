"""The IAM dashboard's security checklist for the Lab's account."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labkit.lab.mfa import account_summary

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext


@dataclass(frozen=True)
class StatusItem:
    """One line of the checklist: whether it is done, and how to do it if not."""

    name: str
    ok: bool
    hint: str

    def __str__(self) -> str:
        return f"{'✅' if self.ok else '❌'} {self.name}" + ("" if self.ok else f" — {self.hint}")


class SecurityStatus(list[StatusItem]):
    """The checklist, shown as ✅/❌ lines in a notebook or a terminal."""

    @property
    def ok(self) -> bool:
        """True when every item is done."""
        return all(item.ok for item in self)

    def __str__(self) -> str:
        return "\n".join(str(item) for item in self)

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr>"
            f"<td>{'✅' if item.ok else '❌'}</td>"
            f"<td>{html.escape(item.name)}</td>"
            f"<td>{'' if item.ok else html.escape(item.hint)}</td>"
            "</tr>"
            for item in self
        )
        return f'<table class="labkit-security-status">{rows}</table>'


def security_status(account: AccountContext) -> SecurityStatus:
    """The account's security checklist, as the IAM dashboard showed it."""
    summary = account_summary(account.backend, account.mfa, len(account.credentials.root_keys()))
    backend = account.backend
    grouped = any(group.users for group in backend.groups.values())
    return SecurityStatus(
        [
            StatusItem(
                "Activate MFA on your root account",
                summary["AccountMFAEnabled"] == 1,
                "Sign in as the root user and assign it a virtual MFA device.",
            ),
            StatusItem(
                "Delete your root access keys",
                summary["AccountAccessKeysPresent"] == 0,
                "Use an IAM user or role for everyday work and delete the root user's keys.",
            ),
            StatusItem(
                "Create individual IAM users",
                summary["Users"] > 0,
                "Create an IAM user for each person instead of sharing the root user.",
            ),
            StatusItem(
                "Use groups to assign permissions",
                grouped,
                "Put users in groups and attach policies to the groups, not to each user.",
            ),
            StatusItem(
                "Apply an IAM password policy",
                backend.account_password_policy is not None,
                "Set an account password policy with update_account_password_policy.",
            ),
        ]
    )
