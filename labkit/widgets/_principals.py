"""The Lab's users and roles as the access widgets see them.

For each one: who it is, the request context the Lab would give its calls,
and its policies, so a request can be decided without making the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from labkit.lab.identities import Principal
    from labkit.lab.state import PolicySet
    from labkit.policy import Decision, Policy, Request

# The session name used when a role is shown as if assumed.
SESSION_NAME = "labkit-check"
DEFAULT_REGION = "us-east-1"


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


def lab_principals(lab: Any) -> list[PrincipalChoice]:
    """Every user, then every role, of the Lab, each sorted by name."""
    backend = lab.backend
    users = [PrincipalChoice("user", u.name, u.arn, u.id) for u in backend.users.values()]
    roles = [PrincipalChoice("role", r.name, r.arn, r.id) for r in backend.roles.values()]
    return sorted(users, key=lambda p: p.name.lower()) + sorted(roles, key=lambda p: p.name.lower())


def as_principal(lab: Any, choice: PrincipalChoice, mfa: bool) -> Principal:
    """The caller the Lab would see: the user signed in on the console, or
    a session of the role, with or without MFA."""
    from labkit.lab.identities import Principal

    now = _now(lab)
    mfa_at = now if mfa else None
    tags = principal_tags(lab, choice)
    if choice.kind == "user":
        return Principal(
            arn=choice.arn,
            type="User",
            account=lab.account_id,
            user_id=choice.id,
            name=choice.name,
            mfa_at=mfa_at,
            tags=tags,
            console=True,  # so that "no MFA" reads as aws:MultiFactorAuthPresent=false
        )
    return Principal.role_session(
        choice, SESSION_NAME, expires_at=now + 3600, mfa_at=mfa_at, tags=tags
    )


def principal_tags(lab: Any, choice: PrincipalChoice) -> tuple[tuple[str, str], ...]:
    """The user's or role's tags, which become ``aws:PrincipalTag/...`` keys."""
    backend = lab.backend
    try:
        if choice.kind == "user":
            found = backend.tagger.list_tags_for_resource(choice.arn)["Tags"]
        else:
            role = next((r for r in backend.roles.values() if r.arn == choice.arn), None)
            found = list(getattr(role, "tags", None) or [])
    except Exception:  # noqa: BLE001 - tags are a nicety; decide without them
        return ()
    return tuple((tag["Key"], tag["Value"]) for tag in found)


def _now(lab: Any) -> float:
    clock = getattr(lab, "clock", None)
    if clock is not None:
        return clock.time()
    import time

    return time.time()


def request_for(lab: Any, principal: Principal, action: str, resource: str = "*") -> Request:
    """The request ``principal`` would make, with the context the Lab gives it."""
    from labkit.policy import Request

    context = principal.context(_now(lab), getattr(lab, "region", DEFAULT_REGION))
    return Request(action, resource or "*", principal=principal.arn, context=context)


class PolicyReader:
    """Reads principals' policies from a Lab, cached until IAM changes.

    The Lab keeps a :class:`~labkit.lab.state.PolicyState` whose cache it
    clears after every IAM write; when it exposes one, it is shared here.
    """

    def __init__(self, lab: Any) -> None:
        self.lab = lab
        self._state, self._shared = _shared_state(lab)

    def forget(self) -> None:
        """Read policies afresh next time (a no-op when the Lab's cache is
        shared, since the Lab clears it itself)."""
        if not self._shared:
            self._state.invalidate()

    def policies(self, principal: Principal) -> PolicySet:
        """The identity, boundary and session policies of ``principal``."""
        return self._state.policies_for(principal)

    def resource_policy(self, action: str, resource: str) -> Policy | None:
        """The resource's own policy when it has one: a role's trust policy
        for ``sts:AssumeRole``, a bucket's policy for an S3 ARN."""
        if action.lower().startswith("sts:assumerole"):
            return self._state.trust_policy(resource)
        if resource.startswith("arn:aws:s3:::"):
            bucket = resource[len("arn:aws:s3:::") :].split("/", 1)[0]
            if bucket and "*" not in bucket:
                try:
                    return self._state.bucket_policy(bucket)
                except Exception:  # noqa: BLE001 - no S3 in this Lab: no bucket policy
                    return None
        return None

    def decide(self, principal: Principal, action: str, resource: str = "*") -> Decision:
        """What the Lab would decide if ``principal`` asked for ``action``."""
        from labkit.policy import Decision, evaluate

        found = self.policies(principal)
        request = request_for(self.lab, principal, action, resource)
        resource_policy = self.resource_policy(action, request.resource)
        if action.lower().startswith("sts:assumerole") and resource_policy is None:
            # No such role: AWS denies, naming the trust policy, as the Lab does.
            return Decision("implicitDeny", request, denied_by="trust")
        return evaluate(
            request,
            identity=found.identity,
            boundaries=found.boundaries,
            session=found.session,
            resource_policy=resource_policy,
            resource_owner=self.lab.account_id,
        )

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever the Lab's IAM state may have changed."""
        if self._shared:
            # The generation moves on every IAM write the Lab sees; the
            # counts catch users and roles made straight in moto's backend.
            backend = self.lab.backend
            return (self._state.generation, len(backend.users), len(backend.roles))
        return backend_fingerprint(self.lab.backend)


def _entity_print(entity: Any) -> tuple[Any, ...]:
    return (
        entity.name,
        tuple(sorted((name, hash(str(doc))) for name, doc in entity.policies.items())),
        tuple(sorted(entity.managed_policies)),
        getattr(entity, "permissions_boundary_arn", None),
    )


def backend_fingerprint(backend: Any) -> tuple[Any, ...]:
    """A cheap summary of moto's IAM state that changes when any policy,
    membership or principal does."""
    return (
        tuple(_entity_print(u) for u in backend.users.values()),
        tuple(
            _entity_print(r) + (hash(str(r.assume_role_policy_document)),)
            for r in backend.roles.values()
        ),
        tuple(
            _entity_print(g)[:3] + (tuple(u.name for u in g.users),)
            for g in backend.groups.values()
        ),
        tuple(
            (arn, getattr(p, "default_version_id", None))
            for arn, p in backend.managed_policies.items()
        ),
    )


def _shared_state(lab: Any) -> tuple[Any, bool]:
    """The Lab's own policy cache and True, or a private one and False."""
    from labkit.lab.state import PolicyState

    for name in ("policy_state", "policies", "state", "_policy_state", "_state"):
        found = getattr(lab, name, None)
        if isinstance(found, PolicyState):
            return found, True
    return PolicyState(lab), False
