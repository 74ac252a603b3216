"""How fast the Lab starts and how much authorization costs a call.

Run with ``python benchmarks/lab.py``. Prints:

(a) a learner's first cell: a fresh Python process that imports the kit,
    starts a ``Lab()`` and attaches an AWS managed policy, against a fresh
    process of plain moto loading every AWS managed policy up front (moto's
    ``iam: load_aws_managed_policies``) and doing the same, as a ratio of
    whole processes, imports included (aim: at most 0.5); and the same two
    inside one warm process;
(b) one enforced call by a user with several policies, against the same
    call made as the root user, which skips authorization (aim: at most 1.3);
(c) the same call by an administrator role's session in a member account of
    an organization, under SCPs at two levels (root and OU) and an RCP,
    against the same call by the member's root user (aim: at most 1.5).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run from a checkout: import this tree's labkit, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMINISTRATOR = "arn:aws:iam::aws:policy/AdministratorAccess"
ROUNDS = 5
CALLS = 300


FIRST_CELL = """
from labkit import Lab
lab = Lab()
iam = lab.client("iam")
iam.create_user(UserName="dev")
iam.attach_user_policy(UserName="dev", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
"""
MOTO_FIRST_CELL = """
import boto3, moto
with moto.mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="dev")
    iam.attach_user_policy(UserName="dev", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
"""


def _process(code: str) -> Callable[[], None]:
    """Run ``code`` in a fresh Python process of this environment, as a
    learner's kernel starts: with compiled modules cached (the first run
    writes them, and :func:`_best` keeps the fastest run)."""
    import os
    import subprocess

    root = str(Path(__file__).resolve().parents[1])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

    def run() -> None:
        subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env)

    return run


def _best(run: Callable[[], None], rounds: int = ROUNDS) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def lab_start_to_attach() -> None:
    from labkit import Lab

    with Lab() as lab:
        iam = lab.client("iam")
        iam.create_user(UserName="dev")
        iam.attach_user_policy(UserName="dev", PolicyArn=READ_ONLY)


def moto_with_all_managed_policies() -> None:
    import boto3
    import moto

    with moto.mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="dev")
        iam.attach_user_policy(UserName="dev", PolicyArn=READ_ONLY)


def _policy(actions: list[str]) -> str:
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _per_call(client: object) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(CALLS // ROUNDS):
            client.list_tables()  # type: ignore[attr-defined]
        samples.append((time.perf_counter() - start) / (CALLS // ROUNDS))
    return statistics.median(samples)


def call_costs() -> tuple[float, float]:
    """Median seconds per DynamoDB ListTables: (as a user, as root)."""
    from labkit import Lab

    with Lab(seed=1) as lab:
        iam = lab.client("iam")
        iam.create_group(GroupName="analysts")
        iam.put_group_policy(
            GroupName="analysts",
            PolicyName="reads",
            PolicyDocument=_policy(["dynamodb:List*", "dynamodb:Describe*"]),
        )
        iam.create_user(UserName="analyst")
        iam.add_user_to_group(GroupName="analysts", UserName="analyst")
        for index, actions in enumerate((["s3:Get*"], ["iam:Get*", "iam:List*"], ["sts:*"])):
            iam.put_user_policy(
                UserName="analyst", PolicyName=f"p{index}", PolicyDocument=_policy(actions)
            )
        iam.attach_user_policy(UserName="analyst", PolicyArn=READ_ONLY)
        key = iam.create_access_key(UserName="analyst")["AccessKey"]
        user = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"]).client("dynamodb")
        root = lab.client("dynamodb")
        user.list_tables()
        root.list_tables()

        as_user, as_root = [], []
        for _ in range(3):  # interleave, so drift hits both sides alike
            as_user.append(_per_call(user))
            as_root.append(_per_call(root))
        return min(as_user), min(as_root)


def guardrail_costs() -> tuple[float, float]:
    """Median seconds per DynamoDB ListTables in a member account under SCPs
    at two levels and RCPs: (by an administrator role's session, by the
    member's root user)."""
    from labkit import Lab

    deny_regions = {
        "Effect": "Deny",
        "NotAction": ["iam:*", "sts:*", "organizations:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    }
    perimeter = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-none"}},
    }
    with Lab(seed=1) as lab:
        org = lab.client("organizations")
        org.create_organization(FeatureSet="ALL")
        root = org.list_roots()["Roots"][0]["Id"]
        for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
            org.enable_policy_type(RootId=root, PolicyType=kind)
        unit = org.create_organizational_unit(ParentId=root, Name="Workloads")
        unit_id = unit["OrganizationalUnit"]["Id"]
        member = org.create_account(AccountName="prod", Email="prod@example.com")
        member_id = member["CreateAccountStatus"]["AccountId"]
        org.move_account(AccountId=member_id, SourceParentId=root, DestinationParentId=unit_id)
        for kind, statement in (
            ("SERVICE_CONTROL_POLICY", deny_regions),
            ("RESOURCE_CONTROL_POLICY", perimeter),
        ):
            made = org.create_policy(
                Name=kind.lower(),
                Description="",
                Type=kind,
                Content=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
            )
            org.attach_policy(PolicyId=made["Policy"]["PolicySummary"]["Id"], TargetId=unit_id)
        iam = lab.client("iam")
        iam.create_user(UserName="ops")
        iam.attach_user_policy(UserName="ops", PolicyArn=ADMINISTRATOR)
        key = iam.create_access_key(UserName="ops")["AccessKey"]
        ops = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
        away = ops.assume_role(
            RoleArn=f"arn:aws:iam::{member_id}:role/OrganizationAccountAccessRole",
            RoleSessionName="ops",
        ).client("dynamodb")
        # The member's root user: bound by the same SCPs, but no policy of its own to weigh.
        key = lab.accounts[member_id].credentials.create_root_key()
        member_root = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
        baseline = member_root.client("dynamodb")
        away.list_tables()
        baseline.list_tables()
        as_role, as_root = [], []
        for _ in range(3):  # interleave, so drift hits both sides alike
            as_role.append(_per_call(away))
            as_root.append(_per_call(baseline))
        return min(as_role), min(as_root)


def main() -> None:
    lab_process = _best(_process(FIRST_CELL))
    moto_process = _best(_process(MOTO_FIRST_CELL))
    print(f"(a) first cell, a fresh process:      {lab_process * 1000:7.1f} ms")
    print(f"    moto loading all managed policies: {moto_process * 1000:7.1f} ms")
    print(f"    ratio: {lab_process / moto_process:.2f}  (aim <= 0.5)")
    lab_start_to_attach()  # warm imports and service models for both sides
    moto_with_all_managed_policies()
    lab = _best(lab_start_to_attach)
    moto = _best(moto_with_all_managed_policies)
    print(f"    in a warm process: Lab() to attach {lab * 1000:.1f} ms, moto {moto * 1000:.1f} ms")
    print(f"    ratio: {lab / moto:.2f}")
    user, root = call_costs()
    print(f"(b) enforced call as a user:  {user * 1e6:7.0f} us")
    print(f"    same call as root:        {root * 1e6:7.0f} us")
    print(f"    ratio: {user / root:.2f}  (aim <= 1.3)")
    role, member_root = guardrail_costs()
    print(
        f"(c) in a member account, SCPs at two levels and an RCP, as a role: {role * 1e6:7.0f} us"
    )
    print(
        f"    the same call as the member's root user:                  {member_root * 1e6:7.0f} us"
    )
    print(f"    ratio: {role / member_root:.2f}  (aim <= 1.5)")


if __name__ == "__main__":
    main()
