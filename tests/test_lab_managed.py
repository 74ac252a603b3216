"""AWS managed policies: loaded when first used, and answered as AWS does."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.managed import (
    aws_managed_policy_arns,
    ensure_all_managed_policies,
    ensure_managed_policy,
    is_aws_managed,
    managed_policy_document,
)

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
DBA = "arn:aws:iam::aws:policy/job-function/DatabaseAdministrator"


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=5) as lab:
        yield lab


def aws_policies_loaded(lab: Lab) -> int:
    return sum(1 for arn in lab.backend.managed_policies if is_aws_managed(arn))


def test_a_new_lab_loads_no_managed_policy(lab: Lab) -> None:
    assert aws_policies_loaded(lab) == 0


def test_catalog_knows_the_course_policies() -> None:
    arns = set(aws_managed_policy_arns())
    for name in (
        "AdministratorAccess",
        "PowerUserAccess",
        "ReadOnlyAccess",
        "AmazonDynamoDBReadOnlyAccess",
        "job-function/DatabaseAdministrator",
        "job-function/ViewOnlyAccess",
    ):
        assert f"arn:aws:iam::aws:policy/{name}" in arns


def test_document_of_a_managed_policy() -> None:
    document = managed_policy_document(ADMIN)
    assert document["Statement"] == [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    with pytest.raises(KeyError):
        managed_policy_document("arn:aws:iam::aws:policy/NoSuchPolicy")


def test_attach_loads_only_that_policy(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=ADMIN)
    assert aws_policies_loaded(lab) == 1
    attached = iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AdministratorAccess", "PolicyArn": ADMIN}]
    iam.create_group(GroupName="dbas")
    iam.attach_group_policy(GroupName="dbas", PolicyArn=DBA)
    assert iam.list_attached_group_policies(GroupName="dbas")["AttachedPolicies"][0] == {
        "PolicyName": "DatabaseAdministrator",
        "PolicyArn": DBA,
    }


def test_get_policy_and_its_default_version(lab: Lab) -> None:
    iam = lab.client("iam")
    policy = iam.get_policy(PolicyArn=DBA)["Policy"]
    assert policy["PolicyName"] == "DatabaseAdministrator"
    assert policy["Path"] == "/job-function/"
    assert policy["Arn"] == DBA
    assert policy["AttachmentCount"] == 0
    version = iam.get_policy_version(PolicyArn=DBA, VersionId=policy["DefaultVersionId"])
    assert version["PolicyVersion"]["IsDefaultVersion"] is True
    assert version["PolicyVersion"]["Document"] == managed_policy_document(DBA)


def test_unknown_aws_policy_is_no_such_entity(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="alice")
    with pytest.raises(ClientError) as raised:
        iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/Nope")
    assert raised.value.response["Error"]["Code"] == "NoSuchEntity"
    with pytest.raises(ClientError) as raised:
        iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/Nope")
    assert raised.value.response["Error"]["Code"] == "NoSuchEntity"


def test_list_job_function_policies(lab: Lab) -> None:
    iam = lab.client("iam")
    listed = iam.list_policies(Scope="AWS", PathPrefix="/job-function/")
    names = {p["PolicyName"] for p in listed["Policies"]}
    assert {"DatabaseAdministrator", "ViewOnlyAccess", "SystemAdministrator"} <= names
    assert all(p["Path"] == "/job-function/" for p in listed["Policies"])
    prefix = "arn:aws:iam::aws:policy/job-function/"
    assert all(p["Arn"].startswith(prefix) for p in listed["Policies"])


def test_list_all_aws_policies_pages(lab: Lab) -> None:
    iam = lab.client("iam")
    first = iam.list_policies(Scope="AWS", MaxItems=100)
    assert len(first["Policies"]) == 100
    assert first["IsTruncated"] is True
    total = sum(
        len(page["Policies"]) for page in iam.get_paginator("list_policies").paginate(Scope="AWS")
    )
    assert total == len(aws_managed_policy_arns())


def test_local_scope_lists_only_customer_policies(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_policy(
        PolicyName="mine",
        PolicyDocument='{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}}',
    )
    listed = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in listed] == ["mine"]
    assert aws_policies_loaded(lab) == 0


def test_only_attached(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_role(
        RoleName="r",
        AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": {"Effect": "Allow", '
        '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}}',
    )
    iam.attach_role_policy(RoleName="r", PolicyArn=ADMIN)
    listed = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert [(p["PolicyName"], p["AttachmentCount"]) for p in listed] == [("AdministratorAccess", 1)]


def test_attached_policy_grants_access(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="reader")
    iam.attach_user_policy(
        UserName="reader", PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"
    )
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    session = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    assert session.client("dynamodb").list_tables()["TableNames"] == []
    with pytest.raises(ClientError):
        session.client("s3").list_buckets()


def test_ensure_is_idempotent(lab: Lab) -> None:
    assert ensure_managed_policy(lab.backend, ADMIN) is True
    assert ensure_managed_policy(lab.backend, ADMIN) is True
    assert aws_policies_loaded(lab) == 1
    assert ensure_managed_policy(lab.backend, "arn:aws:iam::aws:policy/Nope") is False
    added = ensure_all_managed_policies(lab.backend)
    assert added == len(aws_managed_policy_arns()) - 1
    assert ensure_all_managed_policies(lab.backend) == 0


def test_lazy_loading_is_cheap(lab: Lab) -> None:
    managed_policy_document(ADMIN)  # the catalog is parsed once per process
    start = time.perf_counter()
    ensure_managed_policy(lab.backend, ADMIN)
    one = time.perf_counter() - start
    start = time.perf_counter()
    ensure_all_managed_policies(lab.backend)
    everything = time.perf_counter() - start
    assert one < 0.01
    assert everything < 2.0
