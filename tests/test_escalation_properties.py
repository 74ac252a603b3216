"""Properties of the routes to admin, on accounts hypothesis makes up.

- a route found can be played, with enforced calls, and leaves an
  admin-equivalent session;
- denying the permission that enables a route's first step removes the route;
- routes come shortest first, and only from principals not admin-equivalent.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labkit import Lab, escalation
from tests.escalation_accounts import IAM, build

USERS = ("ana", "bob", "cy", "dee")
ROLES = ("red", "green", "blue")


def _allow(action: Any, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _abilities(own: str) -> dict[str, list[dict[str, Any]]]:
    """What a principal may be given, by name: mistakes, and look-alikes that are none."""
    kind = "User" if ":user/" in own else "Role"
    return {
        "writes-itself": [_allow(f"iam:Put{kind}Policy", own)],
        "attaches-anything": [_allow(f"iam:Attach{kind}Policy", own)],
        "passes-to-lambda": [_allow(["iam:PassRole", "lambda:CreateFunction", "lambda:Invoke*"])],
        "passes-to-ec2": [_allow(["iam:PassRole", "ec2:RunInstances"])],
        "assumes-anything": [_allow("sts:AssumeRole")],
        "rewrites-trust": [_allow("iam:UpdateAssumeRolePolicy", f"{IAM}role/*")],
        "makes-keys": [_allow("iam:CreateAccessKey", f"{IAM}user/*")],
        "sets-passwords": [_allow(["iam:CreateLoginProfile", "iam:UpdateLoginProfile"])],
        "adds-to-groups": [_allow("iam:AddUserToGroup")],
        "passes-only": [_allow("iam:PassRole")],
        "writes-itself-with-mfa": [
            _allow(
                f"iam:Put{kind}Policy",
                own,
                Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            )
        ],
        "denied-iam": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}],
    }


ABILITIES = sorted(_abilities(f"{IAM}user/x"))
TRUSTS = ("user", "role", "account", "lambda", "ec2")


@st.composite
def accounts(draw: st.DrawFn) -> dict[str, Any]:
    users = draw(st.lists(st.sampled_from(USERS), min_size=1, max_size=3, unique=True))
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True))
    account: dict[str, Any] = {
        "groups": {"Admins": {"attached": ["aws:AdministratorAccess"]}},
        "users": {},
        "roles": {},
    }
    for name in users:
        user: dict[str, Any] = {"inline": {}}
        for ability in draw(st.lists(st.sampled_from(ABILITIES), max_size=2, unique=True)):
            user["inline"][ability] = _abilities(f"{IAM}user/{name}")[ability]
        if draw(st.booleans()):
            user["password"] = True
        if draw(st.integers(0, 4)) == 0:
            user["groups"] = ["Admins"]
        account["users"][name] = user
    for name in roles:
        trusted = draw(st.sampled_from(TRUSTS))
        trust: dict[str, list[str]] = {}
        if trusted == "user":
            trust["AWS"] = [f"user/{draw(st.sampled_from(users))}"]
        elif trusted == "role":
            trust["AWS"] = [f"role/{draw(st.sampled_from(roles))}"]
        elif trusted == "account":
            trust["AWS"] = ["account"]
        else:
            trust["Service"] = [trusted]
        role: dict[str, Any] = {"trust": trust, "inline": {}}
        if trusted == "ec2":
            role["profile"] = name
        if draw(st.booleans()):
            role["attached"] = ["aws:AdministratorAccess"]
        else:
            for ability in draw(st.lists(st.sampled_from(ABILITIES), max_size=2, unique=True)):
                role["inline"][ability] = _abilities(f"{IAM}role/{name}")[ability]
        account["roles"][name] = role
    return account


SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(accounts())
def test_a_route_found_can_be_played_and_ends_admin(account: dict[str, Any]) -> None:
    with Lab(seed=3) as lab:
        build(lab, account)
        found = escalation.paths(lab)
    for route in found[:2]:
        with Lab(seed=4) as lab:
            build(lab, account)
            again = [p for p in escalation.paths(lab) if p.steps == route.steps]
            assert again, "the same account gives the same routes"
            session = escalation.play(lab, again[0])
            assert escalation.admin_equivalent(lab, session)


@SETTINGS
@given(accounts())
def test_denying_the_first_steps_permission_removes_the_route(account: dict[str, Any]) -> None:
    with Lab(seed=5) as lab:
        build(lab, account)
        found = escalation.paths(lab)
        if not found:
            return
        route = found[0]
        first = route.steps[0]
        kind = "user" if ":user/" in first.actor else "role"
        deny = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Deny", "Action": first.action, "Resource": first.target}],
        }
        getattr(lab.client("iam"), f"put_{kind}_policy")(
            **{f"{kind.title()}Name": first.actor.rsplit("/", 1)[-1]},
            PolicyName="no-first-step",
            PolicyDocument=json.dumps(deny),
        )
        after = escalation.paths(lab, route.start)
    assert not [p for p in after if p.steps[0] == first], f"{first.sentence} still works"


@SETTINGS
@given(accounts())
def test_routes_come_shortest_first_from_principals_not_admin(account: dict[str, Any]) -> None:
    with Lab(seed=6) as lab:
        build(lab, account)
        found = escalation.paths(lab)
        starts = {p.start for p in found}
        for start in starts:
            assert not escalation.admin_equivalent(lab, start)
            lengths = [len(p.steps) for p in found if p.start == start]
            assert lengths == sorted(lengths)
    assert all(p.steps for p in found)
