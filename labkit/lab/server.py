"""The Lab's account at a local HTTP endpoint: ``server = lab.serve()``.

Any client in any process on this machine (boto3 given ``endpoint_url``, the
AWS CLI given ``--endpoint-url`` in JupyterLab's terminal, another SDK) that
signs with keys the Lab issued acts as their owner, under the same
enforcement as every call in the kernel:

    >>> server = lab.serve()
    >>> server.url
    'http://127.0.0.1:40123'

A request is answered in four steps, one at a time (:data:`seal.LOCK`, which
the kernel's calls take too):

1. **Signature Version 4**, as AWS checks it. The ``Authorization`` header
   (or a presigned URL's query) names an access key and a credential scope;
   the signature is computed again with botocore's own signer from the
   secret the Lab holds for that key (:meth:`Credentials.secret_for`). An
   unknown key is ``InvalidClientTokenId``, a wrong secret
   ``SignatureDoesNotMatch``, an expired session ``ExpiredToken``.
2. **The operation**: the credential scope names the service; moto's router
   and request parser turn the HTTP request back into the operation and the
   parameters botocore would have been given.
3. **The call**, replayed through an in-process client of that service
   signed with the same credentials. A request whose signature failed is
   replayed with credentials the Lab refuses, so it is refused, and
   recorded, as any other call.
4. **The answer**, in the service's wire format: moto's response as moto
   wrote it, a success the Lab answered itself serialized by moto's
   serializers, an error in the protocol's own error shape (query XML for
   IAM and STS, JSON for DynamoDB, S3's XML).

Why replay through a client rather than hand the raw request to moto: the
Lab's enforcement lives in a client's botocore events (who signs, the
service's checks, each action's decision, the Lab's own handlers, the
trail). A replayed call *is* a call of the kernel, so the endpoint copies
none of that pipeline and cannot drift from it.

The endpoint binds to 127.0.0.1 only, on a free port unless told one, and
stops with its Lab (``lab.close()``, ``lab.reset()``) or :meth:`LabServer.stop`.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from email.message import Message

    from labkit.lab.account import Lab

__all__ = ["HOST", "LabServer", "as_sent"]

HOST = "127.0.0.1"  # loopback only: nothing beyond this machine can reach the account

_ALGORITHM = "AWS4-HMAC-SHA256"
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_UNSIGNED = "UNSIGNED-PAYLOAD"
# Headers a relayed answer must not carry over: the endpoint writes its own.
_HOP_BY_HOP = frozenset(
    {"connection", "content-length", "date", "keep-alive", "server", "transfer-encoding"}
)
# DynamoDB's errors: its own namespace, and the coral one for these (Error
# handling with DynamoDB: {"__type": "com.amazonaws.dynamodb.v20120810#...", "message": ...}).
_DYNAMODB_ERRORS = "com.amazonaws.dynamodb.v20120810"
_CORAL = frozenset(
    {
        "AccessDeniedException",
        "ExpiredTokenException",
        "IncompleteSignatureException",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "UnknownOperationException",
        "UnrecognizedClientException",
    }
)


class LabServer:
    """A running local endpoint serving one Lab's account.

    ``url`` is what clients are given (``endpoint_url=server.url``); use it as
    a context manager, or call :meth:`stop`, which frees the port.
    """

    def __init__(self, lab: Lab, port: int = 0) -> None:
        self._lab = lab
        self._httpd = _HTTPServer((HOST, port), _Handler)
        self._httpd.endpoint = _Endpoint(lab)
        self.host: str = HOST
        self.port: int = int(self._httpd.server_address[1])
        self.url = f"http://{HOST}:{self.port}"
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the endpoint answers requests."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> LabServer:
        """Start answering, in a daemon thread; returns the server."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"labkit-endpoint-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering, close every connection and free the port."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._httpd.shutdown()
            thread.join(timeout=5)
        self._httpd.close_connections()
        self._httpd.server_close()
        self._httpd.endpoint.forget()

    def __enter__(self) -> LabServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"LabServer({self.url}, {state})"


class _HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that can close the connections it keeps open."""

    daemon_threads = True
    endpoint: _Endpoint

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End kept-alive connections, so that no thread serves a stopped Lab."""
        with self._open_lock:
            found, self._open = list(self._open), set()
        for connection in found:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    """One connection: every request on it goes to the endpoint."""

    protocol_version = "HTTP/1.1"  # keep-alive, and "100 Continue" for S3 uploads
    disable_nagle_algorithm = True  # small answers go out at once, not after a delayed ACK
    server: _HTTPServer

    def version_string(self) -> str:
        """The ``Server`` header."""
        return "labkit"

    def _answer(self) -> None:
        body = self._read_body()
        status, headers, payload = self.server.endpoint.answer(
            self.command, self.path, self.headers, body
        )
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and payload:
            self.wfile.write(payload)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: the trail records every call."""


# --- Signature Version 4 ---------------------------------------------------------


class _Refused(Exception):
    """A request refused before it names an operation: (code, message, status),
    answered in ``protocol``'s error shape (the service's, once known)."""

    def __init__(self, code: str, message: str, status: int, protocol: str = "query") -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.protocol = code, message, status, protocol


# S3 refuses Signature Version 2 (``AWS key:signature`` headers, or presigned
# URLs with AWSAccessKeyId and Signature) where only SigV4 is accepted.
_SIGV2 = _Refused(
    "InvalidRequest",
    "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
    400,
    "rest-xml",
)


@dataclass(frozen=True)
class _Signed:
    """What a request says about its signature."""

    key_id: str
    date: str
    region: str
    service: str
    headers: tuple[str, ...]
    signature: str
    timestamp: str
    token: str | None
    presigned: bool = False
    expires: int | None = None


def _incomplete(missing: list[str], authorization: str) -> _Refused:
    # AWS names each missing part, then echoes the header (IAM API Reference,
    # Common Errors: IncompleteSignature, HTTP 400).
    words = " ".join(missing)
    return _Refused("IncompleteSignature", f"{words} Authorization={authorization}", 400)


def _signed(headers: Message, query: list[tuple[str, str]]) -> _Signed:
    """Read a request's SigV4 signature from its header or its presigned query."""
    authorization = (headers.get("Authorization") or "").strip()
    values = dict(query)
    if not authorization and "X-Amz-Signature" in values:
        return _presigned(values)
    if authorization.startswith("AWS ") or (
        not authorization and "AWSAccessKeyId" in values and "Signature" in values
    ):
        raise _SIGV2
    if not authorization:
        # IAM API Reference, Common Errors: MissingAuthenticationToken, HTTP 403.
        raise _Refused("MissingAuthenticationToken", "Request is missing Authentication Token", 403)
    algorithm, _, rest = authorization.partition(" ")
    if algorithm != _ALGORITHM:
        raise _Refused(
            "IncompleteSignature",
            f"The Lab's endpoint accepts Signature Version 4 ({_ALGORITHM}) only. "
            f"Authorization={authorization}",
            400,
        )
    fields = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    timestamp = headers.get("X-Amz-Date") or _from_date_header(headers.get("Date"))
    if not timestamp:
        missing.append(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        )
    if missing:
        raise _incomplete(missing, authorization)
    key_id, date, region, service = _scope(fields["Credential"], authorization)
    return _Signed(
        key_id=key_id,
        date=date,
        region=region,
        service=service,
        headers=tuple(fields["SignedHeaders"].lower().split(";")),
        signature=fields["Signature"],
        timestamp=str(timestamp),
        token=headers.get("X-Amz-Security-Token"),
    )


def _presigned(values: dict[str, str]) -> _Signed:
    if values.get("X-Amz-Algorithm") != _ALGORITHM:
        raise _Refused(
            "AuthorizationQueryParametersError",
            f'X-Amz-Algorithm only supports "{_ALGORITHM}"',
            400,
            "rest-xml",
        )
    needed = ("X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires")
    if any(not values.get(name) for name in needed):
        raise _Refused(
            "AuthorizationQueryParametersError",
            "Query-string authentication version 4 requires the X-Amz-Algorithm, "
            "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
            "X-Amz-Expires parameters.",
            400,
            "rest-xml",
        )
    key_id, date, region, service = _scope(values["X-Amz-Credential"], "")
    return _Signed(
        key_id=key_id,
        date=date,
        region=region,
        service=service,
        headers=tuple(values["X-Amz-SignedHeaders"].lower().split(";")),
        signature=values["X-Amz-Signature"],
        timestamp=values["X-Amz-Date"],
        token=values.get("X-Amz-Security-Token"),
        presigned=True,
        expires=int(values["X-Amz-Expires"]) if values["X-Amz-Expires"].isdigit() else 0,
    )


def _scope(credential: str, authorization: str) -> tuple[str, str, str, str]:
    parts = unquote(credential).split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise _Refused(
            "IncompleteSignature",
            f"Credential should be scoped to a valid region. Authorization={authorization}",
            400,
        )
    return parts[0], parts[1], parts[2], parts[3]


def _from_date_header(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC).strftime(_TIMESTAMP)
    except (TypeError, ValueError):
        return None


@cache
def _verifiers() -> dict[bool, type]:
    """botocore's SigV4 signers, given exactly the headers the client signed."""
    from botocore.auth import S3SigV4Auth, SigV4Auth
    from botocore.awsrequest import HTTPHeaders

    class Exact:
        signed: tuple[str, ...] = ()
        presigned = False

        def headers_to_sign(self, request: Any) -> Any:
            found = HTTPHeaders()
            for name in self.signed:
                for value in request.headers.get_all(name) or [""]:
                    found[name] = value
            return found

        def payload(self, request: Any) -> str:
            if self.presigned:
                return _UNSIGNED  # presigned URLs sign no payload
            return super().payload(request)  # type: ignore[misc]

    class Verify(Exact, SigV4Auth):
        pass

    class VerifyS3(Exact, S3SigV4Auth):  # S3 keeps paths as sent and signs its own hash
        pass

    return {False: Verify, True: VerifyS3}


def _signature(
    signed: _Signed, secret: str, method: str, url: str, headers: Message, body: bytes
) -> str:
    """The signature AWS would compute for this request with ``secret``."""
    from botocore.awsrequest import AWSRequest, HTTPHeaders
    from botocore.credentials import Credentials

    wanted = HTTPHeaders()
    for name in signed.headers:
        for value in headers.get_all(name) or []:
            wanted[name] = value
    if signed.presigned:  # the signature is not part of what it signs
        parts = urlsplit(url)
        query = "&".join(p for p in parts.query.split("&") if not p.startswith("X-Amz-Signature="))
        url = parts._replace(query=query).geturl()
    request = AWSRequest(method=method, url=url, headers=wanted, data=body)
    request.context["timestamp"] = signed.timestamp
    keys = Credentials(signed.key_id, secret, signed.token)
    verifier = _verifiers()[signed.service == "s3"](keys, signed.service, signed.region)
    verifier.signed = signed.headers
    verifier.presigned = signed.presigned
    canonical = verifier.canonical_request(request)
    return str(verifier.signature(verifier.string_to_sign(request, canonical), request))


# --- the services --------------------------------------------------------------------


@cache
def _service_model(name: str) -> Any | None:
    """moto's model of the service a credential scope names, or None."""
    from moto.core.utils import get_service_model

    try:
        return get_service_model(name)
    except Exception:  # noqa: BLE001 - botocore knows no such service
        return None


@cache
def _router(name: str) -> Any:
    from moto.core.routing import get_service_router

    return get_service_router(name)


def _protocol(model: Any) -> str:
    return str(model.protocol)


class _Unknown(Exception):
    """The request names no operation of the service."""


def _operation(
    service: str, model: Any, method: str, url: str, headers: Message, body: bytes
) -> tuple[Any, dict[str, Any]]:
    """The operation a request asks for and its parameters, as botocore takes them."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import Request, determine_request_protocol

    request = Request.from_primitives(method, url, headers, body)
    try:
        operation, uri_params = _router(service).match(request)
    except Exception as error:  # noqa: BLE001 - werkzeug's NotFound, botocore's lookup
        raise _Unknown(_wanted_action(model, request)) from error
    protocol = determine_request_protocol(model, request.headers.get("Content-Type"))
    parser = PROTOCOL_PARSERS[protocol](operation, map_type=dict)
    params = parser.parse(
        {
            "method": request.method,
            "values": request.values,
            "headers": request.headers,
            "body": request.get_data(),
            "url_path": request.path,
            "url_params": uri_params,
        }
    )
    if service == "s3" and isinstance(params.get("Metadata"), dict):
        # S3 keeps user metadata keys in lower case; HTTP headers lose their case.
        params["Metadata"] = {str(k).lower(): v for k, v in params["Metadata"].items()}
    return operation, params


def _wanted_action(model: Any, request: Any) -> str:
    action = request.values.get("Action")
    if action:
        return str(action)
    target = request.headers.get("X-Amz-Target") or ""
    return target.rpartition(".")[2]


def _decode_aws_chunked(body: bytes) -> bytes:
    """The payload of an ``aws-chunked`` body (chunk signatures and trailers dropped)."""
    out, rest = [], body
    while rest:
        line, _, rest = rest.partition(b"\r\n")
        size = int(line.split(b";", 1)[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


# --- the endpoint --------------------------------------------------------------------

Answer = tuple[int, list[tuple[str, str]], bytes]


class _Endpoint:
    """Answers HTTP requests as the Lab's account, one at a time."""

    def __init__(self, lab: Lab) -> None:
        self._lab = lab
        self._clients: dict[tuple[str, str, str, str, str | None], Any] = {}
        self._response: Any = None  # the HTTP answer of the call being replayed

    def forget(self) -> None:
        """Drop the in-process clients (the server stopped)."""
        self._clients.clear()

    def answer(self, method: str, target: str, headers: Message, body: bytes) -> Answer:
        """The HTTP answer (status, headers, body) to one request."""
        from labkit.lab import seal

        with seal.LOCK:
            if self._lab.closed:  # a request that waited while its Lab closed
                message = "This Lab was closed; start a new one with Lab()."
                return _error_answer("query", None, "LabClosed", message, 400, {})
            try:
                return self._answer(method, target, headers, body)
            except _Refused as refused:
                return _error_answer(
                    refused.protocol, None, refused.code, refused.message, refused.status, {}
                )
            except Exception:  # noqa: BLE001 - answered as AWS does, never as a traceback
                return _error_answer(
                    "query", None, "InternalFailure", seal.INTERNAL_FAILURE, 500, {}
                )

    def _answer(self, method: str, target: str, headers: Message, body: bytes) -> Answer:
        host = headers.get("Host") or f"{HOST}"
        url = f"http://{host}{target}"
        signed = _signed(headers, parse_qsl(urlsplit(target).query, keep_blank_values=True))
        model = _service_model(signed.service)
        if model is None:
            from labkit.lab.services import offered

            raise _Refused(
                "NotImplemented",
                f"The Lab's account does not offer {signed.service}; it offers {offered()}.",
                501,
            )
        protocol = _protocol(model)
        try:
            return self._call(signed, model, protocol, method, url, headers, body)
        except _Refused as refused:
            return _error_answer(protocol, model, refused.code, refused.message, refused.status, {})

    def _call(
        self,
        signed: _Signed,
        model: Any,
        protocol: str,
        method: str,
        url: str,
        headers: Message,
        body: bytes,
    ) -> Answer:
        from labkit.lab.credentials import credential_error
        from labkit.lab.errors import AwsError

        refusal: str | None = None
        try:
            secret = self._lab.accounts.secret_for(signed.key_id, signed.token)
        except AwsError as error:
            refusal, secret = error.code, ""
        if refusal is None and not hmac.compare_digest(
            _signature(signed, secret, method, url, headers, body), signed.signature
        ):
            refusal = "SignatureDoesNotMatch"
        if refusal is None and signed.presigned:
            self._check_not_expired(signed)
        if refusal is None and signed.service == "s3":
            body, headers = self._s3_payload(headers, body)
        try:
            operation, params = _operation(signed.service, model, method, url, headers, body)
        except _Unknown as unknown:
            if refusal is not None:
                raise _Refused(*credential_error(refusal, protocol)) from None
            raise self._unknown(protocol, model, str(unknown)) from None
        if refusal is not None:
            # Signed with keys the Lab refuses: replayed so, the call is refused,
            # and recorded, where every call is.
            secret = f"{secret}/not-the-secret-that-signed"
        return self._replay(signed, secret, operation, params, protocol, model)

    @staticmethod
    def _check_not_expired(signed: _Signed) -> None:
        # A presigned URL is refused once X-Amz-Expires seconds have passed
        # since X-Amz-Date, by the real clock that signed it.
        try:
            signed_at = datetime.strptime(signed.timestamp, _TIMESTAMP).replace(tzinfo=UTC)
        except ValueError:
            raise _Refused("AccessDenied", "Request has expired", 403) from None
        if (datetime.now(UTC) - signed_at).total_seconds() > (signed.expires or 0):
            raise _Refused("AccessDenied", "Request has expired", 403)

    @staticmethod
    def _s3_payload(headers: Message, body: bytes) -> tuple[bytes, Message]:
        claimed = (headers.get("X-Amz-Content-SHA256") or "").lower()
        if claimed.startswith("streaming-"):
            body = _decode_aws_chunked(body)
            del headers["Content-Length"]
            headers["Content-Length"] = str(len(body))
            encoding = [
                e.strip()
                for e in (headers.get("Content-Encoding") or "").split(",")
                if e.strip() and e.strip() != "aws-chunked"
            ]
            del headers["Content-Encoding"]
            if encoding:
                headers["Content-Encoding"] = ", ".join(encoding)
        elif len(claimed) == 64 and claimed != hashlib.sha256(body).hexdigest():
            raise _Refused(
                "XAmzContentSHA256Mismatch",
                "The provided 'x-amz-content-sha256' header does not match what was computed.",
                400,
            )
        return body, headers

    @staticmethod
    def _unknown(protocol: str, model: Any, action: str) -> _Refused:
        if protocol == "ec2":
            return _Refused(
                "InvalidAction", f"The action {action} is not valid for this web service.", 400
            )
        if protocol == "query":
            version = model.metadata.get("apiVersion", "")
            return _Refused(
                "InvalidAction", f"Could not find operation {action} for version {version}", 400
            )
        return _Refused("UnknownOperationException", "", 400 if protocol == "json" else 404)

    def _client(self, service: str, region: str, key: str, secret: str, token: str | None) -> Any:
        found = self._clients.get((service, region, key, secret, token))
        if found is None:
            from botocore.config import Config

            if len(self._clients) >= 64:
                self._clients.clear()
            found = self._lab._make_client(
                service,
                {"AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": token},
                region_name=region,
                # The caller retries and validates; the account checks input as AWS does.
                config=Config(
                    retries={"total_max_attempts": 1},
                    parameter_validation=False,
                    request_checksum_calculation="when_required",
                ),
            )
            found.meta.events.register("after-call.*.*", self._keep_response)
            self._clients[(service, region, key, secret, token)] = found
        return found

    def _keep_response(self, http_response: Any, **_: Any) -> None:
        self._response = http_response

    def _replay(
        self,
        signed: _Signed,
        secret: str,
        operation: Any,
        params: dict[str, Any],
        protocol: str,
        model: Any,
    ) -> Answer:
        from botocore.exceptions import ClientError

        client = self._client(signed.service, signed.region, signed.key_id, secret, signed.token)
        self._response = None
        try:
            parsed = client._make_api_call(operation.name, params)
        except ClientError as error:
            response = error.response
            meta = response.get("ResponseMetadata", {})
            return _error_answer(
                protocol,
                model,
                str(response.get("Error", {}).get("Code", "InternalFailure")),
                str(response.get("Error", {}).get("Message", "")),
                int(meta.get("HTTPStatusCode") or 400),
                meta,
                dict(response.get("Error", {})),
            )
        http = self._response
        if http is not None and getattr(http, "raw", None) is not None:
            return _relayed(http, parsed, operation)
        return _serialized(parsed, operation, protocol, model)


def _relayed(http: Any, parsed: dict[str, Any], operation: Any) -> Answer:
    """moto's own answer, as moto wrote it."""
    headers = [(k, str(v)) for k, v in http.headers.items() if k.lower() not in _HOP_BY_HOP]
    payload = _streamed(parsed, operation)
    body = payload if payload is not None else (http.content or b"")
    length = http.headers.get("Content-Length") if operation.http.get("method") == "HEAD" else None
    headers.append(("Content-Length", str(length if length is not None else len(body))))
    return int(http.status_code), headers, body


def _streamed(parsed: dict[str, Any], operation: Any) -> bytes | None:
    output = operation.output_shape
    member = output.serialization.get("payload") if output is not None else None
    if not member or not operation.has_streaming_output:
        return None
    stream = parsed.get(member)
    return stream.read() if hasattr(stream, "read") else None


def _serialized(parsed: dict[str, Any], operation: Any, protocol: str, model: Any) -> Answer:
    """An answer the Lab made itself, in the service's wire format (moto's serializers)."""
    from moto.core.serialize import SerializationContext, get_serializer_class

    meta = parsed.get("ResponseMetadata", {})
    result = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
    serializer = get_serializer_class(model.service_name, protocol)(
        operation_model=operation, context=SerializationContext(meta.get("RequestId"))
    )
    out = serializer.serialize(result)
    body = out["body"].encode() if isinstance(out["body"], str) else out["body"]
    headers = [(k, str(v)) for k, v in out["headers"].items() if k.lower() not in _HOP_BY_HOP]
    headers.extend(_request_id_headers(protocol, meta))
    headers.append(("Content-Length", str(len(body))))
    return int(out["status_code"]), headers, body


def as_sent(parsed: dict[str, Any], service: str, operation: str) -> Answer | None:
    """How AWS would send an answer the Lab made itself (status, headers, body),
    for a client that reads the wire as it is (the AWS CLI); None for a
    service or operation moto does not model."""
    model = _service_model(service)
    if model is None:
        return None
    try:
        found = model.operation_model(operation)
    except Exception:  # noqa: BLE001 - botocore's OperationNotFoundError
        return None
    return _serialized(parsed, found, _protocol(model), model)


def _request_id_headers(protocol: str, meta: dict[str, Any]) -> list[tuple[str, str]]:
    request_id = meta.get("RequestId")
    if not request_id:
        return []
    if protocol == "rest-xml":
        return [("x-amz-request-id", request_id), ("x-amz-id-2", str(meta.get("HostId", "")))]
    return [("x-amzn-RequestId", request_id)]


def _error_answer(
    protocol: str,
    model: Any,
    code: str,
    message: str,
    status: int,
    meta: dict[str, Any],
    fields: dict[str, Any] | None = None,
) -> Answer:
    """An error in the protocol's own shape, as the service's SDKs parse it."""
    from labkit.lab.enforce import error_response

    if not meta.get("RequestId"):
        # A request id in the service's shape (S3: 16 characters and a HostId).
        from uuid import uuid4

        _http, shaped = error_response(code, message, status, protocol, str(uuid4()))
        meta = shaped["ResponseMetadata"]
    request_id = str(meta.get("RequestId", ""))
    extra = {
        k: v
        for k, v in (fields or {}).items()
        if k not in ("Code", "Message", "Type") and isinstance(v, str)
    }
    headers = _request_id_headers(protocol, meta)
    body: bytes
    if protocol == "json":
        # DynamoDB: credential and access errors in the coral namespace, its own otherwise.
        namespace = "com.amazon.coral.service" if code in _CORAL else _DYNAMODB_ERRORS
        body = json.dumps({"__type": f"{namespace}#{code}", "message": message}).encode()
        headers.append(("Content-Type", "application/x-amz-json-1.0"))
    elif protocol == "rest-json":
        body = json.dumps({"Type": "User", "message": message}).encode()
        headers.extend([("x-amzn-ErrorType", code), ("Content-Type", "application/json")])
    elif protocol == "rest-xml":
        parts = [f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"]
        parts.extend(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
        parts.append(f"<RequestId>{escape(request_id)}</RequestId>")
        parts.append(f"<HostId>{escape(str(meta.get('HostId', '')))}</HostId>")
        xml = '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' + "".join(parts) + "</Error>"
        body = xml.encode()
        headers.append(("Content-Type", "application/xml"))
    elif protocol == "ec2":
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
            f"</Error></Errors><RequestID>{escape(request_id)}</RequestID></Response>"
        ).encode()
        headers.append(("Content-Type", "text/xml;charset=UTF-8"))
    else:  # query: IAM, STS, CloudFormation
        namespace = model.metadata.get("xmlNamespace") if model is not None else None
        xmlns = f' xmlns="{escape(namespace)}"' if namespace else ""
        body = (
            f"<ErrorResponse{xmlns}><Error><Type>Sender</Type>"
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
        ).encode()
        headers.append(("Content-Type", "text/xml"))
    headers.append(("Content-Length", str(len(body))))
    return status, headers, body
