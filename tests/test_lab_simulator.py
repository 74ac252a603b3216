"""IAM's policy simulator on the Lab's principals, in AWS's response shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.scenarios import CTO, LAMBDA_ROLE

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user"


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with Lab(seed=21) as lab:
        lab.load("mfa-blocked")
        iam = lab.client("iam")
        iam.put_user_policy(
            UserName="ana",
            PolicyName="ReadOwnFolder",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::company-images/${aws:username}/*",
                        }
                    ],
                }
            ),
        )
        iam.put_group_policy(
            GroupName="Developers",
            PolicyName="NoDeletes",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Deny", "Action": "dynamodb:DeleteTable", "Resource": "*"}
                    ],
                }
            ),
        )
        iam.create_role(
            RoleName=LAMBDA_ROLE,
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
        iam.put_role_policy(
            RoleName=LAMBDA_ROLE,
            PolicyName="S3-company-images",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::company-images/*",
                        }
                    ],
                }
            ),
        )
        yield lab


def simulate(lab: Lab, source: str, actions: list[str], **params: Any) -> list[dict[str, Any]]:
    iam = lab.client("iam")
    response = iam.simulate_principal_policy(PolicySourceArn=source, ActionNames=actions, **params)
    return response["EvaluationResults"]


def sources(result: dict[str, Any]) -> list[tuple[str, str]]:
    return [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in result["MatchedStatements"]]


def test_group_managed_policy_allows(lab: Lab) -> None:
    [get, put] = simulate(lab, f"{USER}/ana", ["dynamodb:GetItem", "dynamodb:PutItem"])
    assert get["EvalActionName"] == "dynamodb:GetItem"
    assert get["EvalResourceName"] == "*"
    assert get["EvalDecision"] == "allowed"
    assert sources(get) == [("AmazonDynamoDBReadOnlyAccess", "aws-managed")]
    assert "StartPosition" in get["MatchedStatements"][0]
    assert put["EvalDecision"] == "implicitDeny"
    assert put["MatchedStatements"] == []


def test_customer_managed_deny(lab: Lab) -> None:
    [result] = simulate(lab, f"{USER}/{CTO}", ["iam:CreateUser"])
    assert result["EvalDecision"] == "explicitDeny"
    assert sources(result) == [("Allow-MFA", "user-managed")]


def test_context_entries(lab: Lab) -> None:
    [result] = simulate(
        lab,
        f"{USER}/{CTO}",
        ["iam:CreateUser"],
        ContextEntries=[
            {
                "ContextKeyName": "aws:MultiFactorAuthPresent",
                "ContextKeyValues": ["true"],
                "ContextKeyType": "boolean",
            }
        ],
    )
    assert result["EvalDecision"] == "allowed"
    assert ("AdministratorAccess", "aws-managed") in sources(result)


def test_username_comes_from_the_simulated_user(lab: Lab) -> None:
    # One result per action; each resource's decision is in ResourceSpecificResults.
    [result] = simulate(
        lab,
        f"{USER}/ana",
        ["s3:GetObject"],
        ResourceArns=[
            "arn:aws:s3:::company-images/ana/photo.png",
            "arn:aws:s3:::company-images/dev/photo.png",
        ],
    )
    own, other = result["ResourceSpecificResults"]
    assert own["EvalResourceDecision"] == "allowed"
    assert sources(own) == [("ReadOwnFolder", "user")]
    assert own["EvalResourceName"].endswith("ana/photo.png")
    assert other["EvalResourceDecision"] == "implicitDeny"
    assert result["EvalDecision"] == "implicitDeny"  # the most restrictive


def test_allow_mfa_own_user_resources(lab: Lab) -> None:
    [result] = simulate(
        lab,
        f"{USER}/{CTO}",
        ["iam:EnableMFADevice"],
        ResourceArns=[f"{USER}/{CTO}", f"{USER}/ana"],
    )
    own, other = result["ResourceSpecificResults"]
    assert own["EvalResourceDecision"] == "allowed"
    # AdministratorAccess still allows it on other users: only the deny is MFA-bound.
    assert other["EvalResourceDecision"] == "allowed"
    assert result["EvalDecision"] == "allowed"


def test_group_inline_policy_type(lab: Lab) -> None:
    [result] = simulate(lab, f"{USER}/dev", ["dynamodb:DeleteTable"])
    assert result["EvalDecision"] == "explicitDeny"
    assert sources(result) == [("NoDeletes", "group")]


def test_group_as_source(lab: Lab) -> None:
    [result] = simulate(lab, f"arn:aws:iam::{ACCOUNT}:group/Developers", ["s3:ListAllMyBuckets"])
    assert result["EvalDecision"] == "allowed"
    assert sources(result) == [("PowerUserAccess", "aws-managed")]


def test_role_inline_policy_type(lab: Lab) -> None:
    [result] = simulate(
        lab,
        f"arn:aws:iam::{ACCOUNT}:role/{LAMBDA_ROLE}",
        ["s3:GetObject"],
        ResourceArns=["arn:aws:s3:::company-images/originals/team.png"],
    )
    assert result["EvalDecision"] == "allowed"
    assert sources(result) == [("S3-company-images", "role")]


def test_extra_policies_and_boundary(lab: Lab) -> None:
    boundary = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}],
        }
    )
    [scan, lists] = simulate(
        lab,
        f"{USER}/dev",
        ["dynamodb:Scan", "s3:ListAllMyBuckets"],
        PermissionsBoundaryPolicyInputList=[boundary],
    )
    assert scan["EvalDecision"] == "allowed"
    assert scan["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": True}
    assert lists["EvalDecision"] == "implicitDeny"
    assert lists["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_policy_input_list_is_named_by_position(lab: Lab) -> None:
    extra = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
        }
    )
    [result] = simulate(lab, f"{USER}/ana", ["iam:ListUsers"], PolicyInputList=[extra])
    assert sources(result) == [("PolicyInputList.1", "IAM Policy")]


def test_pagination(lab: Lab) -> None:
    iam = lab.client("iam")
    actions = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]
    first = iam.simulate_principal_policy(
        PolicySourceArn=f"{USER}/ana", ActionNames=actions, MaxItems=2
    )
    assert first["IsTruncated"] is True
    assert len(first["EvaluationResults"]) == 2
    rest = iam.simulate_principal_policy(
        PolicySourceArn=f"{USER}/ana", ActionNames=actions, MaxItems=2, Marker=first["Marker"]
    )
    assert rest["IsTruncated"] is False
    assert [r["EvalActionName"] for r in rest["EvaluationResults"]] == ["dynamodb:Scan"]


def test_unknown_user(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        simulate(lab, f"{USER}/nobody", ["s3:ListAllMyBuckets"])
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "NoSuchEntity",
        "The user with name nobody cannot be found.",
    )


def test_a_session_arn_is_invalid_input(lab: Lab) -> None:
    arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{LAMBDA_ROLE}/s1"
    with pytest.raises(ClientError) as raised:
        simulate(lab, arn, ["s3:ListAllMyBuckets"])
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == ("InvalidInput", f"Invalid Entity Arn: {arn}")


def test_simulate_custom_policy(lab: Lab) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
        }
    )
    response = lab.client("iam").simulate_custom_policy(
        PolicyInputList=[policy], ActionNames=["s3:GetObject", "s3:PutObject"]
    )
    decisions = [r["EvalDecision"] for r in response["EvaluationResults"]]
    assert decisions == ["allowed", "implicitDeny"]
    assert sources(response["EvaluationResults"][0]) == [("PolicyInputList.1", "IAM Policy")]


def test_simulate_custom_policy_with_a_malformed_policy(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        lab.client("iam").simulate_custom_policy(
            PolicyInputList=['{"Version": "2012-10-17"'], ActionNames=["s3:GetObject"]
        )
    assert raised.value.response["Error"]["Code"] == "InvalidInput"


def test_context_keys_for_principal(lab: Lab) -> None:
    keys = lab.client("iam").get_context_keys_for_principal_policy(PolicySourceArn=f"{USER}/{CTO}")[
        "ContextKeyNames"
    ]
    assert "aws:username" in keys
    assert "aws:MultiFactorAuthPresent" in keys


def test_context_keys_for_custom_policy(lab: Lab) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::b/${aws:username}/*",
                    "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2024-01-01T00:00:00Z"}},
                }
            ],
        }
    )
    keys = lab.client("iam").get_context_keys_for_custom_policy(PolicyInputList=[policy])
    assert keys["ContextKeyNames"] == ["aws:username", "aws:CurrentTime"]


def test_simulating_needs_permission(lab: Lab) -> None:
    key = lab.client("iam").create_access_key(UserName="ana")["AccessKey"]
    ana = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as raised:
        ana.client("iam").simulate_principal_policy(
            PolicySourceArn=f"{USER}/ana", ActionNames=["s3:ListAllMyBuckets"]
        )
    assert raised.value.response["Error"]["Code"] == "AccessDenied"


def test_user_boundary_is_simulated(lab: Lab) -> None:
    iam = lab.client("iam")
    arn = iam.create_policy(
        PolicyName="OnlyS3",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    iam.create_user(UserName="bounded")
    iam.add_user_to_group(GroupName="Developers", UserName="bounded")
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=arn)
    [s3, dynamodb] = simulate(lab, f"{USER}/bounded", ["s3:ListAllMyBuckets", "dynamodb:Scan"])
    assert s3["EvalDecision"] == "allowed"
    assert dynamodb["EvalDecision"] == "implicitDeny"
    assert dynamodb["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}
