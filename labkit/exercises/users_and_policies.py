"""The exercises of the first chapters: users, groups, policies, and the
account's password policy (notebooks 00 to 03, and 06)."""

from __future__ import annotations

from labkit.exercises.core import Exercise, Step
from labkit.exercises.questions import (
    AWS_POLICY,
    ORDERS,
    decides,
    group_exists,
    group_has_policy,
    has_login_profile,
    has_no_access_keys,
    in_group,
    password_policy,
    user_exists,
    user_has_policy_named,
)

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


__all__ = [
    "auditor_user",
    "company_password_policy",
    "first_user",
    "interns_group",
    "orders_writer",
]
