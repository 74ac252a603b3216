"""Authorize every call a Lab client makes, as AWS would, before moto sees it.

Each client the Lab hands out carries three botocore event handlers:

- ``before-parameter-build`` keeps the call's parameters (``before-call`` only
  sees the serialized request) and resolves who is calling;
- ``before-call`` maps the call to IAM action(s) and resource(s), gathers the
  caller's policies, asks the policy engine, and answers a denial with AWS's
  ``AccessDenied`` error. An allowed call goes to the Lab's handler for that
  operation, if there is one, or on to moto;
- ``after-call`` / ``after-call-error`` write the trail and drop cached
  policies after an IAM write.

Returning ``(http, parsed)`` from ``before-call`` short-circuits the call;
with a status of 400 or more botocore raises ``ClientError`` itself, so
learners see exactly what boto3 shows against AWS.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import Target, targets
from labkit.lab.errors import AwsError
from labkit.lab.handlers import HANDLERS, Call
from labkit.lab.trail import TrailEvent
from labkit.lab.validation import VALIDATED_SERVICES, aws_message, check_input, check_unique_name
from labkit.policy.model import ALLOWED, Decision, PolicyError, Request

if TYPE_CHECKING:
    from labkit.lab.account import Lab
    from labkit.lab.identities import Principal

# Resolves the caller at call time; raises AwsError for refused credentials.
Caller = Callable[[], "Principal"]

# Operations AWS answers for any authenticated caller, whatever the policies say.
UNAUTHORIZED_OK = frozenset({"sts:GetCallerIdentity", "sts:GetSessionToken"})

# Operations whose handler makes the whole decision: AssumeRole weighs the
# caller's policies together with the role's trust policy, in the context of
# the MFA code given with the call.
AUTHORIZED_BY_HANDLER = frozenset({"sts:AssumeRole"})

# What the root user may always do to its own bucket, whatever its policy says.
ROOT_BUCKET_POLICY = frozenset(
    {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}
)

# IAM resources whose tags are aws:ResourceTag/... and iam:ResourceTag/... keys.
_IAM_TAGGED = ("arn:aws:iam::",)

# Services AWS serves from one global endpoint: aws:RequestedRegion is us-east-1.
_GLOBAL_SERVICES = frozenset({"iam"})


def requested_region(prefix: str, client_region: str) -> str:
    """``aws:RequestedRegion`` of a call: the client's region, us-east-1 for IAM."""
    return "us-east-1" if prefix in _GLOBAL_SERVICES else client_region


# IAM reads: every other IAM operation changes what policies say.
_IAM_READS = ("Get", "List", "Simulate", "Generate")

# Policy documents IAM validates before storing: operation -> (parameter, kind, managed).
VALIDATED: dict[str, tuple[str, str, bool]] = {
    "iam:CreatePolicy": ("PolicyDocument", "identity", True),
    "iam:CreatePolicyVersion": ("PolicyDocument", "identity", True),
    "iam:PutUserPolicy": ("PolicyDocument", "identity", False),
    "iam:PutGroupPolicy": ("PolicyDocument", "identity", False),
    "iam:PutRolePolicy": ("PolicyDocument", "identity", False),
    "iam:CreateRole": ("AssumeRolePolicyDocument", "trust", False),
    "iam:UpdateAssumeRolePolicy": ("PolicyDocument", "trust", False),
}

# Where moto's answers live, to refuse operations moto does not model.
_MOTO_RESPONSES = {
    "iam": ("moto.iam.responses", "IamResponse"),
    "sts": ("moto.sts.responses", "TokenResponse"),
    "dynamodb": ("moto.dynamodb.responses", "DynamoHandler"),
}

_PARAMS = "labkit.params"
_CALLER = "labkit.caller"
_EVENT = "labkit.event"

_DENIAL_POLICY = {
    "identity": "an identity-based policy",
    "resource": "a resource-based policy",
    "boundary": "a permissions boundary",
    "session": "a session policy",
    "trust": "the role trust policy",
}
_MISSING_POLICY = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "trust": "role trust policy",
}


class _Http:
    """The little of an HTTP response botocore reads from a short-circuit."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {}
        self.content = b""
        self.text = ""
        self.raw = None
        self.url = ""


@dataclass(frozen=True)
class DenialStyle:
    """How one service words the resource and the denying policy in a denial.

    S3 puts the resource ARN in double quotes and names the denying policy as
    ``..., with policy ARN: ARN``; IAM, STS, DynamoDB and the rest write the
    ARN bare and append ``: ARN``.
    """

    quote_resource: bool = False
    policy_arn: str = ": "


DENIAL_STYLES: dict[str, DenialStyle] = {
    "s3": DenialStyle(quote_resource=True, policy_arn=", with policy ARN: "),
}
_PLAIN = DenialStyle()

# Policy types whose denials leave the resource out ("... to perform:
# sts:AssumeRole because no role trust policy allows the sts:AssumeRole action").
_NO_RESOURCE = frozenset({"trust"})


def denial_message(principal_arn: str, target: Target, decision: Decision) -> str:
    """AWS's AccessDenied message for a denied request.

    ``User: ARN is not authorized to perform: ACTION on resource: RESOURCE
    because no identity-based policy allows the ACTION action`` and
    ``... with an explicit deny in an identity-based policy``, followed by
    the denying managed policy's ARN where AWS names it. The resource part is
    left out where AWS authorizes on ``*`` and for role trust policy denials;
    how each service writes the rest is in :data:`DENIAL_STYLES`.
    """
    style = DENIAL_STYLES.get(target.action.split(":", 1)[0], _PLAIN)
    source = decision.denied_by or "identity"
    text = f"User: {principal_arn} is not authorized to perform: {target.action}"
    if target.resource != "*" and source not in _NO_RESOURCE:
        resource = f'"{target.resource}"' if style.quote_resource else target.resource
        text += f" on resource: {resource}"
    if decision.decision == "explicitDeny":
        text = f"{text} with an explicit deny in {_DENIAL_POLICY[source]}"
        arn = _denying_policy_arn(decision, source)
        return f"{text}{style.policy_arn}{arn}" if arn else text
    return f"{text} because no {_MISSING_POLICY[source]} allows the {target.action} action"


# Credentials from GetSessionToken may call only these STS operations.
SESSION_TOKEN_STS = frozenset({"AssumeRole", "GetCallerIdentity"})
# What IAM answers such credentials without MFA: as if the token were unknown.
INVALID_TOKEN_FOR_IAM = "The security token included in the request is invalid"


def _session_token_limit(
    lab: Lab, principal: Principal, prefix: str, operation: str, protocol: str
) -> tuple[str, str, int] | None:
    """AWS's refusal of a call that GetSessionToken credentials may not make.

    Such credentials cannot call IAM unless MFA was used to get them, and
    cannot call STS except ``AssumeRole`` and ``GetCallerIdentity``.
    """
    if prefix == "iam" and principal.mfa_at is None:
        code, _message, status = lab.credential_error("InvalidClientTokenId", protocol)
        return code, INVALID_TOKEN_FOR_IAM, status
    if prefix == "sts" and operation not in SESSION_TOKEN_STS:
        return "AccessDenied", f"Cannot call {operation} with session credentials", 403
    return None


# Policy types whose explicit denials AWS names by the denying policy's ARN.
_NAMED_DENIALS = frozenset({"identity", "boundary", "session"})


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
        if ref.effect == "Deny" and ref.kind == source and ref.policy.startswith("arn:"):
            return ref.policy
    return None


def access_denied_code(protocol: str) -> tuple[str, int]:
    """The error code and HTTP status of a denial for a service protocol."""
    if protocol == "json":  # DynamoDB and other JSON 1.0/1.1 services
        return "AccessDeniedException", 400
    return "AccessDenied", 403


def error_response(
    code: str, message: str, status: int, protocol: str, request_id: str
) -> tuple[_Http, dict[str, Any]]:
    """A short-circuit answer that botocore turns into ``ClientError``."""
    error: dict[str, str] = {"Code": code, "Message": message}
    if protocol == "query":
        error["Type"] = "Sender"
    parsed = {"Error": error, "ResponseMetadata": _metadata(status, request_id, protocol)}
    return _Http(status), parsed


def _metadata(status: int, request_id: str, protocol: str = "query") -> dict[str, Any]:
    if protocol == "rest-xml":
        # S3's request ids are 16 characters, sent with an extended id (HostId)
        # in x-amz-request-id and x-amz-id-2, as in its XML <Error>.
        s3_id = request_id.replace("-", "").upper()[:16]
        host_id = base64.b64encode(hashlib.sha256(s3_id.encode()).digest() * 2).decode()
        return {
            "RequestId": s3_id,
            "HostId": host_id,
            "HTTPStatusCode": status,
            "HTTPHeaders": {"x-amz-request-id": s3_id, "x-amz-id-2": host_id},
            "RetryAttempts": 0,
        }
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {"x-amzn-requestid": request_id},
        "RetryAttempts": 0,
    }


@cache
def _moto_operations(prefix: str) -> frozenset[str] | None:
    """The operations moto answers for a service, or None when unknown."""
    where = _MOTO_RESPONSES.get(prefix)
    if where is None:
        return None
    from importlib import import_module

    from moto.core.utils import camelcase_to_underscores, method_names_from_class

    names = set(method_names_from_class(getattr(import_module(where[0]), where[1])))
    import botocore.session

    model = botocore.session.get_session().get_service_model(prefix)
    return frozenset(op for op in model.operation_names if camelcase_to_underscores(op) in names)


def _is_iam_write(prefix: str, operation: str) -> bool:
    return prefix == "iam" and not operation.startswith(_IAM_READS)


class Enforcer:
    """Attaches the Lab's authorization to boto3 clients."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def attach(self, client: Any, caller: Caller) -> Any:
        """Make every call of ``client`` run as the principal ``caller`` gives."""
        events = client.meta.events
        events.register("before-parameter-build.*.*", self._remember(caller))
        events.register("before-call.*.*", self._before_call)
        events.register("after-call.*.*", self._after_call)
        events.register("after-call-error.*.*", self._after_call_error)
        return client

    # --- handlers --------------------------------------------------------------

    def _remember(self, caller: Caller) -> Callable[..., None]:
        def remember(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
            try:
                principal: Principal | AwsError = caller()
            except AwsError as refused:
                principal = refused
            context[_CALLER] = principal
            context[_PARAMS] = params
            # IAM calls that take an optional UserName mean the caller's own user.
            if (
                getattr(principal, "type", None) == "User"
                and model.service_model.signing_name == "iam"
                and model.input_shape is not None
                and "UserName" in model.input_shape.members
                and not params.get("UserName")
            ):
                params["UserName"] = principal.name  # type: ignore[union-attr]

        return remember

    def _before_call(self, model: Any, context: dict[str, Any], **_: Any) -> Any:
        lab = self.lab
        service_model = model.service_model
        prefix = service_model.signing_name
        protocol = service_model.protocol
        operation = model.name
        params: Mapping[str, Any] = context.get(_PARAMS) or {}
        caller = context.get(_CALLER)
        request_id = lab.new_request_id()

        def fail(
            code: str, message: str, status: int, principal_arn: str, target: Target, decision: str
        ) -> Any:
            context[_EVENT] = (principal_arn, target, decision, operation, prefix)
            return error_response(code, message, status, protocol, request_id)

        if lab.closed:
            return fail(
                "LabClosed",
                "This Lab was closed; start a new one with Lab().",
                400,
                "unknown",
                Target(f"{prefix}:{operation}"),
                "implicitDeny",
            )
        if isinstance(caller, AwsError):
            code, message, status = lab.credential_error(caller.code, protocol)
            return fail(
                code, message, status, "unknown", Target(f"{prefix}:{operation}"), "implicitDeny"
            )
        principal: Principal = caller if caller is not None else lab.root

        # AWS checks a request's input before it authorizes it.
        if prefix in VALIDATED_SERVICES:
            try:
                check_input(model, params)
            except AwsError as error:
                return fail(
                    error.code,
                    error.message,
                    error.status,
                    principal.arn,
                    Target(f"{prefix}:{operation}"),
                    "implicitDeny",
                )
        if principal.session_token:
            refused = _session_token_limit(lab, principal, prefix, operation, protocol)
            if refused is not None:
                target = Target(f"{prefix}:{operation}")
                return fail(*refused, principal.arn, target, "implicitDeny")

        region = requested_region(prefix, context.get("client_region") or lab.region)
        found = targets(
            prefix,
            operation,
            params,
            account=lab.account_id,
            region=region,
            caller_user=principal.name if principal.type == "User" else None,
            lookup=lab.state.path_of,
            key_schema=lab.state.key_schema if prefix == "dynamodb" else None,
        )
        first = found[0]

        for target in found:
            if principal.is_root:
                # Root skips IAM, but not a Deny in a bucket policy.
                decision = self.bucket_policy_deny(principal, target, region)
            else:
                decision = self.authorize(principal, target, region)
            if decision is not None and not decision.allowed:
                code, status = access_denied_code(protocol)
                message = denial_message(principal.arn, target, decision)
                return fail(code, message, status, principal.arn, target, decision.decision)

        context[_EVENT] = (principal.arn, first, ALLOWED, operation, prefix)
        key = f"{prefix}:{operation}"
        try:
            self._validate(key, params)
            if prefix == "iam":
                check_unique_name(lab, operation, params)
            handler = HANDLERS.get(key)
            if handler is not None:
                result = handler(Call(lab, principal, prefix, operation, dict(params)))
                if result is not None:
                    parsed = dict(result)
                    parsed["ResponseMetadata"] = _metadata(200, request_id, protocol)
                    return _Http(200), parsed
            supported = _moto_operations(prefix)
            if supported is not None and operation not in supported:
                raise AwsError(
                    "NotImplemented",
                    f"{key} is not available in the Lab's simulated AWS account.",
                    501,
                )
        except AwsError as error:
            return error_response(error.code, error.message, error.status, protocol, request_id)
        return None

    def decide(self, principal: Principal, action: str, resource: str = "*") -> Decision:
        """What the Lab would decide if ``principal`` asked for ``action`` on
        ``resource``: the decision its calls get, for views that ask without
        calling. AssumeRole weighs the trust policy as the STS handler does;
        actions AWS asks no policy for are allowed."""
        from labkit.lab.sts import find_role, trust_decision

        target = Target(action, resource or "*")
        if action.lower() == "sts:assumerole":
            role = find_role(self.lab, target.resource)
            if role is None:  # no such role: AWS denies, naming the trust policy
                request = Request(action, target.resource, principal.arn)
                return Decision("implicitDeny", request, denied_by="trust")
            session_name = principal.session_name or principal.name
            return trust_decision(
                self.lab, principal, role, principal.mfa_at, {"RoleSessionName": session_name}
            )
        decision = self.authorize(principal, target)
        if decision is None:
            context = principal.context(self.lab.clock.time(), self.lab.region)
            return Decision("allowed", Request(action, target.resource, principal.arn, context))
        return decision

    def authorize(
        self, principal: Principal, target: Target, region: str | None = None
    ) -> Decision | None:
        """The engine's decision for one target; None when AWS asks no policy.

        ``region`` is ``aws:RequestedRegion``: the region the client calls.
        """
        if target.action in UNAUTHORIZED_OK or target.action in AUTHORIZED_BY_HANDLER:
            return None
        from labkit.policy.evaluate import evaluate

        lab = self.lab
        policies = lab.state.policies_for(principal)
        context = dict(principal.context(lab.clock.time(), region or lab.region))
        context.update(target.context)
        if target.resource.startswith(_IAM_TAGGED):
            context.update(lab.state.resource_tags(target.resource))
        request = Request(target.action, target.resource, principal.arn, context)
        resource_policy = None
        if target.action.startswith("sts:AssumeRole"):
            resource_policy = lab.state.trust_policy(target.resource)
            if resource_policy is None:  # no such role: AWS denies, naming the trust policy
                return Decision("implicitDeny", request, denied_by="trust")
        elif target.resource.startswith("arn:aws:s3:::"):
            bucket = target.resource[len("arn:aws:s3:::") :].split("/", 1)[0]
            resource_policy = lab.state.bucket_policy(bucket)
        return evaluate(
            request,
            identity=policies.identity,
            boundaries=policies.boundaries,
            session=policies.session,
            resource_policy=resource_policy,
            resource_owner=lab.account_id,
        )

    def bucket_policy_deny(
        self, principal: Principal, target: Target, region: str | None = None
    ) -> Decision | None:
        """An explicit Deny for ``target`` in its bucket's policy, or None.

        The account's root user is refused only by such a Deny, and never for
        reading, writing or deleting the bucket policy itself, so an owner
        cannot lock themselves out of their own bucket.
        """
        if not target.resource.startswith("arn:aws:s3:::") or target.action in ROOT_BUCKET_POLICY:
            return None
        bucket = target.resource[len("arn:aws:s3:::") :].split("/", 1)[0]
        resource_policy = self.lab.state.bucket_policy(bucket)
        if resource_policy is None:
            return None
        from labkit.policy.evaluate import evaluate

        lab = self.lab
        context = dict(principal.context(lab.clock.time(), region or lab.region))
        context.update(target.context)
        request = Request(target.action, target.resource, principal.arn, context)
        decision = evaluate(request, resource_policy=resource_policy, resource_owner=lab.account_id)
        return decision if decision.decision == "explicitDeny" else None

    def _validate(self, key: str, params: Mapping[str, Any]) -> None:
        if key == "s3:PutBucketPolicy":
            from labkit.lab.s3 import check_bucket_policy

            check_bucket_policy(self.lab, str(params.get("Bucket", "")), params.get("Policy"))
            return
        rule = VALIDATED.get(key)
        if rule is None or params.get(rule[0]) is None:
            return
        from labkit.policy.parse import parse_policy

        try:
            parse_policy(params[rule[0]], rule[1], managed=rule[2])  # type: ignore[arg-type]
        except PolicyError as error:
            # A managed policy past its 6,144 characters is a quota, not a malformed policy.
            if error.code == "LimitExceeded":
                raise AwsError("LimitExceeded", error.message, 409) from None
            raise AwsError("MalformedPolicyDocument", error.message, 400) from None

    def _after_call(
        self,
        http_response: Any,
        parsed: dict[str, Any],
        model: Any,
        context: dict[str, Any],
        **_: Any,
    ) -> None:
        status = getattr(http_response, "status_code", 200)
        error = parsed.get("Error", {}) if status >= 300 else {}
        if error.get("Code") and error.get("Message"):
            # botocore raises from this very dict: moto's words become AWS's.
            error["Message"] = aws_message(model.name, error["Code"], error["Message"])
        self._record(
            context,
            error.get("Code") or (f"HTTP{status}" if status >= 300 else None),
            error.get("Message"),
        )
        prefix = model.service_model.signing_name
        if status < 300:
            self._invalidate(prefix, model.name)

    def _after_call_error(self, exception: Exception, context: dict[str, Any], **_: Any) -> None:
        self._record(context, type(exception).__name__, str(exception))

    def _record(self, context: dict[str, Any], code: str | None, message: str | None) -> None:
        event = context.pop(_EVENT, None)
        if event is None:
            return
        principal_arn, target, decision, operation, prefix = event
        if code in ("AccessDenied", "AccessDeniedException") and decision == ALLOWED:
            decision = "implicitDeny"  # refused by the operation's own check
        self.lab.trail.record(
            TrailEvent(
                time=self.lab.clock.now(),
                principal=principal_arn,
                action=target.action,
                resource=target.resource,
                decision=decision,
                error_code=code,
                error_message=message if code else None,
                operation=operation,
                service=prefix,
            )
        )

    def _invalidate(self, prefix: str, operation: str) -> None:
        if _is_iam_write(prefix, operation):
            self.lab.state.invalidate()
        elif prefix == "s3" and (
            "Policy" in operation or operation.startswith(("DeleteBucket", "CreateBucket"))
        ):
            self.lab.state.invalidate_buckets()
