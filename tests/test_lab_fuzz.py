"""One error contract for everything a Lab call can hit, for any parameters at all.

Whatever a learner passes, as the root user or as a restricted user, a call
in a Lab ends one of three ways, as it would against AWS:

- it succeeds;
- botocore refuses it before sending (``ParamValidationError``, or another
  of botocore's own errors such as an unknown checksum algorithm): nothing
  was sent, so nothing changed and, as in CloudTrail, nothing is in the trail;
- AWS answers with an error (``ClientError``): nothing changed — a failed
  create leaves nothing created, a refused call changes nothing — and the
  trail holds exactly one event for the call, with the code the caller got.

Never a Python exception from moto or the Lab, and never ``InternalFailure``:
each crash these examples once found is answered with AWS's own error in the
service's module (see ``test_lab_service_errors.py``). The examples are
derandomized and their number fixed, so every run checks the same calls.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkit import Lab
from tests import lab_strategies as ls

# --- the account every example starts from ---------------------------------------

_INTERN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["iam:Get*", "iam:List*", "sts:AssumeRole", "sts:GetFederationToken"],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword",
                "iam:CreateAccessKey",
                "iam:*LoginProfile",
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:ResyncMFADevice",
                "iam:TagUser",
            ],
            "Resource": [
                f"arn:aws:iam::{ls.ACCOUNT}:user/${{aws:username}}",
                f"arn:aws:iam::{ls.ACCOUNT}:mfa/*",
            ],
        },
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:PutObjectTagging"],
            "Resource": [f"arn:aws:s3:::{ls.BUCKET}", f"arn:aws:s3:::{ls.BUCKET}/public/*"],
        },
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeTable",
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:PartiQLSelect",
                "dynamodb:PartiQLInsert",
            ],
            "Resource": f"arn:aws:dynamodb:{ls.REGION}:{ls.ACCOUNT}:table/{ls.TABLE}*",
            "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["intern"]}},
        },
        {"Effect": "Allow", "Action": ["lambda:InvokeFunction", "lambda:Get*"], "Resource": "*"},
        {"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    ],
}


def _trust(principal: Mapping[str, str]) -> str:
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@dataclass
class Account:
    """The account of one example: its Lab, the values behind each
    :class:`~tests.lab_strategies.Ref`, and clients made as they are needed."""

    lab: Lab
    refs: dict[str, Any]
    intern_keys: tuple[str, str]
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, who: str, service: str) -> Any:
        found = self._clients.get((who, service))
        if found is None:
            if who == "root":
                found = self.lab.client(service)
            else:
                found = self.lab.session_for_keys(*self.intern_keys).client(service)
            self._clients[(who, service)] = found
        return found


def build_account(lab: Lab, group: str) -> Account:
    """Empty the Lab and give it what the strategies name for ``group``'s calls:
    always the users (the intern with its policy and keys) and roles; for IAM a
    group, policies, login profiles and an MFA device; a bucket with objects
    for S3; tables with items for DynamoDB; a function and an instance for
    Lambda and EC2."""
    lab.reset()
    iam = lab.client("iam")
    for user in ls.USERS:
        iam.create_user(UserName=user)
    iam.put_user_policy(
        UserName=ls.RESTRICTED_USER, PolicyName="intern", PolicyDocument=json.dumps(_INTERN_POLICY)
    )
    alice = iam.create_access_key(UserName="alice")["AccessKey"]
    intern = iam.create_access_key(UserName=ls.RESTRICTED_USER)["AccessKey"]
    iam.create_role(
        RoleName=ls.ROLES[0],
        AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{ls.ACCOUNT}:root"}),
    )
    iam.create_role(
        RoleName=ls.ROLES[1], AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"})
    )
    refs = {
        "alice-key": alice["AccessKeyId"],
        "intern-key": intern["AccessKeyId"],
        "mfa-serial": f"arn:aws:iam::{ls.ACCOUNT}:mfa/{ls.MFA_DEVICE}",
        "instance-id": "i-0123456789abcdef0",
        "association-id": "iip-assoc-0123456789abcdef0",
        "encoded-message": "not-an-encoded-message",
    }
    build = {"iam": _iam, "s3": _s3, "dynamodb": _dynamodb, "lambda-ec2": _compute}.get(group)
    if build is not None:
        refs.update(build(lab))
    return Account(lab, refs, (intern["AccessKeyId"], intern["SecretAccessKey"]))


_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
    }
)


def _iam(lab: Lab) -> dict[str, Any]:
    iam = lab.client("iam")
    iam.create_group(GroupName=ls.GROUPS[0])
    iam.add_user_to_group(GroupName=ls.GROUPS[0], UserName="alice")
    policy = iam.create_policy(PolicyName=ls.CUSTOMER_POLICY, PolicyDocument=_READ)
    iam.attach_group_policy(GroupName=ls.GROUPS[0], PolicyArn=policy["Policy"]["Arn"])
    iam.put_user_policy(UserName="alice", PolicyName=ls.INLINE_POLICY, PolicyDocument=_READ)
    for user in ("alice", ls.RESTRICTED_USER):
        iam.create_login_profile(UserName=user, Password="Corr3ct-Horse-Battery!")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=ls.MFA_DEVICE)
    _instance_profile(lab)
    return {"mfa-serial": device["VirtualMFADevice"]["SerialNumber"]}


def _instance_profile(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_instance_profile(InstanceProfileName=ls.INSTANCE_PROFILE)
    iam.add_role_to_instance_profile(InstanceProfileName=ls.INSTANCE_PROFILE, RoleName=ls.ROLES[0])


def _s3(lab: Lab) -> dict[str, Any]:
    s3 = lab.client("s3")
    s3.create_bucket(Bucket=ls.BUCKET)
    for key in ls.OBJECTS:
        s3.put_object(Bucket=ls.BUCKET, Key=key, Body=b"notes")
    return {}


def _dynamodb(lab: Lab) -> dict[str, Any]:
    dynamodb = lab.client("dynamodb")
    dynamodb.create_table(
        TableName=ls.TABLE,
        KeySchema=[
            {"AttributeName": "owner", "KeyType": "HASH"},
            {"AttributeName": "note_id", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "owner", "AttributeType": "S"},
            {"AttributeName": "note_id", "AttributeType": "N"},
            {"AttributeName": "title", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": ls.INDEX,
                "KeySchema": [{"AttributeName": "title", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.create_table(
        TableName=ls.SIMPLE_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for owner in ("intern", "alice"):
        dynamodb.put_item(
            TableName=ls.TABLE,
            Item={"owner": {"S": owner}, "note_id": {"N": "1"}, "title": {"S": "first"}},
        )
    return {}


def _compute(lab: Lab) -> dict[str, Any]:
    _instance_profile(lab)
    lab.client("lambda").create_function(
        FunctionName=ls.FUNCTION,
        Runtime="python3.11",
        Role=f"arn:aws:iam::{ls.ACCOUNT}:role/{ls.ROLES[1]}",
        Handler="app.handler",
        Code={"ZipFile": ls.FUNCTION_ZIP},
    )
    instance = lab.client("ec2").run_instances(ImageId=ls.IMAGE, MinCount=1, MaxCount=1)
    return {"instance-id": instance["Instances"][0]["InstanceId"]}


# --- what the account holds, as plain data ---------------------------------------

# Attributes that change when nothing was asked to change: when a key or
# password was last used, moto's caches and its links back to its backends.
_VOLATILE = frozenset(
    {
        "last_used",
        "password_last_used",
        "_value_buffer",
        "lock",
        "_lock",
        "value_lock",
        "account_summary",
        "credential_report",
        "aws_managed_policies",
        "policy_arn_regex",
        "_tick",  # an S3 object's last-modified counter, read as it is looked at
    }
)
_PLAIN = (str, int, float, bool, bytes, type(None), datetime, date, Decimal)


def _plain(value: Any, seen: set[int], depth: int = 0) -> Any:
    """``value`` as nested tuples of plain values, to compare before and after."""
    from moto.core.base_backend import BaseBackend

    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, BaseBackend) or depth > 12:
        return type(value).__name__
    if id(value) in seen:
        return ("<seen>", type(value).__name__)
    seen.add(id(value))
    if isinstance(value, Mapping):
        items = [
            (repr(_plain(k, seen, depth + 1)), _plain(v, seen, depth + 1)) for k, v in value.items()
        ]
        return tuple(sorted(items, key=lambda item: item[0]))
    if isinstance(value, list | tuple):
        return tuple(_plain(item, seen, depth + 1) for item in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(repr(_plain(item, seen, depth + 1)) for item in value))
    attributes = getattr(value, "__dict__", None)
    if attributes is None:
        return type(value).__name__
    return (
        type(value).__name__,
        tuple(
            (name, _plain(item, seen, depth + 1))
            for name, item in sorted(attributes.items())
            if name not in _VOLATILE and not callable(item)
        ),
    )


def account_state(lab: Lab) -> Any:
    """Everything a call could change: moto's IAM, S3, DynamoDB, Lambda and EC2
    objects, the root user's keys and the Lab's MFA devices."""
    store = lab.store
    iam = store.iam
    customer = {
        arn: policy
        for arn, policy in iam.managed_policies.items()
        if not arn.startswith("arn:aws:iam::aws:")  # AWS's own, loaded when first named
    }
    ec2 = _loaded("ec2", "ec2_backends")
    functions = _loaded("awslambda", "lambda_backends")
    parts = {
        "tags": (iam.tagger.tags, store.s3.tagger.tags),
        "iam": {
            name: getattr(iam, name)
            for name in (
                "users",
                "groups",
                "roles",
                "instance_profiles",
                "inline_policies",
                "account_aliases",
                "account_password_policy",
                "virtual_mfa_devices",
                "access_keys",
            )
        },
        "customer_policies": customer,
        "s3": store.s3.buckets,
        "dynamodb": store.dynamodb().tables,
        "lambda": functions._lambdas if functions is not None else None,
        "ec2": (ec2.reservations, ec2.iam_instance_profile_associations) if ec2 else None,
        "root_keys": lab.account.credentials.root_keys(),
        "mfa": lab.account.mfa._devices,
    }
    return _plain(parts, set())


def _loaded(module: str, name: str) -> Any | None:
    """moto's backend for the Lab's account and region, if a call made it yet."""
    from importlib import import_module

    backends = getattr(import_module(f"moto.{module}.models"), name)
    if ls.ACCOUNT not in backends or not dict.__contains__(backends[ls.ACCOUNT], ls.REGION):
        return None
    return backends[ls.ACCOUNT][ls.REGION]


# --- the contract -------------------------------------------------------------------


@dataclass
class Outcome:
    """How one call ended."""

    operation: str
    code: str | None  # AWS's error code; None for success or ParamValidationError
    refused_by_botocore: bool = False


def call(account: Account, who: str, drawn: tuple[str, str, dict[str, Any]]) -> Outcome:
    """Make one call and check the contract around it."""
    service, operation, params = drawn
    params = ls.resolve(params, account.refs)
    lab = account.lab
    client = account.client(who, service)
    before, events = account_state(lab), len(lab.trail)
    try:
        getattr(client, xform_name(operation))(**params)
    except BotoCoreError:  # ParamValidationError, or a checksum or endpoint botocore refuses
        assert len(lab.trail) == events, "a call botocore refused is in the trail"
        assert account_state(lab) == before, "a call botocore refused changed the account"
        return Outcome(operation, None, refused_by_botocore=True)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        assert code != "InternalFailure", f"{operation} crashed inside the Lab: {params!r}"
        assert error.response["Error"].get("Message") is not None
        _one_event(lab, events, operation, code)
        assert account_state(lab) == before, (
            f"{operation} failed with {code} but changed the account"
        )
        return Outcome(operation, code)
    _one_event(lab, events, operation, None)
    return Outcome(operation, None)


def _one_event(lab: Lab, events: int, operation: str, code: str | None) -> None:
    assert len(lab.trail) == events + 1, f"{operation} left {len(lab.trail) - events} events"
    event = lab.trail.last
    assert event is not None and event.operation == operation and event.error_code == code


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with without_default_images(), Lab(seed=29) as lab:
        yield lab


@contextmanager
def without_default_images() -> Iterator[None]:
    """moto builds thousands of EC2 images each time its EC2 is first used;
    the examples launch from an image id moto takes as given instead."""
    saved = os.environ.get("MOTO_EC2_LOAD_DEFAULT_AMIS")
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("MOTO_EC2_LOAD_DEFAULT_AMIS", None)
        else:
            os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = saved


def fixed(examples: int) -> settings:
    """The same ``examples`` calls on every run, however long each takes."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much,
        ],
    )


def _examples(group: str) -> Any:
    return st.lists(ls.calls(ls.OPERATIONS[group]), min_size=1, max_size=4)


# --- the examples ----------------------------------------------------------------------

# Examples per group of operations and caller: the whole module stays well under a minute.
EXAMPLES = 25
_REFUSALS = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}


@pytest.mark.parametrize("group", sorted(ls.OPERATIONS))
@pytest.mark.parametrize("who", ["root", "intern"])
def test_every_call_keeps_the_contract(lab: Lab, group: str, who: str) -> None:
    outcomes: list[Outcome] = []

    @fixed(EXAMPLES)
    @given(_examples(group))
    def check(drawn: list[tuple[str, str, dict[str, Any]]]) -> None:
        account = build_account(lab, group)
        for one in drawn:
            outcomes.append(call(account, who, one))

    check()
    # The examples reach AWS's answers, not only botocore's refusals.
    sent = [outcome for outcome in outcomes if not outcome.refused_by_botocore]
    assert any(outcome.code is None for outcome in sent), "no call succeeded"
    assert any(outcome.code is not None for outcome in sent), "no call failed"
    if who == "intern":
        assert any(outcome.code in _REFUSALS for outcome in sent), "nothing was refused"
