"""S3, DynamoDB and STS in the Lab against AWS's documented behaviour.

Each table names the AWS documentation page it was read from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.actions import Target, targets
from labkit.lab.enforce import denial_message
from labkit.policy.model import Decision, Request

ACCOUNT = "123456789012"
ANN = f"arn:aws:iam::{ACCOUNT}:user/ann"
BUCKET = "course-notes"
OBJECT = f"arn:aws:s3:::{BUCKET}/a.txt"
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: str | list[str], resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11) as lab:
        lab.clock.freeze(1_700_000_010.0)
        s3 = lab.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="a.txt", Body=b"hi")
        lab.client("dynamodb").create_table(
            TableName="orders",
            KeySchema=[
                {"AttributeName": "customer", "KeyType": "HASH"},
                {"AttributeName": "order", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "customer", "AttributeType": "S"},
                {"AttributeName": "order", "AttributeType": "S"},
                {"AttributeName": "status", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-status",
                    "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield lab


def user(lab: Lab, name: str = "ann", *documents: str, managed: str | None = None) -> Any:
    iam = lab.client("iam")
    iam.create_user(UserName=name)
    for index, document in enumerate(documents):
        iam.put_user_policy(UserName=name, PolicyName=f"p{index}", PolicyDocument=document)
    if managed is not None:
        arn = iam.create_policy(PolicyName="Managed", PolicyDocument=managed)["Policy"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


# --- Denial messages, per service and per policy type ---------------------------
# IAM User Guide, "Troubleshoot access denied error messages" (examples per
# policy type; role trust policy denials name no resource); Amazon S3 User
# Guide, "Troubleshoot access denied (403 Forbidden) errors in Amazon S3"
# (S3 quotes the resource ARN and names a denying policy ", with policy ARN:
# ..."; a bucket policy's ARN is never named); DynamoDB answers
# AccessDeniedException with HTTP 400, the ARN unquoted.

MESSAGES = [
    (
        "s3 implicit",
        "s3:GetObject",
        OBJECT,
        "implicitDeny",
        "identity",
        f'User: {ANN} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
        "because no identity-based policy allows the s3:GetObject action",
    ),
    (
        "s3 explicit, managed identity policy",
        "s3:GetObject",
        OBJECT,
        "explicitDeny",
        "identity",
        f'User: {ANN} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
        "with an explicit deny in an identity-based policy, with policy ARN: "
        f"arn:aws:iam::{ACCOUNT}:policy/Deny",
    ),
    (
        "s3 explicit, bucket policy",
        "s3:GetObject",
        OBJECT,
        "explicitDeny",
        "resource",
        f'User: {ANN} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
        "with an explicit deny in a resource-based policy",
    ),
    (
        "s3 on *",
        "s3:ListAllMyBuckets",
        "*",
        "implicitDeny",
        "identity",
        f"User: {ANN} is not authorized to perform: s3:ListAllMyBuckets "
        "because no identity-based policy allows the s3:ListAllMyBuckets action",
    ),
    (
        "dynamodb explicit, boundary",
        "dynamodb:GetItem",
        TABLE,
        "explicitDeny",
        "boundary",
        f"User: {ANN} is not authorized to perform: dynamodb:GetItem on resource: {TABLE} "
        f"with an explicit deny in a permissions boundary: arn:aws:iam::{ACCOUNT}:policy/Deny",
    ),
    (
        "dynamodb implicit, session policy",
        "dynamodb:GetItem",
        TABLE,
        "implicitDeny",
        "session",
        f"User: {ANN} is not authorized to perform: dynamodb:GetItem on resource: {TABLE} "
        "because no session policy allows the dynamodb:GetItem action",
    ),
    # STS always names the role; a trust policy that does not trust the caller
    # gives no reason, and an explicit deny in it is one in the role's
    # resource-based policy.
    (
        "sts trust, implicit",
        "sts:AssumeRole",
        f"arn:aws:iam::{ACCOUNT}:role/R",
        "implicitDeny",
        "trust",
        f"User: {ANN} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/R",
    ),
    (
        "sts trust, explicit",
        "sts:AssumeRole",
        f"arn:aws:iam::{ACCOUNT}:role/R",
        "explicitDeny",
        "trust",
        f"User: {ANN} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/R with an explicit deny in a resource-based policy",
    ),
    (
        "sts identity, implicit",
        "sts:AssumeRole",
        f"arn:aws:iam::{ACCOUNT}:role/R",
        "implicitDeny",
        "identity",
        f"User: {ANN} is not authorized to perform: sts:AssumeRole on resource: "
        f"arn:aws:iam::{ACCOUNT}:role/R "
        "because no identity-based policy allows the sts:AssumeRole action",
    ),
]


@pytest.mark.parametrize(
    ("label", "action", "resource", "decision", "source", "message"),
    MESSAGES,
    ids=[m[0] for m in MESSAGES],
)
def test_denial_message_per_service(
    label: str, action: str, resource: str, decision: str, source: str, message: str
) -> None:
    from labkit.policy.model import StatementRef

    matched = ()
    if decision == "explicitDeny" and source in ("identity", "boundary"):
        ref = StatementRef(
            policy=f"arn:aws:iam::{ACCOUNT}:policy/Deny",
            policy_type="IAM Policy",
            kind=source,  # type: ignore[arg-type]
            effect="Deny",
            index=0,
        )
        matched = (ref,)
    verdict = Decision(decision, Request(action), matched=matched, denied_by=source)  # type: ignore[arg-type]
    assert denial_message(ANN, Target(action, resource), verdict) == message


# The same through the Lab: code, message and HTTP status.
DENY_S3 = policy(allow("s3:*"), deny("s3:GetObject"))
BUCKET_DENY = policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
)

LAB_DENIALS = [
    (
        "s3 implicit",
        lambda lab: user(lab),
        None,
        lambda s: s.client("s3").get_object(Bucket=BUCKET, Key="a.txt"),
        (
            "AccessDenied",
            f'User: {ANN} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
            "because no identity-based policy allows the s3:GetObject action",
            403,
        ),
    ),
    (
        "s3 explicit, managed policy",
        lambda lab: user(lab, "ann", managed=DENY_S3),
        None,
        lambda s: s.client("s3").get_object(Bucket=BUCKET, Key="a.txt"),
        (
            "AccessDenied",
            f'User: {ANN} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
            "with an explicit deny in an identity-based policy, with policy ARN: "
            f"arn:aws:iam::{ACCOUNT}:policy/Managed",
            403,
        ),
    ),
    (
        "s3 explicit, bucket policy",
        lambda lab: user(lab, "ann", policy(allow("s3:*"))),
        BUCKET_DENY,
        lambda s: s.client("s3").get_object(Bucket=BUCKET, Key="a.txt"),
        (
            "AccessDenied",
            f'User: {ANN} is not authorized to perform: s3:GetObject on resource: "{OBJECT}" '
            "with an explicit deny in a resource-based policy",
            403,
        ),
    ),
    (
        "dynamodb implicit",
        lambda lab: user(lab),
        None,
        lambda s: s.client("dynamodb").describe_table(TableName="orders"),
        (
            "AccessDeniedException",
            f"User: {ANN} is not authorized to perform: dynamodb:DescribeTable on resource: "
            f"{TABLE} because no identity-based policy allows the dynamodb:DescribeTable action",
            400,
        ),
    ),
    (
        "dynamodb explicit, managed policy",
        lambda lab: user(lab, "ann", managed=policy(allow("dynamodb:*"), deny("dynamodb:Scan"))),
        None,
        lambda s: s.client("dynamodb").scan(TableName="orders"),
        (
            "AccessDeniedException",
            f"User: {ANN} is not authorized to perform: dynamodb:Scan on resource: {TABLE} "
            f"with an explicit deny in an identity-based policy: "
            f"arn:aws:iam::{ACCOUNT}:policy/Managed",
            400,
        ),
    ),
]


@pytest.mark.parametrize(
    ("label", "make", "bucket_policy", "call", "expected"),
    LAB_DENIALS,
    ids=[d[0] for d in LAB_DENIALS],
)
def test_denials_through_the_lab(
    lab: Lab, label: str, make: Any, bucket_policy: str | None, call: Any, expected: Any
) -> None:
    session = make(lab)
    if bucket_policy is not None:
        lab.client("s3").put_bucket_policy(Bucket=BUCKET, Policy=bucket_policy)
    assert error_of(lambda: call(session)) == expected


def test_s3_denial_carries_s3_request_ids(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        user(lab).client("s3").get_object(Bucket=BUCKET, Key="a.txt")
    metadata = raised.value.response["ResponseMetadata"]
    assert len(metadata["RequestId"]) == 16 and metadata["HostId"]
    assert metadata["HTTPHeaders"]["x-amz-request-id"] == metadata["RequestId"]


def test_session_policy_denial_names_the_session_policy(lab: Lab) -> None:
    iam = lab.client("iam")
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    role = iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="Reader", PolicyName="all", PolicyDocument=policy(allow("*")))
    ann = user(lab, "ann", policy(allow("sts:AssumeRole")))
    session = ann.assume_role(
        RoleArn=role["Arn"], RoleSessionName="s1", Policy=policy(allow("s3:ListAllMyBuckets"))
    )
    who = f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1"
    assert error_of(lambda: session.client("dynamodb").describe_table(TableName="orders")) == (
        "AccessDeniedException",
        f"User: {who} is not authorized to perform: dynamodb:DescribeTable on resource: "
        f"{TABLE} because no session policy allows the dynamodb:DescribeTable action",
        400,
    )
    assert lab.trail.last is not None and lab.trail.last.principal == who


def test_assume_role_trust_denial_names_the_role(lab: Lab) -> None:
    iam = lab.client("iam")
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    )
    role = iam.create_role(RoleName="Ec2", AssumeRolePolicyDocument=trust)["Role"]
    ann = user(lab, "ann", policy(allow("sts:AssumeRole")))
    assert error_of(
        lambda: ann.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="s1")
    ) == (
        "AccessDenied",
        f"User: {ANN} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}",
        403,
    )


# --- Bucket policies: validation ---------------------------------------------------
# Amazon S3 API Reference, PutBucketPolicy (error MalformedPolicy, HTTP 400);
# the messages are S3's own, as AWS answers them.

GRANT = {
    "Effect": "Allow",
    "Principal": {"AWS": ANN},
    "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/*",
}
MALFORMED = [
    ("not JSON", "Allow everything", "Policies must be valid JSON and the first byte must be '{'"),
    ("a list", "[]", "Policies must be valid JSON and the first byte must be '{'"),
    (
        "broken JSON",
        '{"Version": "2012-10-17",',
        "Policies must be valid JSON and the first byte must be '{'",
    ),
    ("no statement", json.dumps({"Version": "2012-10-17"}), "Missing required field Statement"),
    (
        "empty statement",
        json.dumps({"Version": "2012-10-17", "Statement": []}),
        "Could not parse the policy: Statement is empty!",
    ),
    (
        "bad version",
        json.dumps({"Version": "2024-01-01", "Statement": [GRANT]}),
        "The policy must contain a valid version string",
    ),
    (
        "no principal",
        policy({k: v for k, v in GRANT.items() if k != "Principal"}),
        "Missing required field Principal",
    ),
    (
        "unknown user",
        policy({**GRANT, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/nobody"}}),
        "Invalid principal in policy",
    ),
    (
        "odd principal",
        policy({**GRANT, "Principal": {"AWS": "ann"}}),
        "Invalid principal in policy",
    ),
    (
        "not an S3 action",
        policy({**GRANT, "Action": "iam:CreateUser"}),
        "Policy has invalid action",
    ),
    (
        "unknown S3 action",
        policy({**GRANT, "Action": "s3:GetObjects"}),
        "Policy has invalid action",
    ),
    (
        "another bucket",
        policy({**GRANT, "Resource": "arn:aws:s3:::other-bucket/*"}),
        "Policy has invalid resource",
    ),
    (
        "object action on the bucket",
        policy({**GRANT, "Resource": f"arn:aws:s3:::{BUCKET}"}),
        "Action does not apply to any resource(s) in statement",
    ),
]


@pytest.mark.parametrize(("label", "text", "message"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_put_bucket_policy_refuses_malformed(lab: Lab, label: str, text: str, message: str) -> None:
    user(lab)
    s3 = lab.client("s3")
    assert error_of(lambda: s3.put_bucket_policy(Bucket=BUCKET, Policy=text)) == (
        "MalformedPolicy",
        message,
        400,
    )
    assert lab.trail.last is not None and lab.trail.last.error_code == "MalformedPolicy"
    assert error_of(lambda: s3.get_bucket_policy(Bucket=BUCKET))[0] == "NoSuchBucketPolicy"


VALID = [
    ("a user", GRANT),
    ("everyone", {**GRANT, "Principal": "*"}),
    ("the account", {**GRANT, "Principal": {"AWS": ACCOUNT}}),
    ("a service", {**GRANT, "Principal": {"Service": "cloudtrail.amazonaws.com"}}),
    (
        "bucket and objects",
        {**GRANT, "Action": "s3:*", "Resource": [f"arn:aws:s3:::{BUCKET}", OBJECT]},
    ),
    (
        "a condition",
        {
            **GRANT,
            "Effect": "Deny",
            "Principal": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ),
]


@pytest.mark.parametrize(("label", "statement"), VALID, ids=[v[0] for v in VALID])
def test_put_get_delete_bucket_policy(lab: Lab, label: str, statement: dict[str, Any]) -> None:
    user(lab)
    s3 = lab.client("s3")
    text = policy(statement)
    s3.put_bucket_policy(Bucket=BUCKET, Policy=text)
    assert json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"]) == json.loads(text)
    s3.delete_bucket_policy(Bucket=BUCKET)
    assert error_of(lambda: s3.get_bucket_policy(Bucket=BUCKET)) == (
        "NoSuchBucketPolicy",
        "The bucket policy does not exist",
        404,
    )


# --- Bucket policies: enforcement ------------------------------------------------
# IAM User Guide, "Policy evaluation for requests within a single account": a
# same-account resource-based policy naming the user allows on its own; S3
# API Reference, PutBucketPolicy/GetBucketPolicy/DeleteBucketPolicy: the root
# user can always read, write and delete the bucket policy, even when it
# explicitly denies root; S3 User Guide, "Bucket policy examples"
# (aws:SecureTransport, s3:prefix).


def test_bucket_policy_grant_to_a_user_needs_no_identity_policy(lab: Lab) -> None:
    ann = user(lab)
    s3 = ann.client("s3")
    assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="a.txt"))[0] == "AccessDenied"
    lab.client("s3").put_bucket_policy(Bucket=BUCKET, Policy=policy(GRANT))
    assert s3.get_object(Bucket=BUCKET, Key="a.txt")["Body"].read() == b"hi"
    lab.client("s3").delete_bucket_policy(Bucket=BUCKET)
    assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="a.txt"))[0] == "AccessDenied"


LOCKOUT = policy(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    }
)
ROOT_CALLS = [
    ("GetObject", lambda s3: s3.get_object(Bucket=BUCKET, Key="a.txt"), "AccessDenied"),
    ("ListObjectsV2", lambda s3: s3.list_objects_v2(Bucket=BUCKET), "AccessDenied"),
    ("GetBucketPolicy", lambda s3: s3.get_bucket_policy(Bucket=BUCKET), None),
    ("PutBucketPolicy", lambda s3: s3.put_bucket_policy(Bucket=BUCKET, Policy=LOCKOUT), None),
    ("DeleteBucketPolicy", lambda s3: s3.delete_bucket_policy(Bucket=BUCKET), None),
]


@pytest.mark.parametrize(("label", "call", "code"), ROOT_CALLS, ids=[r[0] for r in ROOT_CALLS])
def test_bucket_policy_deny_binds_root_except_for_the_policy(
    lab: Lab, label: str, call: Any, code: str | None
) -> None:
    s3 = lab.client("s3")
    s3.put_bucket_policy(Bucket=BUCKET, Policy=LOCKOUT)
    if code is None:
        call(s3)
        return
    found = error_of(lambda: call(s3))
    assert found[0] == code and found[2] == 403
    assert found[1].startswith(f"User: arn:aws:iam::{ACCOUNT}:root is not authorized")
    assert found[1].endswith("with an explicit deny in a resource-based policy")
    assert lab.trail.last is not None and lab.trail.last.decision == "explicitDeny"


def test_secure_transport_condition(lab: Lab) -> None:
    ann = user(lab, "ann", policy(allow("s3:*")))
    insecure_only = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    lab.client("s3").put_bucket_policy(Bucket=BUCKET, Policy=policy(insecure_only))
    # The Lab's clients call over HTTPS, so the Deny does not apply.
    assert ann.client("s3").get_object(Bucket=BUCKET, Key="a.txt")["Body"].read() == b"hi"
    https_only = {**insecure_only, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}
    lab.client("s3").put_bucket_policy(Bucket=BUCKET, Policy=policy(https_only))
    code, message, _ = error_of(lambda: ann.client("s3").get_object(Bucket=BUCKET, Key="a.txt"))
    assert code == "AccessDenied" and "explicit deny in a resource-based policy" in message


HOME = policy(
    allow(
        "s3:ListBucket",
        f"arn:aws:s3:::{BUCKET}",
        Condition={"StringLike": {"s3:prefix": ["home/${aws:username}/*", ""]}},
    )
)
PREFIXES = [
    ("own home", {"Prefix": "home/ann/"}, True),
    ("no prefix at all", {}, False),
    ("empty prefix", {"Prefix": ""}, True),
    ("someone else's home", {"Prefix": "home/bob/"}, False),
]


@pytest.mark.parametrize(("label", "kwargs", "allowed"), PREFIXES, ids=[p[0] for p in PREFIXES])
@pytest.mark.parametrize("operation", ["list_objects", "list_objects_v2"])
def test_s3_prefix_condition(
    lab: Lab, label: str, kwargs: dict[str, str], allowed: bool, operation: str
) -> None:
    s3 = user(lab, "ann", HOME).client("s3")
    call = lambda: getattr(s3, operation)(Bucket=BUCKET, **kwargs)  # noqa: E731
    if allowed:
        call()
    else:
        assert error_of(call)[0] == "AccessDenied"


def test_s3_acl_condition_key(lab: Lab) -> None:
    no_public = deny(
        "s3:PutObject",
        f"arn:aws:s3:::{BUCKET}/*",
        Condition={"StringEquals": {"s3:x-amz-acl": "public-read"}},
    )
    s3 = user(lab, "ann", policy(allow("s3:*"), no_public)).client("s3")
    s3.put_object(Bucket=BUCKET, Key="b.txt", Body=b"x")
    code, _, _ = error_of(
        lambda: s3.put_object(Bucket=BUCKET, Key="c.txt", Body=b"x", ACL="public-read")
    )
    assert code == "AccessDenied"


def test_bucket_policy_cache_follows_put_and_delete(lab: Lab) -> None:
    s3 = user(lab, "ann", policy(allow("s3:*"))).client("s3")
    root = lab.client("s3")
    for _ in range(2):
        root.put_bucket_policy(Bucket=BUCKET, Policy=LOCKOUT)
        assert error_of(lambda: s3.get_object(Bucket=BUCKET, Key="a.txt"))[0] == "AccessDenied"
        root.put_bucket_policy(Bucket=BUCKET, Policy=policy(GRANT))
        s3.get_object(Bucket=BUCKET, Key="a.txt")
        root.put_bucket_policy(Bucket=BUCKET, Policy=LOCKOUT)
        root.delete_bucket_policy(Bucket=BUCKET)
        s3.get_object(Bucket=BUCKET, Key="a.txt")


# --- DynamoDB fine-grained access ------------------------------------------------
# DynamoDB Developer Guide, "Using IAM policy conditions for fine-grained
# access control": dynamodb:LeadingKeys (partition key values), and
# dynamodb:Attributes (attribute names); Service Authorization Reference,
# DynamoDB (index ARNs table/NAME/index/INDEX for Query and Scan on an index).

OWN_ITEMS = policy(
    allow(
        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"],
        TABLE,
        Condition={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}},
    )
)


def key(customer: str) -> dict[str, Any]:
    return {"customer": {"S": customer}, "order": {"S": "1"}}


LEADING = [
    ("GetItem own", lambda d: d.get_item(TableName="orders", Key=key("ann")), True),
    ("GetItem other", lambda d: d.get_item(TableName="orders", Key=key("bob")), False),
    ("PutItem own", lambda d: d.put_item(TableName="orders", Item=key("ann")), True),
    ("PutItem other", lambda d: d.put_item(TableName="orders", Item=key("bob")), False),
    (
        "UpdateItem other",
        lambda d: d.update_item(
            TableName="orders",
            Key=key("bob"),
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "paid"}},
        ),
        False,
    ),
    (
        "Query own",
        lambda d: d.query(
            TableName="orders",
            KeyConditionExpression="customer = :c",
            ExpressionAttributeValues={":c": {"S": "ann"}},
        ),
        True,
    ),
    (
        "Query own, name placeholder",
        lambda d: d.query(
            TableName="orders",
            KeyConditionExpression="#c = :c AND begins_with(#o, :o)",
            ExpressionAttributeNames={"#c": "customer", "#o": "order"},
            ExpressionAttributeValues={":c": {"S": "ann"}, ":o": {"S": "1"}},
        ),
        True,
    ),
    (
        "Query other",
        lambda d: d.query(
            TableName="orders",
            KeyConditionExpression="customer = :c",
            ExpressionAttributeValues={":c": {"S": "bob"}},
        ),
        False,
    ),
    (
        "Query other, legacy KeyConditions",
        lambda d: d.query(
            TableName="orders",
            KeyConditions={
                "customer": {"AttributeValueList": [{"S": "bob"}], "ComparisonOperator": "EQ"}
            },
        ),
        False,
    ),
]


@pytest.mark.parametrize(("label", "call", "allowed"), LEADING, ids=[c[0] for c in LEADING])
def test_dynamodb_leading_keys(lab: Lab, label: str, call: Any, allowed: bool) -> None:
    dynamodb = user(lab, "ann", OWN_ITEMS).client("dynamodb")
    if allowed:
        call(dynamodb)
    else:
        code, message, status = error_of(lambda: call(dynamodb))
        action = f"dynamodb:{label.split()[0]}"
        assert (code, status) == ("AccessDeniedException", 400)
        assert message.endswith(f"because no identity-based policy allows the {action} action")


def test_dynamodb_attributes_condition(lab: Lab) -> None:
    public_only = allow(
        "dynamodb:GetItem",
        TABLE,
        Condition={
            "ForAllValues:StringEquals": {"dynamodb:Attributes": ["customer", "order", "status"]},
            "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
        },
    )
    dynamodb = user(lab, "ann", policy(public_only)).client("dynamodb")
    dynamodb.get_item(
        TableName="orders",
        Key=key("ann"),
        ProjectionExpression="customer, #s",
        ExpressionAttributeNames={"#s": "status"},
    )
    code, _, _ = error_of(
        lambda: dynamodb.get_item(
            TableName="orders", Key=key("ann"), ProjectionExpression="customer, secret"
        )
    )
    assert code == "AccessDeniedException"


def test_dynamodb_query_on_an_index_is_authorized_on_the_index(lab: Lab) -> None:
    dynamodb = user(lab, "ann", policy(allow("dynamodb:Query", TABLE))).client("dynamodb")
    index = f"{TABLE}/index/by-status"
    assert error_of(
        lambda: dynamodb.query(
            TableName="orders",
            IndexName="by-status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "paid"}},
        )
    ) == (
        "AccessDeniedException",
        f"User: {ANN} is not authorized to perform: dynamodb:Query on resource: {index} "
        "because no identity-based policy allows the dynamodb:Query action",
        400,
    )


def test_leading_keys_of_an_index_query_are_the_index_partition_key() -> None:
    found = targets(
        "dynamodb",
        "Query",
        {
            "TableName": "orders",
            "IndexName": "by-status",
            "KeyConditionExpression": "#s = :s",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":s": {"S": "paid"}},
        },
        account=ACCOUNT,
        region="us-east-1",
        key_schema=lambda region, table: (
            ("status", None) if table.endswith("/index/by-status") else ("customer", "order")
        ),
    )
    assert found[0].context["dynamodb:LeadingKeys"] == ("paid",)


# --- Request context AWS adds ------------------------------------------------------
# IAM User Guide, "AWS global condition context keys" (aws:RequestedRegion,
# aws:RequestTag, aws:TagKeys, aws:ResourceTag); Service Authorization
# Reference, IAM (iam:ResourceTag, iam:PolicyARN, iam:PermissionsBoundary).


def test_requested_region_is_the_clients_region(lab: Lab) -> None:
    only_us = deny(
        "dynamodb:*", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}
    )
    session = user(lab, "ann", policy(allow("dynamodb:*"), only_us))
    session.client("dynamodb").list_tables()
    code, message, _ = error_of(
        lambda: session.client("dynamodb", region_name="eu-west-1").list_tables()
    )
    assert code == "AccessDeniedException"
    assert f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/*" in message


def test_iam_is_requested_in_us_east_1(lab: Lab) -> None:
    only_us = deny("*", Condition={"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}})
    session = user(lab, "ann", policy(allow("iam:*"), only_us))
    session.client("iam", region_name="eu-west-1").list_users()


CONTEXT = [
    (
        "RequestTag on CreateUser",
        allow(
            ["iam:CreateUser", "iam:TagUser"],
            Condition={"StringEquals": {"aws:RequestTag/team": "data"}},
        ),
        lambda iam: iam.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "data"}]),
        lambda iam: iam.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "web"}]),
    ),
    (
        "TagKeys on TagUser",
        allow(
            "iam:TagUser",
            Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}},
        ),
        lambda iam: iam.tag_user(UserName="carol", Tags=[{"Key": "team", "Value": "x"}]),
        lambda iam: iam.tag_user(UserName="carol", Tags=[{"Key": "admin", "Value": "x"}]),
    ),
    (
        "ResourceTag of the user",
        allow("iam:GetUser", Condition={"StringEquals": {"iam:ResourceTag/team": "data"}}),
        lambda iam: iam.get_user(UserName="carol"),
        lambda iam: iam.get_user(UserName="dave"),
    ),
    (
        "aws:ResourceTag of the user",
        allow("iam:GetUser", Condition={"StringEquals": {"aws:ResourceTag/team": "data"}}),
        lambda iam: iam.get_user(UserName="carol"),
        lambda iam: iam.get_user(UserName="dave"),
    ),
    (
        "PolicyARN on AttachUserPolicy",
        allow(
            "iam:AttachUserPolicy",
            Condition={"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/ReadOnlyAccess"}},
        ),
        lambda iam: iam.attach_user_policy(
            UserName="dave", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"
        ),
        lambda iam: iam.attach_user_policy(
            UserName="dave", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess"
        ),
    ),
    (
        "PermissionsBoundary on CreateUser",
        allow(
            "iam:CreateUser",
            Condition={
                "ArnEquals": {"iam:PermissionsBoundary": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
            },
        ),
        lambda iam: iam.create_user(
            UserName="bob", PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess"
        ),
        lambda iam: iam.create_user(UserName="erin"),
    ),
]


@pytest.mark.parametrize(
    ("label", "statement", "allowed", "refused"), CONTEXT, ids=[c[0] for c in CONTEXT]
)
def test_iam_request_context(
    lab: Lab, label: str, statement: dict[str, Any], allowed: Any, refused: Any
) -> None:
    root = lab.client("iam")
    root.create_user(UserName="carol", Tags=[{"Key": "team", "Value": "data"}])
    root.create_user(UserName="dave", Tags=[{"Key": "team", "Value": "web"}])
    iam = user(lab, "ann", policy(statement)).client("iam")
    allowed(iam)
    code, _, status = error_of(lambda: refused(iam))
    assert (code, status) == ("AccessDenied", 403)


def test_resource_tags_follow_tag_changes(lab: Lab) -> None:
    root = lab.client("iam")
    root.create_user(UserName="carol")
    statement = allow("iam:GetUser", Condition={"StringEquals": {"iam:ResourceTag/team": "data"}})
    iam = user(lab, "ann", policy(statement)).client("iam")
    assert error_of(lambda: iam.get_user(UserName="carol"))[0] == "AccessDenied"
    root.tag_user(UserName="carol", Tags=[{"Key": "team", "Value": "data"}])
    iam.get_user(UserName="carol")


def test_external_id_reaches_the_trust_policy(lab: Lab) -> None:
    iam = lab.client("iam")
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "s3cret"}},
        }
    )
    arn = iam.create_role(RoleName="Partner", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    sts = user(lab, "ann", policy(allow("sts:AssumeRole"))).client("sts")
    assert error_of(lambda: sts.assume_role(RoleArn=arn, RoleSessionName="s1"))[0] == (
        "AccessDenied"
    )
    sts.assume_role(RoleArn=arn, RoleSessionName="s1", ExternalId="s3cret")


# --- The trail -----------------------------------------------------------------------
# AWS CloudTrail User Guide, "CloudTrail record contents" (errorCode of a
# failed call; userIdentity.arn of a role session is the assumed-role ARN).

TRAIL = [
    (
        "refused by policy",
        lambda lab, s: s.client("s3").get_object(Bucket=BUCKET, Key="a.txt"),
        ("s3:GetObject", OBJECT, "explicitDeny", "AccessDenied"),
    ),
    (
        "refused by the Lab's handler",
        lambda lab, s: s.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/Short", RoleSessionName="s1", DurationSeconds=7200
        ),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/Short", "allowed", "ValidationError"),
    ),
    (
        "refused by moto",
        lambda lab, s: s.client("s3").get_object(Bucket=BUCKET, Key="missing"),
        ("s3:GetObject", f"arn:aws:s3:::{BUCKET}/missing", "allowed", "NoSuchKey"),
    ),
    (
        "malformed bucket policy",
        lambda lab, s: s.client("s3").put_bucket_policy(Bucket=BUCKET, Policy="x"),
        ("s3:PutBucketPolicy", f"arn:aws:s3:::{BUCKET}", "allowed", "MalformedPolicy"),
    ),
    (
        "a DynamoDB table that does not exist",
        lambda lab, s: s.client("dynamodb").describe_table(TableName="nope"),
        (
            "dynamodb:DescribeTable",
            f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/nope",
            "allowed",
            "ResourceNotFoundException",
        ),
    ),
]


@pytest.mark.parametrize(("label", "call", "expected"), TRAIL, ids=[t[0] for t in TRAIL])
def test_trail_records_each_outcome(lab: Lab, label: str, call: Any, expected: Any) -> None:
    trust = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "sts:AssumeRole",
        }
    )
    lab.client("iam").create_role(RoleName="Short", AssumeRolePolicyDocument=trust)
    everything_but_s3_reads = policy(allow("*"), deny("s3:GetObject", OBJECT))
    session = user(lab, "ann", everything_but_s3_reads)
    with pytest.raises(ClientError):
        call(lab, session)
    event = lab.trail.last
    assert event is not None and event.principal == ANN
    assert (event.action, event.resource, event.decision, event.error_code) == expected
    assert event.time == lab.clock.now()


def test_function_policy_grant_to_a_user_needs_no_identity_policy(lab: Lab) -> None:
    """A function's resource-based policy (AddPermission) can grant an IAM
    user of the same account with no identity-based policy of its own.
    https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-cross-account.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    import io
    import zipfile

    iam = lab.client("iam")
    trust = {
        "Effect": "Allow",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }
    iam.create_role(RoleName="runner", AssumeRolePolicyDocument=policy(trust))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("main.py", "def handler(event, context):\n    return 1\n")
    functions = lab.client("lambda")
    functions.create_function(
        FunctionName="tally",
        Runtime="python3.12",
        Role="arn:aws:iam::123456789012:role/runner",
        Handler="main.handler",
        Code={"ZipFile": code.getvalue()},
    )
    ann = user(lab).client("lambda")
    assert error_of(lambda: ann.get_function_configuration(FunctionName="tally"))[0] == (
        "AccessDeniedException"
    )
    functions.add_permission(
        FunctionName="tally",
        StatementId="ann-reads",
        Action="lambda:GetFunctionConfiguration",
        Principal="arn:aws:iam::123456789012:user/ann",
    )
    assert ann.get_function_configuration(FunctionName="tally")["FunctionName"] == "tally"
    assert error_of(lambda: ann.delete_function(FunctionName="tally"))[0] == (
        "AccessDeniedException"
    )
