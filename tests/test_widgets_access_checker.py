"""AccessChecker: the Lab's decision for a principal, with its explanation and diagram."""

from __future__ import annotations

import pytest

from labkit.lab.account import Lab
from labkit.policy import examples
from labkit.widgets import AccessChecker
from labkit.widgets.access_checker import unknown_action_note

ALLOW_MFA = examples.ALLOW_MFA
TRUST = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":'
    '{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}'
)


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="alice")
        arn = iam.create_policy(PolicyName="Allow-MFA", PolicyDocument=ALLOW_MFA)["Policy"]["Arn"]
        iam.attach_user_policy(UserName="alice", PolicyArn=arn)
        iam.create_role(RoleName="Auditor", AssumeRolePolicyDocument=TRUST)
        iam.attach_role_policy(
            RoleName="Auditor", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess"
        )
        yield lab


def test_lists_the_labs_users_and_roles(lab) -> None:
    checker = AccessChecker(lab)
    assert [label for label, _ in checker.principal.options] == ["user alice", "role Auditor"]
    assert checker.principal.value == "arn:aws:iam::123456789012:user/alice"


def test_the_mfa_checkbox_flips_the_verdict(lab) -> None:
    checker = AccessChecker(lab)
    checker.action.value = "iam:DeactivateMFADevice"
    checker.resource.value = "arn:aws:iam::123456789012:user/alice"
    assert checker.decision == "explicitDeny"
    assert "BlockMostAccessUnlessSignedInWithMFA" in checker.explanation.value
    checker.mfa.value = True
    assert checker.decision == "allowed"
    assert "Allowed" in checker.verdict.value
    checker.mfa.value = False
    assert checker.decision == "explicitDeny"


def test_agrees_with_what_the_lab_does(lab) -> None:
    iam = lab.client("iam")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    session = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    session.client("iam").list_users()  # allowed: ListUsers is not blocked without MFA
    checker = AccessChecker(lab)
    checker.action.value = "iam:ListUsers"
    assert checker.decision == "allowed"
    checker.action.value = "iam:CreateUser"
    assert checker.decision == "explicitDeny"


def test_a_role_is_checked_as_its_session(lab) -> None:
    checker = AccessChecker(lab)
    checker.principal.value = "arn:aws:iam::123456789012:role/Auditor"
    checker.action.value = "iam:ListRoles"
    assert checker.decision == "allowed"
    checker.action.value = "iam:DeleteRole"
    assert checker.decision == "implicitDeny"


def test_refresh_picks_up_new_principals_and_policies(lab) -> None:
    checker = AccessChecker(lab)
    iam = lab.client("iam")
    iam.create_user(UserName="bob")
    checker.refresh_button.click()
    assert "user bob" in [label for label, _ in checker.principal.options]
    checker.principal.value = "arn:aws:iam::123456789012:user/bob"
    checker.action.value = "s3:ListAllMyBuckets"
    assert checker.decision == "implicitDeny"
    iam.put_user_policy(
        UserName="bob",
        PolicyName="s3",
        PolicyDocument='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}',
    )
    checker.refresh()
    assert checker.decision == "allowed"


def test_the_action_box_autocompletes_from_the_catalog(lab) -> None:
    checker = AccessChecker(lab)
    checker.action.value = "iam:ListMF"
    assert "iam:ListMFADevices" in checker.action.options
    assert 0 < len(checker.action.options) <= 40


def test_an_unknown_action_gets_a_hint(lab) -> None:
    checker = AccessChecker(lab)
    checker.action.value = "iam:ListUser"
    assert "not a known action" in checker.verdict.value
    assert "iam:ListUsers" in unknown_action_note("iam:ListUser")
    assert unknown_action_note("iam:List*") == ""


def test_shows_the_evaluation_diagram_as_svg(lab) -> None:
    checker = AccessChecker(lab)
    assert "<svg" in checker.diagram.value


def test_an_empty_lab_says_what_to_do() -> None:
    with Lab(seed=1) as lab:
        checker = AccessChecker(lab)
        assert checker.decision == ""
        assert "Create a user or role" in checker.verdict.value


@pytest.mark.parametrize(
    "garbage", ["", " ", "*", "iam:", ":", "${aws:username}", "arn:", "x" * 3000, "\x00", "🚀:🚀"]
)
def test_garbage_never_raises(lab, garbage: str) -> None:
    checker = AccessChecker(lab)
    checker.action.value = garbage
    checker.resource.value = garbage
    checker.mfa.value = True
    assert checker.verdict.value


def test_new_users_appear_without_pressing_refresh(lab) -> None:
    checker = AccessChecker(lab)
    lab.client("iam").create_user(UserName="carol")
    checker.mfa.value = True  # any change looks at the Lab again
    assert "user carol" in [label for label, _ in checker.principal.options]


def test_the_context_is_the_one_the_lab_gives(lab) -> None:
    iam = lab.client("iam")
    user_id = iam.get_user(UserName="alice")["User"]["UserId"]
    iam.tag_user(UserName="alice", Tags=[{"Key": "team", "Value": "blue"}])
    iam.put_user_policy(
        UserName="alice",
        PolicyName="context",
        PolicyDocument=(
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",'
            '"Resource":"arn:aws:s3:::notes/${aws:userid}/*","Condition":{"StringEquals":'
            '{"aws:PrincipalTag/team":"blue","aws:PrincipalAccount":"123456789012"}}}}'
        ),
    )
    checker = AccessChecker(lab)
    checker.mfa.value = True  # past Allow-MFA's deny
    checker.action.value = "s3:GetObject"
    checker.resource.value = f"arn:aws:s3:::notes/{user_id}/a.txt"
    assert checker.decision == "allowed"
    checker.resource.value = "arn:aws:s3:::notes/someone-else/a.txt"
    assert checker.decision == "implicitDeny"
