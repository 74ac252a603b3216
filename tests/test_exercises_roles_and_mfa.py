"""The exercises of chapters 04, 05, 07 and 08: the model answer is "done",
plausible wrong answers are "not yet" with a hint that teaches.

Every check tries what the learner built as the learner's principal. The
capstone's check tries each way an intern could delete orders as a concrete
API call, decided as the Lab decides that very call; a test below makes the
real calls and shows they end the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.exercises import capstone, delete_only_with_mfa, mfa_for_ana, report_reader_role
from labkit.exercises.core import Result
from labkit.exercises.questions import ApiCall, as_user, call_decision, call_decisions
from labkit.exercises.roles_and_mfa import WAYS_TO_DELETE_ORDERS
from labkit.lab.account import Lab
from labkit.lab.mfa import Authenticator
from labkit.widgets import MFAEnrollment

ACCOUNT = "123456789012"
AWS = "arn:aws:iam::aws:policy/"


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def trust(*principals: str) -> str:
    return document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": list(principals)},
            "Action": "sts:AssumeRole",
        }
    )


def failing(result: Result) -> dict[str, str]:
    """The steps still to do, with their hints."""
    return {step.description: step.hint for step in result.steps if not step.ok}


def assert_done(result: Result) -> None:
    assert result.done, str(result)
    assert str(result).splitlines()[0].endswith(": done")


def assert_not_yet(result: Result, *fragments: str) -> dict[str, str]:
    """Not yet, and some failing step's description or hint says each fragment."""
    assert not result.done
    assert str(result).splitlines()[0].endswith(": not yet")
    todo = failing(result)
    text = " ".join(f"{d} {h}" for d, h in todo.items())
    for fragment in fragments:
        assert fragment in text, (fragment, str(result))
    return todo


# --- 04: the report-reader role -----------------------------------------------------


@pytest.fixture
def users() -> Iterator[Lab]:
    with Lab(seed=4, scenario="users") as lab:
        yield lab


def report_reader(lab: Lab, trust_policy: str, policy: str | None) -> None:
    iam = lab.client("iam")
    iam.create_role(RoleName="report-reader", AssumeRolePolicyDocument=trust_policy)
    if policy is not None:
        iam.attach_role_policy(RoleName="report-reader", PolicyArn=AWS + policy)


def test_report_reader_model_answer_is_done(users: Lab) -> None:
    assert not report_reader_role.check(users).done
    report_reader(users, trust(f"arn:aws:iam::{ACCOUNT}:user/ana"), "AmazonDynamoDBReadOnlyAccess")
    assert_done(report_reader_role.check(users))


def test_a_trust_policy_naming_the_whole_account_is_not_yet(users: Lab) -> None:
    # IAM User Guide, "Cross-account policy evaluation logic" and "Policy evaluation
    # for requests within a single account": a trust policy naming the account
    # leaves the decision to the caller's identity-based policies. ana has none
    # that allows sts:AssumeRole; dev's PowerUserAccess does.
    report_reader(users, trust(f"arn:aws:iam::{ACCOUNT}:root"), "AmazonDynamoDBReadOnlyAccess")
    todo = assert_not_yet(report_reader_role.check(users), "...:root", "dev's PowerUserAccess")
    assert set(todo) == {"ana may assume it", "dev may not assume it"}


def test_a_trust_policy_naming_dev_too_is_not_yet(users: Lab) -> None:
    report_reader(
        users,
        trust(f"arn:aws:iam::{ACCOUNT}:user/ana", f"arn:aws:iam::{ACCOUNT}:user/dev"),
        "AmazonDynamoDBReadOnlyAccess",
    )
    todo = assert_not_yet(report_reader_role.check(users), "name ana alone")
    assert set(todo) == {"dev may not assume it"}


def test_a_role_that_can_write_is_not_yet(users: Lab) -> None:
    report_reader(users, trust(f"arn:aws:iam::{ACCOUNT}:user/ana"), "AmazonDynamoDBFullAccess")
    todo = assert_not_yet(report_reader_role.check(users), "only reads")
    assert list(todo) == [
        "in the role, changing orders is refused (PutItem, UpdateItem, DeleteItem, PartiQL)"
    ]


def test_a_role_without_permissions_is_not_yet(users: Lab) -> None:
    report_reader(users, trust(f"arn:aws:iam::{ACCOUNT}:user/ana"), None)
    assert_not_yet(report_reader_role.check(users), "attach AmazonDynamoDBReadOnlyAccess")


# --- 05: no deleting tables without MFA ----------------------------------------------


def delete_policy(lab: Lab, statement: dict[str, Any]) -> None:
    iam = lab.client("iam")
    arn = iam.create_policy(PolicyName="Delete-Only-With-MFA", PolicyDocument=document(statement))
    iam.attach_group_policy(GroupName="Developers", PolicyArn=arn["Policy"]["Arn"])


MODEL_DENY = {
    "Effect": "Deny",
    "Action": "dynamodb:DeleteTable",
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def test_delete_only_with_mfa_model_answer_is_done(users: Lab) -> None:
    assert not delete_only_with_mfa.check(users).done
    delete_policy(users, MODEL_DENY)
    assert_done(delete_only_with_mfa.check(users))


def test_bool_instead_of_bool_if_exists_is_not_yet(users: Lab) -> None:
    # IAM User Guide, "...IfExists condition operators": with long-term access
    # keys aws:MultiFactorAuthPresent is absent, and plain Bool does not match.
    delete_policy(
        users, {**MODEL_DENY, "Condition": {"Bool": MODEL_DENY["Condition"]["BoolIfExists"]}}
    )
    todo = assert_not_yet(delete_only_with_mfa.check(users), "BoolIfExists")
    assert set(todo) == {"dev, with access keys (no MFA key at all), may not delete a table"}


def test_a_deny_on_the_orders_table_only_is_not_yet(users: Lab) -> None:
    delete_policy(users, {**MODEL_DENY, "Resource": f"arn:aws:dynamodb:*:{ACCOUNT}:table/orders"})
    todo = assert_not_yet(delete_only_with_mfa.check(users), '"Resource": "*"')
    assert set(todo) == {"the Deny covers every table, not only orders"}


def test_denying_all_of_dynamodb_without_mfa_is_not_yet(users: Lab) -> None:
    delete_policy(users, {**MODEL_DENY, "Action": "dynamodb:*"})
    assert_not_yet(delete_only_with_mfa.check(users), "deny dynamodb:DeleteTable only")


def test_an_allow_with_mfa_instead_of_a_deny_is_not_yet(users: Lab) -> None:
    # dev's PowerUserAccess already allows DeleteTable: only a Deny takes it away.
    delete_policy(
        users,
        {
            **MODEL_DENY,
            "Effect": "Allow",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
    )
    assert_not_yet(delete_only_with_mfa.check(users), "a Deny of dynamodb:DeleteTable")


def test_a_deny_without_condition_is_not_yet(users: Lab) -> None:
    delete_policy(users, {key: v for key, v in MODEL_DENY.items() if key != "Condition"})
    todo = assert_not_yet(delete_only_with_mfa.check(users), "deny only when MFA is missing")
    assert set(todo) == {"dev, signed in with MFA, may delete a table"}


# --- 07: MFA for Ana -----------------------------------------------------------------------


def test_mfa_for_ana_with_the_widget_is_done(users: Lab) -> None:
    enrollment = MFAEnrollment(users, "ana")
    todo = assert_not_yet(mfa_for_ana.check(users), "enrollment.enable(")
    assert set(todo) == {"an MFA device is enabled for ana"}
    assert enrollment.enable(*Authenticator(enrollment.secret, users.clock).consecutive_codes())
    assert_done(mfa_for_ana.check(users))


def test_mfa_for_ana_in_code_after_the_widget_made_a_device_is_done(users: Lab) -> None:
    MFAEnrollment(users, "ana")  # the widget's device "ana" exists, unassigned
    iam = users.client("iam")
    with pytest.raises(ClientError) as taken:  # the name is taken: AWS says so
        iam.create_virtual_mfa_device(VirtualMFADeviceName="ana")
    assert taken.value.response["Error"]["Code"] == "EntityAlreadyExists"
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ana-phone")["VirtualMFADevice"]
    phone = Authenticator(device["Base32StringSeed"], users.clock)
    code1, code2 = phone.consecutive_codes()
    iam.enable_mfa_device(
        UserName="ana",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )
    assert_done(mfa_for_ana.check(users))


def test_the_widget_after_code_enabled_the_device_says_so(users: Lab) -> None:
    iam = users.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ana")["VirtualMFADevice"]
    code1, code2 = users.mfa.authenticator(device["SerialNumber"]).consecutive_codes()
    iam.enable_mfa_device(
        UserName="ana",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )
    enrollment = MFAEnrollment(users, "ana")
    assert enrollment.enabled
    assert "already enabled for ana" in enrollment.result.value
    assert enrollment.summary().endswith(", enabled.")
    assert_done(mfa_for_ana.check(users))


def test_a_device_created_but_not_enabled_is_not_yet(users: Lab) -> None:
    users.client("iam").create_virtual_mfa_device(VirtualMFADeviceName="ana")
    todo = assert_not_yet(mfa_for_ana.check(users), "not yet enabled", "two consecutive codes")
    assert set(todo) == {"an MFA device is enabled for ana"}


def test_a_device_enabled_for_someone_else_is_not_yet(users: Lab) -> None:
    iam = users.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="ana")["VirtualMFADevice"]
    code1, code2 = users.mfa.authenticator(device["SerialNumber"]).consecutive_codes()
    iam.enable_mfa_device(
        UserName="dev",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )
    todo = assert_not_yet(mfa_for_ana.check(users))
    assert set(todo) == {
        "a virtual MFA device exists that ana can enable",
        "an MFA device is enabled for ana",
    }


def test_the_mfa_hints_name_variables_the_notebook_defines() -> None:
    hints = " ".join(step.hint for step in mfa_for_ana.steps)
    assert "seed" not in hints.replace("Base32StringSeed", "")
    assert "enrollment.secret" in hints and "lab.clock" in hints


# --- 08: the capstone -----------------------------------------------------------------------

MEMBERS = {"Sales": "sally", "Developers": "devon", "Interns": "ivy", "Subcontractors": "sam"}
PROTECT_ORDERS = {
    "Sid": "NeverDeleteOrders",
    "Effect": "Deny",
    "Action": [
        "dynamodb:Delete*",
        "dynamodb:PartiQLDelete",
        "dynamodb:BatchWriteItem",
        "dynamodb:UpdateTimeToLive",
    ],
    "Resource": ["arn:aws:dynamodb:*:*:table/orders", "arn:aws:dynamodb:*:*:table/orders/*"],
}
# The answer the course used to give: it names three actions and leaves
# PartiQL, transactions' siblings and time to live open.
OLD_PROTECT_ORDERS = {
    "Sid": "NeverDeleteOrders",
    "Effect": "Deny",
    "Action": ["dynamodb:DeleteTable", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
    "Resource": "arn:aws:dynamodb:*:*:table/orders",
}
OWN_RESOURCES = (
    {
        "Effect": "Allow",
        "Action": "s3:*",
        "Resource": [
            "arn:aws:s3:::contractor-${aws:username}",
            "arn:aws:s3:::contractor-${aws:username}/*",
        ],
    },
    {
        "Effect": "Allow",
        "Action": "dynamodb:*",
        "Resource": "arn:aws:dynamodb:*:*:table/contractor-${aws:username}-*",
    },
)


@pytest.fixture
def company() -> Iterator[Lab]:
    with Lab(seed=8) as lab:
        dynamodb = lab.client("dynamodb")
        dynamodb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        for order in ("1001", "1002", "1003"):
            dynamodb.put_item(TableName="orders", Item={"order_id": {"S": order}})
        for bucket in ("company-images", "contractor-sam"):
            lab.client("s3").create_bucket(Bucket=bucket)
        for user in MEMBERS.values():
            lab.client("iam").create_user(UserName=user)
        yield lab


def build(
    lab: Lab,
    protect: tuple[dict[str, Any], ...] = (PROTECT_ORDERS,),
    own: tuple[dict[str, Any], ...] = OWN_RESOURCES,
    **replace: list[str],
) -> None:
    iam = lab.client("iam")

    def create(name: str, statements: tuple[dict[str, Any], ...]) -> str:
        return iam.create_policy(PolicyName=name, PolicyDocument=document(*statements))["Policy"][
            "Arn"
        ]

    design = {
        "Sales": [AWS + "AmazonDynamoDBReadOnlyAccess", AWS + "AmazonS3ReadOnlyAccess"],
        "Developers": [AWS + "AmazonDynamoDBFullAccess", AWS + "AmazonS3FullAccess"],
        "Interns": [AWS + "AmazonDynamoDBFullAccess", AWS + "AmazonS3FullAccess"],
        "Subcontractors": [create("Own-Contractor-Resources", own)],
    }
    if protect:
        design["Interns"].append(create("Protect-Production-Orders", protect))
    design.update(replace)
    for group, policies in design.items():
        iam.create_group(GroupName=group)
        for arn in policies:
            iam.attach_group_policy(GroupName=group, PolicyArn=arn)
        iam.add_user_to_group(GroupName=group, UserName=MEMBERS[group])


def test_capstone_model_answer_is_done_and_checking_leaves_no_trace(company: Lab) -> None:
    assert not capstone.check(company).done
    build(company)
    calls = len(company.trail)
    assert_done(capstone.check(company))
    assert len(company.trail) == calls  # nothing was called, nothing changed
    items = company.client("dynamodb").scan(TableName="orders")["Items"]
    assert len(items) == 3


def test_the_old_capstone_answer_is_not_yet(company: Lab) -> None:
    build(company, protect=(OLD_PROTECT_ORDERS,))
    todo = assert_not_yet(
        capstone.check(company), "dynamodb:PartiQLDelete", "dynamodb:UpdateTimeToLive"
    )
    assert set(todo) == {
        "Interns never delete orders: a PartiQL DELETE (ExecuteStatement) by ivy is refused",
        "Interns never delete orders: a batch of PartiQL DELETEs (BatchExecuteStatement) "
        "by ivy is refused",
        "Interns never delete orders: a PartiQL DELETE in a transaction (ExecuteTransaction) "
        "by ivy is refused",
        "Interns never delete orders: time to live (UpdateTimeToLive) by ivy is refused",
        "each of those refusals is an explicit deny, which no allow added later can undo",
    }


def test_the_old_answer_really_lets_an_intern_empty_the_table(company: Lab) -> None:
    # What the check says is what happens: ivy's PartiQL DELETE goes through.
    build(company, protect=(OLD_PROTECT_ORDERS,))
    key = company.client("iam").create_access_key(UserName="ivy")["AccessKey"]
    ivy = company.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("dynamodb")
    for order in ("1001", "1002", "1003"):
        ivy.execute_statement(Statement=f"DELETE FROM orders WHERE order_id = '{order}'")
    assert company.client("dynamodb").scan(TableName="orders")["Items"] == []


def test_denying_every_dynamodb_action_is_not_yet(company: Lab) -> None:
    build(company, protect=({"Effect": "Deny", "Action": "dynamodb:*", "Resource": "*"},))
    todo = assert_not_yet(capstone.check(company), "deny deletes only", 'not "Resource": "*"')
    assert "Interns work like developers" in " ".join(todo)


def test_a_deny_of_deletes_everywhere_is_not_yet(company: Lab) -> None:
    build(company, protect=({**PROTECT_ORDERS, "Resource": "*"},))
    todo = assert_not_yet(capstone.check(company), "arn:aws:dynamodb:*:*:table/orders")
    assert set(todo) == {"Interns may still delete a table of their own (ivy-scratch)"}


def test_interns_without_a_deny_at_all_are_not_yet(company: Lab) -> None:
    build(company, protect=())
    todo = assert_not_yet(capstone.check(company), "dynamodb:DeleteItem", "dynamodb:DeleteTable")
    assert len([d for d in todo if d.startswith("Interns never delete orders")]) == len(
        WAYS_TO_DELETE_ORDERS
    )


def test_an_allow_list_without_an_explicit_deny_is_not_yet(company: Lab) -> None:
    # The interns get every DynamoDB write but deletes, as an allow list: the
    # refusals are implicit, so any allow added later would undo them.
    writes = {
        "Effect": "Allow",
        "Action": [
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:PartiQLInsert",
        ],
        "Resource": "*",
    }
    scratch = {
        "Effect": "Allow",
        "Action": "dynamodb:DeleteTable",
        "Resource": "arn:aws:dynamodb:*:*:table/ivy-scratch",
    }
    iam = company.client("iam")
    interns = iam.create_policy(
        PolicyName="Interns-Allow-List", PolicyDocument=document(writes, scratch)
    )
    build(company, protect=(), Interns=[interns["Policy"]["Arn"], AWS + "AmazonS3FullAccess"])
    todo = assert_not_yet(capstone.check(company), '"Effect": "Deny"')
    assert set(todo) == {
        "each of those refusals is an explicit deny, which no allow added later can undo"
    }


def test_a_wildcard_for_every_contractor_is_not_yet(company: Lab) -> None:
    own = (
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": ["arn:aws:s3:::contractor-*", "arn:aws:s3:::contractor-*/*"],
        },
        {
            "Effect": "Allow",
            "Action": "dynamodb:*",
            "Resource": "arn:aws:dynamodb:*:*:table/contractor-*",
        },
    )
    build(company, own=own)
    todo = assert_not_yet(capstone.check(company), "${aws:username}")
    assert set(todo) == {
        "sam reaches nothing else: GetItem, GetObject, CreateTable contractor-sue-quotes, "
        "PutObject in contractor-sue are refused"
    }


def test_sales_with_full_access_is_not_yet(company: Lab) -> None:
    build(company, Sales=[AWS + "AmazonDynamoDBFullAccess", AWS + "AmazonS3FullAccess"])
    todo = assert_not_yet(capstone.check(company), "read-only policies only")
    assert set(todo) == {"Sales changes nothing: sally's writes and deletes are refused"}


def test_a_group_that_manages_iam_is_not_yet(company: Lab) -> None:
    build(
        company,
        Developers=[
            AWS + "AmazonDynamoDBFullAccess",
            AWS + "AmazonS3FullAccess",
            AWS + "IAMFullAccess",
        ],
    )
    assert_not_yet(capstone.check(company), "attach no IAM permissions")


def test_direct_policies_are_not_yet(company: Lab) -> None:
    build(company)
    company.client("iam").attach_user_policy(UserName="sam", PolicyArn=AWS + "ReadOnlyAccess")
    assert_not_yet(capstone.check(company), "everyone gets permissions from a group")


# --- the calls the capstone tries, against real calls ----------------------------------
# DynamoDB Developer Guide: "Using IAM with DynamoDB transactions" (each item of
# a transaction is authorized as its own action, a Delete as dynamodb:DeleteItem),
# "IAM security policies with PartiQL for DynamoDB" (a DELETE statement is
# dynamodb:PartiQLDelete, in batches and transactions too) and "Using time to
# live" (DynamoDB deletes expired items itself; UpdateTimeToLive turns it on).


def _real_outcome(client: Any, call: ApiCall) -> str:
    method = getattr(client, _snake(call.operation))
    try:
        method(**call.params)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code in ("AccessDeniedException", "AccessDenied"):
            message = error.response["Error"]["Message"]
            return "explicitDeny" if "explicit deny" in message else "implicitDeny"
        return f"answered {code}"  # authorized, then refused for another reason
    return "allowed"


def _snake(name: str) -> str:
    import re

    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.mark.parametrize("protect", [OLD_PROTECT_ORDERS, PROTECT_ORDERS], ids=["old", "model"])
@pytest.mark.parametrize(
    "way",
    [way for way, _ in WAYS_TO_DELETE_ORDERS],
    ids=[w.operation for w, _ in WAYS_TO_DELETE_ORDERS],
)
def test_each_way_to_delete_is_decided_as_the_real_call(
    company: Lab, protect: dict[str, Any], way: ApiCall
) -> None:
    build(company, protect=(protect,))
    expected = call_decision(company, as_user(company, "ivy"), way)
    key = company.client("iam").create_access_key(UserName="ivy")["AccessKey"]
    ivy = company.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("dynamodb")
    found = _real_outcome(ivy, way)
    if expected == "allowed":
        assert not found.endswith("Deny"), found  # it went through authorization
    else:
        assert found == expected


@pytest.mark.parametrize(("way", "hint"), WAYS_TO_DELETE_ORDERS, ids=str)
def test_each_hint_names_the_actions_the_lab_authorizes(
    company: Lab, way: ApiCall, hint: str
) -> None:
    actions = {target.action for target, _ in call_decisions(company, company.root, way)}
    assert actions
    for action in actions:
        assert action in hint, (action, hint)


def test_a_call_to_a_service_the_lab_does_not_offer_is_refused_in_words(company: Lab) -> None:
    with pytest.raises(LookupError, match="does not offer the service 'sqs'"):
        call_decisions(company, company.root, ApiCall("sqs", "ListQueues"))
