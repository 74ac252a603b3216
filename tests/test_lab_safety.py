"""No request made in a Lab leaves the process, and its credentials are fake."""

import json
import os
import socket

import pytest

from labkit import Lab
from labkit.lab.account import ROOT_ACCESS_KEY_ID


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise NetworkUsed(f"connection attempted to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


def test_calls_stay_in_process(no_network):
    with Lab(seed=1) as lab:
        iam, s3, dynamodb = lab.client("iam"), lab.client("s3"), lab.client("dynamodb")
        iam.create_user(UserName="dev")
        iam.put_user_policy(
            UserName="dev",
            PolicyName="all",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        )
        key = iam.create_access_key(UserName="dev")["AccessKey"]
        s3.create_bucket(Bucket="notes")
        s3.put_object(Bucket="notes", Key="a", Body=b"x")
        dynamodb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dev = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
        assert dev.client("s3").get_object(Bucket="notes", Key="a")["Body"].read() == b"x"
        assert dev.client("dynamodb").list_tables()["TableNames"] == ["t"]
        assert dev.client("iam").list_users()["Users"]
        assert dev.client("sts").get_caller_identity()["Account"] == "123456789012"
        lab.client("sts").get_session_token()
    assert no_network == []


def test_environment_credentials_are_fake(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALLOOKINGKEY12")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    with Lab() as lab:
        assert os.environ["AWS_ACCESS_KEY_ID"] == ROOT_ACCESS_KEY_ID
        assert "EXAMPLE" in os.environ["AWS_ACCESS_KEY_ID"]
        assert "AWS_SESSION_TOKEN" not in os.environ
        assert os.environ["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
        # Each call names its account to moto (the Lab's, or a member of its
        # organization's); one account for the whole process would hide the others.
        assert "MOTO_ACCOUNT_ID" not in os.environ
        user = lab.client("iam").create_user(UserName="someone")["User"]
        assert user["Arn"] == "arn:aws:iam::123456789012:user/someone"
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALLOOKINGKEY12"


def test_closed_lab_clients_do_not_reach_aws(no_network):
    lab = Lab()
    iam = lab.client("iam")
    lab.close()
    with pytest.raises(Exception) as excinfo:
        iam.list_users()
    assert "LabClosed" in str(excinfo.value)
    assert no_network == []
