"""Deciding one request as AWS does.

Each statement is compiled once per policy (patterns, condition values, its
:class:`StatementRef`) and kept while the policy object lives in the cache.
A request then runs every statement of every policy once, recording which
statements applied and, for the others, the first reason they did not.

The verdict itself is :data:`DECISION_TABLE`, read top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from labkit.policy import matching
from labkit.policy.cache import BoundedCache, bounded
from labkit.policy.conditions import compile_condition
from labkit.policy.matching import (
    ACTION,
    ARN,
    DIRECT_MATCH,
    NO_MATCH,
    ROLE_MATCH,
    Caller,
    Pattern,
    caller_of,
    compile_pattern,
    not_principal_excludes,
    principal_block_match,
)
from labkit.policy.model import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    DecisionName,
    DenialSource,
    Miss,
    Policy,
    PolicyKind,
    PolicySet,
    Request,
    Statement,
    StatementRef,
    assembler,
)
from labkit.policy.variables import Variable

__all__ = [
    "DECISION_TABLE",
    "RCP_SERVICES",
    "Row",
    "evaluate",
    "evaluate_detailed",
    "resource_owner_of",
    "same_account",
]


# --- compiled statements ----------------------------------------------------


class _PatternSet:
    """Several patterns tested as one: literals in a set, static wildcards
    one compiled glob after another, and patterns with variables one by one."""

    __slots__ = ("everything", "literals", "prefixes", "globs", "dynamic", "lower")

    def __init__(self, patterns: Sequence[Pattern], lower: bool) -> None:
        self.lower = lower
        self.everything = any(p.text == "*" for p in patterns)
        static = [p for p in patterns if not p.dynamic]
        self.literals = frozenset(p._literal for p in static if p._literal is not None)
        # "s3:Get*" and "arn:aws:s3:::notes/*" are prefixes: one C-level
        # startswith tests hundreds of them (AWS managed policies list many).
        prefixes = [_prefix(p) for p in static if p._glob is not None]
        self.prefixes = tuple(
            (text.lower() if lower else text) for text in prefixes if text is not None
        )
        self.globs = tuple(
            p._glob.match_folded
            for p, prefix in zip([p for p in static if p._glob is not None], prefixes, strict=True)
            if prefix is None
        )
        self.dynamic = tuple(p for p in patterns if p.dynamic)

    def covers(self, value: str, value_lower: str, context: Any) -> bool:
        if self.everything:
            return True
        folded = value_lower if self.lower else value
        if folded in self.literals:
            return True
        if self.prefixes and folded.startswith(self.prefixes):
            return True
        # value_lower is value.lower(), as an ACTION glob would fold it.
        for match in self.globs:
            if match(folded):
                return True
        for pattern in self.dynamic:  # noqa: SIM110 - a loop costs less than any()
            if pattern.match(value, context):
                return True
        return False


def _prefix(pattern: Pattern) -> str | None:
    """The plain text before a pattern's only wildcard, a ``*`` at its end;
    None for any other pattern. In an ARN a ``*`` before the resource part
    stays in its field, so it is no plain prefix."""
    text = pattern.text
    if not text.endswith("*") or "*" in text[:-1] or "?" in text or "$" in text:
        return None
    head = text[:-1]
    if pattern.mode == ARN and head.startswith("arn:") and head.count(":") < 5:
        return None
    return head


# Made for every statement of a policy sent with a call, and for every request.
_new_ref = assembler(StatementRef)
_new_decision = assembler(Decision)


class _Compiled:
    """A statement ready to run."""

    __slots__ = (
        "ref",
        "deny",
        "actions",
        "not_action",
        "resources",
        "not_resource",
        "principals",
        "not_principals",
        "conditions",
        "resource_vars",
        "condition_keys",
        "miss_action",
        "miss_resource",
        "miss_principal",
    )

    def __init__(self, body: _Compiled | None = None, ref: StatementRef | None = None) -> None:
        if body is not None:  # a shared body, bound to one policy's statement
            self.ref = ref
            # The reasons it may not apply, each made the first time it is
            # needed and then kept: a policy sent with every call is compiled
            # for one request, which needs one reason at most.
            self.miss_action: Miss | None = None
            self.miss_resource: Miss | None = None
            self.miss_principal: Miss | None = None
            self.deny = body.deny
            self.actions = body.actions
            self.not_action = body.not_action
            self.resources = body.resources
            self.not_resource = body.not_resource
            self.principals = body.principals
            self.not_principals = body.not_principals
            self.conditions = body.conditions
            self.resource_vars = body.resource_vars
            self.condition_keys = body.condition_keys

    def missed(self, reason: str) -> Miss:
        """The reason ``action``, ``resource`` or ``principal``, made once."""
        miss = Miss(self.ref, reason)  # type: ignore[arg-type]
        setattr(self, "miss_" + reason, miss)
        return miss

    @classmethod
    def build(cls, statement: Statement, variables: bool) -> _Compiled:
        """Compile a statement (without its StatementRef)."""
        self = cls()
        self.ref = None
        self.deny = statement.effect == "Deny"
        action_texts = statement.actions if statement.actions is not None else statement.not_actions
        self.not_action = statement.actions is None
        self.actions = _pattern_set(tuple(action_texts or ()), ACTION, False)
        if statement.resources is None and statement.not_resources is None:
            # A trust policy may omit Resource: it then covers the role.
            resource_texts: tuple[str, ...] = ("*",)
            self.not_resource = False
        else:
            resource_texts = statement.resources or statement.not_resources or ()
            self.not_resource = statement.resources is None
        self.resources = _pattern_set(tuple(resource_texts), ARN, variables)
        self.resource_vars = _variables(
            [compile_pattern(r, ARN, variables) for r in resource_texts]
        )
        self.principals = statement.principals
        self.not_principals = statement.not_principals
        self.conditions = tuple(compile_condition(c, variables) for c in statement.conditions)
        keys: list[tuple[str, str]] = []
        for c in statement.conditions:
            keys.append((c.key.lower(), c.key))
        for cc in self.conditions:
            keys.extend(_variables([p for p in cc.prepared if isinstance(p, Pattern)]))
        self.condition_keys = tuple(keys)
        return self


@bounded(entries=4096, chars=4_000_000)
def _pattern_set(texts: tuple[str, ...], mode: str, variables: bool) -> _PatternSet:
    return _PatternSet([compile_pattern(t, mode, variables) for t in texts], lower=mode == ACTION)


# Statement bodies, bounded by count and by the text of their patterns.
_BODIES = BoundedCache(entries=8192, chars=8_000_000)


def _weight(statement: Statement) -> int:
    texts = (
        *(statement.actions or ()),
        *(statement.not_actions or ()),
        *(statement.resources or ()),
        *(statement.not_resources or ()),
    )
    return 64 + sum(len(text) for text in texts) + 32 * len(statement.conditions)


def _statement_body(statement: Statement, variables: bool) -> _Compiled:
    # Keyed by what decides, not by Sid or position: a statement that only
    # got a new Sid, or moved, reuses its body; plain tuples hash and compare
    # far faster than the dataclass would.
    key = (
        statement.effect,
        statement.actions,
        statement.not_actions,
        statement.resources,
        statement.not_resources,
        statement.principals,
        statement.not_principals,
        statement.conditions,
        variables,
    )
    hit, body = _BODIES.get(key)
    if not hit:
        body = _Compiled.build(statement, variables)
        _BODIES.put(key, body, _weight(statement))
    return body


def _variables(patterns: Sequence[Pattern]) -> tuple[tuple[str, str], ...]:
    # Variables without a default: their keys count as missing when absent.
    return tuple(
        (part.lookup, part.key)
        for p in patterns
        if p.dynamic
        for part in p.parts
        if isinstance(part, Variable) and part.default is None and not part.broken
    )


# A policy's compiled statements live on the policy object itself, so they go
# when it goes: a global cache would keep every edited policy alive.
_COMPILED = "_labkit_compiled"


def _compiled(policy: Policy, kind: PolicyKind) -> tuple[_Compiled, ...]:
    held: dict[str, tuple[_Compiled, ...]] | None = policy.__dict__.get(_COMPILED)
    if held is not None and kind in held:
        return held[kind]
    variables = policy.variables_enabled
    compiled = tuple(
        _Compiled(
            _statement_body(s, variables),
            _new_ref(
                policy=policy.name,
                policy_type=policy.source,
                kind=kind,
                effect=s.effect,
                index=s.index,
                sid=s.sid,
                start=s.start,
                end=s.end,
                arn=policy.arn,
            ),
        )
        for s in policy.statements
    )
    if held is None:
        held = policy.__dict__[_COMPILED] = {}
    held[kind] = compiled
    return compiled


# --- accounts ---------------------------------------------------------------


def resource_owner_of(request: Request, resource_owner: str | None = None) -> str | None:
    """The account that owns the requested resource: ``resource_owner`` if
    given, else the account in the resource ARN, else the caller's."""
    if resource_owner:
        return matching.account_of(resource_owner) or resource_owner
    return matching.account_of(request.resource) or caller_of(request.principal).account


def same_account(request: Request, resource_owner: str | None = None) -> bool:
    """Whether the caller and the resource owner are the same account."""
    caller = caller_of(request.principal).account
    return caller is None or caller == resource_owner_of(request, resource_owner)


# --- evaluation -------------------------------------------------------------


class _Side:
    """What one kind of policy said: its matching denies and allows, and for
    a resource or trust policy the strongest principal match of its allows.
    For organization policies, ``closed`` is True when some level of the
    organization has no allow for the request."""

    __slots__ = ("present", "denies", "allows", "level", "closed_at")

    def __init__(self, present: bool) -> None:
        self.present = present
        self.denies: list[StatementRef] = []
        self.allows: list[StatementRef] = []
        self.level = NO_MATCH
        self.closed_at: int | None = None  # the first organization level with no allow

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def decision(self) -> DecisionName:
        if self.denies:
            return EXPLICIT_DENY
        return ALLOWED if self.allows and not self.closed else IMPLICIT_DENY


_ABSENT = _Side(False)  # a kind of policy the request has none of


def _run(
    statements: tuple[_Compiled, ...],
    side: _Side,
    request: Request,
    action_lower: str,
    caller: Caller | None,
    misses: list[Miss],
    missing: dict[str, str],
    boundaries_present: bool = False,
) -> None:
    context = request.context
    action = request.action
    resource = request.resource
    for st in statements:
        if st.actions.covers(action, action_lower, context) == st.not_action:
            misses.append(st.miss_action or st.missed("action"))
            continue
        if st.resource_vars:
            for lookup, written in st.resource_vars:
                if lookup not in context:
                    missing.setdefault(lookup, written)
        if st.resources.covers(resource, resource, context) == st.not_resource:
            misses.append(st.miss_resource or st.missed("resource"))
            continue
        level = DIRECT_MATCH
        if caller is not None:
            if st.principals is not None:
                level = principal_block_match(st.principals, caller)
            elif st.not_principals is not None:
                # A Deny with NotPrincipal in a resource policy always applies
                # to a principal that has a permissions boundary.
                if not (st.deny and boundaries_present) and not_principal_excludes(
                    st.not_principals, caller
                ):
                    level = NO_MATCH
            else:
                level = NO_MATCH
            if level == NO_MATCH:
                misses.append(st.miss_principal or st.missed("principal"))
                continue
        for lookup, written in st.condition_keys:
            if lookup not in context:
                missing.setdefault(lookup, written)
        failed = None
        for cc in st.conditions:
            if not cc.matches(context):
                failed = cc
                break
        if failed is not None:
            c = failed.condition
            misses.append(
                Miss(st.ref, "condition", c.key, c.operator, context.get(failed.lookup), c.values)
            )
            continue
        if st.deny:
            side.denies.append(st.ref)
        else:
            side.allows.append(st.ref)
            if level > side.level:
                side.level = level


# The services whose resources resource control policies govern (AWS
# Organizations User Guide, "Resource control policies": the list of
# supported services). For any other service's action an RCP has no effect.
RCP_SERVICES = frozenset(
    {
        "s3",
        "sts",
        "kms",
        "sqs",
        "secretsmanager",
        "cognito-identity",
        "logs",
        "dynamodb",
        "ecr",
        "aoss",
    }
)
# SCPs limit the IAM users and roles of member accounts (and their root
# users); an AWS service acting as itself is not theirs to limit.
_SCP_EXEMPT_CALLERS = frozenset({"service", "anonymous"})


def evaluate(
    request: Request,
    identity: PolicySet | Sequence[Policy] = (),
    boundaries: Sequence[Policy] = (),
    session: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    *,
    resource_owner: str | None = None,
    scps: Sequence[Policy] | Sequence[Sequence[Policy]] = (),
    rcps: Sequence[Policy] | Sequence[Sequence[Policy]] = (),
) -> Decision:
    """Decide ``request`` against every policy that applies.

    Pass a :class:`~labkit.policy.model.PolicySet` as the second argument,
    or the kinds one by one: ``identity`` are the caller's identity-based
    policies, ``boundaries`` its permissions boundary (at most one in AWS;
    several must all allow), ``session`` the session policies passed when the
    session was created, and ``resource_policy`` the resource's policy: a
    role's trust policy when its kind is ``"trust"``. ``resource_owner``
    overrides the account read from the resource ARN (which falls back to the
    caller's account).

    Service and resource control policies come in a PolicySet's ``scps``
    and ``rcps`` (or the keywords of the same names), by level of the
    organization from its root down; a plain list of policies is one level.
    SCPs do not apply to an AWS service calling as itself; RCPs only to the
    services in :data:`RCP_SERVICES`.

    The decision records each kind's own verdict (``Decision.verdicts``) and
    the row of :data:`DECISION_TABLE` that decided (``Decision.row``).
    """
    policies = (
        identity
        if isinstance(identity, PolicySet)
        else PolicySet(
            tuple(identity),
            tuple(boundaries),
            tuple(session),
            resource_policy,
            _as_levels(scps),
            _as_levels(rcps),
        )
    )
    return _decide(request, policies, resource_owner)


def _as_levels(
    given: Sequence[Policy] | Sequence[Sequence[Policy]],
) -> tuple[tuple[Policy, ...], ...]:
    """Levels of organization policies; a plain list of policies is one level."""
    if not given:
        return ()
    if all(isinstance(item, Policy) for item in given):
        return (tuple(given),)  # type: ignore[arg-type]
    return tuple(tuple(level) for level in given)  # type: ignore[arg-type]


def evaluate_detailed(
    request: Request,
    identity: PolicySet | Sequence[Policy] = (),
    boundaries: Sequence[Policy] = (),
    session: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    *,
    resource_owner: str | None = None,
) -> tuple[Decision, dict[str, DecisionName]]:
    """:func:`evaluate`, with each kind's own verdict returned beside the
    decision, as AWS's simulator reports them."""
    decision = evaluate(
        request, identity, boundaries, session, resource_policy, resource_owner=resource_owner
    )
    return decision, dict(decision.verdicts)


def _decide(request: Request, policies: PolicySet, resource_owner: str | None) -> Decision:
    action_lower = request.action.lower()
    misses: list[Miss] = []
    missing: dict[str, str] = {}
    bounded = bool(policies.boundary)
    resource_policy = policies.resource
    resource_kind: PolicyKind = (
        "trust" if resource_policy is not None and resource_policy.kind == "trust" else "resource"
    )
    caller = caller_of(request.principal)

    def side(kind: PolicyKind, given: Sequence[Policy], who: Caller | None) -> _Side:
        found = _Side(True)
        for policy in given:
            _run(
                _compiled(policy, kind), found, request, action_lower, who, misses, missing, bounded
            )
        return found

    def levels(kind: PolicyKind, given: tuple[tuple[Policy, ...], ...]) -> _Side:
        # Every level from the root to the account must allow; any may deny.
        found = _Side(True)
        for depth, level in enumerate(given):
            allows = len(found.allows)
            for policy in level:
                _run(_compiled(policy, kind), found, request, action_lower, None, misses, missing)
            if len(found.allows) == allows and found.closed_at is None:
                found.closed_at = depth
        return found

    scp = (
        levels("scp", policies.scps)
        if policies.scps and caller.kind not in _SCP_EXEMPT_CALLERS
        else _ABSENT
    )
    rcp = (
        levels("rcp", policies.rcps)
        if policies.rcps and action_lower.partition(":")[0] in RCP_SERVICES
        else _ABSENT
    )
    identity = side("identity", policies.identity, None)
    boundary = side("boundary", policies.boundary, None) if bounded else _ABSENT
    session = side("session", policies.session, None) if policies.session else _ABSENT
    resource = (
        side(resource_kind, (resource_policy,), caller) if resource_policy is not None else _ABSENT
    )
    facts = _Facts(
        identity,
        boundary,
        session,
        resource,
        resource_kind,
        caller,
        same_account(request, resource_owner),
        scp,
        rcp,
    )
    for row in DECISION_TABLE:
        if row.applies(facts):
            break
    decision, denied_by = row.outcome(facts)
    sides = (identity, boundary, session, resource)
    if decision == EXPLICIT_DENY:
        matched = tuple(ref for found in (scp, rcp, *sides) for ref in found.denies)
    elif decision == ALLOWED:
        # The guardrails let the request through; the grant is the policies'.
        matched = tuple(ref for found in sides for ref in found.allows)
    else:
        matched = ()
    verdicts = {"identity": identity.decision}
    if scp.present:
        verdicts["scp"] = scp.decision
    if rcp.present:
        verdicts["rcp"] = rcp.decision
    if boundary.present:
        verdicts["boundary"] = boundary.decision
    if session.present:
        verdicts["session"] = session.decision
    if resource.present:
        verdicts[resource_kind] = resource.decision
    return _new_decision(
        decision=decision,
        request=request,
        matched=matched,
        misses=tuple(misses),
        missing_context=tuple(missing.values()),
        denied_by=denied_by,
        boundary_decision=boundary.decision if boundary.present else None,
        verdicts=verdicts,
        row=row.name,
        closed_level=(rcp if denied_by == "rcp" else scp).closed_at
        if decision == IMPLICIT_DENY
        else None,
    )


# --- the decision table -----------------------------------------------------


class _Facts:
    """What the policies of each kind said about one request, read once."""

    __slots__ = (
        "identity",
        "boundary",
        "session",
        "resource",
        "resource_kind",
        "caller",
        "same",
        "limits_gap",
        "identity_gap",
        "granted",
        "denier",
        "scp",
        "rcp",
    )

    def __init__(
        self,
        identity: _Side,
        boundary: _Side,
        session: _Side,
        resource: _Side,
        resource_kind: DenialSource,
        caller: Caller,
        same: bool,
        scp: _Side = _ABSENT,
        rcp: _Side = _ABSENT,
    ) -> None:
        self.identity = identity
        self.scp = scp
        self.rcp = rcp
        self.boundary = boundary
        self.session = session
        self.resource = resource
        self.resource_kind = resource_kind
        self.caller = caller
        self.same = same
        # The limit (boundary, then session policy) that does not allow, if any.
        self.limits_gap: DenialSource | None = None
        if boundary.present and not boundary.allows:
            self.limits_gap = "boundary"
        elif session.present and not session.allows:
            self.limits_gap = "session"
        # What keeps the identity side from allowing, within the limits.
        self.identity_gap: DenialSource | None = (
            "identity" if not identity.allows else self.limits_gap
        )
        # How closely the resource-based policy's allows name the caller.
        self.granted = resource.level if resource.present else NO_MATCH
        # The first kind of policy with a matching explicit Deny: the
        # organization's guardrails are read first.
        self.denier: DenialSource | None = None
        for found, kind in (
            (scp, "scp"),
            (rcp, "rcp"),
            (identity, "identity"),
            (resource, resource_kind),
            (boundary, "boundary"),
            (session, "session"),
        ):
            if found.denies:
                self.denier = kind  # type: ignore[assignment]
                break


Outcome = tuple[DecisionName, "DenialSource | None"]


@dataclass(frozen=True)
class Row:
    """One row of the decision table: when it applies, and what it decides."""

    name: str
    when: str
    then: str
    applies: Callable[[_Facts], bool]
    outcome: Callable[[_Facts], Outcome]


def _result(gap: DenialSource | None) -> Outcome:
    return (ALLOWED, None) if gap is None else (IMPLICIT_DENY, gap)


# Read top to bottom: the first row that applies decides. A same-account
# grant naming only the account (``arn:aws:iam::ACCT:root``) delegates to
# identity policies, so it alone allows nothing.
DECISION_TABLE: tuple[Row, ...] = (
    Row(
        "explicit-deny",
        "a Deny statement in any policy matches the request",
        "denied: an explicit deny always wins",
        lambda f: f.denier is not None,
        lambda f: (EXPLICIT_DENY, f.denier),
    ),
    Row(
        "rcp-not-allowed",
        "a resource control policy applies, and at some level of the organization, "
        "from its root down to the resource's account, no statement allows the request",
        "denied: every level of the organization must allow it",
        lambda f: f.rcp.closed,
        lambda f: (IMPLICIT_DENY, "rcp"),
    ),
    Row(
        "scp-not-allowed",
        "a service control policy applies, and at some level of the organization, "
        "from its root down to the caller's account, no statement allows the request",
        "denied: every level of the organization must allow it, even for an "
        "account's administrator or root user",
        lambda f: f.scp.closed,
        lambda f: (IMPLICIT_DENY, "scp"),
    ),
    Row(
        "root",
        "the caller is the account's root user, in its own account (within "
        "the organization's guardrails)",
        "allowed: the root user has full access to its own account",
        lambda f: f.same and f.caller.kind == "root",
        lambda f: (ALLOWED, None),
    ),
    Row(
        "identity-only",
        "no resource-based policy applies, in the caller's own account",
        "allowed only if an identity-based policy allows, within any "
        "permissions boundary and session policy",
        lambda f: not f.resource.present and f.same,
        lambda f: _result(f.identity_gap),
    ),
    Row(
        "cross-account-no-resource-policy",
        "no resource-based policy applies, and the resource is in another account",
        "denied: across accounts the resource's owner must grant access too",
        lambda f: not f.resource.present,
        lambda f: _result(f.identity_gap or f.resource_kind),
    ),
    Row(
        "service",
        "the caller is an AWS service",
        "allowed only if the resource-based policy names the service",
        lambda f: f.caller.kind == "service",
        lambda f: _result(None if f.granted == DIRECT_MATCH else f.resource_kind),
    ),
    Row(
        "trust-not-granted",
        "the role's trust policy does not trust the caller (nor its account)",
        "denied: a role can be assumed only by a principal its trust policy names",
        lambda f: f.granted == NO_MATCH and f.resource_kind == "trust",
        lambda f: (IMPLICIT_DENY, "trust"),
    ),
    Row(
        "cross-account-not-granted",
        "the resource is in another account and its policy does not name the caller",
        "denied: the resource's owner did not grant access",
        lambda f: not f.same and f.granted == NO_MATCH,
        lambda f: _result(f.identity_gap or f.resource_kind),
    ),
    Row(
        "cross-account",
        "the resource is in another account and its policy names the caller",
        "allowed only if the caller's own identity-based policies allow too",
        lambda f: not f.same,
        lambda f: _result(f.identity_gap),
    ),
    Row(
        "resource-names-caller",
        "the resource-based policy allows the caller itself, by its exact ARN",
        "allowed, whatever the identity-based policies say",
        lambda f: f.granted == DIRECT_MATCH,
        lambda f: (ALLOWED, None),
    ),
    Row(
        "resource-names-role",
        "the resource-based policy allows the role behind the caller's session",
        "allowed within the permissions boundary and session policies",
        lambda f: f.granted == ROLE_MATCH,
        lambda f: _result(f.limits_gap),
    ),
    Row(
        "identity-decides",
        "the resource-based policy names only the caller's account, or nobody",
        "allowed only if an identity-based policy allows, within any "
        "permissions boundary and session policy",
        lambda f: True,
        lambda f: _result(f.identity_gap),
    ),
)

ROWS: dict[str, Row] = {row.name: row for row in DECISION_TABLE}
