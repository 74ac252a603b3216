"""Parsing and validating policies as IAM does: messages, kinds, locations."""

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkit.policy import Policy, PolicyError, parse_policy
from labkit.policy.model import Condition, Location

ALLOW_MFA = (
    '{"Version":"2012-10-17","Statement":[{"Sid":"AllowListActions","Effect":"Allow","Action":["iam:ListUsers",'
    '"iam:ListVirtualMFADevices"],"Resource":"*"},{"Sid":"AllowIndividualUserToListOnlyTheirOwnMFA","Effect":'
    '"Allow","Action":["iam:ListMFADevices"],"Resource":["arn:aws:iam::*:mfa/*","arn:aws:iam::*:user/${aws:username}"'
    ']},{"Sid":"AllowIndividualUserToManageTheirOwnMFA","Effect":"Allow","Action":["iam:CreateVirtualMFADevice",'
    '"iam:DeleteVirtualMFADevice","iam:EnableMFADevice","iam:ResyncMFADevice"],"Resource":["arn:aws:iam::*:mfa/'
    '${aws:username}","arn:aws:iam::*:user/${aws:username}"]},{"Sid":'
    '"AllowIndividualUserToDeactivateOnlyTheirOwnMFAOnlyWhenUsingMFA","Effect":"Allow","Action":['
    '"iam:DeactivateMFADevice"],"Resource":["arn:aws:iam::*:mfa/${aws:username}","arn:aws:iam::*:user/'
    '${aws:username}"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},{"Sid":'
    '"BlockMostAccessUnlessSignedInWithMFA","Effect":"Deny","NotAction":["iam:CreateVirtualMFADevice",'
    '"iam:EnableMFADevice","iam:ListMFADevices","iam:ListUsers","iam:ListVirtualMFADevices","iam:ResyncMFADevice"],'
    '"Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}'
)


def doc(statement=None, version="2012-10-17", **top):
    """A policy text with one statement (default: a valid identity statement)."""
    body = {"Version": version} if version else {}
    body["Statement"] = (
        statement
        if statement is not None
        else {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    )
    body.update(top)
    return json.dumps(body)


def stmt(**fields):
    base = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


TRUST = {
    "Effect": "Allow",
    "Principal": {"Service": "ec2.amazonaws.com"},
    "Action": "sts:AssumeRole",
}

VALID = [
    ("allow-mfa", ALLOW_MFA, "identity"),
    ("single statement object", doc(), "identity"),
    ("legacy version", doc(version="2008-10-17"), "identity"),
    ("no version", doc(version=None), "identity"),
    ("id", doc(Id="MyPolicy"), "identity"),
    (
        "not action and not resource",
        doc(stmt(Action=None, NotAction="iam:*", Resource=None, NotResource="*")),
        "identity",
    ),
    ("action star", doc(stmt(Action="*")), "identity"),
    ("wildcard service and action", doc(stmt(Action="*:Get*")), "identity"),
    (
        "numbers and booleans in conditions",
        doc(
            stmt(
                Condition={
                    "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
                    "Bool": {"aws:SecureTransport": True},
                }
            )
        ),
        "identity",
    ),
    (
        "set qualifiers",
        doc(
            stmt(
                Condition={
                    "ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]},
                    "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": "x*"},
                }
            )
        ),
        "identity",
    ),
    ("empty unknown operator", doc(stmt(Condition={"NotAnOperator": {}})), "identity"),
    (
        "date forms",
        doc(
            stmt(
                Condition={
                    "DateLessThan": {
                        "aws:CurrentTime": ["2030-01-01", "2030-01-01T12:00:00Z", "1700000000"]
                    }
                }
            )
        ),
        "identity",
    ),
    ("duplicate empty sids", doc([stmt(Sid=""), stmt(Sid="")]), "identity"),
    (
        "s3 access point region",
        doc(stmt(Resource="arn:aws:s3:us-east-1:123456789012:accesspoint/ap")),
        "identity",
    ),
    ("trust policy", doc(TRUST), "trust"),
    ("trust principal star", doc({**TRUST, "Principal": "*"}), "trust"),
    (
        "resource policy",
        doc(stmt(Principal={"AWS": ["arn:aws:iam::123456789012:root", "111122223333"]})),
        "resource",
    ),
    ("resource policy sid with spaces", doc(stmt(Sid="Public read", Principal="*")), "resource"),
    (
        "canonical user and federated",
        doc(
            stmt(Principal={"CanonicalUser": "abc", "Federated": "cognito-identity.amazonaws.com"})
        ),
        "resource",
    ),
    ("boundary", doc(), "boundary"),
    ("session", doc(), "session"),
]


@pytest.mark.parametrize(("text", "kind"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_policies_parse(text, kind):
    policy = parse_policy(text, kind)
    assert policy.kind == kind
    assert Policy.parse(json.loads(text), kind) == policy


INVALID = [
    # id, text, kind, message (exact)
    ("not json", "{", "identity", None),
    ("array at top", "[]", "identity", "Syntax errors in policy."),
    ("unknown top key", doc(Foo="x"), "identity", "Syntax errors in policy."),
    ("bad version", doc(version="2012-10-18"), "identity", "Syntax errors in policy."),
    ("id not string", doc(Id=1), "identity", "Syntax errors in policy."),
    ("no statement", json.dumps({"Version": "2012-10-17"}), "identity", "Syntax errors in policy."),
    ("empty statement list", doc([]), "identity", "Syntax errors in policy."),
    ("statement not object", doc(["x"]), "identity", "Syntax errors in policy."),
    ("unknown statement key", doc(stmt(Actions="s3:*")), "identity", "Syntax errors in policy."),
    ("lower case key", doc(stmt(effect="Allow")), "identity", "Syntax errors in policy."),
    ("action and notaction", doc(stmt(NotAction="s3:*")), "identity", "Syntax errors in policy."),
    (
        "resource and notresource",
        doc(stmt(NotResource="*")),
        "identity",
        "Syntax errors in policy.",
    ),
    ("missing effect", doc(stmt(Effect=None)), "identity", "Syntax errors in policy."),
    ("bad effect", doc(stmt(Effect="Permit")), "identity", "Syntax errors in policy."),
    ("effect case", doc(stmt(Effect="allow")), "identity", "The policy failed legacy parsing"),
    ("action number", doc(stmt(Action=5)), "identity", "Syntax errors in policy."),
    (
        "action list with number",
        doc(stmt(Action=["s3:GetObject", 5])),
        "identity",
        "Syntax errors in policy.",
    ),
    ("sid not string", doc(stmt(Sid=5)), "identity", "Syntax errors in policy."),
    ("condition not object", doc(stmt(Condition=[])), "identity", "Syntax errors in policy."),
    (
        "condition block not object",
        doc(stmt(Condition={"StringEquals": "x"})),
        "identity",
        "Syntax errors in policy.",
    ),
    (
        "condition nested list",
        doc(stmt(Condition={"StringEquals": {"aws:username": [["a"]]}})),
        "identity",
        "Syntax errors in policy.",
    ),
    (
        "condition null",
        doc(stmt(Condition={"StringEquals": {"aws:username": None}})),
        "identity",
        "Syntax errors in policy.",
    ),
    (
        "unknown operator",
        doc(stmt(Condition={"StringEqual": {"aws:username": "a"}})),
        "identity",
        "Syntax errors in policy.",
    ),
    (
        "operator case",
        doc(stmt(Condition={"stringequals": {"aws:username": "a"}})),
        "identity",
        "Syntax errors in policy.",
    ),
    (
        "null if exists",
        doc(stmt(Condition={"NullIfExists": {"aws:username": "true"}})),
        "identity",
        "Syntax errors in policy.",
    ),
    (
        "double qualifier",
        doc(stmt(Condition={"ForAnyValue:ForAllValues:StringEquals": {"aws:TagKeys": "a"}})),
        "identity",
        "Syntax errors in policy.",
    ),
    (
        "bad date",
        doc(stmt(Condition={"DateLessThan": {"aws:CurrentTime": "2030-13-01"}})),
        "identity",
        "The policy failed legacy parsing",
    ),
    (
        "duplicate sid",
        doc([stmt(Sid="A"), stmt(Sid="A")]),
        "identity",
        "Statement IDs (SID) in a single policy must be unique.",
    ),
    (
        "sid characters",
        doc(stmt(Sid="Allow reads")),
        "identity",
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
        "expression [0-9A-Za-z]*",
    ),
    (
        "missing action",
        doc(stmt(Action=None)),
        "identity",
        "Policy statement must contain actions.",
    ),
    ("empty action", doc(stmt(Action=[])), "identity", "Policy statement must contain actions."),
    (
        "resource not arn",
        doc(stmt(Resource="my-bucket")),
        "identity",
        'Resource my-bucket must be in ARN format or "*".',
    ),
    (
        "bad partition",
        doc(stmt(Resource="arn:aws-x:s3:::b")),
        "identity",
        'Partition "aws-x" is not valid for resource "arn:aws-x:s3:::b".',
    ),
    (
        "no vendor in arn",
        doc(stmt(Resource="arn:aws")),
        "identity",
        "Resource vendor must be fully qualified and cannot contain regexes.",
    ),
    (
        "iam region",
        doc(stmt(Resource="arn:aws:iam:us-east-1:123456789012:user/a")),
        "identity",
        "IAM resource arn:aws:iam:us-east-1:123456789012:user/a cannot contain region information.",
    ),
    (
        "s3 region",
        doc(stmt(Resource="arn:aws:s3:us-east-1::bucket")),
        "identity",
        "Resource arn:aws:s3:us-east-1::bucket can not contain region information.",
    ),
    (
        "iam path",
        doc(stmt(Resource="arn:aws:iam::123456789012:people/a")),
        "identity",
        'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
        "instance-profile/, "
        "mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, "
        "access-report/.",
    ),
    (
        "action without vendor",
        doc(stmt(Action="GetObject")),
        "identity",
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.",
    ),
    (
        "two colons",
        doc(stmt(Action="s3:Get:Object")),
        "identity",
        "Actions/Condition can contain only one colon.",
    ),
    ("bad vendor", doc(stmt(Action="s_3:GetObject")), "identity", "Vendor s_3 is not valid"),
    ("wildcard in vendor", doc(stmt(Action="s3*:Get*")), "identity", "Vendor s3* is not valid"),
    (
        "missing resource",
        doc(stmt(Resource=None)),
        "identity",
        "Policy statement must contain resources.",
    ),
    (
        "empty resource",
        doc(stmt(Resource=[])),
        "identity",
        "Policy statement must contain resources.",
    ),
    (
        "principal in identity",
        doc(stmt(Principal="*")),
        "identity",
        "Policy document should not specify a principal.",
    ),
    (
        "notprincipal in boundary",
        doc(stmt(NotPrincipal="*")),
        "boundary",
        "Policy document should not specify a principal.",
    ),
    (
        "principal in session",
        doc(stmt(Principal="*")),
        "session",
        "Policy document should not specify a principal.",
    ),
    ("resource without principal", doc(stmt()), "resource", "Missing required field Principal"),
    (
        "trust without principal",
        doc({k: v for k, v in TRUST.items() if k != "Principal"}),
        "trust",
        "Missing required field Principal",
    ),
    (
        "trust with resource",
        doc({**TRUST, "Resource": "*"}),
        "trust",
        "Has prohibited field Resource.",
    ),
    (
        "trust with s3 action",
        doc({**TRUST, "Action": "s3:GetObject"}),
        "trust",
        "Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML,  and "
        "sts:AssumeRoleWithWebIdentity",
    ),
    (
        "principal string",
        doc(stmt(Principal="arn:aws:iam::123456789012:root")),
        "resource",
        "Invalid principal in policy",
    ),
    (
        "principal key",
        doc(stmt(Principal={"User": "a"})),
        "resource",
        "Invalid principal in policy",
    ),
    ("principal number", doc(stmt(Principal={"AWS": 5})), "resource", "Syntax errors in policy."),
]


@pytest.mark.parametrize(
    ("text", "kind", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
def test_invalid_policies_raise_iam_messages(text, kind, message):
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, kind)
    error = caught.value
    assert error.code == "MalformedPolicyDocument"
    if message is not None:
        assert error.message == message
    assert error.line is not None and error.column is not None


def test_managed_policies_need_the_current_version():
    with pytest.raises(PolicyError, match="must be version 2012-10-17 or greater"):
        parse_policy(doc(version="2008-10-17"), managed=True)
    with pytest.raises(PolicyError, match="must be version 2012-10-17 or greater"):
        parse_policy(doc(version=None), managed=True)
    assert parse_policy(doc(), managed=True).version == "2012-10-17"


PRETTY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Reads",
      "Effect": "Alow",
      "Action": "s3:GetObject",
      "Resource": "*"
    }
  ]
}"""

LOCATED = [
    # what is wrong, replacement in PRETTY, line, column
    ("bad effect points at the value", None, 6, 17),
    ("missing comma", ('"Effect": "Alow",', '"Effect": "Allow"'), 7, 7),
    ("unknown key points at the key", ('"Effect": "Alow"', '"Effect": "Allow", "Foo": 1'), 6, 26),
    (
        "bad resource points at the value",
        ('"Effect": "Alow"', '"Effect": "Allow"', '"*"', '"bucket"'),
        8,
        19,
    ),
    (
        "missing action points at the statement",
        ('"Effect": "Alow"', '"Effect": "Allow"', '"Action": "s3:GetObject",', ""),
        4,
        5,
    ),
    ("bad version", ("2012-10-17", "2012"), 2, 14),
]


@pytest.mark.parametrize(
    ("edits", "line", "column"), [c[1:] for c in LOCATED], ids=[c[0] for c in LOCATED]
)
def test_errors_point_at_the_place(edits, line, column):
    text = PRETTY
    edits = edits or ()
    for old, new in zip(edits[::2], edits[1::2], strict=False):
        text = text.replace(old, new)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text)
    assert (caught.value.line, caught.value.column) == (line, column)


def test_statements_carry_index_sid_and_positions():
    policy = parse_policy(PRETTY.replace("Alow", "Allow"))
    (statement,) = policy.statements
    assert (statement.index, statement.sid, statement.label) == (1, "Reads", "Reads")
    assert statement.start == Location(4, 5)
    assert statement.end == Location(9, 6)
    assert statement.actions == ("s3:GetObject",)
    assert statement.resources == ("*",)


def test_allow_mfa_policy_fields():
    policy = parse_policy(ALLOW_MFA)
    assert policy.version == "2012-10-17" and policy.variables_enabled
    assert [s.effect for s in policy.statements] == ["Allow"] * 4 + ["Deny"]
    assert policy.statements[4].not_actions[0] == "iam:CreateVirtualMFADevice"
    assert policy.statements[3].conditions == (
        Condition("Bool", "aws:MultiFactorAuthPresent", ("true",)),
    )
    assert policy.statements[4].conditions[0].operator == "BoolIfExists"
    assert policy.statements[0].start == Location(1, 38)


def test_principals_are_normalised():
    policy = parse_policy(
        doc([stmt(Principal="*"), stmt(Principal={"AWS": "a", "Service": ["b", "c"]})]), "resource"
    )
    assert policy.statements[0].principals == (("*", ("*",)),)
    assert policy.statements[1].principals == (("AWS", ("a",)), ("Service", ("b", "c")))


def test_missing_version_means_legacy():
    assert not parse_policy(doc(version=None)).variables_enabled


def test_dict_input_has_no_locations_and_is_cached():
    data = json.loads(doc())
    first = parse_policy(data)
    assert first.statements[0].start is None
    assert parse_policy(dict(data)) is first


def test_text_is_cached():
    assert parse_policy(ALLOW_MFA) is parse_policy(ALLOW_MFA)


@pytest.mark.parametrize(
    "document", [None, 5, ["x"], {"a": {1, 2}}, {"Statement": float("nan")}, b"{}"]
)
def test_non_documents_raise_policy_error(document):
    with pytest.raises(PolicyError):
        parse_policy(document)


def test_unknown_kind():
    with pytest.raises(PolicyError):
        parse_policy(doc(), "endpoint")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(
        ["*", "s3:GetObject", "arn:aws:s3:::b/*", "Allow", "Deny", "2012-10-17", "iam:*"]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "Version",
                    "Statement",
                    "Sid",
                    "Effect",
                    "Action",
                    "NotAction",
                    "Resource",
                    "NotResource",
                    "Principal",
                    "NotPrincipal",
                    "Condition",
                    "AWS",
                    "Bool",
                    "StringLike",
                    "DateLessThan",
                    "aws:username",
                    "Id",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(json_values, st.sampled_from(["identity", "resource", "trust", "boundary", "session"]))
def test_arbitrary_json_only_raises_policy_error(value, kind):
    for document in (json.dumps(value), value):
        with contextlib.suppress(PolicyError):
            parse_policy(document, kind)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_arbitrary_text_only_raises_policy_error(text):
    with contextlib.suppress(PolicyError):
        parse_policy(text)
