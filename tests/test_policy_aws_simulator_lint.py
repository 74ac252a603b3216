"""Lint findings and simulator responses checked against AWS's own documents.

Each table names the page it was taken from.
"""

import json

import pytest

from labkit.policy import PolicyError, lint
from labkit.policy.simulate import simulate_custom_policy

# --- Lint ---------------------------------------------------------------------
# https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
# (Access Analyzer policy check reference): issue code, finding type and the
# programmatic "findingDetails" text.


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(**fields):
    base = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def cond(operator, key, value, **fields):
    return allow(Condition={operator: {key: value}}, **fields)


CHECKS = [
    # (policy, kind, severity, code, findingDetails)
    (
        doc(allow(Action=[]), allow()),
        "identity",
        "suggestion",
        "EMPTY_ARRAY_ACTION",
        "This statement includes no actions and does not affect the policy. Specify actions.",
    ),
    (
        doc(allow(Resource=[])),
        "identity",
        "suggestion",
        "EMPTY_ARRAY_RESOURCE",
        "This statement includes no resources and does not affect the policy. Specify resources.",
    ),
    (
        doc(allow(Condition={})),
        "identity",
        "suggestion",
        "EMPTY_OBJECT_CONDITION",
        "This condition block is empty and it does not affect the policy. Specify conditions.",
    ),
    (
        doc(cond("StringEquals", "aws:username", [])),
        "identity",
        "suggestion",
        "EMPTY_ARRAY_CONDITION",
        "There are no values for the condition key aws:username and it does not affect the "
        "policy. Specify conditions.",
    ),
    (
        doc(cond("ForAnyValue:StringEquals", "aws:TagKeys", [])),
        "identity",
        "suggestion",
        "EMPTY_ARRAY_CONDITION_FORANYVALUE",
        "The ForAnyValue prefix with an empty condition key aws:TagKeys never matches the "
        "request context and it does not affect the policy. Specify conditions.",
    ),
    (
        doc(allow(Action=["iam:Get*", "iam:List*", "iam:GetCredentialReport"])),
        "identity",
        "suggestion",
        "REDUNDANT_ACTION",
        "The 1 action(s) are redundant because they provide similar permissions. Update the "
        "policy to remove the redundant action such as: iam:GetCredentialReport.",
    ),
    (
        doc(
            allow(
                Action="iam:GetRole",
                Resource=[
                    "arn:aws:iam::111122223333:role/jane-admin",
                    "arn:aws:iam::111122223333:role/jane-s3only",
                    "arn:aws:iam::111122223333:role/jane*",
                ],
            )
        ),
        "identity",
        "suggestion",
        "REDUNDANT_RESOURCE",
        "The 2 resource ARN(s) are redundant because they reference the same resource. Review "
        "the use of wildcards (*)",
    ),
    (
        doc(cond("NumericLessThan", "aws:MultiFactorAuthAge", ["2700", "3600"])),
        "identity",
        "suggestion",
        "REDUNDANT_CONDITION_VALUE_NUM",
        "Multiple values in NumericLessThan are redundant. Replace with the greatest/least "
        "single value for aws:MultiFactorAuthAge.",
    ),
    (
        doc(allow(), allow(Sid="Again")),
        "identity",
        "suggestion",
        "REDUNDANT_STATEMENT",
        "The statements are redundant because they provide identical permissions. Update the "
        "policy to remove the redundant statement.",
    ),
    (
        doc(cond("IpAddress", "aws:VpcSourceIp", "10.0.0.0/16")),
        "identity",
        "security_warning",
        "MISSING_PAIRED_CONDITION_KEYS",
        "Using the condition key aws:VpcSourceIp can be overly permissive without also using "
        "the following condition keys: aws:SourceVpc. Condition keys like this one are more "
        "secure when paired with a related key. We recommend that you add the related condition "
        "keys to the same condition block.",
    ),
    (
        doc(allow(Action="iam:PassRole")),
        "identity",
        "security_warning",
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        "Using the iam:PassRole action with wildcards (*) in the resource can be overly "
        "permissive because it allows iam:PassRole permissions on multiple resources. We "
        "recommend that you specify resource ARNs or add the iam:PassedToService condition key "
        "to your statement.",
    ),
    (
        doc(allow(Action="iam:PassRole", Resource=None, NotResource="arn:aws:iam::*:role/x")),
        "identity",
        "security_warning",
        "PASS_ROLE_WITH_NOT_RESOURCE",
        "Using the iam:PassRole action with NotResource can be overly permissive because it can "
        "allow iam:PassRole permissions on multiple resources. We recommend that you specify "
        "resource ARNs instead.",
    ),
    (
        doc(allow(Action="iam:CreateServiceLinkedRole")),
        "identity",
        "warning",
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can "
        "allow creation of unintended service-linked roles. We recommend that you specify "
        "resource ARNs instead.",
    ),
    (
        doc(
            {
                "Effect": "Allow",
                "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
            }
        ),
        "resource",
        "security_warning",
        "ALLOW_WITH_NOT_PRINCIPAL",
        "Using Allow with NotPrincipal can be overly permissive. We recommend that you use "
        "Principal instead.",
    ),
    (
        doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": []},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
            }
        ),
        "resource",
        "suggestion",
        "EMPTY_ARRAY_PRINCIPAL",
        "This statement includes no principals and does not affect the policy. Specify principals.",
    ),
    (
        doc(cond("Bool", "aws:SecureTransport", "yes")),
        "identity",
        "warning",
        "TYPE_MISMATCH_BOOLEAN",
        "Add a valid Boolean value (true or false) for the condition operator Bool.",
    ),
    (
        doc(cond("NumericLessThan", "aws:MultiFactorAuthAge", "an hour")),
        "identity",
        "warning",
        "TYPE_MISMATCH_NUMBER",
        "Add a valid numeric value for the condition operator NumericLessThan.",
    ),
    (
        doc(cond("IpAddress", "aws:SourceIp", "my office")),
        "identity",
        "warning",
        "TYPE_MISMATCH_IP_RANGE",
        "The condition operator IpAddress is used with an invalid IP range value. Specify the "
        "IP range in standard CIDR format.",
    ),
    (
        doc(cond("IpAddress", "aws:SourceIp", "203.0.113.9/24")),
        "identity",
        "suggestion",
        "IMPROVE_IP_RANGE",
        "The non-zero bits in the IP address after the masked bits are ignored. Replace "
        "address with 203.0.113.0/24.",
    ),
    (
        doc(cond("IpAddress", "aws:SourceIp", ["10.0.0.0/8", "203.0.113.0/24"])),
        "identity",
        "suggestion",
        "PRIVATE_IP_ADDRESS_SUBSET",
        "The values for condition key aws:SourceIp include a mix of private and public IP "
        "addresses. The private addresses will not have the desired effect. aws:SourceIp works "
        "only for public IP address ranges. To define permissions for private IP ranges, use "
        "aws:VpcSourceIp.",
    ),
    (
        doc(cond("StringEquals", "aws:ResourceTag", "x")),
        "identity",
        "error",
        "MISSING_TAG_KEY_IN_CONDITION",
        "The condition key aws:ResourceTag must include a tag key to control access based on "
        "tags. Use the format aws:ResourceTag/tag-key and specify a key name for tag-key.",
    ),
    (
        doc(cond("StringEquals", "aws:usernam", "x")),
        "identity",
        "error",
        "INVALID_GLOBAL_CONDITION_KEY",
        "The condition key aws:usernam does not exist. Use a valid condition key.",
    ),
    (
        json.dumps(
            {
                "Version": "2008-10-17",
                "Statement": allow(Resource="arn:aws:s3:::notes/${aws:username}/*"),
            }
        ),
        "identity",
        "error",
        "VARIABLE_UNSUPPORTED_IN_VERSION",
        "To include variables in your policy, use the policy version 2012-10-17 or later.",
    ),
    (
        json.dumps({"Statement": allow()}),
        "identity",
        "warning",
        "MISSING_VERSION",
        "We recommend that you specify the Version element to help you with debugging "
        "permission issues.",
    ),
]


@pytest.mark.parametrize(
    ("text", "kind", "severity", "code", "message"), CHECKS, ids=[c[3] for c in CHECKS]
)
def test_access_analyzer_checks(text, kind, severity, code, message):
    findings = [f for f in lint(text, kind) if f.code == code]
    assert findings, [f.code for f in lint(text, kind)]
    assert (findings[0].severity, findings[0].message) == (severity, message)
    assert findings[0].location is not None


def test_passed_to_service_resolves_pass_role():
    text = doc(
        cond("StringEquals", "iam:PassedToService", "ec2.amazonaws.com", Action="iam:PassRole")
    )
    assert "PASS_ROLE_WITH_STAR_IN_RESOURCE" not in [f.code for f in lint(text)]


def test_not_redundant_when_a_pattern_covers_more():
    # The reference's own counter-example: iam:*CredentialReport also covers
    # iam:GenerateCredentialReport, so nothing is redundant.
    text = doc(allow(Action=["iam:Get*", "iam:List*", "iam:*CredentialReport"]))
    assert "REDUNDANT_ACTION" not in [f.code for f in lint(text)]


@pytest.mark.parametrize("document", [None, 5, "", "[", {"Statement": 1}, [1], {"x": float("nan")}])
def test_lint_never_raises(document):
    assert [f.severity for f in lint(document)] == ["error"]


# --- Simulator ------------------------------------------------------------------
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html,
# API_EvaluationResult.html and API_ResourceSpecificResult.html, as carried
# by botocore's service model for IAM (2010-05-08).

S3_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/*"},
            {
                "Effect": "Deny",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::photos/secret/*",
            },
        ],
    },
    indent=2,
)
PHOTO = "arn:aws:s3:::photos/cat.png"
SECRET = "arn:aws:s3:::photos/secret/plan.txt"
# The Service Authorization Reference names the key part ${ObjectName}; the API
# reference's example writes ${KeyName}.
OBJECT_TEMPLATE = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"

RESOURCE_CASES = [
    # (ResourceArns, EvalResourceName, EvalDecision, per-resource decisions or None)
    (None, "*", "implicitDeny", None),
    (["*"], "*", "implicitDeny", None),
    ([PHOTO], OBJECT_TEMPLATE, "allowed", ["allowed"]),
    ([PHOTO, SECRET], OBJECT_TEMPLATE, "explicitDeny", ["allowed", "explicitDeny"]),
]


@pytest.mark.parametrize(("arns", "name", "decision", "per_resource"), RESOURCE_CASES)
def test_one_result_per_action(arns, name, decision, per_resource):
    params = {"PolicyInputList": [S3_READ], "ActionNames": ["s3:GetObject"]}
    if arns is not None:
        params["ResourceArns"] = arns
    response = simulate_custom_policy(**params)
    assert response["IsTruncated"] is False
    (result,) = response["EvaluationResults"]
    assert (result["EvalActionName"], result["EvalResourceName"]) == ("s3:GetObject", name)
    assert result["EvalDecision"] == decision
    if per_resource is None:
        assert "ResourceSpecificResults" not in result
        assert "EvalDecisionDetails" not in result  # same account, resource "*"
    else:
        details = result["ResourceSpecificResults"]
        assert [d["EvalResourceName"] for d in details] == arns
        assert [d["EvalResourceDecision"] for d in details] == per_resource
        assert result["EvalDecisionDetails"] == {}  # same account with ARNs: present, empty
        assert all("EvalDecisionDetails" not in d for d in details)  # cross-account only


def test_top_level_lists_the_deciding_statements():
    response = simulate_custom_policy(
        PolicyInputList=[S3_READ], ActionNames=["s3:GetObject"], ResourceArns=[PHOTO, SECRET]
    )
    (result,) = response["EvaluationResults"]
    (deny,) = result["MatchedStatements"]  # only the explicit deny decides
    assert deny["StartPosition"] == {"Line": 9, "Column": 5}
    assert set(deny) == {"SourcePolicyId", "SourcePolicyType", "StartPosition", "EndPosition"}


def test_missing_context_values_top_level_and_per_resource():
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": cond("StringEquals", "aws:username", "bob"),
        }
    )
    (result,) = simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:GetObject"], ResourceArns=[PHOTO]
    )["EvaluationResults"]
    assert result["MissingContextValues"] == ["aws:username"]
    assert result["ResourceSpecificResults"][0]["MissingContextValues"] == ["aws:username"]


CONTEXT_TYPES = [
    # (ContextKeyType, values, condition operator, key, policy value)
    ("string", ["bob"], "StringEquals", "aws:username", "bob"),
    ("stringList", ["a", "b"], "ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"]),
    ("numeric", ["30"], "NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
    ("numericList", ["30"], "ForAnyValue:NumericLessThan", "aws:MultiFactorAuthAge", "3600"),
    ("boolean", ["true"], "Bool", "aws:SecureTransport", "true"),
    ("booleanList", ["true"], "ForAnyValue:Bool", "aws:SecureTransport", "true"),
    ("ip", ["203.0.113.7"], "IpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("ipList", ["203.0.113.7"], "ForAnyValue:IpAddress", "aws:SourceIp", "203.0.113.0/24"),
    ("binary", ["QUJD"], "BinaryEquals", "aws:username", "QUJD"),
    ("binaryList", ["QUJD"], "ForAnyValue:BinaryEquals", "aws:username", "QUJD"),
    ("date", ["2030-01-01T00:00:00Z"], "DateGreaterThan", "aws:CurrentTime", "2020-01-01"),
    (
        "dateList",
        ["2030-01-01T00:00:00Z"],
        "ForAnyValue:DateGreaterThan",
        "aws:CurrentTime",
        "2020-01-01",
    ),
]


@pytest.mark.parametrize(("kind", "values", "operator", "key", "expected"), CONTEXT_TYPES)
def test_context_key_types(kind, values, operator, key, expected):
    policy = json.dumps({"Version": "2012-10-17", "Statement": cond(operator, key, expected)})
    (result,) = simulate_custom_policy(
        PolicyInputList=[policy],
        ActionNames=["s3:GetObject"],
        ContextEntries=[
            {"ContextKeyName": key, "ContextKeyValues": values, "ContextKeyType": kind}
        ],
    )["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"


BAD_ENTRIES = [
    {"ContextKeyName": "aws:username", "ContextKeyValues": ["x"], "ContextKeyType": "text"},
    {
        "ContextKeyName": "aws:MultiFactorAuthAge",
        "ContextKeyValues": ["soon"],
        "ContextKeyType": "numeric",
    },
    {
        "ContextKeyName": "aws:SecureTransport",
        "ContextKeyValues": ["yes"],
        "ContextKeyType": "boolean",
    },
    {"ContextKeyName": "aws:SourceIp", "ContextKeyValues": ["home"], "ContextKeyType": "ip"},
    {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["later"], "ContextKeyType": "date"},
    {"ContextKeyName": "aws:username", "ContextKeyValues": ["a", "b"], "ContextKeyType": "string"},
]


@pytest.mark.parametrize("entry", BAD_ENTRIES)
def test_malformed_context_entries_are_invalid_input(entry):
    with pytest.raises(PolicyError) as raised:
        simulate_custom_policy(
            PolicyInputList=[S3_READ], ActionNames=["s3:GetObject"], ContextEntries=[entry]
        )
    assert raised.value.code == "InvalidInput"


def test_malformed_policy_input():
    with pytest.raises(PolicyError) as raised:
        simulate_custom_policy(PolicyInputList=["{not json"], ActionNames=["s3:GetObject"])
    assert raised.value.code == "MalformedPolicyDocument"


def test_max_items_and_marker():
    actions = ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]
    first = simulate_custom_policy(PolicyInputList=[S3_READ], ActionNames=actions, MaxItems=2)
    assert first["IsTruncated"] is True
    assert [r["EvalActionName"] for r in first["EvaluationResults"]] == actions[:2]
    rest = simulate_custom_policy(
        PolicyInputList=[S3_READ], ActionNames=actions, MaxItems=2, Marker=first["Marker"]
    )
    assert rest["IsTruncated"] is False
    assert "Marker" not in rest
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == actions[2:]
    with pytest.raises(PolicyError) as raised:
        simulate_custom_policy(PolicyInputList=[S3_READ], ActionNames=actions, MaxItems=0)
    assert raised.value.code == "InvalidInput"
