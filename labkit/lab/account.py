"""The Lab: an in-process AWS account that decides access as AWS does.

    >>> lab = Lab(seed=7)
    >>> iam = lab.client("iam")                      # the root user
    >>> analyst = lab.session_for_keys(key_id, secret)  # an IAM user's keys
    >>> analyst.client("dynamodb").list_tables()      # authorized like AWS

moto keeps the account's objects; every call made through a Lab client is
first authorized against the caller's policies (:mod:`labkit.lab.enforce`)
and recorded in :attr:`Lab.trail`. Nothing leaves the process: moto answers
every request, and the credentials inside the Lab are fake.
"""

from __future__ import annotations

import os
import random
import string
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from labkit.lab.clock import Clock
from labkit.lab.errors import AwsError, SignInError
from labkit.lab.identities import Principal
from labkit.lab.trail import Trail

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

# The root user's stand-in credentials: fake, and only ever seen by moto.
ROOT_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
ROOT_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # AWS's documented example

# The environment inside a Lab: fake credentials, one region, no profile files.
_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "MOTO_ACCOUNT_ID": ACCOUNT_ID,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
}
_REMOVED = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE")

# Console sign-in, in the console's words.
SIGN_IN_FAILED = "Your authentication information is incorrect. Please try again."
MFA_REQUIRED = "MFA code required. Enter the code from your MFA device to sign in."

# Refused credentials, per protocol: kind -> protocol -> (code, message, status).
_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service "
    "documentation for details."
)
CREDENTIAL_ERRORS: dict[str, dict[str, tuple[str, str, int]]] = {
    "InvalidClientTokenId": {
        "query": (
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
            403,
        ),
        "json": (
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            400,
        ),
        "rest-xml": (
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            403,
        ),
    },
    "SignatureDoesNotMatch": {
        "query": ("SignatureDoesNotMatch", _SIGNATURE, 403),
        "json": ("InvalidSignatureException", _SIGNATURE, 400),
        "rest-xml": (
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            403,
        ),
    },
    "ExpiredToken": {
        "query": ("ExpiredToken", "The security token included in the request is expired", 403),
        "json": (
            "ExpiredTokenException",
            "The security token included in the request is expired",
            400,
        ),
        "rest-xml": ("ExpiredToken", "The provided token has expired.", 400),
    },
}

_active: Lab | None = None  # the Lab running in this process, if any


class Session:
    """Someone signed in: a principal and the clients that call as it.

    A session made from access keys checks them on every call, as AWS does,
    so a key deactivated or an expired token stops working at once.
    """

    def __init__(self, lab: Lab, resolve: Any, credentials: dict[str, str | None]) -> None:
        self._lab = lab
        self._resolve = resolve
        self._credentials = credentials

    @property
    def principal(self) -> Principal:
        """Who calls; raises ``AwsError`` when the credentials stopped working."""
        return self._resolve()

    @property
    def arn(self) -> str:
        """The caller's ARN, as ``GetCallerIdentity`` shows it."""
        return self.principal.arn

    @property
    def credentials(self) -> dict[str, str | None]:
        """The access key id, secret and session token this session signs with."""
        return dict(self._credentials)

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client whose calls are authorized as this session's principal."""
        return self._lab._make_client(service, self._resolve, self._credentials, **kwargs)

    def assume_role(
        self,
        RoleArn: str,  # noqa: N803 - boto3's parameter names
        RoleSessionName: str,  # noqa: N803
        SerialNumber: str | None = None,  # noqa: N803
        TokenCode: str | None = None,  # noqa: N803
        DurationSeconds: int = 3600,  # noqa: N803
        Policy: str | None = None,  # noqa: N803
        **kwargs: Any,
    ) -> Session:
        """Call ``sts:AssumeRole`` as this session; a session for the role."""
        params: dict[str, Any] = {
            "RoleArn": RoleArn,
            "RoleSessionName": RoleSessionName,
            "DurationSeconds": DurationSeconds,
            **kwargs,
        }
        for name, value in (
            ("SerialNumber", SerialNumber),
            ("TokenCode", TokenCode),
            ("Policy", Policy),
        ):
            if value is not None:
                params[name] = value
        credentials = self.client("sts").assume_role(**params)["Credentials"]
        return self._lab.session_for_keys(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        )

    def __repr__(self) -> str:
        try:
            return f"Session({self.arn})"
        except AwsError as error:
            return f"Session(refused: {error.code})"


class Lab:
    """An AWS account in this process, with AWS's authorization.

    ``seed`` makes every id, key, secret and MFA seed reproducible;
    ``scenario`` loads a named starting point (see :meth:`load`). Creating a
    Lab replaces the one running before, so re-running a notebook just works.
    Use it as a context manager or call :meth:`close` when done.
    """

    account_id = ACCOUNT_ID
    region = REGION

    def __init__(self, seed: int | None = None, scenario: str | None = None) -> None:
        global _active
        if _active is not None:
            _active.close()
        self.seed = seed
        self.closed = False
        self.clock = Clock()
        self.trail = Trail()
        self._saved_env: dict[str, str | None] = {}
        self._start()
        _active = self
        self._fresh_state()
        if scenario is not None:
            self.load(scenario)

    # --- lifecycle -------------------------------------------------------------

    def _start(self) -> None:
        import moto
        from moto.core.models import MockAWS

        from labkit.lab import s3

        self._set_environment()
        _install_aws_ids()
        s3.install()
        self._mock: MockAWS = moto.mock_aws(config={"core": {"mock_credentials": False}})
        self._mock.start()

    def _set_environment(self) -> None:
        for name in (*_ENVIRONMENT, *_REMOVED):
            self._saved_env[name] = os.environ.get(name)
        for name in _REMOVED:
            os.environ.pop(name, None)
        os.environ.update(_ENVIRONMENT)

    def _restore_environment(self) -> None:
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env = {}

    def _fresh_state(self) -> None:
        """Seed the randomness and build the Lab's own records of the account."""
        from moto.moto_api._internal import mock_random

        _register_handlers()
        from labkit.lab.enforce import Enforcer
        from labkit.lab.mfa import MFA
        from labkit.lab.passwords import Passwords
        from labkit.lab.state import PolicyState

        if self.seed is not None:
            mock_random.seed(self.seed)
        self.random = random.Random(self.seed)
        self._temporary: dict[str, tuple[str, str, Principal]] = {}
        self._principals: dict[str, tuple[int, Principal]] = {}
        self.state = PolicyState(self)
        self.enforcer = Enforcer(self)
        self.mfa = MFA(self)
        self.passwords = Passwords(self)
        self.root = Principal(
            arn=f"arn:aws:iam::{self.account_id}:root",
            type="Account",
            account=self.account_id,
            user_id=self.account_id,
            name="root",
        )

    def reset(self) -> None:
        """Empty the account: no users, policies, tables or buckets; a new trail."""
        self._check_open()
        self._mock.reset()
        self.trail.clear()
        self.clock = Clock()
        self._fresh_state()

    def close(self) -> None:
        """Stop the account; clients made from it refuse further calls."""
        global _active
        if self.closed:
            return
        self.closed = True
        try:
            self._mock.stop()
        finally:
            from labkit.lab import s3

            _remove_aws_ids()
            s3.remove()
            self._restore_environment()
            if _active is self:
                _active = None

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self.trail)} calls"
        return f"Lab(account {self.account_id}, {self.region}, {state})"

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError("This Lab was closed; start a new one with Lab().")

    # --- moto ------------------------------------------------------------------

    @property
    def backend(self) -> IAMBackend:
        """moto's IAM backend for the account."""
        from moto.iam.models import iam_backends

        return iam_backends[self.account_id]["aws"]

    def invalidate(self) -> None:
        """Forget cached policies after changing moto's state directly."""
        self.state.invalidate()
        self.state.invalidate_buckets()

    def new_request_id(self) -> str:
        """A request id in AWS's shape, reproducible under a seed."""
        return str(_uuid(self.random))

    # --- callers ---------------------------------------------------------------

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client calling as the account's root user (never restricted)."""
        root = self.root
        credentials = {"AccessKeyId": ROOT_ACCESS_KEY_ID, "SecretAccessKey": ROOT_SECRET_ACCESS_KEY}
        return self._make_client(service, lambda: root, credentials, **kwargs)

    def _make_client(
        self, service: str, resolve: Any, credentials: dict[str, Any], **kwargs: Any
    ) -> Any:
        self._check_open()
        kwargs.setdefault("region_name", self.region)
        kwargs.setdefault("aws_access_key_id", credentials.get("AccessKeyId"))
        kwargs.setdefault("aws_secret_access_key", credentials.get("SecretAccessKey"))
        kwargs.setdefault("aws_session_token", credentials.get("SessionToken"))
        client = _botocore_session().client(service, **kwargs)
        return self.enforcer.attach(client, resolve)

    def sign_in(self, user_name: str, password: str, mfa_code: str | None = None) -> Session:
        """Sign in to the console as an IAM user, as the sign-in page checks it.

        Raises :class:`SignInError` with the console's words for a wrong name
        or password, a missing or wrong MFA code.
        """
        from labkit.lab.passwords import PasswordChangeRequired

        self._check_open()
        user = self.backend.users.get(user_name)
        if user is None or not user.password:
            raise SignInError(SIGN_IN_FAILED)
        change_required: PasswordChangeRequired | None = None
        try:
            self.passwords.check_sign_in(user_name, password)
        except PasswordChangeRequired as error:  # asked for after the MFA step
            change_required = error
        mfa_at = None
        serial = self.mfa.device_for_user(user_name)
        if serial is not None:
            if not mfa_code:
                raise SignInError(MFA_REQUIRED)
            if not self.mfa.verify(serial, str(mfa_code)):
                raise SignInError(SIGN_IN_FAILED)
            mfa_at = self.clock.time()
        if change_required is not None:
            raise change_required
        name = user.name
        return Session(
            self,
            self._user_resolver(name, console=True, mfa_at=mfa_at),
            {
                "AccessKeyId": _fake_key(self.random, "ASIA"),
                "SecretAccessKey": _secret(self.random),
            },
        )

    def service_session(self, service: str, role: str, session_name: str | None = None) -> Session:
        """A session for ``role`` as the AWS ``service`` assumes it for you.

        This is what happens when, say, a Lambda function runs with its
        execution role: ``lab.service_session("lambda.amazonaws.com",
        "image-compression")``. The role's trust policy must allow the
        service principal, as it must in AWS; otherwise ``AwsError``
        (``AccessDenied``) is raised. ``role`` is a role name or ARN; the
        session is named after the role unless ``session_name`` is given.
        """
        from labkit.lab.sts import find_role
        from labkit.policy import Request, evaluate

        arn = role if role.startswith("arn:") else f"arn:aws:iam::{self.account_id}:role/{role}"
        found = find_role(self, arn)
        trust = self.state.trust_policy(arn) if found is not None else None
        now = self.clock.time()
        context = {
            "aws:PrincipalServiceName": service,
            "aws:CurrentTime": self.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now)),
        }
        request = Request("sts:AssumeRole", arn, principal=service, context=context)
        if trust is None or not evaluate(request, resource_policy=trust).allowed:
            raise AwsError(
                "AccessDenied",
                f"{service} is not authorized to perform: sts:AssumeRole on resource: {arn}",
                403,
            )
        name = session_name or found.name
        principal = Principal.role_session(found, name, expires_at=now + 3600)
        credentials = self.register_temporary_credentials(principal)
        return self.session_for_keys(
            credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]
        )

    def session_for_keys(
        self, access_key_id: str, secret_access_key: str, session_token: str | None = None
    ) -> Session:
        """A session signing with access keys: an IAM user's, or temporary ones.

        Raises ``botocore.exceptions.ClientError`` as ``GetCallerIdentity``
        would for keys AWS refuses (``InvalidClientTokenId``,
        ``SignatureDoesNotMatch``, ``ExpiredToken``).
        """
        self._check_open()
        credentials = {
            "AccessKeyId": access_key_id,
            "SecretAccessKey": secret_access_key,
            "SessionToken": session_token,
        }
        if access_key_id in self._temporary:
            resolve = self._temporary_resolver(access_key_id, secret_access_key, session_token)
        else:
            resolve = self._key_resolver(access_key_id, secret_access_key)
        try:
            resolve()
        except AwsError as error:
            from botocore.exceptions import ClientError

            code, message, _status = self.credential_error(error.code, "query")
            raise ClientError(
                {"Error": {"Code": code, "Message": message}}, "GetCallerIdentity"
            ) from None
        return Session(self, resolve, credentials)

    def register_temporary_credentials(self, principal: Principal) -> dict[str, Any]:
        """Issue temporary credentials that sign as ``principal``.

        Returns AWS's ``Credentials`` shape: ``AccessKeyId`` (``ASIA...``),
        ``SecretAccessKey``, ``SessionToken`` and ``Expiration``.
        """
        access_key_id = _fake_key(self.random, "ASIA")
        secret = _secret(self.random)
        token = "IQoJb3JpZ2luX2VjE" + "".join(
            self.random.choices(string.ascii_letters + string.digits + "+/", k=340)
        )
        self._temporary[access_key_id] = (secret, token, principal)
        expires = (
            principal.expires_at if principal.expires_at is not None else self.clock.time() + 3600
        )
        return {
            "AccessKeyId": access_key_id,
            "SecretAccessKey": secret,
            "SessionToken": token,
            "Expiration": datetime.fromtimestamp(int(expires), UTC),
        }

    def credential_error(self, kind: str, protocol: str) -> tuple[str, str, int]:
        """AWS's (code, message, status) for refused credentials on a protocol."""
        table = CREDENTIAL_ERRORS.get(kind, CREDENTIAL_ERRORS["InvalidClientTokenId"])
        return table.get(protocol, table["query"])

    # --- principals ------------------------------------------------------------

    def _user_resolver(
        self, user_name: str, *, console: bool = False, mfa_at: float | None = None
    ) -> Any:
        def resolve() -> Principal:
            return self._user_principal(user_name, console=console, mfa_at=mfa_at)

        return resolve

    def _user_principal(
        self, user_name: str, *, console: bool = False, mfa_at: float | None = None
    ) -> Principal:
        # Tags can change between calls; rebuild only after an IAM write.
        key = f"{user_name}|{console}|{mfa_at}"
        cached = self._principals.get(key)
        if cached is not None and cached[0] == self.state.generation:
            return cached[1]
        user = self.backend.users.get(user_name)
        if user is None:
            raise AwsError(
                "InvalidClientTokenId",
                "The security token included in the request is invalid.",
                403,
            )
        tags = tuple(
            (t["Key"], t["Value"])
            for t in self.backend.tagger.list_tags_for_resource(user.arn)["Tags"]
        )
        principal = Principal.user(user, mfa_at=mfa_at, tags=tags, console=console)
        self._principals[key] = (self.state.generation, principal)
        return principal

    def _key_resolver(self, access_key_id: str, secret_access_key: str) -> Any:
        def resolve() -> Principal:
            key = self.backend.access_keys.get(access_key_id)
            if key is None:
                key = next(
                    (
                        k
                        for k in self.backend.access_keys.values()
                        if k.access_key_id == access_key_id
                    ),
                    None,
                )
            if key is None or key.status != "Active":
                raise AwsError(
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid.",
                    403,
                )
            if key.secret_access_key != secret_access_key:
                raise AwsError("SignatureDoesNotMatch", _SIGNATURE, 403)
            return self._user_principal(key.user_name)

        return resolve

    def _temporary_resolver(
        self, access_key_id: str, secret_access_key: str, session_token: str | None
    ) -> Any:
        def resolve() -> Principal:
            if access_key_id not in self._temporary:  # issued before a reset
                raise AwsError(
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid.",
                    403,
                )
            secret, token, principal = self._temporary[access_key_id]
            if session_token != token:
                raise AwsError(
                    "InvalidClientTokenId",
                    "The security token included in the request is invalid.",
                    403,
                )
            if secret != secret_access_key:
                raise AwsError("SignatureDoesNotMatch", _SIGNATURE, 403)
            if principal.expires_at is not None and self.clock.time() >= principal.expires_at:
                raise AwsError(
                    "ExpiredToken", "The security token included in the request is expired", 403
                )
            return principal

        return resolve

    # --- account-wide features ---------------------------------------------------

    def security_status(self) -> Any:
        """The account's security checklist (root MFA, access keys, ...)."""
        from labkit.lab.status import security_status

        return security_status(self)

    def sign_in_url(self) -> str:
        """The account's console sign-in URL for IAM users, as the IAM dashboard shows it.

        ``https://ALIAS.signin.aws.amazon.com/console`` once the account has an
        alias (``create_account_alias``), else
        ``https://123456789012.signin.aws.amazon.com/console``.
        """
        self._check_open()
        aliases = self.backend.account_aliases
        return f"https://{aliases[0] if aliases else self.account_id}.signin.aws.amazon.com/console"

    def create_root_mfa_device(self) -> dict[str, Any]:
        """Create the root user's virtual MFA device (seed and QR code)."""
        return self.mfa.create_root_device()

    def enable_root_mfa(self, serial_number: str, code1: str, code2: str) -> Any:
        """Enable the root user's MFA device with two consecutive codes."""
        return self.mfa.enable_root(serial_number, code1, code2)

    def load(self, scenario: str) -> Any:
        """Set up a named scenario (users, groups, policies, data) in the account."""
        from labkit.lab.scenarios import load

        return load(self, scenario)


def _uuid(rng: random.Random) -> Any:
    from uuid import UUID

    return UUID(int=rng.getrandbits(128), version=4)


def _fake_key(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choices(string.ascii_uppercase + "234567", k=16))


def _secret(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits + "+/", k=40))


# AWS's unique ids: a 4-letter prefix for the kind of entity, then 17 more
# characters (21 in all): users AIDA..., groups AGPA..., managed policies
# ANPA..., instance profiles AIPA..., server certificates ASCA... moto gives
# users and groups 20 lowercase characters and policies "A" + 20, so while a
# Lab runs its id functions make AWS-shaped ones, from moto's seeded random.
_ID_PREFIXES = {
    "User.__init__": "AIDA",
    "Group.__init__": "AGPA",
    "IAMBackend.create_instance_profile": "AIPA",
    "IAMBackend.upload_server_certificate": "ASCA",
}
_MOTO_ID_FUNCTIONS: dict[str, Any] = {}


def aws_unique_id(prefix: str, account_id: str = ACCOUNT_ID) -> str:
    """An id in AWS's shape, e.g. ``AIDA`` + 17 characters, from moto's seeded random."""
    from moto.iam.utils import generate_access_key_id_from_account_id

    return generate_access_key_id_from_account_id(account_id, prefix, total_length=21)


def _aws_resource_id(size: int = 20) -> str:
    import sys

    # The same moto function names users, groups, instance profiles and
    # certificates: its caller says which kind of id is wanted.
    prefix = _ID_PREFIXES.get(sys._getframe(1).f_code.co_qualname)
    if prefix is None or size != 20:
        return _MOTO_ID_FUNCTIONS["random_resource_id"](size)
    return aws_unique_id(prefix)


def _aws_policy_id() -> str:
    return aws_unique_id("ANPA")


def _install_aws_ids() -> None:
    """Make moto's IAM hand out AWS-shaped ids until :func:`_remove_aws_ids`."""
    import moto.iam.models as models

    if _MOTO_ID_FUNCTIONS:  # already installed
        return
    _MOTO_ID_FUNCTIONS["random_resource_id"] = models.random_resource_id
    _MOTO_ID_FUNCTIONS["random_policy_id"] = models.random_policy_id
    models.random_resource_id = _aws_resource_id  # type: ignore[assignment]
    models.random_policy_id = _aws_policy_id  # type: ignore[assignment]


def _remove_aws_ids() -> None:
    """Give moto back its own id functions."""
    import moto.iam.models as models

    for name, function in _MOTO_ID_FUNCTIONS.items():
        setattr(models, name, function)
    _MOTO_ID_FUNCTIONS.clear()


def _register_handlers() -> None:
    """Import the modules whose handlers answer what moto lacks or gets wrong."""
    from labkit.lab import (  # noqa: F401 - importing registers their handlers
        boundaries,
        conflicts,
        managed,
        mfa,
        passwords,
        quotas,
        simulator,
        sts,
    )


_SESSION: Any = None


def _botocore_session() -> Any:
    """One botocore session for all Labs: service models load once per process."""
    global _SESSION
    if _SESSION is None:
        import boto3
        import moto.core.models  # noqa: F401 - moto's request stub joins botocore's built-ins first

        _SESSION = boto3.session.Session(region_name=REGION)
    return _SESSION


def active_lab() -> Lab | None:
    """The Lab running in this process, if any."""
    return _active
