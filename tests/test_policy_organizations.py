"""Service control policies and resource control policies in the engine.

Each rule cites the AWS page it comes from:

- SCP evaluation: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
- SCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
- SCP syntax: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_syntax.html
- RCPs: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
- RCP syntax: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_syntax.html
- Quotas: https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html
- Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
- Simulator detail: https://docs.aws.amazon.com/IAM/latest/APIReference/API_OrganizationsDecisionDetail.html
"""

from __future__ import annotations

import json

import pytest

from labkit.policy import Policy, PolicyError, Request
from labkit.policy.evaluate import RCP_SERVICES, evaluate
from labkit.policy.model import PolicySet
from labkit.policy.parse import parse_policy
from labkit.policy.simulate import simulate

MEMBER = "111111111111"
OUTSIDE = "999999999999"
ADMIN = f"arn:aws:iam::{MEMBER}:user/admin"
ROOT = f"arn:aws:iam::{MEMBER}:root"


def _doc(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _scp(*statements: dict, name: str = "scp") -> Policy:
    return parse_policy(_doc(*statements), "scp").named(name)


def _rcp(*statements: dict, name: str = "rcp") -> Policy:
    return parse_policy(_doc(*statements), "rcp").named(name)


FULL = _scp({"Effect": "Allow", "Action": "*", "Resource": "*"}, name="FullAWSAccess")
RCP_FULL = _rcp(
    {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}, name="RCPFullAWSAccess"
)
ADMIN_POLICY = Policy.parse(_doc({"Effect": "Allow", "Action": "*", "Resource": "*"})).named(
    "AdministratorAccess"
)
DENY_S3 = _scp({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, name="DenyS3")
ONLY_EC2 = _scp({"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}, name="OnlyEC2")
REGIONS = _scp(
    {
        "Sid": "DenyOtherRegions",
        "Effect": "Deny",
        "NotAction": ["iam:*", "organizations:*", "sts:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
    },
    name="AllowedRegions",
)
PERIMETER = _rcp(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*", "sts:AssumeRole"],
        "Resource": "*",
        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    },
    name="DataPerimeter",
)


def decide(action, principal=ADMIN, scps=(), rcps=(), context=None, resource="*", **kinds):
    policies = PolicySet(
        kinds.get("identity", (ADMIN_POLICY,)),
        resource=kinds.get("resource_policy"),
        scps=scps,
        rcps=rcps,
    )
    return evaluate(
        Request(action, resource, principal, context or {}),
        policies,
        resource_owner=kinds.get("owner", MEMBER),
    )


# (what, action, principal, scp levels, decision, denied_by)
SCP_CASES = [
    (
        "FullAWSAccess everywhere changes nothing",
        "s3:ListAllMyBuckets",
        ADMIN,
        ((FULL,), (FULL,)),
        "allowed",
        None,
    ),
    (
        "a deny at any level refuses",
        "s3:ListAllMyBuckets",
        ADMIN,
        ((FULL,), (FULL, DENY_S3)),
        "explicitDeny",
        "scp",
    ),
    (
        "an allow is needed at every level",
        "s3:ListAllMyBuckets",
        ADMIN,
        ((FULL,), (ONLY_EC2,), (FULL,)),
        "implicitDeny",
        "scp",
    ),
    (
        "what every level allows passes",
        "ec2:DescribeInstances",
        ADMIN,
        ((FULL,), (ONLY_EC2,), (FULL,)),
        "allowed",
        None,
    ),
    (
        "a member account's root user is limited too",
        "s3:ListAllMyBuckets",
        ROOT,
        ((FULL,), (FULL, DENY_S3)),
        "explicitDeny",
        "scp",
    ),
    (
        "a member account's root user needs an allow at every level",
        "s3:ListAllMyBuckets",
        ROOT,
        ((FULL,), (ONLY_EC2,)),
        "implicitDeny",
        "scp",
    ),
    (
        "conditions work in SCPs",
        "ec2:RunInstances",
        ADMIN,
        ((FULL, REGIONS),),
        "explicitDeny",
        "scp",
    ),
    (
        "an AWS service acting as itself is not limited",
        "s3:ListAllMyBuckets",
        "cloudtrail.amazonaws.com",
        ((FULL, DENY_S3),),
        "allowed",
        None,
    ),
]


@pytest.mark.parametrize(
    ("what", "action", "principal", "scps", "expected", "denied_by"),
    SCP_CASES,
    ids=[case[0] for case in SCP_CASES],
)
def test_service_control_policies(what, action, principal, scps, expected, denied_by):
    context = {"aws:RequestedRegion": "ap-south-1"}
    decision = decide(action, principal, scps=scps, context=context)
    assert (decision.decision, decision.denied_by) == (expected, denied_by), what


def test_scps_grant_nothing():
    # "SCPs do not grant permissions": an allow in every SCP still needs an
    # identity policy that allows.
    decision = decide("s3:ListAllMyBuckets", scps=((FULL,),), identity=())
    assert (decision.decision, decision.denied_by) == ("implicitDeny", "identity")
    assert decision.verdicts["scp"] == "allowed"


def test_an_scp_deny_wins_over_a_resource_policy_grant():
    bucket = Policy.parse(
        _doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": ADMIN},
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
            }
        ),
        "resource",
    )
    decision = decide(
        "s3:GetObject",
        scps=((FULL, DENY_S3),),
        resource="arn:aws:s3:::b/k",
        resource_policy=bucket,
        identity=(),
    )
    assert (decision.decision, decision.denied_by) == ("explicitDeny", "scp")


def test_scp_deny_is_read_before_identity_deny():
    deny_all = Policy.parse(_doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))
    decision = decide("s3:ListAllMyBuckets", scps=((FULL, DENY_S3),), identity=(deny_all,))
    assert decision.denied_by == "scp"
    assert [ref.kind for ref in decision.matched] == ["scp", "identity"]


def test_no_scps_means_no_organization():
    decision = decide("s3:ListAllMyBuckets")
    assert decision.allowed and "scp" not in decision.verdicts


def test_plain_list_is_one_level():
    one = evaluate(
        Request("s3:ListAllMyBuckets", "*", ADMIN), [ADMIN_POLICY], scps=[FULL, ONLY_EC2]
    )
    two = evaluate(
        Request("s3:ListAllMyBuckets", "*", ADMIN), [ADMIN_POLICY], scps=[[FULL], [ONLY_EC2]]
    )
    assert one.allowed
    assert (two.decision, two.denied_by, two.closed_level) == ("implicitDeny", "scp", 1)


def test_explanation_names_the_level_without_an_allow():
    decision = decide("s3:ListAllMyBuckets", scps=((FULL,), (ONLY_EC2,)))
    text = decision.explain()
    assert "no service control policy allows it" in text
    assert "At level 2 (its root is level 1)" in text


# --- resource control policies ------------------------------------------------

OUTSIDER = f"arn:aws:iam::{OUTSIDE}:user/outsider"
GRANT_OUTSIDER = Policy.parse(
    _doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": OUTSIDER},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::reports/*",
        }
    ),
    "resource",
)


@pytest.mark.parametrize(
    ("context", "expected"),
    [({}, "explicitDeny"), ({"aws:PrincipalOrgID": "o-a1b2c3d4e5"}, "allowed")],
)
def test_rcp_keeps_a_bucket_inside_the_organization(context, expected):
    decision = decide(
        "s3:GetObject",
        OUTSIDER,
        rcps=((RCP_FULL,), (RCP_FULL, PERIMETER)),
        context=context,
        resource="arn:aws:s3:::reports/q1.csv",
        resource_policy=GRANT_OUTSIDER,
    )
    assert decision.decision == expected
    if expected == "explicitDeny":
        assert decision.denied_by == "rcp"


def test_rcps_apply_only_to_the_services_aws_lists():
    deny_ec2 = _rcp({"Effect": "Deny", "Principal": "*", "Action": "ec2:*", "Resource": "*"})
    assert "ec2" not in RCP_SERVICES and {"s3", "sts", "dynamodb", "kms"} <= RCP_SERVICES
    decision = decide("ec2:DescribeInstances", rcps=((RCP_FULL, deny_ec2),))
    assert decision.allowed and "rcp" not in decision.verdicts


def test_rcps_limit_the_account_root_user():
    decision = decide(
        "s3:GetObject", ROOT, rcps=((RCP_FULL, PERIMETER),), resource="arn:aws:s3:::b/k"
    )
    assert (decision.decision, decision.denied_by) == ("explicitDeny", "rcp")


def test_rcp_level_without_allow_refuses():
    decision = decide(
        "s3:GetObject",
        rcps=((RCP_FULL,), (PERIMETER,)),
        resource="arn:aws:s3:::b/k",
        context={"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
    )
    assert (decision.decision, decision.denied_by, decision.closed_level) == (
        "implicitDeny",
        "rcp",
        1,
    )


# --- parsing -------------------------------------------------------------------

# (what, kind, document, error code or None, words in the message)
PARSE_CASES = [
    (
        "SCP with conditions and NotAction",
        "scp",
        _doc(
            {
                "Effect": "Deny",
                "NotAction": "iam:*",
                "Resource": "*",
                "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}},
            }
        ),
        None,
        "",
    ),
    (
        "SCP Allow with a condition and NotResource",
        "scp",
        _doc(
            {
                "Effect": "Allow",
                "Action": "s3:*",
                "NotResource": "arn:aws:s3:::secret/*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ),
        None,
        "",
    ),
    (
        "SCP with a Principal",
        "scp",
        _doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        "cannot specify a principal",
    ),
    (
        "SCP with NotPrincipal",
        "scp",
        _doc(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": ADMIN},
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        "cannot specify a principal",
    ),
    (
        "SCP without Version",
        "scp",
        {"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]},
        "MalformedPolicyDocument",
        "2012-10-17",
    ),
    (
        "SCP with Version 2008-10-17",
        "scp",
        {
            "Version": "2008-10-17",
            "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
        },
        "MalformedPolicyDocument",
        "2012-10-17",
    ),
    (
        "RCP deny",
        "rcp",
        _doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        None,
        "",
    ),
    (
        "RCPFullAWSAccess",
        "rcp",
        _doc(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
            }
        ),
        None,
        "",
    ),
    (
        "RCP with another Allow",
        "rcp",
        _doc(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        "can only deny",
    ),
    (
        "RCP without Principal",
        "rcp",
        _doc(
            {
                "Effect": "Deny",
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        "Principal",
    ),
    (
        "RCP naming an account",
        "rcp",
        _doc(
            {
                "Effect": "Deny",
                "Principal": {"AWS": OUTSIDE},
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        '"*"',
    ),
    (
        "RCP with NotPrincipal",
        "rcp",
        _doc(
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": OUTSIDE},
                "Action": "s3:*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        "NotPrincipal",
    ),
    (
        "RCP with NotAction",
        "rcp",
        _doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "NotAction": "s3:*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        "NotAction",
    ),
    (
        "RCP denying every action",
        "rcp",
        _doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
            }
        ),
        "MalformedPolicyDocument",
        '"*"',
    ),
]


@pytest.mark.parametrize(
    ("what", "kind", "document", "code", "words"), PARSE_CASES, ids=[c[0] for c in PARSE_CASES]
)
def test_organization_policy_rules(what, kind, document, code, words):
    text = json.dumps(document, indent=2)
    if code is None:
        assert parse_policy(text, kind).kind == kind
        return
    with pytest.raises(PolicyError) as raised:
        parse_policy(text, kind)
    assert raised.value.code == code, what
    assert words in raised.value.message, what
    assert raised.value.line is not None, "a text policy's fault is located"


def _sized(size: int) -> str:
    head = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject",'
    tail = '"Resource":"*"}]}'
    return head + " " * (size - len(head) - len(tail)) + tail


def test_size_quota_counts_white_space():
    # Every character, white space too, counts against the 5,120 quota.
    assert parse_policy(_sized(5120), "scp")
    with pytest.raises(PolicyError) as raised:
        parse_policy(_sized(5121), "scp")
    assert raised.value.code == "LimitExceeded"
    assert "5120" in raised.value.message


# --- the simulator -------------------------------------------------------------


def test_simulator_reports_allowed_by_organizations():
    result = simulate(
        [ADMIN_POLICY],
        ["s3:ListAllMyBuckets", "ec2:DescribeInstances"],
        scps=[[FULL], [ONLY_EC2]],
        caller_arn=ADMIN,
    )
    s3, ec2 = result["EvaluationResults"]
    assert s3["EvalDecision"] == "implicitDeny"
    assert s3["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}
    assert ec2["EvalDecision"] == "allowed"
    assert ec2["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert [m["SourcePolicyId"] for m in ec2["MatchedStatements"]] == ["AdministratorAccess"]


def test_simulator_outside_an_organization_has_no_detail():
    result = simulate([ADMIN_POLICY], ["s3:ListAllMyBuckets"], caller_arn=ADMIN)
    assert "OrganizationsDecisionDetail" not in result["EvaluationResults"][0]
