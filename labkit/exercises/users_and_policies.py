"""The exercises of the first chapters: users, groups, policies, and the
account's password policy (notebooks 00 to 03, and 06).

Where it matters, a step tries what the learner built: it asks the Lab's
authorizer (or the policy engine, for a group's members) as the learner's
principal would be decided, or the password rules as ``CreateLoginProfile``
applies them. A look at the configuration alone would pass answers that do
not work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from labkit.exercises.core import Exercise, Step
from labkit.exercises.questions import (
    AWS_POLICY,
    ORDERS,
    console_users_may_change_password,
    decides,
    group_exists,
    group_has_policy,
    group_member_decides,
    has_login_profile,
    has_no_access_keys,
    in_group,
    not_allowed,
    password_accepted,
    password_policy,
    password_policy_not_weaker_than_default,
    password_refused,
    user_exists,
    user_has_policy_named,
)

if TYPE_CHECKING:
    from labkit.lab.account import Lab

PAYROLL = ORDERS.replace("orders", "payroll")
_CONSOLE = {"aws:MultiFactorAuthPresent": "false"}  # signed in with a password

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
            "attach_group_policy with arn:aws:iam::aws:policy/job-function/ViewOnlyAccess "
            "(job-function policies live under /job-function/)",
        ),
        Step(
            "an intern may look around: list the tables, describe the instances",
            lambda lab: all(
                group_member_decides("Interns", action, "*", True)(lab)
                for action in ("dynamodb:ListTables", "ec2:DescribeInstances")
            ),
            "ViewOnlyAccess allows List and Describe actions across services",
        ),
        Step(
            "an intern may not read the data in the orders table",
            group_member_decides("Interns", "dynamodb:GetItem", ORDERS, False),
            "view only, not read only: ReadOnlyAccess would let interns read every item",
        ),
        Step(
            "an intern may not change anything",
            lambda lab: all(
                group_member_decides("Interns", action, resource, False)(lab)
                for action, resource in (
                    ("dynamodb:DeleteTable", ORDERS),
                    ("iam:CreateUser", "arn:aws:iam::123456789012:user/intern-friend"),
                )
            ),
            "attach ViewOnlyAccess only: PowerUserAccess or AdministratorAccess change things",
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
            "console access only: delete the key with iam.delete_access_key(UserName="
            '"auditor", AccessKeyId=...); a person signs in, programs get roles',
        ),
        Step(
            "auditor is in Business-Analysts",
            in_group("auditor", "Business-Analysts"),
            'iam.add_user_to_group(GroupName="Business-Analysts", UserName="auditor")',
        ),
        Step(
            "auditor, signed in, may read the orders table",
            decides("auditor", "dynamodb:GetItem", ORDERS, "allowed", _CONSOLE),
            "the group's AmazonDynamoDBReadOnlyAccess lets its members read",
        ),
        Step(
            "auditor may not change the orders",
            not_allowed("auditor", "dynamodb:PutItem", ORDERS, _CONSOLE),
            "an auditor reads: no write permissions of their own (such as "
            "AmazonDynamoDBFullAccess) and no group that writes (such as Developers)",
        ),
    ),
)

orders_writer = Exercise(
    "The Orders-Writer policy",
    (
        Step(
            "a policy named Orders-Writer is attached to ana",
            user_has_policy_named("ana", "Orders-Writer"),
            "create_policy (a customer managed policy, not an inline put_user_policy), "
            "then attach_user_policy to ana with the new policy's ARN",
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
            not_allowed("ana", "dynamodb:PutItem", PAYROLL),
            'name the orders table\'s ARN as Resource, not "*"',
        ),
        Step(
            "ana may not delete items from orders",
            not_allowed("ana", "dynamodb:DeleteItem", ORDERS),
            "list the two actions themselves: dynamodb:*Item or dynamodb:* allow DeleteItem too",
        ),
        Step(
            "ana may not delete the orders table",
            not_allowed("ana", "dynamodb:DeleteTable", ORDERS),
            "allow only the two actions, not dynamodb:*",
        ),
    ),
)


def _refuses_all(*passwords: str) -> Callable[[Lab], bool]:
    def done(lab: Lab) -> bool:
        return all(password_refused(password)(lab) for password in passwords)

    return done


company_password_policy = Exercise(
    "The company's password policy",
    (
        Step(
            "passwords need at least 12 characters",
            lambda lab: (
                password_refused("Abcdefgh12!")(lab) and password_accepted("Abcdefgh123!")(lab)
            ),
            "MinimumPasswordLength=12",
        ),
        Step(
            "passwords need a number and a symbol",
            _refuses_all("Abcdefghijk!", "Abcdefghijk1"),
            "RequireNumbers=True, RequireSymbols=True",
        ),
        Step(
            "passwords still need upper- and lowercase letters (no weaker than AWS's default)",
            lambda lab: (
                _refuses_all("abcdefghij1!", "ABCDEFGHIJ1!")(lab)
                and password_policy_not_weaker_than_default()(lab)
            ),
            "update_account_password_policy replaces the whole policy: pass "
            "RequireUppercaseCharacters=True and RequireLowercaseCharacters=True again, "
            "or they go back to false",
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
        Step(
            "users can still change their own password",
            console_users_may_change_password(),
            "AllowUsersToChangePassword=True again: left out, it goes back to false, and "
            "users may no longer call change_password",
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
