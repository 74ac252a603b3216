"""The IAM dashboard's security recommendations for the Lab's account.

Today's IAM console opens on a dashboard whose *Security recommendations*
say, one line each, what to do next ("Add MFA for root user") or that it is
done ("Root user has MFA"). :func:`security_status` computes, from the
account's live state, those the Lab can answer:

- ``root-mfa``: the root user has an MFA device;
- ``root-access-keys``: the root user has no active access keys;
- ``users-mfa``: every IAM user who can sign in to the console has MFA;
- ``unused-credentials``: no active access key or console password has gone
  unused for 90 days or more;
- ``password-policy``: a custom password policy is set, and it is no weaker
  than AWS's default one.

Each :class:`Recommendation` carries the AWS page behind it. Facts come from
where the Lab keeps them, never from a copy: the root user's MFA and keys
from the account summary's sources, MFA devices from :mod:`labkit.lab.mfa`,
passwords and the policy's strength from :mod:`labkit.lab.passwords`, times
from the Lab's clock.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from labkit.lab.mfa import account_summary
from labkit.lab.passwords import weaker_than_default

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

# Credentials unused this long are "unused" (AWS Config's
# iam-user-unused-credentials-check and the Systems Manager runbook
# AWSConfigRemediation-RevokeUnusedIAMUserCredentials default to 90 days).
UNUSED_DAYS = 90
DAY = 86_400
# Said without the exact count, which moves with the clock from day to day.
AGO = f"{UNUSED_DAYS} or more days ago"

IAM_GUIDE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
REFERENCES = {
    "root-mfa": IAM_GUIDE + "best-practices.html#lock-away-credentials",
    "root-access-keys": IAM_GUIDE + "best-practices.html#lock-away-credentials",
    "users-mfa": IAM_GUIDE + "best-practices.html#enable-mfa-for-privileged-users",
    "unused-credentials": IAM_GUIDE + "id_credentials_finding-unused.html",
    "password-policy": IAM_GUIDE + "id_credentials_passwords_account-policy.html",
}

# Words and colours: red while action is needed, green once done.
ACTION_NEEDED, DONE = "Action needed", "Done"
RED, RED_BACKGROUND = "#b71c1c", "#ffebee"
GREEN, GREEN_BACKGROUND = "#1b5e20", "#e8f5e9"


@dataclass(frozen=True)
class Recommendation:
    """One security recommendation: what to do, or that it is done.

    ``name`` is what to do, as the dashboard words it ("Add MFA for root
    user"); ``done_text`` what it says once done ("Root user has MFA");
    ``details`` name what is still to fix (users, keys); ``hint`` says how,
    in the Lab; ``console`` where, in the IAM console.
    """

    key: str
    name: str
    done_text: str
    ok: bool
    hint: str
    console: str
    details: tuple[str, ...] = ()
    reference: str = ""

    @property
    def state(self) -> str:
        """``"Done"`` or ``"Action needed"``."""
        return DONE if self.ok else ACTION_NEEDED

    @property
    def headline(self) -> str:
        """The line the dashboard shows: ``Done: ...`` or ``Action needed: ...``."""
        return f"{self.state}: {self.done_text if self.ok else self.name}"

    def __str__(self) -> str:
        if self.ok:
            return self.headline
        lines = [self.headline]
        lines += [f"    - {detail}" for detail in self.details]
        lines.append(f"    How: {self.hint}")
        lines.append(f"    Console: {self.console}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.headline

    def html(self) -> str:
        """This recommendation as an HTML block, in words and colour."""
        colour, background = (GREEN, GREEN_BACKGROUND) if self.ok else (RED, RED_BACKGROUND)
        kind = "done" if self.ok else "todo"
        body = ""
        if not self.ok:
            items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
            body = (
                (f'<ul style="margin:2px 0">{items}</ul>' if items else "")
                + f'<div style="color:#333">How: {html.escape(self.hint)}</div>'
                + f'<div style="color:#555">Console: {html.escape(self.console)}</div>'
            )
        return (
            f'<div class="labkit-recommendation labkit-{kind}" data-key="{html.escape(self.key)}" '
            f'style="border-left:4px solid {colour};background:{background};'
            f'padding:3px 8px;margin:3px 0">'
            f'<b style="color:{colour}">{html.escape(self.state)}:</b> '
            f"{html.escape(self.done_text if self.ok else self.name)}{body}</div>"
        )

    def _repr_html_(self) -> str:
        return self.html()


# The name used before the dashboard spoke of recommendations.
StatusItem = Recommendation


class SecurityStatus(list[Recommendation]):
    """The recommendations, in words: ``Done: ...`` or ``Action needed: ...``."""

    @property
    def ok(self) -> bool:
        """True when every recommendation is done."""
        return all(item.ok for item in self)

    def __getitem__(self, index: Any) -> Any:  # type: ignore[override]
        if isinstance(index, str):  # by key or by name
            for item in self:
                if index in (item.key, item.name):
                    return item
            raise KeyError(index)
        return super().__getitem__(index)

    @property
    def to_do(self) -> list[Recommendation]:
        """The recommendations still needing action."""
        return [item for item in self if not item.ok]

    def summary(self) -> str:
        """One line: how many are done, and what still needs action."""
        done = sum(item.ok for item in self)
        text = f"Security recommendations: {done} of {len(self)} done"
        if self.to_do:
            text += "; action needed: " + "; ".join(item.name for item in self.to_do)
        return text

    def __str__(self) -> str:
        return "\n".join([self.summary(), *(str(item) for item in self)])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return (
            f'<div class="labkit-security-status"><b>{html.escape(self.summary())}</b>'
            + "".join(item.html() for item in self)
            + "</div>"
        )


def _aware(moment: Any) -> datetime | None:
    if moment is None:
        return None
    if isinstance(moment, int | float):
        return datetime.fromtimestamp(moment, UTC)
    timestamp = getattr(moment, "timestamp", None)
    if isinstance(timestamp, datetime):  # moto's AccessKeyLastUsed
        moment = timestamp
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def _days(since: datetime, now: datetime) -> int:
    return int((now - since).total_seconds() // DAY)


def _unused_credentials(account: AccountContext) -> list[str]:
    """Active access keys and console passwords unused for UNUSED_DAYS or
    more: since last used, or since made when never used."""
    now = account.clock.now()
    found = []
    for user in account.store.users():
        if user.password:
            last = _aware(user.password_last_used) or _aware(
                account.passwords.set_at(user.name) or user.create_date
            )
            if last is not None and _days(last, now) >= UNUSED_DAYS:
                used = "last used" if user.password_last_used else "never used, set"
                found.append(f"{user.name}: console password {used} {AGO}")
        for key in user.access_keys:
            if key.status != "Active":
                continue
            last = _aware(key.last_used) or _aware(key.create_date)
            if last is not None and _days(last, now) >= UNUSED_DAYS:
                used = "last used" if key.last_used else "never used, created"
                found.append(f"{user.name}: access key {key.access_key_id} {used} {AGO}")
    return found


@dataclass
class _Facts:
    """What the recommendations read, gathered once."""

    root_mfa: bool
    root_keys: list[str]
    no_mfa: list[str]
    unused: list[str]
    policy: dict[str, Any] | None
    weaknesses: list[str] = field(default_factory=list)


def _facts(account: AccountContext) -> _Facts:
    keys = account.credentials.root_keys()
    summary = account_summary(account.backend, account.mfa, len(keys))
    policy = account.passwords.policy()
    return _Facts(
        root_mfa=summary["AccountMFAEnabled"] == 1,
        root_keys=[key["AccessKeyId"] for key in keys if key.get("Status") == "Active"],
        no_mfa=sorted(
            user.name
            for user in account.store.users()
            if user.password and account.mfa.device_for_user(user.name) is None
        ),
        unused=_unused_credentials(account),
        policy=policy,
        weaknesses=[str(weakness) for weakness in weaker_than_default(policy)],
    )


def security_status(account: AccountContext) -> SecurityStatus:
    """The account's security recommendations, as today's IAM dashboard
    shows those the Lab can answer, from the account's live state."""
    facts = _facts(account)
    return SecurityStatus(
        [
            Recommendation(
                "root-mfa",
                "Add MFA for root user",
                "Root user has MFA",
                facts.root_mfa,
                "as the root user, lab.create_root_mfa_device(), then "
                "lab.enable_root_mfa(serial, code1, code2) with two consecutive codes",
                "Signed in as root: account menu → Security credentials → "
                "Multi-factor authentication (MFA) → Assign MFA device",
                reference=REFERENCES["root-mfa"],
            ),
            Recommendation(
                "root-access-keys",
                "Deactivate or delete access keys for root user",
                "Root user has no active access keys",
                not facts.root_keys,
                "as the root user, iam.delete_access_key(AccessKeyId=...) for each key; "
                "programs should use roles instead",
                "Signed in as root: account menu → Security credentials → Access keys",
                tuple(f"root user: active access key {key}" for key in facts.root_keys),
                REFERENCES["root-access-keys"],
            ),
            Recommendation(
                "users-mfa",
                "Add MFA for IAM users who sign in to the console",
                "Every IAM user with console access has MFA",
                not facts.no_mfa,
                "iam.create_virtual_mfa_device, then iam.enable_mfa_device for the user "
                "(or the MFAEnrollment widget)",
                "IAM → Users → the user → Security credentials → Assign MFA device",
                tuple(f"{name}: console password, no MFA device" for name in facts.no_mfa),
                REFERENCES["users-mfa"],
            ),
            Recommendation(
                "unused-credentials",
                "Remove unused credentials",
                f"No credentials unused for {UNUSED_DAYS} days or more",
                not facts.unused,
                "iam.delete_access_key (or update_access_key Status='Inactive') and "
                "iam.delete_login_profile for credentials nobody uses",
                "IAM → Users → the user → Security credentials",
                tuple(facts.unused),
                REFERENCES["unused-credentials"],
            ),
            Recommendation(
                "password-policy",
                "Set a password policy at least as strong as AWS's default",
                "The password policy is at least as strong as AWS's default",
                facts.policy is not None and not facts.weaknesses,
                "iam.update_account_password_policy(...) with every setting you want: "
                "it replaces the whole policy",
                "IAM → Account settings → Password policy → Edit",
                tuple(facts.weaknesses)
                if facts.policy is not None
                else ("the account has no password policy of its own",),
                REFERENCES["password-policy"],
            ),
        ]
    )
