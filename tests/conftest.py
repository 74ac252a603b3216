"""Every test runs sealed: no connection beyond this machine, and real-looking
credentials in the environment that must never sign a request.

A test that reached AWS, or signed anything with credentials the Lab did not
issue, fails here, whatever it asserts itself.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from typing import Any

import pytest

# Real-looking, and what a careless client would pick up from the environment.
DECOY_KEY = "AKIAQDECOYDECOYDECOY"
DECOY_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": DECOY_KEY,
    "AWS_SECRET_ACCESS_KEY": "d3c0y/SecretThatMustNeverSignAnything+XYZ",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEDECOY",
}


class NetworkRefused(OSError):
    """A test tried to connect beyond this machine."""


def _local(address: Any) -> bool:
    if not isinstance(address, tuple):  # a Unix socket path
        return True
    host = str(address[0])
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False  # a name: resolving it would already leave the machine


@pytest.fixture(autouse=True, scope="session")
def sealed() -> Iterator[list[str]]:
    """Refuse connections beyond loopback; put decoy credentials in the
    environment; record every key that signs a request."""
    import botocore.auth

    signed: list[str] = []
    saved_env = {name: os.environ.get(name) for name in DECOY_ENVIRONMENT}
    os.environ.update(DECOY_ENVIRONMENT)
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex
    create_connection = socket.create_connection
    getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        if not _local(address):
            raise NetworkRefused(f"connection attempted to {address!r}")
        return connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> Any:
        if not _local(address):
            raise NetworkRefused(f"connection attempted to {address!r}")
        return connect_ex(self, address)

    def guarded_create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        if not _local(address):
            raise NetworkRefused(f"connection attempted to {address!r}")
        return create_connection(address, *args, **kwargs)

    def guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "localhost") and not _local((host, 0)):
            raise NetworkRefused(f"name lookup attempted for {host!r}")
        return getaddrinfo(host, *args, **kwargs)

    add_auth = botocore.auth.SigV4Auth.add_auth

    def recorded_add_auth(self: Any, request: Any) -> Any:
        if self.credentials is not None:
            signed.append(self.credentials.access_key)
        return add_auth(self, request)

    socket.socket.connect = guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = guarded_connect_ex  # type: ignore[method-assign]
    socket.create_connection = guarded_create_connection  # type: ignore[assignment]
    socket.getaddrinfo = guarded_getaddrinfo  # type: ignore[assignment]
    botocore.auth.SigV4Auth.add_auth = recorded_add_auth  # type: ignore[method-assign]
    try:
        yield signed
    finally:
        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
        socket.create_connection = create_connection  # type: ignore[assignment]
        socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
        botocore.auth.SigV4Auth.add_auth = add_auth  # type: ignore[method-assign]
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert DECOY_KEY not in signed, "a request was signed with credentials from the environment"
