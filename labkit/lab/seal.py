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
``InternalFailure``, never as a Python traceback from moto's code.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

_SAVED: dict[str, Any] = {}

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
    import botocore.httpsession

    _SAVED["call"] = botocore.client.BaseClient._make_api_call
    _SAVED["send"] = botocore.httpsession.URLLib3Session.send
    botocore.client.BaseClient._make_api_call = _sealed_call(_SAVED["call"], active)
    botocore.httpsession.URLLib3Session.send = _guarded_send(_SAVED["send"], active)


def remove() -> None:
    """Unseal the process."""
    if not _SAVED:
        return
    import botocore.client
    import botocore.httpsession

    botocore.client.BaseClient._make_api_call = _SAVED.pop("call")
    botocore.httpsession.URLLib3Session.send = _SAVED.pop("send")


def _sealed_call(original: Callable[..., Any], active: Callable[[], Any]) -> Callable[..., Any]:
    def call(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        lab = active()
        owner = getattr(client, "_labkit_owner", None)
        if lab is None or (owner is not None and owner is not lab):
            # Outside a Lab, or a client of a Lab since closed: it answers itself.
            return original(client, operation_name, api_params)
        served = lab._serve(client)
        try:
            return original(served, operation_name, api_params)
        except Exception as error:
            raise _as_aws_error(error, operation_name) from None

    call.__wrapped__ = original  # type: ignore[attr-defined]
    return call


def _as_aws_error(error: Exception, operation: str) -> Exception:
    """Errors botocore raises stay; anything else becomes AWS's InternalFailure."""
    from botocore.exceptions import BotoCoreError, ClientError

    if isinstance(error, ClientError | BotoCoreError | NetworkSealed):
        return error
    code, message = internal_failure(error)
    return ClientError(
        {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 500},
        },
        operation,
    )


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
