"""Whether linting costs time in proportion to a policy's statements.

    .venv/bin/python benchmarks/lint.py

Prints the time ``lint`` takes on a policy of 500 statements and on one of
5,000 (best of a few runs, each on text not seen before, so no cache
answers), and their ratio (aim: about 10, that is linear).
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

# Run from a checkout: import this tree's labkit, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.policy import lint  # noqa: E402

SIZES = (500, 5_000)
ROUNDS = 3
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:GetUser", "ec2:Describe*"]


def policy(statements: int, seed: int) -> str:
    """A policy of varied statements: actions, resources, conditions, a few NotActions."""
    rng = random.Random(seed)
    items = []
    for index in range(statements):
        item: dict[str, object] = {
            "Sid": f"S{seed}x{index}",
            "Effect": rng.choice(["Allow", "Deny"]),
            "Resource": f"arn:aws:s3:::team-{index}/*",
        }
        if rng.random() < 0.1:
            item["NotAction"] = "iam:*"
        else:
            item["Action"] = rng.sample(ACTIONS, 2)
        if rng.random() < 0.5:
            item["Condition"] = {"StringEquals": {"aws:username": f"user{index}"}}
        items.append(item)
    return json.dumps({"Version": "2012-10-17", "Statement": items})


def lint_seconds(statements: int) -> float:
    """The best time to lint a fresh policy of ``statements`` statements."""
    times = []
    for round_ in range(ROUNDS):
        text = policy(statements, seed=statements + round_)
        start = time.perf_counter()
        findings = lint(text)
        times.append(time.perf_counter() - start)
        assert all(f.severity != "error" for f in findings), findings[:3]
    return min(times)


def main() -> None:
    """Print the figures."""
    lint(policy(10, seed=0))  # load AWS's catalog once, outside the timings
    small, large = (lint_seconds(size) for size in SIZES)
    print(f"lint, {SIZES[0]:>5,} statements: {small * 1000:8.1f} ms")
    print(f"lint, {SIZES[1]:>5,} statements: {large * 1000:8.1f} ms")
    print(f"ratio: {large / small:.1f}  (aim about {SIZES[1] // SIZES[0]}, linear)")


if __name__ == "__main__":
    main()
