"""Chapter 09's exercise: no route to admin may remain, and the work must go on.

The check tries the work for real, as the users would, so a fix that closes
a route by taking the work away answers "not yet" with a hint that says how
to narrow the permission instead.
"""

from __future__ import annotations

import json

import pytest

from labkit import Lab
from labkit.exercises import close_every_path
from labkit.exercises.escalation import DEVELOPER_WORK, HELPDESK_WORK

IAM = "arn:aws:iam::123456789012:"
FUNCTIONS = "arn:aws:lambda:us-east-1:123456789012:function:app-*"


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DEVELOPERS_FIXED = _policy(
    json.loads(DEVELOPER_WORK)["Statement"][0],
    {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": f"{IAM}role/app-runtime",
        "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
    },
)
HELPDESK_FIXED = _policy(
    {
        "Effect": "Allow",
        "Action": ["iam:UpdateLoginProfile", "iam:GetLoginProfile"],
        "Resource": f"{IAM}user/staff/*",
    },
    {"Effect": "Allow", "Action": "iam:AddUserToGroup", "Resource": f"{IAM}group/Developers"},
    json.loads(HELPDESK_WORK)["Statement"][2],
)


@pytest.fixture
def lab():
    with Lab(seed=10) as lab:
        close_every_path.setup(lab)
        yield lab


def _rewrite(lab: Lab, name: str, document: str) -> None:
    lab.client("iam").create_policy_version(
        PolicyArn=f"{IAM}policy/{name}", PolicyDocument=document, SetAsDefault=True
    )


def _steps(result) -> dict[str, tuple[bool, str]]:
    return {step.description: (step.ok, step.hint) for step in result.steps}


def test_the_account_as_built_is_not_done_and_names_its_routes(lab) -> None:
    result = close_every_path.check(lab)
    assert not result.done and str(result).startswith(f"{result.title}: not yet")
    ok, hint = _steps(result)["no user or role can become admin-equivalent"]
    assert not ok
    assert "iam:PassRole to lambda.amazonaws.com" in hint
    assert "changes the console password of user opal" in hint
    # The work itself goes: the account as built lets everyone do their job.
    assert all(step.ok for step in result.steps[1:])


def test_narrowing_the_two_policies_is_done(lab) -> None:
    _rewrite(lab, "Developer-Work", DEVELOPERS_FIXED)
    _rewrite(lab, "Helpdesk-Work", HELPDESK_FIXED)
    assert close_every_path.check(lab).done
    assert close_every_path.check(lab).done  # the check can be run again


def test_the_work_is_tried_for_real_and_leaves_nothing_behind(lab) -> None:
    _rewrite(lab, "Developer-Work", DEVELOPERS_FIXED)
    _rewrite(lab, "Helpdesk-Work", HELPDESK_FIXED)
    before = len(lab.trail)
    close_every_path.check(lab)
    made = [(e.principal.rsplit("/", 1)[-1], e.action) for e in list(lab.trail)[before:]]
    assert ("devon", "lambda:CreateFunction") in made
    assert ("hana", "iam:UpdateLoginProfile") in made
    assert ("hana", "iam:AddUserToGroup") in made
    assert lab.client("lambda").list_functions()["Functions"] == []


def test_taking_pass_role_away_breaks_the_deployments(lab) -> None:
    # A plausible wrong answer: no route left, but devon cannot deploy.
    _rewrite(lab, "Developer-Work", _policy(json.loads(DEVELOPER_WORK)["Statement"][0]))
    _rewrite(lab, "Helpdesk-Work", HELPDESK_FIXED)
    result = close_every_path.check(lab)
    steps = _steps(result)
    assert steps["no user or role can become admin-equivalent"][0]
    ok, hint = steps["devon still deploys a function that runs as app-runtime"]
    assert not ok and "app-runtime" in hint and "iam:PassedToService" in hint
    assert not result.done


def test_taking_the_helpdesk_away_breaks_its_work(lab) -> None:
    # Another: hana out of Helpdesk closes her routes and her work with them.
    iam = lab.client("iam")
    iam.remove_user_from_group(GroupName="Helpdesk", UserName="hana")
    _rewrite(lab, "Developer-Work", DEVELOPERS_FIXED)
    result = close_every_path.check(lab)
    steps = _steps(result)
    assert steps["no user or role can become admin-equivalent"][0]
    reset_ok, reset_hint = steps["hana still resets the password of nia, who works in /staff/"]
    onboard_ok, onboard_hint = steps["hana still adds the new hire nia to Developers"]
    assert not reset_ok and "/staff/" in reset_hint
    assert not onboard_ok and "Developers group" in onboard_hint


def test_demoting_the_pipeline_role_is_not_the_fix(lab) -> None:
    # And a third: the pipeline's role must stay an administrator.
    lab.client("iam").detach_role_policy(
        RoleName="deploy-admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
    )
    _rewrite(lab, "Helpdesk-Work", HELPDESK_FIXED)
    steps = _steps(close_every_path.check(lab))
    ok, hint = steps["the pipeline's role deploy-admin is still an administrator"]
    assert not ok and "stop the others from passing it" in hint


def test_half_a_fix_names_what_is_left(lab) -> None:
    _rewrite(lab, "Developer-Work", DEVELOPERS_FIXED)
    ok, hint = _steps(close_every_path.check(lab))["no user or role can become admin-equivalent"]
    assert not ok
    assert hint.startswith("1 user or role can still become admin-equivalent")
    assert "user hana" in hint and "iam:PassRole" not in hint


def test_an_empty_account_is_not_yet_and_never_raises() -> None:
    with Lab(seed=11) as lab:
        result = close_every_path.check(lab)
    assert not result.done
    assert [step.ok for step in result.steps][1:] == [False] * (len(result.steps) - 1)
