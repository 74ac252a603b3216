"""The organization the Lab's account manages, as its guardrails read it.

moto keeps an organization's tree (root, OUs, accounts) and its policies but
decides nothing with them. This module reads them, from the management
account's side, for the authorizer: the service control policies over a
member account and the resource control policies over its resources, each as
levels from the root down to the account (AWS wants an allow at every level,
and a deny at any level refuses).

AWS Organizations User Guide, "Service control policies (SCPs)" and
"Resource control policies (RCPs)":
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html

- Neither affects the management account or what service-linked roles do.
- A policy type counts only once enabled on the root (``EnablePolicyType``).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from labkit.policy.model import Policy, PolicyKind
from labkit.policy.parse import parse_policy

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
_KINDS: dict[str, PolicyKind] = {SCP: "scp", RCP: "rcp"}
# Service-linked roles live under this path; SCPs do not restrict them.
SERVICE_LINKED_PATH = ":role/aws-service-role/"

Levels = tuple[tuple[Policy, ...], ...]


def is_service_linked(role_arn: str) -> bool:
    """Whether the ARN is a service-linked role's (or a session of one):
    neither SCPs nor RCPs restrict what they do."""
    return SERVICE_LINKED_PATH in role_arn


@lru_cache(maxsize=512)
def _parsed(content: str, kind: PolicyKind, name: str, policy_id: str) -> Policy:
    # Organizations refused content that does not parse; what it keeps does.
    return parse_policy(content, kind).named(name, kind.upper(), policy_id)


class Organization:
    """The organization managed from ``management`` (an account id), read
    from moto's state each time: nothing is copied, so nothing goes stale."""

    def __init__(self, management: str) -> None:
        self.management = management

    def _backend(self) -> Any:
        from moto.organizations.models import organizations_backends

        return organizations_backends[self.management]["aws"]

    @property
    def backend(self) -> Any:
        """moto's Organizations backend of the management account."""
        return self._backend()

    @property
    def exists(self) -> bool:
        """Whether the management account has made an organization."""
        return self._backend().org is not None

    @property
    def id(self) -> str | None:
        """The organization's id (``o-...``), or None."""
        org = self._backend().org
        return org.id if org is not None else None

    def member_ids(self) -> list[str]:
        """The member accounts' ids (the management account not among them)."""
        backend = self._backend()
        if backend.org is None:
            return []
        return [a.id for a in backend.accounts if a.id != self.management]

    def is_member(self, account_id: str) -> bool:
        """Whether ``account_id`` is a member account (not the management one)."""
        return account_id in self.member_ids()

    def path(self, account_id: str) -> list[Any]:
        """moto's targets from the root down to the account: root, OUs, account."""
        backend = self._backend()
        account = next((a for a in backend.accounts if a.id == account_id), None)
        if backend.org is None or account is None:
            return []
        by_id = {ou.id: ou for ou in backend.ou}
        chain: list[Any] = [account]
        parent = by_id.get(account.parent_id)
        while parent is not None:
            chain.append(parent)
            parent = by_id.get(parent.parent_id) if parent.type != "ROOT" else None
        return chain[::-1]

    def units(self) -> list[Any]:
        """moto's root and organizational units (each with ``.parent_id``),
        those without accounts included."""
        backend = self._backend()
        return list(backend.ou) if backend.org is not None else []

    def org_paths(self, account_id: str) -> str | None:
        """``aws:PrincipalOrgPaths``' value for the account: ``o-id/r-id/ou-id/.../``."""
        chain = self.path(account_id)
        if not chain or self.id is None:
            return None
        return "/".join([self.id, *(target.id for target in chain[:-1])]) + "/"

    def policy(self, policy_id: Any) -> Any | None:
        """moto's policy with this id (``p-...``), or None."""
        return next((p for p in self._backend().policies if p.id == policy_id), None)

    def attached(self, target_id: Any) -> list[Any]:
        """The policies attached to a root, an OU or an account, by its id."""
        backend = self._backend()
        for target in [*backend.ou, *backend.accounts]:
            if target.id == target_id:
                return list(target.attached_policies)
        return []

    def enabled(self, policy_type: str) -> bool:
        """Whether ``policy_type`` is enabled on the organization's root."""
        backend = self._backend()
        roots = [ou for ou in backend.ou if ou.type == "ROOT"]
        return any(
            kind.get("Type") == policy_type and kind.get("Status") == "ENABLED"
            for root in roots
            for kind in root.policy_types
        )

    def levels(self, account_id: str, policy_type: str) -> Levels:
        """The policies of ``policy_type`` over ``account_id``, level by level
        from the root; empty where none applies (no organization, the
        management account, or the type not enabled)."""
        if account_id == self.management or not self.enabled(policy_type):
            return ()
        chain = self.path(account_id)
        kind = _KINDS[policy_type]
        return tuple(
            tuple(
                _parsed(_text(policy.content), kind, policy.name, policy.id)
                for policy in target.attached_policies
                if policy.type == policy_type
            )
            for target in chain
        )

    def scps_for(self, account_id: str, principal_arn: str, role_arn: str | None) -> Levels:
        """The SCP levels over a principal of ``account_id``: none for the
        management account and for service-linked roles."""
        if is_service_linked(role_arn or principal_arn):
            return ()
        return self.levels(account_id, SCP)

    def rcps_for(self, account_id: str) -> Levels:
        """The RCP levels over the resources of ``account_id``."""
        return self.levels(account_id, RCP)

    def basis(self, account_id: str) -> tuple[Any, ...]:
        """What :meth:`levels` reads for the account: equal bases, equal guardrails."""
        if account_id == self.management or not self.exists:
            return ()
        return tuple(
            (target.id, tuple((p.id, p.type, p.content) for p in target.attached_policies))
            for target in self.path(account_id)
        ) + (self.enabled(SCP), self.enabled(RCP))


def is_member_account(account_id: str) -> bool:
    """Whether ``account_id`` is a member of some organization of the Lab."""
    from moto.organizations.models import organizations_backends

    return account_id in organizations_backends.master_accounts


def _text(content: Any) -> str:
    return content if isinstance(content, str) else json.dumps(content)
