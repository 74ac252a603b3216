"""AWS's documented examples and rules, one table per documentation page.

Each table cites the IAM User Guide (or API reference) page it comes from, so
a failing row points at the sentence the engine disagrees with.
"""

import json

import pytest

from labkit.policy import Policy, PolicyError, Request
from labkit.policy.conditions import condition_matches
from labkit.policy.evaluate import evaluate
from labkit.policy.model import Condition
from labkit.policy.parse import parse_policy
from labkit.policy.simulate import simulate_custom_policy

ABSENT = object()
ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/Bob"
ROLE = f"arn:aws:iam::{ACCT}:role/examplerole"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/examplerole/examplerolesessionname"
FED = f"arn:aws:sts::{ACCT}:federated-user/Bob"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
OBJ = BUCKET + "/key"


def cond(operator, values, request_value, key="k:key", extra=None):
    """Whether one condition holds for a request carrying ``key``."""
    context = dict(extra or {})
    if request_value is not ABSENT:
        context[key] = request_value
    values = tuple(values) if isinstance(values, list) else (values,)
    return condition_matches(
        Condition(operator, key, values), Request("s:a", context=context).context
    )


def pol(*statements, kind="identity", version="2012-10-17"):
    return Policy.parse({"Version": version, "Statement": list(statements)}, kind)


def stmt(action="s3:*", resource="*", effect="Allow", **extra):
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


# --- IAM JSON policy elements: Condition operators ---------------------------

# String condition operators: case-sensitive StringEquals, *IgnoreCase, and
# StringLike with * and ? anywhere in the value (also across lines).
STRING = [
    ("StringEquals", "iamuser-admin", "iamuser-admin", True),
    ("StringEquals", "iamuser-admin", "IAMUser-Admin", False),
    ("StringEquals", "home/*", "home/a", False),
    ("StringNotEquals", "iamuser-admin", "other", True),
    ("StringNotEquals", ["a", "b"], "b", False),
    ("StringEqualsIgnoreCase", "IAMUser-Admin", "iamuser-admin", True),
    ("StringNotEqualsIgnoreCase", "IAMUser-Admin", "iamuser-admin", False),
    ("StringNotEqualsIgnoreCase", "IAMUser-Admin", "other", True),
    ("StringLike", "t1.*", "t1.micro", True),
    ("StringLike", ["t1.*", "t2.*", "m3.*"], "m3.large", True),
    ("StringLike", ["t1.*", "t2.*", "m3.*"], "c5.large", False),
    ("StringLike", "t?.micro", "t2.micro", True),
    ("StringLike", "t?.micro", "t22.micro", False),
    ("StringLike", "T1.*", "t1.micro", False),
    ("StringLike", "a*z", "a\nmiddle\nz", True),
    ("StringLike", "", "", True),
    ("StringLike", ["", "home/"], "home/", True),
    ("StringNotLike", "t1.*", "t1.micro", False),
    ("StringNotLike", "t1.*", "m3.large", True),
]

# Numeric condition operators: integers and decimals, given as strings.
NUMERIC = [
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "11", False),
    ("NumericLessThanEquals", "10", "9.5", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", 10, "10", True),
    ("NumericNotEquals", "10", "10", False),
    ("NumericGreaterThan", "1.5", "1.50001", True),
    ("NumericGreaterThanEquals", "-1", "-1", True),
    ("NumericLessThan", "0.5", ".25", True),
    ("NumericLessThan", "10", "abc", False),
]

# Date condition operators: W3C ISO 8601 formats or epoch (UNIX) time.
DATE = [
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-06-30T12:00:00Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2019-12-31T23:59:59Z", False),
    ("DateGreaterThan", "2020-01-01T00:00:01Z", "2020-01-01T00:00:01Z", False),
    ("DateGreaterThanEquals", "2020-01-01T00:00:01Z", "2020-01-01T00:00:01Z", True),
    ("DateLessThan", "2020-01-01", "2019-12-31T23:59:59Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),
    ("DateEquals", "1577836800", "2020-01-01T00:00:00Z", True),
    ("DateEquals", "2020-01-01T00:00:00+01:00", "2019-12-31T23:00:00Z", True),
    ("DateLessThan", "2020-01-01T00:00:00-05:00", "2020-01-01T04:59:59Z", True),
    ("DateLessThan", "2020-01-01T00:00:00-05:00", "2020-01-01T05:00:00Z", False),
    ("DateEquals", "1997-07-16T19:20:30.45+01:00", "1997-07-16T18:20:30.45Z", True),
    ("DateEquals", "1997-07-16T19:20+01:00", "1997-07-16T18:20:00Z", True),
    ("DateEquals", "1997-07", "1997-07-01T00:00:00Z", True),  # W3C YYYY-MM
    ("DateNotEquals", "2020-01-01T00:00:00Z", "1577836801", True),
    ("DateGreaterThan", "1577836800", "1577836800.5", True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "not a date", False),
]

# Boolean condition operators: "true" or "false".
BOOL = [
    ("Bool", "false", "false", True),
    ("Bool", "false", "true", False),
    ("Bool", "true", "true", True),
    ("Bool", True, "true", True),
    ("Bool", "true", "TRUE", True),
    ("Bool", "yes", "yes", False),
    ("Bool", "true", "1", False),
]

# Binary condition operators: byte-for-byte against base-64.
BINARY = [
    ("BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", True),
    ("BinaryEquals", "QmluYXJ5VmFsdWVJbkJhc2U2NA==", "QmluYXJ5VmFsdWVJbkJhc2U2NQ==", False),
]

# IP address condition operators: CIDR, IPv4 and IPv6; a bare address is /32.
IP = [
    ("IpAddress", "203.0.113.0/24", "203.0.113.0", True),
    ("IpAddress", "203.0.113.0/24", "203.0.113.255", True),
    ("IpAddress", "203.0.113.0/24", "203.0.114.0", False),
    ("IpAddress", "203.0.113.7", "203.0.113.7", True),
    ("IpAddress", "203.0.113.7", "203.0.113.8", False),
    ("IpAddress", "203.0.113.7/32", "203.0.113.7", True),
    ("IpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678:1::9", True),
    ("IpAddress", "2001:DB8:1234:5678::/64", "2001:db8:1234:5679::1", False),
    ("IpAddress", "2001:DB8::1", "2001:db8:0:0:0:0:0:1", True),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.1", False),
    ("NotIpAddress", ["203.0.113.0/24", "2001:DB8:1234:5678::/64"], "2001:db8:1234:5678::1", False),
]

# ARN condition operators: each of the six colon-delimited components is
# matched separately; ArnEquals and ArnLike behave identically.
DOC_PATTERN = "arn:aws:someservice:*:111122223333:finance/*"
DOC_VALUE = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt"
ARN = [
    ("ArnLike", DOC_PATTERN, DOC_VALUE, False),
    ("ArnEquals", DOC_PATTERN, DOC_VALUE, False),
    ("StringLike", DOC_PATTERN, DOC_VALUE, True),
    ("ArnLike", DOC_PATTERN, "arn:aws:someservice:us-east-2:111122223333:finance/a.txt", True),
    ("ArnEquals", DOC_PATTERN, "arn:aws:someservice:us-east-2:111122223333:finance/a.txt", True),
    (
        "ArnLike",
        "arn:aws:sns:REGION:123456789012:TOPIC-ID",
        "arn:aws:sns:REGION:123456789012:TOPIC-ID",
        True,
    ),
    ("ArnLike", "arn:aws:iam::*:role/Admin", "arn:aws:iam::1:role/admin", False),
    ("ArnLike", "arn:aws:iam::12345678901?:root", "arn:aws:iam::123456789012:root", True),
    ("ArnLike", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b/c", True),
    ("ArnNotEquals", DOC_PATTERN, DOC_VALUE, True),
    ("ArnNotLike", DOC_PATTERN, "arn:aws:someservice:eu-west-1:111122223333:finance/x", False),
]


@pytest.mark.parametrize(
    ("operator", "values", "request_value", "expected"),
    STRING + NUMERIC + DATE + BOOL + BINARY + IP + ARN,
)
def test_condition_operators(operator, values, request_value, expected):
    assert cond(operator, values, request_value) is expected


# "If the key that you specify in a policy condition is not present in the
# request context, the values do not match and the condition is false. If the
# policy condition requires that the key is not matched, such as StringNotLike
# or ArnNotLike, and the right key is not present, the condition is true."
# ...IfExists: "If the key is not present, evaluate the condition element as true."
ABSENT_KEY = [
    ("StringEquals", False),
    ("StringEqualsIgnoreCase", False),
    ("StringLike", False),
    ("StringNotEquals", True),
    ("StringNotEqualsIgnoreCase", True),
    ("StringNotLike", True),
    ("NumericEquals", False),
    ("NumericNotEquals", True),
    ("NumericLessThan", False),
    ("DateEquals", False),
    ("DateNotEquals", True),
    ("DateGreaterThan", False),
    ("Bool", False),
    ("BinaryEquals", False),
    ("IpAddress", False),
    ("NotIpAddress", True),
    ("ArnEquals", False),
    ("ArnLike", False),
    ("ArnNotEquals", True),
    ("ArnNotLike", True),
    ("StringEqualsIfExists", True),
    ("StringNotEqualsIfExists", True),
    ("StringLikeIfExists", True),
    ("NumericLessThanIfExists", True),
    ("DateGreaterThanIfExists", True),
    ("BoolIfExists", True),
    ("BinaryEqualsIfExists", True),
    ("IpAddressIfExists", True),
    ("ArnLikeIfExists", True),
]


@pytest.mark.parametrize(("operator", "expected"), ABSENT_KEY)
def test_absent_key(operator, expected):
    value = "QmluYXJ5VmFsdWVJbkJhc2U2NA==" if operator.startswith("Binary") else "1"
    assert cond(operator, value, ABSENT) is expected


# ...IfExists with the key present behaves as the operator itself.
IF_EXISTS_PRESENT = [
    ("StringLikeIfExists", ["t1.*", "t2.*", "m3.*"], "t2.micro", True),
    ("StringLikeIfExists", ["t1.*", "t2.*", "m3.*"], "c5.large", False),
    ("BoolIfExists", "false", "false", True),
    ("BoolIfExists", "false", "true", False),
    ("StringNotEqualsIfExists", "x", "x", False),
    ("StringNotEqualsIfExists", "x", "y", True),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), IF_EXISTS_PRESENT)
def test_if_exists_with_key_present(operator, values, request_value, expected):
    assert cond(operator, values, request_value) is expected


# Null: "true (the key doesn't exist — it is null) or false (the key exists
# and its value is not null)". (Multivalued context key examples: a Null check
# with false keeps "missing context keys or context keys with empty values"
# from evaluating to true.)
NULL = [
    ("true", ABSENT, True),
    ("true", "2020-01-01T00:00:00Z", False),
    ("false", "2020-01-01T00:00:00Z", True),
    ("false", ABSENT, False),
    ("false", (), False),
    ("true", (), True),
    ("false", "", False),
    ("true", "", True),
    ("false", ("a",), True),
]


@pytest.mark.parametrize(("value", "request_value", "expected"), NULL)
def test_null(value, request_value, expected):
    assert cond("Null", value, request_value) is expected


# --- Single-valued vs. multivalued context keys; Multivalued context key
# examples ---------------------------------------------------------------------

TAGS = ["environment", "cost-center"]
MULTI = [
    # ForAllValues: every request value matches at least one policy value;
    # true when the key is absent or resolves to an empty data set.
    (
        "ForAllValues:StringLike",
        ["PostDateTime", "Message", "Tags"],
        ("PostDateTime", "Message"),
        True,
    ),
    (
        "ForAllValues:StringLike",
        ["PostDateTime", "Message", "Tags"],
        ("PostDateTime", "UserName"),
        False,
    ),
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], ABSENT, True),
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], (), True),
    ("ForAllValues:StringLike", ["PostDateTime", "Message", "Tags"], "", True),
    # ForAnyValue: at least one request value matches; false when absent/empty.
    (
        "ForAnyValue:StringLike",
        ["ID", "PostDateTime"],
        ("UserName", "Message", "PostDateTime"),
        True,
    ),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], ("UserName",), False),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], ABSENT, False),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], (), False),
    ("ForAnyValue:StringLike", ["ID", "PostDateTime"], "", False),
    ("ForAnyValue:StringEquals", TAGS, ("environment", "webserver"), True),
    ("ForAllValues:StringEquals", TAGS, ("environment", "webserver"), False),
    # Deny a single policy condition value: ForAllValues:StringNotLike key1*.
    ("ForAllValues:StringNotLike", "key1*", ("key1:legal",), False),
    ("ForAllValues:StringNotLike", "key1*", ("key1:hr", "key1:personnel"), False),
    ("ForAllValues:StringNotLike", "key1*", ("key2:audit",), True),
    ("ForAllValues:StringNotLike", "key1*", ABSENT, True),
    # Deny multiple policy condition values.
    ("ForAllValues:StringNotLike", ["key1*", "key2*"], ("key1:legal",), False),
    ("ForAllValues:StringNotLike", ["key1*", "key2*"], ("key1:hr", "key2:audit"), False),
    ("ForAllValues:StringNotLike", ["key1*", "key2*"], ("key3:legal",), True),
    ("ForAllValues:StringNotLike", ["key1*", "key2*"], ("key1:hr", "key3:legal"), False),
    ("ForAllValues:StringNotLike", ["key1*", "key2*"], ABSENT, True),
    # Deny policy with ForAnyValue:StringEquals.
    ("ForAnyValue:StringEquals", ["webserver"], ("webserver",), True),
    ("ForAnyValue:StringEquals", ["webserver"], ("environment", "webserver", "test"), True),
    ("ForAnyValue:StringEquals", ["webserver"], ("environment", "test"), False),
    ("ForAnyValue:StringEquals", ["webserver"], ABSENT, False),
    # Negated operators under ForAnyValue: some request value is not listed.
    ("ForAnyValue:StringNotEquals", TAGS, ("environment", "other"), True),
    ("ForAnyValue:StringNotEquals", TAGS, ("environment", "cost-center"), False),
    ("ForAnyValue:StringNotEquals", TAGS, ABSENT, False),
    # IfExists with a set operator: an absent key matches.
    ("ForAnyValue:StringEqualsIfExists", TAGS, ABSENT, True),
    ("ForAllValues:StringEqualsIfExists", TAGS, ("dept",), False),
    # Set operators with other operator families.
    (
        "ForAnyValue:ArnLike",
        ["arn:aws:iam::*:role/Admin"],
        ("arn:aws:iam::1:role/Admin", "x"),
        True,
    ),
    ("ForAllValues:NumericLessThan", ["5"], ("1", "2"), True),
    ("ForAnyValue:IpAddress", ["10.0.0.0/8"], ("192.0.2.1", "10.1.2.3"), True),
]


@pytest.mark.parametrize(("operator", "values", "request_value", "expected"), MULTI)
def test_multivalued_context_keys(operator, values, request_value, expected):
    assert cond(operator, values, request_value, key="aws:TagKeys") is expected


# "Multivalued context keys can't be used as policy variables"; key names
# are case-insensitive, values are not.
def test_condition_key_names_ignore_case():
    assert cond("StringEquals", "red", "red", key="AWS:PrincipalTag/Team") is True
    condition = Condition("StringEquals", "aws:principaltag/team", ("red",))
    assert condition_matches(
        condition, Request("s:a", context={"AWS:PRINCIPALTAG/TEAM": "red"}).context
    )


# --- IAM policy elements: Variables and tags ---------------------------------

VAR_CONDITIONS = [
    # ${aws:username} in a condition value, with StringLike and StringEquals.
    (
        "StringLike",
        ["", "home/", "home/${aws:username}/"],
        "home/David/",
        {"aws:username": "David"},
        True,
    ),
    (
        "StringLike",
        ["", "home/", "home/${aws:username}/"],
        "home/Adele/",
        {"aws:username": "David"},
        False,
    ),
    ("StringLike", "${aws:username}/*", "David/notes.txt", {"aws:username": "David"}, True),
    ("StringEquals", "home/${aws:username}/", "home/David/", {"aws:username": "David"}, True),
    (
        "StringLike",
        "https://example.com/${aws:username}/",
        "https://example.com/Bob/",
        {"aws:username": "Bob"},
        True,
    ),
    # Tags as variables.
    ("StringEquals", "${aws:PrincipalTag/team}", "red", {"aws:PrincipalTag/team": "red"}, True),
    ("StringEquals", "${aws:PrincipalTag/team}", "blue", {"aws:PrincipalTag/team": "red"}, False),
    # Default values: used when the key is absent, not when present.
    ("StringEquals", "${aws:PrincipalTag/team, 'company-wide'}", "company-wide", {}, True),
    (
        "StringEquals",
        "${aws:PrincipalTag/team, 'company-wide'}",
        "company-wide",
        {"aws:PrincipalTag/team": "red"},
        False,
    ),
    (
        "StringEquals",
        "arn:aws:s3:::/bucket/${aws:userid, 'anonymous'}",
        "arn:aws:s3:::/bucket/anonymous",
        {},
        True,
    ),
    # Variable values are literal text: a * in the value is not a wildcard.
    ("StringLike", "home/${aws:username}", "home/anything", {"aws:username": "*"}, False),
    ("StringLike", "home/${aws:username}", "home/*", {"aws:username": "*"}, True),
    # ${*}, ${?} and ${$} stand for the characters themselves.
    ("StringLike", "a${*}b", "a*b", {}, True),
    ("StringLike", "a${*}b", "axb", {}, False),
    ("StringLike", "a${?}b", "a?b", {}, True),
    ("StringEquals", "cost${$}", "cost$", {}, True),
    # An unresolvable variable (key absent, no default) matches nothing.
    ("StringEquals", "home/${aws:username}/", "home//", {}, False),
    ("StringLike", "home/${aws:username}/*", "home/x/y", {}, False),
    # Multivalued keys cannot be policy variables.
    ("StringEquals", "${aws:TagKeys}", "a", {"aws:TagKeys": ("a", "b")}, False),
    # ARN operators take variables too.
    (
        "ArnLike",
        "arn:aws:iam::*:user/${aws:username}",
        "arn:aws:iam::1:user/Bob",
        {"aws:username": "Bob"},
        True,
    ),
    # Bool takes a variable (IAM JSON policy elements: Condition operators).
    ("Bool", "${k:flag}", "true", {"k:flag": "true"}, True),
]


@pytest.mark.parametrize(
    ("operator", "values", "request_value", "context", "expected"), VAR_CONDITIONS
)
def test_variables_in_conditions(operator, values, request_value, context, expected):
    assert cond(operator, values, request_value, key="s3:prefix", extra=context) is expected


# "You can not use a policy variable with the Numeric/Date/Binary/IpAddress
# condition operator": the text stays literal and matches no request value.
@pytest.mark.parametrize(
    ("operator", "request_value"),
    [
        ("NumericEquals", "5"),
        ("DateEquals", "2020-01-01T00:00:00Z"),
        ("IpAddress", "203.0.113.1"),
    ],
)
def test_no_variables_in_other_operators(operator, request_value):
    assert cond(operator, "${k:v}", request_value, extra={"k:v": request_value}) is False


# Resource element: variables only in the 2012-10-17 language; before it they
# are literal strings.
VAR_RESOURCES = [
    (
        "2012-10-17",
        "arn:aws:s3:::mybucket/${aws:username}/*",
        "arn:aws:s3:::mybucket/David/a",
        {"aws:username": "David"},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::mybucket/${aws:username}/*",
        "arn:aws:s3:::mybucket/Adele/a",
        {"aws:username": "David"},
        False,
    ),
    (
        "2012-10-17",
        "arn:aws:iam::*:user/${aws:username}",
        f"arn:aws:iam::{ACCT}:user/David",
        {"aws:username": "David"},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:sqs:us-east-2:*:${aws:username}-queue",
        f"arn:aws:sqs:us-east-2:{ACCT}:David-queue",
        {"aws:username": "David"},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:sqs:us-east-2:*:${aws:username}-queue",
        f"arn:aws:sqs:us-west-2:{ACCT}:David-queue",
        {"aws:username": "David"},
        False,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::bucket/${aws:PrincipalTag/department}",
        "arn:aws:s3:::bucket/hr",
        {"aws:PrincipalTag/department": "hr"},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::mybucket/${aws:username}/*",
        "arn:aws:s3:::mybucket//a",
        {},
        False,
    ),
    (
        "2008-10-17",
        "arn:aws:s3:::mybucket/${aws:username}/*",
        "arn:aws:s3:::mybucket/David/a",
        {"aws:username": "David"},
        False,
    ),
    (
        "2008-10-17",
        "arn:aws:s3:::mybucket/${aws:username}/*",
        "arn:aws:s3:::mybucket/${aws:username}/a",
        {},
        True,
    ),
]


@pytest.mark.parametrize(("version", "pattern", "resource", "context", "expected"), VAR_RESOURCES)
def test_variables_in_resources(version, pattern, resource, context, expected):
    policy = pol(stmt("s3:GetObject" if ":s3:" in pattern else "*", pattern), version=version)
    request = Request(
        "s3:GetObject" if ":s3:" in pattern else "sqs:SendMessage", resource, context=context
    )
    if ":iam:" in pattern:
        request = Request("iam:CreateAccessKey", resource, context=context)
    assert evaluate(request, [policy]).allowed is expected


def test_missing_version_means_variables_are_literal():
    policy = Policy.parse({"Statement": [stmt("s3:*", "arn:aws:s3:::b/${aws:username}")]})
    assert policy.version == "2008-10-17"
    request = Request("s3:GetObject", "arn:aws:s3:::b/David", context={"aws:username": "David"})
    assert not evaluate(request, [policy]).allowed


# --- IAM JSON policy elements: Action, NotAction, Resource, NotResource -------

ACTIONS = [
    ("s3:GetObject", "s3:GetObject", True),
    ("s3:GetObject", "S3:GETOBJECT", True),  # action names ignore case
    ("S3:Get*", "s3:getobject", True),
    ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ("iam:*AccessKey*", "iam:ListAccessKeys", True),
    ("iam:*AccessKey*", "iam:ListUsers", False),
    ("s3:*", "s3:ListBucket", True),
    ("*", "ec2:RunInstances", True),
    ("s3:Get?bject", "s3:GetObject", True),
    ("s3:Get*", "s3:PutObject", False),
    ("s3:*", "s3control:ListJobs", False),
]


@pytest.mark.parametrize(("pattern", "action", "expected"), ACTIONS)
def test_action_matching(pattern, action, expected):
    assert evaluate(Request(action, "*"), [pol(stmt(pattern))]).allowed is expected


RESOURCES = [
    ("arn:aws:s3:::amzn-s3-demo-bucket/*", OBJ, True),
    ("arn:aws:s3:::amzn-s3-demo-bucket/*", "arn:aws:s3:::amzn-s3-demo-bucket/a/b/c", True),
    ("arn:aws:s3:::amzn-s3-demo-bucket/*", BUCKET, False),
    ("arn:aws:s3:::AMZN-S3-DEMO-BUCKET/*", OBJ, False),  # resource ARNs are case-sensitive
    ("arn:aws:s3:::amzn-s3-demo-bucket/Key", OBJ, False),
    ("arn:aws:iam::*:user/*", f"arn:aws:iam::{ACCT}:user/Bob", True),
    ("arn:aws:iam::*:user/*", f"arn:aws:iam::{ACCT}:role/Bob", False),
    ("arn:aws:ec2:*:*:instance/*", f"arn:aws:ec2:us-east-1:{ACCT}:instance/i-1", True),
    ("arn:aws:ec2:us-east-1:*:instance/*", f"arn:aws:ec2:us-west-2:{ACCT}:instance/i-1", False),
    ("arn:aws:s3:::amzn-s3-demo-bucket/???", "arn:aws:s3:::amzn-s3-demo-bucket/abc", True),
    ("arn:aws:s3:::amzn-s3-demo-bucket/???", "arn:aws:s3:::amzn-s3-demo-bucket/abcd", False),
    ("*", "arn:aws:anything:::x", True),
]


@pytest.mark.parametrize(("pattern", "resource", "expected"), RESOURCES)
def test_resource_matching(pattern, resource, expected):
    assert (
        evaluate(Request("s3:GetObject", resource), [pol(stmt("*", pattern))]).allowed is expected
    )


def test_not_action_with_allow_grants_everything_else():
    # NotAction: allow access to all services except IAM.
    policy = pol({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    assert evaluate(Request("s3:GetObject", OBJ), [policy]).allowed
    assert evaluate(Request("iam:CreateUser", "*"), [policy]).decision == "implicitDeny"


def test_not_resource_with_allow():
    policy = pol({"Effect": "Allow", "Action": "s3:*", "NotResource": [BUCKET, BUCKET + "/*"]})
    assert evaluate(Request("s3:GetObject", "arn:aws:s3:::other/x"), [policy]).allowed
    assert evaluate(Request("s3:GetObject", OBJ), [policy]).decision == "implicitDeny"


def test_not_resource_with_deny():
    # Deny everything except the listed resource, e.g. a protected bucket only.
    deny = {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, BUCKET + "/*"]}
    policy = pol(stmt("s3:*"), deny)
    assert evaluate(Request("s3:GetObject", OBJ), [policy]).allowed
    assert (
        evaluate(Request("s3:GetObject", "arn:aws:s3:::x/y"), [policy]).decision == "explicitDeny"
    )


# The syllabus's BlockMostAccessUnlessSignedInWithMFA: Deny + NotAction + BoolIfExists.
MFA_BLOCK = {
    "Sid": "BlockMostAccessUnlessSignedInWithMFA",
    "Effect": "Deny",
    "NotAction": [
        "iam:CreateVirtualMFADevice",
        "iam:EnableMFADevice",
        "iam:ListMFADevices",
        "iam:ListUsers",
        "iam:ListVirtualMFADevices",
        "iam:ResyncMFADevice",
    ],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}
MFA_CASES = [
    ("s3:ListAllMyBuckets", {}, "explicitDeny"),
    ("s3:ListAllMyBuckets", {"aws:MultiFactorAuthPresent": "false"}, "explicitDeny"),
    ("s3:ListAllMyBuckets", {"aws:MultiFactorAuthPresent": "true"}, "allowed"),
    ("iam:ListUsers", {}, "allowed"),
    ("iam:listusers", {"aws:MultiFactorAuthPresent": "false"}, "allowed"),
    ("iam:EnableMFADevice", {}, "allowed"),
    ("iam:DeactivateMFADevice", {}, "explicitDeny"),
]


@pytest.mark.parametrize(("action", "context", "expected"), MFA_CASES)
def test_block_most_access_unless_signed_in_with_mfa(action, context, expected):
    policy = pol(stmt("*"), MFA_BLOCK)
    assert evaluate(Request(action, "*", USER, context), [policy]).decision == expected


# --- Policy evaluation logic: conditions are ANDed, values ORed ---------------


def test_condition_blocks_and_values():
    policy = pol(
        stmt(
            "s3:*",
            Condition={
                "StringEquals": {
                    "aws:PrincipalTag/dept": ["hr", "it"],
                    "aws:RequestedRegion": "us-east-1",
                },
                "Bool": {"aws:SecureTransport": "true"},
            },
        )
    )
    base = {
        "aws:PrincipalTag/dept": "it",
        "aws:RequestedRegion": "us-east-1",
        "aws:SecureTransport": "true",
    }
    assert evaluate(Request("s3:GetObject", OBJ, context=base), [policy]).allowed
    for key, value in (("aws:PrincipalTag/dept", "ops"), ("aws:SecureTransport", "false")):
        context = base | {key: value}
        assert not evaluate(Request("s3:GetObject", OBJ, context=context), [policy]).allowed


# --- Policy evaluation logic (same account) and Cross-account policy
# evaluation logic ---------------------------------------------------------------


def res(principal, effect="Allow", resource=BUCKET + "/*", **extra):
    return pol(
        {"Effect": effect, "Principal": principal, "Action": "s3:*", "Resource": resource, **extra},
        kind="resource",
    )


ALLOW_ALL = pol(stmt("*"))
NOTHING = pol(stmt("ec2:DescribeInstances"))

EVALUATION = [
    # Within an account: identity OR resource policy.
    ("identity only", USER, dict(identity=[ALLOW_ALL]), "allowed"),
    ("nothing", USER, dict(identity=[NOTHING]), "implicitDeny"),
    (
        "resource names user",
        USER,
        dict(identity=[NOTHING], resource_policy=res({"AWS": USER})),
        "allowed",
    ),
    (
        "resource names account only",
        USER,
        dict(identity=[NOTHING], resource_policy=res({"AWS": ACCT})),
        "implicitDeny",
    ),
    (
        "resource names account root",
        USER,
        dict(identity=[ALLOW_ALL], resource_policy=res({"AWS": f"arn:aws:iam::{ACCT}:root"})),
        "allowed",
    ),
    (
        "resource names session",
        SESSION,
        dict(identity=[NOTHING], resource_policy=res({"AWS": SESSION})),
        "allowed",
    ),
    (
        "resource names role",
        SESSION,
        dict(identity=[NOTHING], resource_policy=res({"AWS": ROLE})),
        "allowed",
    ),
    ("resource star", SESSION, dict(identity=[NOTHING], resource_policy=res("*")), "allowed"),
    (
        "resource deny wins",
        USER,
        dict(identity=[ALLOW_ALL], resource_policy=res({"AWS": USER}, "Deny")),
        "explicitDeny",
    ),
    (
        "identity deny wins over resource allow",
        USER,
        dict(identity=[pol(stmt("s3:*", effect="Deny"))], resource_policy=res({"AWS": USER})),
        "explicitDeny",
    ),
    ("root user", f"arn:aws:iam::{ACCT}:root", dict(), "allowed"),
    # Permissions boundaries: intersection with identity policies.
    (
        "boundary allows",
        USER,
        dict(identity=[ALLOW_ALL], boundaries=[pol(stmt("s3:*"))]),
        "allowed",
    ),
    (
        "boundary implicit deny",
        USER,
        dict(identity=[ALLOW_ALL], boundaries=[pol(stmt("ec2:*"))]),
        "implicitDeny",
    ),
    (
        "boundary explicit deny",
        USER,
        dict(identity=[ALLOW_ALL], boundaries=[pol(stmt("*"), stmt("s3:*", effect="Deny"))]),
        "explicitDeny",
    ),
    ("boundary alone grants nothing", USER, dict(boundaries=[pol(stmt("*"))]), "implicitDeny"),
    # Boundaries vs resource policies: a grant to the user ARN is not limited;
    # a grant to the role ARN is; a grant to the session ARN is not.
    (
        "boundary and resource names user",
        USER,
        dict(boundaries=[pol(stmt("ec2:*"))], resource_policy=res({"AWS": USER})),
        "allowed",
    ),
    (
        "boundary and resource names role",
        SESSION,
        dict(boundaries=[pol(stmt("ec2:*"))], resource_policy=res({"AWS": ROLE})),
        "implicitDeny",
    ),
    (
        "boundary and resource names session",
        SESSION,
        dict(boundaries=[pol(stmt("ec2:*"))], resource_policy=res({"AWS": SESSION})),
        "allowed",
    ),
    (
        "boundary explicit deny and resource names user",
        USER,
        dict(boundaries=[pol(stmt("s3:*", effect="Deny"))], resource_policy=res({"AWS": USER})),
        "explicitDeny",
    ),
    # Session policies: intersection with identity; resource grants to the
    # role (or federating user) are limited, grants to the session are not.
    ("session allows", SESSION, dict(identity=[ALLOW_ALL], session=[pol(stmt("s3:*"))]), "allowed"),
    (
        "session implicit deny",
        SESSION,
        dict(identity=[ALLOW_ALL], session=[pol(stmt("ec2:*"))]),
        "implicitDeny",
    ),
    ("session alone grants nothing", SESSION, dict(session=[pol(stmt("*"))]), "implicitDeny"),
    (
        "session and resource names role",
        SESSION,
        dict(session=[pol(stmt("ec2:*"))], resource_policy=res({"AWS": ROLE})),
        "implicitDeny",
    ),
    (
        "session and resource names session",
        SESSION,
        dict(session=[pol(stmt("ec2:*"))], resource_policy=res({"AWS": SESSION})),
        "allowed",
    ),
    (
        "federated and resource names user",
        FED,
        dict(session=[pol(stmt("ec2:*"))], resource_policy=res({"AWS": USER})),
        "implicitDeny",
    ),
    (
        "federated and resource names session",
        FED,
        dict(session=[pol(stmt("ec2:*"))], resource_policy=res({"AWS": FED})),
        "allowed",
    ),
    (
        "session explicit deny",
        SESSION,
        dict(identity=[ALLOW_ALL], session=[pol(stmt("*"), stmt("s3:*", effect="Deny"))]),
        "explicitDeny",
    ),
]


@pytest.mark.parametrize(
    ("name", "principal", "kwargs", "expected"), EVALUATION, ids=[c[0] for c in EVALUATION]
)
def test_same_account_evaluation(name, principal, kwargs, expected):
    decision = evaluate(Request("s3:GetObject", OBJ, principal), resource_owner=ACCT, **kwargs)
    assert decision.decision == expected


OTHER_USER = f"arn:aws:iam::{OTHER}:user/Alice"
OTHER_SESSION = f"arn:aws:sts::{OTHER}:assumed-role/Reader/app"
CROSS = [
    # Both the trusting account's resource policy and the caller's identity
    # policy must allow.
    (
        "both allow",
        OTHER_USER,
        dict(identity=[ALLOW_ALL], resource_policy=res({"AWS": OTHER})),
        "allowed",
    ),
    ("only identity", OTHER_USER, dict(identity=[ALLOW_ALL]), "implicitDeny"),
    ("only resource", OTHER_USER, dict(resource_policy=res({"AWS": OTHER_USER})), "implicitDeny"),
    (
        "resource names user",
        OTHER_USER,
        dict(identity=[ALLOW_ALL], resource_policy=res({"AWS": OTHER_USER})),
        "allowed",
    ),
    (
        "resource names another account",
        OTHER_USER,
        dict(identity=[ALLOW_ALL], resource_policy=res({"AWS": "999999999999"})),
        "implicitDeny",
    ),
    (
        "resource names role",
        OTHER_SESSION,
        dict(
            identity=[ALLOW_ALL], resource_policy=res({"AWS": f"arn:aws:iam::{OTHER}:role/Reader"})
        ),
        "allowed",
    ),
    (
        "resource star",
        OTHER_SESSION,
        dict(identity=[ALLOW_ALL], resource_policy=res("*")),
        "allowed",
    ),
    (
        "boundary limits",
        OTHER_USER,
        dict(
            identity=[ALLOW_ALL],
            boundaries=[pol(stmt("ec2:*"))],
            resource_policy=res({"AWS": OTHER_USER}),
        ),
        "implicitDeny",
    ),
    (
        "resource deny",
        OTHER_USER,
        dict(identity=[ALLOW_ALL], resource_policy=res({"AWS": OTHER_USER}, "Deny")),
        "explicitDeny",
    ),
]


@pytest.mark.parametrize(
    ("name", "principal", "kwargs", "expected"), CROSS, ids=[c[0] for c in CROSS]
)
def test_cross_account_evaluation(name, principal, kwargs, expected):
    decision = evaluate(Request("s3:GetObject", OBJ, principal), resource_owner=ACCT, **kwargs)
    assert decision.decision == expected


def test_anonymous_principal_star():
    decision = evaluate(
        Request("s3:GetObject", OBJ, None), resource_policy=res("*"), resource_owner=ACCT
    )
    assert decision.allowed
    assert not evaluate(
        Request("s3:GetObject", OBJ, None), resource_policy=res({"AWS": ACCT}), resource_owner=ACCT
    ).allowed


def test_service_principal():
    policy = pol(
        {
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": "arn:aws:sqs:us-east-1:111122223333:q",
            "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}},
        },
        kind="resource",
    )
    request = Request(
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:q",
        "sns.amazonaws.com",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"},
    )
    assert evaluate(request, resource_policy=policy).allowed
    other = Request(
        request.action,
        request.resource,
        "sns.amazonaws.com",
        {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:x"},
    )
    assert not evaluate(other, resource_policy=policy).allowed


# --- AWS JSON policy elements: NotPrincipal ----------------------------------

BOB = f"arn:aws:iam::{OTHER}:user/Bob"
AUDIT_SESSION = (
    f"arn:aws:sts::{OTHER}:assumed-role/cross-account-read-only-role/cross-account-audit-app"
)
AUDIT_ROLE = f"arn:aws:iam::{OTHER}:role/cross-account-read-only-role"
OTHER_ROOT = f"arn:aws:iam::{OTHER}:root"
NOT_PRINCIPAL = [
    # "all principals except the user named Bob in 444455556666 are denied"
    (BOB, [BOB, OTHER_ROOT], "allowed"),
    (f"arn:aws:iam::{OTHER}:user/Carol", [BOB, OTHER_ROOT], "explicitDeny"),
    (BOB, [BOB], "explicitDeny"),  # without the account ARN the account is denied
    # The assumed-role example lists the session, its role and the account.
    (AUDIT_SESSION, [AUDIT_SESSION, AUDIT_ROLE, OTHER_ROOT], "allowed"),
    (AUDIT_SESSION, [AUDIT_SESSION, OTHER_ROOT], "explicitDeny"),  # role missing
    (AUDIT_SESSION, [AUDIT_SESSION, AUDIT_ROLE], "explicitDeny"),  # account missing
    (
        f"arn:aws:sts::{OTHER}:assumed-role/cross-account-read-only-role/other",
        [AUDIT_SESSION, AUDIT_ROLE, OTHER_ROOT],
        "explicitDeny",
    ),
]


@pytest.mark.parametrize(("caller", "listed", "expected"), NOT_PRINCIPAL)
def test_not_principal_with_deny(caller, listed, expected):
    resource_policy = pol(
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET, BUCKET + "/*"],
        },
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": listed},
            "Action": "s3:*",
            "Resource": [BUCKET, BUCKET + "/*"],
        },
        kind="resource",
    )
    decision = evaluate(
        Request("s3:GetObject", OBJ, caller),
        [ALLOW_ALL],
        resource_policy=resource_policy,
        resource_owner=ACCT,
    )
    assert decision.decision == expected


# --- Role trust policies ---------------------------------------------------------


def test_trust_policy_must_allow_the_principal():
    trust = pol(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
            "Action": "sts:AssumeRole",
        },
        kind="trust",
    )
    allow_assume = pol(stmt("sts:AssumeRole", ROLE))
    assert evaluate(
        Request("sts:AssumeRole", ROLE, USER), [allow_assume], resource_policy=trust
    ).allowed
    assert not evaluate(Request("sts:AssumeRole", ROLE, USER), [], resource_policy=trust).allowed
    nobody = pol(
        {"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "sts:AssumeRole"}, kind="trust"
    )
    assert not evaluate(
        Request("sts:AssumeRole", ROLE, USER), [allow_assume], resource_policy=nobody
    ).allowed


# --- SimulateCustomPolicy (IAM API Reference) ---------------------------------

SIM_POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
      "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"}}
    },
    {
      "Effect": "Deny",
      "Action": "s3:DeleteBucket",
      "Resource": "*"
    }
  ]
}"""


def test_simulator_decisions_and_positions():
    response = simulate_custom_policy(
        PolicyInputList=[SIM_POLICY],
        ActionNames=["s3:ListBucket", "s3:DeleteBucket", "s3:GetObject"],
        ContextEntries=[
            {
                "ContextKeyName": "aws:username",
                "ContextKeyValues": ["Bob"],
                "ContextKeyType": "string",
            },
            {
                "ContextKeyName": "s3:prefix",
                "ContextKeyValues": ["Bob/a"],
                "ContextKeyType": "string",
            },
        ],
    )
    results = {r["EvalActionName"]: r for r in response["EvaluationResults"]}
    assert (
        results["s3:ListBucket"]["EvalDecision"] == "implicitDeny"
    )  # resource "*" is not the bucket
    deny = results["s3:DeleteBucket"]
    assert deny["EvalDecision"] == "explicitDeny"
    (matched,) = deny["MatchedStatements"]
    assert matched["SourcePolicyId"] == "PolicyInputList.1"
    assert matched["StartPosition"] == {"Line": 10, "Column": 5}
    assert matched["EndPosition"] == {"Line": 14, "Column": 6}
    assert results["s3:GetObject"]["EvalDecision"] == "implicitDeny"
    assert results["s3:GetObject"]["MatchedStatements"] == []


def test_simulator_resource_arns_and_missing_context():
    response = simulate_custom_policy(
        PolicyInputList=[SIM_POLICY],
        ActionNames=["s3:ListBucket"],
        ResourceArns=[BUCKET],
    )
    (result,) = response["EvaluationResults"]
    # The top level names the resource type's ARN template; the ARN itself is per resource.
    assert result["EvalResourceName"] == "arn:${Partition}:s3:::${BucketName}"
    assert result["EvalDecision"] == "implicitDeny"
    (detail,) = result["ResourceSpecificResults"]
    assert detail["EvalResourceName"] == BUCKET
    assert detail["EvalResourceDecision"] == "implicitDeny"
    assert set(detail["MissingContextValues"]) == {"s3:prefix", "aws:username"}


def test_simulator_allowed_lists_the_allowing_statement():
    response = simulate_custom_policy(
        PolicyInputList=[SIM_POLICY],
        ActionNames=["s3:ListBucket"],
        ResourceArns=[BUCKET],
        ContextEntries=[
            {
                "ContextKeyName": "aws:username",
                "ContextKeyValues": ["Bob"],
                "ContextKeyType": "string",
            },
            {
                "ContextKeyName": "s3:prefix",
                "ContextKeyValues": ["Bob/a"],
                "ContextKeyType": "string",
            },
        ],
    )
    (result,) = response["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    (matched,) = result["MatchedStatements"]
    assert matched["StartPosition"] == {"Line": 4, "Column": 5}


def test_simulator_permissions_boundary_detail():
    response = simulate_custom_policy(
        PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": stmt("*")})],
        PermissionsBoundaryPolicyInputList=[
            json.dumps({"Version": "2012-10-17", "Statement": stmt("s3:*")})
        ],
        ActionNames=["s3:GetObject", "ec2:RunInstances"],
    )
    s3, ec2 = response["EvaluationResults"]
    assert s3["EvalDecision"] == "allowed"
    assert s3["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert ec2["EvalDecision"] == "implicitDeny"
    assert ec2["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_simulator_list_context_types():
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": stmt(
                "iam:TagUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}
            ),
        }
    )

    def decide(values):
        return simulate_custom_policy(
            PolicyInputList=[policy],
            ActionNames=["iam:TagUser"],
            ContextEntries=[
                {
                    "ContextKeyName": "aws:TagKeys",
                    "ContextKeyValues": values,
                    "ContextKeyType": "stringList",
                }
            ],
        )["EvaluationResults"][0]["EvalDecision"]

    assert decide(["a", "b"]) == "allowed"
    assert decide(["a", "c"]) == "implicitDeny"


# --- MalformedPolicyDocument validation ------------------------------------------

INVALID = [
    # Principal in an identity-based policy.
    (
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        },
        "identity",
        "Policy document should not specify a principal.",
    ),
    # Duplicate Sid.
    (
        {"Version": "2012-10-17", "Statement": [{"Sid": "A", **stmt()}, {"Sid": "A", **stmt()}]},
        "identity",
        "Statement IDs (SID) in a single policy must be unique.",
    ),
    # Resource that is not an ARN.
    (
        {"Version": "2012-10-17", "Statement": stmt("s3:*", "bucket")},
        "identity",
        'Resource bucket must be in ARN format or "*".',
    ),
    # Action without a service prefix.
    (
        {"Version": "2012-10-17", "Statement": stmt("GetObject")},
        "identity",
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ),
    # A resource policy needs a Principal.
    (
        {"Version": "2012-10-17", "Statement": stmt()},
        "resource",
        "Missing required field Principal",
    ),
    # An identity policy needs a Resource.
    (
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*"}},
        "identity",
        "Policy statement must contain resources.",
    ),
    (
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Resource": "*"}},
        "identity",
        "Policy statement must contain actions.",
    ),
    # Version must be one of the two dates.
    ({"Version": "2012-10-18", "Statement": stmt()}, "identity", "Syntax errors in policy."),
    # Statement must be present.
    ({"Version": "2012-10-17"}, "identity", "Syntax errors in policy."),
    # Lower-case Effect fails IAM's legacy parser.
    (
        {"Version": "2012-10-17", "Statement": stmt(effect="allow")},
        "identity",
        "The policy failed legacy parsing",
    ),
]


@pytest.mark.parametrize(("document", "kind", "message"), INVALID)
def test_malformed_policy_documents(document, kind, message):
    with pytest.raises(PolicyError) as info:
        Policy.parse(document, kind)
    assert info.value.code == "MalformedPolicyDocument"
    assert info.value.message == message


# IAM and AWS STS quotas: a managed policy holds at most 6,144 characters,
# not counting white space.
def test_managed_policy_size_quota():
    def document(length):
        statement = stmt("s3:GetObject", "arn:aws:s3:::" + "x" * length)
        return json.dumps(
            {"Version": "2012-10-17", "Statement": [statement]}, separators=(",", ":")
        )

    base = len(document(0))
    fits = document(6144 - base)
    assert len(fits) == 6144
    parse_policy(fits, managed=True)
    # White space does not count.
    parse_policy(fits.replace(",", ",   "), managed=True)
    with pytest.raises(PolicyError) as info:
        parse_policy(document(6145 - base), managed=True)
    assert info.value.code == "LimitExceeded"
    assert "6144" in info.value.message
    # Inline and simulator inputs are not managed policies.
    parse_policy(document(6145 - base))
