"""A plain-data snapshot of an account's IAM state.

Views (diagrams, matrices, checks) read an :class:`Inventory` rather than
moto's objects, so they can be fed synthetic accounts in tests and benchmarks
and never depend on moto's internals. :meth:`Inventory.from_lab` reads the
Lab's IAM backend directly: no API call is made, so the Lab's trail shows
only what the learner did.

Documents are plain dicts as parsed from JSON; treat them as read-only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal

DEFAULT_ACCOUNT = "123456789012"
AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"

PolicyKindName = Literal["aws", "customer"]
Document = Mapping[str, Any]


@dataclass(frozen=True)
class UserInfo:
    """An IAM user: groups by name, attached policies by ARN, inline policies
    by name, and the permissions boundary's ARN (or None)."""

    name: str
    arn: str
    groups: tuple[str, ...] = ()
    attached: tuple[str, ...] = ()
    inline: Mapping[str, Document] = field(default_factory=dict)
    boundary: str | None = None
    has_login_profile: bool = False
    has_access_keys: bool = False
    mfa: bool = False
    path: str = "/"


@dataclass(frozen=True)
class GroupInfo:
    """An IAM group with its attached (ARNs) and inline (name -> doc) policies.

    Members are kept on the users (``UserInfo.groups``); see
    :meth:`Inventory.members`.
    """

    name: str
    arn: str
    attached: tuple[str, ...] = ()
    inline: Mapping[str, Document] = field(default_factory=dict)
    path: str = "/"


@dataclass(frozen=True)
class RoleInfo:
    """An IAM role with its trust policy document and permission policies."""

    name: str
    arn: str
    trust: Document = field(default_factory=dict)
    attached: tuple[str, ...] = ()
    inline: Mapping[str, Document] = field(default_factory=dict)
    boundary: str | None = None
    path: str = "/"


@dataclass(frozen=True)
class PolicyInfo:
    """A managed policy: AWS managed (``kind="aws"``) or customer managed."""

    arn: str
    name: str
    path: str = "/"
    kind: PolicyKindName = "customer"
    document: Document = field(default_factory=dict)


@dataclass(frozen=True)
class Inventory:
    """Users, groups, roles and managed policies of one account, sorted by
    name (policies by ARN). Only the AWS managed policies that something
    uses are included."""

    users: tuple[UserInfo, ...] = ()
    groups: tuple[GroupInfo, ...] = ()
    roles: tuple[RoleInfo, ...] = ()
    policies: tuple[PolicyInfo, ...] = ()
    account_id: str = DEFAULT_ACCOUNT
    allow_users_to_change_password: bool = False

    def __post_init__(self) -> None:
        # Sorted once here so every view built from it is deterministic.
        object.__setattr__(self, "users", tuple(sorted(self.users, key=lambda u: u.name)))
        object.__setattr__(self, "groups", tuple(sorted(self.groups, key=lambda g: g.name)))
        object.__setattr__(self, "roles", tuple(sorted(self.roles, key=lambda r: r.name)))
        object.__setattr__(self, "policies", tuple(sorted(self.policies, key=lambda p: p.arn)))

    # -- look-ups ---------------------------------------------------------

    @cached_property
    def _users(self) -> dict[str, UserInfo]:
        return {u.name: u for u in self.users}

    @cached_property
    def _groups(self) -> dict[str, GroupInfo]:
        return {g.name: g for g in self.groups}

    @cached_property
    def _roles(self) -> dict[str, RoleInfo]:
        return {r.name: r for r in self.roles}

    @cached_property
    def _policies(self) -> dict[str, PolicyInfo]:
        return {p.arn: p for p in self.policies}

    @cached_property
    def _members(self) -> dict[str, tuple[str, ...]]:
        members: dict[str, list[str]] = {g.name: [] for g in self.groups}
        for user in self.users:
            for group in user.groups:
                members.setdefault(group, []).append(user.name)
        return {name: tuple(names) for name, names in members.items()}

    def user(self, name_or_arn: str) -> UserInfo | None:
        """The user with this name or ARN, or None."""
        return self._users.get(_name_of(name_or_arn, ":user/"))

    def group(self, name_or_arn: str) -> GroupInfo | None:
        """The group with this name or ARN, or None."""
        return self._groups.get(_name_of(name_or_arn, ":group/"))

    def role(self, name_or_arn: str) -> RoleInfo | None:
        """The role with this name or ARN, or None."""
        return self._roles.get(_name_of(name_or_arn, ":role/"))

    def policy(self, name_or_arn: str) -> PolicyInfo | None:
        """The managed policy with this ARN, or with this name (a customer
        managed policy wins over an AWS managed one of the same name)."""
        if name_or_arn.startswith("arn:"):
            return self._policies.get(name_or_arn)
        named = [p for p in self.policies if p.name == name_or_arn]
        named.sort(key=lambda p: p.kind != "customer")
        return named[0] if named else None

    def members(self, group: str) -> tuple[str, ...]:
        """Names of the users in ``group``, sorted."""
        return self._members.get(group, ())

    # -- building ---------------------------------------------------------

    @classmethod
    def from_lab(cls, lab: Any) -> Inventory:
        """A snapshot of a :class:`labkit.Lab`'s account, read from its store
        without any API call."""
        return lab.store.inventory()

    def users_may_change_password(self) -> bool:
        """Whether the account lets users change their own password."""
        return self.allow_users_to_change_password

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inventory:
        """An inventory from plain data, for synthetic accounts::

            Inventory.from_dict({
                "users": [{"name": "CTO", "groups": ["Admins"]}],
                "groups": [{"name": "Admins", "attached": [ADMIN_ARN]}],
                "roles": [{"name": "fn", "trust": {...}}],
                "policies": [{"name": "Allow-MFA", "document": {...}}],
            })

        ARNs default to ones in ``account_id`` (default 123456789012); a
        policy's ``kind`` defaults from its ARN. AWS managed policies that are
        attached but not listed are filled in from moto's copy when known.
        """
        account = data.get("account_id", DEFAULT_ACCOUNT)

        def arn(kind: str, item: Mapping[str, Any]) -> str:
            path = item.get("path", "/")
            return item.get("arn") or f"arn:aws:iam::{account}:{kind}{path}{item['name']}"

        users = tuple(
            UserInfo(
                name=u["name"],
                arn=arn("user", u),
                groups=tuple(sorted(u.get("groups", ()))),
                attached=tuple(sorted(u.get("attached", ()))),
                inline=dict(u.get("inline", {})),
                boundary=u.get("boundary"),
                has_login_profile=bool(u.get("has_login_profile", False)),
                has_access_keys=bool(u.get("has_access_keys", False)),
                mfa=bool(u.get("mfa", False)),
                path=u.get("path", "/"),
            )
            for u in data.get("users", ())
        )
        groups = tuple(
            GroupInfo(
                name=g["name"],
                arn=arn("group", g),
                attached=tuple(sorted(g.get("attached", ()))),
                inline=dict(g.get("inline", {})),
                path=g.get("path", "/"),
            )
            for g in data.get("groups", ())
        )
        roles = tuple(
            RoleInfo(
                name=r["name"],
                arn=arn("role", r),
                trust=dict(r.get("trust", {})),
                attached=tuple(sorted(r.get("attached", ()))),
                inline=dict(r.get("inline", {})),
                boundary=r.get("boundary"),
                path=r.get("path", "/"),
            )
            for r in data.get("roles", ())
        )
        policies = []
        for p in data.get("policies", ()):
            policy_arn = arn("policy", p)
            aws = policy_arn.startswith(AWS_POLICY_PREFIX)
            kind = p.get("kind") or ("aws" if aws else "customer")
            policies.append(
                PolicyInfo(
                    arn=policy_arn,
                    name=p["name"],
                    path=p.get("path", "/"),
                    kind=kind,
                    document=dict(p.get("document", {})),
                )
            )
        listed = {p.arn for p in policies}
        used = {a for e in (*users, *groups, *roles) for a in _uses(e)}
        policies.extend(
            _aws_policy(a) for a in sorted(used - listed) if a.startswith(AWS_POLICY_PREFIX)
        )
        return cls(users, groups, roles, tuple(policies), account)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that :meth:`from_dict` turns back into this inventory."""
        return {
            "account_id": self.account_id,
            "users": [_plain(asdict(u)) for u in self.users],
            "groups": [_plain(asdict(g)) for g in self.groups],
            "roles": [_plain(asdict(r)) for r in self.roles],
            "policies": [_plain(asdict(p)) for p in self.policies],
        }


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in item.items()}


def _uses(entity: UserInfo | GroupInfo | RoleInfo) -> Iterable[str]:
    yield from entity.attached
    boundary = getattr(entity, "boundary", None)
    if boundary:
        yield boundary


def _name_of(name_or_arn: str, marker: str) -> str:
    # arn:aws:iam::123456789012:user/path/name -> name
    if name_or_arn.startswith("arn:") and marker in name_or_arn:
        return name_or_arn.rsplit("/", 1)[-1]
    return name_or_arn


def _aws_policy(arn: str) -> PolicyInfo:
    path, _, name = arn[len("arn:aws:iam::aws:policy") :].rpartition("/")
    document: dict[str, Any] = {}
    try:
        from labkit.lab.managed import aws_policy_info

        info = aws_policy_info(arn)
        if info is not None:
            document = json.loads(str(info.document))
    except ImportError:  # the kit without moto: no AWS managed documents
        pass
    return PolicyInfo(arn=arn, name=name, path=path + "/", kind="aws", document=document)
