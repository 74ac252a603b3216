"""Lint findings in Access Analyzer's vocabulary."""

import json

import pytest

from labkit.policy import Policy, lint
from labkit.policy.lint import Finding
from labkit.policy.model import Location
from tests.test_policy_parse import ALLOW_MFA


def doc(*statements, version="2012-10-17"):
    body = {"Version": version} if version else {}
    body["Statement"] = list(statements)
    return json.dumps(body, indent=2)


def stmt(**fields):
    base = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def cond(operator, key, value):
    return stmt(Condition={operator: {key: value}})


CASES = [
    # id, policy text, expected (severity, code) findings
    ("allow-mfa is clean", ALLOW_MFA, []),
    ("clean", doc(stmt()), []),
    ("unknown action", doc(stmt(Action="s3:GetObjekt")), [("error", "INVALID_ACTION")]),
    ("unknown wildcard action", doc(stmt(Action="s3:Nothing*")), [("error", "INVALID_ACTION")]),
    (
        "unknown service",
        doc(stmt(Action="ec3:RunInstances")),
        [("error", "INVALID_SERVICE_IN_ACTION")],
    ),
    (
        "unknown action in NotAction",
        doc(stmt(Effect="Deny", Action=None, NotAction="iam:ListUserz")),
        [("error", "INVALID_ACTION")],
    ),
    (
        "resource mismatch",
        doc(stmt(Resource="arn:aws:dynamodb:us-east-1:123456789012:table/Notes")),
        [("warning", "RESOURCE_MISMATCH")],
    ),
    (
        "action needing star",
        doc(stmt(Action="iam:ListUsers", Resource="arn:aws:iam::123456789012:user/a")),
        [("warning", "RESOURCE_MISMATCH")],
    ),
    ("resource match", doc(stmt(Resource="arn:aws:s3:::notes/*")), []),
    (
        "resource match with variable",
        doc(stmt(Action="iam:GetUser", Resource="arn:aws:iam::*:user/${aws:username}")),
        [],
    ),
    (
        "bool not boolean",
        doc(cond("Bool", "aws:SecureTransport", "yes")),
        [("warning", "TYPE_MISMATCH_BOOLEAN")],
    ),
    ("bool json boolean", doc(cond("Bool", "aws:SecureTransport", True)), []),
    (
        "null not boolean",
        doc(cond("Null", "aws:TokenIssueTime", "1")),
        [("warning", "TYPE_MISMATCH_BOOLEAN")],
    ),
    (
        "numeric not number",
        doc(cond("NumericLessThan", "aws:MultiFactorAuthAge", "an hour")),
        [("warning", "TYPE_MISMATCH_NUMBER")],
    ),
    ("numeric number", doc(cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600")), []),
    (
        "date not date",
        doc(cond("DateGreaterThan", "aws:CurrentTime", "tomorrow")),
        None,
    ),  # legacy parser refuses
    ("date epoch", doc(cond("DateGreaterThan", "aws:EpochTime", "1700000000")), []),
    ("date iso", doc(cond("DateGreaterThan", "aws:CurrentTime", "2030-01-01T00:00:00Z")), []),
    (
        "ip not cidr",
        doc(cond("IpAddress", "aws:SourceIp", "my office")),
        [("warning", "TYPE_MISMATCH_IP_RANGE")],
    ),
    (
        "ip cidr",
        doc(cond("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"])),
        [],
    ),
    (
        "ip host bits",
        doc(cond("NotIpAddress", "aws:SourceIp", "203.0.113.9/24")),
        [("suggestion", "IMPROVE_IP_RANGE")],
    ),
    (
        "binary not base64",
        doc(cond("BinaryEquals", "aws:username", "***")),
        [("warning", "TYPE_MISMATCH_STRING")],
    ),
    (
        "variable with numeric",
        doc(cond("NumericEquals", "aws:MultiFactorAuthAge", "${aws:EpochTime}")),
        [("error", "INVALID_VARIABLE_FOR_OPERATOR")],
    ),
    (
        "wildcard without like",
        doc(cond("StringEquals", "aws:username", "ad*")),
        [("warning", "WILDCARD_WITHOUT_LIKE_OPERATOR")],
    ),
    (
        "misspelt global key",
        doc(cond("Bool", "aws:MultiFactorAuthPresnt", "true")),
        [("error", "INVALID_GLOBAL_CONDITION_KEY")],
    ),
    ("tag key", doc(cond("StringEquals", "aws:PrincipalTag/team", "blue")), []),
    (
        "unknown service key",
        doc(cond("StringEquals", "s3:prefixx", "a")),
        [("error", "INVALID_SERVICE_CONDITION_KEY")],
    ),
    (
        "key without service",
        doc(cond("StringEquals", "username", "a")),
        [("error", "INVALID_CONDITION_KEY_FORMAT")],
    ),
    (
        "null with qualifier",
        doc(cond("ForAnyValue:Null", "aws:TagKeys", "true")),
        [("suggestion", "NULL_WITH_QUALIFIER")],
    ),
    ("empty condition", doc(stmt(Condition={})), [("suggestion", "EMPTY_OBJECT_CONDITION")]),
    (
        "allow not action",
        doc(stmt(Action=None, NotAction="iam:*")),
        [("security_warning", "ALLOW_WITH_NOT_ACTION")],
    ),
    ("deny not action", doc(stmt(Effect="Deny", Action=None, NotAction="iam:*")), []),
    (
        "allow not resource",
        doc(stmt(Resource=None, NotResource="arn:aws:s3:::secret/*")),
        [("security_warning", "ALLOW_WITH_NOT_RESOURCE")],
    ),
    (
        "full admin",
        doc(stmt(Action="*")),
        [
            ("security_warning", "FULL_ADMIN_ACCESS"),
            ("security_warning", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"),
            # Access Analyzer lists AdministratorAccess under this warning too.
            ("warning", "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE"),
        ],
    ),
    (
        "pass role star",
        doc(stmt(Action="iam:PassRole")),
        [("security_warning", "PASS_ROLE_WITH_STAR_IN_RESOURCE")],
    ),
    (
        "variable in 2008",
        doc(
            stmt(Action="iam:GetUser", Resource="arn:aws:iam::*:user/${aws:username}"),
            version="2008-10-17",
        ),
        [("error", "VARIABLE_UNSUPPORTED_IN_VERSION")],
    ),
    (
        "variable in condition in 2008",
        doc(cond("StringLike", "s3:prefix", "${aws:username}/*"), version="2008-10-17"),
        [("error", "VARIABLE_UNSUPPORTED_IN_VERSION")],
    ),
    ("missing version", doc(stmt(), version=None), [("warning", "MISSING_VERSION")]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_findings(text, expected):
    findings = lint(text)
    if expected is None:
        assert [f.severity for f in findings] == ["error"]
    else:
        assert sorted((f.severity, f.code) for f in findings) == sorted(expected)
    assert all(isinstance(f, Finding) and f.location is not None for f in findings)


def test_did_you_mean():
    (finding,) = lint(doc(stmt(Action="s3:GetObjekt")))
    assert finding.message == "The action s3:GetObjekt does not exist. Did you mean s3:GetObject?"
    # Access Analyzer suggests actions and services, not global condition keys.
    (finding,) = lint(doc(cond("Bool", "aws:MultiFactorAuthPresnt", "true")))
    assert finding.message == (
        "The condition key aws:MultiFactorAuthPresnt does not exist. Use a valid condition key."
    )


def test_finding_points_at_the_action_and_statement():
    text = doc(stmt(Sid="Reads"), stmt(Sid="Typo", Action=["s3:GetObject", "s3:GetObjekt"]))
    (finding,) = lint(text)
    assert finding.location == Location(14, 9)
    assert (finding.sid, finding.statement) == ("Typo", 2)


@pytest.mark.parametrize(
    ("text", "code", "location"),
    [
        ('{"Version": "2012-10-17" "Statement": []}', "JSON_SYNTAX_ERROR", Location(1, 26)),
        (doc(stmt(Effect="Permit")), "INVALID_EFFECT", Location(5, 17)),
        (doc(stmt(Principal="*")), "UNSUPPORTED_PRINCIPAL", Location(8, 7)),
        (doc(stmt(Action=None)), "MISSING_ACTION", Location(4, 5)),
    ],
)
def test_invalid_policies_give_one_error(text, code, location):
    (finding,) = lint(text)
    assert (finding.severity, finding.code, finding.location) == ("error", code, location)
    assert finding.message


@pytest.mark.parametrize("document", [None, 5, "", "[", {"Statement": 1}])
def test_lint_never_raises(document):
    findings = lint(document)
    assert [f.severity for f in findings] == ["error"]


def test_lint_accepts_policies_and_dicts():
    policy = Policy.parse(doc(stmt(Action="s3:GetObjekt")))
    assert [f.code for f in lint(policy)] == ["INVALID_ACTION"]
    assert [f.code for f in lint(json.loads(doc(stmt(Action="s3:GetObjekt"))))] == [
        "INVALID_ACTION"
    ]
    assert lint(json.loads(doc(stmt(Action="s3:GetObjekt"))))[0].location is None


def test_trust_policy_kind():
    trust = doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    assert lint(trust, "trust") == []
    assert [f.code for f in lint(trust)] == ["MISSING_RESOURCE"]
