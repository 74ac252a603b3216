"""Parse and validate a policy document the way IAM does.

Checks run in the order IAM reports them (syntax, legacy parsing, Sid
uniqueness, actions, resource formats, action prefixes, resources,
principals), so a document with several faults gets the message IAM would
give. Messages are IAM's own ``MalformedPolicyDocument`` wording; locations
point at the offending key or value when the policy came as text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from json.decoder import scanstring as _scanstring
from typing import Any

from labkit.policy.cache import BoundedCache, bounded
from labkit.policy.jsonloc import (
    MAX_CHARS,
    SYNTAX,
    JsonSyntaxError,
    Node,
    from_python,
    json_int,
    loads,
)
from labkit.policy.model import (
    Condition,
    Location,
    Policy,
    PolicyError,
    PolicyKind,
    PrincipalBlock,
    Statement,
    amended,
    assembler,
)

# Every new text parsed on the fast path makes one.
_new_policy = assembler(Policy)

LEGACY = "The policy failed legacy parsing"
VERSIONS = ("2012-10-17", "2008-10-17")
DEFAULT_VERSION = "2008-10-17"  # what IAM assumes when Version is absent
KINDS = ("identity", "resource", "trust", "boundary", "session", "scp", "rcp")
# AWS Organizations' policies: every one must be Version 2012-10-17, and every
# character, white space too, counts against their size quota.
ORGANIZATION_KINDS = frozenset({"scp", "rcp"})
ORGANIZATION_POLICY_SIZE = 5120
TOP_KEYS = frozenset({"Version", "Id", "Statement"})
STATEMENT_KEYS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
PRINCIPAL_TYPES = ("AWS", "Service", "Federated", "CanonicalUser")
PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
_OPERATOR_FAMILIES = {
    "String": ("Equals", "NotEquals", "EqualsIgnoreCase", "NotEqualsIgnoreCase", "Like", "NotLike"),
    "Numeric": (
        "Equals",
        "NotEquals",
        "LessThan",
        "LessThanEquals",
        "GreaterThan",
        "GreaterThanEquals",
    ),
    "Date": (
        "Equals",
        "NotEquals",
        "LessThan",
        "LessThanEquals",
        "GreaterThan",
        "GreaterThanEquals",
    ),
    "Arn": ("Equals", "Like", "NotEquals", "NotLike"),
}
BASE_OPERATORS = frozenset(
    [family + suffix for family, suffixes in _OPERATOR_FAMILIES.items() for suffix in suffixes]
    + ["Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "Null"]
)
QUALIFIERS = ("ForAnyValue:", "ForAllValues:")
_IAM_PATHS = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
)
# IAM accepts these too, though its message above does not list them: the
# account's root user ("arn:aws:iam::123456789012:root", on the IAM
# identifiers page) and role templates (a resource type of IAM's in the
# Service Authorization Reference, named in AWS's own managed policies).
_IAM_ROOT = "root"
_IAM_OTHER_PATHS = ("role-template/",)
# S3 resources that live in a Region (the Service Authorization Reference's
# S3 resource types with ${Region} in their ARN); buckets and objects do not.
_S3_REGIONAL_PATHS = (
    "accesspoint/",
    "access-grants/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "async-request/",
)
_SID = re.compile(r"[0-9A-Za-z]*")
_VENDOR_BAD = re.compile(r"[^a-zA-Z0-9\-.]")
_TRUST_ACTION = re.compile(r"(?i)\*|sts:.*")


class InvalidPolicy(PolicyError):
    """A PolicyError that also names the Access Analyzer issue it matches."""

    def __init__(self, message: str, where: Location | None, issue: str) -> None:
        super().__init__(
            message,
            line=where.line if where else None,
            column=where.column if where else None,
        )
        self.issue = issue


@lru_cache(maxsize=1024)
def split_operator(operator: str) -> tuple[str | None, str, bool]:
    """Split ``ForAnyValue:StringLikeIfExists`` into (qualifier, base, if_exists).

    The base is returned as written; it may not be a known operator.
    """
    qualifier = None
    for prefix in QUALIFIERS:
        if operator.startswith(prefix):
            qualifier, operator = prefix[:-1], operator[len(prefix) :]
            break
    if_exists = operator.endswith("IfExists")
    return qualifier, operator[: -len("IfExists")] if if_exists else operator, if_exists


@lru_cache(maxsize=1024)
def is_valid_operator(operator: str) -> bool:
    """True for AWS's condition operators, with set prefixes and IfExists
    where IAM allows them (IfExists never on Null)."""
    _, base, if_exists = split_operator(operator)
    return base in BASE_OPERATORS and not (if_exists and base == "Null")


def parse_policy(
    document: str | Mapping[str, Any], kind: PolicyKind = "identity", *, managed: bool = False
) -> Policy:
    """Parse and validate a policy given as JSON text or a mapping.

    ``kind`` selects IAM's rules for identity, resource, trust, boundary and
    session policies, and AWS Organizations' rules for service control
    policies (``"scp"``: no Principal) and resource control policies
    (``"rcp"``: ``Principal`` ``"*"``, no NotAction, Deny statements only but
    for the full-access statement of AWS's ``RCPFullAWSAccess``); both must
    be Version 2012-10-17 and hold at most 5,120 characters, white space
    included. ``managed=True`` adds CreatePolicy's rule that customer
    managed policies must use Version 2012-10-17 and hold at most 6,144
    characters besides white space; AWS managed policies, some larger, are
    parsed without it. Results are cached by text.
    Raises :class:`PolicyError` (and nothing else) when IAM would refuse it.
    """
    if kind not in KINDS:
        raise PolicyError(
            f"Unknown policy kind {kind!r}; use one of {', '.join(KINDS)}.", code="InvalidInput"
        )
    if isinstance(document, str):
        policy = _parse_text(document, kind, managed)
        text = document
    else:
        if not isinstance(document, Mapping):
            raise JsonSyntaxError(f"{SYNTAX} The policy must be a JSON object.")
        try:
            text = json.dumps(document, allow_nan=False)  # key order is kept: it orders conditions
        except (TypeError, ValueError, RecursionError):
            raise JsonSyntaxError(f"{SYNTAX} The policy is not JSON data.") from None
        policy = _parse_data(text, kind, managed)
    if kind in ORGANIZATION_KINDS:
        size = len(text) if isinstance(document, str) else _compact_size(document)
        if size > ORGANIZATION_POLICY_SIZE:
            raise PolicyError(
                f"Cannot exceed quota for PolicySize: {ORGANIZATION_POLICY_SIZE}",
                code="LimitExceeded",
            )
    elif managed and _size(text) > MANAGED_POLICY_SIZE:
        raise PolicyError(
            f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_SIZE}", code="LimitExceeded"
        )
    return policy


MANAGED_POLICY_SIZE = 6144  # IAM and AWS STS quotas: characters in a managed policy
_NOT_SPACE = re.compile(r"\S")


def _compact_size(document: Mapping[str, Any]) -> int:
    """A document given as data, measured as its JSON text without spaces."""
    return len(json.dumps(document, separators=(",", ":"), ensure_ascii=False))


def _size(text: str) -> int:
    """A policy's size as IAM's quotas count it: white space does not count."""
    return len(_NOT_SPACE.findall(text)) if len(text) > MANAGED_POLICY_SIZE else len(text)


# How much text the caches below may hold, as labkit.policy.cache weighs it
# (twice the characters). A located tree costs some fifteen bytes a character
# of its text and a parsed policy about seven, so each cache stays within
# about 15 MB, while a learner's last versions of a large policy stay cached.
_TREE_CHARS = 2_000_000
_POLICY_CHARS = 4_000_000
_STATEMENT_CHARS = 4_000_000


@bounded(entries=64, chars=_TREE_CHARS)
def parse_tree(text: str) -> Node:
    """The located JSON tree of a policy text (cached)."""
    return loads(text)


@bounded(entries=256, chars=_POLICY_CHARS)
def _parse_text(text: str, kind: PolicyKind, managed: bool) -> Policy:
    # Most texts a learner types are valid JSON and differ from the last one
    # in a single statement: read them with the C JSON reader, reuse what is
    # known of unchanged statements, and locate only the statements. Anything
    # the fast path does not accept goes the located way, which raises the
    # error with its line and column.
    if len(text) <= MAX_CHARS:
        policy = _parse_fast(text, kind, managed)
        if policy is not None:
            return policy
    return _build(parse_tree(text), kind, managed)


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_fast(text: str, kind: PolicyKind, managed: bool) -> Policy | None:
    """The policy, or None when the text needs the located reader.

    The document-level checks mirror ``_statements_of`` on plain data; any
    doubt returns None, so the located reader has the last word.
    """
    read = _read_document(text)
    if read is None:
        return None
    data, spans = read
    if not isinstance(data, dict) or not TOP_KEYS.issuperset(data):
        return None
    version = data.get("Version", DEFAULT_VERSION)
    policy_id = data.get("Id")
    block = data.get("Statement")
    items = [block] if isinstance(block, dict) else block
    if (
        version not in VERSIONS
        or ((managed or kind in ORGANIZATION_KINDS) and version != "2012-10-17")
        or (policy_id is not None and not isinstance(policy_id, str))
        or not isinstance(items, list)
        or not items
        or not all(isinstance(item, dict) for item in items)
    ):
        return None
    sids = [item.get("Sid") for item in items if item.get("Sid")]
    if kind != "resource" and len(set(map(str, sids))) != len(sids):
        return None
    if len(spans) != len(items):
        return None
    # A statement's own text is its cache key: an edit elsewhere reuses it.
    statements = [
        _checked_statement(text[start:end], index, kind, item)
        for index, ((start, end), item) in enumerate(zip(spans, items, strict=True), 1)
    ]
    if None in statements:
        return None
    locate = _Offsets(text)
    located = tuple(
        _with_span(statement, locate(start), locate(end))
        for statement, (start, end) in zip(statements, spans, strict=True)
    )
    return _new_policy(version=version, statements=located, kind=kind, id=policy_id)


_UNREAD: Any = object()
_STATEMENTS = BoundedCache(entries=8192, chars=_STATEMENT_CHARS)


def _checked_statement(
    source: str, index: int, kind: PolicyKind, data: Any = _UNREAD
) -> Statement | None:
    """One statement's JSON text, checked alone (by the same checks as
    ``_build``), or None. Cached by its text; ``data`` is the text already
    decoded, when the caller has it."""
    key = (source, index, kind)
    hit, found = _STATEMENTS.get(key)
    if hit:
        return found  # type: ignore[no-any-return]
    try:
        found = _check_statement(_STRICT.decode(source) if data is _UNREAD else data, index, kind)
    except RecursionError:
        found = None
    _STATEMENTS.put(key, found, 2 * (len(source) + 1))
    return found


_checked_statement.cache = _STATEMENTS  # type: ignore[attr-defined]


def _check_statement(data: Any, index: int, kind: PolicyKind) -> Statement | None:
    try:
        try:
            return _plain_statement(data, index, kind)
        except _Undecided:
            pass
        node = from_python(data)
        for check in STATEMENT_CHECKS:
            check(node, kind)
    except (PolicyError, RecursionError):  # the located reader says where it is wrong
        return None
    return _statement(index, node)


class _Undecided(Exception):
    """The plain reading leaves this statement to the checks on a tree."""


def _is_strings(value: Any) -> bool:
    """A string, or a list of strings: what Action and Resource take."""
    return type(value) is str or (type(value) is list and all(type(v) is str for v in value))


def _listed(value: Any) -> tuple[Any, ...]:
    return tuple(value) if type(value) is list else (value,)


def _condition_value(value: Any) -> bool:
    """A string, number or boolean, as a condition value must be."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is Decimal:
        return kind is not Decimal or value.is_finite()
    return kind is float and math.isfinite(value)


def _plain_statement(data: Any, index: int, kind: PolicyKind) -> Statement | None:
    """The statement read straight from plain data, by the very rules of
    :data:`STATEMENT_CHECKS` (the same functions decide each value), or None
    when IAM would refuse it. A statement with a Principal is left to the
    checks on a tree (raises :class:`_Undecided`).

    This is the reading for text that arrives with every call: it builds no
    tree. ``tests/test_policy_parse_paths.py`` proves it agrees with the
    located reader.
    """
    if type(data) is not dict:
        return None
    if "Principal" in data or "NotPrincipal" in data:
        raise _Undecided
    for key in data:
        if key not in STATEMENT_KEYS:
            return None
    if ("Action" in data and "NotAction" in data) or ("Resource" in data and "NotResource" in data):
        return None
    effect = data.get("Effect")
    if effect not in ("Allow", "Deny"):  # the syntax pass, then the legacy pass (case matters)
        return None
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in data and not _is_strings(data[key]):
            return None
    sid = data.get("Sid")
    if "Sid" in data and (type(sid) is not str or (kind != "resource" and not _SID.fullmatch(sid))):
        return None
    conditions: list[Condition] = []
    block = data.get("Condition")
    if "Condition" in data:
        if type(block) is not dict:
            return None
        for operator, keys in block.items():
            if type(keys) is not dict:
                return None
            date = split_operator(operator)[1].startswith("Date")
            for key, value in keys.items():
                items = _listed(value)
                if not all(_condition_value(item) for item in items):
                    return None
                if date and not all(_legacy_date(item) for item in items):
                    return None
                conditions.append(Condition(operator, key, items))
            if keys and not is_valid_operator(operator):
                return None
    actions = data["Action"] if "Action" in data else data.get("NotAction")
    if actions is None or actions == []:
        return None
    for key in ("Resource", "NotResource"):
        if key in data:
            for resource in _listed(data[key]):
                if _resource_error(resource) is not None or _legacy_arn_error(resource):
                    return None
    for item in _listed(actions):
        if _action_error(item) is not None:
            return None
    resource = data["Resource"] if "Resource" in data else data.get("NotResource")
    if kind == "trust":
        if resource is not None or not all(_TRUST_ACTION.fullmatch(a) for a in _listed(actions)):
            return None
    elif resource is None or resource == []:
        return None
    if kind in ("resource", "trust", "rcp"):
        return None  # a resource, trust or RCP statement needs a Principal
    return Statement(
        index=index,
        effect=effect,
        sid=sid,
        actions=_plain_values(data.get("Action")),
        not_actions=_plain_values(data.get("NotAction")),
        resources=_plain_values(data.get("Resource")),
        not_resources=_plain_values(data.get("NotResource")),
        conditions=tuple(conditions),
    )


def _plain_values(value: Any) -> tuple[str, ...] | None:
    return None if value is None else _listed(value)


def _legacy_arn_error(resource: str) -> bool:
    """IAM's legacy parser refuses an ARN missing a field (checked after its format)."""
    if not resource or resource == "*":
        return False
    parts = resource.split(":")
    return (resource.count(":") < 5 and "::" in resource) or (len(parts) > 2 and parts[2] == "")


_SPACE = re.compile(r"[ \t\n\r]*")
_STRICT = json.JSONDecoder(
    object_pairs_hook=_unique_pairs, parse_constant=_no_constants, parse_int=json_int
)


def _read_document(text: str) -> tuple[dict[str, Any], list[tuple[int, int]]] | None:
    """The document as plain data, with where each statement starts and ends.

    One pass with the C decoder: the top-level object and the Statement array
    are walked by hand, every value in them decoded strictly (no duplicate
    keys, no NaN). None for anything else, which the located reader handles.
    """
    space = _SPACE.match
    data: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    try:
        at = space(text, 0).end()
        if text[at] != "{":
            return None
        at = space(text, at + 1).end()
        while True:
            if text[at] != '"':
                return None
            key, at = _scanstring(text, at + 1)
            at = space(text, at).end()
            if key in data or text[at] != ":":
                return None
            at = space(text, at + 1).end()
            if key == "Statement" and text[at] == "[":
                data[key], at = _read_statements(text, at, spans)
            else:
                start = at
                data[key], at = _STRICT.raw_decode(text, at)
                if key == "Statement":
                    spans.append((start, at))
            at = space(text, at).end()
            if text[at] == ",":
                at = space(text, at + 1).end()
                continue
            if text[at] != "}" or space(text, at + 1).end() != len(text):
                return None
            return data, spans
    except (IndexError, ValueError, RecursionError):
        return None


def _read_statements(text: str, at: int, spans: list[tuple[int, int]]) -> tuple[list[Any], int]:
    """Decode the Statement array at ``at``, noting each item's span."""
    space = _SPACE.match
    items: list[Any] = []
    at = space(text, at + 1).end()
    if text[at] == "]":
        return items, at + 1
    while True:
        item, end = _STRICT.raw_decode(text, at)
        items.append(item)
        spans.append((at, end))
        at = space(text, end).end()
        if text[at] == "]":
            return items, at + 1
        if text[at] != ",":
            raise ValueError("expected ',' or ']'")
        at = space(text, at + 1).end()


def _with_span(statement: Statement, start: Location, end: Location) -> Statement:
    """A copy of a cached statement with its place in this text.

    Cheaper than ``dataclasses.replace``: the fields are already checked."""
    return amended(statement, start=start, end=end)


class _Offsets:
    """Character offsets to 1-based line/column locations.

    Offsets asked in increasing order (as statements come) cost only the
    newlines between one and the next."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.line = 1
        self.line_start = 0

    def __call__(self, offset: int) -> Location:
        if offset < self.offset:
            self.offset, self.line, self.line_start = 0, 1, 0
        newlines = self.text.count("\n", self.offset, offset)
        if newlines:
            # Searched back only to the last offset: on one long line,
            # searching back to the start made this quadratic in statements.
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.offset, offset) + 1
        self.offset = offset
        return _location(self.line, offset - self.line_start + 1)


# Locations are frozen and compare by value, so one object serves the same
# place in every text: making a new one for each statement of each text cost
# more than the rest of locating it. The table is emptied when full.
_LOCATIONS: dict[tuple[int, int], Location] = {}
_MAX_LOCATIONS = 4096


def _location(line: int, column: int) -> Location:
    key = (line, column)
    found = _LOCATIONS.get(key)
    if found is None:
        if len(_LOCATIONS) >= _MAX_LOCATIONS:
            _LOCATIONS.clear()
        found = _LOCATIONS[key] = Location(line, column)
    return found


@bounded(entries=256, chars=_POLICY_CHARS)
def _parse_data(key: str, kind: PolicyKind, managed: bool) -> Policy:
    try:
        data = _STRICT.decode(key)
    except RecursionError:  # nested deeper than the C reader goes; from_python refuses it too
        raise JsonSyntaxError(f"{SYNTAX} The policy document is nested too deeply.") from None
    return _build(from_python(data), kind, managed)


def _syntax(
    node: Node | None, where: Location | None = None, issue: str = "JSON_SYNTAX_ERROR"
) -> InvalidPolicy:
    return InvalidPolicy(SYNTAX, where or (node.start if node else None), issue)


def _strings(node: Node, issue: str) -> list[Node]:
    """A string or a list of strings, as Action/Resource take."""
    if node.kind == "string":
        return [node]
    if node.kind == "array" and all(item.kind == "string" for item in node.value):
        return list(node.value)
    bad = node if node.kind != "array" else next(i for i in node.value if i.kind != "string")
    raise _syntax(bad, issue=issue)


def _statements_of(root: Node) -> list[Node]:
    """The statement nodes, after the document-level checks."""
    if root.kind != "object":
        raise _syntax(root)
    for key in root.keys:
        if key not in TOP_KEYS:
            raise _syntax(None, root.keys[key], "INVALID_POLICY_ELEMENT")
    version_node = root.value.get("Version")
    if version_node is not None and (
        version_node.kind != "string" or version_node.value not in VERSIONS
    ):
        raise _syntax(version_node, issue="INVALID_VERSION")
    id_node = root.value.get("Id")
    if id_node is not None and id_node.kind != "string":
        raise _syntax(id_node, issue="DATA_TYPE_MISMATCH")
    block = root.value.get("Statement")
    if block is None:
        raise _syntax(root, issue="MISSING_STATEMENT")
    if block.kind == "object":
        return [block]
    if block.kind == "array" and block.value:
        return block.value
    raise _syntax(block, issue="MISSING_STATEMENT")


def _check_managed_version(root: Node, managed: bool) -> str:
    """The document's version; CreatePolicy refuses anything older than 2012-10-17."""
    version_node = root.value.get("Version")
    version = version_node.value if version_node else DEFAULT_VERSION
    if managed and version != "2012-10-17":
        raise InvalidPolicy(
            "Policy document must be version 2012-10-17 or greater.",
            version_node.start if version_node else root.start,
            "INVALID_VERSION",
        )
    return version


def _build(root: Node, kind: PolicyKind, managed: bool) -> Policy:
    # Each check runs over every statement before the next starts: that is
    # the order in which IAM reports the faults of a document.
    nodes = _statements_of(root)
    for node in nodes:
        _check_statement_syntax(node, kind)
    version = _check_managed_version(root, managed or kind in ORGANIZATION_KINDS)
    for node in nodes:
        _check_legacy(node, kind)
    _check_unique_sids(nodes, kind)
    for check in STATEMENT_CHECKS[2:]:
        for node in nodes:
            check(node, kind)
    statements = tuple(_statement(i, node) for i, node in enumerate(nodes, 1))
    id_node = root.value.get("Id")
    return Policy(
        version=version, statements=statements, kind=kind, id=id_node.value if id_node else None
    )


def _check_has_actions(node: Node, kind: PolicyKind) -> None:
    actions = node.value.get("Action") or node.value.get("NotAction")
    if actions is None or (actions.kind == "array" and not actions.value):
        raise InvalidPolicy(
            "Policy statement must contain actions.", (actions or node).start, "MISSING_ACTION"
        )


def _check_resource_formats(node: Node, kind: PolicyKind) -> None:
    for key in ("Resource", "NotResource"):
        if key in node.value:
            for item in _strings(node.value[key], "DATA_TYPE_MISMATCH"):
                message = _resource_error(item.value)
                if message:
                    raise InvalidPolicy(message, item.start, "INVALID_ARN_RESOURCE")


def _check_action_prefixes(node: Node, kind: PolicyKind) -> None:
    for key in ("Action", "NotAction"):
        if key in node.value:
            for item in _strings(node.value[key], "DATA_TYPE_MISMATCH"):
                message = _action_error(item.value)
                if message:
                    raise InvalidPolicy(message, item.start, "INVALID_ACTION")


def _check_statement_syntax(node: Node, kind: PolicyKind) -> None:
    if node.kind != "object":
        raise _syntax(node)
    fields = node.value
    for key in node.keys:
        if key not in STATEMENT_KEYS:
            raise _syntax(None, node.keys[key], "INVALID_POLICY_ELEMENT")
    for a, b in (
        ("Action", "NotAction"),
        ("Resource", "NotResource"),
        ("Principal", "NotPrincipal"),
    ):
        if a in fields and b in fields:
            raise _syntax(None, node.keys[b], "UNSUPPORTED_ELEMENT_COMBINATION")
    effect = fields.get("Effect")
    if effect is None:
        raise _syntax(node, issue="MISSING_EFFECT")
    if effect.kind != "string" or effect.value.lower() not in ("allow", "deny"):
        raise _syntax(effect, issue="INVALID_EFFECT")
    for key in ("Action", "NotAction", "Resource", "NotResource"):
        if key in fields:
            _strings(fields[key], "DATA_TYPE_MISMATCH")
    if "Sid" in fields and fields["Sid"].kind != "string":
        raise _syntax(fields["Sid"], issue="DATA_TYPE_MISMATCH")
    for key in ("Principal", "NotPrincipal"):
        if key in fields:
            _check_principal_syntax(fields[key])
    if "Condition" in fields:
        _check_condition_syntax(fields["Condition"])


def _check_principal_syntax(node: Node) -> None:
    if node.kind == "string":
        if node.value != "*":
            raise InvalidPolicy(
                "Invalid principal in policy", node.start, "INVALID_PRINCIPAL_FORMAT"
            )
        return
    if node.kind != "object":
        raise _syntax(node, issue="INVALID_PRINCIPAL_FORMAT")
    for key, value in node.value.items():
        if key not in PRINCIPAL_TYPES:
            raise InvalidPolicy(
                "Invalid principal in policy", node.keys[key], "INVALID_PRINCIPAL_KEY"
            )
        _strings(value, "INVALID_PRINCIPAL_FORMAT")


def _check_condition_syntax(node: Node) -> None:
    if node.kind != "object":
        raise _syntax(node, issue="DATA_TYPE_MISMATCH")
    for operator, block in node.value.items():
        if block.kind != "object":
            raise _syntax(block, issue="DATA_TYPE_MISMATCH")
        for value in block.value.values():
            items = value.value if value.kind == "array" else [value]
            for item in items:
                if item.kind not in ("string", "number", "bool"):
                    raise _syntax(item, issue="DATA_TYPE_MISMATCH")
        # IAM lets an unknown operator through only when it has no keys.
        if block.value and not is_valid_operator(operator):
            issue = (
                "NULL_WITH_IF_EXISTS"
                if split_operator(operator)[1:] == ("Null", True)
                else "INVALID_CONDITION_OPERATOR"
            )
            raise _syntax(None, node.keys[operator], issue)


def _check_legacy(node: Node, kind: PolicyKind) -> None:
    effect = node.value["Effect"]
    if effect.value not in ("Allow", "Deny"):  # case matters here, not in the syntax pass
        raise InvalidPolicy(LEGACY, effect.start, "INVALID_EFFECT")
    condition = node.value.get("Condition")
    if condition is not None:
        for operator, block in condition.value.items():
            if not split_operator(operator)[1].startswith("Date"):
                continue
            for value in block.value.values():
                for item in value.value if value.kind == "array" else [value]:
                    if not _legacy_date(item.value):
                        raise InvalidPolicy(LEGACY, item.start, "TYPE_MISMATCH_DATE")
    for key in ("Resource", "NotResource"):
        if key in node.value:
            for item in _strings(node.value[key], "DATA_TYPE_MISMATCH"):
                resource = item.value
                if resource and resource != "*" and _resource_error(resource) is None:
                    parts = resource.split(":")
                    if (resource.count(":") < 5 and "::" in resource) or (
                        len(parts) > 2 and parts[2] == ""
                    ):
                        raise InvalidPolicy(LEGACY, item.start, "MISSING_ARN_FIELD")


_DATE_RE = re.compile(
    r"(-?\d+)(?:-(\d+))?(?:-(\d+))?"
    r"(?:t(?:(\d+)(?::(\d+)(?::(\d+)(?:\.(\d+))?)?)?)?(?:z|[+-]\d\d(?::?\d\d)?)?)?"
)


_DIGITS = re.compile(r"\d+")
_LONG_MAX = 9223372036854775807


def _legacy_date(value: Any) -> bool:
    """Whether IAM's legacy parser accepts a Date condition value:
    an ISO 8601 date/time or a non-negative epoch number."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Decimal)):
        return value >= 0
    text = str(value).lower()
    if "t" not in text and "-" not in text:
        # Decimal digits of any script, as Java reads them; "²" is no digit
        # to either, though str.isdigit() says it is. Decimal, unlike int(),
        # reads any number of digits.
        return _DIGITS.fullmatch(text) is not None and Decimal(text) <= _LONG_MAX
    match = _DATE_RE.fullmatch(text)
    if not match:
        return False
    year, month, day, hour, minute, second, _ = match.groups()
    limits = ((month, 1, 12), (day, 1, 31), (hour, 0, 23), (minute, 0, 59), (second, 0, 59))
    if not -292275054 <= Decimal(year) <= 292278993:
        return False
    return all(part is None or low <= Decimal(part) <= high for part, low, high in limits)


def _check_unique_sids(nodes: list[Node], kind: PolicyKind) -> None:
    if kind == "resource":  # Sid rules here are IAM's; resource policies belong to other services
        return
    seen: set[str] = set()
    for node in nodes:
        sid = node.value.get("Sid")
        if sid is None or not sid.value:
            continue
        if sid.value in seen:
            raise InvalidPolicy(
                "Statement IDs (SID) in a single policy must be unique.",
                sid.start,
                "UNIQUE_SIDS_REQUIRED",
            )
        seen.add(sid.value)


def _check_sid_characters(node: Node, kind: PolicyKind) -> None:
    sid = node.value.get("Sid")
    if kind != "resource" and sid is not None and not _SID.fullmatch(sid.value):
        raise InvalidPolicy(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the "
            "regular expression [0-9A-Za-z]*",
            sid.start,
            "UNSUPPORTED_SID",
        )


@bounded(entries=8192, chars=2_000_000)  # the same few strings come again and again
def _resource_error(resource: str) -> str | None:
    """IAM's message for a Resource that is not "*" or a well-formed ARN."""
    if resource == "*":
        return None
    _, colon, rest = resource.partition(":")
    if not colon:
        return f'Resource {resource} must be in ARN format or "*".'
    partition, colon, rest = rest.partition(":")
    if partition != "*" and partition not in PARTITIONS:
        parts = rest.split(":")
        fields = [
            parts[0] if parts[0] != "" or len(parts) > 1 else "*",
            parts[1] if len(parts) > 1 else "*",
            parts[2] if len(parts) > 2 else "*",
            ":".join(parts[3:]) if len(parts) > 3 else "*",
        ]
        arn = f"arn:{partition}:{':'.join(fields)}"
        return f'Partition "{partition}" is not valid for resource "{arn}".'
    if not colon:
        return "Resource vendor must be fully qualified and cannot contain regexes."
    service, _, after_service = rest.partition(":")
    region, _, after_region = after_service.partition(":")
    _, _, path = after_region.partition(":")
    if service in ("iam", "s3") and region:
        if service == "iam":
            return f"IAM resource {resource} cannot contain region information."
        if not path.startswith(_S3_REGIONAL_PATHS):
            return f"Resource {resource} can not contain region information."
    if service == "iam" and not _iam_path_ok(path):
        return f'IAM resource path must either be "*" or start with {", ".join(_IAM_PATHS)}.'
    return None


def _iam_path_ok(path: str) -> bool:
    """Whether an IAM ARN's resource part names something IAM has."""
    return path == _IAM_ROOT or path.startswith(("*", *_IAM_PATHS, *_IAM_OTHER_PATHS))


@bounded(entries=8192, chars=2_000_000)  # the same few strings come again and again
def _action_error(action: str) -> str | None:
    """IAM's message for an Action that lacks a proper vendor prefix."""
    parts = action.split(":")
    if len(parts) == 1 and parts[0] != "*":
        return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    if len(parts) > 2:
        return "Actions/Condition can contain only one colon."
    if parts[0] != "*" and _VENDOR_BAD.search(parts[0]):
        return f"Vendor {parts[0]} is not valid"
    return None


def _check_resources_and_principals(node: Node, kind: PolicyKind) -> None:
    fields = node.value
    resource = fields.get("Resource") or fields.get("NotResource")
    if kind == "trust":
        if resource is not None:
            raise InvalidPolicy(
                "Has prohibited field Resource.",
                _key(node, "Resource", "NotResource"),
                "INVALID_POLICY_ELEMENT",
            )
        for key in ("Action", "NotAction"):
            if key in fields:
                for item in _strings(fields[key], "DATA_TYPE_MISMATCH"):
                    if not _TRUST_ACTION.fullmatch(item.value):
                        raise InvalidPolicy(
                            "Trust Policy statement actions can only be sts:AssumeRole, "
                            "sts:AssumeRoleWithSAML,  and sts:AssumeRoleWithWebIdentity",
                            item.start,
                            "INVALID_ACTION",
                        )
    elif resource is None or (resource.kind == "array" and not resource.value):
        raise InvalidPolicy(
            "Policy statement must contain resources.", (resource or node).start, "MISSING_RESOURCE"
        )
    has_principal = "Principal" in fields or "NotPrincipal" in fields
    if kind == "scp" and has_principal:
        raise InvalidPolicy(
            "A service control policy cannot specify a principal: it applies to every "
            "IAM user and role of the accounts it is attached to.",
            _key(node, "Principal", "NotPrincipal"),
            "UNSUPPORTED_PRINCIPAL",
        )
    if kind == "rcp":
        _check_rcp_statement(node)
        return
    if kind in ("identity", "boundary", "session") and has_principal:
        raise InvalidPolicy(
            "Policy document should not specify a principal.",
            _key(node, "Principal", "NotPrincipal"),
            "UNSUPPORTED_PRINCIPAL",
        )
    if kind in ("resource", "trust") and not has_principal:
        raise InvalidPolicy("Missing required field Principal", node.start, "MISSING_PRINCIPAL")


# The one Allow statement an RCP may hold: AWS's own RCPFullAWSAccess.
_RCP_FULL_ACCESS = {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}


def _check_rcp_statement(node: Node) -> None:
    """AWS Organizations' rules for a resource control policy statement."""
    fields = node.value
    if "NotPrincipal" in fields:
        raise InvalidPolicy(
            "A resource control policy cannot use NotPrincipal.",
            node.keys["NotPrincipal"],
            "UNSUPPORTED_ELEMENT",
        )
    if "NotAction" in fields:
        raise InvalidPolicy(
            "A resource control policy cannot use NotAction.",
            node.keys["NotAction"],
            "UNSUPPORTED_ELEMENT",
        )
    principal = fields.get("Principal")
    if principal is None:
        raise InvalidPolicy("Missing required field Principal", node.start, "MISSING_PRINCIPAL")
    if not (principal.kind == "string" and principal.value == "*"):
        raise InvalidPolicy(
            'A resource control policy must name its principal as "*"; '
            "narrow it with conditions such as aws:PrincipalOrgID.",
            principal.start,
            "INVALID_PRINCIPAL_FORMAT",
        )
    if fields["Effect"].value == "Allow":
        plain = {key: value.value for key, value in fields.items() if key != "Sid"}
        if plain == _RCP_FULL_ACCESS:
            return
        raise InvalidPolicy(
            "A resource control policy can only deny: Allow belongs to AWS's "
            "RCPFullAWSAccess alone.",
            fields["Effect"].start,
            "INVALID_EFFECT",
        )
    for item in _strings(fields["Action"], "DATA_TYPE_MISMATCH") if "Action" in fields else ():
        if item.value == "*":
            raise InvalidPolicy(
                'A resource control policy cannot deny every action with "*": name the '
                'services\' actions (such as "s3:*").',
                item.start,
                "INVALID_ACTION",
            )


# The checks of one statement, in the order IAM reports them. Sid uniqueness,
# which spans statements, comes between the legacy and Sid-character checks.
STATEMENT_CHECKS = (
    _check_statement_syntax,
    _check_legacy,
    _check_sid_characters,
    _check_has_actions,
    _check_resource_formats,
    _check_action_prefixes,
    _check_resources_and_principals,
)


def _key(node: Node, *names: str) -> Location | None:
    for name in names:
        if name in node.keys:
            return node.keys[name]
    return node.start


def _values(node: Node | None) -> tuple[str, ...] | None:
    if node is None:
        return None
    return tuple(item.value for item in _strings(node, "DATA_TYPE_MISMATCH"))


def _principals(node: Node | None) -> PrincipalBlock | None:
    if node is None:
        return None
    if node.kind == "string":
        return (("*", ("*",)),)
    return tuple((key, _values(value) or ()) for key, value in node.value.items())


def _statement(index: int, node: Node) -> Statement:
    fields = node.value
    conditions: list[Condition] = []
    if "Condition" in fields:
        for operator, block in fields["Condition"].value.items():
            for key, value in block.value.items():
                items = value.value if value.kind == "array" else [value]
                conditions.append(
                    Condition(
                        operator, key, tuple(item.value for item in items), location=block.keys[key]
                    )
                )
    sid = fields.get("Sid")
    return Statement(
        index=index,
        effect=fields["Effect"].value,
        sid=sid.value if sid else None,
        actions=_values(fields.get("Action")),
        not_actions=_values(fields.get("NotAction")),
        resources=_values(fields.get("Resource")),
        not_resources=_values(fields.get("NotResource")),
        principals=_principals(fields.get("Principal")),
        not_principals=_principals(fields.get("NotPrincipal")),
        conditions=tuple(conditions),
        start=node.start,
        end=node.end,
    )
