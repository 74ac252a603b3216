"""The exercises of the later chapters: roles, conditions, MFA and the
capstone (notebooks 04, 05, 07 and 08).

Their checks try what the learner built as the learner's principal: concrete
API calls, decided by the Lab's own rules for that call (see
:func:`~labkit.exercises.questions.call_decisions`), so a policy that names
the right actions but leaves another way open is "not yet".
"""

from __future__ import annotations

from typing import Any

from labkit.exercises.core import Exercise, Step
from labkit.exercises.questions import (
    ApiCall,
    calls_decide,
    group_has_policy_named,
    has_mfa_devices,
    has_virtual_mfa_device,
    in_any_group,
    no_direct_policies,
    role_calls_decide,
    role_exists,
    trust_allows,
)

_ORDER = {"order_id": {"S": "1001"}}


def _dynamodb(operation: str, label: str, **params: Any) -> ApiCall:
    return ApiCall("dynamodb", operation, params, label)


def _s3(operation: str, label: str, **params: Any) -> ApiCall:
    return ApiCall("s3", operation, params, label)


def _iam(operation: str, label: str, **params: Any) -> ApiCall:
    return ApiCall("iam", operation, params, label)


def _table(name: str) -> dict[str, Any]:
    return {
        "TableName": name,
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


# --- calls the checks try ----------------------------------------------------------

READ_ORDERS = (
    _dynamodb("GetItem", "GetItem", TableName="orders", Key=_ORDER),
    _dynamodb("Scan", "Scan", TableName="orders"),
    _dynamodb(
        "Query",
        "Query",
        TableName="orders",
        KeyConditionExpression="order_id = :id",
        ExpressionAttributeValues={":id": {"S": "1001"}},
    ),
)
CHANGE_ORDERS = (
    _dynamodb("PutItem", "PutItem", TableName="orders", Item={**_ORDER, "total": {"S": "1"}}),
    _dynamodb(
        "UpdateItem",
        "UpdateItem",
        TableName="orders",
        Key=_ORDER,
        UpdateExpression="SET total = :t",
        ExpressionAttributeValues={":t": {"S": "1"}},
    ),
    _dynamodb(
        "ExecuteStatement",
        "a PartiQL INSERT",
        Statement="INSERT INTO orders VALUE {'order_id': '2001', 'total': '5'}",
    ),
)

# Every way an IAM user could delete the orders or their items, with what to
# deny against it. Each is authorized as AWS authorizes that call: a batch as
# BatchWriteItem, a transaction item by item, PartiQL by statement.
WAYS_TO_DELETE_ORDERS: tuple[tuple[ApiCall, str], ...] = (
    (
        _dynamodb("DeleteItem", "DeleteItem", TableName="orders", Key=_ORDER),
        "deny dynamodb:DeleteItem on the orders table",
    ),
    (
        _dynamodb(
            "BatchWriteItem",
            "BatchWriteItem with a DeleteRequest",
            RequestItems={"orders": [{"DeleteRequest": {"Key": _ORDER}}]},
        ),
        "a batch is authorized as dynamodb:BatchWriteItem whatever it writes: deny it on orders",
    ),
    (
        _dynamodb(
            "TransactWriteItems",
            "TransactWriteItems with a Delete",
            TransactItems=[{"Delete": {"TableName": "orders", "Key": _ORDER}}],
        ),
        "each Delete in a transaction is authorized as dynamodb:DeleteItem",
    ),
    (
        _dynamodb(
            "ExecuteStatement",
            "a PartiQL DELETE (ExecuteStatement)",
            Statement="DELETE FROM orders WHERE order_id = '1001'",
        ),
        "a PartiQL DELETE is authorized as dynamodb:PartiQLDelete, not DeleteItem",
    ),
    (
        _dynamodb(
            "BatchExecuteStatement",
            "a batch of PartiQL DELETEs (BatchExecuteStatement)",
            Statements=[{"Statement": "DELETE FROM \"orders\" WHERE order_id = '1002'"}],
        ),
        "each statement of a batch is authorized as itself: dynamodb:PartiQLDelete",
    ),
    (
        _dynamodb(
            "ExecuteTransaction",
            "a PartiQL DELETE in a transaction (ExecuteTransaction)",
            TransactStatements=[{"Statement": "DELETE FROM orders WHERE order_id = '1003'"}],
        ),
        "a transaction's statements are authorized as themselves: dynamodb:PartiQLDelete",
    ),
    (
        _dynamodb(
            "UpdateTimeToLive",
            "time to live (UpdateTimeToLive)",
            TableName="orders",
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"},
        ),
        "time to live makes DynamoDB delete expired items itself: deny dynamodb:UpdateTimeToLive",
    ),
    (
        _dynamodb("DeleteTable", "DeleteTable", TableName="orders"),
        "deny dynamodb:DeleteTable on the orders table",
    ),
)


# --- 04: the report-reader role ------------------------------------------------------

report_reader_role = Exercise(
    "The report-reader role",
    (
        Step(
            "the role report-reader exists",
            role_exists("report-reader"),
            'iam.create_role(RoleName="report-reader", AssumeRolePolicyDocument=...)',
        ),
        Step(
            "ana may assume it",
            trust_allows("report-reader", "ana", True),
            "ana has no sts:AssumeRole permission of her own. In the same account a trust "
            'policy naming her ARN, "arn:aws:iam::123456789012:user/ana", is enough; one '
            "naming the account (...:root) leaves it to her own policies, which do not allow it",
        ),
        Step(
            "dev may not assume it",
            trust_allows("report-reader", "dev", False),
            "name ana alone: a trust policy naming the whole account lets in everyone whose "
            "own policies allow sts:AssumeRole, and dev's PowerUserAccess does",
        ),
        Step(
            "in the role, reading orders works (GetItem, Scan, Query)",
            role_calls_decide("report-reader", READ_ORDERS, "allowed"),
            "attach AmazonDynamoDBReadOnlyAccess to the role: iam.attach_role_policy",
        ),
        Step(
            "in the role, changing orders is refused (PutItem, UpdateItem, DeleteItem, PartiQL)",
            role_calls_decide(
                "report-reader", (*CHANGE_ORDERS, WAYS_TO_DELETE_ORDERS[0][0]), "denied"
            ),
            "a report reader only reads: AmazonDynamoDBReadOnlyAccess, not a policy that writes",
        ),
    ),
)

# --- 05: no deleting tables without MFA ----------------------------------------------

_NO_MFA = {"aws:MultiFactorAuthPresent": "false"}
_MFA = {"aws:MultiFactorAuthPresent": "true"}
_DELETE_ORDERS = (_dynamodb("DeleteTable", "DeleteTable orders", TableName="orders"),)
_DELETE_OTHER = (_dynamodb("DeleteTable", "DeleteTable invoices", TableName="invoices"),)

delete_only_with_mfa = Exercise(
    "No deleting tables without MFA",
    (
        Step(
            "a policy named Delete-Only-With-MFA is attached to Developers",
            group_has_policy_named("Developers", "Delete-Only-With-MFA"),
            "iam.create_policy, then iam.attach_group_policy",
        ),
        Step(
            "dev, signed in without MFA, may not delete a table",
            calls_decide("dev", _DELETE_ORDERS, "explicitDeny", _NO_MFA),
            'a Deny of dynamodb:DeleteTable with the condition aws:MultiFactorAuthPresent "false"',
        ),
        Step(
            "dev, with access keys (no MFA key at all), may not delete a table",
            calls_decide("dev", _DELETE_ORDERS, "explicitDeny"),
            "use BoolIfExists: with access keys the key is absent, and plain Bool then "
            "does not match, so the Deny never applies",
        ),
        Step(
            "the Deny covers every table, not only orders",
            calls_decide("dev", _DELETE_OTHER, "explicitDeny", _NO_MFA),
            'deny on "Resource": "*" (or every table: arn:aws:dynamodb:*:*:table/*)',
        ),
        Step(
            "dev, signed in with MFA, may delete a table",
            calls_decide("dev", _DELETE_ORDERS, "allowed", _MFA),
            "deny only when MFA is missing: the condition must not match when MFA was used",
        ),
        Step(
            "dev, without MFA, still reads orders: the Deny is about deleting only",
            calls_decide("dev", READ_ORDERS[:1], "allowed", _NO_MFA),
            "deny dynamodb:DeleteTable only, not every DynamoDB action",
        ),
    ),
)

# --- 07: MFA for Ana ------------------------------------------------------------------

mfa_for_ana = Exercise(
    "MFA for Ana",
    (
        Step(
            "a virtual MFA device exists that ana can enable",
            has_virtual_mfa_device("ana"),
            "the widget creates one; in code, iam.create_virtual_mfa_device("
            'VirtualMFADeviceName="ana-phone") (any name; a user may have up to eight)',
        ),
        Step(
            "an MFA device is enabled for ana",
            has_mfa_devices("ana", 1),
            "a device created is not yet enabled: enable it with two consecutive codes, "
            "enrollment.enable(*Authenticator(enrollment.secret, lab.clock).consecutive_codes())"
            ', or iam.enable_mfa_device(UserName="ana", SerialNumber=..., '
            "AuthenticationCode1=..., AuthenticationCode2=...)",
        ),
    ),
)

# --- 08: the capstone --------------------------------------------------------------------

_USERS = ("sally", "devon", "ivy", "sam")
_IMAGE = {"Bucket": "company-images", "Key": "cake.png"}
READ_IMAGES = (
    _s3("GetObject", "GetObject", **_IMAGE),
    _s3("ListObjectsV2", "ListObjectsV2", Bucket="company-images"),
)
CHANGE_IMAGES = (
    _s3("PutObject", "PutObject", **_IMAGE),
    _s3("DeleteObject", "DeleteObject", **_IMAGE),
)
_OWN = {"Bucket": "contractor-sam", "Key": "plan.pdf"}
SAM_OWN = (
    _s3("PutObject", "PutObject in contractor-sam", **_OWN),
    _s3("GetObject", "GetObject in contractor-sam", **_OWN),
    _dynamodb(
        "CreateTable", "CreateTable contractor-sam-quotes", **_table("contractor-sam-quotes")
    ),
    _dynamodb(
        "PutItem",
        "PutItem in contractor-sam-quotes",
        TableName="contractor-sam-quotes",
        Item={"id": {"S": "q1"}},
    ),
)
SAM_NOT = (
    READ_ORDERS[0],
    READ_IMAGES[0],
    _dynamodb(
        "CreateTable", "CreateTable contractor-sue-quotes", **_table("contractor-sue-quotes")
    ),
    _s3("PutObject", "PutObject in contractor-sue", Bucket="contractor-sue", Key="plan.pdf"),
)
_INTERN_SCRATCH = (_dynamodb("DeleteTable", "DeleteTable ivy-scratch", TableName="ivy-scratch"),)


def _iam_writes(user: str) -> tuple[ApiCall, ...]:
    return (
        _iam("CreateUser", "CreateUser", UserName="someone"),
        _iam(
            "AttachUserPolicy",
            "AttachUserPolicy to themselves",
            UserName=user,
            PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
        ),
        _iam("PutUserPolicy", "PutUserPolicy", UserName=user, PolicyName="x", PolicyDocument="{}"),
        _iam("AddUserToGroup", "AddUserToGroup", GroupName="Developers", UserName=user),
        _iam("CreateAccessKey", "CreateAccessKey for someone else", UserName="devon"),
    )


def _labels(calls: tuple[ApiCall, ...]) -> str:
    return ", ".join(str(call) for call in calls)


capstone = Exercise(
    "Cloud Pastries' permissions",
    (
        Step(
            "everyone gets permissions from a group, none of their own",
            lambda lab: (
                all(in_any_group(u)(lab) for u in _USERS) and no_direct_policies(*_USERS)(lab)
            ),
            "create Sales, Developers, Interns and Subcontractors, and add one user to each",
        ),
        Step(
            f"Sales reads orders and images: sally's {_labels(READ_ORDERS + READ_IMAGES)} "
            "are allowed",
            calls_decide("sally", READ_ORDERS + READ_IMAGES, "allowed"),
            "AmazonDynamoDBReadOnlyAccess and AmazonS3ReadOnlyAccess for Sales",
        ),
        Step(
            "Sales changes nothing: sally's writes and deletes are refused",
            calls_decide(
                "sally",
                CHANGE_ORDERS + CHANGE_IMAGES + tuple(way for way, _ in WAYS_TO_DELETE_ORDERS),
                "denied",
            ),
            "read-only policies only: no FullAccess for Sales",
        ),
        Step(
            f"Developers change orders and images: devon's {_labels(CHANGE_ORDERS)}, "
            "DeleteItem, DeleteTable, PutObject and DeleteObject are allowed",
            calls_decide(
                "devon",
                CHANGE_ORDERS
                + (WAYS_TO_DELETE_ORDERS[0][0], WAYS_TO_DELETE_ORDERS[-1][0])
                + CHANGE_IMAGES,
                "allowed",
            ),
            "AmazonDynamoDBFullAccess and AmazonS3FullAccess for Developers",
        ),
        Step(
            f"Interns work like developers: ivy's {_labels(READ_ORDERS[:1] + CHANGE_ORDERS)} "
            "and PutObject are allowed",
            calls_decide("ivy", READ_ORDERS[:1] + CHANGE_ORDERS + CHANGE_IMAGES[:1], "allowed"),
            "the developers' policies for Interns too; deny deletes only, not every write",
        ),
        Step(
            "Interns may still delete a table of their own (ivy-scratch)",
            calls_decide("ivy", _INTERN_SCRATCH, "allowed"),
            "protect the orders table only: its ARN, arn:aws:dynamodb:*:*:table/orders, "
            'not "Resource": "*"',
        ),
        *(
            Step(
                f"Interns never delete orders: {call} by ivy is refused",
                calls_decide("ivy", (call,), "denied"),
                hint,
            )
            for call, hint in WAYS_TO_DELETE_ORDERS
        ),
        Step(
            "each of those refusals is an explicit deny, which no allow added later can undo",
            calls_decide("ivy", tuple(way for way, _ in WAYS_TO_DELETE_ORDERS), "explicitDeny"),
            'refuse by intent in the Interns\' policy: "Effect": "Deny" on dynamodb:Delete*, '
            "dynamodb:PartiQLDelete, dynamodb:BatchWriteItem and dynamodb:UpdateTimeToLive",
        ),
        Step(
            f"sam uses their own resources: {_labels(SAM_OWN)} are allowed",
            calls_decide("sam", SAM_OWN, "allowed"),
            "${aws:username} in the resources: arn:aws:s3:::contractor-${aws:username}, its "
            "objects, and arn:aws:dynamodb:*:*:table/contractor-${aws:username}-*",
        ),
        Step(
            f"sam reaches nothing else: {_labels(SAM_NOT)} are refused",
            calls_decide("sam", SAM_NOT, "denied"),
            "name sam's own resources through ${aws:username}, not contractor-*: another "
            "subcontractor's bucket and tables must stay out of reach",
        ),
        Step(
            "nobody manages IAM: creating users, attaching policies, joining groups and "
            "making keys are refused to all four",
            lambda lab: all(calls_decide(u, _iam_writes(u), "denied")(lab) for u in _USERS),
            "attach no IAM permissions to any group (IAMFullAccess, iam:*, or *)",
        ),
    ),
)


__all__ = [
    "WAYS_TO_DELETE_ORDERS",
    "capstone",
    "delete_only_with_mfa",
    "mfa_for_ana",
    "report_reader_role",
]
