"""EscalationExplorer: pick a principal, see its routes to admin in words and drawn."""

from __future__ import annotations

import pytest

from labkit import Lab
from labkit.widgets import EscalationExplorer
from tests.escalation_accounts import build

ARN = "arn:aws:iam::123456789012:"


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        build(
            lab,
            {
                "users": {
                    "cto": {"attached": ["aws:AdministratorAccess"]},
                    "mo": {
                        "inline": {
                            "self": [
                                {
                                    "Effect": "Allow",
                                    "Action": "iam:PutUserPolicy",
                                    "Resource": f"{ARN}user/mo",
                                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                                }
                            ]
                        }
                    },
                    "pat": {"attached": ["aws:PowerUserAccess"]},
                },
                "roles": {
                    "BreakGlass": {
                        "trust": {"AWS": ["account"]},
                        "attached": ["aws:AdministratorAccess"],
                    }
                },
            },
        )
        yield lab


def test_a_principal_at_risk_shows_its_routes_in_words_and_drawn(lab) -> None:
    explorer = EscalationExplorer(lab)
    explorer.principal.value = f"{ARN}user/pat"
    assert explorer.routes == 1
    assert explorer.message == "At risk: user pat can become admin-equivalent by 1 route."
    assert "At risk" in explorer.verdict.value and "#b71c1c" in explorer.verdict.value
    assert "assumes role BreakGlass" in explorer.steps.value
    assert "<svg" in explorer.diagram.value


def test_an_administrator_and_a_safe_principal_say_so(lab) -> None:
    explorer = EscalationExplorer(lab)
    explorer.principal.value = f"{ARN}user/cto"
    assert explorer.message.startswith("Admin already")
    assert explorer.routes == 0 and explorer.diagram.value == ""
    explorer.principal.value = f"{ARN}user/mo"
    assert explorer.message == "No route to admin: user mo has no route to admin-equivalent."
    assert "#1b5e20" in explorer.verdict.value


def test_the_mfa_box_asks_about_an_attacker_with_the_device(lab) -> None:
    explorer = EscalationExplorer(lab)
    explorer.principal.value = f"{ARN}user/mo"
    explorer.mfa.value = True
    assert explorer.routes == 1 and explorer.message.startswith("At risk")


def test_refresh_finds_new_principals_and_changed_policies(lab) -> None:
    explorer = EscalationExplorer(lab)
    explorer.principal.value = f"{ARN}user/pat"
    lab.client("iam").update_assume_role_policy(
        RoleName="BreakGlass",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Principal":{"AWS":"arn:aws:iam::123456789012:user/cto"},"Action":"sts:AssumeRole"}]}',
    )
    lab.client("iam").create_user(UserName="zed")
    explorer.refresh()
    assert explorer.routes == 0 and explorer.message.startswith("No route")
    assert f"{ARN}user/zed" in [value for _, value in explorer.principal.options]


def test_a_failure_is_a_message_never_a_traceback(lab, monkeypatch) -> None:
    from labkit import escalation

    def broken(*args, **kwargs):
        raise RuntimeError("the account could not be read")

    explorer = EscalationExplorer(lab)
    monkeypatch.setattr(escalation, "paths", broken)
    explorer.principal.value = f"{ARN}user/pat"
    assert explorer.message == (
        "Could not find the routes: RuntimeError: the account could not be read"
    )
    assert explorer.routes == 0 and "labkit-problem" in explorer.verdict.value


def test_an_empty_account_asks_for_a_principal() -> None:
    with Lab(seed=2) as lab:
        explorer = EscalationExplorer(lab)
    assert explorer.message.startswith("No route to admin: The account has no users or roles")


def test_its_stored_output_reads_as_words(lab) -> None:
    explorer = EscalationExplorer(lab)
    explorer.principal.value = f"{ARN}user/pat"
    assert explorer.summary() == (
        "Escalation explorer: At risk: user pat can become admin-equivalent by 1 route."
    )
