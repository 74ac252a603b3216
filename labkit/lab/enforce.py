"""Authorize every call made in a Lab, as AWS would, before moto sees it.

Every boto3 client in the process is adopted by the running Lab (see
:mod:`labkit.lab.seal`) and carries four botocore event handlers:

- ``before-parameter-build`` keeps the call's parameters (``before-call``
  only sees the serialized request) and finds who is calling, from the keys
  the client signs with;
- ``before-call`` runs the call through the steps AWS takes: credentials,
  the service's input checks, the limits of session credentials, then each
  action the call needs (:mod:`labkit.lab.authorize`), then the service's own
  checks, and answers a refusal with AWS's error. An allowed call goes to the
  Lab's handler for that operation, if there is one, or on to moto;
- ``after-call`` / ``after-call-error`` write the trail and note IAM writes.

Returning ``(http, parsed)`` from ``before-call`` short-circuits the call;
with a status of 400 or more botocore raises ``ClientError`` itself, so
learners see exactly what boto3 shows against AWS.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import Target
from labkit.lab.credentials import credential_error
from labkit.lab.denials import (
    INVALID_TOKEN_FOR_IAM,
    SESSION_TOKEN_STS,
    access_denied_code,
    denial_message,
    encode_authorization,
)
from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call
from labkit.lab.services import Asked, Service, offered, service
from labkit.lab.trail import TrailEvent
from labkit.lab.validation import (
    VALIDATED_SERVICES,
    aws_message,
    check_input,
    check_wire_numbers,
)
from labkit.policy.model import ALLOWED, Decision
from labkit.policy_source import UnreadablePolicy

if TYPE_CHECKING:
    from labkit.lab.accounts import Accounts
    from labkit.lab.context import AccountContext
    from labkit.lab.identities import Principal

__all__ = ["Enforcer", "denial_message", "error_response", "requested_region"]

# Services AWS serves from one global endpoint: aws:RequestedRegion is us-east-1.
_GLOBAL_SERVICES = frozenset({"iam"})


def requested_region(prefix: str, client_region: str) -> str:
    """``aws:RequestedRegion`` of a call: the client's region, us-east-1 for IAM."""
    return "us-east-1" if prefix in _GLOBAL_SERVICES else client_region


_PENDING = "labkit.pending"
_EVENT = "labkit.event"


class _Http:
    """The little of an HTTP response botocore reads from a short-circuit."""

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {}
        self.content = b""
        self.text = ""
        self.raw = None
        self.url = ""


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


# http.client refuses a header value with a line break not followed by a space or tab.
_ILLEGAL_HEADER_VALUE = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])")


def _unsendable(request: Any) -> Exception | None:
    """The error botocore's HTTP client raises for a request it cannot send:
    a header value that is not Latin-1 text, or that breaks a line."""
    from botocore.exceptions import HTTPClientError

    headers = request.get("headers") if isinstance(request, Mapping) else None
    for value in (headers or {}).values():
        try:
            raw = value.encode("latin-1") if isinstance(value, str) else value
        except UnicodeEncodeError as error:
            return HTTPClientError(error=error)
        if isinstance(raw, bytes) and _ILLEGAL_HEADER_VALUE.search(raw):
            return HTTPClientError(error=ValueError(f"Invalid header value {raw!r}"))
    return None


# Characters XML 1.0 cannot hold, even escaped; moto echoes them from a request.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
    """Drop from moto's XML answer the characters AWS's XML never holds, so
    botocore reads the answer instead of failing on it."""
    body = response_dict.get("body")
    protocol = operation_model.service_model.protocol
    if (
        protocol in ("query", "ec2", "rest-xml")
        and isinstance(body, bytes)
        and _NOT_XML.search(body)
    ):
        response_dict["body"] = _NOT_XML.sub(b"", body)


@cache
def _moto_methods(where: tuple[str, str]) -> frozenset[str]:
    """The names of the methods moto answers a service's calls with."""
    from importlib import import_module

    from moto.core.utils import method_names_from_class

    return frozenset(method_names_from_class(getattr(import_module(where[0]), where[1])))


def _moto_answers(where: tuple[str, str], operation: str) -> bool:
    """Whether moto answers ``operation`` (AWS's name) of a service."""
    from moto.core.utils import camelcase_to_underscores

    return camelcase_to_underscores(operation) in _moto_methods(where)


@dataclass
class _Pending:
    """One call on its way through the steps."""

    caller: Principal | AwsError
    params: dict[str, Any]
    rules: Service | None = None
    operation: str = ""
    prefix: str = ""
    protocol: str = "query"
    region: str = ""
    request_id: str = ""
    principal: Principal | None = None
    created: dict[str, set[Any]] = field(default_factory=dict)

    def refuse(self, code: str, message: str, status: int) -> tuple[_Http, dict[str, Any]]:
        return error_response(code, message, status, self.protocol, self.request_id)


Answer = tuple[_Http, dict[str, Any]] | None


class Enforcer:
    """Runs every call of an account's clients through AWS's checks."""

    def __init__(
        self,
        account: AccountContext,
        is_open: Callable[[], bool],
        accounts: Accounts | None = None,
    ) -> None:
        self.account = account
        self._is_open = is_open
        self._ids = 0
        # The Lab's other accounts: a caller acts in the account its keys belong to.
        self._accounts = accounts

    def home_of(self, principal: Principal) -> AccountContext:
        """The account ``principal`` belongs to and acts in."""
        if self._accounts is None or principal.account == self.account.account_id:
            return self.account
        try:
            return self._accounts[principal.account]
        except KeyError:
            return self.account

    # --- clients --------------------------------------------------------------

    def adopt(self, client: Any) -> Any:
        """Make every call of ``client`` a call of this account (once per client)."""
        if getattr(client, "_labkit_enforcer", None) is self:
            return client
        events = client.meta.events
        events.register(
            "before-parameter-build.*.*", lambda **kw: self._on_parameters(client, **kw)
        )
        events.register("before-call.*.*", self._on_call)
        events.register("after-call.*.*", self._on_response)
        events.register("after-call-error.*.*", self._on_error)
        events.register("before-parse.*.*", _xml_safe, unique_id="labkit-xml-safe")
        events.register("before-sign.*.*", self._to_account, unique_id="labkit-account")
        client._labkit_enforcer = self
        return client

    def caller_of(self, client: Any) -> Principal:
        """Who signs ``client``'s calls; raises ``AwsError`` for refused keys."""
        signer = getattr(client, "_request_signer", None)
        credentials = getattr(signer, "_credentials", None)
        if credentials is None:
            raise AwsError(
                "MissingAuthenticationToken", "Request is missing Authentication Token", 403
            )
        frozen = credentials.get_frozen_credentials()
        if self._accounts is not None:
            return self._accounts.resolve(frozen.access_key, frozen.secret_key, frozen.token)[1]
        return self.account.credentials.resolve(frozen.access_key, frozen.secret_key, frozen.token)

    def new_request_id(self) -> str:
        """A request id in AWS's shape, reproducible under the Lab's seed."""
        from uuid import UUID

        self._ids += 1
        return str(UUID(int=self.account.random.getrandbits(128), version=4))

    # --- events ---------------------------------------------------------------

    def _on_parameters(
        self, client: Any, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        try:
            caller: Principal | AwsError = self.caller_of(client)
        except AwsError as refused:
            caller = refused
        context[_PENDING] = _Pending(caller, params)
        rules = service(model.service_model.signing_name)
        if rules is not None and rules.complete is not None:
            rules.complete(model.name, params, client.meta.region_name or self.account.region)
        # IAM calls that take an optional UserName mean the caller's own user.
        if (
            getattr(caller, "type", None) == "User"
            and model.service_model.signing_name == "iam"
            and model.input_shape is not None
            and "UserName" in model.input_shape.members
            and not params.get("UserName")
        ):
            params["UserName"] = caller.name  # type: ignore[union-attr]

    def _to_account(self, request: Any, **_: Any) -> None:
        """Send a member account's call to moto's state for that account."""
        pending: _Pending | None = getattr(request, "context", {}).get(_PENDING)
        principal = pending.principal if pending is not None else None
        if principal is not None and principal.account != self.account.account_id:
            request.headers["x-moto-account-id"] = self.home_of(principal).account_id

    def _on_call(self, model: Any, context: dict[str, Any], params: Any = None, **_: Any) -> Answer:
        unsendable = _unsendable(params)
        if unsendable is not None:
            raise unsendable  # as botocore's HTTP client would: nothing is sent
        pending: _Pending = context.get(_PENDING) or _Pending(self.account.root, {})
        service_model = model.service_model
        pending.prefix = service_model.signing_name
        pending.protocol = service_model.protocol
        pending.operation = model.name
        pending.rules = service(pending.prefix)
        region = context.get("client_region") or self.account.region
        pending.region = requested_region(pending.prefix, region)
        pending.request_id = self.new_request_id()
        try:
            for step in (
                self._check_open,
                self._check_credentials,
                self._check_service,
                self._check_input,
                self._check_session_limits,
                self._authorize,
            ):
                answer = step(pending, model, context)
                if answer is not None:
                    return answer
            return self._dispatch(pending, context)
        except Exception as error:  # noqa: BLE001 - the Lab's own checks or handlers failed
            return self._crashed(pending, context, error)

    def _on_response(
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
        pending: _Pending | None = context.get(_PENDING)
        if status >= 300 and pending is not None:
            self._undo_creates(pending)  # moto may refuse after creating (CreateBucket's ACL)
        rules = pending.rules if pending is not None else None
        if status < 300 and rules is not None and rules.changes_policies(model.name):
            home = self.home_of(pending.principal) if pending.principal else self.account
            home.store.changed()

    def _on_error(self, exception: Exception, context: dict[str, Any], **_: Any) -> None:
        from labkit.lab.seal import internal_failure

        pending: _Pending | None = context.get(_PENDING)
        if pending is not None:
            self._undo_creates(pending)
        code, message = internal_failure(exception)
        self._record(context, code, message)

    # --- the steps ------------------------------------------------------------

    def _check_open(self, pending: _Pending, model: Any, context: dict[str, Any]) -> Answer:
        if self._is_open():
            return None
        self._note(context, pending, "unknown", Target(f"{pending.prefix}:{pending.operation}"))
        return pending.refuse("LabClosed", "This Lab was closed; start a new one with Lab().", 400)

    def _check_credentials(self, pending: _Pending, model: Any, context: dict[str, Any]) -> Answer:
        if not isinstance(pending.caller, AwsError):
            pending.principal = pending.caller
            return None
        code, message, status = credential_error(pending.caller.code, pending.protocol)
        self._note(context, pending, "unknown", Target(f"{pending.prefix}:{pending.operation}"))
        return pending.refuse(code, message, status)

    def _check_service(self, pending: _Pending, model: Any, context: dict[str, Any]) -> Answer:
        if pending.rules is not None:
            return None
        self._note(
            context, pending, pending.principal.arn, Target(f"{pending.prefix}:{pending.operation}")
        )  # type: ignore[union-attr]
        title = model.service_model.metadata.get("serviceFullName", pending.prefix)
        return pending.refuse(
            "NotImplemented",
            f"The Lab's account does not offer {title}; it offers {offered()}.",
            501,
        )

    def _check_input(self, pending: _Pending, model: Any, context: dict[str, Any]) -> Answer:
        # AWS checks a request's input before it authorizes it.
        try:
            if pending.protocol in ("query", "ec2"):
                check_wire_numbers(model, pending.params)
            if pending.prefix in VALIDATED_SERVICES:
                check_input(model, pending.params)
        except AwsError as error:
            return self._fail(pending, context, error)
        return None

    def _check_session_limits(
        self, pending: _Pending, model: Any, context: dict[str, Any]
    ) -> Answer:
        """Credentials from GetSessionToken cannot call IAM unless MFA was
        used to get them, and of STS only AssumeRole and GetCallerIdentity."""
        principal = pending.principal
        if principal is None or not principal.session_token:
            return None
        if pending.prefix == "iam" and principal.mfa_at is None:
            code, _message, status = credential_error("InvalidClientTokenId", pending.protocol)
            return self._fail(pending, context, AwsError(code, INVALID_TOKEN_FOR_IAM, status))
        if pending.prefix == "sts" and pending.operation not in SESSION_TOKEN_STS:
            message = f"Cannot call {pending.operation} with session credentials"
            return self._fail(pending, context, AwsError("AccessDenied", message, 403))
        return None

    def _authorize(self, pending: _Pending, model: Any, context: dict[str, Any]) -> Answer:
        rules, principal = pending.rules, pending.principal
        assert rules is not None and principal is not None
        try:
            if rules.prepare is not None:
                proven = rules.prepare(
                    self.home_of(principal), principal, pending.operation, pending.params
                )
                if proven is not None:
                    principal = pending.principal = proven
            found = rules.targets(self._asked(pending))
            for target, decision in self._decisions(principal, found, pending.region):
                if not decision.allowed:
                    return self._deny(pending, context, principal, target, decision)
        except AwsError as error:
            return self._fail(pending, context, error)
        except UnreadablePolicy as error:
            return self._fail(pending, context, AwsError("UnreadablePolicy", str(error), 500))
        self._note(context, pending, principal.arn, found[0] if found else Target("*"), ALLOWED)
        return None

    def _dispatch(self, pending: _Pending, context: dict[str, Any]) -> Answer:
        rules, principal = pending.rules, pending.principal
        assert rules is not None and principal is not None
        try:
            home = self.home_of(principal)
            if rules.validate is not None:
                rules.validate(home, pending.operation, pending.params)
            handler = rules.handlers.get(pending.operation)
            if handler is not None:
                call = Call(
                    home, principal, pending.prefix, pending.operation, dict(pending.params)
                )
                result = handler(call)
                if result is not None:
                    parsed = dict(result)
                    parsed["ResponseMetadata"] = _metadata(
                        200, pending.request_id, pending.protocol
                    )
                    return _Http(200), parsed
            if rules.moto_responses is not None and not _moto_answers(
                rules.moto_responses, pending.operation
            ):
                raise AwsError(
                    "NotImplemented",
                    f"{pending.prefix}:{pending.operation} is not available in the Lab's "
                    "simulated AWS account.",
                    501,
                )
        except AwsError as error:
            return pending.refuse(error.code, error.message, error.status)
        except UnreadablePolicy as error:
            return pending.refuse("UnreadablePolicy", str(error), 500)
        self._remember_creates(pending)
        return None

    # --- helpers --------------------------------------------------------------

    def decide_call(
        self,
        principal: Principal,
        service_prefix: str,
        operation: str,
        params: Mapping[str, Any],
        region: str | None = None,
    ) -> list[tuple[Target, Decision]]:
        """Every authorization a call by ``principal`` needs, each with the
        decision enforcement gives it, in the order enforcement asks them;
        the call is refused at the first one denied. Nothing is called.

        Raises ``LookupError`` for a service the Lab does not offer and
        ``ValueError`` for calls whose input proves something (an MFA code
        given to STS), which only making them can decide.
        """
        rules = service(service_prefix)
        if rules is None:
            raise LookupError(f"The Lab does not offer the service {service_prefix!r}.")
        if rules.prepare is not None:
            raise ValueError(f"{service_prefix} calls cannot be decided without making them.")
        where = requested_region(service_prefix, region or self.account.region)
        asked = self._asked_for(principal, service_prefix, operation, params, where)
        return list(self._decisions(principal, rules.targets(asked), where))

    def _decisions(
        self, principal: Principal, targets: list[Target], region: str
    ) -> Iterator[tuple[Target, Decision]]:
        """Each target with its decision, asked one after another, as a call needs them."""
        decide = self.home_of(principal).authorizer.decider(principal, region)
        for target in targets:
            yield target, decide(target)

    def _asked(self, pending: _Pending) -> Asked:
        assert pending.principal is not None
        return self._asked_for(
            pending.principal, pending.prefix, pending.operation, pending.params, pending.region
        )

    def _asked_for(
        self,
        principal: Principal,
        prefix: str,
        operation: str,
        params: Mapping[str, Any],
        region: str,
    ) -> Asked:
        home = self.home_of(principal)
        return Asked(
            service=prefix,
            operation=operation,
            params=params,
            account=home.account_id,
            region=region,
            lookups=home.store,
            caller_user=principal.name if principal.type == "User" else None,
        )

    def _deny(
        self,
        pending: _Pending,
        context: dict[str, Any],
        principal: Principal,
        target: Target,
        decision: Decision,
    ) -> Answer:
        code, status = access_denied_code(pending.protocol, pending.prefix)
        message = denial_message(principal.arn, target, decision, pending.prefix)
        if pending.rules is not None and pending.rules.denial.encoded:
            message += ". Encoded authorization failure message: " + encode_authorization(
                principal, target, decision
            )
        self._note(context, pending, principal.arn, target, decision.decision)
        return pending.refuse(code, message, status)

    def _fail(self, pending: _Pending, context: dict[str, Any], error: AwsError) -> Answer:
        who = pending.principal.arn if pending.principal is not None else "unknown"
        self._note(context, pending, who, Target(f"{pending.prefix}:{pending.operation}"))
        return pending.refuse(error.code, error.message, error.status)

    def _crashed(self, pending: _Pending, context: dict[str, Any], error: Exception) -> Answer:
        """A failure in the Lab's own code answers as AWS's InternalFailure, is
        in the trail, and leaves nothing half-made."""
        from labkit.lab.seal import internal_failure

        self._undo_creates(pending)
        if _EVENT not in context:
            who = pending.principal.arn if pending.principal is not None else "unknown"
            self._note(context, pending, who, Target(f"{pending.prefix}:{pending.operation}"))
        code, message = internal_failure(error)
        return pending.refuse(code, message, 500)

    @staticmethod
    def _note(
        context: dict[str, Any],
        pending: _Pending,
        who: str,
        target: Target,
        decision: str = "implicitDeny",
    ) -> None:
        context[_EVENT] = (who, target, decision, pending.operation, pending.prefix)

    def _record(self, context: dict[str, Any], code: str | None, message: str | None) -> None:
        event = context.pop(_EVENT, None)
        if event is None:
            return
        principal_arn, target, decision, operation, prefix = event
        if code in ("AccessDenied", "AccessDeniedException") and decision == ALLOWED:
            decision = "implicitDeny"  # refused by the operation's own check
        account = self.account
        account.trail.record(
            TrailEvent(
                time=account.clock.now(),
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

    # --- undoing what a failed create left behind -------------------------------

    def _remember_creates(self, pending: _Pending) -> None:
        if pending.rules is None or not pending.rules.registries:
            return
        pending.created = {where: set(found) for where, found in self._registries(pending).items()}

    def _undo_creates(self, pending: _Pending) -> None:
        """Remove what a call that crashed created: a failed create leaves nothing."""
        if not pending.created:
            return
        for where, found in self._registries(pending).items():
            before = pending.created.get(where, set())
            for key in set(found) - before:
                found.pop(key, None)

    def _registries(self, pending: _Pending) -> dict[str, Any]:
        from importlib import import_module

        found: dict[str, Any] = {}
        rules = pending.rules
        assert rules is not None
        principal = pending.principal
        owner = (self.home_of(principal) if principal is not None else self.account).account_id
        for module, backends, attribute in rules.registries:
            region = pending.region if rules.regional else "aws"
            try:
                backend = getattr(import_module(module), backends)[owner][region]
            except (KeyError, ImportError):
                continue
            registry = getattr(backend, attribute, None)
            if isinstance(registry, dict):
                found[f"{module}.{attribute}"] = registry
        return found

    # --- asking without calling ---------------------------------------------------

    def decide(self, principal: Principal, action: str, resource: str = "*") -> Decision:
        """What a call by ``principal`` asking for ``action`` on ``resource``
        would get, for views that ask without calling."""
        return self.decider(principal)(action, resource)

    def decider(self, principal: Principal) -> Callable[[str, str], Decision]:
        """:meth:`decide` for one caller and many ``(action, resource)``
        requests: the caller's policies and context are read once."""
        decide = self.home_of(principal).authorizer.decider(principal)
        session_name = principal.session_name or principal.name

        def run(action: str, resource: str = "*") -> Decision:
            context: Mapping[str, Any] = {}
            if action.lower().startswith("sts:assumerole"):
                context = {"sts:RoleSessionName": session_name}
            return decide(Target(action, resource or "*", context))

        return run
