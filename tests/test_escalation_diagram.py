"""The routes to admin drawn: every route ends at one admin node, each edge
carries its enabling permission, and large accounts fold to stay readable."""

from __future__ import annotations

import pytest

from labkit import Lab, escalation
from tests.escalation_accounts import build

ADMIN_ROLE = {"trust": {"AWS": ["account"]}, "attached": ["aws:AdministratorAccess"]}


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        build(
            lab,
            {
                "policies": {"kit": {"Statement": [_allow("iam:CreatePolicyVersion")]}},
                "users": {
                    "dana": {"attached": ["kit"]},
                    "pat": {"attached": ["aws:PowerUserAccess"]},
                    "reader": {"attached": ["aws:ReadOnlyAccess"]},
                },
                "roles": {"BreakGlass": ADMIN_ROLE},
            },
        )
        yield lab


def _allow(action: str) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": "*"}


def test_each_route_ends_at_the_admin_node_with_its_permission(lab) -> None:
    source = escalation.draw(lab).source
    assert "admin-equivalent" in source
    assert 'label="iam:CreatePolicyVersion"' in source  # dana changes her own policy
    assert 'label="sts:AssumeRole"' in source  # pat assumes BreakGlass
    assert "reader" not in source  # no route: not drawn
    assert "2 of 4 users and roles can become admin-equivalent" in source


def test_one_principal_is_drawn_alone(lab) -> None:
    source = escalation.draw(lab, "pat").source
    assert "BreakGlass" in source and "dana" not in source
    assert "from user pat" in source


def test_the_same_account_gives_the_same_drawing(lab) -> None:
    assert escalation.draw(lab).source == escalation.draw(lab).source


def test_an_account_without_routes_says_so() -> None:
    with Lab(seed=2) as lab:
        build(lab, {"users": {"reader": {"attached": ["aws:ReadOnlyAccess"]}}})
        source = escalation.draw(lab).source
    assert "No user or role can become admin-equivalent." in source


def test_many_starts_with_the_same_way_fold_into_one_node() -> None:
    with Lab(seed=3) as lab:
        users = {f"user-{i:02d}": {"attached": ["aws:PowerUserAccess"]} for i in range(12)}
        build(lab, {"users": users, "roles": {"BreakGlass": ADMIN_ROLE}})
        source = escalation.draw(lab).source
    assert "12 users" in source and "user-03" not in source.split("tooltip")[0]
    assert "Folded to stay readable" in source


def test_a_drawing_past_max_nodes_keeps_the_shortest_routes_and_says_so() -> None:
    with Lab(seed=4) as lab:
        roles = {
            f"hop-{i}": {
                "trust": {"AWS": [f"user/u{i}"]},
                "inline": {"hop": [_allow("sts:AssumeRole")]},
            }
            for i in range(8)
        }
        roles["BreakGlass"] = ADMIN_ROLE
        build(lab, {"users": {f"u{i}": {} for i in range(8)}, "roles": roles})
        dot = escalation.draw(lab, max_nodes=10)
    boxes = [line for line in dot.source.splitlines() if "class=user" in line]
    assert len(boxes) < 8
    assert "more starts with longer routes left out" in dot.source


def test_the_drawing_renders_with_graphviz(lab) -> None:
    svg = escalation.draw(lab).pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "every action on every resource" in svg


def test_given_paths_are_drawn_as_they_are(lab) -> None:
    found = escalation.paths(lab, "dana")
    source = escalation.draw(found, legend=False).source
    assert "dana" in source and "pat" not in source and "Legend" not in source
    assert len(found) == 1
