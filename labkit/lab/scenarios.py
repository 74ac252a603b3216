"""Named account states, so that each notebook can start on its own.

A notebook that teaches roles needs the users and groups an earlier notebook
made. Rather than replaying that notebook, it loads the state by name:

    lab = Lab()
    lab.load("roles")

Each scenario is built once, here, by calling the Lab as the root user
through ``lab.client(...)``: the calls are recorded and checked exactly like
a learner's. Scenarios build on each other (``roles`` includes ``users``,
which includes ``groups``) and expect a fresh Lab.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from labkit.policy.examples import ALLOW_MFA, ALLOW_MFA_NAME

if TYPE_CHECKING:
    from labkit.lab.account import Lab

# The policy from AWS's IAM guide, kept with the engine's examples.
ALLOW_MFA_POLICY_NAME = ALLOW_MFA_NAME
ALLOW_MFA_POLICY = ALLOW_MFA

# Groups and the AWS managed policy each one grants.
BUSINESS_ANALYSTS = "Business-Analysts"
DEVELOPERS = "Developers"
GROUP_POLICIES = {
    BUSINESS_ANALYSTS: "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    DEVELOPERS: "arn:aws:iam::aws:policy/PowerUserAccess",
}
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"

# Users, their group and console password. Each password meets AWS's default
# password policy (8+ characters, three of: upper, lower, digit, symbol).
CTO = "CTO"
USERS = {"ana": BUSINESS_ANALYSTS, "dev": DEVELOPERS}
PASSWORDS = {
    "ana": "Ana-Reads-Orders-1",
    "dev": "Dev-Ships-Code-2",
    CTO: "Cto-Runs-It-All-3",
}

# Roles.
CTO_ROLE = "Administrator"
LAMBDA_ROLE = "image-compression"

# Sample data the policies above are about.
ORDERS_TABLE = "orders"
IMAGES_BUCKET = "company-images"
SAMPLE_ORDERS = (
    {"order_id": "1001", "customer": "Alba", "total": "42.50"},
    {"order_id": "1002", "customer": "Bo", "total": "17.00"},
    {"order_id": "1003", "customer": "Chiara", "total": "99.90"},
)
SAMPLE_IMAGES = ("originals/team.png", "originals/logo.png")


def _sample_data(lab: Lab) -> None:
    dynamodb = lab.client("dynamodb")
    dynamodb.create_table(
        TableName=ORDERS_TABLE,
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for order in SAMPLE_ORDERS:
        dynamodb.put_item(
            TableName=ORDERS_TABLE, Item={key: {"S": value} for key, value in order.items()}
        )
    s3 = lab.client("s3")
    s3.create_bucket(Bucket=IMAGES_BUCKET)
    for key in SAMPLE_IMAGES:
        s3.put_object(Bucket=IMAGES_BUCKET, Key=key, Body=b"\x89PNG\r\n\x1a\n")


def groups(lab: Lab) -> None:
    """Two groups with members who can sign in to the console.

    - ``Business-Analysts`` has ``AmazonDynamoDBReadOnlyAccess`` attached;
      its member ``ana`` can read the ``orders`` table but change nothing.
    - ``Developers`` has ``PowerUserAccess`` attached; its member ``dev`` can
      use every service except IAM and Organizations.
    - ``ana`` and ``dev`` have console passwords (see ``PASSWORDS``) and no
      access keys.
    - Sample data: DynamoDB table ``orders`` (key ``order_id``, three items)
      and S3 bucket ``company-images`` (two objects under ``originals/``).
    """
    iam = lab.client("iam")
    for group, policy_arn in GROUP_POLICIES.items():
        iam.create_group(GroupName=group)
        iam.attach_group_policy(GroupName=group, PolicyArn=policy_arn)
    for user, group in USERS.items():
        iam.create_user(UserName=user)
        iam.add_user_to_group(GroupName=group, UserName=user)
        iam.create_login_profile(UserName=user, Password=PASSWORDS[user])
    _sample_data(lab)


def users(lab: Lab) -> None:
    """``groups``, plus the ``CTO`` user, an administrator.

    - ``CTO`` is a console-only user: a password (see ``PASSWORDS``), no
      access keys.
    - ``CTO`` is a member of ``Developers`` and also has
      ``AdministratorAccess`` attached directly, so the CTO can do anything,
      IAM included.
    """
    groups(lab)
    iam = lab.client("iam")
    iam.create_user(UserName=CTO)
    iam.create_login_profile(UserName=CTO, Password=PASSWORDS[CTO])
    iam.add_user_to_group(GroupName=DEVELOPERS, UserName=CTO)
    iam.attach_user_policy(UserName=CTO, PolicyArn=ADMINISTRATOR_ACCESS)


def mfa_blocked(lab: Lab) -> None:
    """``users``, plus the ``Allow-MFA`` policy attached to the ``CTO``.

    ``Allow-MFA`` (``ALLOW_MFA_POLICY``) is a customer managed policy that
    lets a user list users and manage their own MFA device, and denies
    everything else while the user has not signed in with MFA. Until the CTO
    registers an MFA device and signs in with it, even ``AdministratorAccess``
    is blocked by the explicit deny.
    """
    users(lab)
    iam = lab.client("iam")
    policy = iam.create_policy(
        PolicyName=ALLOW_MFA_POLICY_NAME,
        PolicyDocument=ALLOW_MFA_POLICY,
        Description="Manage your own MFA device; nothing else without MFA.",
    )
    iam.attach_user_policy(UserName=CTO, PolicyArn=policy["Policy"]["Arn"])


def _trust(principal: dict[str, str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
        },
        indent=2,
    )


IMAGE_COMPRESSION_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ListTheImagesBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{IMAGES_BUCKET}",
        },
        {
            "Sid": "ReadAndWriteImages",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": f"arn:aws:s3:::{IMAGES_BUCKET}/*",
        },
    ],
}


def roles(lab: Lab) -> None:
    """``users``, plus a role the CTO can assume and a Lambda service role.

    - ``Administrator``: trusted by the ``CTO`` user alone (its trust policy
      names ``arn:aws:iam::123456789012:user/CTO``), with
      ``AdministratorAccess`` attached.
    - ``image-compression``: a service role for AWS Lambda (trusted by
      ``lambda.amazonaws.com``) with the inline policy ``S3-company-images``:
      list the ``company-images`` bucket, read and write its objects.
    """
    users(lab)
    iam = lab.client("iam")
    account = lab.account_id
    iam.create_role(
        RoleName=CTO_ROLE,
        AssumeRolePolicyDocument=_trust({"AWS": f"arn:aws:iam::{account}:user/{CTO}"}),
        Description="Administrator access for the CTO.",
    )
    iam.attach_role_policy(RoleName=CTO_ROLE, PolicyArn=ADMINISTRATOR_ACCESS)
    iam.create_role(
        RoleName=LAMBDA_ROLE,
        AssumeRolePolicyDocument=_trust({"Service": "lambda.amazonaws.com"}),
        Description="Lets the image-compression function read and write company images.",
    )
    iam.put_role_policy(
        RoleName=LAMBDA_ROLE,
        PolicyName="S3-company-images",
        PolicyDocument=json.dumps(IMAGE_COMPRESSION_POLICY, indent=2),
    )


SCENARIOS: dict[str, Callable[[Lab], None]] = {
    "groups": groups,
    "users": users,
    "mfa-blocked": mfa_blocked,
    "roles": roles,
}


def load(lab: Lab, name: str) -> None:
    """Bring a fresh Lab to the named state (see ``SCENARIOS``)."""
    try:
        scenario = SCENARIOS[name]
    except KeyError:
        known = ", ".join(sorted(SCENARIOS))
        raise ValueError(f"Unknown scenario {name!r}; choose one of: {known}.") from None
    scenario(lab)
