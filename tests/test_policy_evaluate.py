"""The whole decision: AWS's evaluation logic, case by case."""

import json
from pathlib import Path

import pytest

from labkit.policy import Policy, Request
from labkit.policy.evaluate import evaluate

ACCT = "111122223333"
OTHER = "444455556666"
USER = f"arn:aws:iam::{ACCT}:user/carlossalazar"
ROLE = f"arn:aws:iam::{ACCT}:role/Admin"
SESSION = f"arn:aws:sts::{ACCT}:assumed-role/Admin/s1"
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"


def allow(action="s3:*", resource="*", effect="Allow", **extra):
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def pol(*statements, kind="identity", name="p"):
    return Policy.parse({"Version": "2012-10-17", "Statement": list(statements)}, kind).named(name)


def rpol(principal, action="s3:*", resource=BUCKET + "/*", effect="Allow"):
    return pol(
        {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource},
        kind="resource",
    )


def trust(principal, effect="Allow"):
    return pol({"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole"}, kind="trust")


OBJ = BUCKET + "/key"

# (id, request kwargs, evaluate kwargs, expected decision, expected denied_by)
CASES = [
    (
        "no policies",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        {},
        "implicitDeny",
        "identity",
    ),
    (
        "identity allow",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())]),
        "allowed",
        None,
    ),
    (
        "explicit deny wins",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow(), allow(effect="Deny"))]),
        "explicitDeny",
        "identity",
    ),
    (
        "NotAction deny",
        dict(action="iam:ListUsers", principal=USER),
        dict(identity=[pol(allow("*"), {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"})]),
        "explicitDeny",
        "identity",
    ),
    (
        "NotResource allow",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(
            identity=[
                pol({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"})
            ]
        ),
        "allowed",
        None,
    ),
    # Same account: either identity or resource policy suffices.
    (
        "same account resource names user",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(resource_policy=rpol({"AWS": USER})),
        "allowed",
        None,
    ),
    (
        "same account resource names account only",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(resource_policy=rpol({"AWS": ACCT})),
        "implicitDeny",
        "identity",
    ),
    (
        "same account account grant plus identity",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())], resource_policy=rpol({"AWS": f"arn:aws:iam::{ACCT}:root"})),
        "allowed",
        None,
    ),
    (
        "same account resource deny",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())], resource_policy=rpol({"AWS": USER}, effect="Deny")),
        "explicitDeny",
        "resource",
    ),
    (
        "resource policy names someone else",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(
            identity=[pol(allow())], resource_policy=rpol({"AWS": f"arn:aws:iam::{ACCT}:user/bob"})
        ),
        "allowed",
        None,
    ),
    (
        "session names role",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(resource_policy=rpol({"AWS": ROLE})),
        "allowed",
        None,
    ),
    # Boundaries: identity allow must also be within the boundary.
    (
        "boundary allows",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())], boundaries=[pol(allow("s3:*"))]),
        "allowed",
        None,
    ),
    (
        "boundary lacks",
        dict(action="iam:CreateUser", principal=USER),
        dict(identity=[pol(allow("*"))], boundaries=[pol(allow("s3:*"))]),
        "implicitDeny",
        "boundary",
    ),
    (
        "boundary denies",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())], boundaries=[pol(allow("*"), allow(effect="Deny"))]),
        "explicitDeny",
        "boundary",
    ),
    (
        "boundary does not limit resource grant to user",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(boundaries=[pol(allow("ec2:*"))], resource_policy=rpol({"AWS": USER})),
        "allowed",
        None,
    ),
    (
        "boundary does not limit resource grant to session",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(boundaries=[pol(allow("ec2:*"))], resource_policy=rpol({"AWS": SESSION})),
        "allowed",
        None,
    ),
    (
        "boundary limits resource grant to role",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(boundaries=[pol(allow("ec2:*"))], resource_policy=rpol({"AWS": ROLE})),
        "implicitDeny",
        "boundary",
    ),
    (
        "boundary allows resource grant to role",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(boundaries=[pol(allow("s3:*"))], resource_policy=rpol({"AWS": ROLE})),
        "allowed",
        None,
    ),
    (
        "NotPrincipal deny always applies with a boundary",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(
            identity=[pol(allow())],
            boundaries=[pol(allow())],
            resource_policy=pol(
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": [USER, ACCT]},
                    "Action": "s3:*",
                    "Resource": BUCKET + "/*",
                },
                kind="resource",
            ),
        ),
        "explicitDeny",
        "resource",
    ),
    (
        "NotPrincipal deny exempts listed user",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(
            identity=[pol(allow())],
            resource_policy=pol(
                {
                    "Effect": "Deny",
                    "NotPrincipal": {"AWS": [USER, ACCT]},
                    "Action": "s3:*",
                    "Resource": BUCKET + "/*",
                },
                kind="resource",
            ),
        ),
        "allowed",
        None,
    ),
    # Session policies limit identity permissions and role grants.
    (
        "session policy allows",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(identity=[pol(allow())], session=[pol(allow("s3:GetObject"))]),
        "allowed",
        None,
    ),
    (
        "session policy lacks",
        dict(action="s3:PutObject", resource=OBJ, principal=SESSION),
        dict(identity=[pol(allow())], session=[pol(allow("s3:GetObject"))]),
        "implicitDeny",
        "session",
    ),
    (
        "session policy alone grants nothing",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(session=[pol(allow())]),
        "implicitDeny",
        "identity",
    ),
    (
        "session policy does not limit grant to session ARN",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(session=[pol(allow("ec2:*"))], resource_policy=rpol({"AWS": SESSION})),
        "allowed",
        None,
    ),
    (
        "session policy limits grant to role ARN",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(session=[pol(allow("ec2:*"))], resource_policy=rpol({"AWS": ROLE})),
        "implicitDeny",
        "session",
    ),
    (
        "session deny",
        dict(action="s3:GetObject", resource=OBJ, principal=SESSION),
        dict(identity=[pol(allow())], session=[pol(allow(), allow(effect="Deny"))]),
        "explicitDeny",
        "session",
    ),
    # Cross account: both sides must allow.
    (
        "cross account both allow",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())], resource_policy=rpol({"AWS": USER}), resource_owner=OTHER),
        "allowed",
        None,
    ),
    (
        "cross account account grant plus identity",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())], resource_policy=rpol({"AWS": ACCT}), resource_owner=OTHER),
        "allowed",
        None,
    ),
    (
        "cross account no identity",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(resource_policy=rpol({"AWS": USER}), resource_owner=OTHER),
        "implicitDeny",
        "identity",
    ),
    (
        "cross account no resource grant",
        dict(action="s3:GetObject", resource=OBJ, principal=USER),
        dict(identity=[pol(allow())], resource_policy=rpol({"AWS": OTHER}), resource_owner=OTHER),
        "implicitDeny",
        "resource",
    ),
    (
        "owner read from resource ARN",
        dict(action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{OTHER}:q", principal=USER),
        dict(identity=[pol(allow("sqs:*"))], resource_policy=rpol({"AWS": ACCT}, "sqs:*", "*")),
        "allowed",
        None,
    ),
    (
        "owner read from resource ARN, no grant",
        dict(action="sqs:SendMessage", resource=f"arn:aws:sqs:us-east-1:{OTHER}:q", principal=USER),
        dict(identity=[pol(allow("sqs:*"))], resource_policy=rpol({"AWS": OTHER}, "sqs:*", "*")),
        "implicitDeny",
        "resource",
    ),
    # Trust policies must allow even in the same account.
    (
        "trust names user",
        dict(action="sts:AssumeRole", resource=ROLE, principal=USER),
        dict(resource_policy=trust({"AWS": USER})),
        "allowed",
        None,
    ),
    (
        "trust names account, no identity",
        dict(action="sts:AssumeRole", resource=ROLE, principal=USER),
        dict(resource_policy=trust({"AWS": ACCT})),
        "implicitDeny",
        "identity",
    ),
    (
        "trust names account, identity allows",
        dict(action="sts:AssumeRole", resource=ROLE, principal=USER),
        dict(identity=[pol(allow("sts:AssumeRole"))], resource_policy=trust({"AWS": ACCT})),
        "allowed",
        None,
    ),
    (
        "trust names someone else",
        dict(action="sts:AssumeRole", resource=ROLE, principal=USER),
        dict(
            identity=[pol(allow("sts:AssumeRole"))],
            resource_policy=trust({"AWS": f"arn:aws:iam::{ACCT}:user/bob"}),
        ),
        "implicitDeny",
        "trust",
    ),
    (
        "trust cross account needs identity",
        dict(action="sts:AssumeRole", resource=ROLE, principal=f"arn:aws:iam::{OTHER}:user/x"),
        dict(resource_policy=trust({"AWS": f"arn:aws:iam::{OTHER}:user/x"})),
        "implicitDeny",
        "identity",
    ),
    (
        "trust cross account both",
        dict(action="sts:AssumeRole", resource=ROLE, principal=f"arn:aws:iam::{OTHER}:user/x"),
        dict(identity=[pol(allow("sts:AssumeRole"))], resource_policy=trust({"AWS": OTHER})),
        "allowed",
        None,
    ),
    (
        "trust deny",
        dict(action="sts:AssumeRole", resource=ROLE, principal=USER),
        dict(
            resource_policy=pol(
                {"Effect": "Allow", "Principal": {"AWS": USER}, "Action": "sts:AssumeRole"},
                {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"},
                kind="trust",
            )
        ),
        "explicitDeny",
        "trust",
    ),
    (
        "trust service",
        dict(action="sts:AssumeRole", resource=ROLE, principal="lambda.amazonaws.com"),
        dict(resource_policy=trust({"Service": "lambda.amazonaws.com"})),
        "allowed",
        None,
    ),
    (
        "trust other service",
        dict(action="sts:AssumeRole", resource=ROLE, principal="ec2.amazonaws.com"),
        dict(resource_policy=trust({"Service": "lambda.amazonaws.com"})),
        "implicitDeny",
        "trust",
    ),
    (
        "public bucket",
        dict(action="s3:GetObject", resource=OBJ, principal=None),
        dict(resource_policy=rpol("*")),
        "allowed",
        None,
    ),
]


@pytest.mark.parametrize(
    ("name", "req", "kwargs", "expected", "denied_by"), CASES, ids=[c[0] for c in CASES]
)
def test_evaluation_logic(name, req, kwargs, expected, denied_by):
    decision = evaluate(Request(**req), **kwargs)
    assert decision.decision == expected
    assert decision.denied_by == denied_by


def test_documented_carlos_example():
    # AWS's example: Carlos's identity policy and the bucket policy each grant
    # part; within one account either one suffices.
    identity = pol(
        {
            "Sid": "AllowS3ListRead",
            "Effect": "Allow",
            "Action": ["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"],
            "Resource": [
                "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs",
                "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*",
            ],
        },
        {
            "Sid": "DenyS3Delete",
            "Effect": "Deny",
            "Action": "s3:DeleteObject",
            "Resource": "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*",
        },
    )
    bucket = pol(
        {
            "Sid": "AllowCarlosPut",
            "Effect": "Allow",
            "Principal": {"AWS": USER},
            "Action": ["s3:PutObject", "s3:DeleteObject"],
            "Resource": "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/*",
        },
        kind="resource",
    )
    obj = "arn:aws:s3:::amzn-s3-demo-bucket-carlossalazar-logs/f.txt"
    assert evaluate(Request("s3:PutObject", obj, USER), [identity], resource_policy=bucket).allowed
    assert evaluate(Request("s3:GetObject", obj, USER), [identity], resource_policy=bucket).allowed
    assert (
        evaluate(Request("s3:DeleteObject", obj, USER), [identity], resource_policy=bucket).decision
        == "explicitDeny"
    )


def test_matched_and_misses():
    policy = pol(
        {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
        {"Sid": "B", "Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
        {"Sid": "C", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::x/*"},
        {
            "Sid": "D",
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/Team": "red"}},
        },
        name="mine",
    )
    decision = evaluate(Request("s3:GetObject", OBJ, USER), [policy])
    assert [m.label for m in decision.matched] == ["A"]
    assert decision.matched[0].policy == "mine"
    reasons = {m.statement.sid: m.reason for m in decision.misses}
    assert reasons == {"B": "action", "C": "resource", "D": "condition"}
    miss = next(m for m in decision.misses if m.reason == "condition")
    assert (miss.key, miss.operator, miss.request_value, miss.policy_values) == (
        "aws:PrincipalTag/Team",
        "StringEquals",
        None,
        ("red",),
    )
    assert decision.missing_context == ("aws:PrincipalTag/Team",)


def test_boundary_decision_reported():
    d = evaluate(Request("iam:CreateUser", principal=USER), [pol(allow("*"))], [pol(allow("s3:*"))])
    assert d.boundary_decision == "implicitDeny"
    assert (
        evaluate(Request("s3:ListBucket", principal=USER), [pol(allow())]).boundary_decision is None
    )


def test_statement_refs_carry_locations():
    policy = Policy.parse(
        '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "*", '
        '"Resource": "*"}]}'
    )
    ref = evaluate(Request("s3:ListBucket"), [policy]).matched[0]
    assert ref.start is not None and ref.start.line == 2
    assert ref.kind == "identity" and ref.index == 1


ALLOW_MFA = json.loads((Path(__file__).parent / "scenarios" / "allow_mfa.json").read_text())[
    "policies"
]["identity"][0]
MFA_CASES = [
    ("s3:ListAllMyBuckets", "*", {"aws:MultiFactorAuthPresent": "false"}, "explicitDeny"),
    (
        "iam:DeactivateMFADevice",
        "arn:aws:iam::123456789012:mfa/CTO",
        {"aws:MultiFactorAuthPresent": "false", "aws:username": "CTO"},
        "explicitDeny",
    ),
    ("iam:ListUsers", "*", {"aws:MultiFactorAuthPresent": "false"}, "allowed"),
    (
        "iam:CreateVirtualMFADevice",
        "arn:aws:iam::123456789012:mfa/CTO",
        {"aws:MultiFactorAuthPresent": "false", "aws:username": "CTO"},
        "allowed",
    ),
    (
        "iam:CreateVirtualMFADevice",
        "arn:aws:iam::123456789012:mfa/Bob",
        {"aws:username": "CTO"},
        "implicitDeny",
    ),
    (
        "iam:DeactivateMFADevice",
        "arn:aws:iam::123456789012:mfa/CTO",
        {"aws:MultiFactorAuthPresent": "true", "aws:username": "CTO"},
        "allowed",
    ),
    ("s3:ListAllMyBuckets", "*", {"aws:MultiFactorAuthPresent": "true"}, "implicitDeny"),
    ("s3:ListAllMyBuckets", "*", {}, "explicitDeny"),  # BoolIfExists: absent key => deny applies
]


@pytest.mark.parametrize(("action", "resource", "context", "expected"), MFA_CASES)
def test_allow_mfa(action, resource, context, expected):
    policy = Policy.parse(ALLOW_MFA).named("Allow-MFA")
    decision = evaluate(
        Request(action, resource, "arn:aws:iam::123456789012:user/CTO", context), [policy]
    )
    assert decision.decision == expected


SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))


def _load(documents, kind):
    return [Policy.parse(doc, kind).named(f"{kind}-{i}") for i, doc in enumerate(documents, 1)]


def _levels(documents, kind):
    """Organization policies: a list of documents is one level; a list of
    lists is the levels from the organization root down to the account."""
    if documents and all(isinstance(level, list) for level in documents):
        return [_load(level, f"{kind}") for level in documents]
    return [_load(documents, kind)] if documents else []


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path):
    scenario = json.loads(path.read_text())
    policies = scenario["policies"]
    resource_docs = policies.get("resource")
    resource_kind = "trust" if policies.get("trust") else "resource"
    resource_doc = policies.get("trust") or resource_docs
    for case in scenario["cases"]:
        request = Request(
            case["action"],
            case.get("resource", "*"),
            case.get("principal", scenario.get("principal")),
            case.get("context", {}),
        )
        decision = evaluate(
            request,
            identity=_load(policies.get("identity", []), "identity"),
            boundaries=_load(policies.get("boundary", []), "boundary"),
            session=_load(policies.get("session", []), "session"),
            resource_policy=Policy.parse(resource_doc, resource_kind) if resource_doc else None,
            resource_owner=case.get("resource_owner", scenario.get("resource_owner")),
            scps=_levels(policies.get("scp", []), "scp"),
            rcps=_levels(policies.get("rcp", []), "rcp"),
        )
        assert decision.decision == case["expected"], (path.stem, case)
        if "denied_by" in case:
            assert decision.denied_by == case["denied_by"], (path.stem, case)
