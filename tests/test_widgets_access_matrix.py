"""AccessMatrix: principals × actions, each cell a decision; click for the reasons."""

from __future__ import annotations

import time

import pytest

from labkit.lab.account import Lab
from labkit.widgets import AccessMatrix
from labkit.widgets._principals import PrincipalChoice
from labkit.widgets.access_matrix import normalize_actions, resource_for

S3_READ = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:Get*","s3:List*"],'
    '"Resource":"*"}}'
)
DENY_DELETE = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},'
    '{"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}'
)
TRUST = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":'
    '{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}}'
)
ACTIONS = ["s3:GetObject", "iam:DeleteUser", "iam:CreateUser"]


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="reader")
        iam.put_user_policy(UserName="reader", PolicyName="read", PolicyDocument=S3_READ)
        iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=TRUST)
        iam.put_role_policy(RoleName="Admin", PolicyName="admin", PolicyDocument=DENY_DELETE)
        yield lab


def test_each_cell_shows_a_decision(lab) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    assert matrix.decision("reader", "s3:GetObject") == "allowed"
    assert matrix.decision("user reader", "iam:CreateUser") == "implicitDeny"
    assert matrix.decision("Admin", "iam:DeleteUser") == "explicitDeny"
    assert matrix.decision("role Admin", "iam:CreateUser") == "allowed"
    assert matrix.cell("reader", "s3:GetObject").description == "✔"
    assert matrix.cell("Admin", "iam:DeleteUser").description == "✖"
    assert matrix.cell("reader", "iam:CreateUser").description == "–"
    colours = {matrix.cell("reader", a).style.button_color for a in ACTIONS}
    assert len(colours) == 2  # allowed and implicit deny look different


def test_the_default_grid_is_every_principal_by_common_actions(lab) -> None:
    matrix = AccessMatrix(lab)
    assert len(matrix._rows) == 2
    assert len(matrix._cells[0]) == len(matrix.actions) >= 5


def test_clicking_a_cell_explains_it(lab) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    matrix.cell("Admin", "iam:DeleteUser").click()
    assert "Explicit deny" in matrix.explanation.value
    assert "Denied: iam:DeleteUser" in matrix.explanation.value
    matrix.cell("reader", "s3:GetObject").click()
    assert "Allowed: s3:GetObject" in matrix.explanation.value


def test_follows_changes_to_iam(lab) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    assert matrix.refresh() is False  # nothing changed
    iam = lab.client("iam")
    iam.create_user(UserName="writer")
    iam.delete_user_policy(UserName="reader", PolicyName="read")
    assert matrix.refresh() is True
    assert matrix.decision("writer", "s3:GetObject") == "implicitDeny"
    assert matrix.decision("reader", "s3:GetObject") == "implicitDeny"


def test_displaying_refreshes(lab) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    lab.client("iam").create_user(UserName="writer")
    matrix._repr_mimebundle_()
    assert matrix.decision("writer", "iam:CreateUser") == "implicitDeny"


def test_refresh_button_and_chosen_principals(lab) -> None:
    matrix = AccessMatrix(lab, principals=["Admin"], actions=[("iam:GetUser", "*")])
    assert [row.name for row in matrix._rows] == ["Admin"]
    matrix.refresh_button.click()
    assert matrix.decision("Admin", "iam:GetUser") == "allowed"


def test_mfa_toggle_recomputes(lab) -> None:
    iam = lab.client("iam")
    iam.put_user_policy(
        UserName="reader",
        PolicyName="mfa",
        PolicyDocument=(
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser",'
            '"Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}}'
        ),
    )
    matrix = AccessMatrix(lab, actions=ACTIONS)
    assert matrix.decision("reader", "iam:CreateUser") == "implicitDeny"
    matrix.mfa.value = True
    assert matrix.mfa_present
    assert matrix.decision("reader", "iam:CreateUser") == "allowed"


def test_an_empty_lab_says_what_to_do() -> None:
    with Lab(seed=1) as lab:
        matrix = AccessMatrix(lab)
        assert "No users or roles" in matrix.explanation.value


def test_helpers() -> None:
    assert normalize_actions(["a:B", ("c:D", "arn:x")]) == [("a:B", "*"), ("c:D", "arn:x")]
    choice = PrincipalChoice("user", "ann", "arn:aws:iam::1:user/ann", "AID")
    template = "arn:aws:iam::{account}:user/{name}"
    assert resource_for(template, "1", choice) == "arn:aws:iam::1:user/ann"
    assert resource_for("arn:{oops}", "1", choice) == "arn:{oops}"


@pytest.mark.slow
def test_refreshes_50_principals_by_40_actions_in_under_a_fifth_of_a_second() -> None:
    from labkit.policy import catalog

    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_group(GroupName="readers")
        iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=S3_READ)
        for n in range(45):
            iam.create_user(UserName=f"user{n:02}")
            if n % 2:
                iam.add_user_to_group(GroupName="readers", UserName=f"user{n:02}")
        for n in range(5):
            iam.create_role(RoleName=f"role{n}", AssumeRolePolicyDocument=TRUST)
            iam.put_role_policy(RoleName=f"role{n}", PolicyName="admin", PolicyDocument=DENY_DELETE)
        actions = catalog.expand("iam:List*")[:20] + catalog.expand("s3:Get*")[:20]
        matrix = AccessMatrix(lab, actions=actions)
        assert len(matrix._rows) * len(matrix.actions) == 2000
        best = min(_timed(matrix.refresh, force=True) for _ in range(3))
        assert best < 0.2, f"refresh took {best:.3f} s"


def _timed(fn, **kwargs) -> float:
    start = time.perf_counter()
    fn(**kwargs)
    return time.perf_counter() - start
