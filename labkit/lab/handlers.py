"""The table of operations the Lab answers itself instead of moto.

moto stores IAM objects but leaves out what AWS checks: MFA codes, password
policies, trust policies, the simulator. Each such operation has a handler,
registered here by ``service:Operation``:

    @handles("iam", "EnableMFADevice")
    def enable_mfa_device(call: Call) -> dict | None: ...

A handler runs after the call was authorized. It returns the response dict
(in botocore's parsed shape, without ``ResponseMetadata``), or ``None`` to let
moto carry out the call as asked, or raises :class:`~labkit.lab.errors.AwsError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labkit.lab.account import Lab
    from labkit.lab.identities import Principal


@dataclass
class Call:
    """One API call as a handler sees it."""

    lab: Lab
    principal: Principal
    service: str  # the signing name, e.g. "iam", "sts", "dynamodb", "s3"
    operation: str  # AWS's operation name, e.g. "EnableMFADevice"
    params: dict[str, Any]


Handler = Callable[[Call], "dict[str, Any] | None"]
HANDLERS: dict[str, Handler] = {}


def handles(service: str, operation: str) -> Callable[[Handler], Handler]:
    """Register a handler for ``service:Operation``."""

    def register(handler: Handler) -> Handler:
        HANDLERS[f"{service}:{operation}"] = handler
        return handler

    return register
