"""The Lab's lifecycle, callers, sign-in and credentials."""

import os

import pytest
from botocore.exceptions import ClientError

import labkit
from labkit import Lab, SignInError
from labkit.lab.account import MFA_REQUIRED, SIGN_IN_FAILED, active_lab

ACCT = "123456789012"


@pytest.fixture
def lab():
    with Lab(seed=11) as lab:
        yield lab


def _user_with_keys(lab, name="dev"):
    iam = lab.client("iam")
    iam.create_user(UserName=name)
    return iam.create_access_key(UserName=name)["AccessKey"]


def test_attributes(lab):
    assert (lab.account_id, lab.region) == (ACCT, "us-east-1")
    assert lab.backend.account_id == ACCT
    assert lab.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCT}:root"
    assert lab.mfa is not None and lab.passwords is not None
    assert repr(lab).startswith("Lab(account 123456789012")


def test_package_exports():
    assert {"Lab", "SignInError", "AwsError"} <= set(labkit.__all__)
    assert labkit.AwsError("X", "y").code == "X"


def test_new_lab_replaces_the_previous_one():
    first = Lab()
    first.client("iam").create_user(UserName="a")
    second = Lab()
    try:
        assert first.closed and active_lab() is second
        assert second.client("iam").list_users()["Users"] == []
        with pytest.raises(ClientError) as excinfo:
            first.client  # noqa: B018 - the attribute still exists
            stale = second.client("iam")
            second.close()
            stale.list_users()
        assert excinfo.value.response["Error"]["Code"] == "LabClosed"
    finally:
        second.close()


def test_plain_object_and_close_restore_environment(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "production")
    lab = Lab()
    assert "AWS_PROFILE" not in os.environ
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    lab.close()
    assert os.environ["AWS_PROFILE"] == "production"


def test_reset_empties_the_account(lab):
    lab.client("iam").create_user(UserName="x")
    lab.client("s3").create_bucket(Bucket="notes")
    lab.reset()
    assert lab.client("iam").list_users()["Users"] == []
    assert lab.client("s3").list_buckets()["Buckets"] == []
    assert len(lab.trail) == 2  # only the two calls above after the reset


def _ids(seed):
    with Lab(seed=seed) as lab:
        iam = lab.client("iam")
        user = iam.create_user(UserName="u")["User"]
        key = iam.create_access_key(UserName="u")["AccessKey"]
        role = iam.create_role(
            RoleName="r",
            AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
            '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}]}',
        )["Role"]
        mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="u")["VirtualMFADevice"]
        return (
            user["UserId"],
            key["AccessKeyId"],
            key["SecretAccessKey"],
            role["RoleId"],
            mfa["Base32StringSeed"],
            lab.random.random(),
        )


def test_seed_makes_ids_reproducible():
    assert _ids(5) == _ids(5)
    assert _ids(5) != _ids(6)


def test_session_for_user_keys(lab):
    key = _user_with_keys(lab)
    session = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    assert session.arn == f"arn:aws:iam::{ACCT}:user/dev"
    assert session.client("sts").get_caller_identity()["Arn"] == session.arn


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (
            "wrong-secret",
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match",
        ),
        (
            "unknown-key",
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        (
            "inactive",
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        (
            "deleted",
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
    ],
)
def test_refused_keys(lab, change, code, message):
    key = _user_with_keys(lab)
    key_id, secret = key["AccessKeyId"], key["SecretAccessKey"]
    if change == "wrong-secret":
        secret = "x" * 40
    elif change == "unknown-key":
        key_id = "AKIAAAAAAAAAAAAAAAAA"
    elif change == "inactive":
        lab.client("iam").update_access_key(UserName="dev", AccessKeyId=key_id, Status="Inactive")
    else:
        lab.client("iam").delete_access_key(UserName="dev", AccessKeyId=key_id)
    with pytest.raises(ClientError) as excinfo:
        lab.session_for_keys(key_id, secret)
    assert excinfo.value.response["Error"]["Code"] == code
    assert excinfo.value.response["Error"]["Message"].startswith(message)


@pytest.mark.parametrize(
    ("service", "call", "code"),
    [
        ("iam", lambda c: c.list_users(), "InvalidClientTokenId"),
        ("dynamodb", lambda c: c.list_tables(), "UnrecognizedClientException"),
        ("s3", lambda c: c.list_buckets(), "InvalidAccessKeyId"),
    ],
)
def test_key_deactivated_later_stops_working(lab, service, call, code):
    key = _user_with_keys(lab)
    session = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    client = session.client(service)
    lab.client("iam").update_access_key(
        UserName="dev", AccessKeyId=key["AccessKeyId"], Status="Inactive"
    )
    with pytest.raises(ClientError) as excinfo:
        call(client)
    assert excinfo.value.response["Error"]["Code"] == code


def test_temporary_credentials_expire(lab):
    key = _user_with_keys(lab)
    user = lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])
    creds = user.client("sts").get_session_token(DurationSeconds=900)["Credentials"]
    temp = lab.session_for_keys(
        creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
    )
    assert creds["AccessKeyId"].startswith("ASIA")
    assert temp.arn == user.arn
    sts = temp.client("sts")
    sts.get_caller_identity()
    lab.clock.advance(901)
    with pytest.raises(ClientError) as excinfo:
        sts.get_caller_identity()
    assert excinfo.value.response["Error"] == {
        "Code": "ExpiredToken",
        "Message": "The security token included in the request is expired",
        "Type": "Sender",
    }
    with pytest.raises(ClientError):
        lab.session_for_keys(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    with pytest.raises(ClientError) as excinfo:
        lab.session_for_keys(creds["AccessKeyId"], creds["SecretAccessKey"], "forged")
    assert excinfo.value.response["Error"]["Code"] == "InvalidClientTokenId"


def test_register_temporary_credentials_shape(lab):
    creds = lab.register_temporary_credentials(lab.root)
    assert set(creds) == {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
    assert (
        lab.session_for_keys(
            creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"]
        ).arn
        == lab.root.arn
    )


def _console_user(lab, name="ana", password="Correct-Horse-9"):
    iam = lab.client("iam")
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=password)
    return password


def test_sign_in(lab):
    password = _console_user(lab)
    session = lab.sign_in("ana", password)
    assert session.principal.console and session.principal.mfa_at is None
    assert session.client("sts").get_caller_identity()["Arn"] == f"arn:aws:iam::{ACCT}:user/ana"


@pytest.mark.parametrize(
    ("user", "password"), [("ana", "wrong"), ("nobody", "Correct-Horse-9"), ("nopass", "x")]
)
def test_sign_in_refused(lab, user, password):
    _console_user(lab)
    lab.client("iam").create_user(UserName="nopass")
    with pytest.raises(SignInError, match="Your authentication information is incorrect"):
        lab.sign_in(user, password)


def test_sign_in_with_mfa(lab):
    lab.clock.freeze()
    password = _console_user(lab)
    iam = lab.client("iam")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="ana")["VirtualMFADevice"][
        "SerialNumber"
    ]
    phone = lab.mfa.authenticator(serial)
    code1, code2 = phone.consecutive_codes()
    iam.enable_mfa_device(
        UserName="ana", SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    with pytest.raises(SignInError) as excinfo:
        lab.sign_in("ana", password)
    assert str(excinfo.value) == MFA_REQUIRED
    with pytest.raises(SignInError) as excinfo:
        lab.sign_in("ana", password, mfa_code="000000" if phone.code() != "000000" else "111111")
    assert str(excinfo.value) == SIGN_IN_FAILED
    lab.clock.advance(30)
    session = lab.sign_in("ana", password, mfa_code=phone.code())
    assert session.principal.mfa_at == lab.clock.time()
    assert (
        session.principal.context(lab.clock.time(), lab.region)["aws:MultiFactorAuthPresent"]
        == "true"
    )


def test_root_mfa_and_status_delegate(lab):
    device = lab.create_root_mfa_device()
    serial = device["SerialNumber"]
    code1, code2 = lab.mfa.authenticator(serial).consecutive_codes()
    lab.enable_root_mfa(serial, code1, code2)
    assert lab.mfa.root_enabled
    assert lab.security_status() is not None
