"""The course's exercises, in course order.

Each step is a question about the Lab's live state. Questions read the IAM
state directly or ask the policy simulator, never through a client, so that
checking leaves no trace in the learner's trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from labkit.exercises.core import Exercise, Step

if TYPE_CHECKING:
    from labkit.lab.account import Lab

ACCOUNT = "123456789012"
ORDERS = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
AWS_POLICY = "arn:aws:iam::aws:policy/"

Question = Callable[["Lab"], Any]


# --- questions about the IAM state -------------------------------------------


def user_exists(name: str) -> Question:
    """Whether the user exists."""
    return lambda lab: name in lab.backend.users


def group_exists(name: str) -> Question:
    """Whether the group exists."""
    return lambda lab: name in lab.backend.groups


def role_exists(name: str) -> Question:
    """Whether the role exists."""
    return lambda lab: any(role.name == name for role in lab.backend.roles.values())


def in_group(user: str, group: str) -> Question:
    """Whether the user is a member of the group."""
    return lambda lab: any(member.name == user for member in lab.backend.groups[group].users)


def in_any_group(user: str) -> Question:
    """Whether the user is a member of some group."""
    return lambda lab: any(
        member.name == user for group in lab.backend.groups.values() for member in group.users
    )


def group_has_policy(group: str, arn: str) -> Question:
    """Whether the managed policy is attached to the group."""
    return lambda lab: arn in lab.backend.groups[group].managed_policies


def user_has_policy_named(user: str, name: str) -> Question:
    """Whether a managed policy of that name is attached to the user."""
    return lambda lab: any(
        policy.name == name for policy in lab.backend.users[user].managed_policies.values()
    )


def group_has_policy_named(group: str, name: str) -> Question:
    """Whether a managed policy of that name is attached to the group."""
    return lambda lab: any(
        policy.name == name for policy in lab.backend.groups[group].managed_policies.values()
    )


def role_has_policy(role: str, arn: str) -> Question:
    """Whether the managed policy is attached to the role."""

    def done(lab: Lab) -> bool:
        (found,) = [r for r in lab.backend.roles.values() if r.name == role]
        return arn in found.managed_policies

    return done


def has_login_profile(user: str) -> Question:
    """Whether the user can sign in to the console."""
    return lambda lab: lab.backend.users[user].password is not None


def has_no_access_keys(user: str) -> Question:
    """Whether the user has no access keys."""
    return lambda lab: not lab.backend.users[user].access_keys


def password_policy(**expected: Any) -> Question:
    """Whether the account password policy has these settings."""

    def done(lab: Lab) -> bool:
        policy = lab.passwords.policy() or {}
        return all(policy.get(key) == value for key, value in expected.items())

    return done


def has_mfa_device(user: str) -> Question:
    """Whether the user has an enabled MFA device."""
    return lambda lab: lab.mfa.device_for_user(user) is not None


# --- questions about decisions -------------------------------------------------


def as_user(lab: Lab, user: str, context: dict[str, str] | None = None) -> Any:
    """The user as their calls reach AWS: signed in on the console (with or
    without MFA) when the context says ``aws:MultiFactorAuthPresent``, else
    with access keys, which carry no MFA key at all."""
    found = lab.store.moto_user(user)
    if found is None:
        raise LookupError(user)
    mfa = (context or {}).get("aws:MultiFactorAuthPresent")
    return lab.principal_of(found.arn, mfa=mfa == "true", console=mfa is not None)


def decides(
    user: str,
    action: str,
    resource: str,
    expected: str,
    context: dict[str, str] | None = None,
) -> Question:
    """Whether the user's request gets ``expected``: the decision a real call
    would get, with every policy that applies (the resource's own included)."""

    def done(lab: Lab) -> bool:
        return lab.decide(as_user(lab, user, context), action, resource).decision == expected

    return done


def trust_allows(role: str, user: str, expected: bool) -> Question:
    """Whether the user may assume the role, as a real AssumeRole call is decided."""

    def done(lab: Lab) -> bool:
        found = lab.store.moto_role(role)
        if found is None:
            return False
        return lab.decide(as_user(lab, user), "sts:AssumeRole", found.arn).allowed == expected

    return done


def no_direct_policies(*users: str) -> Question:
    """Whether none of the users has policies of their own."""
    return lambda lab: all(
        not lab.backend.users[u].managed_policies and not lab.backend.users[u].policies
        for u in users
    )


# --- the exercises ------------------------------------------------------------

first_user = Exercise(
    "Create your first IAM user",
    (
        Step(
            "a user named learner exists",
            user_exists("learner"),
            'iam.create_user(UserName="learner")',
        ),
    ),
)

interns_group = Exercise(
    "An Interns group with view-only access",
    (
        Step(
            "the group Interns exists",
            group_exists("Interns"),
            'iam.create_group(GroupName="Interns")',
        ),
        Step(
            "ViewOnlyAccess is attached to Interns",
            group_has_policy("Interns", AWS_POLICY + "job-function/ViewOnlyAccess"),
            "attach_group_policy with the ARN arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        ),
    ),
)

auditor_user = Exercise(
    "A console-only auditor",
    (
        Step(
            "the user auditor exists", user_exists("auditor"), 'iam.create_user(UserName="auditor")'
        ),
        Step(
            "auditor can sign in to the console",
            has_login_profile("auditor"),
            "create_login_profile gives a user a console password",
        ),
        Step(
            "auditor has no access keys",
            has_no_access_keys("auditor"),
            "delete any access key: console access only",
        ),
        Step(
            "auditor is in Business-Analysts",
            in_group("auditor", "Business-Analysts"),
            "add_user_to_group",
        ),
    ),
)

orders_writer = Exercise(
    "The Orders-Writer policy",
    (
        Step(
            "a policy named Orders-Writer is attached to ana",
            user_has_policy_named("ana", "Orders-Writer"),
            "create_policy, then attach_user_policy with the new policy's ARN",
        ),
        Step(
            "ana may put items in orders",
            decides("ana", "dynamodb:PutItem", ORDERS, "allowed"),
            "allow dynamodb:PutItem on the orders table's ARN",
        ),
        Step(
            "ana may update items in orders",
            decides("ana", "dynamodb:UpdateItem", ORDERS, "allowed"),
            "allow dynamodb:UpdateItem too",
        ),
        Step(
            "ana may not write to any other table",
            decides("ana", "dynamodb:PutItem", ORDERS.replace("orders", "payroll"), "implicitDeny"),
            "name the orders table's ARN as Resource, not *",
        ),
        Step(
            "ana may not delete the orders table",
            decides("ana", "dynamodb:DeleteTable", ORDERS, "implicitDeny"),
            "allow only the two actions, not dynamodb:*",
        ),
    ),
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

company_password_policy = Exercise(
    "The company's password policy",
    (
        Step(
            "passwords have at least 12 characters",
            password_policy(MinimumPasswordLength=12),
            "MinimumPasswordLength=12",
        ),
        Step(
            "passwords need a number and a symbol",
            password_policy(RequireNumbers=True, RequireSymbols=True),
            "RequireNumbers=True, RequireSymbols=True",
        ),
        Step(
            "passwords expire after 60 days",
            password_policy(MaxPasswordAge=60),
            "MaxPasswordAge=60",
        ),
        Step(
            "the last 3 passwords may not be reused",
            password_policy(PasswordReusePrevention=3),
            "PasswordReusePrevention=3",
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
    "auditor_user",
    "capstone",
    "company_password_policy",
    "delete_only_with_mfa",
    "first_user",
    "interns_group",
    "mfa_for_ana",
    "orders_writer",
    "report_reader_role",
]
