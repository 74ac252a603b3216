"""Condition operators, one table per family, plus set qualifiers and Null."""

import pytest

from labkit.policy.conditions import OPERATORS, condition_matches, resolve_operator
from labkit.policy.model import Condition, Request

ABSENT = object()


def check(operator, values, request_value, key="k:key"):
    context = {} if request_value is ABSENT else {key: request_value}
    condition = Condition(operator, key, tuple(values) if isinstance(values, list) else (values,))
    return condition_matches(condition, Request("s:a", context=context).context)


STRING = [
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),
    ("StringEquals", ["x", "abc"], "abc", True),  # values are ORed
    ("StringEquals", "a*", "abc", False),  # no wildcards
    ("StringEquals", "a*", "a*", True),
    ("StringNotEquals", "abc", "abd", True),
    ("StringNotEquals", ["abc", "abd"], "abd", False),  # negated values are NORed
    ("StringNotEquals", ["abc", "abd"], "xyz", True),
    ("StringEqualsIgnoreCase", "ABC", "abc", True),
    ("StringNotEqualsIgnoreCase", "ABC", "abc", False),
    ("StringLike", "home/*", "home/alice/x", True),
    ("StringLike", "home/?", "home/a", True),
    ("StringLike", "home/?", "home/ab", False),
    ("StringLike", "Home/*", "home/a", False),  # case-sensitive
    ("StringLike", ["", "home/*"], "home/a", True),
    ("StringNotLike", "home/*", "other", True),
    ("StringNotLike", "home/*", "home/x", False),
]

NUMERIC = [
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", 10, "11", False),
    ("NumericNotEquals", "10", "11", True),
    ("NumericLessThan", "10", "9", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericGreaterThan", "10", "10.5", True),
    ("NumericGreaterThanEquals", "10", "9", False),
    ("NumericLessThan", "10", "ten", False),  # unparsable request value
    ("NumericNotEquals", "10", "ten", False),
    ("NumericLessThanEquals", "3600", "-1", True),
]

DATE = [
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2021-06-01T12:00:00Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2019-06-01T12:00:00Z", False),
    ("DateLessThan", "2020-01-01", "2019-12-31T23:59:59Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),  # epoch seconds
    ("DateEquals", "1577836800", "2020-01-01T01:00:00+01:00", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateLessThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "not a date", False),
]

BOOL = [
    ("Bool", "true", "true", True),
    ("Bool", True, "true", True),
    ("Bool", "true", "false", False),
    ("Bool", "false", "FALSE", True),
    ("Bool", "true", "yes", False),
]

BINARY = [
    ("BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
    ("BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "b3RoZXI=", False),
    ("BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "!!!", False),
]

IP = [
    ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
    ("IpAddress", "203.0.113.0/24", "198.51.100.7", False),
    ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::1", True),
    ("IpAddress", "203.0.113.5", "203.0.113.5", True),  # a bare address is a /32
    ("IpAddress", "203.0.113.0/24", "not-an-ip", False),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.7", True),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.9", False),
    ("NotIpAddress", "2001:DB8::/32", "203.0.113.9", True),
]

ARN = [
    (
        "ArnEquals",
        "arn:aws:sns:us-east-1:123456789012:topic",
        "arn:aws:sns:us-east-1:123456789012:topic",
        True,
    ),
    ("ArnLike", "arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:123456789012:topic", True),
    ("ArnEquals", "arn:aws:sns:*:123456789012:*", "arn:aws:sns:us-east-1:123456789012:topic", True),
    ("ArnLike", "arn:aws:iam::*:role/Admin", "arn:aws:iam::1:role/admin", False),
    ("ArnLike", "arn:aws:s3:::bucket/*", "not-an-arn", False),
    ("ArnNotEquals", "arn:aws:iam::1:role/A", "arn:aws:iam::1:role/B", True),
    ("ArnNotLike", "arn:aws:iam::1:role/*", "arn:aws:iam::1:role/B", False),
]


@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    STRING + NUMERIC + DATE + BOOL + BINARY + IP + ARN,
)
def test_operator_families(operator, values, request_value, expected):
    assert (
        check(operator, values if isinstance(values, list) else [values], request_value) is expected
    )


# Absent keys: the operator fails, except negated ones and ...IfExists.
ABSENT_CASES = [
    ("StringEquals", False),
    ("StringNotEquals", True),
    ("StringNotLike", True),
    ("NumericNotEquals", True),
    ("NotIpAddress", True),
    ("ArnNotLike", True),
    ("NumericLessThan", False),
    ("Bool", False),
    ("BoolIfExists", True),
    ("StringEqualsIfExists", True),
    ("DateLessThanIfExists", True),
    ("ForAllValues:StringEquals", True),
    ("ForAnyValue:StringEquals", False),
    ("ForAllValues:StringNotEquals", True),
    ("ForAnyValue:StringNotEquals", False),
]


@pytest.mark.parametrize(("operator", "expected"), ABSENT_CASES)
def test_absent_key(operator, expected):
    assert check(operator, ["x"], ABSENT) is expected


def test_if_exists_applies_when_present():
    assert check("StringEqualsIfExists", ["x"], "x") is True
    assert check("StringEqualsIfExists", ["x"], "y") is False
    assert check("BoolIfExists", ["false"], "true") is False


TAGS = ["environment", "cost-center"]
SET_CASES = [
    # ForAllValues: every request value is among the policy values.
    ("ForAllValues:StringEquals", TAGS, ("environment",), True),
    ("ForAllValues:StringEquals", TAGS, ("environment", "cost-center"), True),
    ("ForAllValues:StringEquals", TAGS, ("environment", "dept"), False),
    ("ForAllValues:StringEquals", TAGS, (), True),  # empty set
    ("ForAllValues:StringEquals", TAGS, "", True),  # null data set
    ("ForAllValues:StringLike", ["Created*"], ("CreatedBy", "CreatedAt"), True),
    # ForAnyValue: at least one request value is among them.
    ("ForAnyValue:StringEquals", TAGS, ("environment", "dept"), True),
    ("ForAnyValue:StringEquals", TAGS, ("dept",), False),
    ("ForAnyValue:StringEquals", TAGS, (), False),
    ("ForAnyValue:StringEquals", TAGS, "environment", True),  # one value is a set of one
    # Negated operators under a set qualifier.
    ("ForAllValues:StringNotEquals", TAGS, ("dept", "team"), True),
    ("ForAllValues:StringNotEquals", TAGS, ("dept", "environment"), False),
    ("ForAnyValue:StringNotEquals", TAGS, ("dept", "environment"), True),
    ("ForAnyValue:StringNotEquals", TAGS, ("environment",), False),
    ("ForAnyValue:NumericLessThan", ["5"], ("10", "3"), True),
    ("ForAllValues:NumericLessThan", ["5"], ("10", "3"), False),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), SET_CASES)
def test_set_qualifiers(operator, values, request_value, expected):
    assert check(operator, values, request_value) is expected


def test_multivalued_key_without_qualifier():
    assert check("StringEquals", ["a"], ("a", "b")) is True
    assert check("StringNotEquals", ["a"], ("a", "b")) is False
    assert check("StringNotEquals", ["c"], ("a", "b")) is True


NULL_CASES = [
    ("true", ABSENT, True),
    ("true", "x", False),
    ("false", "x", True),
    ("false", ABSENT, False),
    (True, ABSENT, True),
    ("true", (), True),
]


@pytest.mark.parametrize(("value", "request_value", "expected"), NULL_CASES)
def test_null(value, request_value, expected):
    assert check("Null", [value], request_value) is expected


def test_key_names_ignore_case():
    condition = Condition("StringEquals", "AWS:PrincipalTag/Team", ("red",))
    context = Request("s:a", context={"aws:principaltag/team": "red"}).context
    assert condition_matches(condition, context)


def test_operator_names_ignore_case_and_parse():
    resolved = resolve_operator("forallvalues:stringlikeifexists")
    assert resolved.operator.name == "StringLike"
    assert resolved.qualifier == "all" and resolved.if_exists
    assert resolve_operator("NullIfExists") is None
    assert resolve_operator("StringEqualz") is None
    assert check("StringEqualz", ["a"], "a") is False


def test_table_is_complete():
    names = {op.name for op in OPERATORS}
    assert len(names) == len(OPERATORS) == 27
    negated = {op.name for op in OPERATORS if op.negated}
    assert negated == {
        "StringNotEquals",
        "StringNotEqualsIgnoreCase",
        "StringNotLike",
        "NumericNotEquals",
        "DateNotEquals",
        "NotIpAddress",
        "ArnNotEquals",
        "ArnNotLike",
    }
    wildcards = {op.name for op in OPERATORS if op.wildcards}
    assert wildcards == {
        "StringLike",
        "StringNotLike",
        "ArnEquals",
        "ArnLike",
        "ArnNotEquals",
        "ArnNotLike",
    }
