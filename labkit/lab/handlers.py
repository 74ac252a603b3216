"""The operations the Lab answers itself instead of moto, and what they receive.

moto stores IAM objects but leaves out what AWS checks: MFA codes, password
policies, trust policies, the simulator. Each such operation has a handler,
listed in its service's module (:mod:`labkit.lab.services`):

    HANDLERS = {"EnableMFADevice": enable_mfa_device, ...}

A handler runs after the call was authorized. It receives a :class:`Call`
and returns the response dict (in botocore's parsed shape, without
``ResponseMetadata``), or ``None`` to let moto carry out the call as asked,
or raises :class:`~labkit.lab.errors.AwsError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext
    from labkit.lab.identities import Principal


@dataclass
class Call:
    """One API call as a handler sees it: the account it runs in, who
    calls, and what was asked."""

    account: AccountContext
    principal: Principal
    service: str  # the signing name, e.g. "iam", "sts", "dynamodb", "s3"
    operation: str  # AWS's operation name, e.g. "EnableMFADevice"
    params: dict[str, Any]


Handler = Callable[[Call], "dict[str, Any] | None"]


class _AllHandlers(Mapping[str, Handler]):
    """Every service's handlers, by ``service:Operation``."""

    def _table(self) -> dict[str, Handler]:
        from labkit.lab.services import services

        return {
            f"{name}:{operation}": handler
            for name, service in services().items()
            for operation, handler in service.handlers.items()
        }

    def __getitem__(self, key: str) -> Handler:
        service, _, operation = key.partition(":")
        from labkit.lab.services import service as find

        found = find(service)
        if found is None or operation not in found.handlers:
            raise KeyError(key)
        return found.handlers[operation]

    def __iter__(self) -> Iterator[str]:
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


HANDLERS: Mapping[str, Handler] = _AllHandlers()
