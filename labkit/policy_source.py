"""Which policies apply: the one answer enforcement, the simulator and every view ask.

For a user, group or role, :meth:`PolicySource.holdings` lists every policy
it holds and how: its inline policies, the managed policies attached to it,
those of the groups it belongs to, grants the account gives every user (with
``AllowUsersToChangePassword``, the permissions of the AWS managed policy
``IAMUserChangePassword``) and its permissions boundary. For a caller,
:meth:`PolicySource.for_principal` adds the session policies of its session;
:meth:`PolicySource.resource_policy` finds the resource's own policy.

It reads an account through a small interface (:class:`AccountState`): the
Lab's store of moto's objects, or a plain :class:`~labkit.inventory.Inventory`
for synthetic accounts, so diagrams of made-up accounts and real calls share
this one reading. Policies are named as AWS's simulator names them
(``SourcePolicyId`` / ``SourcePolicyType``: ``user``, ``group``, ``role`` for
inline policies, ``aws-managed`` and ``user-managed`` for managed ones). A
stored policy that cannot be read raises :class:`UnreadablePolicy` naming it:
it is never silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from labkit.policy.model import Policy, PolicyError, PolicyKind, PolicySet
from labkit.policy.parse import parse_policy

if TYPE_CHECKING:
    from labkit.inventory import GroupInfo, PolicyInfo, RoleInfo, UserInfo
    from labkit.lab.identities import Principal

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
# With AllowUsersToChangePassword set in the account password policy, IAM
# gives every user, at the account level and without attaching anything, the
# permissions of this AWS managed policy.
CHANGE_OWN_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
ACCOUNT_GRANT = "account password policy"

Relation = Literal["inline", "attached", "account", "boundary"]


class AccountState(Protocol):
    """What the policy source reads of an account."""

    account_id: str

    def user(self, name_or_arn: str) -> UserInfo | None: ...
    def group(self, name_or_arn: str) -> GroupInfo | None: ...
    def role(self, name_or_arn: str) -> RoleInfo | None: ...
    def policy(self, arn: str) -> PolicyInfo | None: ...
    def users_may_change_password(self) -> bool: ...


# Finds a resource's own policy: (resource ARN, action) -> (document, name)
# or None. The Lab's services know where each kind of resource keeps it.
ResourcePolicies = Callable[[str, str], "tuple[Any, str] | None"]


class UnreadablePolicy(Exception):
    """A stored policy the engine cannot read, named, with the reason."""

    def __init__(self, where: str, error: PolicyError) -> None:
        self.where = where
        self.reason = error.message
        super().__init__(f"The {where} cannot be read: {error.message}")


@dataclass(frozen=True)
class Held:
    """One policy a user, group or role holds, and how it holds it.

    ``relation`` is ``inline``, ``attached``, ``account`` (granted to every
    user by the account) or ``boundary``; ``group`` names the group it comes
    through, if any.
    """

    policy: Policy
    relation: Relation
    group: str | None = None

    @property
    def kind(self) -> str:
        """``aws``, ``customer`` or ``inline``, as diagrams colour policies."""
        if self.relation == "inline":
            return "inline"
        return "aws" if (self.policy.arn or "").startswith(AWS_POLICY_PREFIX) else "customer"

    @property
    def label(self) -> str:
        """How a learner reads where it comes from, e.g. ``ReadOnly (via group Devs)``."""
        name = self.policy.name
        if self.relation == "account":
            return f"{name} (via the {ACCOUNT_GRANT})"
        if self.relation == "inline":
            return f"{name} (inline, via group {self.group})" if self.group else f"{name} (inline)"
        return f"{name} (via group {self.group})" if self.group else name


@dataclass(frozen=True)
class Holdings:
    """Every policy of one user, group or role."""

    kind: Literal["user", "group", "role"]
    name: str
    arn: str
    identity: tuple[Held, ...]
    boundary: Held | None = None

    @property
    def policies(self) -> tuple[Policy, ...]:
        """The identity-based policies, in the order AWS's simulator lists them."""
        return tuple(held.policy for held in self.identity)

    @property
    def boundaries(self) -> tuple[Policy, ...]:
        """The permissions boundary, if any."""
        return (self.boundary.policy,) if self.boundary is not None else ()


class PolicySource:
    """The policies that apply to principals and resources of one account.

    Answers are cached until ``state.generation`` changes (an account with no
    generation, such as an inventory, never changes).
    """

    def __init__(self, state: AccountState, resources: ResourcePolicies | None = None) -> None:
        self.state = state
        self._resources = resources
        self._holdings: dict[str, Holdings | None] = {}
        self._principals: dict[tuple[Any, ...], PolicySet] = {}
        # Read once per generation however many users share them: a group's
        # own policies, and each managed policy parsed and named.
        self._groups: dict[str, list[Held]] = {}
        self._managed: dict[tuple[str, str], Policy | None] = {}
        self._generation = self._current()

    def _current(self) -> int:
        return getattr(self.state, "generation", 0)

    def _fresh(self) -> None:
        generation = self._current()
        if generation != self._generation:
            self.forget()
            self._generation = generation

    def forget(self) -> None:
        """Drop every cached answer (after the account changed behind our back)."""
        self._holdings.clear()
        self._principals.clear()
        self._groups.clear()
        self._managed.clear()

    def over(self, state: AccountState) -> PolicySource:
        """A policy source reading ``state`` instead, finding resources' own
        policies as this one does: the account as it would be after some
        changes, asked before anyone makes them (see :mod:`labkit.escalation`)."""
        return PolicySource(state, self._resources)

    # --- identities -----------------------------------------------------------

    def holdings(self, arn: str) -> Holdings | None:
        """Every policy the user, group or role ``arn`` holds; None if none such."""
        self._fresh()
        if arn not in self._holdings:
            self._holdings[arn] = self._gather(arn)
        return self._holdings[arn]

    def for_principal(self, principal: Principal) -> PolicySet:
        """The identity-side policies deciding ``principal``'s requests: its
        user's or role's, and its session's own session policies."""
        self._fresh()
        key = (principal.arn, principal.role_arn, principal.session_policies)
        found = self._principals.get(key)
        if found is None:
            found = self._principal_set(principal)
            self._principals[key] = found
        return found

    def _principal_set(self, principal: Principal) -> PolicySet:
        session = tuple(
            self._parse(document, "session", f"session policy {index}", "Session Policy")
            for index, document in enumerate(principal.session_policies, start=1)
        )
        base = None
        if principal.type == "User":
            base = self.holdings(principal.arn)
        elif principal.type == "AssumedRole" and principal.role_arn:
            base = self.holdings(principal.role_arn)
        if base is None:
            return PolicySet(session=session)
        return PolicySet(base.policies, base.boundaries, session)

    def _gather(self, arn: str) -> Holdings | None:
        kind = arn.split(":", 5)[-1].split("/", 1)[0] if arn.startswith("arn:") else ""
        state = self.state
        if kind == "user":
            user = state.user(arn)
            if user is None:
                return None
            held = self._own(user, "user")
            for group_name in user.groups:
                group = state.group(group_name)
                if group is not None:
                    held += self._group_policies(group)
            if state.users_may_change_password():
                grant = self.managed(CHANGE_OWN_PASSWORD)
                if grant is not None:
                    held.append(Held(grant, "account"))
            return Holdings("user", user.name, user.arn, tuple(held), self._boundary(user))
        if kind == "group":
            group = state.group(arn)
            if group is None:
                return None
            return Holdings("group", group.name, group.arn, tuple(self._own(group, "group")))
        if kind == "role":
            role = state.role(arn)
            if role is None:
                return None
            held = self._own(role, "role")
            return Holdings("role", role.name, role.arn, tuple(held), self._boundary(role))
        return None

    def _own(self, entity: Any, kind: str, via: str | None = None) -> list[Held]:
        held = [
            Held(
                self._parse(
                    document,
                    "identity",
                    name,
                    kind,
                    f"inline policy {name} of {kind} {entity.name}",
                ),
                "inline",
                via,
            )
            for name, document in entity.inline.items()
        ]
        for arn in entity.attached:
            policy = self.managed(arn)
            if policy is not None:
                held.append(Held(policy, "attached", via))
        return held

    def _group_policies(self, group: Any) -> list[Held]:
        """A group's own policies as its members hold them (via the group)."""
        found = self._groups.get(group.arn)
        if found is None:
            found = self._groups[group.arn] = self._own(group, "group", via=group.name)
        return found

    def _boundary(self, entity: Any) -> Held | None:
        if not entity.boundary:
            return None
        policy = self.managed(entity.boundary, "boundary")
        return Held(policy, "boundary") if policy is not None else None

    # --- managed policies and resources -----------------------------------------

    def managed(self, arn: str, kind: PolicyKind = "identity") -> Policy | None:
        """A managed policy's default version, parsed and named; None if no such policy."""
        self._fresh()
        key = (arn, kind)
        if key in self._managed:
            return self._managed[key]
        info = self.state.policy(arn)
        found = None
        if info is not None:
            source = "aws-managed" if arn.startswith(AWS_POLICY_PREFIX) else "user-managed"
            where = f"managed policy {arn}"
            found = self._parse(info.document, kind, info.name, source, where, arn)
        self._managed[key] = found
        return found

    def trust_policy(self, role_arn: str) -> Policy | None:
        """The trust policy of the role ``role_arn``; None when there is no such role."""
        role = self.state.role(role_arn)
        if role is None or role.arn != role_arn:
            return None
        return self._parse(
            role.trust, "trust", role.name, "Role Trust Policy", f"trust policy of role {role.name}"
        )

    def resource_policy(self, resource: str, action: str) -> Policy | None:
        """The resource's own policy that decides ``action``, if it has one.

        A role's trust policy decides the ``sts:AssumeRole*`` actions; other
        resources' policies are found by the account's services.
        """
        if action.lower().startswith("sts:assumerole") or action.lower() in _TRUST_ACTIONS:
            return self.trust_policy(resource)
        if self._resources is None:
            return None
        found = self._resources(resource, action)
        if found is None:
            return None
        document, name = found
        return self._parse(document, "resource", name, "Resource Policy", f"policy of {resource}")

    def _parse(
        self,
        document: Any,
        kind: PolicyKind,
        name: str,
        source: str,
        where: str | None = None,
        arn: str | None = None,
    ) -> Policy:
        try:
            policy = parse_policy(_readable(document), kind)
        except PolicyError as error:
            raise UnreadablePolicy(where or f"{source} {name}", error) from None
        return policy.named(name, source, arn)


# Actions decided by a role's trust policy besides AssumeRole itself.
_TRUST_ACTIONS = frozenset({"sts:tagsession", "sts:setsourceidentity"})


def _readable(document: Any) -> str | Mapping[str, Any]:
    """What the parser reads: text as it is, a mapping as the JSON it stands for."""
    if isinstance(document, bytes):
        return document.decode("utf-8", errors="replace")
    return document if isinstance(document, str | Mapping) else str(document)
