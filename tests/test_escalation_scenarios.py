"""Every method of the public catalogues, and every trap of their test cases.

Each file of ``tests/scenarios/escalation`` describes, in our own words, a
small account (see :mod:`tests.escalation_accounts`), the routes to admin it
must have (``routes``: from whom, to whom, by which methods, in order) and
the principals that must have none (``no_route``). ``catalogue`` says which
method or test case of Rhino Security Labs' list, Bishop Fox's iam-vulnerable
and DataDog's pathfinding.cloud it stands for, and ``aws`` the AWS page for
the behaviour it relies on. A route marked ``play`` is also performed in a
fresh account: it must end with an admin-equivalent session, every step in
the trail.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labkit import Lab, escalation
from labkit.escalation import METHODS
from tests.escalation_accounts import build, principal_arn

SCENARIOS = sorted((Path(__file__).parent / "scenarios" / "escalation").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def _matching(found: list[Any], account: dict[str, Any], expected: dict[str, Any]) -> list[Any]:
    start = principal_arn(account, expected["from"])
    end = principal_arn(account, expected["to"])
    methods = expected["methods"]
    return [
        path
        for path in found
        if path.start == start and path.end == end and [s.method for s in path.steps] == methods
    ]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_routes(path: Path) -> None:
    spec = _load(path)
    account = spec["account"]
    with Lab(seed=1) as lab:
        build(lab, account)
        found = escalation.paths(lab, mfa=spec.get("mfa", False))
    shown = "\n".join(str(p) for p in found) or "no routes"
    for expected in spec["routes"]:
        assert _matching(found, account, expected), f"{expected} not among:\n{shown}"
    for name in spec["no_route"]:
        start = principal_arn(account, name)
        assert not [p for p in found if p.start == start], f"{name} has a route:\n{shown}"


PLAYED = [
    pytest.param(path, index, id=f"{path.stem}-{index}")
    for path in SCENARIOS
    for index, expected in enumerate(_load(path)["routes"])
    if expected.get("play")
]


@pytest.mark.parametrize(("path", "index"), PLAYED)
def test_scenario_routes_play(path: Path, index: int) -> None:
    spec = _load(path)
    account = spec["account"]
    mfa = spec.get("mfa", False)
    with Lab(seed=2) as lab:
        build(lab, account)
        (route, *_) = _matching(escalation.paths(lab, mfa=mfa), account, spec["routes"][index])
        before = len(lab.trail)
        session = escalation.play(lab, route, mfa=mfa)
        events = list(lab.trail)[before:]
        assert escalation.admin_equivalent(lab, session)
    for step in route.steps:
        assert [
            e
            for e in events
            if e.action in step.actions and e.succeeded and _by(e.principal, step.actor)
        ], f"{step.sentence} is not in the trail"


def _by(caller: str, actor: str) -> bool:
    """Whether the trail's caller is the actor: the user, or a session of the role."""
    if ":role/" in actor:
        return f":assumed-role/{actor.rsplit('/', 1)[-1]}/" in caller
    return caller == actor


def test_every_method_of_the_catalogue_has_a_scenario() -> None:
    used = {
        method
        for path in SCENARIOS
        for expected in _load(path)["routes"]
        for method in expected["methods"]
    }
    assert set(METHODS) <= used, sorted(set(METHODS) - used)


def test_every_scenario_says_where_it_comes_from() -> None:
    for path in SCENARIOS:
        spec = _load(path)
        assert spec["about"] and spec["catalogue"], path.name
        assert spec["routes"] or spec["no_route"], path.name
