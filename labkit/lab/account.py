"""The Lab: an in-process AWS account that decides access as AWS does.

    >>> lab = Lab(seed=7)
    >>> iam = lab.client("iam")                      # the root user
    >>> analyst = lab.session_for_keys(key_id, secret)  # an IAM user's keys
    >>> analyst.client("dynamodb").list_tables()      # authorized like AWS

moto keeps the account's objects. While a Lab is open, every boto3 client in
the process (made by the Lab or not) calls as the principal its keys belong
to: each call is first authorized against that principal's policies
(:mod:`labkit.lab.enforce`) and recorded in :attr:`Lab.trail`. Nothing leaves
the process: moto answers every request, connections beyond this machine are
refused (:mod:`labkit.lab.seal`), and the credentials inside the Lab are fake.
"""

from __future__ import annotations

import os
import random
import time
from datetime import UTC, datetime
from importlib import import_module
from typing import TYPE_CHECKING, Any

from labkit.lab.clock import Clock
from labkit.lab.credentials import (
    CREDENTIAL_ERRORS,
    ROOT_ACCESS_KEY_ID,
    ROOT_SECRET_ACCESS_KEY,
    credential_error,
)
from labkit.lab.errors import AwsError, SignInError
from labkit.lab.identities import Principal
from labkit.lab.trail import Trail

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

    from labkit.lab.context import AccountContext
    from labkit.policy import Decision

__all__ = [
    "ACCOUNT_ID",
    "CREDENTIAL_ERRORS",
    "MFA_REQUIRED",
    "REGION",
    "ROOT_ACCESS_KEY_ID",
    "ROOT_SECRET_ACCESS_KEY",
    "SIGN_IN_FAILED",
    "Lab",
    "Session",
    "active_lab",
]

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

# The environment inside a Lab: fake credentials, one region, no profile files.
_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
}
# MOTO_ACCOUNT_ID would send every account's calls to one: each call says its account.
_REMOVED = (
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "MOTO_ACCOUNT_ID",
)

# Console sign-in, in the console's words.
SIGN_IN_FAILED = "Your authentication information is incorrect. Please try again."
MFA_REQUIRED = "MFA code required. Enter the code from your MFA device to sign in."

# moto's settings while a Lab runs: the Lab checks credentials itself, and
# Lambda functions answer without a container.
_MOTO_CONFIG = {"core": {"mock_credentials": False}, "lambda": {"use_docker": False}}

_active: Lab | None = None  # the Lab running in this process, if any


class Session:
    """Someone signed in: the credentials they sign with, and clients that use them.

    Every call checks the credentials, as AWS does, so a key deactivated or
    an expired token stops working at once.
    """

    def __init__(self, lab: Lab, credentials: dict[str, str | None]) -> None:
        self._lab = lab
        self._credentials = credentials

    @property
    def principal(self) -> Principal:
        """Who calls; raises ``AwsError`` when the credentials stopped working."""
        if self._lab.closed:  # sessions end with their account
            from labkit.lab.credentials import refused

            raise refused()
        creds = self._credentials
        _account, principal = self._lab.accounts.resolve(
            creds.get("AccessKeyId"), creds.get("SecretAccessKey"), creds.get("SessionToken")
        )
        return principal

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
        return self._lab._make_client(service, self._credentials, **kwargs)

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
        self._resets = 0
        self._retired: set[str] = set()  # key ids this Lab must never hand out again
        self._twins: dict[int, Any] = {}
        self._servers: list[Any] = []  # local endpoints from serve(), stopped with the Lab
        self.cli_home: str | None = None  # the AWS CLI's files (labkit.cli), removed on close
        self._start()
        _active = self
        self._fresh_state()
        if scenario is not None:
            self.load(scenario)

    # --- lifecycle -------------------------------------------------------------

    def _start(self) -> None:
        import moto
        from moto.core.models import MockAWS

        from labkit.lab import s3, seal

        self._set_environment()
        _install_aws_ids()
        s3.install()
        self._mock: MockAWS = moto.mock_aws(config=_MOTO_CONFIG)
        self._mock.start()
        seal.install(active_lab)

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
        """Seed the randomness and build the account's running parts."""
        from moto.moto_api._internal import mock_random

        from labkit.lab.accounts import Accounts
        from labkit.lab.context import AccountContext
        from labkit.lab.enforce import Enforcer

        # After a reset the numbers go on differently: ids and keys of the
        # emptied account are never handed out again.
        seed = (
            self.seed if self._resets == 0 or self.seed is None else f"{self.seed}/{self._resets}"
        )
        if seed is not None:
            mock_random.seed(seed)
        self.random = random.Random(seed)

        def make(account_id: str, accounts: Accounts) -> AccountContext:
            return AccountContext.create(
                account_id,
                self.region,
                self.clock,
                self.random,
                self.trail,
                self._retired,
                accounts,
            )

        self.accounts = Accounts(self.account_id, make)
        self.account: AccountContext = self.accounts.home
        self.enforcer = Enforcer(self.account, lambda: not self.closed, self.accounts)
        self._twins = {}

    def reset(self) -> None:
        """Empty the account: no users, policies, tables or buckets; a new trail.

        Every session and key issued before stops working.
        """
        self._check_open()
        self._stop_servers()
        for made in self.accounts.made():
            made.credentials.retire_all()
        self._mock.reset()
        self.trail.clear()
        self.clock = Clock()
        self._resets += 1
        self._fresh_state()

    def close(self) -> None:
        """Stop the account; every session ends and clients made from it refuse
        further calls."""
        global _active
        if self.closed:
            return
        self.closed = True
        try:
            self._stop_servers()
            for made in self.accounts.made():
                made.credentials.retire_all()
            self._mock.stop()
        finally:
            from labkit.lab import s3, seal

            if self.cli_home is not None:
                import shutil

                shutil.rmtree(self.cli_home, ignore_errors=True)
                self.cli_home = None
            seal.remove()
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

    # --- the local endpoint ------------------------------------------------------

    def serve(self, port: int = 0) -> Any:
        """Serve the account at a local HTTP endpoint, for clients in any process.

        Returns a running :class:`~labkit.lab.server.LabServer` on 127.0.0.1
        (a free port unless ``port`` is given): ``server.url`` is the
        ``endpoint_url`` for boto3 or ``--endpoint-url`` for the AWS CLI.
        Requests must be signed (SigV4) with keys the Lab issued and are
        enforced as every call in the Lab. ``server.stop()``, ``lab.reset()``
        and ``lab.close()`` stop it.
        """
        from labkit.lab.server import LabServer

        self._check_open()
        server = LabServer(self, port).start()
        self._servers.append(server)
        return server

    @property
    def endpoint_urls(self) -> tuple[str, ...]:
        """The URLs of this Lab's running local endpoints."""
        return tuple(server.url for server in self._servers if server.running)

    def _stop_servers(self) -> None:
        servers, self._servers = self._servers, []
        for server in servers:
            server.stop()
        if servers:
            from labkit.lab.seal import LOCK

            with LOCK:  # a request still being answered finishes first
                pass

    # --- the account's parts -----------------------------------------------------

    @property
    def backend(self) -> IAMBackend:
        """moto's IAM backend for the account."""
        return self.account.store.iam

    @property
    def store(self) -> Any:
        """The account's stored state (:class:`~labkit.lab.store.Store`)."""
        return self.account.store

    @property
    def policies(self) -> Any:
        """Which policies apply (:class:`~labkit.policy_source.PolicySource`)."""
        return self.account.policies

    @property
    def mfa(self) -> Any:
        """The account's virtual MFA devices (:class:`~labkit.lab.mfa.MFA`)."""
        return self.account.mfa

    @property
    def passwords(self) -> Any:
        """Console passwords (:class:`~labkit.lab.passwords.Passwords`)."""
        return self.account.passwords

    @property
    def root(self) -> Principal:
        """The account's root user."""
        return self.account.root

    def invalidate(self) -> None:
        """Forget cached policies after changing moto's state directly."""
        self.account.store.changed()

    def new_request_id(self) -> str:
        """A request id in AWS's shape, reproducible under a seed."""
        return self.enforcer.new_request_id()

    def principal_of(self, arn: str, *, mfa: bool = False, console: bool = False) -> Principal:
        """The user or role ``arn`` as its calls reach AWS: a user with access
        keys (or signed in on the console), a role as a session of it; with
        MFA used just now when ``mfa``. Raises ``LookupError`` for neither."""
        from labkit.widgets._principals import SESSION_NAME

        now = self.clock.time()
        mfa_at = now if mfa else None
        home = self.accounts.owner_of(arn, self.account)  # a member account's, too
        user = home.store.moto_user(arn.rsplit("/", 1)[-1]) if ":user/" in arn else None
        if user is not None and user.arn == arn:
            principal = Principal.user(user, mfa_at=mfa_at, console=console or mfa)
            return home.credentials.current_user(principal)
        role = home.store.moto_role(arn) if ":role/" in arn else None
        if role is None:
            raise LookupError(f"No user or role {arn} in the account.")
        return Principal.role_session(
            role,
            SESSION_NAME,
            expires_at=now + 3600,
            mfa_at=mfa_at,
            tags=home.store.tags_of(role.arn),
        )

    def decide(self, principal: Principal, action: str, resource: str = "*") -> Decision:
        """What a call by ``principal`` asking for ``action`` on ``resource``
        would get: the same decision, from the same place, as the call."""
        return self.enforcer.decide(principal, action, resource)

    def decide_call(
        self,
        principal: Principal,
        service: str,
        operation: str,
        params: dict[str, Any] | None = None,
        region: str | None = None,
    ) -> list[tuple[Any, Decision]]:
        """Every authorization a real API call would need, each with its
        decision, without making the call: ``lab.decide_call(p, "dynamodb",
        "TransactWriteItems", {...})`` lists one ``(target, decision)`` per
        item, in the order enforcement asks them (the call stops at the
        first denied). ``service`` is the signing name, ``operation`` AWS's
        operation name and ``params`` boto3's parameters."""
        return self.enforcer.decide_call(principal, service, operation, params or {}, region)

    # --- callers ---------------------------------------------------------------

    def client(self, service: str, **kwargs: Any) -> Any:
        """A boto3 client calling as the account's root user (never restricted)."""
        credentials = {"AccessKeyId": ROOT_ACCESS_KEY_ID, "SecretAccessKey": ROOT_SECRET_ACCESS_KEY}
        return self._make_client(service, credentials, **kwargs)

    def _make_client(self, service: str, credentials: dict[str, Any], **kwargs: Any) -> Any:
        self._check_open()
        kwargs.setdefault("region_name", self.region)
        kwargs.setdefault("aws_access_key_id", credentials.get("AccessKeyId"))
        kwargs.setdefault("aws_secret_access_key", credentials.get("SecretAccessKey"))
        kwargs.setdefault("aws_session_token", credentials.get("SessionToken"))
        client = _botocore_session().client(service, **kwargs)
        client._labkit_owner = self
        if kwargs.get("endpoint_url") and str(kwargs["endpoint_url"]).rstrip("/") in (
            self.endpoint_urls
        ):
            return client  # sent to this Lab's local endpoint, which enforces it there
        return self.enforcer.adopt(client)

    def _serve(self, client: Any) -> Any:
        """The client that carries out ``client``'s calls in this Lab: itself,
        adopted, or a twin on the service's usual endpoint."""
        from labkit.lab import seal

        if seal.served_elsewhere(client):
            twin = self._twins.get(id(client))
            if twin is None or twin[0] is not client:
                twin = (client, self._twin(client))
                self._twins[id(client)] = twin
            client = twin[1]
        _with_moto(client)
        return self.enforcer.adopt(client)

    def _twin(self, client: Any) -> Any:
        from labkit.lab import seal

        signer = getattr(client, "_request_signer", None)
        found = getattr(signer, "_credentials", None)
        frozen = found.get_frozen_credentials() if found is not None else None
        return _botocore_session().client(
            client.meta.service_model.service_name,
            region_name=client.meta.region_name,
            aws_access_key_id=frozen.access_key if frozen else None,
            aws_secret_access_key=frozen.secret_key if frozen else None,
            aws_session_token=frozen.token if frozen else None,
            config=seal.plain_config(client.meta.config),
        )

    def sign_in(
        self,
        user_name: str,
        password: str,
        mfa_code: str | None = None,
        new_password: str | None = None,
        account: str | None = None,
    ) -> Session:
        """Sign in to the console as an IAM user, as the sign-in page checks it.

        ``account`` is the id or alias of the account the user belongs to, as
        typed on AWS's sign-in page, or the account's sign-in URL: by default
        the Lab's own; a member account of its organization otherwise.

        Raises :class:`SignInError` with the console's words for a wrong name
        or password, a missing or wrong MFA code. When the console asks for a
        new password first (an administrator requires a reset, or the password
        expired), it raises ``PasswordChangeRequired`` unless ``new_password``
        is given: the user's own ``ChangePassword`` call then sets it, held to
        the account's password policy, and the sign-in goes on; a refused one
        raises ``PasswordNotChanged`` with AWS's code and message.
        """
        from labkit.lab.passwords import PasswordChangeRequired, change_at_sign_in

        self._check_open()
        home = self._account_named(account)
        user = home.backend.users.get(user_name) if home is not None else None
        if home is None or user is None or not user.password:
            raise SignInError(SIGN_IN_FAILED)
        change_required: PasswordChangeRequired | None = None
        try:
            home.passwords.check_sign_in(user_name, password)
        except PasswordChangeRequired as error:  # asked for after the MFA step
            change_required = error
        mfa_at = None
        if home.mfa.devices_for_user(user_name):  # a code from any of them signs in
            if not mfa_code:
                raise SignInError(MFA_REQUIRED)
            if home.mfa.verify_for_user(user_name, str(mfa_code)) is None:
                raise SignInError(SIGN_IN_FAILED)
            mfa_at = self.clock.time()
        if change_required is not None and new_password is None:
            raise change_required
        principal = Principal.user(user, mfa_at=mfa_at, console=True)
        credentials = home.credentials.issue(principal)
        credentials.pop("Expiration")
        session = Session(self, credentials)
        change_at_sign_in(session, change_required, password, new_password)
        return session

    def _account_named(self, account: str | None) -> AccountContext | None:
        """The Lab's account with this id or alias, or named by its sign-in URL
        (``https://ID_OR_ALIAS.signin.aws.amazon.com/console``); the Lab's own
        by default; None for none of them."""
        if account is None:
            return self.account
        if account.startswith("https://"):
            from urllib.parse import urlsplit

            host = urlsplit(account).hostname or ""
            account = host.removesuffix(".signin.aws.amazon.com")
        for account_id in self.accounts:
            home = self.accounts[account_id]
            if account in (account_id, *home.backend.account_aliases):
                return home
        return None

    def service_session(self, service: str, role: str, session_name: str | None = None) -> Session:
        """A session for ``role`` as the AWS ``service`` assumes it for you.

        This is what happens when, say, a Lambda function runs with its
        execution role: ``lab.service_session("lambda.amazonaws.com",
        "image-compression")``. The role's trust policy must allow the
        service principal, as it must in AWS; otherwise ``AwsError``
        (``AccessDenied``) is raised. ``role`` is a role name or ARN; the
        session is named after the role unless ``session_name`` is given.
        """
        from labkit.lab.actions import Target

        arn = role if role.startswith("arn:") else f"arn:aws:iam::{self.account_id}:role/{role}"
        found = self.store.moto_role(arn)
        decision = self.account.authorizer.decide_service(service, Target("sts:AssumeRole", arn))
        if found is None or not decision.allowed:
            raise AwsError(
                "AccessDenied",
                f"{service} is not authorized to perform: sts:AssumeRole on resource: {arn}",
                403,
            )
        name = session_name or found.name
        now = self.clock.time()
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
        session = Session(self, credentials)
        try:
            session.principal  # noqa: B018 - checks the keys now, as AWS would
        except AwsError as error:
            from botocore.exceptions import ClientError

            code, message, _status = self.credential_error(error.code, "query")
            raise ClientError(
                {"Error": {"Code": code, "Message": message}}, "GetCallerIdentity"
            ) from None
        return session

    def register_temporary_credentials(self, principal: Principal) -> dict[str, Any]:
        """Issue temporary credentials that sign as ``principal``.

        Returns AWS's ``Credentials`` shape: ``AccessKeyId`` (``ASIA...``),
        ``SecretAccessKey``, ``SessionToken`` and ``Expiration``.
        """
        return self.account.credentials.issue(principal)

    def credential_error(self, kind: str, protocol: str) -> tuple[str, str, int]:
        """AWS's (code, message, status) for refused credentials on a protocol."""
        return credential_error(kind, protocol)

    # --- account-wide features ---------------------------------------------------

    def security_status(self) -> Any:
        """The account's security recommendations, as today's IAM dashboard shows
        them: root MFA, root access keys, MFA for users, unused credentials and
        the password policy (see :mod:`labkit.lab.status`)."""
        from labkit.lab.status import security_status

        return security_status(self.account)

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
    """Make moto's IAM hand out AWS-shaped ids, and date what it makes by the
    Lab's clock, until :func:`_remove_aws_ids`."""
    import moto.iam.models as models

    if _MOTO_ID_FUNCTIONS:  # already installed
        return
    _MOTO_ID_FUNCTIONS["random_resource_id"] = models.random_resource_id
    _MOTO_ID_FUNCTIONS["random_policy_id"] = models.random_policy_id
    models.random_resource_id = _aws_resource_id  # type: ignore[assignment]
    models.random_policy_id = _aws_policy_id  # type: ignore[assignment]
    # IAM's and Organizations' dates (CreateDate, an access key's LastUsedDate,
    # an account's creation) by the Lab's clock.
    for module in _DATED:
        dated = import_module(module)
        _MOTO_ID_FUNCTIONS[f"{module}.utcnow"] = dated.utcnow
        dated.utcnow = _lab_utcnow


# moto's modules whose objects are dated by the Lab's clock.
_DATED = ("moto.iam.models", "moto.organizations.models")


def _lab_utcnow() -> datetime:
    """Now by the open Lab's clock, as moto's naive UTC ``datetime``."""
    lab = active_lab()
    moment = lab.clock.time() if lab is not None else time.time()
    return datetime.fromtimestamp(moment, UTC).replace(tzinfo=None)


def _remove_aws_ids() -> None:
    """Give moto back its own id and time functions."""
    import moto.iam.models as models

    for name, function in _MOTO_ID_FUNCTIONS.items():
        module, _, attribute = name.rpartition(".")
        setattr(import_module(module) if module else models, attribute, function)
    _MOTO_ID_FUNCTIONS.clear()


_SESSION: Any = None


def _botocore_session() -> Any:
    """One botocore session for all Labs: service models load once per process."""
    global _SESSION
    if _SESSION is None:
        import boto3
        import moto.core.models  # noqa: F401 - moto's request stub joins botocore's built-ins first

        _SESSION = boto3.session.Session(region_name=REGION)
    return _SESSION


def _with_moto(client: Any) -> None:
    """Give a client moto's answers if it was made before moto was imported."""
    from moto.core.models import botocore_stubber

    events = client.meta.events
    emitter = getattr(events, "_emitter", events)
    try:
        known = botocore_stubber in list(emitter._handlers.prefix_search("before-send"))
    except AttributeError:  # another emitter: register, at worst twice
        known = False
    if not known:
        events.register("before-send", botocore_stubber)


def active_lab() -> Lab | None:
    """The Lab running in this process, if any."""
    return _active
