"""Deciding one request as AWS does.

Each statement is compiled once per policy (patterns, condition values, its
:class:`StatementRef`) and kept while the policy object lives in the cache.
A request then runs every statement of every policy once, recording which
statements applied and, for the others, the first reason they did not.

The verdict itself is the small table in :func:`_verdict`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from labkit.policy import matching
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
    Request,
    Statement,
    StatementRef,
)
from labkit.policy.variables import Variable

__all__ = ["evaluate", "evaluate_detailed", "resource_owner_of", "same_account"]


# --- compiled statements ----------------------------------------------------


class _PatternSet:
    """Several patterns tested as one: literals in a set, static wildcards in
    one combined regex, and patterns with variables one by one."""

    __slots__ = ("everything", "literals", "regex", "dynamic", "lower")

    def __init__(self, patterns: Sequence[Pattern], lower: bool) -> None:
        self.lower = lower
        self.everything = any(p.text == "*" for p in patterns)
        self.literals: frozenset[str] = frozenset()
        self.regex: re.Pattern[str] | None = None
        self.dynamic = tuple(p for p in patterns if p.dynamic)
        literals = []
        sources = []
        for p in patterns:
            if p.dynamic:
                continue
            if p._literal is not None:
                literals.append(p._literal)
            elif p._regex is not None:
                sources.append(p._regex.pattern)
        self.literals = frozenset(literals)
        if sources:
            flags = re.DOTALL | (re.IGNORECASE if lower else 0)
            self.regex = re.compile("|".join(f"(?:{s})" for s in sources), flags)

    def covers(self, value: str, value_lower: str, context: Any) -> bool:
        if self.everything:
            return True
        if (value_lower if self.lower else value) in self.literals:
            return True
        if self.regex is not None and self.regex.fullmatch(value) is not None:
            return True
        return any(p.match(value, context) for p in self.dynamic)


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
    )

    def __init__(self, body: _Compiled | None = None, ref: StatementRef | None = None) -> None:
        if body is not None:  # a shared body, bound to one policy's statement
            self.ref = ref
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


@lru_cache(maxsize=4096)
def _pattern_set(texts: tuple[str, ...], mode: str, variables: bool) -> _PatternSet:
    return _PatternSet([compile_pattern(t, mode, variables) for t in texts], lower=mode == ACTION)


_BODIES: dict[tuple[Any, ...], _Compiled] = {}
_BODIES_LIMIT = 8192


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
    body = _BODIES.get(key)
    if body is None:
        if len(_BODIES) >= _BODIES_LIMIT:
            _BODIES.clear()
        body = _BODIES[key] = _Compiled.build(statement, variables)
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


_CACHE: dict[tuple[int, str], tuple[Policy, tuple[_Compiled, ...]]] = {}
_CACHE_LIMIT = 4096


def _compiled(policy: Policy, kind: PolicyKind) -> tuple[_Compiled, ...]:
    key = (id(policy), kind)
    entry = _CACHE.get(key)
    if entry is not None and entry[0] is policy:
        return entry[1]
    variables = policy.variables_enabled
    compiled = tuple(
        _Compiled(
            _statement_body(s, variables),
            StatementRef(
                policy.name, policy.source, kind, s.effect, s.index, s.sid, s.start, s.end
            ),
        )
        for s in policy.statements
    )
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (policy, compiled)
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
    a resource or trust policy the strongest principal match of its allows."""

    __slots__ = ("present", "denies", "allows", "level")

    def __init__(self, present: bool) -> None:
        self.present = present
        self.denies: list[StatementRef] = []
        self.allows: list[StatementRef] = []
        self.level = NO_MATCH

    @property
    def decision(self) -> DecisionName:
        if self.denies:
            return EXPLICIT_DENY
        return ALLOWED if self.allows else IMPLICIT_DENY


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
            misses.append(Miss(st.ref, "action"))
            continue
        if st.resource_vars:
            for lookup, written in st.resource_vars:
                if lookup not in context:
                    missing.setdefault(lookup, written)
        if st.resources.covers(resource, resource, context) == st.not_resource:
            misses.append(Miss(st.ref, "resource"))
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
                misses.append(Miss(st.ref, "principal"))
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


def evaluate(
    request: Request,
    identity: Sequence[Policy] = (),
    boundaries: Sequence[Policy] = (),
    session: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    *,
    resource_owner: str | None = None,
) -> Decision:
    """Decide ``request`` against the caller's policies and the resource's.

    ``identity`` are the caller's identity-based policies, ``boundaries`` its
    permissions boundary (at most one in AWS; several must all allow),
    ``session`` the session policies passed when the session was created, and
    ``resource_policy`` the resource's policy: a role's trust policy when its
    kind is ``"trust"``. ``resource_owner`` overrides the account read from
    the resource ARN (which falls back to the caller's account).
    """
    return evaluate_detailed(
        request, identity, boundaries, session, resource_policy, resource_owner=resource_owner
    )[0]


def evaluate_detailed(
    request: Request,
    identity: Sequence[Policy] = (),
    boundaries: Sequence[Policy] = (),
    session: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    *,
    resource_owner: str | None = None,
) -> tuple[Decision, dict[str, DecisionName]]:
    """Decide ``request`` against the caller's policies and the resource's.

    ``identity`` are the caller's identity-based policies, ``boundaries`` its
    permissions boundary (at most one in AWS; several must all allow),
    ``session`` the session policies passed when the session was created, and
    ``resource_policy`` the resource's policy: a role's trust policy when its
    kind is ``"trust"``. ``resource_owner`` overrides the account read from
    the resource ARN (which falls back to the caller's account).

    Also returns each kind of policy's own verdict (identity, and boundary,
    session, resource or trust when given), as AWS's simulator reports them.
    """
    action_lower = request.action.lower()
    misses: list[Miss] = []
    missing: dict[str, str] = {}

    identity_side = _Side(True)
    for policy in identity:
        _run(
            _compiled(policy, "identity"),
            identity_side,
            request,
            action_lower,
            None,
            misses,
            missing,
        )
    boundary_side = _Side(bool(boundaries))
    for policy in boundaries:
        _run(
            _compiled(policy, "boundary"),
            boundary_side,
            request,
            action_lower,
            None,
            misses,
            missing,
        )
    session_side = _Side(bool(session))
    for policy in session:
        _run(
            _compiled(policy, "session"), session_side, request, action_lower, None, misses, missing
        )
    resource_kind: PolicyKind = (
        "trust" if resource_policy is not None and resource_policy.kind == "trust" else "resource"
    )
    resource_side = _Side(resource_policy is not None)
    caller = caller_of(request.principal)
    if resource_policy is not None:
        _run(
            _compiled(resource_policy, resource_kind),
            resource_side,
            request,
            action_lower,
            caller,
            misses,
            missing,
            bool(boundaries),
        )

    decision, denied_by = _verdict(
        identity_side,
        boundary_side,
        session_side,
        resource_side,
        resource_kind,
        caller,
        same_account(request, resource_owner),
    )
    sides = (identity_side, boundary_side, session_side, resource_side)
    if decision == EXPLICIT_DENY:
        matched = tuple(ref for side in sides for ref in side.denies)
    elif decision == ALLOWED:
        matched = tuple(ref for side in sides for ref in side.allows)
    else:
        matched = ()
    decision_record = Decision(
        decision=decision,
        request=request,
        matched=matched,
        misses=tuple(misses),
        missing_context=tuple(missing.values()),
        denied_by=denied_by,
        boundary_decision=boundary_side.decision if boundary_side.present else None,
    )
    verdicts = {"identity": identity_side.decision}
    for kind, side in (
        ("boundary", boundary_side),
        ("session", session_side),
        (resource_kind, resource_side),
    ):
        if side.present:
            verdicts[kind] = side.decision
    return decision_record, verdicts


def _verdict(
    identity: _Side,
    boundary: _Side,
    session: _Side,
    resource: _Side,
    resource_kind: DenialSource,
    caller: Caller,
    same: bool,
) -> tuple[DecisionName, DenialSource | None]:
    """The final decision and, for a denial, which kind of policy caused it.

    An explicit deny anywhere wins. Otherwise, with ``limits`` meaning "every
    boundary and session policy given allows" and ``identity`` meaning
    "an identity policy allows, within the limits":

    ==========================  ===============================================
    situation                   allowed when
    ==========================  ===============================================
    caller is the account root  (same account) always
    no resource policy          identity (same account); never (cross account)
    caller is a service         resource policy names the service
    resource policy, same acct  it names the caller or its session exactly;
                                or it names the role behind the session and
                                limits hold; or identity
    trust policy, same account  as a resource policy, but an identity allow
                                counts only if the trust names the account
    cross account (either)      resource or trust policy allows (naming the
                                caller, its role or its account) and identity
    ==========================  ===============================================

    A same-account grant naming only the account (``arn:aws:iam::ACCT:root``)
    delegates to identity policies, so it alone allows nothing.
    """
    for side, kind in (
        (identity, "identity"),
        (resource, resource_kind),
        (boundary, "boundary"),
        (session, "session"),
    ):
        if side.denies:
            return EXPLICIT_DENY, kind  # type: ignore[return-value]

    limits_gap: DenialSource | None = None
    if boundary.present and not boundary.allows:
        limits_gap = "boundary"
    elif session.present and not session.allows:
        limits_gap = "session"
    identity_gap: DenialSource | None = "identity" if not identity.allows else limits_gap
    granted = resource.level if resource.present else NO_MATCH

    if same and caller.kind == "root":
        # The account's root user has full access to its own account.
        return ALLOWED, None
    if not resource.present:
        # Across accounts the resource's owner must grant access too.
        return _result(identity_gap if same else identity_gap or resource_kind)
    if caller.kind == "service":
        return _result(None if granted == DIRECT_MATCH else resource_kind)
    if granted == NO_MATCH and resource_kind == "trust":
        return IMPLICIT_DENY, "trust"
    if not same:
        if granted == NO_MATCH:
            return _result(identity_gap or resource_kind)
        return _result(identity_gap)
    if granted == DIRECT_MATCH:
        return ALLOWED, None
    if granted == ROLE_MATCH:
        return _result(limits_gap)
    # Left: a grant to the account, or none. Either way identity decides; a
    # trust policy must still trust the account, which the check above ensured.
    return _result(identity_gap)


def _result(gap: DenialSource | None) -> tuple[DecisionName, DenialSource | None]:
    return (ALLOWED, None) if gap is None else (IMPLICIT_DENY, gap)
