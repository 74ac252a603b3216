"""Objects the engine builds field by field are the ones their classes build.

Policies, statement references and decisions sent with every call are made
without their frozen dataclasses' constructors, and the reasons a statement
did not apply are made when first needed; none of this may show.
"""

from __future__ import annotations

import dataclasses

from labkit.policy import Policy, Request, examples
from labkit.policy import parse as parse_module
from labkit.policy.evaluate import evaluate
from labkit.policy.model import Decision, Location, Miss, StatementRef, assembler

TEXT = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
    {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
     "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
  ]
}"""


def _same(made: object, built: object) -> None:
    assert made == built
    assert repr(made) == repr(built)
    assert list(vars(made)) == list(vars(built))  # the same fields, in the same order


def test_parsed_policy_is_the_dataclass() -> None:
    policy = Policy.parse(TEXT)
    built = Policy(version=policy.version, statements=policy.statements, id=policy.id)
    _same(policy, built)
    located = parse_module._build(parse_module.parse_tree(TEXT), "identity", False)
    assert [(s.start, s.end) for s in policy.statements] == [
        (s.start, s.end) for s in located.statements
    ]
    assert policy.statements[1].start == Location(5, 5)


def test_statement_ref_is_the_dataclass() -> None:
    where, until = Location(2, 3), Location(4, 5)
    args = ("P", "IAM Policy", "identity", "Allow", 2, "Read", where, until, None)
    names = [f.name for f in dataclasses.fields(StatementRef)]
    made = assembler(StatementRef)(**dict(zip(names, args, strict=True)))
    _same(made, StatementRef(*args))


def test_decision_is_the_dataclass() -> None:
    policy = Policy.parse(TEXT).named("P")
    decision = evaluate(Request("s3:PutObject", "*", None, {}), [policy])
    fields = {f.name: getattr(decision, f.name) for f in dataclasses.fields(Decision)}
    _same(decision, Decision(**fields))
    assert decision.decision == "implicitDeny"
    assert [m.reason for m in decision.misses] == ["action", "condition"]


def test_reasons_are_made_once_and_kept() -> None:
    policy = Policy.parse(examples.ALLOW_MFA).named("Allow-MFA")
    request = Request("ec2:DescribeInstances", "*", "arn:aws:iam::123456789012:user/ana", {})
    first = evaluate(request, [policy]).misses
    again = evaluate(request, [policy]).misses
    assert first and all(type(m) is Miss for m in first)
    assert first == again
    assert all(a is b for a, b in zip(first, again, strict=True) if a.reason != "condition")


def test_location_table_stays_bounded() -> None:
    for column in range(parse_module._MAX_LOCATIONS * 2):
        assert parse_module._location(7, column + 1) == Location(7, column + 1)
    assert len(parse_module._LOCATIONS) <= parse_module._MAX_LOCATIONS
