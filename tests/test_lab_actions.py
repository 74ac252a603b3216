"""Operations map to the actions and resources AWS authorizes."""

import pytest

from labkit.lab.actions import Target, action_name, targets

ACCT = "123456789012"
REGION = "us-east-1"
PATHS = {("user", "ops-bob"): "/ops/", ("role", "Admin"): "/admin/"}


def lookup(kind: str, name: str) -> str | None:
    return PATHS.get((kind, name))


CASES = [
    # (service, operation, params, caller user, expected [(action, resource)])
    (
        "iam",
        "CreateUser",
        {"UserName": "alice"},
        None,
        [("iam:CreateUser", f"arn:aws:iam::{ACCT}:user/alice")],
    ),
    (
        "iam",
        "CreateUser",
        {"UserName": "al", "Path": "/eng/"},
        None,
        [("iam:CreateUser", f"arn:aws:iam::{ACCT}:user/eng/al")],
    ),
    (
        "iam",
        "GetUser",
        {"UserName": "ops-bob"},
        None,
        [("iam:GetUser", f"arn:aws:iam::{ACCT}:user/ops/ops-bob")],
    ),
    (
        "iam",
        "ChangePassword",
        {"OldPassword": "a", "NewPassword": "b"},
        "carol",
        [("iam:ChangePassword", f"arn:aws:iam::{ACCT}:user/carol")],
    ),
    (
        "iam",
        "EnableMFADevice",
        {"UserName": "alice", "SerialNumber": "x"},
        None,
        [("iam:EnableMFADevice", f"arn:aws:iam::{ACCT}:user/alice")],
    ),
    (
        "iam",
        "CreateVirtualMFADevice",
        {"VirtualMFADeviceName": "alice"},
        None,
        [("iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCT}:mfa/alice")],
    ),
    (
        "iam",
        "DeleteVirtualMFADevice",
        {"SerialNumber": f"arn:aws:iam::{ACCT}:mfa/alice"},
        None,
        [("iam:DeleteVirtualMFADevice", f"arn:aws:iam::{ACCT}:mfa/alice")],
    ),
    ("iam", "ListUsers", {}, None, [("iam:ListUsers", f"arn:aws:iam::{ACCT}:user/")]),
    (
        "iam",
        "ListRoles",
        {"PathPrefix": "/admin/"},
        None,
        [("iam:ListRoles", f"arn:aws:iam::{ACCT}:role/admin/")],
    ),
    ("iam", "GetAccountSummary", {}, None, [("iam:GetAccountSummary", "*")]),
    (
        "iam",
        "GetRole",
        {"RoleName": "Admin"},
        None,
        [("iam:GetRole", f"arn:aws:iam::{ACCT}:role/admin/Admin")],
    ),
    (
        "iam",
        "AddUserToGroup",
        {"GroupName": "devs", "UserName": "a"},
        None,
        [("iam:AddUserToGroup", f"arn:aws:iam::{ACCT}:group/devs")],
    ),
    (
        "iam",
        "CreatePolicy",
        {"PolicyName": "P", "PolicyDocument": "{}"},
        None,
        [("iam:CreatePolicy", f"arn:aws:iam::{ACCT}:policy/P")],
    ),
    (
        "iam",
        "GetPolicy",
        {"PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        None,
        [("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess")],
    ),
    (
        "sts",
        "AssumeRole",
        {"RoleArn": f"arn:aws:iam::{ACCT}:role/Admin", "RoleSessionName": "s"},
        None,
        [("sts:AssumeRole", f"arn:aws:iam::{ACCT}:role/Admin")],
    ),
    ("sts", "GetCallerIdentity", {}, None, [("sts:GetCallerIdentity", "*")]),
    (
        "dynamodb",
        "ListTables",
        {},
        None,
        [("dynamodb:ListTables", f"arn:aws:dynamodb:{REGION}:{ACCT}:table/*")],
    ),
    (
        "dynamodb",
        "DeleteTable",
        {"TableName": "orders"},
        None,
        [("dynamodb:DeleteTable", f"arn:aws:dynamodb:{REGION}:{ACCT}:table/orders")],
    ),
    (
        "dynamodb",
        "Query",
        {"TableName": "orders", "IndexName": "by-day"},
        None,
        [("dynamodb:Query", f"arn:aws:dynamodb:{REGION}:{ACCT}:table/orders/index/by-day")],
    ),
    (
        "dynamodb",
        "BatchGetItem",
        {"RequestItems": {"b": {}, "a": {}}},
        None,
        [
            ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:{REGION}:{ACCT}:table/a"),
            ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:{REGION}:{ACCT}:table/b"),
        ],
    ),
    ("s3", "ListBuckets", {}, None, [("s3:ListAllMyBuckets", "*")]),
    ("s3", "ListObjectsV2", {"Bucket": "notes"}, None, [("s3:ListBucket", "arn:aws:s3:::notes")]),
    ("s3", "HeadBucket", {"Bucket": "notes"}, None, [("s3:ListBucket", "arn:aws:s3:::notes")]),
    (
        "s3",
        "GetObject",
        {"Bucket": "notes", "Key": "a/b.txt"},
        None,
        [("s3:GetObject", "arn:aws:s3:::notes/a/b.txt")],
    ),
    (
        "s3",
        "GetObject",
        {"Bucket": "notes", "Key": "a", "VersionId": "v1"},
        None,
        [("s3:GetObjectVersion", "arn:aws:s3:::notes/a")],
    ),
    (
        "s3",
        "HeadObject",
        {"Bucket": "notes", "Key": "a"},
        None,
        [("s3:GetObject", "arn:aws:s3:::notes/a")],
    ),
    (
        "s3",
        "PutObject",
        {"Bucket": "notes", "Key": "a"},
        None,
        [("s3:PutObject", "arn:aws:s3:::notes/a")],
    ),
    (
        "s3",
        "CopyObject",
        {"Bucket": "dst", "Key": "k", "CopySource": "src/o"},
        None,
        [("s3:GetObject", "arn:aws:s3:::src/o"), ("s3:PutObject", "arn:aws:s3:::dst/k")],
    ),
    (
        "s3",
        "PutBucketPolicy",
        {"Bucket": "notes", "Policy": "{}"},
        None,
        [("s3:PutBucketPolicy", "arn:aws:s3:::notes")],
    ),
    ("lambda", "ListFunctions", {}, None, [("lambda:ListFunctions", "*")]),
]


@pytest.mark.parametrize(("service", "operation", "params", "caller", "expected"), CASES)
def test_targets(service, operation, params, caller, expected):
    found = targets(
        service, operation, params, account=ACCT, region=REGION, caller_user=caller, lookup=lookup
    )
    assert [(t.action, t.resource) for t in found] == expected


@pytest.mark.parametrize(
    ("service", "operation", "params", "key", "value"),
    [
        ("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "home/"}, "s3:prefix", "home/"),
        (
            "iam",
            "AttachUserPolicy",
            {"UserName": "a", "PolicyArn": "arn:aws:iam::aws:policy/X"},
            "iam:PolicyARN",
            "arn:aws:iam::aws:policy/X",
        ),
        (
            "iam",
            "CreateUser",
            {"UserName": "a", "PermissionsBoundary": "arn:b"},
            "iam:PermissionsBoundary",
            "arn:b",
        ),
        (
            "sts",
            "AssumeRole",
            {"RoleArn": "arn:aws:iam::1:role/R", "RoleSessionName": "me"},
            "sts:RoleSessionName",
            "me",
        ),
    ],
)
def test_request_specific_context(service, operation, params, key, value):
    (target,) = targets(service, operation, params, account=ACCT, region=REGION)
    assert target.context[key] == value


@pytest.mark.parametrize(
    ("prefix", "operation", "expected"),
    [
        ("s3", "ListObjects", "s3:ListBucket"),
        ("s3", "ListBuckets", "s3:ListAllMyBuckets"),
        ("iam", "ListUsers", "iam:ListUsers"),
    ],
)
def test_action_name(prefix, operation, expected):
    assert action_name(prefix, operation) == expected


def test_target_defaults_to_any_resource():
    assert Target("ec2:DescribeInstances").resource == "*"
