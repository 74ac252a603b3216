"""The simulator's request and response shapes."""

import json
from pathlib import Path

import pytest

from labkit.policy import Policy, PolicyError
from labkit.policy.simulate import (
    context_from_entries,
    context_keys,
    simulate,
    simulate_custom_policy,
)

MFA_TEXT = json.dumps(
    json.loads((Path(__file__).parent / "scenarios" / "allow_mfa.json").read_text())["policies"][
        "identity"
    ][0],
    indent=2,
)


def test_custom_policy_shape():
    response = simulate_custom_policy(
        PolicyInputList=[MFA_TEXT],
        ActionNames=["s3:ListAllMyBuckets", "iam:ListUsers"],
        ContextEntries=[
            {
                "ContextKeyName": "aws:MultiFactorAuthPresent",
                "ContextKeyValues": ["false"],
                "ContextKeyType": "boolean",
            }
        ],
    )
    assert response["IsTruncated"] is False
    first, second = response["EvaluationResults"]
    assert first["EvalActionName"] == "s3:ListAllMyBuckets"
    assert first["EvalResourceName"] == "*"
    assert first["EvalDecision"] == "explicitDeny"
    (statement,) = first["MatchedStatements"]
    assert statement["SourcePolicyId"] == "PolicyInputList.1"
    assert statement["SourcePolicyType"] == "IAM Policy"
    assert set(statement["StartPosition"]) == {"Line", "Column"}
    assert "EvalDecisionDetails" not in first
    assert first["MissingContextValues"] == []
    assert second["EvalDecision"] == "allowed"


def test_missing_context_values():
    response = simulate_custom_policy(
        PolicyInputList=[MFA_TEXT], ActionNames=["s3:ListAllMyBuckets"]
    )
    assert response["EvaluationResults"][0]["MissingContextValues"] == [
        "aws:MultiFactorAuthPresent"
    ]


def test_explicit_resources_report_per_resource():
    response = simulate_custom_policy(
        PolicyInputList=[MFA_TEXT],
        ActionNames=["iam:CreateVirtualMFADevice"],
        ResourceArns=["arn:aws:iam::123456789012:mfa/CTO", "arn:aws:iam::123456789012:mfa/Bob"],
        ContextEntries=[
            {
                "ContextKeyName": "aws:username",
                "ContextKeyValues": ["CTO"],
                "ContextKeyType": "string",
            }
        ],
    )
    # IAM now answers once per action: the top level is the most restrictive
    # decision and ResourceSpecificResults holds each resource's own.
    (result,) = response["EvaluationResults"]
    assert result["EvalDecision"] == "implicitDeny"
    assert (
        result["EvalResourceName"] == "arn:${Partition}:iam::${Account}:mfa/${MfaTokenIdWithPath}"
    )
    cto, bob = result["ResourceSpecificResults"]
    assert cto["EvalResourceName"] == "arn:aws:iam::123456789012:mfa/CTO"
    assert cto["EvalResourceDecision"] == "allowed"
    assert (bob["EvalResourceName"], bob["EvalResourceDecision"]) == (
        "arn:aws:iam::123456789012:mfa/Bob",
        "implicitDeny",
    )


def test_boundary_detail():
    allow_all = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}'
    )
    s3_only = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
    )
    response = simulate_custom_policy(
        PolicyInputList=[allow_all],
        PermissionsBoundaryPolicyInputList=[s3_only],
        ActionNames=["iam:CreateUser", "s3:ListBucket"],
    )
    deny, ok = response["EvaluationResults"]
    assert deny["EvalDecision"] == "implicitDeny"
    assert deny["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
    assert ok["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    ids = {s["SourcePolicyId"] for s in ok["MatchedStatements"]}
    assert ids == {"PolicyInputList.1", "PermissionsBoundaryPolicyInputList.1"}


def test_cross_account_resource_policy():
    identity = (
        '{"Version":"2012-10-17","Statement":'
        '{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}'
    )
    bucket = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"AWS": "111122223333"},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::shared/*",
            },
        }
    )
    response = simulate_custom_policy(
        PolicyInputList=[identity],
        ResourcePolicy=bucket,
        ActionNames=["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::shared/x"],
        ResourceOwner="arn:aws:iam::444455556666:root",
        CallerArn="arn:aws:iam::111122223333:user/bob",
    )
    result = response["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    assert result["EvalDecisionDetails"] == {"IAM Policy": "allowed", "Resource Policy": "allowed"}


def test_trust_policy_for_assume_role():
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"},
                "Action": "sts:AssumeRole",
            },
        }
    )
    response = simulate_custom_policy(
        PolicyInputList=[
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
        ],
        ResourcePolicy=trust,
        ActionNames=["sts:AssumeRole"],
        ResourceArns=["arn:aws:iam::123456789012:role/Ops"],
        CallerArn="arn:aws:iam::123456789012:user/alice",
    )
    assert response["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_malformed_policy_raises():
    with pytest.raises(PolicyError) as error:
        simulate_custom_policy(
            PolicyInputList=['{"Version":"2012-10-17","Statement":{}'], ActionNames=["s3:*"]
        )
    assert error.value.code == "MalformedPolicyDocument"


def test_context_entries():
    context = context_from_entries(
        [
            {
                "ContextKeyName": "aws:TagKeys",
                "ContextKeyValues": ["a", "b"],
                "ContextKeyType": "stringList",
            },
            {
                "ContextKeyName": "aws:MultiFactorAuthAge",
                "ContextKeyValues": ["30"],
                "ContextKeyType": "numeric",
            },
        ]
    )
    assert context == {"aws:TagKeys": ("a", "b"), "aws:MultiFactorAuthAge": "30"}


def test_principal_policy_sources():
    user = Policy.parse(
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'
    )
    response = simulate([user.named("inline-s3", "user")], ["s3:ListBucket"])
    statement = response["EvaluationResults"][0]["MatchedStatements"][0]
    assert (statement["SourcePolicyId"], statement["SourcePolicyType"]) == ("inline-s3", "user")


def test_context_keys_documented_example():
    policy = Policy.parse(
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*",'
        '"Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}'
    )
    assert context_keys([policy]) == ["aws:username", "aws:CurrentTime"]


def test_context_keys_mfa():
    assert context_keys([Policy.parse(MFA_TEXT)]) == ["aws:username", "aws:MultiFactorAuthPresent"]


# IAM API Reference, ContextEntry: ContextKeyValues is not required. IAM User
# Guide, "Single-valued vs. multivalued context keys": ForAllValues is true
# for an empty set of values, ForAnyValue false; Null treats it as absent.
EMPTY_TAGS_CASES = [
    ({"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}, "allowed"),
    ({"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}, "implicitDeny"),
    ({"Null": {"aws:TagKeys": "true"}}, "allowed"),
    ({"Null": {"aws:TagKeys": "false"}}, "implicitDeny"),
]


@pytest.mark.parametrize(("condition", "expected"), EMPTY_TAGS_CASES)
@pytest.mark.parametrize("values", [[], None], ids=["empty list", "no values"])
def test_a_context_key_with_no_values_is_an_empty_set(
    condition: dict, expected: str, values: list | None
) -> None:
    import json

    from labkit.policy import simulate_custom_policy

    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "iam:TagUser",
                    "Resource": "*",
                    "Condition": condition,
                }
            ],
        }
    )
    entry: dict = {"ContextKeyName": "aws:TagKeys", "ContextKeyType": "stringList"}
    if values is not None:
        entry["ContextKeyValues"] = values
    answer = simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["iam:TagUser"], ContextEntries=[entry]
    )
    assert answer["EvaluationResults"][0]["EvalDecision"] == expected
