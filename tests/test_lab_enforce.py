"""Calls made as IAM users are authorized as AWS would, with AWS's errors."""

import json

import pytest
from botocore.exceptions import ClientError

from labkit import Lab
from labkit.lab.actions import Target
from labkit.lab.enforce import denial_message
from labkit.policy.model import Decision, Request

ACCT = "123456789012"
TABLE_ARN = f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"
DYNAMO_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "dynamodb:List*",
                "dynamodb:Describe*",
                "dynamodb:Get*",
                "dynamodb:Query",
                "dynamodb:Scan",
            ],
            "Resource": "*",
        }
    ],
}


def _error(excinfo: pytest.ExceptionInfo) -> tuple[str, str, int]:
    error = excinfo.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


@pytest.fixture
def lab():
    with Lab(seed=3) as lab:
        iam = lab.client("iam")
        lab.client("dynamodb").create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        iam.create_group(GroupName="analysts")
        policy = iam.create_policy(PolicyName="DynamoRead", PolicyDocument=json.dumps(DYNAMO_READ))
        iam.attach_group_policy(GroupName="analysts", PolicyArn=policy["Policy"]["Arn"])
        iam.create_user(UserName="analyst")
        iam.add_user_to_group(GroupName="analysts", UserName="analyst")
        yield lab


def _session(lab, user="analyst"):
    key = lab.client("iam").create_access_key(UserName=user)["AccessKey"]
    return lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])


def test_group_policy_allows_reads_and_denies_deletes(lab):
    dynamodb = _session(lab).client("dynamodb")
    assert dynamodb.list_tables()["TableNames"] == ["orders"]
    with pytest.raises(ClientError) as excinfo:
        dynamodb.delete_table(TableName="orders")
    assert _error(excinfo) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCT}:user/analyst is not authorized to perform: "
        "dynamodb:DeleteTable "
        f"on resource: {TABLE_ARN} because no identity-based policy allows the "
        "dynamodb:DeleteTable action",
        400,
    )
    assert lab.client("dynamodb").list_tables()["TableNames"] == ["orders"]  # not deleted


def test_iam_denial_is_403_access_denied(lab):
    iam = _session(lab).client("iam")
    with pytest.raises(ClientError) as excinfo:
        iam.list_users()
    assert _error(excinfo) == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCT}:user/analyst is not authorized to perform: iam:ListUsers "
        f"on resource: arn:aws:iam::{ACCT}:user/ because no identity-based policy allows the "
        "iam:ListUsers action",
        403,
    )


def test_explicit_deny_message(lab):
    lab.client("iam").put_user_policy(
        UserName="analyst",
        PolicyName="NoScans",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "dynamodb:Scan", "Resource": "*"}],
            }
        ),
    )
    with pytest.raises(ClientError) as excinfo:
        _session(lab).client("dynamodb").scan(TableName="orders")
    code, message, _ = _error(excinfo)
    assert code == "AccessDeniedException"
    assert message.endswith(
        f"dynamodb:Scan on resource: {TABLE_ARN} with an explicit deny in an identity-based policy"
    )


def test_username_variable_scopes_access_to_own_user(lab):
    iam = lab.client("iam")
    iam.create_user(UserName="other")
    iam.put_user_policy(
        UserName="analyst",
        PolicyName="OwnKeys",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["iam:ListAccessKeys", "iam:GetUser"],
                        "Resource": "arn:aws:iam::*:user/${aws:username}",
                    }
                ],
            }
        ),
    )
    mine = _session(lab).client("iam")
    assert len(mine.list_access_keys(UserName="analyst")["AccessKeyMetadata"]) == 1
    assert mine.get_user()["User"]["UserName"] == "analyst"  # UserName left out: the caller
    with pytest.raises(ClientError) as excinfo:
        mine.list_access_keys(UserName="other")
    assert _error(excinfo)[0] == "AccessDenied"


def test_attach_and_detach_change_access_at_once(lab):
    iam = lab.client("iam")
    dynamodb = _session(lab).client("dynamodb")
    with pytest.raises(ClientError):
        dynamodb.delete_table(TableName="orders")
    iam.attach_user_policy(
        UserName="analyst", PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
    )
    dynamodb.describe_table(TableName="orders")
    dynamodb.update_table(TableName="orders", BillingMode="PAY_PER_REQUEST")
    iam.detach_user_policy(
        UserName="analyst", PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
    )
    with pytest.raises(ClientError):
        dynamodb.update_table(TableName="orders", BillingMode="PAY_PER_REQUEST")
    iam.remove_user_from_group(GroupName="analysts", UserName="analyst")
    with pytest.raises(ClientError):
        dynamodb.list_tables()


def test_policies_are_cached_between_calls(lab, monkeypatch):
    dynamodb = _session(lab).client("dynamodb")
    dynamodb.list_tables()
    calls = []
    original = lab.policies._gather
    monkeypatch.setattr(lab.policies, "_gather", lambda p: calls.append(p) or original(p))
    for _ in range(3):
        dynamodb.list_tables()
    assert calls == []
    lab.client("iam").tag_user(UserName="analyst", Tags=[{"Key": "team", "Value": "a"}])
    dynamodb.list_tables()
    assert len(calls) == 1


def test_permissions_boundary_limits_role_sessions(lab):
    iam = lab.client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    boundary = iam.create_policy(
        PolicyName="OnlyDescribe",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "dynamodb:Describe*", "Resource": "*"}],
            }
        ),
    )["Policy"]["Arn"]
    iam.create_role(
        RoleName="Ops", AssumeRolePolicyDocument=json.dumps(trust), PermissionsBoundary=boundary
    )
    iam.attach_role_policy(
        RoleName="Ops", PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
    )
    iam.put_user_policy(
        UserName="analyst",
        PolicyName="AssumeOps",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
            }
        ),
    )
    ops = _session(lab).assume_role(
        RoleArn=f"arn:aws:iam::{ACCT}:role/Ops", RoleSessionName="night"
    )
    assert ops.arn == f"arn:aws:sts::{ACCT}:assumed-role/Ops/night"
    dynamodb = ops.client("dynamodb")
    dynamodb.describe_table(TableName="orders")
    with pytest.raises(ClientError) as excinfo:
        dynamodb.list_tables()
    assert _error(excinfo)[1] == (
        f"User: arn:aws:sts::{ACCT}:assumed-role/Ops/night is not authorized to perform: "
        "dynamodb:ListTables "
        f"on resource: arn:aws:dynamodb:us-east-1:{ACCT}:table/* because no permissions "
        "boundary allows "
        "the dynamodb:ListTables action"
    )


def test_get_caller_identity_needs_no_permission(lab):
    lab.client("iam").put_user_policy(
        UserName="analyst",
        PolicyName="DenyAll",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    identity = _session(lab).client("sts").get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::{ACCT}:user/analyst"


def test_bucket_policy_grants_access(lab):
    root_s3 = lab.client("s3")
    root_s3.create_bucket(Bucket="notes")
    root_s3.put_object(Bucket="notes", Key="a.txt", Body=b"hi")
    s3 = _session(lab).client("s3")
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket="notes", Key="a.txt")
    assert _error(excinfo)[:2] == (
        "AccessDenied",
        f"User: arn:aws:iam::{ACCT}:user/analyst is not authorized to perform: s3:GetObject on "
        'resource: "arn:aws:s3:::notes/a.txt" '
        "because no identity-based policy allows the s3:GetObject action",
    )
    root_s3.put_bucket_policy(
        Bucket="notes",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/analyst"},
                        "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::notes/*",
                    }
                ],
            }
        ),
    )
    assert s3.get_object(Bucket="notes", Key="a.txt")["Body"].read() == b"hi"


@pytest.mark.parametrize(
    ("operation", "kwargs"),
    [
        (
            "create_policy",
            {"PolicyName": "Bad", "PolicyDocument": '{"Version": "2012-10-17", "Statement": []'},
        ),
        (
            "put_user_policy",
            {
                "UserName": "analyst",
                "PolicyName": "Bad",
                "PolicyDocument": '{"Statement": [{"Effect": "Allow"}]}',
            },
        ),
        (
            "create_role",
            {
                "RoleName": "R",
                "AssumeRolePolicyDocument": '{"Version": "2012-10-17", "Statement": '
                '[{"Effect": "Allow", "Action": "sts:AssumeRole"}]}',
            },
        ),
    ],
)
def test_malformed_policy_documents_are_refused(lab, operation, kwargs):
    with pytest.raises(ClientError) as excinfo:
        getattr(lab.client("iam"), operation)(**kwargs)
    code, message, status = _error(excinfo)
    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert message


def test_operations_moto_lacks_fail_with_a_clear_error(lab):
    with pytest.raises(ClientError) as excinfo:
        lab.client("iam").list_server_certificate_tags(ServerCertificateName="web")
    code, message, status = _error(excinfo)
    assert (code, status) == ("NotImplemented", 501)
    assert "iam:ListServerCertificateTags" in message


@pytest.mark.parametrize(
    ("denied_by", "decision", "ending"),
    [
        (
            "identity",
            "implicitDeny",
            "because no identity-based policy allows the s3:GetObject action",
        ),
        ("identity", "explicitDeny", "with an explicit deny in an identity-based policy"),
        (
            "resource",
            "implicitDeny",
            "because no resource-based policy allows the s3:GetObject action",
        ),
        ("resource", "explicitDeny", "with an explicit deny in a resource-based policy"),
        (
            "boundary",
            "implicitDeny",
            "because no permissions boundary allows the s3:GetObject action",
        ),
        ("boundary", "explicitDeny", "with an explicit deny in a permissions boundary"),
        ("session", "implicitDeny", "because no session policy allows the s3:GetObject action"),
        ("session", "explicitDeny", "with an explicit deny in a session policy"),
        # STS names the role and gives no reason when its trust policy refuses,
        # and calls the trust policy the role's resource-based policy.
        ("trust", "implicitDeny", ""),
        ("trust", "explicitDeny", "with an explicit deny in a resource-based policy"),
    ],
)
def test_denial_message_forms(denied_by, decision, ending):
    target = Target("s3:GetObject", "arn:aws:s3:::b/k")
    verdict = Decision(decision, Request("s3:GetObject"), denied_by=denied_by)
    message = denial_message(f"arn:aws:iam::{ACCT}:user/u", target, verdict)
    # S3 quotes the resource; every denial names it.
    resource = 'on resource: "arn:aws:s3:::b/k"'
    assert message == (
        f"User: arn:aws:iam::{ACCT}:user/u is not authorized to perform: s3:GetObject "
        f"{resource} {ending}".rstrip()
    )


def test_denial_message_leaves_out_star_resource():
    verdict = Decision("implicitDeny", Request("s3:ListAllMyBuckets"), denied_by="identity")
    assert denial_message("arn:aws:iam::1:user/u", Target("s3:ListAllMyBuckets"), verdict) == (
        "User: arn:aws:iam::1:user/u is not authorized to perform: s3:ListAllMyBuckets "
        "because no identity-based policy allows the s3:ListAllMyBuckets action"
    )


def test_user_permissions_boundary(lab):
    iam = lab.client("iam")
    boundary = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam.put_user_permissions_boundary(UserName="analyst", PermissionsBoundary=boundary)
    assert (
        iam.get_user(UserName="analyst")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
        == boundary
    )
    with pytest.raises(ClientError) as excinfo:
        _session(lab).client("dynamodb").list_tables()
    assert _error(excinfo)[1].endswith(
        "because no permissions boundary allows the dynamodb:ListTables action"
    )
    iam.delete_user_permissions_boundary(UserName="analyst")
    assert "PermissionsBoundary" not in iam.get_user(UserName="analyst")["User"]
    _session(lab).client("dynamodb").list_tables()


def test_create_user_with_boundary(lab):
    iam = lab.client("iam")
    user = iam.create_user(
        UserName="temp",
        Path="/contractors/",
        PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess",
    )["User"]
    assert user["Arn"] == f"arn:aws:iam::{ACCT}:user/contractors/temp"
    assert (
        user["PermissionsBoundary"]["PermissionsBoundaryArn"]
        == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    )
    with pytest.raises(ClientError) as excinfo:
        iam.put_user_permissions_boundary(
            UserName="temp", PermissionsBoundary=f"arn:aws:iam::{ACCT}:policy/Nope"
        )
    assert _error(excinfo)[0] == "NoSuchEntity"


def test_decide_call_lists_each_authorization_of_a_transaction() -> None:
    """A transaction is authorized per item, as DynamoDB does; asked without
    making the call, each item's decision is the one the call would get.
    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html
    """
    import json

    from labkit.lab.account import Lab

    with Lab(seed=2) as lab:
        lab.client("dynamodb").create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        iam = lab.client("iam")
        iam.create_user(UserName="intern")
        iam.put_user_policy(
            UserName="intern",
            PolicyName="writes",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                        {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"},
                    ],
                }
            ),
        )
        key = iam.create_access_key(UserName="intern")["AccessKey"]
        intern = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
        items = [
            {"Put": {"TableName": "orders", "Item": {"id": {"S": "1"}}}},
            {"Delete": {"TableName": "orders", "Key": {"id": {"S": "1"}}}},
        ]
        asked = lab.decide_call(
            intern.principal, "dynamodb", "TransactWriteItems", {"TransactItems": items}
        )
        assert [(t.action, d.decision) for t, d in asked] == [
            ("dynamodb:PutItem", "allowed"),
            ("dynamodb:DeleteItem", "explicitDeny"),
        ]
        with pytest.raises(ClientError) as raised:
            intern.client("dynamodb").transact_write_items(TransactItems=items)
        assert "dynamodb:DeleteItem" in raised.value.response["Error"]["Message"]
        with pytest.raises(LookupError):
            lab.decide_call(intern.principal, "sqs", "ListQueues")
