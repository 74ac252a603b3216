"""What the escalation analysis reads of an account, read once.

Who exists (users, roles, groups), what they hold by name (groups, customer
managed policies, boundaries), and the facts that decide whether a method
can be used at all: how many access keys a user has, whether it has a
console password or an MFA device, the versions of each customer managed
policy, the instance profiles, Lambda functions and the roles they run as.
Nothing here decides access: every "may X do Y to Z" is asked of the Lab.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labkit.lab.account import Lab

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
MAX_ACCESS_KEYS = 2  # IAM quota: access keys per user
MAX_POLICY_VERSIONS = 5  # IAM quota: stored versions of a managed policy


@dataclass(frozen=True)
class UserFacts:
    """One IAM user as the methods need it."""

    name: str
    arn: str
    groups: tuple[str, ...]
    policies: tuple[str, ...]  # ARNs of the managed policies attached to it
    inline: tuple[str, ...]  # names of its inline policies
    boundary: str | None
    keys: int
    password: bool
    mfa: bool
    path: str = "/"


@dataclass(frozen=True)
class RoleFacts:
    """One IAM role as the methods need it."""

    name: str
    arn: str
    policies: tuple[str, ...]
    inline: tuple[str, ...]
    boundary: str | None
    profiles: tuple[str, ...]  # names of the instance profiles it is in
    path: str = "/"


@dataclass(frozen=True)
class GroupFacts:
    """One IAM group: its members by name and the managed policies attached."""

    name: str
    arn: str
    members: tuple[str, ...]
    policies: tuple[str, ...]
    inline: tuple[str, ...]
    path: str = "/"


@dataclass(frozen=True)
class PolicyVersion:
    """One stored version of a customer managed policy."""

    id: str
    default: bool
    document: str


@dataclass(frozen=True)
class FunctionFacts:
    """A Lambda function and the role it runs as."""

    name: str
    arn: str
    role: str


@dataclass
class Facts:
    """A snapshot of the account for one analysis."""

    account: str
    region: str
    users: dict[str, UserFacts] = field(default_factory=dict)  # by ARN
    roles: dict[str, RoleFacts] = field(default_factory=dict)  # by ARN
    groups: dict[str, GroupFacts] = field(default_factory=dict)  # by name
    versions: dict[str, tuple[PolicyVersion, ...]] = field(default_factory=dict)  # by ARN
    functions: tuple[FunctionFacts, ...] = ()
    profiles: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> role ARNs
    profile_paths: dict[str, str] = field(default_factory=dict)

    def principal(self, arn: str) -> UserFacts | RoleFacts | None:
        """The user or role ``arn``, or None."""
        return self.users.get(arn) or self.roles.get(arn)

    def held_policies(self, arn: str) -> tuple[str, ...]:
        """Customer managed policies that ``arn`` holds, directly or through a group."""
        found = self.principal(arn)
        if found is None:
            return ()
        held = list(found.policies)
        for group in getattr(found, "groups", ()):
            if group in self.groups:
                held += self.groups[group].policies
        return tuple(dict.fromkeys(p for p in held if not p.startswith(AWS_POLICY_PREFIX)))


class Lookups:
    """What building a call's authorizations looks up (the services'
    :class:`~labkit.lab.services.Lookups`), answered from the facts read
    once: the path of a user, group, role or instance profile, and an
    instance profile's roles; a table's keys from the Lab's store."""

    def __init__(self, facts: Facts, store: Any) -> None:
        self._store = store
        self._paths: dict[tuple[str, str], str] = {}
        for kind, entities in (
            ("user", facts.users.values()),
            ("role", facts.roles.values()),
            ("group", facts.groups.values()),
        ):
            for entity in entities:
                self._paths[(kind, entity.name)] = entity.path
        self._profiles = facts.profiles
        self._profile_paths = facts.profile_paths

    def path_of(self, kind: str, name: str) -> str | None:
        if kind == "instance-profile":
            return self._profile_paths.get(name)
        return self._paths.get((kind, name))

    def key_schema(self, region: str, table: str) -> tuple[str | None, str | None]:
        return self._store.key_schema(region, table)

    def instance_profile_roles(self, name: str) -> list[str]:
        return list(self._profiles.get(name, ()))


def read(lab: Lab) -> Facts:
    """Read the account's IAM state (and its functions and instance profiles) once."""
    iam = lab.backend
    facts = Facts(lab.account_id, lab.region)
    members: dict[str, list[str]] = {}
    for group in iam.groups.values():
        names = tuple(sorted(u.name for u in group.users))
        for name in names:
            members.setdefault(name, []).append(group.name)
        facts.groups[group.name] = GroupFacts(
            group.name,
            group.arn,
            names,
            tuple(sorted(group.managed_policies)),
            tuple(sorted(group.policies)),
            group.path,
        )
    for user in iam.users.values():
        facts.users[user.arn] = UserFacts(
            name=user.name,
            arn=user.arn,
            groups=tuple(sorted(members.get(user.name, ()))),
            policies=tuple(sorted(user.managed_policies)),
            inline=tuple(sorted(user.policies)),
            boundary=getattr(user, "permissions_boundary_arn", None) or None,
            keys=len(user.access_keys),
            password=user.password is not None,
            mfa=lab.mfa.device_for_user(user.name) is not None,
            path=user.path,
        )
    profiles: dict[str, list[str]] = {}
    for profile in iam.instance_profiles.values():
        facts.profiles[profile.name] = tuple(role.arn for role in profile.roles)
        facts.profile_paths[profile.name] = profile.path
        for role in profile.roles:
            profiles.setdefault(role.arn, []).append(profile.name)
    for role in iam.roles.values():
        facts.roles[role.arn] = RoleFacts(
            name=role.name,
            arn=role.arn,
            policies=tuple(sorted(role.managed_policies)),
            inline=tuple(sorted(role.policies)),
            boundary=role.permissions_boundary_arn or None,
            profiles=tuple(sorted(profiles.get(role.arn, ()))),
            path=role.path,
        )
    customer = f"arn:aws:iam::{lab.account_id}:policy/"
    for arn, policy in iam.managed_policies.items():
        if arn.startswith(customer):
            facts.versions[arn] = tuple(
                PolicyVersion(v.version_id, bool(v.is_default), _text(v.document))
                for v in policy.versions
            )
    facts.functions = tuple(_functions(lab))
    return facts


def _text(document: Any) -> str:
    from labkit.lab.store import policy_text

    return policy_text(document)


def _functions(lab: Lab) -> list[FunctionFacts]:
    """The account's Lambda functions in the Lab's region."""
    functions = lab.store.lambda_functions().list_functions()
    return sorted(
        (FunctionFacts(f.function_name, f.function_arn, f.role) for f in functions),
        key=lambda facts: facts.arn,
    )
