"""Deletes AWS refuses with DeleteConflict while something still depends on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
    }
)
TRUST = json.dumps(
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
)


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=9) as lab:
        yield lab


@pytest.fixture
def iam(lab: Lab) -> Any:
    return lab.client("iam")


def conflict(call: Any, **params: Any) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call(**params)
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def test_group_with_members(iam: Any) -> None:
    iam.create_group(GroupName="g")
    iam.create_user(UserName="u")
    iam.add_user_to_group(GroupName="g", UserName="u")
    assert conflict(iam.delete_group, GroupName="g") == (
        "DeleteConflict",
        "Cannot delete entity, must remove users from group first.",
        409,
    )
    iam.remove_user_from_group(GroupName="g", UserName="u")
    iam.delete_group(GroupName="g")
    assert iam.list_groups()["Groups"] == []


def test_group_with_attached_policy(iam: Any) -> None:
    iam.create_group(GroupName="g")
    iam.attach_group_policy(GroupName="g", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert conflict(iam.delete_group, GroupName="g") == (
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
        409,
    )
    iam.detach_group_policy(GroupName="g", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.delete_group(GroupName="g")


def test_group_with_inline_policy(iam: Any) -> None:
    iam.create_group(GroupName="g")
    iam.put_group_policy(GroupName="g", PolicyName="p", PolicyDocument=POLICY)
    assert conflict(iam.delete_group, GroupName="g")[1] == (
        "Cannot delete entity, must delete policies first."
    )
    iam.delete_group_policy(GroupName="g", PolicyName="p")
    iam.delete_group(GroupName="g")


def test_missing_group_is_no_such_entity(iam: Any) -> None:
    code, message, status = conflict(iam.delete_group, GroupName="nope")
    assert (code, status) == ("NoSuchEntity", 404)
    assert message == "The group with name nope cannot be found."


def test_attached_policy_cannot_be_deleted(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="p", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_user(UserName="u")
    iam.attach_user_policy(UserName="u", PolicyArn=arn)
    assert conflict(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        "Cannot delete a policy attached to entities.",
        409,
    )
    iam.detach_user_policy(UserName="u", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_policy_used_as_a_boundary_cannot_be_deleted(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="limits", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=arn)
    assert conflict(iam.delete_policy, PolicyArn=arn)[1] == (
        "Cannot delete a policy attached to entities."
    )
    iam.delete_role_permissions_boundary(RoleName="r")
    iam.delete_policy(PolicyArn=arn)


def test_policy_with_versions_cannot_be_deleted(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="p", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=POLICY, SetAsDefault=True)
    assert conflict(iam.delete_policy, PolicyArn=arn) == (
        "DeleteConflict",
        "This policy has more than one version. Before you delete a policy, you must delete "
        "the policy's versions. The default version is deleted with the policy.",
        409,
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.delete_policy(PolicyArn=arn)


def test_aws_managed_policy_cannot_be_deleted(iam: Any) -> None:
    arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    code, message, status = conflict(iam.delete_policy, PolicyArn=arn)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        "User: arn:aws:iam::123456789012:root is not authorized to perform: "
        f"iam:DeletePolicy on resource: policy {arn}"
    )


def test_role_conflicts_are_moto_s_and_match_aws(iam: Any) -> None:
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert conflict(iam.delete_role, RoleName="r") == (
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
        409,
    )
    iam.detach_role_policy(RoleName="r", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=POLICY)
    assert conflict(iam.delete_role, RoleName="r")[1] == (
        "Cannot delete entity, must delete policies first."
    )
    iam.delete_role_policy(RoleName="r", PolicyName="p")
    iam.create_instance_profile(InstanceProfileName="ip")
    iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="r")
    assert conflict(iam.delete_role, RoleName="r")[1] == (
        "Cannot delete entity, must remove roles from instance profile first."
    )
    iam.remove_role_from_instance_profile(InstanceProfileName="ip", RoleName="r")
    iam.delete_role(RoleName="r")


def test_user_in_a_group_cannot_be_deleted(iam: Any) -> None:
    iam.create_group(GroupName="g")
    iam.create_user(UserName="u")
    iam.add_user_to_group(GroupName="g", UserName="u")
    assert conflict(iam.delete_user, UserName="u")[1] == (
        "Cannot delete entity, must remove users from group first."
    )


def test_policy_used_as_a_user_boundary_cannot_be_deleted(iam: Any) -> None:
    arn = iam.create_policy(PolicyName="limits", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_user(UserName="u")
    iam.put_user_permissions_boundary(UserName="u", PermissionsBoundary=arn)
    assert conflict(iam.delete_policy, PolicyArn=arn)[0] == "DeleteConflict"
    iam.delete_user_permissions_boundary(UserName="u")
    iam.delete_policy(PolicyArn=arn)
