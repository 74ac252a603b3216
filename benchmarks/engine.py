"""How many decisions per second the policy engine makes.

(a) 10,000 varied requests against the same parsed Allow-MFA policy.
(b) requests that each bring new policy text: parse, then evaluate.

Run: python benchmarks/engine.py
"""

from __future__ import annotations

import json
import random
import time

from labkit.policy import Policy, Request, examples
from labkit.policy.evaluate import evaluate

ALLOW_MFA = json.loads(examples.ALLOW_MFA)

ACTIONS = [
    "s3:ListAllMyBuckets",
    "iam:DeactivateMFADevice",
    "iam:ListUsers",
    "iam:CreateVirtualMFADevice",
    "iam:ListMFADevices",
    "ec2:DescribeInstances",
    "iam:EnableMFADevice",
    "iam:DeleteVirtualMFADevice",
]
USERS = ["CTO", "alice", "bob", "carol", "dave"]
MFA = [None, "true", "false"]


def _requests(count: int, seed: int = 7) -> list[Request]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        user = rng.choice(USERS)
        context: dict[str, str] = {"aws:username": rng.choice(USERS)}
        mfa = rng.choice(MFA)
        if mfa is not None:
            context["aws:MultiFactorAuthPresent"] = mfa
        resource = rng.choice(
            ["*", f"arn:aws:iam::123456789012:mfa/{user}", f"arn:aws:iam::123456789012:user/{user}"]
        )
        out.append(
            Request(
                rng.choice(ACTIONS), resource, f"arn:aws:iam::123456789012:user/{user}", context
            )
        )
    return out


def bench_same_policy(count: int = 10_000) -> float:
    """Decisions per second with one policy object reused."""
    policy = Policy.parse(ALLOW_MFA).named("Allow-MFA")
    requests = _requests(count)
    evaluate(requests[0], [policy])  # compile once, as a long-lived lab would
    start = time.perf_counter()
    for request in requests:
        evaluate(request, [policy])
    return count / (time.perf_counter() - start)


def bench_new_policy_text(count: int = 2_000) -> tuple[float, float]:
    """(parse + evaluate, evaluate only) per second, each request with new text."""
    requests = _requests(count, seed=11)
    texts = []
    for i in range(count):
        document = json.loads(json.dumps(ALLOW_MFA))
        document["Statement"][0]["Sid"] = f"AllowListActions{i}"
        texts.append(json.dumps(document, indent=2))
    start = time.perf_counter()
    policies = [Policy.parse(text).named("Allow-MFA") for text in texts]
    parsed = time.perf_counter()
    for request, policy in zip(requests, policies, strict=True):
        evaluate(request, [policy])
    done = time.perf_counter()
    return count / (done - start), count / (done - parsed)


def main() -> None:
    """Print the figures."""
    same = bench_same_policy()
    fresh, fresh_eval = bench_new_policy_text()
    print(f"(a) same policy, varied requests: {same:,.0f} decisions/s")
    print(f"(b) new policy text each request: {fresh:,.0f} decisions/s (parse + evaluate)")
    print(f"    of which evaluating a freshly parsed policy alone: {fresh_eval:,.0f} decisions/s")


if __name__ == "__main__":
    main()
