"""May this caller do this to that? The Lab's one answer.

Enforcement asks it before every call; the widgets, diagrams, exercise
checks and escalation analysis ask it without calling. It builds the request
context AWS would attach (the caller's keys, the call's own keys, the
resource's tags), gathers every policy that applies from the
:class:`~labkit.policy_source.PolicySource` and lets the engine decide.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import Target
from labkit.lab.organization import is_service_linked
from labkit.policy.evaluate import evaluate
from labkit.policy.model import ALLOWED, IMPLICIT_DENY, Decision, PolicySet, Request

if TYPE_CHECKING:
    from labkit.lab.accounts import Accounts
    from labkit.lab.clock import Clock
    from labkit.lab.context import AccountContext
    from labkit.lab.identities import Principal
    from labkit.lab.organization import Levels, Organization
    from labkit.lab.store import Store
    from labkit.policy_source import PolicySource

# Resources whose tags are aws:ResourceTag/... and iam:ResourceTag/... keys.
_IAM_TAGGED = "arn:aws:iam::"
# A caller's moments, which a decision reads only as an age or a yes/no.
_WHEN = frozenset({"mfa_at", "expires_at", "issued_at"})


class Authorizer:
    """Decides requests of one account's callers, as its calls are decided."""

    def __init__(
        self,
        store: Store,
        policies: PolicySource,
        clock: Clock,
        accounts: Accounts | None = None,
    ) -> None:
        self._store = store
        self._policies = policies
        self._clock = clock
        # The Lab's other accounts and its organization, when it has them.
        self._accounts = accounts

    def request(self, principal: Principal, target: Target, region: str | None = None) -> Request:
        """The engine's request for ``target``, with the context AWS attaches."""
        return self._request(principal, self._base(principal, region), target)

    def _organization(self) -> Organization | None:
        organization = self._accounts.organization if self._accounts is not None else None
        return organization if organization is not None and organization.exists else None

    def _base(self, principal: Principal, region: str | None) -> dict[str, Any]:
        """The caller's context keys, with its organization's when it is in one."""
        base = principal.context(self._clock.time(), region or self._store.region)
        organization = self._organization()
        if organization is not None and organization.id is not None:
            paths = organization.org_paths(principal.account)
            if paths is not None:
                base["aws:PrincipalOrgID"] = organization.id
                base["aws:PrincipalOrgPaths"] = (paths,)
        return base

    def _home_of(self, resource: str) -> AccountContext | None:
        """The other account of the Lab that ``resource`` belongs to, or None
        when it is this account's (or names no account, as an S3 bucket)."""
        if self._accounts is None or not resource.startswith("arn:"):
            return None
        owner = self._accounts.owner_id(resource)
        if owner is None or owner == self._store.account_id:
            return None
        try:
            return self._accounts[owner]
        except KeyError:  # an account outside the Lab
            return None

    def _request(self, principal: Principal, base: Mapping[str, Any], target: Target) -> Request:
        context = dict(base)
        context.update(target.context)
        if target.resource.startswith(_IAM_TAGGED):
            for key, value in self._store.tags_of(target.resource):
                context[f"aws:ResourceTag/{key}"] = value
                context[f"iam:ResourceTag/{key}"] = value
        return Request(target.action, target.resource, principal.arn, context)

    def decide(self, principal: Principal, target: Target, region: str | None = None) -> Decision:
        """The decision a call asking for ``target`` gets: identity-based
        policies, permissions boundary, session policies and the resource's
        own policy (a bucket policy, a role's trust policy), weighed as AWS
        weighs them."""
        return self.decider(principal, region)(target)

    def decider(
        self, principal: Principal, region: str | None = None
    ) -> Callable[[Target], Decision]:
        """:meth:`decide` for one caller and many requests: what does not
        depend on the request (the caller's policies and context) is read once."""
        from labkit.lab.services import service

        base = self._base(principal, region)
        identity = self._policies.for_principal(principal)
        organization = self._organization()
        scps: Levels = ()
        if organization is not None:
            scps = organization.scps_for(principal.account, principal.arn, principal.role_arn)
        # Service-linked roles are bound by neither SCPs nor RCPs.
        unbound = not is_service_linked(principal.role_arn or principal.arn)

        def decide(target: Target) -> Decision:
            rules = service(target.action.split(":", 1)[0])
            home = self._home_of(target.resource)
            owner = home.account_id if home is not None else self._store.account_id
            request = self._request(principal, base, target)
            if rules is not None and target.action in rules.unauthorized:
                return Decision(ALLOWED, request, row="no-policy-needed")
            exempt = principal.is_root and rules is not None and target.action in rules.root_exempt
            found = (home.policies if home is not None else self._policies).resource_policy
            resource = None if exempt else found(target.resource, target.action)
            if resource is None and target.action.lower().startswith("sts:assumerole"):
                # No such role: no trust policy can allow it.
                return Decision(IMPLICIT_DENY, request, denied_by="trust", row="trust-not-granted")
            rcps = organization.rcps_for(owner) if organization is not None and unbound else ()
            if organization is not None:
                request = self._with_resource_org(request, owner, organization)
            policies = PolicySet(
                identity.identity, identity.boundary, identity.session, resource, scps, rcps
            )
            return evaluate(request, policies, resource_owner=owner)

        return decide

    @staticmethod
    def _with_resource_org(request: Request, owner: str, organization: Organization) -> Request:
        """The resource's account and, when it is in the organization, its
        organization's id: ``aws:ResourceAccount``, ``aws:ResourceOrgID``."""
        context = dict(request.context)
        context.setdefault("aws:ResourceAccount", owner)
        if organization.id is not None and organization.path(owner):
            context.setdefault("aws:ResourceOrgID", organization.id)
        return Request(request.action, request.resource, request.principal, context)

    def basis(self, principal: Principal, targets: Iterable[Target] = ()) -> tuple[Any, ...]:
        """What :meth:`decider` reads of the account for ``principal`` and
        ``targets``, apart from the clock: the caller as it is (how long ago
        it used MFA, not when), the policies on its side, and each target's
        :meth:`resource_basis`. Equal bases give equal decisions for the same
        targets, so a view decides again only what an IAM change reached."""
        # Whatever decider() comes to read of the account belongs here too.
        now = self._clock.time()
        mfa_age = None if principal.mfa_at is None else max(0, int(now - principal.mfa_at))
        return (
            tuple(getattr(principal, f.name) for f in fields(principal) if f.name not in _WHEN),
            mfa_age,
            principal.expires_at is not None,
            self._policies.for_principal(principal),
            self._organization_basis(principal.account),
            tuple(self.resource_basis(target) for target in targets),
        )

    def _organization_basis(self, account_id: str) -> tuple[Any, ...]:
        organization = self._organization()
        return organization.basis(account_id) if organization is not None else ()

    def resource_basis(self, target: Target) -> tuple[Any, ...]:
        """What a decision reads of ``target``'s resource: its tags and its own policy."""
        resource = target.resource
        home = self._home_of(resource)
        if home is not None:
            return home.authorizer.resource_basis(target)
        tags = self._store.tags_of(resource) if resource.startswith(_IAM_TAGGED) else ()
        return (
            tags,
            self._policies.resource_policy(target.resource, target.action),
            self._organization_basis(self._store.account_id),
        )

    def decide_service(self, service_principal: str, target: Target) -> Decision:
        """Whether an AWS service (``lambda.amazonaws.com``) may ``target``:
        only the resource's own policy can let a service in."""
        now = self._clock.time()
        context = {
            "aws:PrincipalServiceName": service_principal,
            "aws:CurrentTime": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now)),
            **target.context,
        }
        request = Request(target.action, target.resource, service_principal, context)
        resource = self._policies.resource_policy(target.resource, target.action)
        if resource is None:
            denied_by = "trust" if target.action.lower().startswith("sts:") else "resource"
            return Decision(IMPLICIT_DENY, request, denied_by=denied_by, row="service")
        return evaluate(
            request, PolicySet(resource=resource), resource_owner=self._store.account_id
        )
