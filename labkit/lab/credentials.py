"""Who signs with which keys: the one mapping from credentials to principals.

Every call made in a Lab, by any boto3 client, is signed with some access
key. This module says whose it is: the account's root user (the Lab's
default credentials), an IAM user (keys from ``CreateAccessKey``) or a
session (temporary keys from STS or a console sign-in). Keys the Lab never
issued, a wrong secret or an expired session are refused as AWS refuses
them (``InvalidClientTokenId``, ``SignatureDoesNotMatch``, ``ExpiredToken``).

Keys retired when an account is reset or closed are never issued again by
the same Lab, so a session from before a reset cannot come back to life
because seeded random numbers repeat.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from labkit.lab.errors import AwsError
from labkit.lab.identities import Principal

if TYPE_CHECKING:
    from labkit.lab.clock import Clock
    from labkit.lab.store import Store

# The root user's stand-in credentials: fake, and only ever seen by the Lab.
ROOT_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documented example

INVALID_TOKEN = "The security token included in the request is invalid."
SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details."
)
EXPIRED = "The security token included in the request is expired"

# Refused credentials, per protocol: kind -> protocol -> (code, message, status).
CREDENTIAL_ERRORS: dict[str, dict[str, tuple[str, str, int]]] = {
    "InvalidClientTokenId": {
        "query": ("InvalidClientTokenId", INVALID_TOKEN, 403),
        "json": ("UnrecognizedClientException", INVALID_TOKEN, 400),
        "rest-json": ("UnrecognizedClientException", INVALID_TOKEN, 403),
        "ec2": ("AuthFailure", "AWS was not able to validate the provided access credentials", 401),
        "rest-xml": (
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            403,
        ),
    },
    "SignatureDoesNotMatch": {
        "query": ("SignatureDoesNotMatch", SIGNATURE, 403),
        "json": ("InvalidSignatureException", SIGNATURE, 400),
        "rest-json": ("InvalidSignatureException", SIGNATURE, 403),
        "ec2": ("AuthFailure", "AWS was not able to validate the provided access credentials", 401),
        "rest-xml": (
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            403,
        ),
    },
    "ExpiredToken": {
        "query": ("ExpiredToken", EXPIRED, 403),
        "json": ("ExpiredTokenException", EXPIRED, 400),
        "rest-json": ("ExpiredTokenException", EXPIRED, 403),
        "ec2": ("RequestExpired", "Request has expired.", 400),
        "rest-xml": ("ExpiredToken", "The provided token has expired.", 400),
    },
}


def credential_error(kind: str, protocol: str) -> tuple[str, str, int]:
    """AWS's (code, message, status) for refused credentials on a protocol."""
    table = CREDENTIAL_ERRORS.get(kind, CREDENTIAL_ERRORS["InvalidClientTokenId"])
    return table.get(protocol, table["query"])


def refused(kind: str = "InvalidClientTokenId") -> AwsError:
    """The refusal of credentials AWS does not accept, in STS's words."""
    code, message, status = credential_error(kind, "query")
    return AwsError(code, message, status)


@dataclass(frozen=True)
class _Issued:
    secret: str
    token: str | None
    principal: Principal


def fake_key(rng: random.Random, prefix: str) -> str:
    """An access key id in AWS's shape: ``AKIA``/``ASIA`` and 16 more characters."""
    return prefix + "".join(rng.choices(string.ascii_uppercase + "234567", k=16))


def fake_secret(rng: random.Random) -> str:
    """A 40-character secret access key."""
    return "".join(rng.choices(string.ascii_letters + string.digits + "+/", k=40))


class Credentials:
    """The keys of one account's callers."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        rng: random.Random,
        root: Principal,
        retired: set[str] | None = None,
    ) -> None:
        self._store = store
        self._retired = retired if retired is not None else set()
        self._clock = clock
        self._random = rng
        self._root = root
        self._temporary: dict[str, _Issued] = {}
        self._users: dict[tuple[str, int], Principal] = {}
        self._long_term: dict[str, Any] = {}
        self._long_term_generation = -1
        self._root_keys: dict[str, dict[str, Any]] = {}

    # --- issuing ----------------------------------------------------------------

    def new_key_id(self, prefix: str) -> str:
        """A key id never issued in this process, from the Lab's random numbers."""
        while True:
            key = fake_key(self._random, prefix)
            if key not in self._retired and key not in self._temporary:
                return key

    def new_secret(self) -> str:
        """A fresh secret access key."""
        return fake_secret(self._random)

    def issue(self, principal: Principal) -> dict[str, Any]:
        """Temporary credentials that sign as ``principal``.

        Returns AWS's ``Credentials`` shape: ``AccessKeyId`` (``ASIA...``),
        ``SecretAccessKey``, ``SessionToken`` and ``Expiration``.
        """
        key = self.new_key_id("ASIA")
        secret = self.new_secret()
        token = "IQoJb3JpZ2luX2VjE" + "".join(
            self._random.choices(string.ascii_letters + string.digits + "+/", k=340)
        )
        if principal.issued_at is None:
            # Requests signed with temporary credentials carry aws:TokenIssueTime.
            principal = replace(principal, issued_at=self._clock.time())
        self._temporary[key] = _Issued(secret, token, principal)
        expires = principal.expires_at
        if expires is None:
            expires = self._clock.time() + 3600
        return {
            "AccessKeyId": key,
            "SecretAccessKey": secret,
            "SessionToken": token,
            "Expiration": datetime.fromtimestamp(int(expires), UTC),
        }

    def create_root_key(self) -> dict[str, Any]:
        """An access key for the root user (AWS advises against them; at most two)."""
        if len(self._root_keys) >= 2:
            raise AwsError("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2", 409)
        key = {
            "AccessKeyId": self.new_key_id("AKIA"),
            "SecretAccessKey": self.new_secret(),
            "Status": "Active",
            "CreateDate": self._clock.now(),
        }
        self._root_keys[key["AccessKeyId"]] = key
        return dict(key)

    def root_keys(self) -> list[dict[str, Any]]:
        """The root user's access keys, without their secrets."""
        return [
            {k: v for k, v in key.items() if k != "SecretAccessKey"}
            for key in self._root_keys.values()
        ]

    def update_root_key(self, key_id: str, status: str | None) -> None:
        """Activate or deactivate one of the root user's keys; None deletes it."""
        if key_id not in self._root_keys:
            raise AwsError("NoSuchEntity", f"The Access Key with id {key_id} cannot be found.", 404)
        if status is None:
            del self._root_keys[key_id]
            self._retired.add(key_id)
        else:
            self._root_keys[key_id]["Status"] = status

    def retire_all(self) -> None:
        """End every session and key issued so far: they never work again."""
        self._retired.update(self._temporary)
        for user in self._store.users():
            self._retired.update(key.access_key_id for key in user.access_keys)
        self._retired.update(self._root_keys)
        self._temporary.clear()
        self._users.clear()
        self._long_term.clear()
        self._root_keys.clear()

    def retired(self, key_id: str) -> bool:
        """Whether ``key_id`` was retired."""
        return key_id in self._retired

    # --- resolving --------------------------------------------------------------

    def resolve(
        self, access_key_id: str | None, secret: str | None, token: str | None = None
    ) -> Principal:
        """The principal these credentials sign as, or AWS's refusal (``AwsError``)."""
        if access_key_id == ROOT_ACCESS_KEY_ID:
            if secret != ROOT_SECRET_ACCESS_KEY:
                raise refused("SignatureDoesNotMatch")
            return self._root
        issued = self._temporary.get(access_key_id or "")
        if issued is not None:
            return self._temporary_principal(issued, secret, token)
        root_key = self._root_keys.get(access_key_id or "")
        if root_key is not None:
            if root_key["Status"] != "Active" or token:
                raise refused()
            if root_key["SecretAccessKey"] != secret:
                raise refused("SignatureDoesNotMatch")
            return self._root
        key = self._long_term_key(access_key_id or "")
        if key is None or key.status != "Active" or token:
            raise refused()
        if key.secret_access_key != secret:
            raise refused("SignatureDoesNotMatch")
        user = self._store.moto_user(key.user_name)
        if user is None:
            raise refused()
        return self.current_user(Principal.user(user))

    def secret_for(self, access_key_id: str | None, token: str | None = None) -> str:
        """The secret that signs with ``access_key_id`` (and ``token``), to check
        a request's signature; ``AwsError`` (``InvalidClientTokenId``) for keys
        :meth:`resolve` would refuse whatever the secret. Expiry is left to
        :meth:`resolve`, as AWS checks the signature first."""
        key_id = access_key_id or ""
        if key_id == ROOT_ACCESS_KEY_ID:
            return ROOT_SECRET_ACCESS_KEY
        issued = self._temporary.get(key_id)
        if issued is not None:
            if token != issued.token:
                raise refused()
            return issued.secret
        root_key = self._root_keys.get(key_id)
        if root_key is not None:
            if root_key["Status"] != "Active" or token:
                raise refused()
            return str(root_key["SecretAccessKey"])
        key = self._long_term_key(key_id)
        if key is None or key.status != "Active" or token:
            raise refused()
        return str(key.secret_access_key)

    def _temporary_principal(
        self, issued: _Issued, secret: str | None, token: str | None
    ) -> Principal:
        if token != issued.token:
            raise refused()
        if secret != issued.secret:
            raise refused("SignatureDoesNotMatch")
        principal = issued.principal
        if principal.expires_at is not None and self._clock.time() >= principal.expires_at:
            raise refused("ExpiredToken")
        if principal.type == "User":
            return self.current_user(principal)
        return principal

    def current_user(self, principal: Principal) -> Principal:
        """A user's principal with the user's tags as they are now.

        A user deleted since, or deleted and made again under the same name
        (a new unique id), no longer signs: its old credentials are refused.
        """
        key = (
            f"{principal.user_id}|{principal.console}|{principal.mfa_at}"
            f"|{principal.expires_at}|{principal.session_token}",
            self._store.generation,
        )
        cached = self._users.get(key)
        if cached is not None:
            return cached
        user = self._store.moto_user(principal.name)
        if user is None or user.id != principal.user_id:
            raise refused()
        current = replace(principal, tags=self._store.tags_of(user.arn))
        if len(self._users) > 4096:
            self._users.clear()
        self._users[key] = current
        return current

    def _long_term_key(self, access_key_id: str) -> Any | None:
        if self._long_term_generation != self._store.generation:
            self._index_long_term()
        found = self._long_term.get(access_key_id)
        if found is None:  # a key made straight in moto since: look again
            self._index_long_term()
            found = self._long_term.get(access_key_id)
        return found

    def _index_long_term(self) -> None:
        self._long_term = {
            key.access_key_id: key for user in self._store.users() for key in user.access_keys
        }
        self._long_term_generation = self._store.generation
