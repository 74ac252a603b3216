"""Policy variables: substitution, defaults, escapes and versions."""

import pytest

from labkit.policy import Policy, Request
from labkit.policy.evaluate import evaluate
from labkit.policy.variables import WILD_MANY, Variable, resolve, split, variable_keys


def test_split_parts():
    assert split("a${aws:username}*") == ("a", Variable("aws:username"), WILD_MANY)
    assert split("${aws:username, 'none'}") == (Variable("aws:username", "none"),)
    assert split("x${*}y${?}z${$}") == ("x*y?z$",)
    # In a 2008-10-17 policy the text is literal.
    assert split("${aws:username}", variables=False) == ("${aws:username}",)


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("${aws:username}", {"aws:username": "alice"}, "alice"),
        ("${AWS:UserName}", {"aws:username": "alice"}, "alice"),  # keys ignore case
        ("${aws:username}", {}, None),
        ("${aws:username, 'none'}", {}, "none"),
        ("${aws:PrincipalTag/team, 'company-wide'}", {}, "company-wide"),
        ("${aws:PrincipalTag/team, 'company-wide'}", {"aws:principaltag/team": "red"}, "red"),
        # Multivalued keys cannot be variables; the default applies.
        ("${aws:TagKeys}", {"aws:tagkeys": ("a", "b")}, None),
        ("${aws:TagKeys, 'x'}", {"aws:tagkeys": ("a", "b")}, "x"),
        ("${aws:username, 'it''s'}", {}, "it's"),
    ],
)
def test_resolve(text, context, expected):
    (variable,) = split(text)
    assert resolve(variable, context) == expected


def test_variable_keys():
    assert variable_keys("arn:aws:s3:::b/${aws:username}/${aws:userid, 'x'}/${*}") == (
        "aws:username",
        "aws:userid",
    )


def _policy(version, resource, condition=None):
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return Policy.parse({"Version": version, "Statement": [statement]})


CASES = [
    # (version, resource pattern, request resource, context, expected)
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:username}/*",
        "arn:aws:s3:::b/alice/x",
        {"aws:username": "alice"},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:username}/*",
        "arn:aws:s3:::b/bob/x",
        {"aws:username": "alice"},
        False,
    ),
    ("2012-10-17", "arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/alice/x", {}, False),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:username, 'shared'}/*",
        "arn:aws:s3:::b/shared/x",
        {},
        True,
    ),
    ("2012-10-17", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", {}, True),
    ("2012-10-17", "arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", {}, False),
    (
        "2008-10-17",
        "arn:aws:s3:::b/${aws:username}/*",
        "arn:aws:s3:::b/alice/x",
        {"aws:username": "alice"},
        False,
    ),
    (
        "2008-10-17",
        "arn:aws:s3:::b/${aws:username}/*",
        "arn:aws:s3:::b/${aws:username}/x",
        {},
        True,
    ),
]


@pytest.mark.parametrize(("version", "pattern", "resource", "context", "expected"), CASES)
def test_variables_in_resource(version, pattern, resource, context, expected):
    decision = evaluate(
        Request("s3:GetObject", resource, context=context), [_policy(version, pattern)]
    )
    assert decision.allowed is expected


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        (
            {"StringEquals": {"s3:prefix": "home/${aws:username}"}},
            {"s3:prefix": "home/alice", "aws:username": "alice"},
            True,
        ),
        (
            {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
            {"s3:prefix": "home/alice/x", "aws:username": "alice"},
            True,
        ),
        (
            {"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
            {"s3:prefix": "home/bob/x", "aws:username": "alice"},
            False,
        ),
        (
            {"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/team}"}},
            {"aws:ResourceTag/owner": "red", "aws:PrincipalTag/team": "red"},
            True,
        ),
        (
            {"StringEquals": {"aws:ResourceTag/owner": "${aws:PrincipalTag/team}"}},
            {"aws:ResourceTag/owner": "red"},
            False,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:user/${aws:username}"}},
            {"aws:SourceArn": "arn:aws:iam::1:user/alice", "aws:username": "alice"},
            True,
        ),
    ],
)
def test_variables_in_conditions(condition, context, expected):
    policy = _policy("2012-10-17", "*", condition)
    assert evaluate(Request("s3:GetObject", "*", context=context), [policy]).allowed is expected


def test_unresolved_variable_reported_missing():
    policy = _policy("2012-10-17", "arn:aws:s3:::b/${aws:username}/*")
    decision = evaluate(Request("s3:GetObject", "arn:aws:s3:::b/alice/x"), [policy])
    assert decision.missing_context == ("aws:username",)
