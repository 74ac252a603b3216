"""How long finding every route to admin takes, as accounts grow.

    .venv/bin/python benchmarks/escalation.py

Builds company-shaped accounts of 50, 200 and 1,000 principals (80% users,
20% roles) through the Lab's own IAM API (the set-up time is printed too),
then times ``escalation.paths(lab)`` on each: every user and role as a
start, every method, every route. The aim is 200 principals in under 2 s
and 1,000 in under 20 s on two cores, growing no worse than quadratically:
the growth ratios are printed beside what quadratic growth would give.

Most principals are ordinary (team groups with AWS managed and team
policies, service roles); a few percent carry one of the catalogue's
mistakes, and a few carry one that only looks dangerous (iam:PassRole with
no service to pass to, a permission behind an MFA condition).
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit import Lab, escalation  # noqa: E402

ACCOUNT = "123456789012"
AWS = "arn:aws:iam::aws:policy/"
TEAM_POLICIES = (
    "ReadOnlyAccess",
    "AmazonS3ReadOnlyAccess",
    "AmazonDynamoDBFullAccess",
    "PowerUserAccess",
    "job-function/ViewOnlyAccess",
)
SIZES = (50, 200, 1000)


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(actions: str | list[str], resource: str = "*", **extra: object) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resource, **extra}


def _trust(principal: dict) -> str:
    return _document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


# The mistakes a few users carry: (name, inline policy statements).
RISKY = (
    ("passes-any-role", [_allow(["iam:PassRole", "lambda:CreateFunction", "lambda:Invoke*"])]),
    ("rewrites-trust", [_allow("iam:UpdateAssumeRolePolicy")]),
    ("adds-to-groups", [_allow("iam:AddUserToGroup")]),
    ("makes-keys", [_allow("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/*")]),
    ("launches", [_allow(["iam:PassRole", "ec2:RunInstances"])]),
    ("pass-only", [_allow("iam:PassRole")]),  # no service to pass a role to
    (
        "needs-mfa",
        [
            _allow(
                "iam:PutUserPolicy",
                f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}",
                Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            )
        ],
    ),
)  # fmt: skip


def build(lab: Lab, principals: int, seed: int = 7) -> None:
    """A company of ``principals`` users and roles, the same for the same seed."""
    rng = random.Random(seed)
    iam = lab.client("iam")
    roles = principals // 5
    users = principals - roles
    teams = max(4, principals // 25)
    for team in range(teams):
        name = f"team-{team:03d}"
        iam.create_group(GroupName=name)
        iam.attach_group_policy(GroupName=name, PolicyArn=AWS + rng.choice(TEAM_POLICIES))
        policy = iam.create_policy(
            PolicyName=f"{name}-data",
            PolicyDocument=_document(
                _allow(["s3:GetObject", "s3:PutObject"], f"arn:aws:s3:::{name}/*"),
                _allow("dynamodb:Query", f"arn:aws:dynamodb:*:{ACCOUNT}:table/{name}-*"),
            ),
        )["Policy"]["Arn"]
        iam.attach_group_policy(GroupName=name, PolicyArn=policy)
    iam.create_group(GroupName="Admins")
    iam.attach_group_policy(GroupName="Admins", PolicyArn=AWS + "AdministratorAccess")
    names = [f"user-{i:04d}" for i in range(users)]
    for index, name in enumerate(names):
        iam.create_user(UserName=name)
        for team in rng.sample(range(teams), rng.randint(1, 2)):
            iam.add_user_to_group(GroupName=f"team-{team:03d}", UserName=name)
        if index < 2:
            iam.add_user_to_group(GroupName="Admins", UserName=name)
        elif rng.random() < 0.05:
            kind, statements = rng.choice(RISKY)
            iam.put_user_policy(
                UserName=name, PolicyName=kind, PolicyDocument=_document(*statements)
            )
    for index in range(roles):
        name = f"role-{index:03d}"
        roll = rng.random()
        if roll < 0.6:
            iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"})
            )
            iam.put_role_policy(
                RoleName=name,
                PolicyName="logs",
                PolicyDocument=_document(_allow(["logs:CreateLogStream", "logs:PutLogEvents"])),
            )
        elif roll < 0.7:
            iam.create_role(
                RoleName=name, AssumeRolePolicyDocument=_trust({"Service": "ec2.amazonaws.com"})
            )
            iam.attach_role_policy(RoleName=name, PolicyArn=AWS + "AmazonS3ReadOnlyAccess")
            iam.create_instance_profile(InstanceProfileName=name)
            iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        elif roll < 0.85:
            iam.create_role(
                RoleName=name,
                AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
            )
            iam.attach_role_policy(RoleName=name, PolicyArn=AWS + "ReadOnlyAccess")
        else:
            trusted = f"arn:aws:iam::{ACCOUNT}:user/{rng.choice(names)}"
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=_trust({"AWS": trusted}))
            iam.attach_role_policy(RoleName=name, PolicyArn=AWS + "PowerUserAccess")
    # A few administrator roles: one for Lambda, one trusting the account.
    iam.create_role(
        RoleName="deploy-admin",
        AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"}),
    )
    iam.attach_role_policy(RoleName="deploy-admin", PolicyArn=AWS + "AdministratorAccess")
    iam.create_role(
        RoleName="break-glass",
        AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}),
    )
    iam.attach_role_policy(RoleName="break-glass", PolicyArn=AWS + "AdministratorAccess")


def measure(principals: int) -> tuple[float, float, int, int]:
    """(set-up seconds, analysis seconds, principals with a route, routes)."""
    with Lab(seed=principals) as lab:
        started = time.perf_counter()
        build(lab, principals)
        built = time.perf_counter()
        found = escalation.paths(lab)
        analysed = time.perf_counter()
        starts = len({path.start for path in found})
        return built - started, analysed - built, starts, len(found)


def main() -> None:
    # A learner's first analysis also loads AWS's catalogue and managed
    # policies: timed on its own, so the sizes compare the analysis alone.
    _setup, warm_up, *_ = measure(10)
    print(f"first analysis in a fresh process (10 principals): {warm_up:.2f}s")
    times: dict[int, float] = {}
    for size in SIZES:
        setup, analysis, starts, routes = measure(size)
        times[size] = analysis
        print(
            f"{size:>5,} principals: analysis {analysis:6.2f}s "
            f"({starts} can become admin-equivalent, {routes} routes; set-up {setup:.1f}s)"
        )
    for small, large in zip(SIZES, SIZES[1:], strict=False):
        ratio = times[large] / times[small]
        quadratic = (large / small) ** 2
        linear = large / small
        print(
            f"growth {small:,} → {large:,}: ×{ratio:.1f} "
            f"(linear ×{linear:.0f}, quadratic ×{quadratic:.0f})"
        )
    print(
        "aims: 200 in under 2 s, 1,000 in under 20 s: "
        + ("met" if times[200] < 2 and times[1000] < 20 else "not met")
    )


if __name__ == "__main__":
    main()
