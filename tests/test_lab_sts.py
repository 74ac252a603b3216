"""STS in the Lab: who am I, session tokens with MFA, and assuming roles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.scenarios import CTO, CTO_ROLE, LAMBDA_ROLE

ACCOUNT = "123456789012"
ADMIN_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{CTO_ROLE}"


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=11, scenario="roles") as lab:
        lab.clock.freeze(1_700_000_010.0)
        yield lab


def keys_for(lab: Lab, user: str) -> Any:
    """A session signing with fresh access keys of ``user``."""
    key = lab.client("iam").create_access_key(UserName=user)["AccessKey"]
    return lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])


def temporary(lab: Lab, credentials: dict[str, Any]) -> Any:
    return lab.session_for_keys(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )


def enable_mfa(lab: Lab, user: str) -> tuple[str, Any]:
    """Give ``user`` an enabled virtual MFA device; returns its serial and app."""
    iam = lab.client("iam")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"][
        "SerialNumber"
    ]
    app = lab.mfa.authenticator(serial)
    code1, code2 = app.consecutive_codes()
    iam.enable_mfa_device(
        UserName=user, SerialNumber=serial, AuthenticationCode1=code1, AuthenticationCode2=code2
    )
    lab.clock.advance(60)  # the enabling codes are spent; wait for a fresh one
    return serial, app


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, str, int]:
    error = raised.value.response["Error"]
    status = raised.value.response["ResponseMetadata"]["HTTPStatusCode"]
    return error["Code"], error["Message"], status


# --- GetCallerIdentity --------------------------------------------------------


def test_caller_identity_of_root(lab: Lab) -> None:
    me = lab.client("sts").get_caller_identity()
    assert (me["UserId"], me["Account"], me["Arn"]) == (
        ACCOUNT,
        ACCOUNT,
        f"arn:aws:iam::{ACCOUNT}:root",
    )


def test_caller_identity_of_a_user(lab: Lab) -> None:
    me = keys_for(lab, "dev").client("sts").get_caller_identity()
    user = lab.backend.users["dev"]
    assert me["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/dev"
    assert me["UserId"] == user.id
    assert me["Account"] == ACCOUNT


def test_caller_identity_of_a_role_session(lab: Lab) -> None:
    session = keys_for(lab, CTO).assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="cto-work")
    me = session.client("sts").get_caller_identity()
    role = next(r for r in lab.backend.roles.values() if r.name == CTO_ROLE)
    assert me["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{CTO_ROLE}/cto-work"
    assert me["UserId"] == f"{role.id}:cto-work"
    assert role.id.startswith("AROA")


def test_caller_identity_needs_no_permission(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="nobody")
    assert (
        keys_for(lab, "nobody").client("sts").get_caller_identity()["Arn"].endswith(":user/nobody")
    )


# --- GetSessionToken ----------------------------------------------------------


def test_session_token_signs_as_the_same_user(lab: Lab) -> None:
    response = keys_for(lab, "dev").client("sts").get_session_token()
    credentials = response["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    assert credentials["Expiration"].timestamp() == pytest.approx(lab.clock.time() + 43_200, abs=1)
    session = temporary(lab, credentials)
    assert session.client("sts").get_caller_identity()["Arn"].endswith(":user/dev")
    assert session.principal.mfa_at is None
    context = session.principal.context(lab.clock.time(), lab.region)
    assert context["aws:MultiFactorAuthPresent"] == "false"


def test_session_token_duration_and_expiry(lab: Lab) -> None:
    sts = keys_for(lab, "dev").client("sts")
    credentials = sts.get_session_token(DurationSeconds=900)["Credentials"]
    session = temporary(lab, credentials)
    session.client("sts").get_caller_identity()
    lab.clock.advance(901)
    with pytest.raises(ClientError) as raised:
        session.client("sts").get_caller_identity()
    assert error_of(raised)[0] == "ExpiredToken"


def test_session_token_duration_over_the_maximum(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        keys_for(lab, "dev").client("sts").get_session_token(DurationSeconds=129_601)
    code, message, status = error_of(raised)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 129600"
    )


def test_root_session_tokens_last_an_hour_at_most(lab: Lab) -> None:
    credentials = lab.client("sts").get_session_token(DurationSeconds=7200)["Credentials"]
    assert credentials["Expiration"].timestamp() == pytest.approx(lab.clock.time() + 3600, abs=1)


def test_no_session_token_from_session_credentials(lab: Lab) -> None:
    credentials = keys_for(lab, "dev").client("sts").get_session_token()["Credentials"]
    with pytest.raises(ClientError) as raised:
        temporary(lab, credentials).client("sts").get_session_token()
    assert error_of(raised) == (
        "AccessDenied",
        "Cannot call GetSessionToken with session credentials",
        403,
    )


def test_no_session_token_from_a_role_session(lab: Lab) -> None:
    session = keys_for(lab, CTO).assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1")
    with pytest.raises(ClientError) as raised:
        session.client("sts").get_session_token()
    assert error_of(raised)[1] == "Cannot call GetSessionToken with session credentials"


def test_session_token_with_mfa(lab: Lab) -> None:
    serial, app = enable_mfa(lab, "dev")
    sts = keys_for(lab, "dev").client("sts")
    credentials = sts.get_session_token(SerialNumber=serial, TokenCode=app.code())["Credentials"]
    session = temporary(lab, credentials)
    assert session.principal.mfa_at == lab.clock.time()
    lab.clock.advance(120)
    context = session.principal.context(lab.clock.time(), lab.region)
    assert context["aws:MultiFactorAuthPresent"] == "true"
    assert context["aws:MultiFactorAuthAge"] == "120"


def test_session_token_with_a_wrong_code(lab: Lab) -> None:
    serial, app = enable_mfa(lab, "dev")
    wrong = f"{(int(app.code()) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as raised:
        keys_for(lab, "dev").client("sts").get_session_token(SerialNumber=serial, TokenCode=wrong)
    assert error_of(raised) == (
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        403,
    )


def test_session_token_code_cannot_be_used_twice(lab: Lab) -> None:
    serial, app = enable_mfa(lab, "dev")
    sts = keys_for(lab, "dev").client("sts")
    code = app.code()
    sts.get_session_token(SerialNumber=serial, TokenCode=code)
    with pytest.raises(ClientError) as raised:
        sts.get_session_token(SerialNumber=serial, TokenCode=code)
    assert error_of(raised)[0] == "AccessDenied"


def test_session_token_with_someone_elses_device(lab: Lab) -> None:
    serial, app = enable_mfa(lab, "ana")
    with pytest.raises(ClientError) as raised:
        keys_for(lab, "dev").client("sts").get_session_token(
            SerialNumber=serial, TokenCode=app.code()
        )
    code, message, _ = error_of(raised)
    assert code == "AccessDenied"
    assert message.startswith("MultiFactorAuthentication failed, unable to validate MFA code.")


def test_mfa_session_unblocks_the_allow_mfa_policy() -> None:
    with Lab(seed=3, scenario="mfa-blocked") as lab:
        lab.clock.freeze(1_700_000_010.0)
        serial, app = enable_mfa(lab, CTO)
        cto = keys_for(lab, CTO)
        with pytest.raises(ClientError) as raised:
            cto.client("s3").list_buckets()
        assert "explicit deny" in error_of(raised)[1]
        credentials = cto.client("sts").get_session_token(
            SerialNumber=serial, TokenCode=app.code()
        )["Credentials"]
        buckets = temporary(lab, credentials).client("s3").list_buckets()["Buckets"]
        assert [b["Name"] for b in buckets] == ["company-images"]


# --- AssumeRole ---------------------------------------------------------------


def test_assume_role_response(lab: Lab) -> None:
    sts = keys_for(lab, CTO).client("sts")
    response = sts.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="cto-admin")
    role = next(r for r in lab.backend.roles.values() if r.name == CTO_ROLE)
    assert response["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role.id}:cto-admin",
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{CTO_ROLE}/cto-admin",
    }
    credentials = response["Credentials"]
    assert credentials["Expiration"].timestamp() == pytest.approx(lab.clock.time() + 3600, abs=1)
    assert "PackedPolicySize" not in response
    session = temporary(lab, credentials)
    assert session.principal.role_arn == ADMIN_ROLE_ARN
    assert session.principal.type == "AssumedRole"
    # The role's AdministratorAccess now applies.
    assert "Users" in session.client("iam").list_users()


def test_assume_role_records_last_use(lab: Lab) -> None:
    keys_for(lab, CTO).assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1")
    last_used = lab.client("iam").get_role(RoleName=CTO_ROLE)["Role"]["RoleLastUsed"]
    assert last_used["Region"] == "us-east-1"
    assert last_used["LastUsedDate"].timestamp() == pytest.approx(lab.clock.time(), abs=1)


def test_assume_role_refused_by_the_trust_policy(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        keys_for(lab, "dev").client("sts").assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1")
    code, message, status = error_of(raised)
    assert (code, status) == ("AccessDenied", 403)
    # STS names the role and gives no reason when the trust policy refuses.
    assert message == (
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: "
        f"sts:AssumeRole on resource: {ADMIN_ROLE_ARN}"
    )


def test_service_role_cannot_be_assumed_by_a_user(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        keys_for(lab, CTO).client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/{LAMBDA_ROLE}", RoleSessionName="s1"
        )
    assert error_of(raised)[0] == "AccessDenied"


def test_assume_a_role_that_does_not_exist(lab: Lab) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/Nope"
    with pytest.raises(ClientError) as raised:
        keys_for(lab, CTO).client("sts").assume_role(RoleArn=arn, RoleSessionName="s1")
    code, message, _ = error_of(raised)
    assert code == "AccessDenied"
    assert message.endswith(f"perform: sts:AssumeRole on resource: {arn}")


def test_root_cannot_assume_roles(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        lab.client("sts").assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1")
    assert error_of(raised) == ("AccessDenied", "Roles may not be assumed by root accounts.", 403)


def test_role_session_name_is_validated(lab: Lab) -> None:
    sts = keys_for(lab, CTO).client("sts")
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="has space")
    code, message, _ = error_of(raised)
    assert code == "ValidationError"
    assert message == (
        "1 validation error detected: Value 'has space' at 'roleSessionName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
    )
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="x" * 65)
    assert "Member must have length less than or equal to 64" in error_of(raised)[1]


def test_duration_over_the_role_maximum(lab: Lab) -> None:
    sts = keys_for(lab, CTO).client("sts")
    with pytest.raises(ClientError) as raised:
        sts.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1", DurationSeconds=7200)
    assert error_of(raised) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        400,
    )
    lab.client("iam").update_role(RoleName=CTO_ROLE, MaxSessionDuration=7200)
    response = sts.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1", DurationSeconds=7200)
    expires = response["Credentials"]["Expiration"].timestamp()
    assert expires == pytest.approx(lab.clock.time() + 7200, abs=1)


def _chained_role(lab: Lab) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": ADMIN_ROLE_ARN}, "Action": "sts:AssumeRole"}
        ],
    }
    iam = lab.client("iam")
    iam.create_role(
        RoleName="Auditor", AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=43200
    )
    iam.attach_role_policy(RoleName="Auditor", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    return f"arn:aws:iam::{ACCOUNT}:role/Auditor"


def test_role_chaining(lab: Lab) -> None:
    auditor = _chained_role(lab)
    admin = keys_for(lab, CTO).assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="admin")
    with pytest.raises(ClientError) as raised:
        admin.assume_role(RoleArn=auditor, RoleSessionName="audit", DurationSeconds=7200)
    assert error_of(raised) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed "
        "by role chaining.",
        400,
    )
    chained = admin.assume_role(RoleArn=auditor, RoleSessionName="audit")
    assert chained.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Auditor/audit"


def test_session_policy_limits_the_session(lab: Lab) -> None:
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}],
        }
    )
    sts = keys_for(lab, CTO).client("sts")
    response = sts.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1", Policy=policy)
    assert 0 < response["PackedPolicySize"] <= 100
    session = temporary(lab, response["Credentials"])
    assert session.principal.session_policies == (policy,)
    session.client("s3").list_buckets()
    with pytest.raises(ClientError) as raised:
        session.client("iam").list_users()
    assert "session policy" in error_of(raised)[1]


def test_malformed_session_policy(lab: Lab) -> None:
    with pytest.raises(ClientError) as raised:
        keys_for(lab, CTO).client("sts").assume_role(
            RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1", Policy='{"Version": "2012-10-17"}'
        )
    assert error_of(raised)[0] == "MalformedPolicyDocument"


def test_managed_session_policy(lab: Lab) -> None:
    sts = keys_for(lab, CTO).client("sts")
    response = sts.assume_role(
        RoleArn=ADMIN_ROLE_ARN,
        RoleSessionName="s1",
        PolicyArns=[{"arn": "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"}],
    )
    session = temporary(lab, response["Credentials"])
    session.client("dynamodb").describe_table(TableName="orders")
    with pytest.raises(ClientError):
        session.client("s3").list_buckets()


def test_role_tags_become_principal_tags(lab: Lab) -> None:
    lab.client("iam").tag_role(RoleName=CTO_ROLE, Tags=[{"Key": "team", "Value": "platform"}])
    session = keys_for(lab, CTO).assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1")
    context = session.principal.context(lab.clock.time(), lab.region)
    assert context["aws:PrincipalTag/team"] == "platform"


def test_trust_naming_the_account_needs_an_identity_allow(lab: Lab) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam = lab.client("iam")
    iam.create_role(RoleName="Shared", AssumeRolePolicyDocument=json.dumps(trust))
    arn = f"arn:aws:iam::{ACCOUNT}:role/Shared"
    # Developers' PowerUserAccess allows every non-IAM action, sts:AssumeRole included.
    assert (
        keys_for(lab, "dev")
        .assume_role(RoleArn=arn, RoleSessionName="s1")
        .arn.endswith("assumed-role/Shared/s1")
    )
    with pytest.raises(ClientError) as raised:
        keys_for(lab, "ana").client("sts").assume_role(RoleArn=arn, RoleSessionName="s1")
    assert error_of(raised)[1].endswith(
        "because no identity-based policy allows the sts:AssumeRole action"
    )


def _mfa_role(lab: Lab) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/{CTO}"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }
    lab.client("iam").create_role(
        RoleName="Break-Glass", AssumeRolePolicyDocument=json.dumps(trust)
    )
    return f"arn:aws:iam::{ACCOUNT}:role/Break-Glass"


def test_trust_policy_requiring_mfa_refuses_without_it(lab: Lab) -> None:
    role = _mfa_role(lab)
    with pytest.raises(ClientError) as raised:
        keys_for(lab, CTO).client("sts").assume_role(RoleArn=role, RoleSessionName="s1")
    assert error_of(raised)[0] == "AccessDenied"


def test_trust_policy_requiring_mfa_with_an_mfa_session(lab: Lab) -> None:
    role = _mfa_role(lab)
    serial, app = enable_mfa(lab, CTO)
    credentials = (
        keys_for(lab, CTO)
        .client("sts")
        .get_session_token(SerialNumber=serial, TokenCode=app.code())["Credentials"]
    )
    session = temporary(lab, credentials).assume_role(RoleArn=role, RoleSessionName="s1")
    assert session.principal.mfa_at is not None


def test_trust_policy_requiring_mfa_with_a_code(lab: Lab) -> None:
    role = _mfa_role(lab)
    serial, app = enable_mfa(lab, CTO)
    session = keys_for(lab, CTO).assume_role(
        RoleArn=role, RoleSessionName="s1", SerialNumber=serial, TokenCode=app.code()
    )
    assert session.principal.mfa_at == lab.clock.time()


def test_assume_role_with_a_wrong_code(lab: Lab) -> None:
    serial, app = enable_mfa(lab, CTO)
    wrong = f"{(int(app.code()) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as raised:
        keys_for(lab, CTO).client("sts").assume_role(
            RoleArn=ADMIN_ROLE_ARN, RoleSessionName="s1", SerialNumber=serial, TokenCode=wrong
        )
    assert error_of(raised) == (
        "AccessDenied",
        "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        403,
    )


def test_revoking_a_roles_older_sessions(lab: Lab) -> None:
    """Requests signed with temporary credentials carry aws:TokenIssueTime,
    which is how "Revoke active sessions" ends a role's older sessions: an
    inline Deny for tokens issued before a moment. Long-term keys carry none.
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-tokenissuetime
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
    """
    from labkit.lab.actions import Target

    cto = keys_for(lab, CTO)
    assert (
        "aws:tokenissuetime"
        not in lab.account.authorizer.request(cto.principal, Target("iam:ListUsers", "*")).context
    )
    older = cto.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="older")
    assert older.client("iam").list_users()["Users"]
    lab.clock.advance(60)
    revoke = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Action": "*",
                "Resource": "*",
                "Condition": {"DateLessThan": {"aws:TokenIssueTime": "2023-11-14T22:14:00Z"}},
            }
        ],
    }
    lab.client("iam").put_role_policy(
        RoleName=CTO_ROLE, PolicyName="AWSRevokeOlderSessions", PolicyDocument=json.dumps(revoke)
    )
    with pytest.raises(ClientError) as raised:
        older.client("iam").list_users()
    assert error_of(raised)[0] == "AccessDenied"
    newer = cto.assume_role(RoleArn=ADMIN_ROLE_ARN, RoleSessionName="newer")
    assert newer.client("iam").list_users()["Users"]
