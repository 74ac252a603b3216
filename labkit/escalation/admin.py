"""What "admin-equivalent" means here, precisely.

A principal is **admin-equivalent** when, calling as an attacker holding it
would (see :mod:`labkit.escalation`), every request in :data:`PROBES` is
*allowed* by the Lab: each probe asks for one action on every resource
(``Resource`` ``*``), so only a grant of that action on ``*`` can allow it,
and an allowed decision means that no explicit deny, permissions boundary,
session policy or condition stood in the way.

The probes sample what an administrator can do: IAM's permission-granting
writes, STS, each service the Lab offers, and sensitive actions of
services nobody grants by accident (Organizations, Account, Billing, KMS,
Secrets Manager, CloudTrail). A principal allowed all of them holds ``*`` on
``*`` in practice (``AdministratorAccess`` or an equivalent), so a principal
limited to IAM, to "everything but IAM" (``PowerUserAccess``) or kept in by
a boundary or a deny on any of them is not admin-equivalent, and may have a
path to become it. A deny scoped to one particular resource (say, one
bucket) is not probed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from labkit.escalation.callers import Caller

PROBES: tuple[str, ...] = (
    "iam:CreateUser",
    "iam:PutRolePolicy",
    "iam:AttachUserPolicy",
    "iam:CreatePolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "iam:DeleteRolePermissionsBoundary",
    "sts:GetFederationToken",
    "sts:DecodeAuthorizationMessage",
    "s3:GetObject",
    "s3:PutBucketPolicy",
    "dynamodb:DeleteTable",
    "lambda:CreateFunction",
    "ec2:RunInstances",
    "cloudformation:CreateStack",
    "kms:Decrypt",
    "secretsmanager:GetSecretValue",
    "cloudtrail:StopLogging",
    "organizations:LeaveOrganization",
    "account:CloseAccount",
    "aws-portal:ModifyBilling",
    "ssm:SendCommand",
)


def admin_equivalent(caller: Caller) -> bool:
    """Whether the Lab allows ``caller`` every probe of :data:`PROBES` on ``*``."""
    if not all(caller.covers(action) for action in PROBES):
        return False  # some probe no Allow statement names: never allowed
    return all(caller.allows(action, "*") for action in PROBES)
