"""AWS's words for a refused request: the error code, status and message.

``User: ARN is not authorized to perform: ACTION on resource: RESOURCE
because no identity-based policy allows the ACTION action`` and ``... with an
explicit deny in an identity-based policy``, followed by the denying managed
policy's ARN where AWS names it. How each service frames it (S3 quotes the
resource, EC2 answers ``UnauthorizedOperation``) is its
:class:`~labkit.lab.services.DenialStyle`.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from labkit.lab.actions import Target
from labkit.policy.model import Decision

_DENIAL_POLICY = {
    "identity": "an identity-based policy",
    "resource": "a resource-based policy",
    "boundary": "a permissions boundary",
    "session": "a session policy",
    # A role's trust policy is the role's resource-based policy.
    "trust": "a resource-based policy",
    "scp": "a service control policy",
    "rcp": "a resource control policy",
}
_MISSING_POLICY = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
}

# Policy types whose explicit denials AWS names by the denying policy's ARN.
_NAMED_DENIALS = frozenset({"identity", "boundary", "session"})


def _style(action: str):  # noqa: ANN202 - a DenialStyle; imported late to avoid a cycle
    from labkit.lab.services import DenialStyle, service

    rules = service(action.split(":", 1)[0])
    return rules.denial if rules is not None else DenialStyle()


def denial_message(
    principal_arn: str, target: Target, decision: Decision, service: str | None = None
) -> str:
    """AWS's AccessDenied message for a denied request.

    The resource is left out where AWS authorizes on ``*``. A role's trust
    policy that does not trust the caller gives no reason, as STS words it:
    ``User: ARN is not authorized to perform: sts:AssumeRole on resource: ROLE``.
    ``service`` is the signing name of the service called, which frames the
    message (EC2's "You are not authorized to perform this operation."); by
    default, the service of the action.
    """
    style = _style(f"{service}:" if service else target.action)
    source = decision.denied_by or "identity"
    text = f"User: {principal_arn} is not authorized to perform: {target.action}"
    if target.resource != "*":
        resource = f'"{target.resource}"' if style.quote_resource else target.resource
        text += f" on resource: {resource}"
    if decision.decision == "explicitDeny":
        text = f"{text} with an explicit deny in {_DENIAL_POLICY[source]}"
        arn = _denying_policy_arn(decision, source)
        return f"{style.prefix}{text}{style.policy_arn}{arn}" if arn else f"{style.prefix}{text}"
    if source == "trust":
        return f"{style.prefix}{text}"
    reason = f"because no {_MISSING_POLICY[source]} allows the {target.action} action"
    return f"{style.prefix}{text} {reason}"


def _denying_policy_arn(decision: Decision, source: str) -> str | None:
    """The ARN of the managed policy whose Deny refused the request, if any.

    AWS appends it to explicit denials in identity-based policies, permissions
    boundaries and session policies (``... with an explicit deny in an
    identity-based policy: arn:aws:iam::123456789012:policy/NoDeletes``); an
    inline policy has no ARN, so its denial keeps the plain form.
    """
    if source not in _NAMED_DENIALS:
        return None
    for ref in decision.matched:
        if ref.effect == "Deny" and ref.kind == source:
            arn = ref.arn or (ref.policy if ref.policy.startswith("arn:") else None)
            if arn:
                return arn
    return None


def access_denied_code(protocol: str, service: str = "") -> tuple[str, int]:
    """The error code and HTTP status of a denial, by protocol and the service called."""
    style = _style(f"{service}:") if service else None
    if style is not None and style.code:
        return style.code, style.status or 403
    if protocol == "json":  # DynamoDB and other JSON 1.0/1.1 services
        return "AccessDeniedException", 400
    if protocol == "rest-json":  # Lambda and other REST-JSON services
        return "AccessDeniedException", 403
    return "AccessDenied", 403


# Credentials from GetSessionToken may call only these STS operations.
SESSION_TOKEN_STS = frozenset({"AssumeRole", "GetCallerIdentity"})
# What IAM answers such credentials without MFA: as if the token were unknown.
INVALID_TOKEN_FOR_IAM = "The security token included in the request is invalid"


def encode_authorization(principal: Any, target: Target, decision: Decision) -> str:
    """The encoded authorization message some services (EC2) append to a
    denial; ``sts:DecodeAuthorizationMessage`` reads it back
    (:func:`decode_authorization`)."""
    conditions = [
        {"key": key, "values": {"items": [{"value": v} for v in _listed(value)]}}
        for key, value in sorted(decision.request.context.items())
    ]
    details = {
        "allowed": decision.allowed,
        "explicitDeny": decision.decision == "explicitDeny",
        "matchedStatements": {
            "items": [
                {"statementId": ref.sid or "", "effect": ref.effect, "policy": ref.policy}
                for ref in decision.matched
            ]
        },
        "failures": {"items": []},
        "context": {
            "principal": {"id": principal.user_id, "arn": principal.arn},
            "action": target.action,
            "resource": target.resource,
            "conditions": {"items": conditions},
        },
    }
    packed = zlib.compress(json.dumps(details, separators=(",", ":")).encode())
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_authorization(message: str) -> str:
    """The JSON an encoded authorization message stands for; raises
    ``ValueError`` for anything else."""
    padded = message + "=" * (-len(message) % 4)
    try:
        return zlib.decompress(base64.urlsafe_b64decode(padded)).decode()
    except (ValueError, zlib.error) as error:
        raise ValueError("not an encoded authorization message") from error


def _listed(value: Any) -> list[str]:
    return list(value) if isinstance(value, tuple | list) else [str(value)]
