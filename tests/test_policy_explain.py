"""Plain-English explanations."""

import json
from pathlib import Path

import pytest

from labkit.policy import Policy, Request
from labkit.policy.evaluate import evaluate
from labkit.policy.explain import explain

MFA = json.loads((Path(__file__).parent / "scenarios" / "allow_mfa.json").read_text())["policies"][
    "identity"
][0]
USER = "arn:aws:iam::123456789012:user/CTO"


@pytest.fixture(scope="module")
def policy():
    return Policy.parse(MFA).named("Allow-MFA")


def test_explicit_deny(policy):
    text = explain(
        evaluate(
            Request("s3:ListAllMyBuckets", "*", USER, {"aws:MultiFactorAuthPresent": "false"}),
            [policy],
        )
    )
    lines = text.splitlines()
    assert lines[0].startswith("Denied: s3:ListAllMyBuckets on *")
    assert "by an explicit deny in an identity-based policy" in lines[0]
    assert "Allow-MFA / BlockMostAccessUnlessSignedInWithMFA (Deny)" in text


def test_condition_miss_rendered(policy):
    request = Request(
        "iam:DeactivateMFADevice",
        "arn:aws:iam::123456789012:mfa/CTO",
        USER,
        {"aws:MultiFactorAuthPresent": "true", "aws:username": "CTO"},
    )
    text = evaluate(request, [policy]).explain()
    assert text.startswith("Allowed:")
    assert (
        "condition BoolIfExists aws:MultiFactorAuthPresent: request has 'true', "
        "policy expects 'false'"
    ) in text


def test_missing_context(policy):
    text = explain(evaluate(Request("s3:ListAllMyBuckets", "*", USER), [policy]))
    assert "lacks: aws:MultiFactorAuthPresent" in text


def test_implicit_deny_names_the_side():
    boundary = Policy.parse(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        }
    )
    identity = Policy.parse(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    )
    text = explain(evaluate(Request("iam:CreateUser", "*", USER), [identity], [boundary]))
    assert "no permissions boundary allows it (implicit deny)" in text
    assert "Permissions boundary decision: implicitDeny." in text


def test_package_exports_are_callable(policy):
    from labkit.policy import evaluate as ev
    from labkit.policy import explain as ex

    decision = ev(
        Request("iam:ListUsers", "*", USER, {"aws:MultiFactorAuthPresent": "false"}), [policy]
    )
    assert ex(decision).startswith("Allowed:")
