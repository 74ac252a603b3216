"""The Lab speaks with one voice, and refuses what AWS refuses.

Each case cites the AWS documentation page that describes the behaviour.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labkit import Lab
from labkit.lab.handlers import Call
from labkit.lab.services import handler_table

ACCT = "123456789012"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def trust(**principal: str) -> str:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


def error_of(call: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture
def lab():
    with Lab(seed=21) as lab:
        yield lab


def keys(lab: Lab, name: str, *statements: dict[str, Any]) -> dict[str, str]:
    iam = lab.client("iam")
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=doc(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return {
        "aws_access_key_id": key["AccessKeyId"],
        "aws_secret_access_key": key["SecretAccessKey"],
    }


# --- Every client is a real caller ---------------------------------------------------
# AWS General Reference, "Signing AWS API requests": a request is made as the
# principal whose access key signs it; STS API Reference, "Common errors":
# InvalidClientTokenId for a key AWS never issued.


def test_a_plain_boto3_client_is_enforced_as_the_keys_owner(lab: Lab) -> None:
    creds = keys(lab, "dev")
    iam = boto3.client("iam", **creds)
    code, message = error_of(iam.create_user, UserName="mallory")
    assert code == "AccessDenied"
    assert message.startswith(f"User: arn:aws:iam::{ACCT}:user/dev is not authorized")
    assert lab.trail.last.principal == f"arn:aws:iam::{ACCT}:user/dev"
    assert lab.trail.last.action == "iam:CreateUser"
    assert "mallory" not in lab.backend.users


def test_a_session_client_is_enforced_too(lab: Lab) -> None:
    creds = keys(lab, "dev", allow("iam:ListUsers"))
    session = boto3.Session(**creds, region_name="us-east-1")
    assert [u["UserName"] for u in session.client("iam").list_users()["Users"]] == ["dev"]
    assert error_of(session.client("s3").list_buckets)[0] == "AccessDenied"


def test_default_credentials_inside_a_lab_act_as_root(lab: Lab) -> None:
    arn = boto3.client("sts").get_caller_identity()["Arn"]
    assert arn == f"arn:aws:iam::{ACCT}:root"


def test_keys_the_lab_never_issued_are_refused(lab: Lab) -> None:
    iam = boto3.client(
        "iam", aws_access_key_id="AKIAI44QH8DHBEXAMPLE", aws_secret_access_key="x" * 40
    )
    assert error_of(iam.list_users) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )


def test_a_client_made_before_the_lab_cannot_use_outside_credentials(monkeypatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY01")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "r" * 40)
    early = boto3.session.Session(region_name="us-east-1").client("iam")
    with Lab() as lab:
        assert error_of(early.list_users)[0] == "InvalidClientTokenId"
        assert lab.trail.last.principal == "unknown"


@pytest.mark.parametrize(
    "options",
    [
        {"endpoint_url": "http://localhost:4566"},
        {"endpoint_url": "https://iam.example.com"},
        {"config": Config(use_fips_endpoint=True)},
    ],
    ids=["loopback endpoint", "other endpoint", "fips"],
)
def test_clients_told_to_call_elsewhere_are_served_by_the_lab(lab: Lab, options: Any) -> None:
    iam = boto3.client("iam", **options)
    iam.create_user(UserName="ana")
    assert "ana" in lab.backend.users
    assert lab.trail.last.action == "iam:CreateUser"


def test_dual_stack_s3_is_served_by_the_lab(lab: Lab) -> None:
    s3 = boto3.client("s3", config=Config(s3={"use_dualstack_endpoint": True}))
    s3.create_bucket(Bucket="notes")
    assert [b["Name"] for b in lab.client("s3").list_buckets()["Buckets"]] == ["notes"]


def test_a_service_the_lab_does_not_offer_is_named(lab: Lab) -> None:
    code, message = error_of(boto3.client("sqs").list_queues)
    assert code == "NotImplemented"
    assert "Amazon Simple Queue Service" in message and "IAM, STS, S3" in message


# --- iam:PassRole ---------------------------------------------------------------------
# IAM User Guide, "Grant a user permissions to pass a role to an AWS service":
# passing a role needs iam:PassRole on it; iam:PassedToService names the
# service and iam:AssociatedResourceArn the resource it is passed for.


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("f.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


def _admin_role(lab: Lab, name: str, service: str) -> str:
    iam = lab.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(Service=service))
    iam.attach_role_policy(RoleName=name, PolicyArn=ADMIN)
    return arn["Role"]["Arn"]


def test_lambda_create_function_needs_pass_role(lab: Lab) -> None:
    role = _admin_role(lab, "admin-fn", "lambda.amazonaws.com")
    creds = keys(lab, "dev", allow("lambda:CreateFunction"))
    lam = boto3.client("lambda", **creds)
    create = {
        "FunctionName": "f",
        "Runtime": "python3.12",
        "Role": role,
        "Handler": "f.handler",
        "Code": {"ZipFile": _zip()},
    }
    assert error_of(lam.create_function, **create) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::{ACCT}:user/dev is not authorized to perform: iam:PassRole on "
        f"resource: {role} because no identity-based policy allows the iam:PassRole action",
    )
    # Scoped to Lambda with iam:PassedToService and to this function, it works.
    function = f"arn:aws:lambda:us-east-1:{ACCT}:function:f"
    only_here = {
        "StringEquals": {
            "iam:PassedToService": "lambda.amazonaws.com",
            "iam:AssociatedResourceArn": function,
        }
    }
    lab.client("iam").put_user_policy(
        UserName="dev",
        PolicyName="pass",
        PolicyDocument=doc(allow("iam:PassRole", role, Condition=only_here)),
    )
    assert lam.create_function(**create)["FunctionArn"] == function


def test_power_users_cannot_hand_an_administrator_role_to_a_function(lab: Lab) -> None:
    role = _admin_role(lab, "admin-fn", "lambda.amazonaws.com")
    iam = lab.client("iam")
    iam.create_user(UserName="dev")
    iam.attach_user_policy(UserName="dev", PolicyArn="arn:aws:iam::aws:policy/PowerUserAccess")
    key = iam.create_access_key(UserName="dev")["AccessKey"]
    lam = boto3.client(
        "lambda",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
    )
    code, message = error_of(
        lam.create_function,
        FunctionName="f",
        Runtime="python3.12",
        Role=role,
        Handler="f.handler",
        Code={"ZipFile": _zip()},
    )
    assert code == "AccessDeniedException" and "iam:PassRole" in message


def test_lambda_refuses_a_role_it_cannot_assume(lab: Lab) -> None:
    # AWS Lambda Developer Guide, "Lambda execution role": the role must trust Lambda.
    role = _admin_role(lab, "ec2-only", "ec2.amazonaws.com")
    code, message = error_of(
        lab.client("lambda").create_function,
        FunctionName="f",
        Runtime="python3.12",
        Role=role,
        Handler="f.handler",
        Code={"ZipFile": _zip()},
    )
    assert (code, message) == (
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    )


def test_ec2_instance_profiles_pass_their_role(lab: Lab) -> None:
    # IAM User Guide, "Use an IAM role to grant permissions to applications
    # running on Amazon EC2 instances": launching with a profile passes its role.
    role = _admin_role(lab, "box", "ec2.amazonaws.com")
    iam = lab.client("iam")
    iam.create_instance_profile(InstanceProfileName="box")
    iam.add_role_to_instance_profile(InstanceProfileName="box", RoleName="box")
    ec2 = boto3.client("ec2", **keys(lab, "dev", allow("ec2:*")))
    code, message = error_of(
        ec2.run_instances,
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        IamInstanceProfile={"Name": "box"},
    )
    assert code == "UnauthorizedOperation"
    assert message.startswith(
        "You are not authorized to perform this operation. User: "
        f"arn:aws:iam::{ACCT}:user/dev is not authorized to perform: iam:PassRole on resource: "
        f"{role} because no identity-based policy allows the iam:PassRole action. Encoded "
        "authorization failure message: "
    )
    ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)  # no role: no PassRole


def test_the_encoded_authorization_message_decodes(lab: Lab) -> None:
    # STS API Reference, DecodeAuthorizationMessage.
    creds = keys(lab, "dev", allow("sts:DecodeAuthorizationMessage"))
    _code, message = error_of(boto3.client("ec2", **creds).describe_instances)
    encoded = message.rsplit("Encoded authorization failure message: ", 1)[1]
    decoded = boto3.client("sts", **creds).decode_authorization_message(EncodedMessage=encoded)
    details = json.loads(decoded["DecodedMessage"])
    assert details["allowed"] is False and details["explicitDeny"] is False
    assert details["context"]["action"] == "ec2:DescribeInstances"


def test_cloudformation_service_roles_are_passed(lab: Lab) -> None:
    # AWS CloudFormation User Guide, "AWS CloudFormation service role".
    role = _admin_role(lab, "stacks", "cloudformation.amazonaws.com")
    cfn = boto3.client("cloudformation", **keys(lab, "dev", allow("cloudformation:*")))
    code, message = error_of(
        cfn.create_stack, StackName="s", TemplateBody='{"Resources": {}}', RoleARN=role
    )
    assert code == "AccessDenied" and f"iam:PassRole on resource: {role}" in message


# --- DynamoDB: transactions per item, PartiQL per statement ----------------------------
# Amazon DynamoDB Developer Guide, "Using IAM with DynamoDB transactions" and
# "IAM security policies with PartiQL for DynamoDB".


@pytest.fixture
def orders(lab: Lab) -> str:
    lab.client("dynamodb").create_table(
        TableName="orders",
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    lab.client("dynamodb").put_item(TableName="orders", Item={"order_id": {"S": "1"}})
    return f"arn:aws:dynamodb:us-east-1:{ACCT}:table/orders"


def test_a_deny_on_delete_item_also_stops_a_transactional_delete(lab: Lab, orders: str) -> None:
    deny = {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": "*"}
    ddb = boto3.client("dynamodb", **keys(lab, "intern", allow("dynamodb:*"), deny))
    code, message = error_of(
        ddb.transact_write_items,
        TransactItems=[{"Delete": {"TableName": "orders", "Key": {"order_id": {"S": "1"}}}}],
    )
    assert code == "AccessDeniedException"
    assert "dynamodb:DeleteItem on resource: " + orders in message
    assert lab.client("dynamodb").get_item(TableName="orders", Key={"order_id": {"S": "1"}})["Item"]


def test_least_privilege_works_for_transactions(lab: Lab, orders: str) -> None:
    ddb = boto3.client(
        "dynamodb", **keys(lab, "app", allow(["dynamodb:PutItem", "dynamodb:GetItem"], orders))
    )
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "orders", "Item": {"order_id": {"S": "2"}}}}]
    )
    got = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": "orders", "Key": {"order_id": {"S": "2"}}}}]
    )
    assert got["Responses"][0]["Item"] == {"order_id": {"S": "2"}}


def test_transactions_carry_their_enclosing_operation(lab: Lab, orders: str) -> None:
    only_in_transactions = {
        "ForAnyValue:StringEquals": {"dynamodb:EnclosingOperation": ["TransactWriteItems"]}
    }
    ddb = boto3.client(
        "dynamodb",
        **keys(lab, "app", allow("dynamodb:PutItem", orders, Condition=only_in_transactions)),
    )
    assert error_of(ddb.put_item, TableName="orders", Item={"order_id": {"S": "3"}})[0] == (
        "AccessDeniedException"
    )
    ddb.transact_write_items(
        TransactItems=[{"Put": {"TableName": "orders", "Item": {"order_id": {"S": "3"}}}}]
    )


def test_partiql_is_authorized_per_statement(lab: Lab, orders: str) -> None:
    ddb = boto3.client("dynamodb", **keys(lab, "reader", allow("dynamodb:PartiQLSelect", orders)))
    assert ddb.execute_statement(Statement='SELECT * FROM "orders"')["Items"]
    code, message = error_of(
        ddb.execute_statement, Statement="DELETE FROM orders WHERE order_id='1'"
    )
    assert code == "AccessDeniedException" and "dynamodb:PartiQLDelete" in message


# --- Session tags and source identity -----------------------------------------------------
# IAM User Guide, "Passing session tags in AWS STS" (sts:TagSession) and
# "Monitor and control actions taken with assumed roles" (sts:SetSourceIdentity).


def test_session_tags_and_source_identity_need_the_trust_policys_leave(lab: Lab) -> None:
    creds = keys(lab, "dev")
    dev = f"arn:aws:iam::{ACCT}:user/dev"
    iam = lab.client("iam")
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument=trust(AWS=dev))["Role"]["Arn"]
    sts = boto3.client("sts", **creds)
    tags = [{"Key": "team", "Value": "data"}]
    assert error_of(sts.assume_role, RoleArn=role, RoleSessionName="s1", Tags=tags) == (
        "AccessDenied",
        f"User: {dev} is not authorized to perform: sts:TagSession on resource: {role}",
    )
    assert error_of(sts.assume_role, RoleArn=role, RoleSessionName="s1", SourceIdentity="dev")[
        1
    ].endswith(f"sts:SetSourceIdentity on resource: {role}")
    both = {
        "Effect": "Allow",
        "Principal": {"AWS": dev},
        "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
    }
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=doc(both))
    answer = sts.assume_role(RoleArn=role, RoleSessionName="s1", Tags=tags, SourceIdentity="dev")
    assert answer["SourceIdentity"] == "dev"


# --- AWS managed policies belong to AWS -----------------------------------------------------
# IAM User Guide, "AWS managed policies": "You cannot change the permissions
# defined in AWS managed policies."


@pytest.mark.parametrize("attached_first", [False, True])
def test_aws_managed_policies_cannot_be_changed(lab: Lab, attached_first: bool) -> None:
    iam = lab.client("iam")
    if attached_first:
        iam.create_user(UserName="ana")
        iam.attach_user_policy(UserName="ana", PolicyArn=READ_ONLY)
    before = iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["DefaultVersionId"]
    code, message = error_of(
        iam.create_policy_version,
        PolicyArn=READ_ONLY,
        PolicyDocument=doc(allow("*")),
        SetAsDefault=True,
    )
    assert code == "AccessDenied"
    assert message == (
        f"User: arn:aws:iam::{ACCT}:root is not authorized to perform: "
        f"iam:CreatePolicyVersion on resource: policy {READ_ONLY}"
    )
    assert error_of(iam.set_default_policy_version, PolicyArn=READ_ONLY, VersionId="v1")[0] == (
        "AccessDenied"
    )
    assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["DefaultVersionId"] == before


# --- Words that are AWS's ------------------------------------------------------------------
# IAM API Reference, CreatePolicy: MalformedPolicyDocument.


def test_a_json_syntax_error_is_reported_in_iams_words_only(lab: Lab) -> None:
    assert error_of(
        lab.client("iam").create_policy, PolicyName="p", PolicyDocument='{"Statement": [}'
    ) == ("MalformedPolicyDocument", "Syntax errors in policy.")


# --- One source of policy truth --------------------------------------------------------------
# IAM User Guide, "Set an account password policy for IAM users": with
# AllowUsersToChangePassword, IAM lets every user change their own password
# as if the AWS managed policy IAMUserChangePassword were attached.


def test_the_simulator_counts_account_level_grants(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="ana")
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    answer = iam.simulate_principal_policy(
        PolicySourceArn=f"arn:aws:iam::{ACCT}:user/ana",
        ActionNames=["iam:ChangePassword", "iam:GetAccountPasswordPolicy"],
        ResourceArns=[f"arn:aws:iam::{ACCT}:user/ana"],
    )
    assert [r["EvalDecision"] for r in answer["EvaluationResults"]] == ["allowed", "allowed"]


def test_exercise_checks_count_the_resources_own_policy(lab: Lab) -> None:
    from labkit.exercises.questions import decides

    lab.client("iam").create_user(UserName="sam")
    s3 = lab.client("s3")
    s3.create_bucket(Bucket="contractor-sam")
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/sam"},
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::contractor-sam/*",
    }
    s3.put_bucket_policy(Bucket="contractor-sam", Policy=doc(grant))
    assert decides("sam", "s3:PutObject", "arn:aws:s3:::contractor-sam/plan.pdf", "allowed")(lab)


def test_the_evaluation_diagram_draws_the_boundary_the_decision_skipped(lab: Lab) -> None:
    # IAM User Guide, "Policy evaluation logic": in the same account, a
    # resource-based policy that names the user allows the request even where
    # the user's permissions boundary does not.
    from labkit.diagrams import evaluation

    iam = lab.client("iam")
    narrow = iam.create_policy(PolicyName="OnlyIam", PolicyDocument=doc(allow("iam:*")))
    iam.create_user(UserName="ann", PermissionsBoundary=narrow["Policy"]["Arn"])
    s3 = lab.client("s3")
    s3.create_bucket(Bucket="notes")
    grant = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCT}:user/ann"},
        "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::notes/*",
    }
    s3.put_bucket_policy(Bucket="notes", Policy=doc(grant))
    decision = lab.decide(
        lab.principal_of(f"arn:aws:iam::{ACCT}:user/ann"), "s3:GetObject", "arn:aws:s3:::notes/a"
    )
    assert decision.allowed and decision.verdicts["boundary"] == "implicitDeny"
    source = evaluation(decision).source
    taken = {
        tuple(part.strip() for part in line.split("[")[0].split("->"))
        for line in source.splitlines()
        if "->" in line and "class=taken" in line
    }
    assert taken == {("request", "q_deny"), ("q_deny", "q_allow"), ("q_allow", "r_allowed")}


def test_an_unreadable_stored_policy_is_named_not_skipped(lab: Lab) -> None:
    creds = keys(lab, "dev", allow("s3:*"))
    lab.backend.users["dev"].policies["broken"] = "{not json"  # past IAM's checks
    lab.invalidate()
    code, message = error_of(boto3.client("s3", **creds).list_buckets)
    assert code == "UnreadablePolicy"
    assert "inline policy broken of user dev cannot be read" in message


def test_two_handlers_for_one_operation_are_refused() -> None:
    def one(call: Call) -> None:
        return None

    with pytest.raises(RuntimeError, match="Two handlers claim the operation 'CreateUser'"):
        handler_table({"CreateUser": one}, {"CreateUser": one})


# --- Sessions end with their account ----------------------------------------------------------


def test_reset_ends_every_session_issued_before(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="cto")
    iam.create_login_profile(UserName="cto", Password="Cto-Runs-It-All-3")
    console = lab.sign_in("cto", "Cto-Runs-It-All-3")
    creds = keys(lab, "dev")
    lab.reset()
    iam = lab.client("iam")
    iam.create_user(UserName="cto")  # the same name again: a different user
    iam.create_login_profile(UserName="cto", Password="Cto-Runs-It-All-3")
    assert error_of(console.client("sts").get_caller_identity)[0] == "InvalidClientTokenId"
    assert error_of(boto3.client("sts", **creds).get_caller_identity)[0] == "InvalidClientTokenId"


def test_close_ends_every_session() -> None:
    lab = Lab()
    lab.client("iam").create_user(UserName="dev")
    key = lab.client("iam").create_access_key(UserName="dev")["AccessKey"]
    session = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    lab.close()
    with pytest.raises(Exception) as raised:
        session.principal  # noqa: B018
    assert getattr(raised.value, "code", "") == "InvalidClientTokenId"
