"""The exercises of the later chapters: roles, conditions, MFA and the
capstone (notebooks 04, 05, 07 and 08)."""

from __future__ import annotations

from labkit.exercises.core import Exercise, Step
from labkit.exercises.questions import (
    ACCOUNT,
    AWS_POLICY,
    ORDERS,
    decides,
    group_has_policy_named,
    has_mfa_device,
    in_any_group,
    no_direct_policies,
    role_exists,
    role_has_policy,
    trust_allows,
)

report_reader_role = Exercise(
    "The report-reader role",
    (
        Step("the role report-reader exists", role_exists("report-reader"), "iam.create_role"),
        Step(
            "its trust policy lets ana assume it",
            trust_allows("report-reader", "ana", True),
            'name "arn:aws:iam::123456789012:user/ana" as the AWS principal',
        ),
        Step(
            "its trust policy does not let dev assume it",
            trust_allows("report-reader", "dev", False),
            "name ana only, not the whole account",
        ),
        Step(
            "AmazonDynamoDBReadOnlyAccess is attached",
            role_has_policy("report-reader", AWS_POLICY + "AmazonDynamoDBReadOnlyAccess"),
            "iam.attach_role_policy",
        ),
    ),
)

_NO_MFA = {"aws:MultiFactorAuthPresent": "false"}
_MFA = {"aws:MultiFactorAuthPresent": "true"}
delete_only_with_mfa = Exercise(
    "No deleting tables without MFA",
    (
        Step(
            "a policy named Delete-Only-With-MFA is attached to Developers",
            group_has_policy_named("Developers", "Delete-Only-With-MFA"),
            "create_policy, then attach_group_policy",
        ),
        Step(
            "dev, signed in without MFA, may not delete a table",
            decides("dev", "dynamodb:DeleteTable", ORDERS, "explicitDeny", _NO_MFA),
            'a Deny with the condition aws:MultiFactorAuthPresent "false"',
        ),
        Step(
            "dev, with access keys (no MFA key at all), may not delete a table",
            decides("dev", "dynamodb:DeleteTable", ORDERS, "explicitDeny"),
            "use BoolIfExists, so that an absent key counts too",
        ),
        Step(
            "dev, signed in with MFA, may delete a table",
            decides("dev", "dynamodb:DeleteTable", ORDERS, "allowed", _MFA),
            "deny only when MFA is missing",
        ),
    ),
)

mfa_for_ana = Exercise(
    "MFA for Ana",
    (
        Step(
            "ana has an enabled MFA device",
            has_mfa_device("ana"),
            "enable the device with two consecutive codes from Authenticator(seed, lab.clock)",
        ),
    ),
)

_USERS = ("sally", "devon", "ivy", "sam")
_IMAGE = "arn:aws:s3:::company-images/cake.png"
_CONTRACTOR_OBJECT = "arn:aws:s3:::contractor-sam/plan.pdf"
_CONTRACTOR_TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/contractor-sam-quotes"
_SOMEONE = f"arn:aws:iam::{ACCOUNT}:user/someone"
_CAPSTONE_RULES = [
    ("sally", "dynamodb:GetItem", ORDERS, "allowed", "Sales reads orders"),
    ("sally", "dynamodb:PutItem", ORDERS, "implicitDeny", "Sales changes nothing"),
    ("sally", "s3:GetObject", _IMAGE, "allowed", "Sales reads images"),
    ("sally", "s3:PutObject", _IMAGE, "implicitDeny", "Sales changes no image"),
    ("devon", "dynamodb:PutItem", ORDERS, "allowed", "Developers change orders"),
    ("devon", "dynamodb:DeleteTable", ORDERS, "allowed", "Developers may delete tables"),
    ("devon", "s3:PutObject", _IMAGE, "allowed", "Developers change images"),
    ("ivy", "dynamodb:PutItem", ORDERS, "allowed", "Interns work like developers"),
    ("ivy", "dynamodb:DeleteTable", ORDERS, "explicitDeny", "Interns never delete orders"),
    ("ivy", "dynamodb:DeleteItem", ORDERS, "explicitDeny", "Interns never delete order items"),
    ("sam", "s3:PutObject", _CONTRACTOR_OBJECT, "allowed", "sam uses their own bucket"),
    ("sam", "dynamodb:CreateTable", _CONTRACTOR_TABLE, "allowed", "sam creates their own tables"),
    ("sam", "s3:GetObject", _IMAGE, "implicitDeny", "sam reaches nothing else"),
    ("sam", "dynamodb:GetItem", ORDERS, "implicitDeny", "sam reads no orders"),
]
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
        *(
            Step(
                f"{why}: {user} → {action} is {expected}",
                decides(user, action, resource, expected),
                "look at the access matrix's cell for the reason",
            )
            for user, action, resource, expected, why in _CAPSTONE_RULES
        ),
        Step(
            "nobody may create IAM users",
            lambda lab: all(
                decides(u, "iam:CreateUser", _SOMEONE, "implicitDeny")(lab) for u in _USERS
            ),
            "attach no IAM permissions to any group",
        ),
    ),
)


__all__ = [
    "capstone",
    "delete_only_with_mfa",
    "mfa_for_ana",
    "report_reader_role",
]
