"""Every AWS managed policy takes effect when attached.

IAM User Guide, "AWS managed policies": AWS managed policies are attached
like any other managed policy. Each one is attached in the Lab (to a user,
or to a service-linked role for the ``aws-service-role/`` ones, which IAM
attaches nowhere else), must then be among the policies that decide its
holder's calls, read in full, and must allow a request its first plain Allow
statement grants.
"""

from __future__ import annotations

from typing import Any

import pytest

from labkit import Lab
from labkit.lab.managed import aws_managed_policy_arns
from labkit.policy import catalog

SERVICE_ROLE = "arn:aws:iam::aws:policy/aws-service-role/"


def _granted(policy: Any) -> str | None:
    """An action the policy's first unconditional Allow on ``*`` grants, if any."""
    for statement in policy.statements:
        if (
            statement.effect == "Allow"
            and statement.actions
            and statement.resources == ("*",)
            and not statement.conditions
        ):
            for pattern in statement.actions:
                found = catalog.expand(pattern) if pattern != "*" else ["iam:ListUsers"]
                if found:
                    return sorted(found)[0]
    return None


@pytest.fixture(scope="module")
def lab():
    with Lab(seed=3) as lab:
        yield lab


def test_the_whole_set_is_known() -> None:
    assert len(aws_managed_policy_arns()) > 1500


def test_every_attachable_aws_managed_policy_takes_effect(lab: Lab) -> None:
    iam = lab.client("iam")
    arns = [arn for arn in aws_managed_policy_arns() if not arn.startswith(SERVICE_ROLE)]
    denies = {arn for arn in arns if "Deny" in arn}
    checked = 0
    for index, arn in enumerate(arns):
        name = f"u{index}"
        iam.create_user(UserName=name)
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
        user_arn = f"arn:aws:iam::123456789012:user/{name}"
        holdings = lab.policies.holdings(user_arn)
        assert [held.policy.arn for held in holdings.identity] == [arn], arn
        policy = holdings.identity[0].policy
        assert policy.statements, arn
        action = _granted(policy)
        if action is None or arn in denies:
            continue
        decision = lab.decide(lab.principal_of(user_arn), action, "*")
        # Allowed, unless one of the policy's own Deny statements says otherwise.
        assert decision.allowed or any(s.effect == "Deny" for s in policy.statements), (
            arn,
            action,
        )
        checked += 1
    assert checked > 500  # most policies grant something plainly


def test_service_role_policies_take_effect_on_service_linked_roles(lab: Lab) -> None:
    arns = [arn for arn in aws_managed_policy_arns() if arn.startswith(SERVICE_ROLE)]
    assert arns
    for index, arn in enumerate(arns):
        role = lab.backend.create_role(
            role_name=f"AWSServiceRoleFor{index}",
            assume_role_policy_document=(
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                '"Principal":{"Service":"x.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
            ),
            path=f"/aws-service-role/service{index}.amazonaws.com/",
            permissions_boundary=None,
            description="",
            tags=[],
            max_session_duration="3600",
        )
        lab.client("iam").attach_role_policy(RoleName=role.name, PolicyArn=arn)
        holdings = lab.policies.holdings(role.arn)
        assert [held.policy.arn for held in holdings.identity] == [arn], arn
        assert holdings.identity[0].policy.statements, arn
