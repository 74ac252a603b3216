"""While a Lab is open, every AWS client in the process is one of its callers.

A learner follows AWS's examples: ``boto3.client("iam",
aws_access_key_id=..., aws_secret_access_key=...)`` with keys the Lab just
issued, or a client made before the Lab, or one given ``endpoint_url=`` or a
dual-stack or FIPS endpoint. Each must act as the principal its keys belong
to, be enforced and appear in the trail, and nothing may leave the machine.

Two patches do that for as long as a Lab is open:

- every client's API calls pass through :func:`_sealed_call`, which has the
  running Lab adopt the client (its enforcement, and moto's answers, even for
  a client made before moto was imported) and sends calls meant for another
  endpoint to the Lab's own;
- :class:`NetworkSealed` is raised for any connection an AWS client would
  open beyond this machine, so a request signed with real credentials can
  never go out.

A call that crashes inside moto reaches the learner as AWS's
``InternalFailure``, never as a Python traceback from moto's code; one that
crashes inside botocore over parameters botocore's own validator refuses
reaches them as that ``ParamValidationError``.

Both patches cover every copy of botocore loaded in the process: botocore
itself and the AWS CLI's own copy when it is imported as ``awscli.botocore``
(:func:`cover`). Calls to the Lab's local endpoint (``lab.serve()``) go out
to it over loopback, where the endpoint enforces them; every other call runs
under :data:`LOCK`, one at a time, as the endpoint's threads do too.
"""

from __future__ import annotations

import ipaddress
import sys
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

# The copies of botocore a client can come from: botocore itself, and the AWS
# CLI's when loaded under its own name. Each sealed copy keeps its originals.
_COPIES = ("botocore", "awscli.botocore")
_SAVED: dict[str, dict[str, Any]] = {}
_ACTIVE: list[Callable[[], Any]] = []

# The Lab is not built for concurrent calls: the kernel's and the local
# endpoint's threads take turns (re-entrant, as a handler may call again).
LOCK = threading.RLock()

INTERNAL_FAILURE = (
    "The request processing has failed because of an unknown error, exception or failure."
)


class NetworkSealed(ConnectionError):
    """An AWS client tried to reach beyond this machine while a Lab was open."""


def internal_failure(error: BaseException) -> tuple[str, str]:
    """AWS's code and message for a request that failed inside the service."""
    return "InternalFailure", INTERNAL_FAILURE


def install(active: Callable[[], Any]) -> None:
    """Seal the process: ``active()`` returns the open Lab, or None."""
    if _SAVED:
        return
    import botocore.client
    import botocore.httpsession  # noqa: F401 - loaded, so that cover() seals it

    _ACTIVE[:] = [active]
    cover()


def cover() -> None:
    """Seal every copy of botocore loaded and not yet sealed (the AWS CLI's
    ``awscli.botocore`` may be imported after the Lab opened)."""
    if not _ACTIVE:
        return
    from importlib import import_module

    active = _ACTIVE[0]
    for name in _COPIES:
        client = sys.modules.get(f"{name}.client")
        if name in _SAVED or client is None:
            continue
        http = import_module(f"{name}.httpsession")  # its connections are guarded too
        base, session = client.BaseClient, http.URLLib3Session
        if any(saved["classes"] == (base, session) for saved in _SAVED.values()):
            continue  # the same modules under a second name
        _SAVED[name] = {
            "classes": (base, session),
            "call": base._make_api_call,
            "send": session.send,
        }
        base._make_api_call = _sealed_call(base._make_api_call, active)
        session.send = _guarded_send(session.send, active)


def remove() -> None:
    """Unseal the process."""
    for name in list(_SAVED):
        saved = _SAVED.pop(name)
        base, session = saved["classes"]
        base._make_api_call = saved["call"]
        session.send = saved["send"]
    _ACTIVE.clear()


def _sealed_call(original: Callable[..., Any], active: Callable[[], Any]) -> Callable[..., Any]:
    def call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        lab = active()
        owner = getattr(client, "_labkit_owner", None)
        if lab is None or (owner is not None and owner is not lab):
            # Outside a Lab, or a client of a Lab since closed: it answers itself.
            return original(client, operation_name, api_params)
        if _to_local_endpoint(lab, client):
            # Sent over loopback to lab.serve(), which enforces it: not here too.
            return original(client, operation_name, api_params)
        with LOCK:
            served = lab._serve(client)
            try:
                return original(served, operation_name, api_params)
            except Exception as error:
                raise _as_aws_error(error, operation_name, served, api_params) from None

    call.__wrapped__ = original  # type: ignore[attr-defined]
    return call


def _as_aws_error(
    error: Exception, operation: str, client: Any = None, params: Any = None
) -> Exception:
    """Errors botocore raises stay; a crash over parameters botocore's own
    validator refuses is that refusal; anything else becomes AWS's InternalFailure."""
    from botocore.exceptions import BotoCoreError, ClientError

    # A client of another copy of botocore raises, and is answered with, its own.
    module = type(client).__module__.rpartition(".")[0] if client is not None else ""
    errors = sys.modules.get(f"{module}.exceptions")
    if module != "botocore" and errors is not None and hasattr(errors, "ClientError"):
        BotoCoreError, ClientError = errors.BotoCoreError, errors.ClientError  # noqa: N806
    if isinstance(error, ClientError | BotoCoreError | NetworkSealed):
        return error
    refused = _refused_by_botocore(client, operation, params)
    if refused is not None:
        return refused
    code, message = internal_failure(error)
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        },
        operation,
    )


def _refused_by_botocore(client: Any, operation: str, params: Any) -> Exception | None:
    """The ``ParamValidationError`` botocore gives ``params``, if it refuses them.

    botocore resolves a call's endpoint before it validates the parameters,
    and some endpoint rules fail on a missing one: DynamoDB's
    ``BatchGetItem()`` without ``RequestItems`` raises ``JMESPathTypeError``
    instead of saying the parameter is required.
    """
    meta = getattr(client, "meta", None)
    if meta is None or not isinstance(params, dict) or not meta.config.parameter_validation:
        return None
    # The client's own copy of botocore checks, and refuses, in its own classes.
    module = type(client).__module__.rpartition(".")[0] or "botocore"
    validating = sys.modules.get(f"{module}.validate")
    errors = sys.modules.get(f"{module}.exceptions")
    if validating is None or errors is None:
        return None
    try:
        shape = meta.service_model.operation_model(operation).input_shape
        if shape is not None:
            validating.validate_parameters(params, shape)
    except errors.ParamValidationError as refused:
        return refused
    except Exception:  # noqa: BLE001 - no model to check against: not botocore's refusal
        return None
    return None


def _guarded_send(original: Callable[..., Any], active: Callable[[], Any]) -> Callable[..., Any]:
    def send(session: Any, request: Any) -> Any:
        if active() is not None and not is_loopback(request.url):
            raise NetworkSealed(
                f"The Lab keeps every AWS call on this machine: refused to connect to "
                f"{urlsplit(request.url).netloc}. Make clients inside the Lab, without a custom "
                "endpoint, or use lab.serve() for a local endpoint."
            )
        return original(session, request)

    return send


def _to_local_endpoint(lab: Any, client: Any) -> bool:
    """Whether ``client`` was made to call the Lab's own local endpoint."""
    urls = getattr(lab, "endpoint_urls", ())
    if not urls:
        return False
    url = str(getattr(getattr(client, "meta", None), "endpoint_url", "") or "").rstrip("/")
    return url in urls


def is_loopback(url: str) -> bool:
    """Whether ``url`` points at this machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# Endpoint options that send a client elsewhere than the service's usual endpoint.
_ELSEWHERE = ("SDK::Endpoint", "AWS::UseFIPS", "AWS::UseDualStack", "AWS::S3::Accelerate")


def served_elsewhere(client: Any) -> bool:
    """Whether the client was told to call another endpoint than the usual one."""
    resolver = getattr(client, "_ruleset_resolver", None)
    builtins = getattr(resolver, "_builtins", None) or {}
    return any(builtins.get(name) for name in _ELSEWHERE)


def plain_config(config: Any) -> Any:
    """``config`` without the options that choose another endpoint."""
    from botocore.config import Config

    s3 = dict(getattr(config, "s3", None) or {})
    for option in ("use_dualstack_endpoint", "use_accelerate_endpoint"):
        s3.pop(option, None)
    plain = Config(use_fips_endpoint=False, use_dualstack_endpoint=False, s3=s3 or None)
    return config.merge(plain) if config is not None else plain
