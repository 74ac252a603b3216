"""The Lab's local endpoint: ``lab.serve()`` answers any client, in any process,
signed with keys the Lab issued, under the same enforcement as the kernel.

Signature Version 4 is checked as AWS checks it (IAM User Guide,
"Troubleshoot Signature Version 4 signing for AWS API requests";
IAM API Reference, "Common Error Types"): an access key AWS does not know is
``InvalidClientTokenId``, a signature computed with another secret
``SignatureDoesNotMatch``, an expired session token ``ExpiredToken``, each in
the service's own error shape (query XML for IAM and STS; JSON for DynamoDB,
"Error handling with DynamoDB"; S3's XML ``<Error>``, S3 API Reference,
"Error responses").
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.credentials import EXPIRED, INVALID_TOKEN, SIGNATURE

ACCOUNT = "123456789012"
NO_RETRIES = Config(retries={"total_max_attempts": 1})
IAM_XMLNS = "{https://iam.amazonaws.com/doc/2010-05-08/}"


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=21) as lab:
        yield lab


@pytest.fixture
def server(lab: Lab) -> Iterator[Any]:
    with lab.serve() as server:
        yield server


def user_keys(lab: Lab, user: str, *policies: str) -> dict[str, str]:
    """Access keys of a new user with these AWS managed policies attached."""
    iam = lab.client("iam")
    iam.create_user(UserName=user)
    for policy in policies:
        iam.attach_user_policy(UserName=user, PolicyArn=f"arn:aws:iam::aws:policy/{policy}")
    return dict(iam.create_access_key(UserName=user)["AccessKey"])


def endpoint_client(server: Any, service: str, key: str, secret: str, token: str | None = None):
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=NO_RETRIES,
    )


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["Error"]["Message"],
        response["ResponseMetadata"]["HTTPStatusCode"],
    )


def send(
    server: Any,
    method: str,
    path: str,
    service: str,
    key: str,
    secret: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    tamper: Callable[[bytes], bytes] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """A request signed by botocore's SigV4 signer, sent as raw HTTP."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    request = AWSRequest(method=method, url=server.url + path, data=body, headers=headers or {})
    if service == "s3":
        request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials(key, secret), service, "us-east-1").add_auth(request)
    return raw(server, method, path, tamper(body) if tamper else body, dict(request.headers))


def raw(
    server: Any, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}


def iam_query(action: str) -> bytes:
    return urlencode({"Action": action, "Version": "2010-05-08"}).encode()


# --- acting through the endpoint ----------------------------------------------------


def test_a_user_acts_through_the_endpoint(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "auditor", "IAMReadOnlyAccess")
    iam = endpoint_client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    before = len(lab.trail)
    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["auditor"]
    with pytest.raises(ClientError) as raised:
        iam.create_user(UserName="intruder")
    code, message, status = error_of(raised)
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/auditor is not authorized to perform: "
        f"iam:CreateUser on resource: arn:aws:iam::{ACCOUNT}:user/intruder because no "
        "identity-based policy allows the iam:CreateUser action"
    )
    events = list(lab.trail)[before:]  # each call enforced once, and recorded once
    assert [(e.principal, e.operation, e.decision) for e in events] == [
        (f"arn:aws:iam::{ACCOUNT}:user/auditor", "ListUsers", "allowed"),
        (f"arn:aws:iam::{ACCOUNT}:user/auditor", "CreateUser", "implicitDeny"),
    ]


def test_a_lab_client_given_the_endpoint_is_enforced_once(lab: Lab, server: Any) -> None:
    iam = lab.client("iam", endpoint_url=server.url)
    before = len(lab.trail)
    iam.create_user(UserName="through-the-endpoint")
    assert [(e.principal, e.operation) for e in list(lab.trail)[before:]] == [
        (f"arn:aws:iam::{ACCOUNT}:root", "CreateUser")
    ]


def test_sts_answers_the_lab_makes_itself(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev")
    sts = endpoint_client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    assert sts.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dev"
    issued = sts.get_session_token(DurationSeconds=900)["Credentials"]
    assert issued["AccessKeyId"].startswith("ASIA")
    assert issued["Expiration"].timestamp() == pytest.approx(lab.clock.time() + 900, abs=2)
    session = endpoint_client(
        server, "sts", issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"]
    )
    assert session.get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dev"


def test_a_blob_from_the_labs_own_answer(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "admin", "AdministratorAccess")
    iam = endpoint_client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="admin")["VirtualMFADevice"]
    assert device["QRCodePNG"].startswith(b"\x89PNG\r\n\x1a\n")
    assert device["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/admin"


def test_s3_and_dynamodb_through_the_endpoint(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev", "AmazonS3FullAccess", "AmazonDynamoDBFullAccess")
    s3 = endpoint_client(server, "s3", key["AccessKeyId"], key["SecretAccessKey"])
    s3.create_bucket(Bucket="company-notes")
    s3.put_object(
        Bucket="company-notes", Key="q1/plan 2026.txt", Body=b"ship", Metadata={"Team": "a"}
    )
    got = s3.get_object(Bucket="company-notes", Key="q1/plan 2026.txt")
    assert (got["Body"].read(), got["Metadata"]) == (b"ship", {"team": "a"})
    assert s3.head_object(Bucket="company-notes", Key="q1/plan 2026.txt")["ContentLength"] == 4
    listed = s3.list_objects_v2(Bucket="company-notes", Prefix="q1/")["Contents"]
    assert [o["Key"] for o in listed] == ["q1/plan 2026.txt"]
    with pytest.raises(ClientError) as raised:
        s3.get_object(Bucket="company-notes", Key="missing")
    assert error_of(raised)[0] == "NoSuchKey"

    dynamodb = endpoint_client(server, "dynamodb", key["AccessKeyId"], key["SecretAccessKey"])
    dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="orders", Item={"id": {"S": "1"}, "total": {"N": "42"}})
    item = dynamodb.get_item(TableName="orders", Key={"id": {"S": "1"}})["Item"]
    assert item == {"id": {"S": "1"}, "total": {"N": "42"}}
    with pytest.raises(ClientError) as raised:
        dynamodb.describe_table(TableName="missing")
    assert error_of(raised)[:2] == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: missing not found",
    )


def test_a_service_the_lab_does_not_offer(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev")
    sqs = endpoint_client(server, "sqs", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(ClientError) as raised:
        sqs.list_queues()
    code, message, status = error_of(raised)
    assert (code, status) == ("NotImplemented", 501)
    assert message.startswith("The Lab's account does not offer Amazon Simple Queue Service")


def test_an_unknown_action(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev")
    status, _, body = send(
        server,
        "POST",
        "/",
        "iam",
        key["AccessKeyId"],
        key["SecretAccessKey"],
        iam_query("ListUserz"),
        FORM,
    )
    error = ElementTree.fromstring(body).find(f"{IAM_XMLNS}Error")
    assert status == 400 and error is not None
    assert error.findtext(f"{IAM_XMLNS}Code") == "InvalidAction"
    assert error.findtext(f"{IAM_XMLNS}Message") == (
        "Could not find operation ListUserz for version 2010-05-08"
    )


# --- Signature Version 4 -----------------------------------------------------------------


def test_an_unknown_key_is_refused(lab: Lab, server: Any) -> None:
    iam = endpoint_client(server, "iam", "AKIAIOSFODNN7UNKNOWN", "x" * 40)
    with pytest.raises(ClientError) as raised:
        iam.list_users()
    assert error_of(raised) == ("InvalidClientTokenId", INVALID_TOKEN, 403)
    event = lab.trail.last  # refused where every call is, and recorded
    assert event is not None
    assert (event.principal, event.error_code) == ("unknown", "InvalidClientTokenId")


def test_a_wrong_secret_is_refused(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev", "IAMReadOnlyAccess")
    iam = endpoint_client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"][::-1])
    with pytest.raises(ClientError) as raised:
        iam.list_users()
    assert error_of(raised) == ("SignatureDoesNotMatch", SIGNATURE, 403)


def test_a_changed_request_no_longer_matches_its_signature(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev", "IAMReadOnlyAccess")
    args = (server, "POST", "/", "iam", key["AccessKeyId"], key["SecretAccessKey"])
    assert send(*args, iam_query("ListUsers"), FORM)[0] == 200
    status, headers, body = send(
        *args, iam_query("ListUsers"), FORM, tamper=lambda b: b.replace(b"ListUsers", b"ListRoles")
    )
    assert status == 403
    root = ElementTree.fromstring(body)
    assert root.tag == f"{IAM_XMLNS}ErrorResponse"
    assert root.findtext(f"{IAM_XMLNS}Error/{IAM_XMLNS}Type") == "Sender"
    assert root.findtext(f"{IAM_XMLNS}Error/{IAM_XMLNS}Code") == "SignatureDoesNotMatch"
    assert root.findtext(f"{IAM_XMLNS}Error/{IAM_XMLNS}Message") == SIGNATURE
    assert root.findtext(f"{IAM_XMLNS}RequestId") == headers["x-amzn-RequestId"]


def test_an_expired_session_is_refused(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev")
    sts = endpoint_client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    issued = sts.get_session_token(DurationSeconds=900)["Credentials"]
    session = endpoint_client(
        server, "sts", issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"]
    )
    session.get_caller_identity()
    lab.clock.advance(901)
    with pytest.raises(ClientError) as raised:
        session.get_caller_identity()
    assert error_of(raised) == ("ExpiredToken", EXPIRED, 403)


def test_a_token_that_is_not_the_sessions_is_refused(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev")
    sts = endpoint_client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    issued = sts.get_session_token()["Credentials"]
    forged = endpoint_client(
        server, "sts", issued["AccessKeyId"], issued["SecretAccessKey"], "IQoJforged"
    )
    with pytest.raises(ClientError) as raised:
        forged.get_caller_identity()
    assert error_of(raised) == ("InvalidClientTokenId", INVALID_TOKEN, 403)


def test_refusals_in_dynamodbs_json(lab: Lab, server: Any) -> None:
    body = json.dumps({}).encode()
    headers = {
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Content-Type": "application/x-amz-json-1.0",
    }
    status, _, answer = send(
        server, "POST", "/", "dynamodb", "AKIAIOSFODNN7UNKNOWN", "x" * 40, body, headers
    )
    # DynamoDB answers refused credentials with HTTP 400 ("Error handling with DynamoDB").
    assert status == 400
    assert json.loads(answer) == {
        "__type": "com.amazon.coral.service#UnrecognizedClientException",
        "message": INVALID_TOKEN,
    }
    key = user_keys(lab, "dev")
    status, _, answer = send(
        server, "POST", "/", "dynamodb", key["AccessKeyId"], "y" * 40, body, headers
    )
    assert (status, json.loads(answer)["__type"]) == (
        400,
        "com.amazon.coral.service#InvalidSignatureException",
    )


def test_refusals_in_s3s_xml(lab: Lab, server: Any) -> None:
    status, headers, answer = send(server, "GET", "/", "s3", "AKIAIOSFODNN7UNKNOWN", "x" * 40)
    assert status == 403
    error = ElementTree.fromstring(answer)
    assert error.tag == "Error"
    assert error.findtext("Code") == "InvalidAccessKeyId"
    assert error.findtext("Message") == (
        "The AWS Access Key Id you provided does not exist in our records."
    )
    assert error.findtext("RequestId") == headers["x-amz-request-id"]
    assert len(error.findtext("RequestId") or "") == 16


def test_a_request_without_a_signature(server: Any) -> None:
    status, _, body = raw(server, "POST", "/", iam_query("ListUsers"), FORM)
    assert status == 403
    root = ElementTree.fromstring(body)
    assert root.findtext("Error/Code") == "MissingAuthenticationToken"
    assert root.findtext("Error/Message") == "Request is missing Authentication Token"


def test_an_incomplete_authorization_header(server: Any) -> None:
    headers = {
        **FORM,
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/iam/aws4_request",
        "X-Amz-Date": "20260101T000000Z",
    }
    status, _, body = raw(server, "POST", "/", iam_query("ListUsers"), headers)
    assert status == 400
    message = ElementTree.fromstring(body).findtext("Error/Message") or ""
    assert ElementTree.fromstring(body).findtext("Error/Code") == "IncompleteSignature"
    assert message.startswith(
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter."
    )


def test_presigned_urls(lab: Lab, server: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    key = user_keys(lab, "dev", "AmazonS3FullAccess")
    s3 = boto3.client(
        "s3",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        config=Config(signature_version="s3v4", retries={"total_max_attempts": 1}),
    )
    s3.create_bucket(Bucket="shared")
    s3.put_object(Bucket="shared", Key="report.txt", Body=b"quarterly")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "shared", "Key": "report.txt"})
    path = url[len(server.url) :]
    assert "X-Amz-Signature=" in path
    assert raw(server, "GET", path)[::2] == (200, b"quarterly")
    status, _, body = raw(server, "GET", path.replace("report.txt", "other.txt"))
    assert (status, ElementTree.fromstring(body).findtext("Code")) == (403, "SignatureDoesNotMatch")

    import botocore.auth

    an_hour_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: an_hour_ago)
    stale = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "shared", "Key": "report.txt"}, ExpiresIn=60
    )
    status, _, body = raw(server, "GET", stale[len(server.url) :])
    error = ElementTree.fromstring(body)
    assert (status, error.findtext("Code"), error.findtext("Message")) == (
        403,
        "AccessDenied",
        "Request has expired",
    )


def test_signature_version_2_is_refused_as_s3_does(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev", "AmazonS3FullAccess")
    s3 = endpoint_client(server, "s3", key["AccessKeyId"], key["SecretAccessKey"])
    s3.create_bucket(Bucket="shared")
    # boto3 presigns S3 URLs with Signature Version 2 unless told "s3v4".
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "shared", "Key": "k"})
    assert "AWSAccessKeyId=" in url and "Signature=" in url
    status, _, body = raw(server, "GET", url[len(server.url) :])
    error = ElementTree.fromstring(body)
    assert (status, error.findtext("Code")) == (400, "InvalidRequest")
    assert error.findtext("Message") == (
        "The authorization mechanism you have provided is not supported. "
        "Please use AWS4-HMAC-SHA256."
    )


# --- other processes ---------------------------------------------------------------------

# A second process: boto3 against the endpoint, refusing any connection that
# is not to this machine, with no credentials but the ones it is given.
SECOND_PROCESS = r"""
import ipaddress, json, os, socket, sys
connect = socket.socket.connect
def loopback_only(self, address):
    if isinstance(address, tuple) and not ipaddress.ip_address(address[0]).is_loopback:
        raise OSError(f"refused to connect to {address!r}")
    return connect(self, address)
socket.socket.connect = loopback_only

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

url, key, secret = sys.argv[1:4]
def client(service, key=key, secret=secret, token=None):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        aws_session_token=token,
                        config=Config(retries={"total_max_attempts": 1}))
out = {"caller": client("sts").get_caller_identity()["Arn"]}
out["users"] = [u["UserName"] for u in client("iam").list_users()["Users"]]
try:
    client("iam").create_user(UserName="intruder")
except ClientError as error:
    out["denied"] = error.response["Error"]["Code"]
issued = client("sts").get_session_token()["Credentials"]
session = client("sts", issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"])
out["session"] = session.get_caller_identity()["Arn"]
s3 = client("s3")
s3.create_bucket(Bucket="from-another-process")
s3.put_object(Bucket="from-another-process", Key="k", Body=b"hello")
out["object"] = s3.get_object(Bucket="from-another-process", Key="k")["Body"].read().decode()
try:
    client("iam", secret="x" * 40).list_users()
except ClientError as error:
    out["wrong_secret"] = error.response["Error"]["Code"]
print(json.dumps(out))
"""


def clean_environment(home: Path) -> dict[str, str]:
    """A child's environment: no AWS credentials, no profile files of this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(home / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def test_boto3_in_another_process(lab: Lab, server: Any, tmp_path: Path) -> None:
    key = user_keys(lab, "analyst", "IAMReadOnlyAccess", "AmazonS3FullAccess")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SECOND_PROCESS,
            server.url,
            key["AccessKeyId"],
            key["SecretAccessKey"],
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=clean_environment(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "caller": f"arn:aws:iam::{ACCOUNT}:user/analyst",
        "users": ["analyst"],
        "denied": "AccessDenied",
        "session": f"arn:aws:iam::{ACCOUNT}:user/analyst",
        "object": "hello",
        "wrong_secret": "SignatureDoesNotMatch",
    }
    assert lab.trail.filter(principal="analyst", error_code="AccessDenied")[0].action == (
        "iam:CreateUser"
    )
    assert "from-another-process" in [b["Name"] for b in lab.client("s3").list_buckets()["Buckets"]]


def test_the_aws_cli_in_a_terminal(lab: Lab, server: Any, tmp_path: Path) -> None:
    aws = shutil.which("aws", path=os.path.dirname(sys.executable))
    if aws is None:
        pytest.skip("the aws command is not installed next to this Python")
    key = user_keys(lab, "dev", "IAMReadOnlyAccess")
    env = clean_environment(tmp_path)

    def terminal(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [aws, *args], capture_output=True, text=True, timeout=300, env=env, check=False
        )

    for setting, value in (
        ("aws_access_key_id", key["AccessKeyId"]),
        ("aws_secret_access_key", key["SecretAccessKey"]),
        ("region", "us-east-1"),
    ):
        assert terminal("configure", "set", setting, value, "--profile", "dev").returncode == 0
    listed = terminal("--endpoint-url", server.url, "--profile", "dev", "iam", "list-users")
    assert listed.returncode == 0, listed.stderr
    assert [u["UserName"] for u in json.loads(listed.stdout)["Users"]] == ["dev"]
    denied = terminal(
        "--endpoint-url",
        server.url,
        "--profile",
        "dev",
        "iam",
        "create-group",
        "--group-name",
        "Admins",
    )
    assert denied.returncode == 255
    assert denied.stderr.strip() == (
        "An error occurred (AccessDenied) when calling the CreateGroup operation: "
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: "
        f"iam:CreateGroup on resource: arn:aws:iam::{ACCOUNT}:group/Admins because no "
        "identity-based policy allows the iam:CreateGroup action"
    )


def test_calls_from_many_threads_take_turns(lab: Lab, server: Any) -> None:
    key = user_keys(lab, "dev", "IAMFullAccess")
    before = len(lab.trail)
    failures: list[BaseException] = []

    def work(index: int) -> None:
        try:
            iam = endpoint_client(server, "iam", key["AccessKeyId"], key["SecretAccessKey"])
            for n in range(5):
                iam.create_group(GroupName=f"group-{index}-{n}")
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert len(lab.trail) - before == 30
    assert len(lab.client("iam").list_groups()["Groups"]) == 30


# --- the endpoint's life: loopback only, and stopped with its Lab --------------------------


def test_the_endpoint_listens_on_loopback_only(server: Any) -> None:
    assert server.host == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server._httpd.socket.getsockname()[0] == "127.0.0.1"


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def test_stopping_frees_the_port(lab: Lab) -> None:
    server = lab.serve()
    key = user_keys(lab, "dev")
    sts = endpoint_client(server, "sts", key["AccessKeyId"], key["SecretAccessKey"])
    sts.get_caller_identity()  # a kept-alive connection, closed on stop
    assert server.running and lab.endpoint_urls == (server.url,)
    server.stop()
    assert not server.running and lab.endpoint_urls == ()
    assert refused(server.port)
    with lab.serve(port=server.port) as again:  # the port is free for another endpoint
        assert again.running
        assert sts.get_caller_identity()["Arn"].endswith(":user/dev")


def test_the_endpoint_stops_with_its_lab() -> None:
    lab = Lab(seed=1)
    server = lab.serve()
    lab.reset()
    assert not server.running and refused(server.port)
    second = lab.serve()
    lab.close()
    assert not second.running and refused(second.port)
    with pytest.raises(RuntimeError):
        lab.serve()
