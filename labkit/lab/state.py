"""The policies that apply to a call, read from moto's IAM and S3 state.

A principal's policies are gathered once and kept until anything in IAM
changes (the Lab calls :meth:`PolicyState.invalidate` after every IAM write),
so an enforced call costs a dictionary lookup rather than a walk over users,
groups and policy versions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from labkit.lab.managed import managed_policy_document
from labkit.policy.model import Policy, PolicyError, PolicyKind
from labkit.policy.parse import parse_policy

if TYPE_CHECKING:
    from labkit.lab.account import Lab
    from labkit.lab.identities import Principal


@dataclass(frozen=True)
class PolicySet:
    """Everything that decides a principal's identity side."""

    identity: tuple[Policy, ...] = ()
    boundaries: tuple[Policy, ...] = ()
    session: tuple[Policy, ...] = ()


def _text(document: Any) -> str:
    """A stored policy document as JSON text (moto keeps what it was given)."""
    if isinstance(document, bytes):
        document = document.decode()
    if isinstance(document, str):
        stripped = document.strip()
        if stripped.startswith("%7B") or stripped.startswith("%7b"):
            return unquote(stripped)
        return document
    return json.dumps(document)


def load_policy(document: Any, kind: PolicyKind, name: str, source: str) -> Policy | None:
    """Parse a stored document, or None when IAM would never have stored it."""
    try:
        return parse_policy(_text(document), kind).named(name, source)
    except PolicyError:
        return None


def default_document(managed: Any) -> str | None:
    """The default version's document of one of moto's managed policies."""
    for version in managed.versions:
        if version.is_default:
            return version.document
    return None


# With AllowUsersToChangePassword set in the account password policy, IAM
# gives every user, at the account level and without attaching anything, the
# permissions of the AWS managed policy IAMUserChangePassword.
CHANGE_OWN_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"


def _users_may_change_password(backend: Any) -> bool:
    policy = backend.account_password_policy
    return policy is not None and bool(policy.allow_users_to_change_password)


class PolicyState:
    """Reads and caches the policies that apply to principals and resources."""

    def __init__(self, lab: Lab) -> None:
        self._lab = lab
        self._principals: dict[tuple[Any, ...], PolicySet] = {}
        self._trust: dict[str, Policy | None] = {}
        self._buckets: dict[str, Policy | None] = {}
        self._tags: dict[str, dict[str, str]] = {}
        self.generation = 0  # bumped on every invalidation; sessions key caches on it

    def invalidate(self) -> None:
        """Forget everything read from IAM: the next call reads it afresh."""
        self._principals.clear()
        self._trust.clear()
        self._tags.clear()
        self.generation += 1

    def invalidate_buckets(self) -> None:
        """Forget the bucket policies read so far."""
        self._buckets.clear()

    # --- identity side ---------------------------------------------------------

    def policies_for(self, principal: Principal) -> PolicySet:
        """The identity, boundary and session policies of ``principal``."""
        key = (principal.arn, principal.role_arn, principal.session_policies)
        found = self._principals.get(key)
        if found is None:
            found = self._gather(principal)
            self._principals[key] = found
        return found

    def _gather(self, principal: Principal) -> PolicySet:
        backend = self._lab.backend
        identity: list[Policy] = []
        boundaries: list[Policy] = []
        if principal.type == "User":
            user = backend.users.get(principal.name)
            if user is not None:
                identity += self._entity_policies(user, f"user/{user.name}")
                for group in backend.groups.values():
                    if user in group.users:
                        identity += self._entity_policies(group, f"group/{group.name}")
                if _users_may_change_password(backend):
                    identity.append(
                        parse_policy(managed_policy_document(CHANGE_OWN_PASSWORD)).named(
                            "AllowUsersToChangePassword", "account password policy"
                        )
                    )
                boundary = self._boundary(getattr(user, "permissions_boundary_arn", None))
                if boundary is not None:
                    boundaries.append(boundary)
        elif principal.type == "AssumedRole" and principal.role_arn:
            role = self.role(principal.role_arn)
            if role is not None:
                identity += self._entity_policies(role, f"role/{role.name}")
                boundary = self._boundary(role.permissions_boundary_arn)
                if boundary is not None:
                    boundaries.append(boundary)
        session = [
            policy
            for index, document in enumerate(principal.session_policies, start=1)
            if (
                policy := load_policy(
                    document, "session", f"session policy {index}", "Session Policy"
                )
            )
            is not None
        ]
        return PolicySet(tuple(identity), tuple(boundaries), tuple(session))

    def _entity_policies(self, entity: Any, where: str) -> list[Policy]:
        found: list[Policy] = []
        for name, document in entity.policies.items():
            policy = load_policy(document, "identity", name, f"{where} inline policy")
            if policy is not None:
                found.append(policy)
        for arn, managed in entity.managed_policies.items():
            document = default_document(managed)
            if document is None:
                continue
            policy = load_policy(document, "identity", arn, "IAM Policy")
            if policy is not None:
                found.append(policy)
        return found

    def _boundary(self, arn: str | None) -> Policy | None:
        if not arn:
            return None
        backend = self._lab.backend
        managed = backend.managed_policies.get(arn)
        if managed is None:
            from labkit.lab.managed import ensure_managed_policy

            if ensure_managed_policy(backend, arn):
                managed = backend.managed_policies.get(arn)
        if managed is None:
            return None
        document = default_document(managed)
        if document is None:
            return None
        return load_policy(document, "boundary", arn, "Permissions Boundary Policy")

    # --- resources -------------------------------------------------------------

    def role(self, role_arn: str) -> Any | None:
        """moto's role for ``role_arn``, or None."""
        name = role_arn.rsplit("/", 1)[-1]
        for role in self._lab.backend.roles.values():
            if role.name == name and role.arn == role_arn:
                return role
        return None

    def trust_policy(self, role_arn: str) -> Policy | None:
        """The trust policy of the role ``role_arn``; None when no such role."""
        if role_arn not in self._trust:
            role = self.role(role_arn)
            self._trust[role_arn] = (
                None
                if role is None
                else load_policy(
                    role.assume_role_policy_document, "trust", role.name, "Role Trust Policy"
                )
            )
        return self._trust[role_arn]

    def bucket_policy(self, bucket: str) -> Policy | None:
        """The bucket policy of ``bucket``, or None."""
        if bucket not in self._buckets:
            from moto.s3.models import s3_backends

            found = s3_backends[self._lab.account_id]["aws"].buckets.get(bucket)
            document = getattr(found, "policy", None) if found is not None else None
            self._buckets[bucket] = (
                load_policy(document, "resource", bucket, "Resource Policy") if document else None
            )
        return self._buckets[bucket]

    def resource_tags(self, arn: str) -> dict[str, str]:
        """The tag keys of the IAM user or role ``arn`` as request context.

        Each tag is both ``aws:ResourceTag/KEY`` and ``iam:ResourceTag/KEY``;
        other IAM resources (and ARNs of nothing) give none.
        """
        found = self._tags.get(arn)
        if found is None:
            found = {}
            kind, _, rest = arn.split(":", 5)[-1].partition("/")
            if kind in ("user", "role") and rest:
                entity = self._entity(kind, rest.rsplit("/", 1)[-1])
                if entity is not None and entity.arn == arn:
                    for tag in self._lab.backend.tagger.list_tags_for_resource(entity.arn)["Tags"]:
                        found[f"aws:ResourceTag/{tag['Key']}"] = tag["Value"]
                        found[f"iam:ResourceTag/{tag['Key']}"] = tag["Value"]
            self._tags[arn] = found
        return found

    def key_schema(self, region: str, table: str) -> tuple[str | None, str | None]:
        """The partition and sort key names of a DynamoDB table, or of one of
        its indexes named ``TABLE/index/INDEX``; None for what is unknown."""
        from moto.dynamodb.models import dynamodb_backends

        name, _, index = table.partition("/index/")
        found = dynamodb_backends[self._lab.account_id][region].tables.get(name)
        if found is None:
            return None, None
        if not index:
            return found.hash_key_attr, found.range_key_attr
        for candidate in (*found.global_indexes, *found.indexes):
            if candidate.name == index:
                keys = {k["KeyType"]: k["AttributeName"] for k in candidate.schema}
                return keys.get("HASH"), keys.get("RANGE")
        return None, None

    def _entity(self, kind: str, name: str) -> Any | None:
        backend = self._lab.backend
        if kind == "user":
            return backend.users.get(name)
        if kind == "group":
            return backend.groups.get(name)
        if kind == "role":
            return next((r for r in backend.roles.values() if r.name == name), None)
        if kind == "instance-profile":
            return next((p for p in backend.instance_profiles.values() if p.name == name), None)
        return None

    def path_of(self, kind: str, name: str) -> str | None:
        """The path of an existing user, group, role or instance profile."""
        entity = self._entity(kind, name)
        return getattr(entity, "path", None) if entity is not None else None


def identity_policies(lab: Lab, principal: Principal) -> tuple[Policy, ...]:
    """The identity-based policies of ``principal`` (cached by the Lab)."""
    return lab.state.policies_for(principal).identity


def boundary_policies(lab: Lab, principal: Principal) -> tuple[Policy, ...]:
    """The permissions boundary of ``principal``, if any (cached by the Lab)."""
    return lab.state.policies_for(principal).boundaries
