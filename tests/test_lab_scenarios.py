"""Named scenarios: each notebook can start from a known account state."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.scenarios import (
    ALLOW_MFA_POLICY,
    ALLOW_MFA_POLICY_NAME,
    CTO,
    CTO_ROLE,
    IMAGES_BUCKET,
    LAMBDA_ROLE,
    ORDERS_TABLE,
    PASSWORDS,
    SCENARIOS,
    load,
)

ACCOUNT = "123456789012"

# The policy as AWS's IAM guide gives it.
AWS_ALLOW_MFA = {"Version": "2012-10-17", "Statement": [
    {"Sid": "AllowListActions", "Effect": "Allow",
     "Action": ["iam:ListUsers", "iam:ListVirtualMFADevices"], "Resource": "*"},
    {"Sid": "AllowIndividualUserToListOnlyTheirOwnMFA", "Effect": "Allow",
     "Action": ["iam:ListMFADevices"],
     "Resource": ["arn:aws:iam::*:mfa/*", "arn:aws:iam::*:user/${aws:username}"]},
    {"Sid": "AllowIndividualUserToManageTheirOwnMFA", "Effect": "Allow",
     "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice",
                "iam:EnableMFADevice", "iam:ResyncMFADevice"],
     "Resource": ["arn:aws:iam::*:mfa/${aws:username}", "arn:aws:iam::*:user/${aws:username}"]},
    {"Sid": "AllowIndividualUserToDeactivateOnlyTheirOwnMFAOnlyWhenUsingMFA", "Effect": "Allow",
     "Action": ["iam:DeactivateMFADevice"],
     "Resource": ["arn:aws:iam::*:mfa/${aws:username}", "arn:aws:iam::*:user/${aws:username}"],
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}},
    {"Sid": "BlockMostAccessUnlessSignedInWithMFA", "Effect": "Deny",
     "NotAction": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices",
                   "iam:ListUsers", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice"],
     "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
]}  # fmt: skip


def denied(call: object, **params: object) -> str:
    with pytest.raises(ClientError) as raised:
        call(**params)  # type: ignore[operator]
    return raised.value.response["Error"]["Code"]


def test_allow_mfa_policy_is_aws_s() -> None:
    assert json.loads(ALLOW_MFA_POLICY) == AWS_ALLOW_MFA


def test_scenario_names() -> None:
    assert set(SCENARIOS) >= {"groups", "users", "mfa-blocked", "roles"}
    for scenario in SCENARIOS.values():
        assert scenario.__doc__


def test_unknown_scenario() -> None:
    with Lab(seed=1) as lab, pytest.raises(ValueError, match="Unknown scenario 'nope'"):
        load(lab, "nope")


def test_groups() -> None:
    with Lab(seed=1, scenario="groups") as lab:
        iam = lab.client("iam")
        members = {
            group: [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]]
            for group in ("Business-Analysts", "Developers")
        }
        assert members == {"Business-Analysts": ["ana"], "Developers": ["dev"]}
        attached = iam.list_attached_group_policies(GroupName="Business-Analysts")
        assert [p["PolicyName"] for p in attached["AttachedPolicies"]] == [
            "AmazonDynamoDBReadOnlyAccess"
        ]
        ana = lab.sign_in("ana", PASSWORDS["ana"])
        items = ana.client("dynamodb").scan(TableName=ORDERS_TABLE)["Items"]
        assert len(items) == 3
        dynamodb = ana.client("dynamodb")
        assert (
            denied(dynamodb.put_item, TableName=ORDERS_TABLE, Item={"order_id": {"S": "9"}})
            == "AccessDeniedException"
        )
        dev = lab.sign_in("dev", PASSWORDS["dev"])
        assert [b["Name"] for b in dev.client("s3").list_buckets()["Buckets"]] == [IMAGES_BUCKET]
        assert denied(dev.client("iam").list_users) == "AccessDenied"
        for user in ("ana", "dev"):
            assert iam.list_access_keys(UserName=user)["AccessKeyMetadata"] == []


def test_users() -> None:
    with Lab(seed=1, scenario="users") as lab:
        iam = lab.client("iam")
        assert iam.list_access_keys(UserName=CTO)["AccessKeyMetadata"] == []
        groups = [g["GroupName"] for g in iam.list_groups_for_user(UserName=CTO)["Groups"]]
        assert groups == ["Developers"]
        attached = iam.list_attached_user_policies(UserName=CTO)["AttachedPolicies"]
        assert [p["PolicyName"] for p in attached] == ["AdministratorAccess"]
        cto = lab.sign_in(CTO, PASSWORDS[CTO])
        assert cto.client("iam").list_users()["Users"]


def test_mfa_blocked() -> None:
    with Lab(seed=1, scenario="mfa-blocked") as lab:
        iam = lab.client("iam")
        attached = iam.list_attached_user_policies(UserName=CTO)["AttachedPolicies"]
        assert {p["PolicyName"] for p in attached} == {"AdministratorAccess", ALLOW_MFA_POLICY_NAME}
        cto = lab.sign_in(CTO, PASSWORDS[CTO])
        assert cto.client("iam").list_users()["Users"]  # allowed without MFA
        assert denied(cto.client("s3").list_buckets) == "AccessDenied"


def test_roles() -> None:
    with Lab(seed=1, scenario="roles") as lab:
        iam = lab.client("iam")
        admin = iam.get_role(RoleName=CTO_ROLE)["Role"]
        statement = admin["AssumeRolePolicyDocument"]["Statement"][0]
        assert statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:user/{CTO}"}
        lambda_role = iam.get_role(RoleName=LAMBDA_ROLE)["Role"]
        statement = lambda_role["AssumeRolePolicyDocument"]["Statement"][0]
        assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert iam.list_role_policies(RoleName=LAMBDA_ROLE)["PolicyNames"] == ["S3-company-images"]
        cto = lab.sign_in(CTO, PASSWORDS[CTO])
        session = cto.assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{CTO_ROLE}", RoleSessionName="cto"
        )
        assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/{CTO_ROLE}/cto"


def test_scenarios_are_recorded_in_the_trail() -> None:
    with Lab(seed=1, scenario="groups") as lab:
        assert len(lab.trail) > 0
