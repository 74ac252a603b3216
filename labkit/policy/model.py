"""The policy engine's data: policies, statements, requests and decisions.

Everything here is frozen, plain data. Source locations ride along for
messages and AWS's simulator positions but never take part in equality, so
two policies that say the same thing compare equal wherever they were written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import cache
from typing import Any, Literal, NamedTuple, TypeVar

PolicyKind = Literal["identity", "resource", "trust", "boundary", "session", "scp", "rcp"]
Effect = Literal["Allow", "Deny"]
DecisionName = Literal["allowed", "explicitDeny", "implicitDeny"]

# The decision words of AWS's policy simulator (EvalDecision).
ALLOWED: DecisionName = "allowed"
EXPLICIT_DENY: DecisionName = "explicitDeny"
IMPLICIT_DENY: DecisionName = "implicitDeny"


_T = TypeVar("_T")


def assembler(cls: type[_T]) -> Callable[..., _T]:
    """A maker of ``cls`` for values already checked: ``make(**values)`` is
    ``cls(**values)`` without the per-field ``__setattr__`` a frozen
    dataclass pays (the engine makes one per request or statement). Fields
    left out take their defaults; every field without one must be given."""
    template = {f.name: f.default for f in fields(cls)}  # every field, in order

    def make(**values: Any) -> _T:
        made = object.__new__(cls)
        state = made.__dict__
        state.update(template)
        state.update(values)  # in their places: the fields' order is kept
        return made

    return make


def amended(value: _T, **changes: Any) -> _T:
    """``dataclasses.replace(value, **changes)``, several times cheaper: the
    fields are already checked, and nothing is run again."""
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__, **changes)
    return copy


@dataclass(frozen=True)
class Location:
    """A 1-based line and column in a policy's JSON text."""

    line: int
    column: int


class PolicyError(ValueError):
    """A policy document IAM would refuse.

    ``code`` is AWS's error code (``MalformedPolicyDocument``), ``message`` its
    words, and ``line``/``column`` (1-based) point at the offending place when
    the policy was given as text.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "MalformedPolicyDocument",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{code}: {message}{where}")


@dataclass(frozen=True)
class Condition:
    """One ``operator: {key: values}`` entry of a Condition block.

    ``operator`` and ``key`` are kept as written; ``values`` are the JSON
    values as given (strings, booleans or numbers); the operator decides how
    they compare.
    """

    operator: str
    key: str
    values: tuple[Any, ...]
    location: Location | None = field(default=None, compare=False)


# A principal block as (type, values) pairs, e.g. (("AWS", ("arn:...",)),).
# "Principal": "*" is stored as (("*", ("*",)),).
PrincipalBlock = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Statement:
    """One statement. Exactly one of each Action/NotAction and
    Resource/NotResource pair is set (Resource may be absent in a trust
    policy); ``index`` is its 1-based position in the policy."""

    index: int
    effect: Effect
    sid: str | None = None
    actions: tuple[str, ...] | None = None
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principals: PrincipalBlock | None = None
    not_principals: PrincipalBlock | None = None
    conditions: tuple[Condition, ...] = ()
    start: Location | None = field(default=None, compare=False)
    end: Location | None = field(default=None, compare=False)

    @property
    def label(self) -> str:
        """The Sid, or ``statement N`` when there is none."""
        return self.sid if self.sid else f"statement {self.index}"


@dataclass(frozen=True)
class Policy:
    """A parsed, valid policy document.

    ``name`` and ``source`` say where it came from for explanations and the
    simulator's ``SourcePolicyId``/``SourcePolicyType`` (e.g. ``"Allow-MFA"``
    and ``"IAM Policy"``); set them with :meth:`named`.
    """

    version: str
    statements: tuple[Statement, ...]
    kind: PolicyKind = "identity"
    id: str | None = None
    name: str = field(default="", compare=False)
    source: str = field(default="IAM Policy", compare=False)
    arn: str | None = field(default=None, compare=False)  # a managed policy's ARN

    @classmethod
    def parse(cls, document: str | Mapping[str, Any], kind: PolicyKind = "identity") -> Policy:
        """Parse and validate a policy given as JSON text or a dict.

        Raises :class:`PolicyError` (and nothing else) when IAM would refuse it.
        """
        return _parser()(document, kind)

    def named(self, name: str, source: str | None = None, arn: str | None = None) -> Policy:
        """This policy labelled with a name (and source type, and a managed
        policy's ARN) for explanations, denial messages and the simulator."""
        # The same name asked again gets the same copy, whose compiled
        # statements are then reused: text sent with every call (as AWS's API
        # takes it) is parsed and compiled once.
        key = (name, source or self.source, arn)
        named = self.__dict__.setdefault("_labkit_named", {})
        found = named.get(key)
        if found is not None:
            return found
        # The Lab names every policy it reads: a cheap copy.
        copy = amended(self, name=key[0], source=key[1], arn=arn)
        # Compiled statements carry the name: the copy compiles its own.
        copy.__dict__.pop("_labkit_compiled", None)
        copy.__dict__["_labkit_named"] = {}
        if len(named) < 64:
            named[key] = copy
        return copy

    @property
    def variables_enabled(self) -> bool:
        """Policy variables are substituted only in ``2012-10-17`` policies."""
        return self.version == "2012-10-17"


@cache
def _parser() -> Any:
    # Imported on first use (parse imports this module); kept, because an
    # import statement run on every call costs about a microsecond.
    from labkit.policy.parse import parse_policy

    return parse_policy


ContextValue = str | Sequence[str]


@dataclass(frozen=True)
class Request:
    """One request to decide: who asks to do what on which resource.

    ``context`` maps condition keys (any case) to a string or a list of
    strings, as AWS's request context does. Booleans and numbers given for
    convenience are turned into AWS's string forms (``"true"``, ``"3600"``).
    """

    action: str
    resource: str = "*"
    principal: str | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "context", _normalize_context(self.context))

    def asking(self, action: str, resource: str) -> Request:
        """The same caller and context asking for another action or resource.

        The context is already in normal form: nothing is read again.
        """
        return amended(self, action=action, resource=resource)

    def value(self, key: str) -> ContextValue | None:
        """The context value for ``key`` (case-insensitive), or None."""
        return self.context.get(key.lower())


def _as_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(Decimal(value))  # str() refuses ints of more than 4,300 digits
    return str(value)


class NormalContext(dict):  # type: ignore[type-arg]
    """A request context already in normal form (keys lowercased, values
    strings or tuples of strings): read as it is, never normalized again."""


def _normalize_context(context: Mapping[str, Any]) -> Mapping[str, ContextValue]:
    if type(context) is NormalContext:
        return context
    normalized: dict[str, ContextValue] = NormalContext()
    for key, value in context.items():
        if isinstance(value, (list, tuple, set, frozenset)):
            normalized[key.lower()] = tuple(_as_string(v) for v in value)
        else:
            normalized[key.lower()] = _as_string(value)
    return normalized


@dataclass(frozen=True)
class StatementRef:
    """Which statement of which policy: enough to point a learner at it."""

    policy: str
    policy_type: str
    kind: PolicyKind
    effect: Effect
    index: int
    sid: str | None = None
    start: Location | None = field(default=None, compare=False)
    end: Location | None = field(default=None, compare=False)
    arn: str | None = field(default=None, compare=False)  # the managed policy's ARN

    @property
    def label(self) -> str:
        """The Sid, or ``statement N`` when there is none."""
        return self.sid if self.sid else f"statement {self.index}"


@dataclass(frozen=True)
class PolicySet:
    """Every policy that takes part in one decision, by kind.

    ``identity`` are the caller's identity-based policies (inline, managed,
    through groups, and account-level grants); ``boundary`` its permissions
    boundary (AWS allows one; several must all allow); ``session`` the
    session policies passed when its session was made; ``resource`` the
    resource's own policy (a bucket policy, or a role's trust policy when its
    kind is ``"trust"``).

    ``scps`` are the service control policies over the caller's account and
    ``rcps`` the resource control policies over the resource's account, each
    as levels from the organization root down to the account (a tuple of
    policies per level): a request needs an allow at every level, and a deny
    at any level refuses it. Leave them empty where no organization policy
    applies (no organization, or the management account).
    """

    identity: tuple[Policy, ...] = ()
    boundary: tuple[Policy, ...] = ()
    session: tuple[Policy, ...] = ()
    resource: Policy | None = None
    scps: tuple[tuple[Policy, ...], ...] = ()
    rcps: tuple[tuple[Policy, ...], ...] = ()


class Miss(NamedTuple):
    """Why one statement did not apply to the request.

    ``reason`` is one of ``action``, ``resource``, ``principal`` or
    ``condition``. For a condition, ``key``, ``operator``, ``request_value``
    (None when the request lacked the key) and ``policy_values`` say which
    test failed. (A named tuple: the engine makes many, and reads few.)
    """

    statement: StatementRef
    reason: Literal["action", "resource", "principal", "condition"]
    key: str | None = None
    operator: str | None = None
    request_value: ContextValue | None = None
    policy_values: tuple[Any, ...] = ()


# Which kind of policy decided a denial, in the words AWS's AccessDenied
# messages use: "... because no identity-based policy allows ...",
# "... with an explicit deny in a resource-based policy" and "... because no
# service control policy allows ...".
DenialSource = Literal["identity", "resource", "boundary", "session", "trust", "scp", "rcp"]


@dataclass(frozen=True)
class Decision:
    """The engine's answer for one request, with its reasons as data.

    ``decision`` is AWS's simulator word. ``matched`` lists the statements
    that decided it: the explicit denies, or the allows that granted it.
    ``misses`` tells, for every statement that did not apply, why.
    ``missing_context`` names condition keys the policies tested but the
    request did not carry. ``denied_by`` names the kind of policy that caused
    a denial (None when allowed). ``boundary_decision`` is the permissions
    boundaries' own verdict when any were given. ``verdicts`` holds each
    kind of policy's own verdict (``identity`` always; ``boundary``,
    ``session``, ``resource`` or ``trust`` when present), and ``row`` names
    the row of the decision table (``labkit.policy.evaluate.DECISION_TABLE``)
    that reached the final decision. When a service or resource control
    policy left the request without an allow, ``closed_level`` is the level
    of the organization (0 for its root) that had none.
    """

    decision: DecisionName
    request: Request
    matched: tuple[StatementRef, ...] = ()
    misses: tuple[Miss, ...] = ()
    missing_context: tuple[str, ...] = ()
    denied_by: DenialSource | None = None
    boundary_decision: DecisionName | None = None
    verdicts: Mapping[str, DecisionName] = field(default_factory=dict, compare=False)
    row: str | None = field(default=None, compare=False)
    closed_level: int | None = field(default=None, compare=False)

    @property
    def allowed(self) -> bool:
        """True when the request is allowed."""
        return self.decision == ALLOWED

    def explain(self) -> str:
        """A short explanation a learner can read."""
        from labkit.policy.explain import explain

        return explain(self)
