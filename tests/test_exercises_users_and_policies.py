"""The exercises of chapters 00-03 and 06: the model answer is "done"; answers
a learner plausibly gets wrong are "not yet", with a hint that says why. And
what those chapters teach: today's advice, every step of AWS's evaluation, the
password policy's replace trap.

Checks try what the learner built (the Lab's authorizer as the learner's
users, the engine for a group's members, the password rules as
CreateLoginProfile applies them), so a look-alike answer does not pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from labkit import Lab
from labkit.exercises import (
    auditor_user,
    company_password_policy,
    first_user,
    interns_group,
    orders_writer,
)
from labkit.exercises.core import Result

AWS = "arn:aws:iam::aws:policy/"
ORDERS = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def failing(result: Result) -> dict[str, str]:
    """The steps not done yet, with their hints."""
    return {step.description: step.hint for step in result.steps if not step.ok}


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=21) as lab:
        yield lab


# -- 00: first_user --------------------------------------------------------------------------


def test_first_user_model_answer(lab: Lab) -> None:
    assert not first_user.check(lab).done
    lab.client("iam").create_user(UserName="learner")
    assert first_user.check(lab).done


@pytest.mark.parametrize(
    "wrong",
    [
        lambda iam: iam.create_user(UserName="Learner"),  # another name: ARNs keep the case
        lambda iam: iam.create_group(GroupName="learner"),  # a group is not a user
    ],
)
def test_first_user_wrong_answers(lab: Lab, wrong) -> None:
    wrong(lab.client("iam"))
    result = first_user.check(lab)
    assert not result.done
    assert failing(result) == {"a user named learner exists": 'iam.create_user(UserName="learner")'}


# -- 01: interns_group ---------------------------------------------------------------------


def _interns(lab: Lab, *arns: str) -> None:
    iam = lab.client("iam")
    iam.create_group(GroupName="Interns")
    for arn in arns:
        iam.attach_group_policy(GroupName="Interns", PolicyArn=arn)


def test_interns_group_model_answer(lab: Lab) -> None:
    lab.load("groups")
    _interns(lab, AWS + "job-function/ViewOnlyAccess")
    assert interns_group.check(lab).done


def test_interns_with_read_only_access_may_read_the_data(lab: Lab) -> None:
    lab.load("groups")
    _interns(lab, AWS + "ReadOnlyAccess")
    hints = failing(interns_group.check(lab))
    assert set(hints) == {
        "ViewOnlyAccess is attached to Interns",
        "an intern may not read the data in the orders table",
    }
    assert (
        "ReadOnlyAccess would let interns read"
        in hints["an intern may not read the data in the orders table"]
    )


def test_interns_with_power_user_access_may_change_things(lab: Lab) -> None:
    lab.load("groups")
    _interns(lab, AWS + "PowerUserAccess")
    hints = failing(interns_group.check(lab))
    assert "an intern may not change anything" in hints
    assert "PowerUserAccess" in hints["an intern may not change anything"]


def test_an_empty_interns_group_cannot_look_around(lab: Lab) -> None:
    lab.load("groups")
    _interns(lab)  # the group, with nothing attached yet
    hints = failing(interns_group.check(lab))
    assert "an intern may look around: list the tables, describe the instances" in hints
    assert "/job-function/" in hints["ViewOnlyAccess is attached to Interns"]


def test_view_only_access_given_to_a_user_is_not_the_group(lab: Lab) -> None:
    lab.load("groups")
    iam = lab.client("iam")
    iam.create_group(GroupName="Interns")
    iam.attach_user_policy(UserName="ana", PolicyArn=AWS + "job-function/ViewOnlyAccess")
    assert not interns_group.check(lab).done


# -- 02: auditor_user ------------------------------------------------------------------------


def _auditor(lab: Lab, group: str = "Business-Analysts") -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="auditor")
    iam.create_login_profile(UserName="auditor", Password="Audit-Orders-2025!")
    iam.add_user_to_group(GroupName=group, UserName="auditor")


def test_auditor_model_answer(lab: Lab) -> None:
    lab.load("groups")
    _auditor(lab)
    assert auditor_user.check(lab).done


def test_an_auditor_with_access_keys_left(lab: Lab) -> None:
    lab.load("groups")
    _auditor(lab)
    lab.client("iam").create_access_key(UserName="auditor")
    hints = failing(auditor_user.check(lab))
    assert list(hints) == ["auditor has no access keys"]
    assert "delete_access_key" in hints["auditor has no access keys"]


def test_an_auditor_who_may_also_write(lab: Lab) -> None:
    lab.load("groups")
    _auditor(lab)
    lab.client("iam").attach_user_policy(
        UserName="auditor", PolicyArn=AWS + "AmazonDynamoDBFullAccess"
    )
    hints = failing(auditor_user.check(lab))
    assert list(hints) == ["auditor may not change the orders"]
    assert "AmazonDynamoDBFullAccess" in hints["auditor may not change the orders"]


def test_an_auditor_in_the_developers_group(lab: Lab) -> None:
    lab.load("groups")
    _auditor(lab, group="Developers")
    assert set(failing(auditor_user.check(lab))) == {
        "auditor is in Business-Analysts",
        "auditor may not change the orders",
    }


def test_an_auditor_with_keys_instead_of_a_password(lab: Lab) -> None:
    lab.load("groups")
    iam = lab.client("iam")
    iam.create_user(UserName="auditor")
    iam.create_access_key(UserName="auditor")
    iam.add_user_to_group(GroupName="Business-Analysts", UserName="auditor")
    assert {"auditor can sign in to the console", "auditor has no access keys"} <= set(
        failing(auditor_user.check(lab))
    )


# -- 03: orders_writer -----------------------------------------------------------------------


def _writer(lab: Lab, actions: object, resource: object = ORDERS) -> None:
    iam = lab.client("iam")
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
    }
    arn = iam.create_policy(PolicyName="Orders-Writer", PolicyDocument=json.dumps(document))
    iam.attach_user_policy(UserName="ana", PolicyArn=arn["Policy"]["Arn"])


def test_orders_writer_model_answer(lab: Lab) -> None:
    lab.load("users")
    _writer(lab, ["dynamodb:PutItem", "dynamodb:UpdateItem"])
    assert orders_writer.check(lab).done


def test_orders_writer_with_every_dynamodb_action(lab: Lab) -> None:
    lab.load("users")
    _writer(lab, "dynamodb:*")
    hints = failing(orders_writer.check(lab))
    assert set(hints) == {
        "ana may not delete items from orders",
        "ana may not delete the orders table",
    }
    assert "not dynamodb:*" in hints["ana may not delete the orders table"]


def test_orders_writer_on_every_resource(lab: Lab) -> None:
    lab.load("users")
    _writer(lab, ["dynamodb:PutItem", "dynamodb:UpdateItem"], "*")
    hints = failing(orders_writer.check(lab))
    assert list(hints) == ["ana may not write to any other table"]
    assert 'not "*"' in hints["ana may not write to any other table"]


def test_orders_writer_with_an_item_wildcard(lab: Lab) -> None:
    lab.load("users")
    _writer(lab, "dynamodb:*Item")
    assert list(failing(orders_writer.check(lab))) == ["ana may not delete items from orders"]


def test_orders_writer_as_an_inline_policy(lab: Lab) -> None:
    lab.load("users")
    lab.client("iam").put_user_policy(
        UserName="ana",
        PolicyName="Orders-Writer",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": {
                    "Effect": "Allow",
                    "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
                    "Resource": ORDERS,
                },
            }
        ),
    )
    hints = failing(orders_writer.check(lab))
    assert list(hints) == ["a policy named Orders-Writer is attached to ana"]
    assert (
        "not an inline put_user_policy" in hints["a policy named Orders-Writer is attached to ana"]
    )


def test_orders_writer_attached_to_the_whole_group(lab: Lab) -> None:
    lab.load("users")
    iam = lab.client("iam")
    document = {
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Resource": ORDERS,
        },
    }
    arn = iam.create_policy(PolicyName="Orders-Writer", PolicyDocument=json.dumps(document))
    iam.attach_group_policy(GroupName="Business-Analysts", PolicyArn=arn["Policy"]["Arn"])
    assert list(failing(orders_writer.check(lab))) == [
        "a policy named Orders-Writer is attached to ana"
    ]


def test_a_deny_of_the_learners_own_is_fine(lab: Lab) -> None:
    """ "May not" means refused, by an implicit or an explicit deny."""
    lab.load("users")
    iam = lab.client("iam")
    write = {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:UpdateItem"]}
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {**write, "Resource": ORDERS},
            {"Effect": "Deny", "Action": "dynamodb:Delete*", "Resource": "*"},
        ],
    }
    arn = iam.create_policy(PolicyName="Orders-Writer", PolicyDocument=json.dumps(document))
    iam.attach_user_policy(UserName="ana", PolicyArn=arn["Policy"]["Arn"])
    assert orders_writer.check(lab).done


# -- 06: company_password_policy --------------------------------------------------------------

COMPANY = {
    "MinimumPasswordLength": 12,
    "RequireUppercaseCharacters": True,
    "RequireLowercaseCharacters": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "MaxPasswordAge": 60,
    "PasswordReusePrevention": 3,
    "AllowUsersToChangePassword": True,
}


@pytest.fixture
def company(lab: Lab) -> Lab:
    """Chapter 06's account: console users, and the policy it set before the exercise."""
    lab.load("groups")
    lab.client("iam").update_account_password_policy(
        MinimumPasswordLength=14,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        RequireNumbers=True,
        RequireSymbols=True,
        AllowUsersToChangePassword=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=5,
    )
    return lab


def test_company_password_policy_model_answer(company: Lab) -> None:
    assert not company_password_policy.check(company).done
    company.client("iam").update_account_password_policy(**COMPANY)
    assert company_password_policy.check(company).done


def test_a_partial_update_loses_allow_users_to_change_password(company: Lab) -> None:
    """The trap: UpdateAccountPasswordPolicy replaces the whole policy."""
    company.client("iam").update_account_password_policy(
        **{k: v for k, v in COMPANY.items() if k != "AllowUsersToChangePassword"}
    )
    hints = failing(company_password_policy.check(company))
    assert list(hints) == ["users can still change their own password"]
    assert (
        "AllowUsersToChangePassword=True again"
        in hints["users can still change their own password"]
    )


def test_the_exercise_as_written_literally_is_weaker_than_the_default(company: Lab) -> None:
    """Only the settings the exercise names: upper and lower case revert to false."""
    company.client("iam").update_account_password_policy(
        MinimumPasswordLength=12,
        RequireNumbers=True,
        RequireSymbols=True,
        MaxPasswordAge=60,
        PasswordReusePrevention=3,
    )
    hints = failing(company_password_policy.check(company))
    assert set(hints) == {
        "passwords still need upper- and lowercase letters (no weaker than AWS's default)",
        "users can still change their own password",
    }
    assert not company.security_status()["password-policy"].ok  # the dashboard agrees


def test_a_policy_weaker_than_the_default_fails_even_with_everything_else(company: Lab) -> None:
    company.client("iam").update_account_password_policy(
        **{**COMPANY, "RequireUppercaseCharacters": False, "RequireLowercaseCharacters": False}
    )
    assert list(failing(company_password_policy.check(company))) == [
        "passwords still need upper- and lowercase letters (no weaker than AWS's default)"
    ]


def test_a_longer_minimum_than_asked(company: Lab) -> None:
    company.client("iam").update_account_password_policy(**{**COMPANY, "MinimumPasswordLength": 14})
    assert list(failing(company_password_policy.check(company))) == [
        "passwords need at least 12 characters"
    ]


def test_users_may_change_their_password_through_a_policy_too(company: Lab) -> None:
    """The check asks the authorizer, so IAMUserChangePassword attached to every
    console user counts as well as the account's setting."""
    iam = company.client("iam")
    iam.update_account_password_policy(
        **{k: v for k, v in COMPANY.items() if k != "AllowUsersToChangePassword"}
    )
    for user in ("ana", "dev"):
        iam.attach_user_policy(UserName=user, PolicyArn=AWS + "IAMUserChangePassword")
    assert company_password_policy.check(company).done


def test_no_password_policy_at_all(lab: Lab) -> None:
    lab.load("groups")
    result = company_password_policy.check(lab)
    assert not result.done
    assert "passwords expire after 60 days" in failing(result)


# -- what the chapters teach -----------------------------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CHAPTERS = ["01-groups", "02-users", "03-policies", "06-password-policy"]


def cells(name: str) -> list[dict]:
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    return [{**cell, "text": "".join(cell["source"])} for cell in notebook["cells"]]


@pytest.mark.parametrize("name", CHAPTERS)
def test_each_chapter_says_what_and_how_long_and_ends_with_a_recap(name: str) -> None:
    found = cells(name)
    assert "**What you will learn:**" in found[0]["text"] and "**Time:**" in found[0]["text"]
    assert found[-1]["cell_type"] == "markdown" and found[-1]["text"].startswith("## Recap")
    quizzes = [c for c in found if c["cell_type"] == "code" and "quiz(" in c["text"]]
    assert len(quizzes) == 1 and 2 <= quizzes[0]["text"].count("Question(") <= 3
    assert any(c["text"].startswith("> **Console:**") for c in found), "no console path"
    code = [c["text"] for c in found if c["cell_type"] == "code" and "quiz(" not in c["text"]]
    assert max(len(text.splitlines()) for text in code) <= 20


def test_chapter_2_gives_todays_advice_where_users_are_created() -> None:
    """AWS recommends IAM Identity Center or federation, with temporary
    credentials, for people, and IAM users only where those do not fit
    (https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/gs-identities-iam-users.html)."""
    found = cells("02-users")
    first_user = next(i for i, c in enumerate(found) if 'create_user(UserName="CTO")' in c["text"])
    before = "\n".join(c["text"] for c in found[:first_user])
    for words in (
        "IAM Identity Center",
        "federation",
        "temporary credentials",
        "best-practices.html",
        "gs-identities-iam-users.html",
        "Why does this course still create IAM users",
    ):
        assert words in before, words
    prose = "\n".join(c["text"] for c in found if c["cell_type"] == "markdown").lower()
    assert "one iam user per person" not in prose  # 2019's advice, offered only as a wrong answer


def test_chapter_3_teaches_every_step_of_the_evaluation_in_order_with_an_example() -> None:
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html"""
    found = cells("03-policies")
    steps = ["### 1. An explicit deny", "### 2. The organization's guardrails: SCPs and RCPs",
             "### 3. A resource-based policy", "### 4. Identity-based policies",
             "### 5. A permissions boundary", "### 6. Session policies"]  # fmt: skip
    places = [next(i for i, c in enumerate(found) if c["text"].startswith(step)) for step in steps]
    assert places == sorted(places)
    for start, end in zip(places, [*places[1:], len(found)], strict=True):
        assert any(c["cell_type"] == "code" for c in found[start:end])
    code = "\n".join(c["text"] for c in found if c["cell_type"] == "code")
    for used in ("scps=", "rcps=", "put_bucket_policy", "put_user_permissions_boundary",
                 "session=", ".explain()"):  # fmt: skip
        assert used in code, used


def test_chapter_3_defines_managed_and_inline_before_the_first_inline_policy() -> None:
    found = cells("03-policies")
    first_inline = next(i for i, c in enumerate(found) if "put_user_policy(" in c["text"])
    before = "\n".join(c["text"] for c in found[:first_inline])
    for kind in ("**AWS managed**", "**Customer managed**", "**Inline**", "Which to use?"):
        assert kind in before, kind


def test_chapter_6_teaches_the_replace_trap_and_choosing_a_new_password() -> None:
    found = cells("06-password-policy")
    text = "\n".join(c["text"] for c in found)
    assert "## The trap: an update replaces the whole policy" in text
    assert "API_UpdateAccountPasswordPolicy.html" in text
    assert 'new_password="Lee-Picked-This-One-26"' in text
    outputs = json.dumps([c.get("outputs", []) for c in found])
    assert "is not authorized to perform: iam:ChangePassword" in outputs
