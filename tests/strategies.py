"""Hypothesis strategies for policy documents and the requests decided against them.

Documents come three ways: built from IAM's policy grammar (then mutated at
random: a key dropped or added, or a value replaced by any JSON), as
arbitrary JSON, and as text (the documents above written out, or edited one
character at a time, or text that is barely JSON at all). Condition values
cover what trips number and date readers: numbers of any size, dates in
many forms, digits from other scripts, booleans and lists of all of these.

    >>> from hypothesis import given
    >>> @given(policy_texts())
    ... def test_something(text): ...
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from labkit.policy import Request

# --- condition values -------------------------------------------------------

# Python refuses to turn ints of more than 4,300 digits into text and back.
_BIG_DIGITS = (4299, 4300, 4301, 5000)


class RawNumber(str):
    """A JSON number written digit for digit, too long for ``json.dumps``.

    In a dict it is a string; :func:`to_text` writes it unquoted."""


def big_numbers() -> st.SearchStrategy[RawNumber]:
    """Integers and decimals of thousands of digits, as raw JSON numbers."""
    return st.builds(
        lambda size, sign, fraction: RawNumber(sign + "9" * size + fraction),
        st.sampled_from(_BIG_DIGITS),
        st.sampled_from(["", "-"]),
        st.sampled_from(["", ".5", "e400", ".25E-3"]),
    )


NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 9223372036854775807, 9223372036854775808, 1e308, -0.0]),
)
_UNICODE_DIGITS = st.text(
    alphabet=st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=6
)


def _tricky() -> list[str]:
    """Values that broke number and date readers: digits ``int()`` refuses
    ("²" passes ``str.isdigit()``), other scripts' digits, and numbers and
    dates with 4,300 digits or one more, as strings and as raw numbers."""
    values = ["²", "³", "2²", "٣", "٣٤", "１２", "Ⅻ", "0", "-0", "+5", "5\n", " 5"]
    for size in (4300, 4301):
        digits = "9" * size
        for form in ("N", "-N", "N-01-01", "2020-0N-01", "1.N", "2020-01-01T00:00:N"):
            values.append(form.replace("N", digits))
        values += [RawNumber(digits), RawNumber(f"-{digits}.5")]
    return values


# Drawn from one flat list, so that each is drawn often.
TRICKY_VALUES = st.sampled_from(_tricky())
DIGIT_STRINGS = st.one_of(
    _UNICODE_DIGITS,
    TRICKY_VALUES,
    st.integers().map(str),
    st.floats().map(str),
)
DATES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes().map(lambda d: d.isoformat() + "Z"),
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%Y-%m")),
    st.sampled_from(
        [
            "2030-01-01T00:00:00Z",
            "2019-07-16T12:00:00+02:00",
            "2019-13-45",
            "0000-01-01",
            "-292275055-01-01",
            "292278994-01-01",
            "2020-01-01T25:00:00Z",
            "2020-01-01t00:00:00.123456789z",
            "1700000000",
            "1700000000.5",
            "9223372036854775808",
            "tomorrow",
            "",
        ]
    ),
)
SCALAR_VALUES = st.one_of(
    st.booleans(),
    NUMBERS,
    big_numbers(),
    DIGIT_STRINGS,
    DATES,
    st.sampled_from(["true", "false", "TRUE", "yes", "10.0.0.0/8", "203.0.113.0/24", "::1"]),
    st.sampled_from(["${aws:username}", "arn:aws:iam::*:user/*", "a*b?c", "${*}", "${"]),
    st.text(max_size=8),
)
CONDITION_VALUES = st.one_of(SCALAR_VALUES, st.lists(SCALAR_VALUES, max_size=4))

# --- the grammar ------------------------------------------------------------

OPERATORS = st.one_of(
    st.sampled_from(
        [
            "StringEquals",
            "StringNotEquals",
            "StringLike",
            "StringEqualsIgnoreCase",
            "NumericLessThan",
            "NumericGreaterThanEquals",
            "NumericEquals",
            "DateLessThan",
            "DateGreaterThan",
            "DateEquals",
            "Bool",
            "BinaryEquals",
            "IpAddress",
            "NotIpAddress",
            "ArnLike",
            "ArnEquals",
            "Null",
            "NullIfExists",
            "Nope",
        ]
    ),
    st.builds(
        lambda q, base, suffix: q + base + suffix,
        st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]),
        st.sampled_from(["StringLike", "NumericLessThan", "DateLessThanEquals", "Bool"]),
        st.sampled_from(["", "IfExists"]),
    ),
)
CONDITION_KEYS = st.sampled_from(
    [
        "aws:CurrentTime",
        "aws:EpochTime",
        "aws:MultiFactorAuthPresent",
        "aws:MultiFactorAuthAge",
        "aws:SourceIp",
        "aws:username",
        "aws:TagKeys",
        "aws:PrincipalTag/team",
        "s3:max-keys",
        "s3:prefix",
        "nocolon",
    ]
)
ACTIONS = st.sampled_from(
    [
        "*",
        "s3:GetObject",
        "s3:Get*",
        "iam:*",
        "iam:PassRole",
        "iam:CreateServiceLinkedRole",
        "ec2:DescribeInstances",
        "sts:AssumeRole",
        "dynamodb:?etItem",
        "s3:NoSuchAction",
        "nosuchservice:Do",
        "s3*:Get*",
        "s_3:Get",
        "GetObject",
        "a:b:c",
        "",
    ]
)
RESOURCES = st.sampled_from(
    [
        "*",
        "arn:aws:s3:::notes",
        "arn:aws:s3:::notes/*",
        "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
        "arn:aws:s3:*:*:access-grants/default",
        "arn:aws:s3:us-east-1::bucket",
        "arn:aws:iam::123456789012:user/${aws:username}",
        "arn:aws:iam::123456789012:root",
        "arn:aws:iam::aws:role-template/svc/Name:1",
        "arn:aws:iam::123456789012:people/a",
        "arn:aws:iam:us-east-1:123456789012:user/a",
        "arn:aws:dynamodb:*:*:table/t",
        "arn:aws-x:s3:::b",
        "arn:aws",
        "arn::s3:::b",
        "bucket",
        "",
    ]
)
PRINCIPALS = st.one_of(
    st.just("*"),
    st.just("arn:aws:iam::123456789012:root"),
    st.dictionaries(
        st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser", "Bogus"]),
        st.one_of(
            st.sampled_from(["*", "123456789012", "arn:aws:iam::123456789012:user/a"]),
            st.lists(st.sampled_from(["*", "s3.amazonaws.com", "111122223333"]), max_size=3),
        ),
        max_size=2,
    ),
)


def _one_or_many(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, max_size=4))


CONDITIONS = st.dictionaries(
    OPERATORS, st.dictionaries(CONDITION_KEYS, CONDITION_VALUES, max_size=3), max_size=3
)
STATEMENTS = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow", "Permit"])},
    optional={
        "Sid": st.sampled_from(["", "A", "B", "Not valid", "Stmt1"]),
        "Action": _one_or_many(ACTIONS),
        "NotAction": _one_or_many(ACTIONS),
        "Resource": _one_or_many(RESOURCES),
        "NotResource": _one_or_many(RESOURCES),
        "Principal": PRINCIPALS,
        "NotPrincipal": PRINCIPALS,
        "Condition": CONDITIONS,
    },
)
DOCUMENTS = st.fixed_dictionaries(
    {"Statement": st.one_of(STATEMENTS, st.lists(STATEMENTS, max_size=5))},
    optional={
        "Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020", 2012]),
        "Id": st.sampled_from(["policy-1", 5]),
    },
)


_CONDITION_DOCUMENT_VALUES = st.one_of(
    TRICKY_VALUES, TRICKY_VALUES, st.lists(TRICKY_VALUES, max_size=3), CONDITION_VALUES
)


@st.composite
def condition_documents(draw: st.DrawFn) -> dict[str, Any]:
    """Valid-looking documents whose only doubt is their condition values."""
    operator = draw(
        st.sampled_from(
            [
                "DateLessThan",
                "DateEquals",
                "ForAnyValue:DateGreaterThan",
                "DateNotEqualsIfExists",
                "NumericLessThan",
                "NumericEquals",
                "Bool",
                "StringLike",
                "IpAddress",
                "BinaryEquals",
            ]
        )
    )
    key = draw(st.sampled_from(["aws:CurrentTime", "aws:EpochTime", "s3:max-keys", "aws:TagKeys"]))
    statement = {
        "Effect": draw(st.sampled_from(["Allow", "Deny"])),
        "Action": "s3:GetObject",
        "Resource": "*",
        "Condition": {operator: {key: draw(_CONDITION_DOCUMENT_VALUES)}},
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def condition_texts() -> st.SearchStrategy[str]:
    """:func:`condition_documents` as text, long numbers written unquoted."""
    return st.builds(to_text, condition_documents(), st.sampled_from([None, 2]))


# Any JSON at all, nested a little.
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, st.text(max_size=6), big_numbers()),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def _mutated(draw: st.DrawFn, documents: st.SearchStrategy[dict[str, Any]]) -> Any:
    """A document with a few random edits: each picks a container inside it
    and drops, adds or retypes one of its entries."""
    document = json.loads(json.dumps(draw(documents)))
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        containers = list(_containers(document))
        target = draw(st.sampled_from(containers))
        if isinstance(target, dict):
            edit = draw(st.sampled_from(["drop", "add", "retype"]))
            keys = list(target)
            if edit == "add" or not keys:
                key = draw(st.one_of(st.sampled_from(sorted(_GRAMMAR_KEYS)), st.text(max_size=5)))
                target[key] = draw(JSON)
            elif edit == "drop":
                del target[draw(st.sampled_from(keys))]
            else:
                target[draw(st.sampled_from(keys))] = draw(st.one_of(JSON, st.just([])))
        elif target:
            target[draw(st.integers(0, len(target) - 1))] = draw(JSON)
        else:
            target.append(draw(JSON))
    return document


_GRAMMAR_KEYS = {"Version", "Id", "Statement", "Sid", "Effect", "Action", "NotAction"} | {
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
}


def _containers(value: Any) -> Any:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            yield item
            stack.extend(item)


def policy_dicts() -> st.SearchStrategy[Any]:
    """Documents as Python data: grammatical, mutated, or any JSON."""
    return st.one_of(DOCUMENTS, _mutated(DOCUMENTS), JSON)


def to_text(document: Any, indent: int | None = None) -> str:
    """JSON text for a document, :class:`RawNumber` values written unquoted."""
    raws: list[str] = []

    def mark(value: Any) -> Any:
        if isinstance(value, RawNumber):
            raws.append(str(value))
            return f"@@raw{len(raws) - 1}@@"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(document), indent=indent)
    for index, raw in enumerate(raws):
        text = text.replace(f'"@@raw{index}@@"', raw, 1)
    return text


@st.composite
def _edited(draw: st.DrawFn, text: str) -> str:
    """``text`` with one character inserted, deleted or replaced, as a keystroke does."""
    at = draw(st.integers(min_value=0, max_value=len(text)))
    char = draw(st.sampled_from('{}[]",:0-9 \\aeE.-²٣') | st.characters())
    edit = draw(st.sampled_from(["insert", "delete", "replace"]))
    if edit == "insert" or not text:
        return text[:at] + char + text[at:]
    at = min(at, len(text) - 1)
    return text[:at] + ("" if edit == "delete" else char) + text[at + 1 :]


def _nested(depth: int, opener: str) -> str:
    closer = "]" if opener == "[" else "}"
    inner = '"a":' if opener == "{" else ""
    return (opener + inner) * depth + "1" * (opener == "[") + "0" * (opener == "{") + closer * depth


DEEP_TEXTS = st.builds(
    lambda depth, opener, wrap: wrap.replace("@", _nested(depth, opener)),
    st.sampled_from([63, 64, 65, 1000, 100_000]),
    st.sampled_from(["[", "{"]),
    st.sampled_from(
        [
            "@",
            '{"Statement": @}',
            '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": @}}',
            '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", '
            '"Resource": "*", "Condition": {"StringEquals": {"aws:username": @}}}]}',
        ]
    ),
)


@st.composite
def _written(draw: st.DrawFn) -> str:
    text = to_text(draw(policy_dicts()), draw(st.sampled_from([None, 0, 2])))
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        text = draw(_edited(text))
    return text


def policy_texts() -> st.SearchStrategy[str]:
    """Documents as text: written out and maybe edited, deeply nested, or noise."""
    return st.one_of(
        _written(),
        DEEP_TEXTS,
        st.text(alphabet='{}[]",:0123456789 truefalsn-.eE\\²', max_size=40),
        st.text(max_size=20),
    )


def policy_documents() -> st.SearchStrategy[Any]:
    """A document as text or as Python data."""
    return st.one_of(policy_texts(), policy_dicts())


# --- requests ---------------------------------------------------------------

_CONTEXT_VALUES = st.one_of(
    DIGIT_STRINGS,
    DATES,
    st.sampled_from(["true", "false", "203.0.113.7", "10.1.2.3", "::1", "alice", ""]),
    st.lists(st.sampled_from(["team", "alice", "2", "²"]), max_size=3),
)


def requests() -> st.SearchStrategy[Request]:
    """Requests whose context carries the keys the documents above test."""
    return st.builds(
        Request,
        st.one_of(ACTIONS, st.text(max_size=10)),
        st.one_of(RESOURCES, st.text(max_size=10)),
        st.one_of(
            st.none(),
            st.sampled_from(
                ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:root", "x"]
            ),
        ),
        st.dictionaries(CONDITION_KEYS, _CONTEXT_VALUES, max_size=4),
    )
