"""Who is calling: the principals the Lab authorizes requests for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PrincipalType = Literal["Account", "User", "AssumedRole", "FederatedUser"]


@dataclass(frozen=True)
class Principal:
    """The caller behind a session, with what AWS knows of it.

    ``arn`` is what error messages and the trail show: the user ARN, the
    assumed-role session ARN (``arn:aws:sts::ACCT:assumed-role/ROLE/NAME``) or
    ``arn:aws:iam::ACCT:root``. ``user_id`` is ``aws:userid`` (the user's id,
    or ``ROLEID:session-name`` for a role session). ``mfa_at`` is the epoch
    second MFA was used to authenticate, or None without MFA.
    """

    arn: str
    type: PrincipalType
    account: str
    user_id: str
    name: str  # user name, role name, or "root"
    role_arn: str | None = None  # for an assumed-role session
    session_name: str | None = None
    mfa_at: float | None = None
    session_policies: tuple[str, ...] = ()  # policy JSON passed at AssumeRole
    tags: tuple[tuple[str, str], ...] = ()
    expires_at: float | None = None  # for temporary credentials
    source_ip: str = "203.0.113.10"
    console: bool = False  # signed in on the console rather than with keys
    # Credentials from GetSessionToken: AWS limits what they may call (no IAM
    # without MFA; of STS only AssumeRole and GetCallerIdentity).
    session_token: bool = False
    # When its temporary credentials were issued (aws:TokenIssueTime).
    issued_at: float | None = None

    @classmethod
    def root(cls, account: str) -> Principal:
        """The account's root user."""
        return cls(
            arn=f"arn:aws:iam::{account}:root",
            type="Account",
            account=account,
            user_id=account,
            name="root",
        )

    @classmethod
    def user(cls, user: object, **fields: object) -> Principal:
        """The IAM ``user`` (moto's user: ``arn``, ``name``, ``id``) calling as
        itself. Other fields (``mfa_at``, ``tags``, ``console``) pass through."""
        return cls(
            arn=user.arn,  # type: ignore[attr-defined]
            type="User",
            account=user.arn.split(":")[4],  # type: ignore[attr-defined]
            user_id=user.id,  # type: ignore[attr-defined]
            name=user.name,  # type: ignore[attr-defined]
            **fields,  # type: ignore[arg-type]
        )

    @classmethod
    def role_session(
        cls,
        role: object,
        session_name: str,
        expires_at: float,
        **fields: object,
    ) -> Principal:
        """A session of ``role`` (moto's role: ``arn``, ``name``, ``id``), as
        STS makes one: ``arn:aws:sts::ACCT:assumed-role/ROLE/SESSION``, with
        ``aws:userid`` ``ROLEID:SESSION``. Other fields (``mfa_at``, ``tags``,
        ``session_policies``, ``source_ip``) pass through."""
        account = role.arn.split(":")[4]  # type: ignore[attr-defined]
        name = role.name  # type: ignore[attr-defined]
        return cls(
            arn=f"arn:aws:sts::{account}:assumed-role/{name}/{session_name}",
            type="AssumedRole",
            account=account,
            user_id=f"{role.id}:{session_name}",  # type: ignore[attr-defined]
            name=name,
            role_arn=role.arn,  # type: ignore[attr-defined]
            session_name=session_name,
            expires_at=expires_at,
            **fields,  # type: ignore[arg-type]
        )

    @property
    def is_root(self) -> bool:
        """True for the account's root user."""
        return self.type == "Account"

    def context(self, now: float, region: str) -> dict[str, str | tuple[str, ...]]:
        """The request context AWS attaches to this principal's calls."""
        from datetime import UTC, datetime

        context: dict[str, str | tuple[str, ...]] = {
            "aws:PrincipalArn": self.role_arn or self.arn,
            "aws:PrincipalAccount": self.account,
            "aws:PrincipalType": self.type,
            "aws:userid": self.user_id,
            "aws:CurrentTime": datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "aws:EpochTime": str(int(now)),
            "aws:SecureTransport": "true",
            "aws:SourceIp": self.source_ip,
            "aws:RequestedRegion": region,
        }
        if self.type == "User":
            context["aws:username"] = self.name
        if self.issued_at is not None:
            context["aws:TokenIssueTime"] = datetime.fromtimestamp(self.issued_at, UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        if self.mfa_at is not None:
            context["aws:MultiFactorAuthPresent"] = "true"
            context["aws:MultiFactorAuthAge"] = str(max(0, int(now - self.mfa_at)))
        elif self.console or self.expires_at is not None or self.type == "AssumedRole":
            # Console sign-ins and other temporary credentials carry the key as
            # false without MFA; long-term access keys carry no key at all.
            context["aws:MultiFactorAuthPresent"] = "false"
        for key, value in self.tags:
            context[f"aws:PrincipalTag/{key}"] = value
        return context
