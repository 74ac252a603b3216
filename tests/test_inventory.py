"""The inventory: a plain-data snapshot of an account's IAM state."""

from __future__ import annotations

import json
import time

import pytest

from labkit.inventory import GroupInfo, Inventory, PolicyInfo, UserInfo

ACCOUNT = "123456789012"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}],
}


def small() -> Inventory:
    return Inventory.from_dict(
        {
            "users": [
                {"name": "zoe", "groups": ["Developers"]},
                {"name": "CTO", "groups": ["Admins", "Developers"], "inline": {"notes": ALLOW_ALL}},
            ],
            "groups": [{"name": "Developers"}, {"name": "Admins", "attached": [ADMIN]}],
            "roles": [{"name": "fn", "path": "/service/"}],
            "policies": [{"name": "AdministratorAccess", "document": ALLOW_ALL}],
        }
    )


def test_from_dict_fills_in_arns_and_sorts() -> None:
    inventory = small()
    assert [u.name for u in inventory.users] == ["CTO", "zoe"]
    assert [g.name for g in inventory.groups] == ["Admins", "Developers"]
    assert inventory.users[0].arn == f"arn:aws:iam::{ACCOUNT}:user/CTO"
    assert inventory.roles[0].arn == f"arn:aws:iam::{ACCOUNT}:role/service/fn"
    assert inventory.user("CTO").groups == ("Admins", "Developers")
    assert inventory.members("Developers") == ("CTO", "zoe")
    assert inventory.members("Nobody") == ()


def test_lookups_by_name_and_arn() -> None:
    inventory = small()
    assert inventory.user(f"arn:aws:iam::{ACCOUNT}:user/CTO") is inventory.user("CTO")
    assert inventory.group(f"arn:aws:iam::{ACCOUNT}:group/Admins").name == "Admins"
    assert inventory.role("arn:aws:iam::123456789012:role/service/fn").name == "fn"
    assert inventory.user("nobody") is None


def test_attached_aws_policy_is_filled_in_from_the_managed_catalog() -> None:
    inventory = small()
    admin = inventory.policy(ADMIN)
    assert admin is not None and admin.kind == "aws" and admin.name == "AdministratorAccess"
    assert admin.document["Statement"]  # AWS's own document, not empty


def test_a_customer_policy_wins_a_name_lookup_over_an_aws_one() -> None:
    inventory = small()
    assert inventory.policy("AdministratorAccess").kind == "customer"
    assert inventory.policy(ADMIN).kind == "aws"


def test_to_dict_round_trips() -> None:
    inventory = small()
    assert Inventory.from_dict(inventory.to_dict()) == inventory


def test_constructor_sorts_synthetic_data() -> None:
    users = (UserInfo("b", "arn:b"), UserInfo("a", "arn:a"))
    inventory = Inventory(users, (GroupInfo("g", "arn:g"),), (), (PolicyInfo("arn:p", "p"),))
    assert [u.name for u in inventory.users] == ["a", "b"]


# -- a real Lab ---------------------------------------------------------------


@pytest.fixture
def lab():
    from labkit import Lab

    with Lab(seed=1) as lab:
        yield lab


def _build(lab) -> str:
    iam = lab.client("iam")
    iam.create_group(GroupName="Developers")
    iam.attach_group_policy(
        GroupName="Developers", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    )
    iam.create_user(UserName="CTO")
    iam.add_user_to_group(GroupName="Developers", UserName="CTO")
    iam.create_login_profile(UserName="CTO", Password="Correct-Horse-Battery-1")
    iam.create_access_key(UserName="CTO")
    iam.create_user(UserName="analyst")
    arn = iam.create_policy(PolicyName="ddb", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]["Arn"]
    iam.put_user_policy(UserName="CTO", PolicyName="notes", PolicyDocument=json.dumps(ALLOW_ALL))
    iam.put_user_permissions_boundary(UserName="CTO", PermissionsBoundary=arn)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))
    iam.attach_role_policy(RoleName="fn", PolicyArn=arn)
    iam.put_role_permissions_boundary(RoleName="fn", PermissionsBoundary=ADMIN)
    return arn


def test_from_lab_reads_the_account(lab) -> None:
    ddb = _build(lab)
    inventory = Inventory.from_lab(lab)
    cto = inventory.user("CTO")
    assert cto.groups == ("Developers",)
    assert cto.inline == {"notes": ALLOW_ALL}
    assert cto.boundary == ddb
    assert cto.has_login_profile and cto.has_access_keys and not cto.mfa
    analyst = inventory.user("analyst")
    assert not analyst.has_login_profile and analyst.groups == ()
    group = inventory.group("Developers")
    assert group.attached == ("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",)
    role = inventory.role("fn")
    assert role.trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert role.attached == (ddb,) and role.boundary == ADMIN
    assert inventory.policy(ddb).document == ALLOW_ALL
    assert inventory.policy(ddb).kind == "customer"
    # A boundary names an AWS policy the backend may not hold: still known.
    assert inventory.policy(ADMIN).document["Statement"]


def test_from_lab_keeps_only_the_aws_policies_in_use(lab) -> None:
    _build(lab)
    lab.client("iam").list_policies(Scope="AWS", MaxItems=5)  # loads every AWS policy
    kinds = {p.arn: p.kind for p in Inventory.from_lab(lab).policies}
    assert sorted(a for a, k in kinds.items() if k == "aws") == [
        ADMIN,
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ]


def test_from_lab_is_fast_and_makes_no_calls(lab) -> None:
    iam = lab.client("iam")
    for i in range(40):
        iam.create_user(UserName=f"user-{i}")
    lab.client = None  # any API call from the snapshot would fail here
    start = time.perf_counter()
    inventory = Inventory.from_lab(lab)
    assert time.perf_counter() - start < 0.1
    assert len(inventory.users) == 40
