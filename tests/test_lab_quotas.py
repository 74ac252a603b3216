"""IAM's quotas on users, groups and roles, in AWS's words and HTTP statuses."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.quotas import policy_size

ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def document(*resources: str) -> str:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": list(resources)}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def sized(size: int) -> str:
    """A policy of exactly ``size`` characters besides white space."""
    base = document("arn:aws:s3:::")
    text = document("arn:aws:s3:::" + "x" * (size - policy_size(base)))
    assert policy_size(text) == size
    return text


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=3) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="ann")
        iam.create_group(GroupName="devs")
        iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST)
        yield lab


@pytest.fixture
def iam(lab: Lab) -> Any:
    return lab.client("iam")


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def policies(iam: Any, count: int) -> list[str]:
    return [
        iam.create_policy(PolicyName=f"p{i}", PolicyDocument=document(f"arn:aws:s3:::b{i}/*"))[
            "Policy"
        ]["Arn"]
        for i in range(count)
    ]


# --- Managed policies per user, group and role ----------------------------------
# IAM User Guide, "IAM and AWS STS quotas": managed policies attached to an IAM
# user, group or role: 10. AttachUserPolicy / AttachGroupPolicy /
# AttachRolePolicy, "Errors": LimitExceeded, HTTP 409.

ATTACH = [
    ("user", "attach_user_policy", {"UserName": "ann"}, "PoliciesPerUser"),
    ("group", "attach_group_policy", {"GroupName": "devs"}, "PoliciesPerGroup"),
    ("role", "attach_role_policy", {"RoleName": "app"}, "PoliciesPerRole"),
]


@pytest.mark.parametrize(("label", "method", "target", "quota"), ATTACH, ids=[a[0] for a in ATTACH])
def test_eleventh_managed_policy(
    iam: Any, label: str, method: str, target: dict[str, str], quota: str
) -> None:
    arns = policies(iam, 11)
    attach = getattr(iam, method)
    for arn in arns[:10]:
        attach(PolicyArn=arn, **target)
    attach(PolicyArn=arns[0], **target)  # attached already: no change, no error
    assert error_of(lambda: attach(PolicyArn=arns[10], **target)) == (
        "LimitExceeded",
        f"Cannot exceed quota for {quota}: 10",
        409,
    )


def test_attaching_twice_counts_once(iam: Any) -> None:
    (arn,) = policies(iam, 1)
    iam.attach_user_policy(UserName="ann", PolicyArn=arn)
    iam.attach_user_policy(UserName="ann", PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1


# --- Attaching a policy that is missing or not attachable -----------------------
# AttachUserPolicy / AttachGroupPolicy / AttachRolePolicy, "Errors":
# NoSuchEntity (404), PolicyNotAttachable (400): "AWS service role policies can
# only be attached to the service-linked role for that service."

GHOST = "arn:aws:iam::aws:policy/Ghost"
SERVICE_ROLE_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
NOT_ATTACHABLE = [
    (
        "group, missing policy",
        lambda iam: iam.attach_group_policy(GroupName="devs", PolicyArn=GHOST),
        ("NoSuchEntity", f"Policy {GHOST} does not exist or is not attachable.", 404),
    ),
    (
        "role, missing policy",
        lambda iam: iam.attach_role_policy(RoleName="app", PolicyArn=GHOST),
        ("NoSuchEntity", f"Policy {GHOST} does not exist or is not attachable.", 404),
    ),
    (
        "missing user",
        lambda iam: iam.attach_user_policy(UserName="ghost", PolicyArn=GHOST),
        ("NoSuchEntity", "The user with name ghost cannot be found.", 404),
    ),
    (
        "missing role",
        lambda iam: iam.attach_role_policy(RoleName="ghost", PolicyArn=GHOST),
        ("NoSuchEntity", "The role with name ghost cannot be found.", 404),
    ),
    (
        "service role policy on a customer role",
        lambda iam: iam.attach_role_policy(RoleName="app", PolicyArn=SERVICE_ROLE_POLICY),
        ("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer Role.", 400),
    ),
    (
        "detach a policy not attached",
        lambda iam: iam.detach_user_policy(
            UserName="ann", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
        ),
        ("NoSuchEntity", "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.", 404),
    ),
]


@pytest.mark.parametrize(
    ("label", "call", "expected"), NOT_ATTACHABLE, ids=[c[0] for c in NOT_ATTACHABLE]
)
def test_policy_not_attachable(iam: Any, label: str, call: Any, expected: tuple) -> None:
    assert error_of(lambda: call(iam)) == expected


def test_service_role_policy_on_user_is_refused(iam: Any) -> None:
    code, _message, status = error_of(
        lambda: iam.attach_user_policy(UserName="ann", PolicyArn=SERVICE_ROLE_POLICY)
    )
    assert (code, status) == ("PolicyNotAttachable", 400)


# --- Groups per user ----------------------------------------------------------
# "IAM and AWS STS quotas": groups an IAM user can be a member of: 10.
# AddUserToGroup, "Errors": LimitExceeded, HTTP 409.


def test_eleventh_group(iam: Any) -> None:
    for i in range(11):
        iam.create_group(GroupName=f"g{i}")
    for i in range(10):
        iam.add_user_to_group(GroupName=f"g{i}", UserName="ann")
    iam.add_user_to_group(GroupName="g0", UserName="ann")  # a member already
    assert error_of(lambda: iam.add_user_to_group(GroupName="g10", UserName="ann")) == (
        "LimitExceeded",
        "Cannot exceed quota for GroupsPerUser: 10",
        409,
    )


# --- Access keys and policy versions (moto's own checks, kept) ------------------
# "IAM and AWS STS quotas": access keys per user: 2; versions per managed
# policy: 5. CreateAccessKey / CreatePolicyVersion, "Errors": LimitExceeded 409.


def test_third_access_key(iam: Any) -> None:
    iam.create_access_key(UserName="ann")
    iam.create_access_key(UserName="ann")
    assert error_of(lambda: iam.create_access_key(UserName="ann")) == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )


def test_sixth_policy_version(iam: Any) -> None:
    (arn,) = policies(iam, 1)
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("*"))
    assert error_of(lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("*")))[
        ::2
    ] == ("LimitExceeded", 409)


# --- Policy sizes -------------------------------------------------------------
# "IAM and AWS STS quotas": managed policy 6,144 characters; inline policies of
# one user together 2,048, group 5,120, role 10,240; role trust policy 2,048.
# "IAM does not count white space." PutUserPolicy / PutGroupPolicy /
# PutRolePolicy / CreatePolicy / CreatePolicyVersion / CreateRole /
# UpdateAssumeRolePolicy, "Errors": LimitExceeded, HTTP 409.

INLINE = [
    ("user", "put_user_policy", {"UserName": "ann"}, 2048),
    ("group", "put_group_policy", {"GroupName": "devs"}, 5120),
    ("role", "put_role_policy", {"RoleName": "app"}, 10240),
]


@pytest.mark.parametrize(("kind", "method", "target", "quota"), INLINE, ids=[i[0] for i in INLINE])
def test_inline_policies_together(
    iam: Any, kind: str, method: str, target: dict[str, str], quota: int
) -> None:
    put = getattr(iam, method)
    half = sized(quota // 2)
    put(PolicyName="a", PolicyDocument=half, **target)
    put(PolicyName="b", PolicyDocument=half, **target)  # exactly at the quota
    put(PolicyName="b", PolicyDocument=half, **target)  # replacing does not add up
    name = next(iter(target.values()))
    assert error_of(lambda: put(PolicyName="c", PolicyDocument=sized(200), **target)) == (
        "LimitExceeded",
        f"Maximum policy size of {quota} bytes exceeded for {kind} {name}",
        409,
    )


def test_white_space_does_not_count(iam: Any) -> None:
    text = sized(2048)
    spaced = text.replace(",", ",\n        ")
    assert len(spaced) > 2048
    iam.put_user_policy(UserName="ann", PolicyName="spaced", PolicyDocument=spaced)


MANAGED_SIZE = [
    ("CreatePolicy", lambda iam: iam.create_policy(PolicyName="big", PolicyDocument=sized(6145))),
    (
        "CreatePolicyVersion",
        lambda iam: iam.create_policy_version(
            PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/p0", PolicyDocument=sized(6145)
        ),
    ),
]


@pytest.mark.parametrize(("label", "call"), MANAGED_SIZE, ids=[m[0] for m in MANAGED_SIZE])
def test_managed_policy_size(iam: Any, label: str, call: Any) -> None:
    policies(iam, 1)
    assert error_of(lambda: call(iam)) == (
        "LimitExceeded",
        "Cannot exceed quota for PolicySize: 6144",
        409,
    )


def test_managed_policy_at_its_size(iam: Any) -> None:
    iam.create_policy(PolicyName="full", PolicyDocument=sized(6144))


def big_trust(users: int) -> str:
    principal = {"AWS": [f"arn:aws:iam::{ACCOUNT}:user/user-{i:03}" for i in range(users)]}
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


TRUST_SIZE = [
    (
        "CreateRole",
        lambda iam: iam.create_role(RoleName="wide", AssumeRolePolicyDocument=big_trust(60)),
    ),
    (
        "UpdateAssumeRolePolicy",
        lambda iam: iam.update_assume_role_policy(RoleName="app", PolicyDocument=big_trust(60)),
    ),
]


@pytest.mark.parametrize(("label", "call"), TRUST_SIZE, ids=[t[0] for t in TRUST_SIZE])
def test_trust_policy_size(iam: Any, label: str, call: Any) -> None:
    assert policy_size(big_trust(60)) > 2048 >= policy_size(big_trust(40))
    assert error_of(lambda: call(iam)) == (
        "LimitExceeded",
        "Cannot exceed quota for ACLSizePerRole: 2048",
        409,
    )
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=big_trust(40))


# --- Tags per user and role ---------------------------------------------------
# "IAM and AWS STS quotas": tags per IAM user / role: 50. TagUser / TagRole,
# "Errors": LimitExceeded, HTTP 409.

TAGS = [
    ("user", "tag_user", {"UserName": "ann"}, "TagsPerUser"),
    ("role", "tag_role", {"RoleName": "app"}, "TagsPerRole"),
]


@pytest.mark.parametrize(("kind", "method", "target", "quota"), TAGS, ids=[t[0] for t in TAGS])
def test_fifty_first_tag(
    iam: Any, kind: str, method: str, target: dict[str, str], quota: str
) -> None:
    tag = getattr(iam, method)
    tag(Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)], **target)
    tag(Tags=[{"Key": "K0", "Value": "new"}], **target)  # a key it has: replaced
    assert error_of(lambda: tag(Tags=[{"Key": "k50", "Value": "v"}], **target)) == (
        "LimitExceeded",
        f"Cannot exceed quota for {quota}: 50",
        409,
    )


# --- MFA devices per user -----------------------------------------------------
# "IAM and AWS STS quotas": MFA devices in use by an IAM user: 8.
# EnableMFADevice, "Errors": LimitExceeded, HTTP 409.


def test_ninth_mfa_device(lab: Lab, iam: Any) -> None:
    def enable(name: str) -> Any:
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"][
            "SerialNumber"
        ]
        code1, code2 = lab.mfa.authenticator(serial).consecutive_codes()
        return lambda: iam.enable_mfa_device(
            UserName="ann",
            SerialNumber=serial,
            AuthenticationCode1=code1,
            AuthenticationCode2=code2,
        )

    for i in range(8):
        enable(f"phone{i}")()
    assert error_of(enable("phone8")) == (
        "LimitExceeded",
        "Cannot exceed quota for MFADevicesPerUser: 8",
        409,
    )


# --- Login profiles (one per user) ---------------------------------------------
# CreateLoginProfile, "Errors": EntityAlreadyExists (409); GetLoginProfile,
# "Errors": NoSuchEntity (404).


def test_login_profiles(iam: Any) -> None:
    iam.create_login_profile(UserName="ann", Password="Correct-Horse-9")
    assert error_of(
        lambda: iam.create_login_profile(UserName="ann", Password="Correct-Horse-9")
    ) == ("EntityAlreadyExists", "Login Profile for user ann already exists.", 409)
    iam.create_user(UserName="bob")
    assert error_of(lambda: iam.get_login_profile(UserName="bob")) == (
        "NoSuchEntity",
        "Login Profile for User bob cannot be found.",
        404,
    )
