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


def test_its_summary_says_the_grid_in_words(lab) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    lines = matrix.summary().splitlines()
    assert lines[0] == "Access matrix: 2 principals × 3 actions, 3 of 6 allowed"
    assert "  role Admin: allowed s3:GetObject, iam:CreateUser; denied iam:DeleteUser" in lines
    assert "  user reader: allowed s3:GetObject; denied iam:DeleteUser, iam:CreateUser" in lines
    bundle = matrix._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["text/plain"].startswith("Access matrix: 2 principals")


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


# -- large grids --------------------------------------------------------------------


@pytest.fixture
def tiny_limit(monkeypatch):
    """Grids of more than 4 cells are drawn as one table."""
    from labkit.widgets import access_matrix

    monkeypatch.setattr(access_matrix, "CELL_WIDGET_LIMIT", 4)


def _buttons(widget) -> list:
    import ipywidgets as widgets

    found = [widget] if isinstance(widget, widgets.Button) else []
    for child in getattr(widget, "children", ()):
        found += _buttons(child)
    return found


def test_a_large_grid_is_one_table_with_the_same_decisions(lab, tiny_limit) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    assert matrix.large
    assert matrix.table in matrix.children and matrix.grid not in matrix.children
    assert _buttons(matrix) == [matrix.refresh_button]  # no widget per cell
    assert matrix.decision("reader", "s3:GetObject") == "allowed"
    assert matrix.decision("Admin", "iam:DeleteUser") == "explicitDeny"
    assert matrix.decision("user reader", "iam:CreateUser") == "implicitDeny"
    table = matrix.table.value
    assert "user reader" in table and "role Admin" in table
    assert table.count("<tr>") == 3  # the header and one row per principal
    assert "✔" in table and "✖" in table and "–" in table
    with pytest.raises(KeyError, match="one table"):
        matrix.cell("reader", "s3:GetObject")


def test_a_large_grid_explains_the_principal_and_action_picked(lab, tiny_limit) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    assert matrix.picker in matrix.children
    assert "Pick a principal" in matrix.explanation.value
    matrix.pick_action.value = ACTIONS.index("iam:DeleteUser")
    matrix.pick_principal.value = "role Admin"
    assert "Explicit deny" in matrix.explanation.value
    assert "Denied: iam:DeleteUser" in matrix.explanation.value
    matrix.pick_principal.value = "nobody at all"
    assert "No user or role nobody at all" in matrix.explanation.value
    matrix.explain("reader", "s3:GetObject")
    assert "Allowed: s3:GetObject" in matrix.explanation.value


def test_a_large_grid_follows_changes_to_iam(lab, tiny_limit) -> None:
    matrix = AccessMatrix(lab, actions=ACTIONS)
    iam = lab.client("iam")
    iam.create_user(UserName="writer")
    iam.delete_user_policy(UserName="reader", PolicyName="read")
    assert matrix.refresh() is True
    assert matrix.decision("writer", "s3:GetObject") == "implicitDeny"
    assert matrix.decision("reader", "s3:GetObject") == "implicitDeny"
    assert "user writer" in matrix.table.value
    assert "user writer" in matrix.pick_principal.options


def test_a_grid_grows_from_buttons_into_a_table(lab, monkeypatch) -> None:
    from labkit.widgets import access_matrix

    monkeypatch.setattr(access_matrix, "CELL_WIDGET_LIMIT", 6)
    matrix = AccessMatrix(lab, actions=ACTIONS)
    assert not matrix.large and matrix.cell("reader", "s3:GetObject").description == "✔"
    lab.client("iam").create_user(UserName="writer")
    matrix.refresh()
    assert matrix.large and matrix.table in matrix.children
    assert matrix.decision("writer", "iam:CreateUser") == "implicitDeny"


# -- deciding again only what a change reached ----------------------------------------


def _count_rows(matrix) -> list[str]:
    """Record the principal of every row the matrix decides from now on."""
    decided: list[str] = []
    decider = matrix._reader.decider

    def counting(principal):
        decided.append(principal.name)
        return decider(principal)

    matrix._reader.decider = counting
    return decided


@pytest.fixture
def team(lab):
    iam = lab.client("iam")
    iam.create_group(GroupName="readers")
    for name in ("ann", "bob", "cyd", "dan"):
        iam.create_user(UserName=name)
        if name != "dan":
            iam.add_user_to_group(GroupName="readers", UserName=name)
    return lab


def test_a_change_to_one_user_decides_only_that_row_again(team) -> None:
    matrix = AccessMatrix(team, actions=ACTIONS)
    decided = _count_rows(matrix)
    team.client("iam").put_user_policy(UserName="bob", PolicyName="read", PolicyDocument=S3_READ)
    assert matrix.refresh() is True
    assert decided == ["bob"]
    assert matrix.decision("bob", "s3:GetObject") == "allowed"
    assert matrix.decision("ann", "s3:GetObject") == "implicitDeny"


def test_a_change_to_a_group_decides_its_members_again(team) -> None:
    matrix = AccessMatrix(team, actions=ACTIONS)
    decided = _count_rows(matrix)
    iam = team.client("iam")
    iam.put_group_policy(GroupName="readers", PolicyName="read", PolicyDocument=S3_READ)
    matrix.refresh()
    assert sorted(decided) == ["ann", "bob", "cyd"]
    assert matrix.decision("cyd", "s3:GetObject") == "allowed"
    assert matrix.decision("dan", "s3:GetObject") == "implicitDeny"
    decided.clear()
    iam.create_user(UserName="eve")
    matrix.refresh()
    assert decided == ["eve"]
    decided.clear()
    matrix.refresh(force=True)  # the Refresh button: every row
    assert len(decided) == len(matrix._rows) == 7


def test_the_mfa_toggle_decides_each_setting_once(team) -> None:
    matrix = AccessMatrix(team, actions=ACTIONS)
    decided = _count_rows(matrix)
    matrix.mfa.value = True
    assert len(decided) == len(matrix._rows)
    decided.clear()
    matrix.mfa.value = False
    matrix.mfa.value = True
    assert decided == []


def test_a_changed_trust_policy_reaches_every_row_asking_to_assume_the_role(team) -> None:
    role = f"arn:aws:iam::{team.account_id}:role/Admin"
    matrix = AccessMatrix(team, actions=[("sts:AssumeRole", role), "iam:CreateUser"])
    iam = team.client("iam")
    iam.put_user_policy(
        UserName="dan",
        PolicyName="assume",
        PolicyDocument=(
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole",'
            '"Resource":"*"}}'
        ),
    )
    matrix.refresh()
    decided = _count_rows(matrix)
    dan = f"arn:aws:iam::{team.account_id}:user/dan"
    iam.update_assume_role_policy(
        RoleName="Admin",
        PolicyDocument=(
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":'
            f'{{"AWS":"{dan}"}},"Action":"sts:AssumeRole"}}}}'
        ),
    )
    matrix.refresh()
    assert len(decided) == len(matrix._rows)
    for choice in matrix._rows:
        principal = team.principal_of(choice.arn, console=True)
        expected = team.decide(principal, "sts:AssumeRole", role).decision
        assert matrix.decision(choice.arn, "sts:AssumeRole") == expected
    assert matrix.decision("dan", "sts:AssumeRole") == "allowed"


def test_a_resource_named_after_each_principal_follows_its_tags(team) -> None:
    iam = team.client("iam")
    iam.put_group_policy(
        GroupName="readers",
        PolicyName="blue-mfa",
        PolicyDocument=(
            '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:ListMFADevices",'
            '"Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}}'
        ),
    )
    template = "arn:aws:iam::{account}:user/{name}"
    matrix = AccessMatrix(team, actions=[("iam:ListMFADevices", template)])
    assert matrix.decision("ann", "iam:ListMFADevices") == "implicitDeny"
    decided = _count_rows(matrix)
    iam.tag_user(UserName="ann", Tags=[{"Key": "team", "Value": "blue"}])
    matrix.refresh()
    assert decided == ["ann"]
    assert matrix.decision("ann", "iam:ListMFADevices") == "allowed"
    assert matrix.decision("bob", "iam:ListMFADevices") == "implicitDeny"


def test_principals_named_twice_pick_the_user_then_the_role() -> None:
    from labkit.widgets.access_matrix import select_principals

    user = PrincipalChoice("user", "x", "arn:aws:iam::1:user/x", "AID")
    role = PrincipalChoice("role", "x", "arn:aws:iam::1:role/x", "ARO")
    other = PrincipalChoice("user", "y", "arn:aws:iam::1:user/y", "AID2")
    available = [user, other, role]
    assert select_principals(available, ["x", "x", "y"]) == [user, role, other]
    assert select_principals(available, ["role x", "x", "nobody"]) == [role, user]
    assert select_principals(available, None) == available


# -- every cell agrees with the Lab, whatever changes ----------------------------------

ALLOW = (
    '{{"Version":"2012-10-17","Statement":{{"Effect":"{effect}","Action":"{action}",'
    '"Resource":"{resource}"{condition}}}}}'
)
MFA_ONLY = ',"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}'
BLUE_ONLY = ',"Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}'


def _random_change(lab, rng, step: int) -> None:
    """One IAM write of the kinds that change decisions."""
    from botocore.exceptions import ClientError

    iam = lab.client("iam")
    users = sorted(lab.backend.users)
    user = rng.choice(users)
    policy = f"arn:aws:iam::{lab.account_id}:policy/shared"
    document = ALLOW.format(
        effect=rng.choice(["Allow", "Allow", "Deny"]),
        action=rng.choice(["s3:*", "iam:*", "iam:CreateUser", "sts:AssumeRole", "*"]),
        resource=rng.choice(["*", "arn:aws:iam::*:user/*", f"arn:aws:iam::*:user/{user}"]),
        condition=rng.choice(["", "", MFA_ONLY, BLUE_ONLY]),
    )
    change = rng.randrange(11)
    try:
        if change == 0:
            iam.put_user_policy(UserName=user, PolicyName=f"p{step % 3}", PolicyDocument=document)
        elif change == 1:
            for name in iam.list_user_policies(UserName=user)["PolicyNames"][:1]:
                iam.delete_user_policy(UserName=user, PolicyName=name)
        elif change == 2:
            iam.put_group_policy(GroupName="g1", PolicyName="g", PolicyDocument=document)
        elif change == 3:
            iam.add_user_to_group(GroupName=rng.choice(["g1", "g2"]), UserName=user)
        elif change == 4:
            iam.remove_user_from_group(GroupName=rng.choice(["g1", "g2"]), UserName=user)
        elif change == 5:
            versions = iam.list_policy_versions(PolicyArn=policy)["Versions"]
            for old in [v for v in versions if not v["IsDefaultVersion"]][:1]:
                iam.delete_policy_version(PolicyArn=policy, VersionId=old["VersionId"])
            iam.create_policy_version(PolicyArn=policy, PolicyDocument=document, SetAsDefault=True)
        elif change == 6:
            iam.attach_user_policy(UserName=user, PolicyArn=policy)
        elif change == 7:
            iam.tag_user(
                UserName=user, Tags=[{"Key": "team", "Value": rng.choice(["blue", "red"])}]
            )
        elif change == 8:
            who = rng.choice([f"arn:aws:iam::{lab.account_id}:user/{u}" for u in users])
            trust = (
                '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":'
                f'{{"AWS":"{who}"}},"Action":"sts:AssumeRole"}}}}'
            )
            iam.update_assume_role_policy(RoleName="Admin", PolicyDocument=trust)
        elif change == 9:
            iam.create_user(UserName=f"new{step}")
        else:
            iam.put_role_policy(RoleName="Admin", PolicyName="admin", PolicyDocument=document)
    except ClientError:
        pass  # e.g. already a member, or too many versions: the Lab refused it


@pytest.mark.parametrize("large", [False, True], ids=["buttons", "table"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_cell_agrees_with_lab_decide_through_random_changes(
    lab, monkeypatch, seed: int, large: bool
) -> None:
    import random

    from labkit.widgets import access_matrix

    if large:
        monkeypatch.setattr(access_matrix, "CELL_WIDGET_LIMIT", 4)
    rng = random.Random(seed)
    iam = lab.client("iam")
    for name in ("g1", "g2"):
        iam.create_group(GroupName=name)
    for name in ("ann", "bob", "cyd"):
        iam.create_user(UserName=name)
    iam.create_policy(PolicyName="shared", PolicyDocument=S3_READ)
    role = f"arn:aws:iam::{lab.account_id}:role/Admin"
    actions = [
        "s3:GetObject",
        "iam:CreateUser",
        ("iam:DeleteUser", "arn:aws:iam::{account}:user/{name}"),
        ("sts:AssumeRole", role),
    ]
    matrix = AccessMatrix(lab, actions=actions)
    seen = set()
    for step in range(14):
        _random_change(lab, rng, step)
        if step % 5 == 4:
            matrix.mfa.value = not matrix.mfa.value
        matrix.refresh()
        for choice in matrix._rows:
            principal = lab.principal_of(choice.arn, mfa=matrix.mfa_present, console=True)
            for action, template in matrix.actions:
                resource = template.format(account=lab.account_id, name=choice.name)
                expected = lab.decide(principal, action, resource).decision
                where = f"step {step}: {choice.label} {action} on {resource}"
                assert matrix.decision(choice.arn, action) == expected, where
                seen.add(expected)
    assert {"allowed", "implicitDeny"} <= seen  # the changes did change decisions
