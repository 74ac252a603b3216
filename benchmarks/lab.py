"""How fast the Lab starts and how much authorization costs a call.

Run with ``python benchmarks/lab.py``. Prints:

(a) a learner's first cell: a fresh Python process that imports the kit,
    starts a ``Lab()`` and attaches an AWS managed policy, against a fresh
    process of plain moto loading every AWS managed policy up front (moto's
    ``iam: load_aws_managed_policies``) and doing the same, as a ratio of
    whole processes, imports included (aim: at most 0.5); and the same two
    inside one warm process;
(b) one enforced call by a user with several policies, against the same
    call made as the root user, which skips authorization (aim: at most 1.3).
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

        def per_call(client: object) -> float:
            samples = []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                for _ in range(CALLS // ROUNDS):
                    client.list_tables()  # type: ignore[attr-defined]
                samples.append((time.perf_counter() - start) / (CALLS // ROUNDS))
            return statistics.median(samples)

        as_user, as_root = [], []
        for _ in range(3):  # interleave, so drift hits both sides alike
            as_user.append(per_call(user))
            as_root.append(per_call(root))
        return min(as_user), min(as_root)


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


if __name__ == "__main__":
    main()
