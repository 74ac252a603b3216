"""Every view gives the answer the real call gets.

For random accounts (users in groups, inline and managed policies with
conditions and denies, permissions boundaries, a bucket policy, a role's
trust policy, the password policy's AllowUsersToChangePassword), each user
signs in on the console and makes real calls; the trail records what AWS's
authorization decided. The same question is then put to every view: the
Lab's own ``decide``, the access checker and the access matrix, the policy
simulator given the call's request context and resource policy, the exercise
checks, the call asked without making it (``Enforcer.decide_call``) and
effective access. None may disagree.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkit import Lab
from labkit.diagrams import grants
from labkit.exercises.questions import ApiCall, call_decision, decides
from labkit.widgets import AccessChecker, AccessMatrix

ACCT = "123456789012"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"
BUCKET = "notes"
OBJECT = f"arn:aws:s3:::{BUCKET}/a.txt"
ROLE = f"arn:aws:iam::{ACCT}:role/Reader"
PASSWORD = "Correct-Horse-9"

# The calls a user makes, the action and resource each is authorized as.
CALLS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "iam:ListUsers": (f"arn:aws:iam::{ACCT}:user/", lambda s: s.client("iam").list_users()),
    "iam:GetAccountPasswordPolicy": (
        "*",
        lambda s: s.client("iam").get_account_password_policy(),
    ),
    "iam:ChangePassword": (
        f"arn:aws:iam::{ACCT}:user/{{user}}",
        lambda s: s.client("iam").change_password(OldPassword=PASSWORD, NewPassword=PASSWORD),
    ),
    "s3:ListAllMyBuckets": ("*", lambda s: s.client("s3").list_buckets()),
    "s3:GetObject": (OBJECT, lambda s: s.client("s3").get_object(Bucket=BUCKET, Key="a.txt")),
    "dynamodb:GetItem": (
        TABLE,
        lambda s: s.client("dynamodb").get_item(TableName="orders", Key={"order_id": {"S": "1"}}),
    ),
    "dynamodb:DescribeTable": (
        TABLE,
        lambda s: s.client("dynamodb").describe_table(TableName="orders"),
    ),
    "sts:AssumeRole": (
        ROLE,
        lambda s: s.client("sts").assume_role(RoleArn=ROLE, RoleSessionName="peek"),
    ),
}


# The same calls as the operations and parameters the API receives, for the
# question "would this call be allowed?" asked without making it.
API_CALLS: dict[str, ApiCall] = {
    "iam:ListUsers": ApiCall("iam", "ListUsers"),
    "iam:GetAccountPasswordPolicy": ApiCall("iam", "GetAccountPasswordPolicy"),
    "iam:ChangePassword": ApiCall(
        "iam", "ChangePassword", {"OldPassword": PASSWORD, "NewPassword": PASSWORD}
    ),
    "s3:ListAllMyBuckets": ApiCall("s3", "ListBuckets"),
    "s3:GetObject": ApiCall("s3", "GetObject", {"Bucket": BUCKET, "Key": "a.txt"}),
    "dynamodb:GetItem": ApiCall(
        "dynamodb", "GetItem", {"TableName": "orders", "Key": {"order_id": {"S": "1"}}}
    ),
    "dynamodb:DescribeTable": ApiCall("dynamodb", "DescribeTable", {"TableName": "orders"}),
}


def _doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


MFA_ONLY = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
NO_MFA = {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
OWN_NAME = {"StringEquals": {"aws:username": "${aws:username}"}}

STATEMENTS = st.sampled_from(
    [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": f"arn:aws:s3:::{BUCKET}/*"},
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": TABLE},
        {"Effect": "Allow", "Action": "dynamodb:Get*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:Get*", "Resource": "*", "Condition": MFA_ONLY},
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": ROLE},
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": NO_MFA},
        {"Effect": "Deny", "Action": "dynamodb:DescribeTable", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": OWN_NAME},
    ]
)
BOUNDARIES = st.sampled_from(
    [
        None,
        {"Effect": "Allow", "Action": ["s3:*", "iam:*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
    ]
)
BUCKET_POLICIES = st.sampled_from(
    [
        None,
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/u0"},
         "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{BUCKET}/*",
         "Condition": {"StringEquals": {"aws:username": "u1"}}},
    ]
)  # fmt: skip
TRUSTS = st.sampled_from(
    [
        {"AWS": f"arn:aws:iam::{ACCT}:root"},
        {"AWS": f"arn:aws:iam::{ACCT}:user/u0"},
        {"Service": "ec2.amazonaws.com"},
    ]
)

ACCOUNTS = st.fixed_dictionaries(
    {
        "users": st.lists(
            st.fixed_dictionaries(
                {
                    "inline": st.lists(STATEMENTS, max_size=2),
                    "groups": st.lists(st.sampled_from(["g0", "g1"]), max_size=2, unique=True),
                    "boundary": BOUNDARIES,
                    "managed": st.booleans(),
                }
            ),
            min_size=1,
            max_size=3,
        ),
        "groups": st.fixed_dictionaries(
            {"g0": st.lists(STATEMENTS, max_size=2), "g1": st.lists(STATEMENTS, max_size=2)}
        ),
        "bucket": BUCKET_POLICIES,
        "trust": TRUSTS,
        "change_password": st.booleans(),
    }
)


def _build(lab: Lab, account: dict[str, Any]) -> list[str]:
    iam = lab.client("iam")
    lab.client("s3").create_bucket(Bucket=BUCKET)
    lab.client("s3").put_object(Bucket=BUCKET, Key="a.txt", Body=b"hi")
    lab.client("dynamodb").create_table(
        TableName="orders",
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    managed = iam.create_policy(
        PolicyName="Shared",
        PolicyDocument=_doc({"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}),
    )["Policy"]["Arn"]
    for name, statements in account["groups"].items():
        iam.create_group(GroupName=name)
        if statements:
            iam.put_group_policy(GroupName=name, PolicyName="p", PolicyDocument=_doc(*statements))
    names = []
    for index, user in enumerate(account["users"]):
        name = f"u{index}"
        names.append(name)
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password=PASSWORD)
        if user["inline"]:
            iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=_doc(*user["inline"]))
        if user["managed"]:
            iam.attach_user_policy(UserName=name, PolicyArn=managed)
        for group in user["groups"]:
            iam.add_user_to_group(GroupName=group, UserName=name)
        if user["boundary"] is not None:
            arn = iam.create_policy(PolicyName=f"b{index}", PolicyDocument=_doc(user["boundary"]))[
                "Policy"
            ]["Arn"]
            iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=arn)
    if account["bucket"] is not None:  # u0 always exists to be named
        lab.client("s3").put_bucket_policy(Bucket=BUCKET, Policy=_doc(account["bucket"]))
    trust = {"Effect": "Allow", "Principal": account["trust"], "Action": "sts:AssumeRole"}
    iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=_doc(trust))
    iam.update_account_password_policy(
        MinimumPasswordLength=8, AllowUsersToChangePassword=account["change_password"]
    )
    return names


def _real_decision(lab: Lab, session: Any, call: Callable[[Any], Any]) -> str:
    before = len(lab.trail)
    with contextlib.suppress(Exception):  # the trail records what authorization decided
        call(session)
    events = list(lab.trail)[before:]
    assert events, "the call left no trace"
    return events[-1].decision


def _simulated(lab: Lab, user: str, action: str, resource: str) -> str:
    principal = lab.principal_of(f"arn:aws:iam::{ACCT}:user/{user}", console=True)
    from labkit.lab.actions import Target

    request = lab.account.authorizer.request(principal, Target(action, resource))
    entries = [
        {
            "ContextKeyName": key,
            "ContextKeyValues": list(value) if isinstance(value, tuple) else [value],
            "ContextKeyType": "stringList" if isinstance(value, tuple) else "string",
        }
        for key, value in request.context.items()
    ]
    params: dict[str, Any] = {
        "PolicySourceArn": principal.arn,
        "ActionNames": [action],
        "ResourceArns": [resource],
        "ContextEntries": entries,
        "CallerArn": principal.arn,
    }
    resource_policy = lab.policies.resource_policy(resource, action)
    if resource_policy is not None:
        params["ResourcePolicy"] = _resource_document(lab, resource, action)
    answer = lab.client("iam").simulate_principal_policy(**params)
    return answer["EvaluationResults"][0]["EvalDecision"]


def _resource_document(lab: Lab, resource: str, action: str) -> str:
    """The resource's policy as a learner would fetch it for the simulator."""
    if action.startswith("sts:"):
        role = lab.client("iam").get_role(RoleName=resource.rsplit("/", 1)[-1])["Role"]
        return json.dumps(role["AssumeRolePolicyDocument"])
    return lab.client("s3").get_bucket_policy(Bucket=BUCKET)["Policy"]


@pytest.fixture(scope="module")
def lab():
    with Lab(seed=5) as lab:
        yield lab


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(account=ACCOUNTS)
def test_every_view_agrees_with_the_real_call(lab: Lab, account: dict[str, Any]) -> None:
    lab.reset()
    users = _build(lab, account)
    checker = AccessChecker(lab)
    matrix = AccessMatrix(
        lab,
        principals=users,
        # The matrix names the row's principal {name} in a resource template.
        actions=[
            (action, template.replace("{user}", "{name}"))
            for action, (template, _) in CALLS.items()
        ],
    )
    for user in users:
        arn = f"arn:aws:iam::{ACCT}:user/{user}"
        session = lab.sign_in(user, PASSWORD)
        principal = lab.principal_of(arn, console=True)
        # Effective access weighs every action of the catalog: once an account.
        effective = {g.action: g for g in grants(lab, user)} if user == "u0" else None
        for action, (template, call) in CALLS.items():
            resource = template.format(user=user)
            real = _real_decision(lab, session, call)
            where = f"{user} {action} on {resource}"
            assert lab.decide(principal, action, resource).decision == real, where
            checker.principal.value = arn
            checker.action.value = action
            checker.resource.value = resource
            assert checker.decision == real, f"access checker: {where}"
            assert matrix.decision(user, action) == real, f"access matrix: {where}"
            assert _simulated(lab, user, action, resource) == real, f"simulator: {where}"
            check = decides(user, action, resource, real, {"aws:MultiFactorAuthPresent": "false"})
            assert check(lab), f"exercise check: {where}"
            if action in API_CALLS:  # STS calls are decided only by making them
                asked = call_decision(lab, principal, API_CALLS[action])
                assert asked == real, f"the call asked without making it: {where}"
            if effective is not None:
                star = lab.decide(lab.principal_of(arn), action, "*").allowed
                if action in effective and effective[action].full:
                    assert star, f"effective access: {where}"
                if action not in effective:
                    assert not star, f"effective access: {where}"


PASSWORDS = st.one_of(
    st.text(min_size=1, max_size=20),
    st.sampled_from(
        ["Correct-Horse-9", "short", "x" * 129, "Pässwörd-123", "Pass🔑word-1", "123456789012"]
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(password=PASSWORDS, policy=st.booleans())
def test_the_password_tester_agrees_with_iam(lab: Lab, password: str, policy: bool) -> None:
    from botocore.exceptions import ClientError, ParamValidationError

    from labkit.widgets import PasswordPolicyTester

    lab.reset()
    iam = lab.client("iam")
    iam.create_account_alias(AccountAlias="cloud-pastries")
    if policy:
        iam.update_account_password_policy(MinimumPasswordLength=10, RequireNumbers=True)
    iam.create_user(UserName="ana")
    tester = PasswordPolicyTester(lab, user_name="ana")
    tester.value = password
    try:
        iam.create_login_profile(UserName="ana", Password=password)
        accepted = True
    except (ClientError, ParamValidationError):
        accepted = False
    assert tester.ok == accepted, repr(password)
