"""labkit.escalation: what admin-equivalent means, how routes are asked for,
and that finding them changes nothing while playing them is done for real."""

from __future__ import annotations

import json

import pytest

from labkit import Lab, escalation
from labkit.policy.examples import ALLOW_MFA
from tests.escalation_accounts import IAM, build

ADMIN = "aws:AdministratorAccess"


def _allow(action: object, resource: str = "*") -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.fixture
def lab():
    with Lab(seed=1) as lab:
        yield lab


# --- admin-equivalent -------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"attached": [ADMIN]}, True),
        ({"inline": {"all": [_allow("*")]}}, True),
        ({"attached": ["aws:PowerUserAccess"]}, False),  # everything but IAM
        ({"inline": {"iam": [_allow("iam:*")]}}, False),  # IAM only: it can escalate, though
        ({"inline": {"all": [_allow("*", "arn:aws:s3:::*")]}}, False),  # not every resource
        (
            {
                "attached": [ADMIN],
                "inline": {
                    "no-trail": [{"Effect": "Deny", "Action": "cloudtrail:*", "Resource": "*"}]
                },
            },
            False,
        ),
    ],
)
def test_admin_equivalent_is_every_probe_allowed_on_every_resource(lab, user, expected) -> None:
    build(lab, {"users": {"u": user}})
    assert escalation.admin_equivalent(lab, "u") is expected


def test_a_boundary_keeps_an_administrator_policy_from_being_admin(lab) -> None:
    # IAM User Guide, "Permissions boundaries for IAM entities": the effective
    # permissions are where the identity policies and the boundary overlap.
    build(
        lab,
        {
            "policies": {"s3-only": {"Statement": [_allow("s3:*")]}},
            "users": {"u": {"attached": [ADMIN], "boundary": "s3-only"}},
        },
    )
    assert not escalation.admin_equivalent(lab, "u")


def test_an_mfa_deny_counts_for_the_attacker_without_the_device(lab) -> None:
    # The Allow-MFA policy denies nearly everything without MFA: stolen keys
    # give no administrator, the device holder is one.
    build(lab, {"users": {"cto": {"attached": [ADMIN]}}})
    iam = lab.client("iam")
    arn = iam.create_policy(PolicyName="Allow-MFA", PolicyDocument=ALLOW_MFA)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="cto", PolicyArn=arn)
    assert not escalation.admin_equivalent(lab, "cto")
    assert escalation.admin_equivalent(lab, "cto", mfa=True)
    assert escalation.paths(lab, "cto") == []  # nothing in the account undoes the deny


# --- asking for routes ------------------------------------------------------------


def test_routes_are_asked_by_name_or_arn_and_unknown_names_are_refused(lab) -> None:
    build(
        lab,
        {"users": {"pia": {"inline": {"self": [_allow("iam:PutUserPolicy", f"{IAM}user/pia")]}}}},
    )
    by_name = escalation.paths(lab, "pia")
    assert by_name == escalation.paths(lab, f"{IAM}user/pia")
    assert [p.actions for p in by_name] == [("iam:PutUserPolicy",)]
    with pytest.raises(LookupError):
        escalation.paths(lab, "nobody")


def test_a_route_reads_in_words(lab) -> None:
    build(
        lab,
        {"users": {"pia": {"inline": {"self": [_allow("iam:PutUserPolicy", f"{IAM}user/pia")]}}}},
    )
    (path,) = escalation.paths(lab, "pia")
    assert path.start == path.end == f"{IAM}user/pia"
    assert str(path).splitlines() == [
        "user pia → admin-equivalent as user pia:",
        "  1. user pia writes an inline policy that allows everything into itself.",
    ]
    assert path.sentence.startswith("user pia becomes admin-equivalent as itself in 1 step:")
    assert repr(path) == "Path(user pia → user pia: iam:PutUserPolicy)"
    assert path.steps[0].actions == ("iam:PutUserPolicy",)


def test_finding_routes_changes_nothing_and_leaves_no_trace(lab) -> None:
    build(
        lab,
        {
            "users": {"hal": {"inline": {"trust": [_allow("iam:UpdateAssumeRolePolicy")]}}},
            "roles": {"Ops": {"trust": {"Service": ["lambda"]}, "attached": [ADMIN]}},
        },
    )
    iam = lab.client("iam")
    trust = iam.get_role(RoleName="Ops")["Role"]["AssumeRolePolicyDocument"]
    calls = len(lab.trail)
    assert escalation.paths(lab, "hal")  # hal would rewrite Ops's trust...
    assert len(lab.trail) == calls  # ...but finding it made no call
    assert iam.get_role(RoleName="Ops")["Role"]["AssumeRolePolicyDocument"] == trust


def test_routes_follow_the_account_as_it_changes(lab) -> None:
    build(lab, {"users": {"pat": {"attached": ["aws:PowerUserAccess"]}}, "roles": {}})
    assert escalation.paths(lab, "pat") == []
    build(lab, {"roles": {"BreakGlass": {"trust": {"AWS": ["account"]}, "attached": [ADMIN]}}})
    assert [p.end for p in escalation.paths(lab, "pat")] == [f"{IAM}role/BreakGlass"]


def test_a_role_calls_as_a_session_of_itself(lab) -> None:
    build(
        lab,
        {
            "roles": {
                "builder": {
                    "trust": {"Service": ["lambda"]},
                    "inline": {"self": [_allow("iam:AttachRolePolicy", f"{IAM}role/builder")]},
                }
            }
        },
    )
    (path,) = escalation.paths(lab, "builder")
    session = escalation.play(lab, path)
    assert session.arn.startswith("arn:aws:sts::123456789012:assumed-role/builder/")


def test_every_start_is_listed_users_then_roles(lab) -> None:
    build(
        lab,
        {
            "users": {
                "b": {"inline": {"s": [_allow("iam:PutUserPolicy", f"{IAM}user/b")]}},
                "a": {"inline": {"s": [_allow("iam:PutUserPolicy", f"{IAM}user/a")]}},
            },
            "roles": {
                "r": {
                    "trust": {"Service": ["lambda"]},
                    "inline": {"s": [_allow("iam:PutRolePolicy", f"{IAM}role/r")]},
                }
            },
        },
    )
    assert [p.start.rsplit("/", 1)[-1] for p in escalation.paths(lab)] == ["a", "b", "r"]


# --- playing ---------------------------------------------------------------------------


def test_a_route_that_stopped_working_is_refused_in_words(lab) -> None:
    build(
        lab,
        {"users": {"pia": {"inline": {"self": [_allow("iam:PutUserPolicy", f"{IAM}user/pia")]}}}},
    )
    (path,) = escalation.paths(lab, "pia")
    lab.client("iam").delete_user_policy(UserName="pia", PolicyName="self")
    with pytest.raises(escalation.PlayRefused) as refused:
        escalation.play(lab, path)
    assert refused.value.number == 1
    assert "AccessDenied" in refused.value.reason
    assert lab.trail.last.decision == "implicitDeny"


def test_play_can_start_from_the_attackers_own_session(lab) -> None:
    build(
        lab,
        {"users": {"pia": {"inline": {"self": [_allow("iam:PutUserPolicy", f"{IAM}user/pia")]}}}},
    )
    key = lab.client("iam").create_access_key(UserName="pia")["AccessKey"]
    stolen = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    (path,) = escalation.paths(lab, "pia")
    assert escalation.play(lab, path, stolen) is stolen
    assert escalation.admin_equivalent(lab, stolen)
    policy = lab.client("iam").get_user_policy(UserName="pia", PolicyName="escalation")
    assert json.loads(json.dumps(policy["PolicyDocument"]))["Statement"][0]["Action"] == "*"
