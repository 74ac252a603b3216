"""What wildcards cost the policy engine, as ratios measured in one run.

    .venv/bin/python benchmarks/wildcards.py

Machines are shared and noisy, so every figure is a ratio against a baseline
timed in the same run, interleaved with it. Prints:

(a) one ``evaluate`` decision against a policy whose pattern is hostile to a
    backtracking regex, against the same decision with a literal pattern of
    the same length: ``notes/*/*/*/*.csv`` and a 1,024-character key, five
    ``*`` and a 512-character key, and a ``StringLike`` of
    ``*a*a*a*a*a*a*b`` and a 128-character value (a regex took 8.4 s, over
    30 s and over 10 s for them). About 1 means wildcards cost no more than
    literal text. Then the first one with a key 100 times longer, against the
    1,024-character key: linear time keeps this at most about 100, and far
    below while evaluate's own work outweighs reading the key.
(b) one match by the compiled glob (``Pattern.match``), against
    ``re.fullmatch`` of the equivalent precompiled regex (what the engine did
    before), on ordinary patterns and values: below 1 is faster than the regex.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

# Run from a checkout: import this tree's labkit, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labkit.policy import Policy, Request  # noqa: E402
from labkit.policy.evaluate import evaluate  # noqa: E402
from labkit.policy.matching import ACTION, ARN, LIKE, compile_pattern  # noqa: E402

ROUNDS = 25


def _calls_for(run: Callable[[], object], seconds: float) -> int:
    """How many calls of ``run`` take about ``seconds``."""
    run()
    calls = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        run()
        calls += 1
    return max(calls, 1)


def _time(run: Callable[[], object], calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        run()
    return (time.perf_counter() - start) / calls


def _ratio(run: Callable[[], object], baseline: Callable[[], object]) -> float:
    """Time per call of ``run`` over that of ``baseline``.

    The two alternate in short rounds, so that the machine's load hits both
    alike, and each keeps its fastest round: other load only adds time.
    """
    calls = (_calls_for(run, 0.01), _calls_for(baseline, 0.01))
    ran, base = [], []
    for _ in range(ROUNDS):
        ran.append(_time(run, calls[0]))
        base.append(_time(baseline, calls[1]))
    return min(ran) / min(base)


def _policy(resource: str, condition: dict[str, object] | None = None) -> Policy:
    statement: dict[str, object] = {"Effect": "Allow", "Action": "s3:GetObject"}
    statement["Resource"] = resource
    if condition:
        statement["Condition"] = condition
    return Policy.parse(json.dumps({"Version": "2012-10-17", "Statement": [statement]}))


def _decision(policy: Policy, request: Request) -> Callable[[], object]:
    return lambda: evaluate(request, [policy])


def _key(length: int, slashes: int = 2) -> str:
    """An object ARN of ``length`` characters ending ``.csv``, with ``slashes``
    slashes after ``notes/``: one too few for ``notes/*/*/*/*.csv`` to match,
    so a matcher must read it all and a regex backtracks over every choice."""
    head = "arn:aws:s3:::notes/" + "a/" * slashes
    return head + "a" * (length - len(head) - 4) + ".csv"


def _literal_like(value: str) -> str:
    # A literal pattern as long as the value that does not match it either,
    # so both sides reach the same decision by the same route.
    return value[:-1] + ("b" if value[-1] != "b" else "c")


def hostile_figures() -> list[str]:
    """(a): hostile patterns through evaluate, against literal ones."""
    lines = []
    for label, pattern, length in (
        ("notes/*/*/*/*.csv, 1,024-char key", "arn:aws:s3:::notes/*/*/*/*.csv", 1_024),
        ("five *, 512-char key", "arn:aws:s3:::notes/*/*/*/*/*.csv", 512),
    ):
        request = Request("s3:GetObject", _key(length, pattern.count("/") - 2))
        hostile = _decision(_policy(pattern), request)
        literal = _decision(_policy(_literal_like(request.resource)), request)
        lines.append(f"    {label:<36} {_ratio(hostile, literal):6.2f}")
    value = "a" * 128
    request = Request("s3:GetObject", "arn:aws:s3:::notes/x", context={"s3:prefix": value})
    hostile = _decision(_policy("*", {"StringLike": {"s3:prefix": "*a*a*a*a*a*a*b"}}), request)
    literal = _decision(_policy("*", {"StringLike": {"s3:prefix": _literal_like(value)}}), request)
    lines.append(
        f"    {'StringLike *a*a*a*a*a*a*b, 128 chars':<36} {_ratio(hostile, literal):6.2f}"
    )
    policy = _policy("arn:aws:s3:::notes/*/*/*/*.csv")
    long = _decision(policy, Request("s3:GetObject", _key(102_400)))
    short = _decision(policy, Request("s3:GetObject", _key(1_024)))
    lines.append(f"    {'same, 102,400-char key vs 1,024':<36} {_ratio(long, short):6.2f}")
    return lines


# What the engine compiled patterns to before: a regex, with a wildcard before
# an ARN's fifth colon kept inside its field.
def _old_regex(pattern: str, mode: str) -> re.Pattern[str]:
    segmented = mode == ARN and pattern.startswith("arn:")
    colons = 0
    out = []
    for c in pattern:
        if c == "*":
            out.append("[^:]*" if segmented and colons < 5 else ".*")
        elif c == "?":
            out.append("[^:]" if segmented and colons < 5 else ".")
        else:
            colons += c == ":"
            out.append(re.escape(c))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if mode == ACTION else 0))


ORDINARY = (
    ("literal action", "s3:GetObject", ACTION, "S3:GetObject"),
    ("action prefix s3:Get*", "s3:Get*", ACTION, "s3:GetObjectAcl"),
    ("action iam:*AccessKey*", "iam:*AccessKey*", ACTION, "iam:CreateAccessKey"),
    ("literal ARN", "arn:aws:iam::123456789012:mfa/CTO", ARN, "arn:aws:iam::123456789012:mfa/CTO"),
    ("ARN bucket/*", "arn:aws:s3:::notes/*", ARN, "arn:aws:s3:::notes/2024/q1/report.csv"),
    ("ARN bucket/*.csv miss", "arn:aws:s3:::notes/*.csv", ARN, "arn:aws:s3:::notes/a/b.txt"),
    (
        "ARN fields *:*",
        "arn:aws:dynamodb:*:*:table/Books",
        ARN,
        "arn:aws:dynamodb:us-east-1:123456789012:table/Books",
    ),
    ("ARN with ?", "arn:aws:ec2:us-east-?:*:instance/*", ARN, "arn:aws:ec2:us-east-1:1:instance/i"),
    ("StringLike prefix", "home/alice/*", LIKE, "home/alice/notes.txt"),
)


def ordinary_figures() -> list[str]:
    """(b): the glob against the regex it replaced, on everyday input."""
    lines = []
    for label, pattern, mode, value in ORDINARY:
        compiled = compile_pattern(pattern, mode, False)
        regex = _old_regex(pattern, mode)
        assert bool(compiled.match(value)) == (regex.fullmatch(value) is not None), label
        ratio = _ratio(
            lambda c=compiled, v=value: c.match(v), lambda r=regex, v=value: r.fullmatch(v)
        )
        lines.append(f"    {label:<36} {ratio:6.2f}")
    return lines


def main() -> None:
    """Print the figures."""
    print("(a) evaluate with a hostile pattern / with a literal one (same decision):")
    for line in hostile_figures():
        print(line)
    print("(b) compiled glob match / re.fullmatch of the old regex (ordinary input):")
    for line in ordinary_figures():
        print(line)


if __name__ == "__main__":
    main()
