"""AWS STS as the Lab answers it: who am I, session tokens, assuming roles.

moto's STS hands out credentials to anyone for anything. Here the answers
follow AWS: ``GetCallerIdentity`` names the real caller; ``GetSessionToken``
is refused to session credentials and checks the MFA code it is given;
``AssumeRole`` needs a role that exists and a trust policy that lets the
caller in, honours the role's maximum session duration and the one-hour limit
of role chaining, and turns an inline session policy into a limit on the
session. The credentials returned work: calls made with them run as the new
principal, with its MFA state in ``aws:MultiFactorAuthPresent`` and
``aws:MultiFactorAuthAge``.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, Handler
from labkit.lab.identities import Principal
from labkit.lab.validation import iam_words

if TYPE_CHECKING:
    from collections.abc import Mapping

    from labkit.lab.context import AccountContext

SESSION_TOKEN_DEFAULT = 43_200
SESSION_TOKEN_MIN = 900
SESSION_TOKEN_MAX = 129_600
ROOT_SESSION_MAX = 3_600  # the root user's session tokens last at most an hour
ASSUME_ROLE_DEFAULT = 3_600
ASSUME_ROLE_MIN = 900
ASSUME_ROLE_MAX = 43_200
CHAINED_SESSION_MAX = 3_600
SESSION_NAME_PATTERN = r"[\w+=,.@-]*"
_SESSION_NAME = re.compile(rf"^{SESSION_NAME_PATTERN}$")
SESSION_POLICY_MAX = 2_048  # characters of an inline session policy, packed
MAX_POLICY_ARNS = 10

INVALID_MFA_CODE = "MultiFactorAuthentication failed with invalid MFA one time pass code."
UNKNOWN_MFA_DEVICE = (
    "MultiFactorAuthentication failed, unable to validate MFA code.  "
    "Please verify your MFA serial number is valid and associated with this user."
)
SESSION_CREDENTIALS = "Cannot call GetSessionToken with session credentials"
ROOT_CANNOT_ASSUME = "Roles may not be assumed by root accounts."
DURATION_OVER_ROLE_MAX = (
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
)
DURATION_OVER_CHAINED_MAX = (
    "The requested DurationSeconds exceeds the 1 hour session limit "
    "for roles assumed by role chaining."
)


def _validation(field: str, value: Any, constraint: str) -> AwsError:
    return AwsError(
        "ValidationError",
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy "
        f"constraint: {constraint}",
    )


def _check_range(field: str, value: int, low: int, high: int) -> None:
    # botocore refuses values under the minimum before sending; AWS the rest.
    if value < low:
        raise _validation(field, value, f"Member must have value greater than or equal to {low}")
    if value > high:
        raise _validation(field, value, f"Member must have value less than or equal to {high}")


def is_session(principal: Principal) -> bool:
    """True when the caller signs with temporary (session) credentials."""
    return (
        principal.type in ("AssumedRole", "FederatedUser")
        or principal.expires_at is not None
        or principal.console
    )


def _verify_mfa(
    account: AccountContext, caller: Principal, serial: str | None, code: str | None
) -> bool:
    """Check an MFA serial and code given with a call; True when MFA was used."""
    if serial is None and code is None:
        return False
    if not serial or not code:
        raise AwsError("AccessDenied", INVALID_MFA_CODE, 403)
    owner = _mfa_owner(caller)
    if owner is not None and serial not in account.mfa.devices_for_user(owner):
        raise AwsError("AccessDenied", UNKNOWN_MFA_DEVICE, 403)
    if not account.mfa.verify(serial, code):
        raise AwsError("AccessDenied", INVALID_MFA_CODE, 403)
    return True


def _mfa_owner(caller: Principal) -> str | None:
    """The user whose MFA device a call must name ("root" for the root user)."""
    if caller.is_root:
        return "root"
    if caller.type == "User":
        return caller.name
    return None  # a role session has no device of its own


def get_caller_identity(call: Call) -> dict[str, Any]:
    """The calling principal: its unique id, account and ARN."""
    principal = call.principal
    return {"UserId": principal.user_id, "Account": principal.account, "Arn": principal.arn}


def get_session_token(call: Call) -> dict[str, Any]:
    """Temporary credentials for an IAM user or the root user, optionally with MFA."""
    caller = call.principal
    if is_session(caller):
        raise AwsError("AccessDenied", SESSION_CREDENTIALS, 403)
    duration = int(call.params.get("DurationSeconds", SESSION_TOKEN_DEFAULT))
    _check_range("durationSeconds", duration, SESSION_TOKEN_MIN, SESSION_TOKEN_MAX)
    if caller.is_root:
        duration = min(duration, ROOT_SESSION_MAX)
    account = call.account
    mfa = _verify_mfa(
        account, caller, call.params.get("SerialNumber"), call.params.get("TokenCode")
    )
    now = account.clock.time()
    session = replace(
        caller,
        mfa_at=now if mfa else None,
        expires_at=now + duration,
        console=False,
        session_token=True,
    )
    return {"Credentials": account.credentials.issue(session)}


def role_name_from_arn(role_arn: str) -> str | None:
    """The role name in an ``arn:aws:iam::ACCOUNT:role/[path/]NAME`` ARN."""
    fields = role_arn.split(":", 5)
    if len(fields) != 6 or fields[2] != "iam" or not fields[5].startswith("role/"):
        return None
    return fields[5].rsplit("/", 1)[-1]


def _session_policies(
    account: AccountContext, params: dict[str, Any]
) -> tuple[tuple[str, ...], int | None]:
    """The session policies given to AssumeRole, validated, and the packed size."""
    from labkit.policy import Policy, PolicyError

    texts: list[str] = []
    inline = params.get("Policy")
    if inline is not None:
        try:
            Policy.parse(inline, "session")
        except PolicyError as error:
            raise AwsError("MalformedPolicyDocument", iam_words(error)) from None
        texts.append(inline)
    arns = [entry["arn"] for entry in params.get("PolicyArns") or []]
    if len(arns) > MAX_POLICY_ARNS:
        raise _validation(
            "policyArns", arns, f"Member must have length less than or equal to {MAX_POLICY_ARNS}"
        )
    for arn in arns:
        texts.append(_managed_document(account, arn))
    if not texts and not params.get("Tags"):
        return (), None
    # AWS packs session policies and tags into a compressed binary format and
    # reports how full it is; compressed compact JSON comes close.
    packed = "".join(json.dumps(json.loads(t), separators=(",", ":")) for t in texts)
    packed += "".join(f"{t['Key']}{t['Value']}" for t in params.get("Tags") or [])
    size = max(1, round(len(zlib.compress(packed.encode())) * 100 / SESSION_POLICY_MAX))
    if size > 100:
        raise AwsError(
            "PackedPolicyTooLarge",
            f"Packed policy consumes {size}% of allotted space, please use smaller policy.",
        )
    return tuple(texts), size


def _managed_document(account: AccountContext, arn: str) -> str:
    info = account.store.policy(arn)
    if info is None:
        raise AwsError(
            "InvalidParameterValue", f"Policy {arn} does not exist or is not attachable."
        )
    return info.document if isinstance(info.document, str) else json.dumps(info.document)


def _role_tags(role: Any, session_tags: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
    # Session tags override role tags with the same key (keys are case-insensitive).
    merged: dict[str, tuple[str, str]] = {}
    for tag in list(role.tags or []) + list(session_tags):
        merged[tag["Key"].lower()] = (tag["Key"], tag["Value"])
    return tuple(merged.values())


def prepare_assume_role(
    account: AccountContext, caller: Principal, operation: str, params: Mapping[str, Any]
) -> Principal | None:
    """Before AssumeRole is authorized: the root user cannot assume roles,
    and an MFA code given with the call counts as MFA just now."""
    if operation != "AssumeRole":
        return None
    if caller.is_root:
        # Whatever the trust policy says: root user credentials cannot assume roles.
        raise AwsError("AccessDenied", ROOT_CANNOT_ASSUME, 403)
    if _verify_mfa(account, caller, params.get("SerialNumber"), params.get("TokenCode")):
        return replace(caller, mfa_at=account.clock.time())
    return None


def assume_role(call: Call) -> dict[str, Any]:
    """A role session: credentials for ``RoleArn`` named ``RoleSessionName``.

    The caller was already authorized for ``sts:AssumeRole`` (and
    ``sts:TagSession``, ``sts:SetSourceIdentity``) against the role's trust
    policy and its own policies.
    """
    caller, params = call.principal, call.params
    role_arn: str = params["RoleArn"]
    # The role's own account issues its sessions, in this account or another.
    account = call.account
    if account.accounts is not None:
        account = account.accounts.owner_of(role_arn, account)
    session_name: str = params["RoleSessionName"]
    if len(session_name) > 64:
        raise _validation(
            "roleSessionName", session_name, "Member must have length less than or equal to 64"
        )
    if not _SESSION_NAME.match(session_name):
        raise _validation(
            "roleSessionName",
            session_name,
            f"Member must satisfy regular expression pattern: {SESSION_NAME_PATTERN}",
        )
    duration = int(params.get("DurationSeconds", ASSUME_ROLE_DEFAULT))
    _check_range("durationSeconds", duration, ASSUME_ROLE_MIN, ASSUME_ROLE_MAX)
    role = account.store.moto_role(role_arn)
    if role is None:  # authorized as the role vanished: AWS says it as for no trust
        raise AwsError(
            "AccessDenied",
            f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: "
            f"{role_arn}",
            403,
        )
    now = account.clock.time()
    if is_session(caller) and duration > CHAINED_SESSION_MAX:
        raise AwsError("ValidationError", DURATION_OVER_CHAINED_MAX)
    if duration > int(role.max_session_duration or ASSUME_ROLE_DEFAULT):
        raise AwsError("ValidationError", DURATION_OVER_ROLE_MAX)
    policies, packed_size = _session_policies(account, params)

    session = Principal.role_session(
        role,
        session_name,
        expires_at=now + duration,
        mfa_at=caller.mfa_at,
        session_policies=policies,
        tags=_role_tags(role, params.get("Tags") or []),
        source_ip=caller.source_ip,
    )
    _record_role_use(account, role)
    response: dict[str, Any] = {
        "Credentials": account.credentials.issue(session),
        "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.arn},
    }
    if packed_size is not None:
        response["PackedPolicySize"] = packed_size
    if params.get("SourceIdentity"):
        response["SourceIdentity"] = params["SourceIdentity"]
    return response


def _record_role_use(account: AccountContext, role: Any) -> None:
    # GetRole shows RoleLastUsed once a role has been assumed.
    role.last_used = account.clock.now()
    role.last_used_region = account.region


def decode_authorization_message(call: Call) -> dict[str, Any]:
    """The details behind an encoded authorization failure message."""
    from labkit.lab.denials import decode_authorization

    try:
        return {"DecodedMessage": decode_authorization(str(call.params["EncodedMessage"]))}
    except ValueError:
        raise AwsError(
            "InvalidAuthorizationMessageException",
            "The message is not a valid encoded authorization message.",
        ) from None


HANDLERS: dict[str, Handler] = {
    "DecodeAuthorizationMessage": decode_authorization_message,
    "GetCallerIdentity": get_caller_identity,
    "GetSessionToken": get_session_token,
    "AssumeRole": assume_role,
}
