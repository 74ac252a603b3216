"""The account's stored state: moto's backends, read the way IAM means them.

moto keeps the objects; this module is the one place that finds them (a role
by name or ARN, a user's groups, an entity's tags), decodes the policy
documents moto stores (text, sometimes URL-encoded, or dicts) and picks a
managed policy's default version. Everything else asks here, so no part of
the kit keeps its own reading of moto's internals.

It also counts changes: :attr:`Store.generation` moves on after every write
that can change what policies say, and caches keyed on it stay correct.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from labkit.inventory import GroupInfo, Inventory, PolicyInfo, RoleInfo, UserInfo
from labkit.lab.managed import AWS_POLICY_PREFIX, aws_policy_info

Document = Mapping[str, Any] | str


def policy_text(document: Any) -> str:
    """A stored policy document as JSON text.

    moto keeps what it was given: a dict, text, or text URL-encoded as IAM's
    query API returns it.
    """
    if isinstance(document, bytes):
        document = document.decode("utf-8", errors="replace")
    if isinstance(document, str):
        stripped = document.strip()
        return unquote(stripped) if stripped[:3].upper() == "%7B" else document
    return json.dumps(document)


def default_version_text(managed: Any) -> str | None:
    """The default version's document of one of moto's managed policies."""
    for version in managed.versions:
        if version.is_default:
            return policy_text(version.document)
    return None


class Store:
    """The IAM, S3, DynamoDB... state of one account, in moto."""

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.generation = 0
        self._members: dict[str, tuple[str, ...]] = {}
        self._members_key: tuple[Any, ...] | None = None

    # --- change tracking ----------------------------------------------------

    def changed(self) -> None:
        """Note that something policies depend on changed."""
        self.generation += 1

    # --- backends -----------------------------------------------------------

    @property
    def iam(self) -> Any:
        """moto's IAM backend for the account."""
        from moto.iam.models import iam_backends

        return iam_backends[self.account_id]["aws"]

    @property
    def s3(self) -> Any:
        """moto's S3 backend for the account."""
        from moto.s3.models import s3_backends

        return s3_backends[self.account_id]["aws"]

    def dynamodb(self, region: str | None = None) -> Any:
        """moto's DynamoDB backend for the account in ``region``."""
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[self.account_id][region or self.region]

    def backend(self, module: str, name: str, region: str | None = None) -> Any:
        """Any moto backend by module and name, e.g. ``("awslambda", "lambda_backends")``."""
        from importlib import import_module

        backends = getattr(import_module(f"moto.{module}.models"), name)
        return backends[self.account_id][region or self.region]

    def lambda_functions(self, region: str | None = None) -> Any:
        """moto's Lambda backend that holds the account's functions in ``region``.

        moto keeps functions in its simple backend when they run without a
        container, as in the Lab, and in its full one otherwise.
        """
        simple = self.backend("awslambda_simple", "lambda_simple_backends", region)
        if simple.list_functions():
            return simple
        full = self.backend("awslambda", "lambda_backends", region)
        return full if full.list_functions() else simple

    # --- IAM entities -------------------------------------------------------

    def moto_user(self, name: str) -> Any | None:
        """moto's user named ``name``, or None."""
        return self.iam.users.get(name)

    def moto_group(self, name: str) -> Any | None:
        """moto's group named ``name``, or None."""
        return self.iam.groups.get(name)

    def moto_role(self, name_or_arn: str) -> Any | None:
        """moto's role by name or ARN (an ARN must match exactly), or None."""
        name = name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn
        for role in self.iam.roles.values():
            if role.name == name:
                if name_or_arn.startswith("arn:") and role.arn != name_or_arn:
                    return None
                return role
        return None

    def moto_instance_profile(self, name: str) -> Any | None:
        """moto's instance profile named ``name``, or None."""
        return next((p for p in self.iam.instance_profiles.values() if p.name == name), None)

    def instance_profile_roles(self, name: str) -> list[str]:
        """The ARNs of the roles in the instance profile named ``name``."""
        found = self.moto_instance_profile(name)
        return [role.arn for role in getattr(found, "roles", ())]

    def entity(self, kind: str, name: str) -> Any | None:
        """moto's user, group, role or instance profile by kind and name."""
        if kind == "user":
            return self.moto_user(name)
        if kind == "group":
            return self.moto_group(name)
        if kind == "role":
            return self.moto_role(name)
        if kind == "instance-profile":
            return self.moto_instance_profile(name)
        return None

    def path_of(self, kind: str, name: str) -> str | None:
        """The path of an existing user, group, role or instance profile."""
        found = self.entity(kind, name)
        return getattr(found, "path", None) if found is not None else None

    def groups_of(self, user_name: str) -> list[Any]:
        """moto's groups the user is a member of."""
        return [g for g in self.iam.groups.values() if any(u.name == user_name for u in g.users)]

    def _memberships(self) -> dict[str, tuple[str, ...]]:
        """Each user's groups by name, sorted, read in one pass over the groups.

        Kept until the generation moves (as the policy source's answers are;
        a change made straight in moto is followed by ``Lab.invalidate``), so
        reading thousands of users costs one pass, not one per user.
        """
        groups = self.iam.groups
        key = (self.generation, id(groups), len(groups))
        if self._members_key != key:
            found: dict[str, list[str]] = {}
            for group in groups.values():
                for member in group.users:
                    found.setdefault(member.name, []).append(group.name)
            self._members = {name: tuple(sorted(set(names))) for name, names in found.items()}
            self._members_key = key
        return self._members

    def tags_of(self, arn: str) -> tuple[tuple[str, str], ...]:
        """The tags of the IAM user or role ``arn``; none for anything else."""
        kind, _, rest = arn.split(":", 5)[-1].partition("/")
        if kind not in ("user", "role") or not rest:
            return ()
        found = self.entity(kind, rest.rsplit("/", 1)[-1])
        if found is None or found.arn != arn:
            return ()
        if kind == "role":
            tags = list(found.tags or [])
        else:
            tags = self.iam.tagger.list_tags_for_resource(found.arn)["Tags"]
        return tuple((tag["Key"], tag["Value"]) for tag in tags)

    def key_schema(self, region: str, table: str) -> tuple[str | None, str | None]:
        """The partition and sort key names of a DynamoDB table, or of one of
        its indexes named ``TABLE/index/INDEX``; None for what is unknown."""
        name, _, index = table.partition("/index/")
        found = self.dynamodb(region).tables.get(name)
        if found is None:
            return None, None
        if not index:
            return found.hash_key_attr, found.range_key_attr
        for candidate in (*found.global_indexes, *found.indexes):
            if candidate.name == index:
                keys = {k["KeyType"]: k["AttributeName"] for k in candidate.schema}
                return keys.get("HASH"), keys.get("RANGE")
        return None, None

    # --- the account as the policy source reads it ---------------------------

    def user(self, name_or_arn: str) -> UserInfo | None:
        """A user as plain data, or None."""
        name = name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn
        user = self.moto_user(name)
        if user is None or (name_or_arn.startswith("arn:") and user.arn != name_or_arn):
            return None
        return _user_info(user, self._memberships().get(user.name, ()), policy_text)

    def group(self, name_or_arn: str) -> GroupInfo | None:
        """A group as plain data, or None."""
        name = name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn
        group = self.moto_group(name)
        if group is None or (name_or_arn.startswith("arn:") and group.arn != name_or_arn):
            return None
        return _group_info(group, policy_text)

    def role(self, name_or_arn: str) -> RoleInfo | None:
        """A role as plain data, or None."""
        role = self.moto_role(name_or_arn)
        return _role_info(role, policy_text) if role is not None else None

    def policy(self, arn: str) -> PolicyInfo | None:
        """A managed policy with its default version's document, or None.

        AWS managed policies read the same whether or not a call has loaded
        them into moto yet.
        """
        managed = self.iam.managed_policies.get(arn)
        if managed is None:
            return aws_policy_info(arn) if arn.startswith(AWS_POLICY_PREFIX) else None
        return PolicyInfo(
            arn=arn,
            name=managed.name,
            path=managed.path,
            kind="aws" if arn.startswith(AWS_POLICY_PREFIX) else "customer",
            document=default_version_text(managed) or "",
        )

    def users_may_change_password(self) -> bool:
        """Whether the account password policy lets users change their own."""
        policy = self.iam.account_password_policy
        return policy is not None and bool(policy.allow_users_to_change_password)

    def inventory(self) -> Inventory:
        """A plain-data snapshot of the account's IAM state, documents as dicts."""
        iam = self.iam
        memberships: dict[str, list[str]] = {}
        for group in iam.groups.values():
            for member in group.users:
                memberships.setdefault(member.name, []).append(group.name)
        users = [
            _user_info(user, tuple(sorted(memberships.get(user.name, ()))), _as_dict)
            for user in iam.users.values()
        ]
        groups = [_group_info(group, _as_dict) for group in iam.groups.values()]
        roles = [_role_info(role, _as_dict) for role in iam.roles.values()]
        used = {
            arn
            for entity in (*users, *groups, *roles)
            for arn in (*entity.attached, getattr(entity, "boundary", None))
            if arn
        }
        policies = [
            replace(info, document=_as_dict(info.document))
            for arn in sorted(set(_customer_policies(iam, self.account_id)) | used)
            if (info := self.policy(arn)) is not None
        ]
        return Inventory(
            tuple(users), tuple(groups), tuple(roles), tuple(policies), self.account_id
        )

    # --- iteration -----------------------------------------------------------

    def users(self) -> Iterator[Any]:
        """moto's users."""
        return iter(list(self.iam.users.values()))

    def roles(self) -> Iterator[Any]:
        """moto's roles."""
        return iter(list(self.iam.roles.values()))


def _user_info(user: Any, groups: tuple[str, ...], read: Any) -> UserInfo:
    return UserInfo(
        name=user.name,
        arn=user.arn,
        groups=groups,
        attached=tuple(sorted(user.managed_policies)),
        inline=_inline(user.policies, read),
        # moto has no user boundaries; the Lab keeps them on the user.
        boundary=getattr(user, "permissions_boundary_arn", None) or None,
        has_login_profile=user.password is not None,
        has_access_keys=bool(user.access_keys),
        mfa=bool(user.mfa_devices),
        path=user.path,
    )


def _customer_policies(iam: Any, account_id: str) -> list[str]:
    prefix = f"arn:aws:iam::{account_id}:policy/"
    return [arn for arn in iam.managed_policies if arn.startswith(prefix)]


def _as_dict(document: Any) -> Mapping[str, Any]:
    """A document as a dict, for views; an unreadable one reads as empty."""
    try:
        found = json.loads(policy_text(document)) if document else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def _inline(policies: Mapping[str, Any], read: Any) -> dict[str, Document]:
    return {name: read(policies[name]) for name in sorted(policies)}


def _group_info(group: Any, read: Any) -> GroupInfo:
    return GroupInfo(
        name=group.name,
        arn=group.arn,
        attached=tuple(sorted(group.managed_policies)),
        inline=_inline(group.policies, read),
        path=group.path,
    )


def _role_info(role: Any, read: Any) -> RoleInfo:
    return RoleInfo(
        name=role.name,
        arn=role.arn,
        trust=read(role.assume_role_policy_document),
        attached=tuple(sorted(role.managed_policies)),
        inline=_inline(role.policies, read),
        boundary=role.permissions_boundary_arn or None,
        path=role.path,
    )
