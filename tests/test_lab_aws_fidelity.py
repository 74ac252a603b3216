"""The Lab against AWS's documented behaviour, table by table.

Each table names the AWS documentation page it was read from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labkit.lab.account import Lab
from labkit.lab.identities import Principal

ACCOUNT = "123456789012"
ALLOW_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)
TRUST_ACCOUNT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


@pytest.fixture
def lab() -> Iterator[Lab]:
    with Lab(seed=5) as lab:
        lab.clock.freeze(1_700_000_010.0)
        yield lab


def error_of(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return (
        error["Code"],
        error["Message"],
        raised.value.response["ResponseMetadata"]["HTTPStatusCode"],
    )


def user_with_keys(lab: Lab, name: str, policy: str | None = ALLOW_ALL) -> Any:
    iam = lab.client("iam")
    iam.create_user(UserName=name)
    if policy is not None:
        iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=policy)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return lab.session_for_keys(key["AccessKeyId"], key["SecretAccessKey"])


def enable_mfa(lab: Lab, user: str) -> tuple[str, Any]:
    iam = lab.client("iam")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]
    app = lab.mfa.authenticator(device["SerialNumber"])
    code1, code2 = app.consecutive_codes()
    iam.enable_mfa_device(
        UserName=user,
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=code1,
        AuthenticationCode2=code2,
    )
    lab.clock.advance(60)
    return device["SerialNumber"], app


def temporary(lab: Lab, credentials: dict[str, Any]) -> Any:
    return lab.session_for_keys(
        credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
    )


# --- Unique identifiers ---------------------------------------------------------
# IAM User Guide, "IAM identifiers" > "Unique identifiers": AIDA users, AGPA
# groups, AROA roles, ANPA managed policies, AIPA instance profiles, AKIA
# access keys, ASIA temporary keys; 21 characters for entity ids.

ID_SHAPES = [
    ("user", lambda iam: iam.create_user(UserName="u1")["User"]["UserId"], r"AIDA[A-Z2-7]{17}"),
    (
        "group",
        lambda iam: iam.create_group(GroupName="g1")["Group"]["GroupId"],
        r"AGPA[A-Z2-7]{17}",
    ),
    (
        "role",
        lambda iam: iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST_ACCOUNT)["Role"][
            "RoleId"
        ],
        r"AROA[A-Z2-7]{17}",
    ),
    (
        "policy",
        lambda iam: iam.create_policy(PolicyName="p1", PolicyDocument=ALLOW_ALL)["Policy"][
            "PolicyId"
        ],
        r"ANPA[A-Z2-7]{17}",
    ),
    (
        "instance profile",
        lambda iam: iam.create_instance_profile(InstanceProfileName="ip1")["InstanceProfile"][
            "InstanceProfileId"
        ],
        r"AIPA[A-Z2-7]{17}",
    ),
    (
        "access key",
        lambda iam: (
            iam.create_user(UserName="k1"),
            iam.create_access_key(UserName="k1")["AccessKey"]["AccessKeyId"],
        )[1],
        r"AKIA[A-Z2-7]{16}",
    ),
]


@pytest.mark.parametrize(("kind", "make", "shape"), ID_SHAPES, ids=[row[0] for row in ID_SHAPES])
def test_ids_have_aws_shape(lab: Lab, kind: str, make: Any, shape: str) -> None:
    assert re.fullmatch(shape, make(lab.client("iam"))), kind


def test_ids_are_reproducible_under_a_seed() -> None:
    def ids() -> tuple[str, str]:
        with Lab(seed=42) as lab:
            iam = lab.client("iam")
            return (
                iam.create_user(UserName="a")["User"]["UserId"],
                iam.create_group(GroupName="g")["Group"]["GroupId"],
            )

    assert ids() == ids()


def test_moto_ids_are_its_own_again_after_close() -> None:
    import moto.iam.models as models

    before = models.random_resource_id
    with Lab(seed=1):
        assert models.random_resource_id is not before
    assert models.random_resource_id is before


# --- Who am I ------------------------------------------------------------------
# STS API Reference, GetCallerIdentity; IAM User Guide, "AWS global condition
# context keys" > aws:userid: the user's unique id, or role-id:session-name.

CALLER_SHAPES = [
    ("user keys", "user", r"AIDA[A-Z2-7]{17}", r"arn:aws:iam::123456789012:user/ann"),
    (
        "role session",
        "role",
        r"AROA[A-Z2-7]{17}:work",
        r"arn:aws:sts::123456789012:assumed-role/admins/work",
    ),
]


@pytest.mark.parametrize(
    ("label", "who", "user_id", "arn"), CALLER_SHAPES, ids=[r[0] for r in CALLER_SHAPES]
)
def test_caller_identity_shapes(lab: Lab, label: str, who: str, user_id: str, arn: str) -> None:
    session = user_with_keys(lab, "ann")
    if who == "role":
        lab.client("iam").create_role(RoleName="admins", AssumeRolePolicyDocument=TRUST_ACCOUNT)
        session = session.assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/admins", RoleSessionName="work"
        )
    me = session.client("sts").get_caller_identity()
    assert re.fullmatch(user_id, me["UserId"]), label
    assert me["Arn"] == arn
    assert session.principal.context(0, "us-east-1")["aws:userid"] == me["UserId"]


# --- aws:MultiFactorAuthPresent and aws:PrincipalType -------------------------
# IAM User Guide, "AWS global condition context keys": MultiFactorAuthPresent
# is absent for long-term access keys, "false" for temporary credentials
# (console sign-in included) without MFA; PrincipalType is Account, User or
# AssumedRole.

MFA_CONTEXT = [
    ("long-term keys", dict(type="User"), None, "User"),
    ("console, no MFA", dict(type="User", console=True), "false", "User"),
    ("session token, no MFA", dict(type="User", expires_at=10.0), "false", "User"),
    ("session token, MFA", dict(type="User", expires_at=10.0, mfa_at=0.0), "true", "User"),
    ("role session", dict(type="AssumedRole", expires_at=10.0), "false", "AssumedRole"),
    ("root", dict(type="Account"), None, "Account"),
]


@pytest.mark.parametrize(
    ("label", "fields", "present", "principal_type"), MFA_CONTEXT, ids=[r[0] for r in MFA_CONTEXT]
)
def test_mfa_context_keys(
    label: str, fields: dict[str, Any], present: str | None, principal_type: str
) -> None:
    principal = Principal(arn="arn", account=ACCOUNT, user_id="id", name="n", **fields)
    context = principal.context(5.0, "us-east-1")
    assert context.get("aws:MultiFactorAuthPresent") == present, label
    assert context["aws:PrincipalType"] == principal_type
    assert ("aws:MultiFactorAuthAge" in context) == (present == "true")


# --- Credentials from GetSessionToken ------------------------------------------
# STS API Reference, GetSessionToken; IAM User Guide, "Compare AWS STS
# credentials": they cannot call IAM unless MFA information is included in the
# request, and cannot call any STS API except AssumeRole or GetCallerIdentity.


def test_session_token_without_mfa_cannot_call_iam(lab: Lab) -> None:
    session = user_with_keys(lab, "ann")
    token = temporary(lab, session.client("sts").get_session_token()["Credentials"])
    assert error_of(lambda: token.client("iam").list_users()) == (
        "InvalidClientTokenId",
        "The security token included in the request is invalid",
        403,
    )
    # Every other service works as the user's policies allow.
    token.client("dynamodb").list_tables()


def test_session_token_with_mfa_can_call_iam(lab: Lab) -> None:
    session = user_with_keys(lab, "ann")
    serial, app = enable_mfa(lab, "ann")
    credentials = session.client("sts").get_session_token(
        SerialNumber=serial, TokenCode=app.code()
    )["Credentials"]
    assert "Users" in temporary(lab, credentials).client("iam").list_users()


STS_WITH_SESSION_TOKEN = [
    ("GetCallerIdentity", lambda sts: sts.get_caller_identity(), None),
    (
        "AssumeRole",
        lambda sts: sts.assume_role(
            RoleArn=f"arn:aws:iam::{ACCOUNT}:role/admins", RoleSessionName="s1"
        ),
        None,
    ),
    (
        "GetSessionToken",
        lambda sts: sts.get_session_token(),
        ("AccessDenied", "Cannot call GetSessionToken with session credentials", 403),
    ),
    (
        "GetFederationToken",
        lambda sts: sts.get_federation_token(Name="bob"),
        ("AccessDenied", "Cannot call GetFederationToken with session credentials", 403),
    ),
]


@pytest.mark.parametrize(
    ("operation", "call", "refused"),
    STS_WITH_SESSION_TOKEN,
    ids=[r[0] for r in STS_WITH_SESSION_TOKEN],
)
def test_session_token_sts_operations(
    lab: Lab, operation: str, call: Any, refused: tuple[str, str, int] | None
) -> None:
    lab.client("iam").create_role(RoleName="admins", AssumeRolePolicyDocument=TRUST_ACCOUNT)
    session = user_with_keys(lab, "ann")
    sts = temporary(lab, session.client("sts").get_session_token()["Credentials"]).client("sts")
    if refused is None:
        call(sts)
    else:
        assert error_of(lambda: call(sts)) == refused, operation


# --- Parameter constraints ------------------------------------------------------
# IAM API Reference, each operation's "Request Parameters" (length limits and
# patterns), and "Common Errors" > ValidationError. botocore checks only the
# minimum length before sending; AWS answers the rest.

NAME = r"[\w+=,.@-]+"
PATH = r"(\u002F)|(\u002F[\u0021-\u007E]+\u002F)"


def _invalid(value: Any, field: str, constraint: str) -> str:
    return (
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}"
    )


VALIDATION = [
    (
        "CreateVirtualMFADevice name",
        lambda iam: iam.create_virtual_mfa_device(VirtualMFADeviceName="not a valid name!"),
        _invalid(
            "not a valid name!",
            "virtualMFADeviceName",
            f"Member must satisfy regular expression pattern: {NAME}",
        ),
    ),
    (
        "CreateUser name pattern",
        lambda iam: iam.create_user(UserName="bad name"),
        _invalid("bad name", "userName", f"Member must satisfy regular expression pattern: {NAME}"),
    ),
    (
        "CreateUser name length",
        lambda iam: iam.create_user(UserName="u" * 65),
        _invalid("u" * 65, "userName", "Member must have length less than or equal to 64"),
    ),
    (
        "CreateUser path",
        lambda iam: iam.create_user(UserName="ok", Path="no-slashes"),
        _invalid("no-slashes", "path", f"Member must satisfy regular expression pattern: {PATH}"),
    ),
    (
        "CreateGroup name",
        lambda iam: iam.create_group(GroupName="dev team"),
        _invalid(
            "dev team", "groupName", f"Member must satisfy regular expression pattern: {NAME}"
        ),
    ),
    (
        "CreateGroup name length",
        lambda iam: iam.create_group(GroupName="g" * 129),
        _invalid("g" * 129, "groupName", "Member must have length less than or equal to 128"),
    ),
    (
        "CreateRole name length",
        lambda iam: iam.create_role(RoleName="r" * 65, AssumeRolePolicyDocument=TRUST_ACCOUNT),
        _invalid("r" * 65, "roleName", "Member must have length less than or equal to 64"),
    ),
    (
        "CreatePolicy name",
        lambda iam: iam.create_policy(PolicyName="read only", PolicyDocument=ALLOW_ALL),
        _invalid(
            "read only", "policyName", f"Member must satisfy regular expression pattern: {NAME}"
        ),
    ),
    (
        "PutUserPolicy name",
        lambda iam: iam.put_user_policy(UserName="ann", PolicyName="a/b", PolicyDocument=ALLOW_ALL),
        _invalid("a/b", "policyName", f"Member must satisfy regular expression pattern: {NAME}"),
    ),
    (
        "CreateAccountAlias",
        lambda iam: iam.create_account_alias(AccountAlias="My_Alias"),
        _invalid(
            "My_Alias",
            "accountAlias",
            "Member must satisfy regular expression pattern: "
            "^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
        ),
    ),
    (
        "UpdateAccountPasswordPolicy length",
        lambda iam: iam.update_account_password_policy(MinimumPasswordLength=129),
        _invalid(129, "minimumPasswordLength", "Member must have value less than or equal to 128"),
    ),
    (
        "ListPolicies scope",
        lambda iam: iam.list_policies(Scope="Mine"),
        _invalid("Mine", "scope", "Member must satisfy enum value set: [All, AWS, Local]"),
    ),
]


@pytest.mark.parametrize(("label", "call", "message"), VALIDATION, ids=[r[0] for r in VALIDATION])
def test_parameter_constraints(lab: Lab, label: str, call: Any, message: str) -> None:
    lab.client("iam").create_user(UserName="ann")
    assert error_of(lambda: call(lab.client("iam"))) == ("ValidationError", message, 400)


def test_every_failed_constraint_is_listed(lab: Lab) -> None:
    code, message, _ = error_of(
        lambda: lab.client("iam").create_user(UserName="u" * 65 + "!", Path="bad")
    )
    assert code == "ValidationError"
    assert message.startswith("3 validation errors detected: Value 'bad' at 'path'")
    assert message.count("; Value ") == 2


def test_validation_comes_before_authorization(lab: Lab) -> None:
    nobody = user_with_keys(lab, "nobody", policy=None)
    code, _message, _ = error_of(lambda: nobody.client("iam").create_user(UserName="a b"))
    assert code == "ValidationError"


# --- Errors for missing and existing entities -----------------------------------
# IAM API Reference, "Errors" of GetUser, GetGroup, GetRole, CreateUser,
# CreateGroup, CreateRole, CreatePolicy; CreateUser: "User names are not
# distinguished by case".

ENTITY_ERRORS = [
    (
        "GetUser missing",
        lambda iam: iam.get_user(UserName="ghost"),
        ("NoSuchEntity", "The user with name ghost cannot be found.", 404),
    ),
    (
        "GetGroup missing",
        lambda iam: iam.get_group(GroupName="ghosts"),
        ("NoSuchEntity", "The group with name ghosts cannot be found.", 404),
    ),
    (
        "AddUserToGroup missing group",
        lambda iam: iam.add_user_to_group(GroupName="ghosts", UserName="ann"),
        ("NoSuchEntity", "The group with name ghosts cannot be found.", 404),
    ),
    (
        "AddUserToGroup missing user",
        lambda iam: iam.add_user_to_group(GroupName="devs", UserName="ghost"),
        ("NoSuchEntity", "The user with name ghost cannot be found.", 404),
    ),
    (
        "GetRole missing",
        lambda iam: iam.get_role(RoleName="ghost"),
        ("NoSuchEntity", "The role with name ghost cannot be found.", 404),
    ),
    (
        "GetUserPolicy missing",
        lambda iam: iam.get_user_policy(UserName="ann", PolicyName="ghost"),
        ("NoSuchEntity", "The user policy with name ghost cannot be found.", 404),
    ),
    (
        "GetPolicy missing",
        lambda iam: iam.get_policy(PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/ghost"),
        ("NoSuchEntity", f"Policy arn:aws:iam::{ACCOUNT}:policy/ghost was not found.", 404),
    ),
    (
        "AttachUserPolicy missing policy",
        lambda iam: iam.attach_user_policy(
            UserName="ann", PolicyArn="arn:aws:iam::aws:policy/Ghost"
        ),
        (
            "NoSuchEntity",
            "Policy arn:aws:iam::aws:policy/Ghost does not exist or is not attachable.",
            404,
        ),
    ),
    (
        "CreateUser existing",
        lambda iam: iam.create_user(UserName="ann"),
        ("EntityAlreadyExists", "User with name ann already exists.", 409),
    ),
    (
        "CreateUser existing, other case",
        lambda iam: iam.create_user(UserName="ANN"),
        ("EntityAlreadyExists", "User with name ANN already exists.", 409),
    ),
    (
        "CreateGroup existing",
        lambda iam: iam.create_group(GroupName="devs"),
        ("EntityAlreadyExists", "Group with name devs already exists.", 409),
    ),
    (
        "CreateGroup existing, other case",
        lambda iam: iam.create_group(GroupName="Devs"),
        ("EntityAlreadyExists", "Group with name Devs already exists.", 409),
    ),
    (
        "CreatePolicy existing",
        lambda iam: iam.create_policy(PolicyName="reads", PolicyDocument=ALLOW_ALL),
        (
            "EntityAlreadyExists",
            "A policy called reads already exists. Duplicate names are not allowed.",
            409,
        ),
    ),
    (
        "CreateLoginProfile existing",
        lambda iam: (
            iam.create_login_profile(UserName="ann", Password="Correct-Horse-9"),
            iam.create_login_profile(UserName="ann", Password="Correct-Horse-9"),
        ),
        ("EntityAlreadyExists", "Login Profile for user ann already exists.", 409),
    ),
    (
        "DeleteGroup with members",
        lambda iam: (
            iam.add_user_to_group(GroupName="devs", UserName="ann"),
            iam.delete_group(GroupName="devs"),
        ),
        ("DeleteConflict", "Cannot delete entity, must remove users from group first.", 409),
    ),
    (
        "GetAccountPasswordPolicy none",
        lambda iam: iam.get_account_password_policy(),
        (
            "NoSuchEntity",
            f"The Password Policy with domain name {ACCOUNT} cannot be found.",
            404,
        ),
    ),
]


@pytest.mark.parametrize(
    ("label", "call", "expected"), ENTITY_ERRORS, ids=[r[0] for r in ENTITY_ERRORS]
)
def test_entity_errors(lab: Lab, label: str, call: Any, expected: tuple[str, str, int]) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="devs")
    iam.create_policy(PolicyName="reads", PolicyDocument=ALLOW_ALL)
    assert error_of(lambda: call(iam)) == expected


def test_trail_records_aws_wording(lab: Lab) -> None:
    iam = lab.client("iam")
    error_of(lambda: iam.get_group(GroupName="ghosts"))
    assert lab.trail[-1].error_message == "The group with name ghosts cannot be found."


# --- AccessDenied messages -----------------------------------------------------
# IAM User Guide, "Troubleshoot access denied error messages" (examples per
# policy type), and AWS Security Blog, "Enhanced access denied error messages
# with policy ARNs": an explicit deny in a managed policy names its ARN.

DENY_DELETE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "iam:*", "Resource": "*"},
            {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"},
        ],
    }
)
USER = f"arn:aws:iam::{ACCOUNT}:user/ann"
TARGET = f"arn:aws:iam::{ACCOUNT}:user/bob"

DENIALS = [
    (
        "implicit",
        "none",
        f"User: {USER} is not authorized to perform: iam:DeleteUser on resource: {TARGET} "
        "because no identity-based policy allows the iam:DeleteUser action",
    ),
    (
        "explicit, inline policy",
        "inline",
        f"User: {USER} is not authorized to perform: iam:DeleteUser on resource: {TARGET} "
        "with an explicit deny in an identity-based policy",
    ),
    (
        "explicit, managed policy",
        "managed",
        f"User: {USER} is not authorized to perform: iam:DeleteUser on resource: {TARGET} "
        f"with an explicit deny in an identity-based policy: "
        f"arn:aws:iam::{ACCOUNT}:policy/NoDeletes",
    ),
    (
        "explicit, permissions boundary",
        "boundary",
        f"User: {USER} is not authorized to perform: iam:DeleteUser on resource: {TARGET} "
        f"with an explicit deny in a permissions boundary: "
        f"arn:aws:iam::{ACCOUNT}:policy/NoDeletes",
    ),
]


@pytest.mark.parametrize(("label", "how", "message"), DENIALS, ids=[r[0] for r in DENIALS])
def test_access_denied_messages(lab: Lab, label: str, how: str, message: str) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="bob")
    arn = iam.create_policy(PolicyName="NoDeletes", PolicyDocument=DENY_DELETE)["Policy"]["Arn"]
    session = user_with_keys(lab, "ann", policy=None)
    if how == "inline":
        iam.put_user_policy(UserName="ann", PolicyName="no-deletes", PolicyDocument=DENY_DELETE)
    elif how == "managed":
        iam.attach_user_policy(UserName="ann", PolicyArn=arn)
    elif how == "boundary":
        iam.put_user_policy(UserName="ann", PolicyName="all", PolicyDocument=ALLOW_ALL)
        iam.put_user_permissions_boundary(UserName="ann", PermissionsBoundary=arn)
    assert error_of(lambda: session.client("iam").delete_user(UserName="bob")) == (
        "AccessDenied",
        message,
        403,
    )


# --- The account: summary, alias, sign-in URL, job-function policies -----------
# IAM API Reference, GetAccountSummary (SummaryMap keys); IAM User Guide, "Your
# AWS account ID and its alias" (sign-in URL); "AWS managed policies for job
# functions" (path /job-function/).

SUMMARY_KEYS = {
    "AccessKeysPerUserQuota",
    "AccountAccessKeysPresent",
    "AccountMFAEnabled",
    "AccountSigningCertificatesPresent",
    "AttachedPoliciesPerGroupQuota",
    "AttachedPoliciesPerRoleQuota",
    "AttachedPoliciesPerUserQuota",
    "GlobalEndpointTokenVersion",
    "GroupPolicySizeQuota",
    "Groups",
    "GroupsPerUserQuota",
    "GroupsQuota",
    "InstanceProfiles",
    "InstanceProfilesQuota",
    "MFADevices",
    "MFADevicesInUse",
    "Policies",
    "PoliciesQuota",
    "PolicySizeQuota",
    "PolicyVersionsInUse",
    "PolicyVersionsInUseQuota",
    "Providers",
    "RolePolicySizeQuota",
    "Roles",
    "RolesQuota",
    "ServerCertificates",
    "ServerCertificatesQuota",
    "SigningCertificatesPerUserQuota",
    "UserPolicySizeQuota",
    "Users",
    "UsersQuota",
    "VersionsPerPolicyQuota",
}


def test_account_summary_keys_and_counts(lab: Lab) -> None:
    iam = lab.client("iam")
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="devs")
    enable_mfa(lab, "ann")
    iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")
    summary = iam.get_account_summary()["SummaryMap"]
    assert set(summary) >= SUMMARY_KEYS
    counts = {key: summary[key] for key in ("Users", "Groups", "MFADevices", "MFADevicesInUse")}
    assert counts == {"Users": 1, "Groups": 1, "MFADevices": 2, "MFADevicesInUse": 1}
    assert summary["AccountMFAEnabled"] == 0


SIGN_IN_URLS = [
    (None, f"https://{ACCOUNT}.signin.aws.amazon.com/console"),
    ("my-lab", "https://my-lab.signin.aws.amazon.com/console"),
]


@pytest.mark.parametrize(("alias", "url"), SIGN_IN_URLS)
def test_sign_in_url(lab: Lab, alias: str | None, url: str) -> None:
    if alias:
        lab.client("iam").create_account_alias(AccountAlias=alias)
    assert lab.sign_in_url() == url


def test_job_function_policies(lab: Lab) -> None:
    policies = lab.client("iam").list_policies(Scope="AWS", PathPrefix="/job-function/")
    arns = {policy["Arn"] for policy in policies["Policies"]}
    assert "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess" in arns
    assert all(arn.startswith("arn:aws:iam::aws:policy/job-function/") for arn in arns)
