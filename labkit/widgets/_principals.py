"""The Lab's users and roles as the access widgets see them.

For each one: who it is, the request context the Lab would give its calls,
and its policies, so a request can be decided without making the call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from labkit.lab.identities import Principal
    from labkit.policy import Decision

# The session name used when a role is shown as if assumed.
SESSION_NAME = "labkit-check"


@dataclass(frozen=True)
class PrincipalChoice:
    """A user or role of the Lab, as offered in a list."""

    kind: Literal["user", "role"]
    name: str
    arn: str
    id: str

    @property
    def label(self) -> str:
        """``user alice`` or ``role Auditor``."""
        return f"{self.kind} {self.name}"


def offer_principals(dropdown: Any, lab: Any) -> dict[str, PrincipalChoice]:
    """Offer the Lab's users and roles in ``dropdown`` (values are ARNs),
    keeping its choice where it still exists, else the first; returns the
    choices by ARN."""
    choices = lab_principals(lab)
    by_arn = {choice.arn: choice for choice in choices}
    current = dropdown.value
    dropdown.options = [(choice.label, choice.arn) for choice in choices]
    if current in by_arn:
        dropdown.value = current
    elif choices:
        dropdown.value = choices[0].arn
    return by_arn


def lab_principals(lab: Any) -> list[PrincipalChoice]:
    """Every user, then every role, of the Lab, each sorted by name."""
    backend = lab.backend
    users = [PrincipalChoice("user", u.name, u.arn, u.id) for u in backend.users.values()]
    roles = [PrincipalChoice("role", r.name, r.arn, r.id) for r in backend.roles.values()]
    return sorted(users, key=lambda p: p.name.lower()) + sorted(roles, key=lambda p: p.name.lower())


def as_principal(lab: Any, choice: PrincipalChoice, mfa: bool) -> Principal:
    """The caller the Lab would see: the user signed in on the console, or
    a session of the role, with or without MFA."""
    # Signed in on the console, so that "no MFA" reads as
    # aws:MultiFactorAuthPresent=false, as the Lab's sign-in gives it.
    return lab.principal_of(choice.arn, mfa=mfa, console=True)


def principal_tags(lab: Any, choice: PrincipalChoice) -> tuple[tuple[str, str], ...]:
    """The user's or role's tags, which become ``aws:PrincipalTag/...`` keys."""
    return lab.store.tags_of(choice.arn)


class PolicyReader:
    """Asks the Lab what it would decide, and notices when IAM changed.

    Decisions come from the Lab's own enforcement, so a view shows exactly
    what a call would get; the policies it reads are the Lab's cache, which
    the Lab clears after every IAM write.
    """

    def __init__(self, lab: Any) -> None:
        self.lab = lab

    def decide(self, principal: Principal, action: str, resource: str = "*") -> Decision:
        """What the Lab would decide if ``principal`` asked for ``action``."""
        return self.lab.decide(principal, action, resource)

    def decider(self, principal: Principal) -> Callable[[str, str], Decision]:
        """:meth:`decide` for many ``(action, resource)`` requests of one
        principal, by the same path: its policies and context are read once."""
        return self.lab.enforcer.decider(principal)

    def basis(
        self, principal: Principal, requests: Iterable[tuple[str, str]] = ()
    ) -> tuple[Any, ...]:
        """What the Lab reads to decide ``principal``'s ``(action, resource)``
        requests, apart from the clock: unchanged, so are the decisions."""
        from labkit.lab.actions import Target

        targets = [Target(action, resource or "*") for action, resource in requests]
        return self.lab.account.authorizer.basis(principal, targets)

    def resource_basis(self, requests: Iterable[tuple[str, str]]) -> tuple[Any, ...]:
        """What the Lab reads of the resources of ``(action, resource)``
        requests whoever asks: their tags and their own policies."""
        from labkit.lab.actions import Target

        authorizer = self.lab.account.authorizer
        return tuple(
            authorizer.resource_basis(Target(action, resource or "*"))
            for action, resource in requests
        )

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever the Lab's IAM state may have changed."""
        # The generation moves on every IAM write the Lab sees; the counts
        # catch users and roles made straight in moto's backend.
        backend = self.lab.backend
        return (self.lab.store.generation, len(backend.users), len(backend.roles))
