"""Every AWS managed policy moto ships is a policy the engine understands.

The documents are AWS's own, so IAM accepts each of them: every one must
parse as an identity policy and be decided without error. The six that once
failed name resources this parser refused, each a form AWS documents:

* ``arn:aws:iam::*:root`` (the root-task policies ``IAMAuditRootUserCredentials``,
  ``IAMCreateRootUserPassword``, ``IAMDeleteRootUserCredentials``): the root
  user's ARN, https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html
  ("IAM ARNs": ``arn:aws:iam::123456789012:root``).
* ``arn:aws:iam::aws:role-template/...`` (``AWSCloudWatchOmniServiceRolePolicy``,
  ``AWSObservabilityAdminTelemetryEnablementServiceRolePolicy``): IAM's
  ``role-template`` resource type,
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
  ("Resource types defined by AWS Identity and Access Management (IAM)").
* ``arn:aws:s3:*:*:access-grants/default/...``
  (``SageMakerStudioProjectRoleMachineLearningPolicy``): S3 Access Grants
  live in a Region, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
  ("Resource types defined by Amazon S3": ``accessgrantsinstance``,
  ``accessgrantslocation``, ``accessgrant``; likewise ``job``,
  ``storagelensconfiguration``, ``storagelensgroup``).

The 6,144-character quota is CreatePolicy's for customer managed policies
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html,
"Customer managed policy size"); AWS managed policies are larger at times, so
they are parsed without ``managed=True``, which adds that quota.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from labkit.policy import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    PolicyError,
    Request,
    evaluate,
    parse_policy,
)
from labkit.policy.parse import MANAGED_POLICY_SIZE, _size

ACCOUNT = "123456789012"
ONCE_REFUSED = (
    "AWSCloudWatchOmniServiceRolePolicy",
    "AWSObservabilityAdminTelemetryEnablementServiceRolePolicy",
    "IAMAuditRootUserCredentials",
    "IAMCreateRootUserPassword",
    "IAMDeleteRootUserCredentials",
    "SageMakerStudioProjectRoleMachineLearningPolicy",
)


@cache
def managed_policies() -> dict[str, dict[str, Any]]:
    """AWS's managed policies as moto ships them: name -> record."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return json.loads(aws_managed_policies_data)


def _documents() -> list[tuple[str, Any]]:
    return [(name, record["Document"]) for name, record in managed_policies().items()]


def _sample_requests(document: dict[str, Any]) -> list[Request]:
    """A request for the first action and resource the policy names, and a plain one."""
    statements = document["Statement"]
    first = statements[0] if isinstance(statements, list) else statements
    actions = first.get("Action") or first.get("NotAction") or "s3:GetObject"
    action = (actions if isinstance(actions, str) else actions[0]).replace("*", "Get")
    resources = first.get("Resource") or first.get("NotResource") or "*"
    resource = (resources if isinstance(resources, str) else resources[0]).replace("*", "x")
    principal = f"arn:aws:iam::{ACCOUNT}:user/alice"
    context = {"aws:username": "alice", "aws:PrincipalAccount": ACCOUNT}
    return [
        Request(action, resource, principal, context),
        Request("s3:GetObject", "arn:aws:s3:::notes/a.txt", principal, context),
    ]


def test_the_corpus_is_all_there():
    assert len(managed_policies()) > 1500
    assert set(ONCE_REFUSED) <= set(managed_policies())


def test_every_aws_managed_policy_parses_and_is_decided():
    refused = {}
    decisions = {ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY}
    for name, document in _documents():
        try:
            policy = parse_policy(document).named(name)
        except PolicyError as error:
            refused[name] = error.message
            continue
        for request in _sample_requests(document):
            assert evaluate(request, [policy]).decision in decisions, name
    assert refused == {}


def test_every_aws_managed_policy_parses_as_text_too():
    for name, document in _documents():
        assert parse_policy(json.dumps(document, indent=4)) == parse_policy(document), name


def test_only_the_customer_quota_tells_aws_managed_policies_apart():
    # With managed=True, the larger AWS managed policies exceed the quota
    # CreatePolicy applies to customer managed ones; nothing else is refused.
    over = []
    for name, document in _documents():
        try:
            parse_policy(document, managed=True)
        except PolicyError as error:
            assert error.code == "LimitExceeded", name
            over.append(name)
    assert over
    assert all(
        _size(json.dumps(managed_policies()[name]["Document"])) > MANAGED_POLICY_SIZE
        for name in over
    )


OMNI = "cloudwatch.amazonaws.com/CloudWatchOmniAWSIntegrationForOrgRoleTemplate:1"
TELEMETRY = (
    "telemetry-enablement.observabilityadmin.amazonaws.com/"
    "CloudWatchTelemetryRuleEKSAddonRoleTemplate:1"
)
SAME_ACCOUNT = {"aws:ResourceAccount": ACCOUNT, "aws:PrincipalAccount": ACCOUNT}
ALLOW_ALL = {
    "Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"},
}
# (policy, action, resource, context, decision). The root-task policies only
# deny, so they are decided beside a policy that allows everything.
ONCE_REFUSED_DECISIONS = [
    (
        "AWSCloudWatchOmniServiceRolePolicy",
        "iam:GetRoleTemplateVersion",
        f"arn:aws:iam::aws:role-template/{OMNI}",
        {},
        ALLOWED,
    ),
    (
        "AWSCloudWatchOmniServiceRolePolicy",
        "iam:GetRoleTemplateVersion",
        f"arn:aws:iam::aws:role-template/{TELEMETRY}",
        {},
        IMPLICIT_DENY,
    ),
    (
        "AWSObservabilityAdminTelemetryEnablementServiceRolePolicy",
        "iam:GetRoleTemplateVersion",
        f"arn:aws:iam::aws:role-template/{TELEMETRY}",
        {},
        ALLOWED,
    ),
    (
        "IAMAuditRootUserCredentials",
        "iam:ListAccessKeys",
        f"arn:aws:iam::{ACCOUNT}:root",
        {},
        ALLOWED,
    ),
    (
        "IAMAuditRootUserCredentials",
        "iam:ListAccessKeys",
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        {},
        EXPLICIT_DENY,
    ),
    (
        "IAMCreateRootUserPassword",
        "iam:CreateLoginProfile",
        f"arn:aws:iam::{ACCOUNT}:root",
        {},
        ALLOWED,
    ),
    (
        "IAMCreateRootUserPassword",
        "iam:CreateLoginProfile",
        f"arn:aws:iam::{ACCOUNT}:user/bob",
        {},
        EXPLICIT_DENY,
    ),
    ("IAMCreateRootUserPassword", "s3:GetObject", "arn:aws:s3:::notes/a.txt", {}, EXPLICIT_DENY),
    (
        "IAMDeleteRootUserCredentials",
        "iam:DeleteLoginProfile",
        f"arn:aws:iam::{ACCOUNT}:root",
        {},
        ALLOWED,
    ),
    (
        "IAMDeleteRootUserCredentials",
        "iam:DeleteLoginProfile",
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        {},
        EXPLICIT_DENY,
    ),
    (
        "SageMakerStudioProjectRoleMachineLearningPolicy",
        "s3:PutAccessGrantsInstanceResourcePolicy",
        f"arn:aws:s3:us-east-1:{ACCOUNT}:access-grants/default",
        SAME_ACCOUNT,
        ALLOWED,
    ),
    (
        "SageMakerStudioProjectRoleMachineLearningPolicy",
        "s3:TagResource",
        f"arn:aws:s3:us-east-1:{ACCOUNT}:access-grants/default/grant/g1",
        SAME_ACCOUNT,
        ALLOWED,
    ),
    (
        "SageMakerStudioProjectRoleMachineLearningPolicy",
        "s3:TagResource",
        f"arn:aws:s3:us-east-1:{ACCOUNT}:job/j1",
        SAME_ACCOUNT,
        IMPLICIT_DENY,
    ),
]


@pytest.mark.parametrize(
    ("name", "action", "resource", "context", "decision"), ONCE_REFUSED_DECISIONS
)
def test_the_once_refused_policies_decide_as_they_say(name, action, resource, context, decision):
    policy = parse_policy(managed_policies()[name]["Document"]).named(name)
    policies = [policy, parse_policy(ALLOW_ALL)] if name.startswith("IAM") else [policy]
    principal = f"arn:aws:iam::{ACCOUNT}:role/worker"
    assert evaluate(Request(action, resource, principal, context), policies).decision == decision


def _with_resource(resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": resource}],
    }


# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html ("IAM ARNs")
@pytest.mark.parametrize(
    "resource",
    [
        f"arn:aws:iam::{ACCOUNT}:root",
        "arn:aws:iam::*:root",
        "arn:aws:iam::aws:role-template/cloudwatch.amazonaws.com/Template:1",
        "arn:aws:s3:us-east-1:123456789012:access-grants/default",
        "arn:aws:s3:*:*:access-grants/default/location/*",
        "arn:aws:s3:us-east-1:123456789012:job/job-1",
        "arn:aws:s3:us-east-1:123456789012:storage-lens/config",
        "arn:aws:s3:us-east-1:123456789012:storage-lens-group/group",
    ],
)
def test_resources_aws_documents_are_accepted(resource):
    parse_policy(_with_resource(resource), managed=True)
    parse_policy(json.dumps(_with_resource(resource)), managed=True)


def test_a_learners_policy_on_the_root_user_decides_for_the_root_user():
    policy = parse_policy(json.dumps(_with_resource(f"arn:aws:iam::{ACCOUNT}:root")))
    root = Request("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:root")
    alice = Request("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/alice")
    assert evaluate(root, [policy]).decision == ALLOWED
    assert evaluate(alice, [policy]).decision == IMPLICIT_DENY


IAM_PATH_MESSAGE = (
    'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
    "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
    "oidc-provider/, report/, access-report/."
)


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        (f"arn:aws:iam::{ACCOUNT}:rooted", IAM_PATH_MESSAGE),
        (f"arn:aws:iam::{ACCOUNT}:root/x", IAM_PATH_MESSAGE),
        (f"arn:aws:iam::{ACCOUNT}:people/a", IAM_PATH_MESSAGE),
        (
            f"arn:aws:iam:us-east-1:{ACCOUNT}:root",
            f"IAM resource arn:aws:iam:us-east-1:{ACCOUNT}:root cannot contain region information.",
        ),
        (
            "arn:aws:s3:us-east-1::bucket",
            "Resource arn:aws:s3:us-east-1::bucket can not contain region information.",
        ),
        (
            "arn:aws:s3:us-east-1::bucket/access-grants/x",
            "Resource arn:aws:s3:us-east-1::bucket/access-grants/x can not contain region "
            "information.",
        ),
    ],
)
def test_iam_still_refuses_what_it_refused(resource, message):
    with pytest.raises(PolicyError) as raised:
        parse_policy(json.dumps(_with_resource(resource)))
    assert raised.value.message == message
