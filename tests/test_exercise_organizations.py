"""Chapter 10's exercise: guardrails for the development account.

The check tries the member accounts' work for real, as their administrators
(sessions of OrganizationAccountAccessRole), so each plausible wrong answer
answers "not yet" with a hint about that very mistake.

AWS Organizations User Guide:
- "Service control policies (SCPs)": SCPs grant nothing; an action must be
  allowed at every level from the root to the account; they restrict the
  member accounts' root users too; the management account is not affected.
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
- "SCP evaluation": an explicit Deny at any level refuses; detaching
  FullAWSAccess without another Allow leaves nothing allowed.
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
- "Enabling a policy type": policies of a type can be attached only once the
  type is enabled on the root (PolicyTypeNotEnabledException).
  https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html
- "General examples": deny every Region but the allowed ones with
  aws:RequestedRegion, leaving global services out with NotAction.
  https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html
"""

from __future__ import annotations

import json

import pytest

from labkit import Lab, attempt, exercises
from labkit.exercises import Exercise, development_guardrails
from labkit.exercises.organizations import CHECK_SESSION, CHECK_TABLE, account_id, admin_session

SCP = "SERVICE_CONTROL_POLICY"
GLOBAL_SERVICES = ["iam:*", "organizations:*", "sts:*", "cloudfront:*", "route53:*", "support:*"]
LEAVE_STEP = "nobody in development may leave the organization, not even its root user"
REGIONS_STEP = (
    "development's administrator is refused in eu-west-1, eu-central-1 and ap-southeast-2"
)
WORK_STEP = (
    "development's administrator still works in us-east-1 (DynamoDB, Lambda, S3 and IAM calls)"
)
PRODUCTION_STEP = "production's administrator still works in eu-west-1"
ENABLED_STEP = "service control policies are enabled in the organization"


def _policy(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


STAY = {
    "Sid": "StayInTheOrganization",
    "Effect": "Deny",
    "Action": "organizations:LeaveOrganization",
    "Resource": "*",
}


def _regions(*allowed: str) -> dict:
    return {
        "Sid": "OnlyTheseRegions",
        "Effect": "Deny",
        "NotAction": GLOBAL_SERVICES,
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": list(allowed)}},
    }


GUARDRAILS = _policy(STAY, _regions("us-east-1"))


@pytest.fixture
def lab():
    with Lab(seed=11) as lab:
        development_guardrails.setup(lab)
        yield lab


def _org(lab: Lab):
    return lab.client("organizations")


def _enable(lab: Lab) -> None:
    org = _org(lab)
    org.enable_policy_type(RootId=org.list_roots()["Roots"][0]["Id"], PolicyType=SCP)


def _create(lab: Lab, content: str = GUARDRAILS, name: str = "Development-Guardrails") -> str:
    created = _org(lab).create_policy(
        Name=name, Type=SCP, Content=content, Description="Guardrails for development"
    )
    return created["Policy"]["PolicySummary"]["Id"]


def _attach(lab: Lab, policy_id: str, target: str) -> None:
    _org(lab).attach_policy(PolicyId=policy_id, TargetId=target)


def _workloads(lab: Lab) -> str:
    org = _org(lab)
    root = org.list_roots()["Roots"][0]["Id"]
    return org.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"][0]["Id"]


def _steps(result) -> dict[str, tuple[bool, str]]:
    return {step.description: (step.ok, step.hint) for step in result.steps}


def _only_not_done(result) -> list[str]:
    return [step.description for step in result.steps if not step.ok]


# --- the model answer ---------------------------------------------------------------


def test_it_is_an_exercise_of_the_course() -> None:
    assert isinstance(development_guardrails, Exercise)
    assert "development_guardrails" in exercises.__all__


def test_the_organization_as_built_is_not_done_yet_but_works(lab) -> None:
    result = development_guardrails.check(lab)
    assert not result.done and str(result).startswith(f"{result.title}: not yet")
    steps = _steps(result)
    assert not steps[ENABLED_STEP][0]
    assert "enable_policy_type" in steps[ENABLED_STEP][1]
    # Without guardrails both administrators work anywhere.
    assert steps[WORK_STEP][0] and steps[PRODUCTION_STEP][0]
    # The hints say what is missing first: the policy type.
    assert "no SCP counts until service control policies are enabled" in steps[LEAVE_STEP][1]
    assert "still works in eu-west-1, eu-central-1 and ap-southeast-2" in steps[REGIONS_STEP][1]


def test_an_scp_that_denies_leaving_and_other_regions_on_development_is_done(lab) -> None:
    _enable(lab)
    _attach(lab, _create(lab), account_id(lab, "development"))
    result = development_guardrails.check(lab)
    assert result.done, str(result)
    assert development_guardrails.check(lab).done  # the check can be run again
    # It left nothing behind in development.
    tables = admin_session(lab, "development").client("dynamodb").list_tables()
    assert CHECK_TABLE not in tables["TableNames"]


def test_the_check_tries_the_work_for_real_as_the_member_administrators(lab) -> None:
    _enable(lab)
    _attach(lab, _create(lab), account_id(lab, "development"))
    development_guardrails.check(lab)
    tried = lab.trail.filter(principal=CHECK_SESSION)
    actions = {event.action for event in tried}
    assert {"dynamodb:CreateTable", "dynamodb:DeleteTable", "lambda:ListFunctions"} <= actions
    development, production = account_id(lab, "development"), account_id(lab, "production")
    principals = {event.principal for event in tried}
    for member in (development, production):
        role_session = f"arn:aws:sts::{member}:assumed-role/OrganizationAccountAccessRole/"
        assert f"{role_session}{CHECK_SESSION}" in principals
    # The refusals outside us-east-1 are AWS's own, decided by the SCP.
    refused = [e for e in tried if e.error_code and ":eu-central-1:" in e.resource]
    assert refused and "with an explicit deny in a service control policy" in str(
        refused[0].error_message
    )


def test_the_management_account_stays_free_of_the_guardrail(lab) -> None:
    """The management account is not restricted by SCPs, even attached to it."""
    _enable(lab)
    policy_id = _create(lab)
    _attach(lab, policy_id, account_id(lab, "development"))
    _attach(lab, policy_id, lab.account_id)
    iam = lab.client("iam")
    iam.create_user(UserName="ops")
    iam.attach_user_policy(UserName="ops", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    key = iam.create_access_key(UserName="ops")["AccessKey"]
    ops = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    assert attempt(ops.client("dynamodb", region_name="eu-central-1").list_tables).ok
    assert development_guardrails.check(lab).done


# --- plausible wrong answers -----------------------------------------------------------


def test_an_scp_created_but_not_attached_is_not_yet(lab) -> None:
    _enable(lab)
    _create(lab)
    result = development_guardrails.check(lab)
    assert not result.done
    assert _only_not_done(result) == [LEAVE_STEP, REGIONS_STEP]
    hint = _steps(result)[LEAVE_STEP][1]
    assert "Development-Guardrails is attached to nothing yet" in hint
    assert repr(account_id(lab, "development")) in hint


def test_an_scp_whose_type_is_not_enabled_cannot_be_attached_and_is_not_yet(lab) -> None:
    outcome = attempt(_org(lab).attach_policy, PolicyId=_create(lab), TargetId="x")
    assert outcome.code == "PolicyTypeNotEnabledException"
    outcome = attempt(
        _org(lab).attach_policy,
        PolicyId=_create(lab, name="Again"),
        TargetId=account_id(lab, "development"),
    )
    assert outcome.code == "PolicyTypeNotEnabledException"
    result = development_guardrails.check(lab)
    assert not result.done
    assert not _steps(result)[ENABLED_STEP][0]
    assert "SERVICE_CONTROL_POLICY" in _steps(result)[ENABLED_STEP][1]


def test_the_scp_on_the_wrong_account_is_not_yet(lab) -> None:
    _enable(lab)
    _attach(lab, _create(lab), account_id(lab, "production"))
    result = development_guardrails.check(lab)
    assert _only_not_done(result) == [LEAVE_STEP, REGIONS_STEP, PRODUCTION_STEP]
    assert (
        "(on the account production) does not cover development" in (_steps(result)[LEAVE_STEP][1])
    )
    hint = _steps(result)[PRODUCTION_STEP][1]
    assert "refused in eu-west-1 with an explicit deny in a service control policy" in hint


def test_the_scp_on_the_workloads_ou_also_stops_production_and_is_not_yet(lab) -> None:
    _enable(lab)
    _attach(lab, _create(lab), _workloads(lab))
    result = development_guardrails.check(lab)
    assert _only_not_done(result) == [PRODUCTION_STEP]
    assert "not to production, Workloads or the root" in _steps(result)[PRODUCTION_STEP][1]


def test_an_scp_that_denies_everything_stops_the_admin_and_is_not_yet(lab) -> None:
    _enable(lab)
    deny_all = _policy({"Effect": "Deny", "Action": "*", "Resource": "*"})
    _attach(lab, _create(lab, deny_all), account_id(lab, "development"))
    result = development_guardrails.check(lab)
    assert _only_not_done(result) == [WORK_STEP]
    hint = _steps(result)[WORK_STEP][1]
    assert "by an explicit deny in an SCP" in hint and "aws:RequestedRegion" in hint


def test_detaching_full_aws_access_leaves_no_allow_and_is_not_yet(lab) -> None:
    _enable(lab)
    development = account_id(lab, "development")
    _attach(lab, _create(lab), development)
    _org(lab).detach_policy(PolicyId="p-FullAWSAccess", TargetId=development)
    result = development_guardrails.check(lab)
    assert _only_not_done(result) == [WORK_STEP]
    hint = _steps(result)[WORK_STEP][1]
    assert "because no SCP allows them" in hint and "Keep FullAWSAccess attached" in hint


def test_a_region_rule_that_leaves_eu_west_1_open_is_not_yet(lab) -> None:
    _enable(lab)
    loose = _policy(STAY, _regions("us-east-1", "eu-west-1"))
    _attach(lab, _create(lab, loose), account_id(lab, "development"))
    result = development_guardrails.check(lab)
    assert _only_not_done(result) == [REGIONS_STEP]
    assert "still works in eu-west-1:" in _steps(result)[REGIONS_STEP][1]


def test_a_deny_inside_development_is_not_a_guardrail_and_is_not_yet(lab) -> None:
    """An IAM policy in the member account refuses too, but its administrator
    can remove it: only an SCP is a guardrail the account cannot lift."""
    _enable(lab)
    inside = admin_session(lab, "development").client("iam")
    inside.put_role_policy(
        RoleName="OrganizationAccountAccessRole",
        PolicyName="Stay-Home",
        PolicyDocument=_policy(STAY, _regions("us-east-1")),
    )
    result = development_guardrails.check(lab)
    assert LEAVE_STEP in _only_not_done(result) and REGIONS_STEP in _only_not_done(result)
    assert "by a policy inside development" in _steps(result)[LEAVE_STEP][1]
    assert "does not come from an SCP" in _steps(result)[REGIONS_STEP][1]


def test_without_an_organization_every_step_is_not_yet_and_nothing_raises() -> None:
    with Lab(seed=11) as lab:
        result = development_guardrails.check(lab)
        assert not any(step.ok for step in result.steps)
        assert "not yet" in result._repr_html_()
