"""Condition operators, as one table of small records.

Each :class:`Operator` says how to read a request value (``parse``), how to
prepare a policy value once (``prepare``), and how one request value compares
with one prepared policy value (``test``). Negated operators reuse the test
of their positive twin: a value satisfies ``StringNotEquals`` when it equals
none of the policy values (the policy values are NORed).

:func:`condition_matches` adds what is common to all operators: ``IfExists``,
the ``ForAnyValue:``/``ForAllValues:`` set qualifiers, absent keys, and
``Null``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from labkit.policy.cache import bounded
from labkit.policy.matching import ARN, EXACT, EXACT_CI, LIKE, Pattern, compile_pattern
from labkit.policy.model import Condition, ContextValue

Context = Mapping[str, ContextValue]


# --- reading values ---------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def parse_number(text: str) -> Decimal | None:
    """An integer or decimal, or None."""
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        return None


_EPOCH = re.compile(r"^-?\d+(\.\d+)?$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")


def parse_date(text: str) -> Decimal | None:
    """Seconds since the epoch for an ISO 8601 date/time or an epoch number.

    Times without a zone are UTC; a date alone is its midnight.
    """
    if _EPOCH.match(text):
        return Decimal(text)
    if _YEAR_MONTH.match(text):  # W3C's YYYY-MM, which fromisoformat does not read
        text += "-01"
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    whole = int(moment.replace(microsecond=0).timestamp())
    return Decimal(whole) + Decimal(moment.microsecond) / Decimal(1_000_000)


def parse_bool(text: str) -> str | None:
    """``"true"`` or ``"false"`` (any case), else None."""
    lowered = text.lower()
    return lowered if lowered in ("true", "false") else None


def parse_binary(text: str) -> bytes | None:
    """Base64 text decoded, or None."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An IPv4 or IPv6 address, or None."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR block (a bare address is a /32 or /128), or None."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _identity(text: str) -> str:
    return text


# --- the operator table -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Operator:
    """One condition operator (without ``IfExists`` or a set qualifier)."""

    name: str
    value_type: str
    negated: bool
    variables: bool
    wildcards: bool
    parse: Callable[[str], Any]
    prepare: Callable[[Any, bool], Any]
    test: Callable[[Any, Any, Context], bool | None]


def _pattern(mode: str) -> Callable[[Any, bool], Pattern]:
    def prepare(value: Any, variables: bool) -> Pattern:
        return compile_pattern(_text(value), mode, variables)

    return prepare


def _pattern_test(request: str, policy: Pattern, context: Context) -> bool | None:
    return policy.match(request, context)


def _prepare_with(parse: Callable[[str], Any]) -> Callable[[Any, bool], Any]:
    def prepare(value: Any, variables: bool) -> Any:
        return parse(_text(value))

    return prepare


def _compare(check: Callable[[Any, Any], bool]) -> Callable[[Any, Any, Context], bool]:
    def test(request: Any, policy: Any, context: Context) -> bool:
        return policy is not None and check(request, policy)

    return test


def _in_network(address: Any, network: Any, context: Context) -> bool:
    return network is not None and address.version == network.version and address in network


def _record(
    name: str,
    value_type: str,
    parse: Callable[[str], Any],
    prepare: Callable[[Any, bool], Any],
    test: Callable[[Any, Any, Context], bool | None],
    *,
    negated: bool = False,
    variables: bool = False,
    wildcards: bool = False,
) -> Operator:
    return Operator(name, value_type, negated, variables, wildcards, parse, prepare, test)


def _family(
    names: tuple[tuple[str, Callable[[Any, Any], bool], bool], ...],
    value_type: str,
    parse: Callable[[str], Any],
) -> list[Operator]:
    prepare = _prepare_with(parse)
    return [
        _record(name, value_type, parse, prepare, _compare(check), negated=negated)
        for name, check, negated in names
    ]


def _eq(a: Any, b: Any) -> bool:
    return a == b


def _lt(a: Any, b: Any) -> bool:
    return a < b


def _le(a: Any, b: Any) -> bool:
    return a <= b


def _gt(a: Any, b: Any) -> bool:
    return a > b


def _ge(a: Any, b: Any) -> bool:
    return a >= b


def _ordering(prefix: str) -> tuple[tuple[str, Callable[[Any, Any], bool], bool], ...]:
    return (
        (f"{prefix}Equals", _eq, False),
        (f"{prefix}NotEquals", _eq, True),
        (f"{prefix}LessThan", _lt, False),
        (f"{prefix}LessThanEquals", _le, False),
        (f"{prefix}GreaterThan", _gt, False),
        (f"{prefix}GreaterThanEquals", _ge, False),
    )


def _string(name: str, mode: str, negated: bool) -> Operator:
    return _record(
        name,
        "string",
        _identity,
        _pattern(mode),
        _pattern_test,
        negated=negated,
        variables=True,
        wildcards=mode == LIKE,
    )


def _arn(name: str, negated: bool) -> Operator:
    # ArnEquals and ArnLike behave the same: both honour wildcards per segment.
    return _record(
        name,
        "arn",
        _identity,
        _pattern(ARN),
        _pattern_test,
        negated=negated,
        variables=True,
        wildcards=True,
    )


def _bool_prepare(value: Any, variables: bool) -> Pattern:
    return compile_pattern(_text(value), EXACT_CI, variables)


def _null_never(request: Any, policy: Any, context: Context) -> bool:  # pragma: no cover
    return False


OPERATORS: tuple[Operator, ...] = (
    _string("StringEquals", EXACT, False),
    _string("StringNotEquals", EXACT, True),
    _string("StringEqualsIgnoreCase", EXACT_CI, False),
    _string("StringNotEqualsIgnoreCase", EXACT_CI, True),
    _string("StringLike", LIKE, False),
    _string("StringNotLike", LIKE, True),
    *_family(_ordering("Numeric"), "numeric", parse_number),
    *_family(_ordering("Date"), "date", parse_date),
    _record("Bool", "bool", parse_bool, _bool_prepare, _pattern_test, variables=True),
    _record("BinaryEquals", "binary", parse_binary, _prepare_with(parse_binary), _compare(_eq)),
    _record("IpAddress", "ip", parse_ip, _prepare_with(parse_network), _in_network),
    _record(
        "NotIpAddress", "ip", parse_ip, _prepare_with(parse_network), _in_network, negated=True
    ),
    _arn("ArnEquals", False),
    _arn("ArnLike", False),
    _arn("ArnNotEquals", True),
    _arn("ArnNotLike", True),
    # Null looks only at whether the key is present; see condition_matches.
    _record("Null", "null", _identity, _prepare_with(parse_bool), _null_never),
)

BY_NAME: dict[str, Operator] = {op.name.lower(): op for op in OPERATORS}


@dataclass(frozen=True, slots=True)
class ResolvedOperator:
    """A written operator name taken apart: the base operator, its set
    qualifier (``"any"``, ``"all"`` or None) and whether it ends in IfExists."""

    operator: Operator
    qualifier: str | None
    if_exists: bool


@bounded(entries=1024, chars=200_000)
def resolve_operator(name: str) -> ResolvedOperator | None:
    """Look up an operator as written, e.g. ``ForAnyValue:StringLikeIfExists``.

    None when IAM has no such operator.
    """
    lowered = name.lower()
    qualifier = None
    if lowered.startswith("foranyvalue:"):
        qualifier, lowered = "any", lowered[len("foranyvalue:") :]
    elif lowered.startswith("forallvalues:"):
        qualifier, lowered = "all", lowered[len("forallvalues:") :]
    if_exists = False
    operator = BY_NAME.get(lowered)
    if operator is None and lowered.endswith("ifexists"):
        operator = BY_NAME.get(lowered[: -len("ifexists")])
        if_exists = True
        if operator is not None and operator.value_type == "null":
            return None
    if operator is None:
        return None
    return ResolvedOperator(operator, qualifier, if_exists)


# --- evaluating one condition -----------------------------------------------


class CompiledCondition:
    """One ``operator: {key: values}`` entry, prepared for fast evaluation."""

    __slots__ = ("condition", "resolved", "lookup", "prepared", "null_expect")

    def __init__(self, condition: Condition, variables: bool) -> None:
        self.condition = condition
        self.resolved = resolve_operator(condition.operator)
        self.lookup = condition.key.lower()
        self.prepared: tuple[Any, ...] = ()
        self.null_expect: frozenset[str] = frozenset()
        if self.resolved is None:
            return
        operator = self.resolved.operator
        if operator.value_type == "null":
            self.null_expect = frozenset(
                v for v in (parse_bool(_text(x)) for x in condition.values) if v
            )
            return
        allow_variables = variables and operator.variables
        self.prepared = tuple(operator.prepare(v, allow_variables) for v in condition.values)

    def matches(self, context: Context) -> bool:
        """Whether the request context satisfies this condition."""
        resolved = self.resolved
        if resolved is None:
            return False
        value = context.get(self.lookup)
        operator = resolved.operator
        if operator.value_type == "null":
            # An empty value is null too: AWS has Null "false" rule out
            # "context keys with empty values" as well as missing ones.
            absent = value is None or len(value) == 0
            return ("true" if absent else "false") in self.null_expect
        qualifier = resolved.qualifier
        if qualifier is not None:
            values = _as_set(value)
            if values is None:
                # An absent key: "for all values" holds vacuously, "for any" fails.
                return resolved.if_exists or qualifier == "all"
            if qualifier == "all":
                return all(self._one(v, context) for v in values)
            return any(self._one(v, context) for v in values)
        if value is None or (not isinstance(value, str) and len(value) == 0):
            # Absent: IfExists and negated operators hold, the rest fail.
            return resolved.if_exists or operator.negated
        if isinstance(value, str):
            return self._one(value, context)
        # A multivalued key without a set qualifier: positive operators need
        # one value to match, negated ones need every value to pass.
        if operator.negated:
            return all(self._one(v, context) for v in value)
        return any(self._one(v, context) for v in value)

    def _one(self, text: str, context: Context) -> bool:
        operator = self.resolved.operator  # type: ignore[union-attr]
        parsed = operator.parse(text)
        if parsed is None:
            return False
        test = operator.test
        hit = False
        for policy in self.prepared:
            if test(parsed, policy, context):
                hit = True
                break
        return hit != operator.negated


def _as_set(value: ContextValue | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        # An empty string is a null data set.
        return () if value == "" else (value,)
    return tuple(value)


@bounded(entries=8192, chars=4_000_000)
def _compiled(
    condition: Condition, texts: tuple[str, ...], types: tuple[type, ...], variables: bool
) -> CompiledCondition:
    return CompiledCondition(condition, variables)


def compile_condition(condition: Condition, variables: bool = True) -> CompiledCondition:
    """The prepared form of a condition (cached)."""
    # Keyed by the values' text, which the cache weighs, and their types: 1,
    # 1.0 and True are equal in Python but not as IAM reads them.
    values = condition.values
    return _compiled(
        condition, tuple(_text(v) for v in values), tuple(map(type, values)), variables
    )


def condition_matches(condition: Condition, context: Context, variables: bool = True) -> bool:
    """Whether one condition holds for a request context.

    ``context`` maps lower-case keys to a string or a tuple of strings, as
    :class:`~labkit.policy.model.Request` stores them.
    """
    return compile_condition(condition, variables).matches(context)
