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
from labkit.lab.handlers import Call, handles
from labkit.lab.identities import Principal

if TYPE_CHECKING:
    from labkit.lab.account import Lab
    from labkit.policy import Decision

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


def _verify_mfa(lab: Lab, caller: Principal, serial: str | None, code: str | None) -> bool:
    """Check an MFA serial and code given with a call; True when MFA was used."""
    if serial is None and code is None:
        return False
    if not serial or not code:
        raise AwsError("AccessDenied", INVALID_MFA_CODE, 403)
    owner = _mfa_owner(caller)
    if owner is not None and lab.mfa.device_for_user(owner) != serial:
        raise AwsError("AccessDenied", UNKNOWN_MFA_DEVICE, 403)
    if not lab.mfa.verify(serial, code):
        raise AwsError("AccessDenied", INVALID_MFA_CODE, 403)
    return True


def _mfa_owner(caller: Principal) -> str | None:
    """The user whose MFA device a call must name ("root" for the root user)."""
    if caller.is_root:
        return "root"
    if caller.type == "User":
        return caller.name
    return None  # a role session has no device of its own


@handles("sts", "GetCallerIdentity")
def get_caller_identity(call: Call) -> dict[str, Any]:
    """The calling principal: its unique id, account and ARN."""
    principal = call.principal
    return {"UserId": principal.user_id, "Account": principal.account, "Arn": principal.arn}


@handles("sts", "GetSessionToken")
def get_session_token(call: Call) -> dict[str, Any]:
    """Temporary credentials for an IAM user or the root user, optionally with MFA."""
    caller = call.principal
    if is_session(caller):
        raise AwsError("AccessDenied", SESSION_CREDENTIALS, 403)
    duration = int(call.params.get("DurationSeconds", SESSION_TOKEN_DEFAULT))
    _check_range("durationSeconds", duration, SESSION_TOKEN_MIN, SESSION_TOKEN_MAX)
    if caller.is_root:
        duration = min(duration, ROOT_SESSION_MAX)
    lab = call.lab
    mfa = _verify_mfa(lab, caller, call.params.get("SerialNumber"), call.params.get("TokenCode"))
    now = lab.clock.time()
    session = replace(
        caller,
        mfa_at=now if mfa else None,
        expires_at=now + duration,
        console=False,
        session_token=True,
    )
    return {"Credentials": lab.register_temporary_credentials(session)}


def role_name_from_arn(role_arn: str) -> str | None:
    """The role name in an ``arn:aws:iam::ACCOUNT:role/[path/]NAME`` ARN."""
    fields = role_arn.split(":", 5)
    if len(fields) != 6 or fields[2] != "iam" or not fields[5].startswith("role/"):
        return None
    return fields[5].rsplit("/", 1)[-1]


def find_role(lab: Lab, role_arn: str) -> Any | None:
    """moto's role for ``role_arn`` in this account, or None."""
    name = role_name_from_arn(role_arn)
    if name is None or role_arn.split(":")[4] != lab.account_id:
        return None
    for role in lab.backend.roles.values():
        if role.name == name and role.arn == role_arn:
            return role
    return None


def not_authorized(caller: Principal, role_arn: str, decision: Any = None) -> AwsError:
    """AWS's refusal of an AssumeRole the caller may not make.

    The message says which policy failed, as AWS's does: ``... because no
    role trust policy allows the sts:AssumeRole action``, ``... because no
    identity-based policy allows ...`` or ``... with an explicit deny in ...``.
    """
    from labkit.lab.actions import Target
    from labkit.lab.enforce import denial_message
    from labkit.policy import Decision, Request

    if decision is None:  # no such role: no trust policy can allow it
        request = Request("sts:AssumeRole", role_arn, caller.arn)
        decision = Decision("implicitDeny", request, denied_by="trust")
    message = denial_message(caller.arn, Target("sts:AssumeRole", role_arn), decision)
    return AwsError("AccessDenied", message, 403)


def _session_policies(lab: Lab, params: dict[str, Any]) -> tuple[tuple[str, ...], int | None]:
    """The session policies given to AssumeRole, validated, and the packed size."""
    from labkit.policy import Policy, PolicyError

    texts: list[str] = []
    inline = params.get("Policy")
    if inline is not None:
        try:
            Policy.parse(inline, "session")
        except PolicyError as error:
            raise AwsError("MalformedPolicyDocument", error.message) from None
        texts.append(inline)
    arns = [entry["arn"] for entry in params.get("PolicyArns") or []]
    if len(arns) > MAX_POLICY_ARNS:
        raise _validation(
            "policyArns", arns, f"Member must have length less than or equal to {MAX_POLICY_ARNS}"
        )
    for arn in arns:
        texts.append(json.dumps(_managed_document(lab, arn)))
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


def _managed_document(lab: Lab, arn: str) -> dict[str, Any]:
    from labkit.lab.managed import is_aws_managed, managed_policy_document

    if is_aws_managed(arn):
        try:
            return managed_policy_document(arn)
        except KeyError:
            pass
    else:
        policy = lab.backend.managed_policies.get(arn)
        if policy is not None:
            document = policy.document
            return json.loads(document) if isinstance(document, str) else document
    raise AwsError("InvalidParameterValue", f"Policy {arn} does not exist or is not attachable.")


def _role_tags(role: Any, session_tags: list[dict[str, str]]) -> tuple[tuple[str, str], ...]:
    # Session tags override role tags with the same key (keys are case-insensitive).
    merged: dict[str, tuple[str, str]] = {}
    for tag in list(role.tags or []) + list(session_tags):
        merged[tag["Key"].lower()] = (tag["Key"], tag["Value"])
    return tuple(merged.values())


@handles("sts", "AssumeRole")
def assume_role(call: Call) -> dict[str, Any]:
    """A role session: credentials for ``RoleArn`` named ``RoleSessionName``."""
    lab, caller, params = call.lab, call.principal, call.params
    role_arn: str = params["RoleArn"]
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
    if caller.is_root:
        # Whatever the trust policy says: root user credentials cannot assume roles.
        raise AwsError("AccessDenied", ROOT_CANNOT_ASSUME, 403)

    role = find_role(lab, role_arn)
    if role is None:
        raise not_authorized(caller, role_arn)
    now = lab.clock.time()
    mfa_at = caller.mfa_at
    if _verify_mfa(lab, caller, params.get("SerialNumber"), params.get("TokenCode")):
        mfa_at = now
    decision = trust_decision(lab, caller, role, mfa_at, params)
    if not decision.allowed:
        raise not_authorized(caller, role_arn, decision)

    if is_session(caller) and duration > CHAINED_SESSION_MAX:
        raise AwsError("ValidationError", DURATION_OVER_CHAINED_MAX)
    if duration > int(role.max_session_duration or ASSUME_ROLE_DEFAULT):
        raise AwsError("ValidationError", DURATION_OVER_ROLE_MAX)
    policies, packed_size = _session_policies(lab, params)

    session = Principal.role_session(
        role,
        session_name,
        expires_at=now + duration,
        mfa_at=mfa_at,
        session_policies=policies,
        tags=_role_tags(role, params.get("Tags") or []),
        source_ip=caller.source_ip,
    )
    _record_role_use(lab, role)
    response: dict[str, Any] = {
        "Credentials": lab.register_temporary_credentials(session),
        "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.arn},
    }
    if packed_size is not None:
        response["PackedPolicySize"] = packed_size
    if params.get("SourceIdentity"):
        response["SourceIdentity"] = params["SourceIdentity"]
    return response


def _record_role_use(lab: Lab, role: Any) -> None:
    # GetRole shows RoleLastUsed once a role has been assumed.
    role.last_used = lab.clock.now()
    role.last_used_region = lab.region


def trust_decision(
    lab: Lab, caller: Principal, role: Any, mfa_at: float | None, params: dict[str, Any]
) -> Decision:
    """Whether ``caller`` may assume ``role``: its own policies (identity,
    boundary, session) weighed with the role's trust policy, as AWS does.

    The request context is the caller's, with the MFA state of this call
    (a code given with AssumeRole counts as MFA just now) and
    ``sts:ExternalId`` / ``sts:RoleSessionName`` from the parameters.
    """
    from labkit.policy import Decision, Request, evaluate

    trust = lab.state.trust_policy(role.arn)
    now = lab.clock.time()
    context = assume_role_context(lab, caller, mfa_at, params, now)
    request = Request("sts:AssumeRole", role.arn, principal=caller.arn, context=context)
    policies = lab.state.policies_for(caller)
    if trust is None:  # a stored trust policy IAM would refuse trusts no one
        return Decision("implicitDeny", request, denied_by="trust")
    return evaluate(
        request,
        identity=policies.identity,
        boundaries=policies.boundaries,
        session=policies.session,
        resource_policy=trust,
        resource_owner=lab.account_id,
    )


def assume_role_context(
    lab: Lab, caller: Principal, mfa_at: float | None, params: dict[str, Any], now: float
) -> dict[str, Any]:
    """The request context of an AssumeRole call, as its trust policy sees it."""
    context: dict[str, Any] = dict(replace(caller, mfa_at=mfa_at).context(now, lab.region))
    if params.get("ExternalId") is not None:
        context["sts:ExternalId"] = params["ExternalId"]
    context["sts:RoleSessionName"] = params["RoleSessionName"]
    if params.get("SourceIdentity"):
        context["sts:SourceIdentity"] = params["SourceIdentity"]
    for tag in params.get("Tags") or []:
        context[f"aws:RequestTag/{tag['Key']}"] = tag["Value"]
    if params.get("Tags"):
        context["aws:TagKeys"] = [tag["Key"] for tag in params["Tags"]]
    return context
