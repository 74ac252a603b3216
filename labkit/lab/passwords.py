"""Console passwords: AWS's password rules, reuse, expiry and sign-in checks.

moto stores a user's password but enforces no password policy. The handlers
here hold every new password to the account's password policy, or to AWS's
default rules when the account has none, with AWS's own error messages.

The account password policy itself is moto's: ``UpdateAccountPasswordPolicy``
replaces the whole policy, as AWS's does (every parameter left out goes back
to its default, ``AllowUsersToChangePassword`` to false among them).
:func:`weaker_than_default` says where a custom policy lets through passwords
AWS's default policy would refuse. A console sign-in that must choose a new
password does so with :func:`change_at_sign_in`, through the user's own
``ChangePassword`` call.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from labkit.lab.errors import AwsError, SignInError
from labkit.lab.handlers import Call, Handler
from labkit.lab.mfa import moto_errors

if TYPE_CHECKING:
    from collections.abc import Iterable

    from labkit.lab.clock import Clock
    from labkit.lab.store import Store

# The non-alphanumeric characters a password policy's RequireSymbols counts.
SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
DEFAULT_MINIMUM_LENGTH = 8
DAY = 86_400

SIGN_IN_FAILED = "Your authentication information is incorrect. Please try again."
PASSWORD_EXPIRED_HARD = (
    "Your password has expired and you cannot change it yourself. "
    "Ask your administrator to reset it."
)

_CLASSES = (
    ("uppercase", "Password should have at least one uppercase letter", string.ascii_uppercase),
    ("lowercase", "Password should have at least one lowercase letter", string.ascii_lowercase),
    ("numbers", "Password should have at least one number", string.digits),
    ("symbols", "Password should have at least one symbol", SYMBOLS),
)
_POLICY_KEYS = {
    "uppercase": "RequireUppercaseCharacters",
    "lowercase": "RequireLowercaseCharacters",
    "numbers": "RequireNumbers",
    "symbols": "RequireSymbols",
}


@dataclass(frozen=True)
class RuleResult:
    """One password rule, for the password widget: met or not.

    ``message`` is AWS's ``PasswordPolicyViolation`` text for the rule.
    """

    name: str
    description: str
    ok: bool
    message: str = ""


def check_password(
    password: str,
    policy: dict[str, Any] | None,
    user_name: str | None = None,
    account_names: Iterable[str] = (),
) -> list[RuleResult]:
    """Check ``password`` against a password policy, rule by rule.

    ``policy`` is in ``get_account_password_policy``'s ``PasswordPolicy``
    shape; ``None`` means the account has none and AWS's default applies: at
    least 8 characters, at least three of uppercase letters, lowercase
    letters, numbers and symbols, and not identical to the account's name or
    email address (given as ``account_names``). ``user_name`` is checked in
    the same way, since the Lab's learner signs in with it. Password reuse is
    checked where the history is known, in :class:`Passwords`.
    """
    present = {name: any(c in chars for c in password) for name, _, chars in _CLASSES}
    if policy is None:
        return _default_rules(password, present, [*account_names, *filter(None, [user_name])])
    rules = []
    for name, message, _ in _CLASSES:
        if policy.get(_POLICY_KEYS[name]):
            description = message.replace("Password should have", "Include")
            rules.append(RuleResult(name, description, present[name], message))
    minimum = int(policy.get("MinimumPasswordLength") or 6)
    rules.append(
        RuleResult(
            "length",
            f"At least {minimum} characters",
            len(password) >= minimum,
            f"Password should have a minimum length of {minimum}",
        )
    )
    return rules


# How many of the four character types AWS's default password policy asks for.
DEFAULT_TYPES_NEEDED = 3
_TYPE_WORDS = {
    "uppercase": "uppercase letters",
    "lowercase": "lowercase letters",
    "numbers": "numbers",
    "symbols": "symbols",
}
# One character of each type, to build example passwords from.
_SAMPLE = {"uppercase": "A", "lowercase": "b", "numbers": "3", "symbols": "!"}


@dataclass(frozen=True)
class Weakness:
    """Where a custom password policy is weaker than AWS's default one.

    ``example`` is a password the custom policy accepts and AWS's default
    password policy refuses: both verdicts come from :func:`check_password`.
    """

    reason: str
    example: str

    def __str__(self) -> str:
        return f"{self.reason} (it accepts {self.example!r})"


def weaker_than_default(policy: dict[str, Any] | None) -> list[Weakness]:
    """Where ``policy`` (``get_account_password_policy``'s shape) lets through
    passwords that AWS's default password policy would refuse: fewer than 8
    characters, or fewer than three of the four character types required.

    An empty list means every password the policy accepts, the default would
    accept too (leaving aside the default's rule against the account's name).
    ``None`` (no custom policy: the default applies) has no weakness.
    """
    if policy is None:
        return []
    required = [name for name, _, _ in _CLASSES if policy.get(_POLICY_KEYS[name])]
    minimum = int(policy.get("MinimumPasswordLength") or 6)
    found: list[Weakness] = []
    if len(required) < DEFAULT_TYPES_NEEDED:
        kinds = required or ["lowercase"]
        size = max(minimum, DEFAULT_MINIMUM_LENGTH)
        example = "".join(_SAMPLE[kinds[i % len(kinds)]] for i in range(size))
        asked = (
            f"{len(required)} of the four character types "
            f"({', '.join(_TYPE_WORDS[name] for name in required)})"
            if required
            else "none of the four character types"
        )
        found.append(
            Weakness(
                f"it requires {asked}; AWS's default password policy requires at least "
                f"{DEFAULT_TYPES_NEEDED} of them",
                example,
            )
        )
    if minimum < DEFAULT_MINIMUM_LENGTH:
        example = ("".join(_SAMPLE.values()) + "b" * minimum)[:minimum]
        found.append(
            Weakness(
                f"it accepts passwords of {minimum} characters; AWS's default password "
                f"policy requires at least {DEFAULT_MINIMUM_LENGTH}",
                example,
            )
        )
    # Keep only what the rules themselves confirm: accepted here, refused there.
    return [
        weakness
        for weakness in found
        if policy_violation(check_password(weakness.example, policy)) is None
        and policy_violation(check_password(weakness.example, None)) is not None
    ]


def _default_rules(password: str, present: dict[str, bool], names: list[str]) -> list[RuleResult]:
    missing = [message for name, message, _ in _CLASSES if not present[name]]
    needed = 3 - sum(present.values())
    mix = RuleResult(
        "mix",
        "At least three of: uppercase letters, lowercase letters, numbers, symbols",
        needed <= 0,
        f"Password should meet {needed} more of the following requirements: " + ", ".join(missing),
    )
    length = RuleResult(
        "length",
        f"At least {DEFAULT_MINIMUM_LENGTH} characters",
        len(password) >= DEFAULT_MINIMUM_LENGTH,
        f"Password should have a minimum length of {DEFAULT_MINIMUM_LENGTH}",
    )
    identity = RuleResult(
        "identity",
        "Not identical to your AWS account name or email address",
        password.lower() not in {name.lower() for name in names},
        "Password should not be identical to your AWS account name or email address",
    )
    return [mix, length, identity]


# IAM's own limits on any password, from its API model: at most 128
# characters, each a tab, line feed, carriage return or U+0020 to U+00FF.
MAX_LENGTH = 128
_ALLOWED = frozenset("\t\n\r") | frozenset(chr(c) for c in range(0x20, 0x100))
PASSWORD_PATTERN = "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"


def format_rules(password: str) -> list[RuleResult]:
    """IAM's limits on every password, whatever the policy: length and characters.

    A call breaking them is refused with ``ValidationError`` before any
    password policy is looked at.
    """
    where = "Value at 'password' failed to satisfy constraint: "
    return [
        RuleResult(
            "max-length",
            f"At most {MAX_LENGTH} characters",
            len(password) <= MAX_LENGTH,
            f"{where}Member must have length less than or equal to {MAX_LENGTH}",
        ),
        RuleResult(
            "characters",
            "Only letters, digits, spaces and symbols up to U+00FF (no emoji or other scripts)",
            all(c in _ALLOWED for c in password),
            f"{where}Member must satisfy regular expression pattern: {PASSWORD_PATTERN}",
        ),
    ]


def policy_violation(rules: list[RuleResult]) -> str | None:
    """AWS's ``PasswordPolicyViolation`` message for the first unmet rule."""
    for rule in rules:
        if not rule.ok:
            return rule.message
    return None


# What the console says when it asks for a new password before going on.
RESET_REQUIRED = "Your administrator requires you to choose a new password to continue."
EXPIRED = "Your password has expired. Choose a new password to continue."


def _how_to_choose(user_name: str) -> str:
    return (
        f" In the Lab, choose it as you sign in: lab.sign_in({user_name!r}, "
        "<your current password>, new_password=<your new password>)."
    )


class PasswordChangeRequired(SignInError):
    """Sign-in succeeded, but the console asks for a new password first.

    ``reason`` is ``"reset_required"`` (an administrator asked for it) or
    ``"expired"`` (older than the policy's ``MaxPasswordAge``). The message
    says how to choose one: ``lab.sign_in(name, password, new_password=...)``.
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class PasswordNotChanged(SignInError):
    """The new password chosen at sign-in was refused, with AWS's words.

    ``code`` is AWS's error code: ``PasswordPolicyViolation`` for a password
    the account's policy refuses, ``ValidationError`` for one IAM refuses
    whatever the policy, ``AccessDenied`` for a user who may not change their
    own password.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def change_at_sign_in(
    session: Any, required: PasswordChangeRequired | None, old: str, new: str | None
) -> None:
    """The console's "choose a new password" step of a sign-in.

    ``session`` is the user just signed in (``required`` says why a new
    password is due, or None when none is). Without ``new`` the sign-in stops
    with ``required``. With it, the user's own ``ChangePassword`` call makes
    the change, so the account's password policy and the user's permission
    to change their password decide, as in AWS; a refusal raises
    :class:`PasswordNotChanged` with AWS's code and message.
    """
    if required is None:
        if new is not None:
            raise SignInError(
                "This sign-in does not ask for a new password. To change it, call "
                "change_password(OldPassword=..., NewPassword=...) as the user."
            )
        return
    if new is None:
        raise required
    from botocore.exceptions import ClientError

    try:
        session.client("iam").change_password(OldPassword=old, NewPassword=new)
    except ClientError as error:
        details = error.response.get("Error", {})
        raise PasswordNotChanged(
            str(details.get("Code", "Error")), str(details.get("Message", ""))
        ) from None


class Passwords:
    """Console passwords of the account's IAM users, held to AWS's rules."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._history: dict[str, list[str]] = {}  # oldest first
        self._changed_at: dict[str, float] = {}
        self._created_at: dict[str, float] = {}

    def policy(self) -> dict[str, Any] | None:
        """The account password policy in AWS's shape, or None if unset."""
        found = self._store.iam.account_password_policy
        if found is None:
            return None
        return {
            "MinimumPasswordLength": found.minimum_password_length,
            "RequireSymbols": bool(found.require_symbols),
            "RequireNumbers": bool(found.require_numbers),
            "RequireUppercaseCharacters": bool(found.require_uppercase_characters),
            "RequireLowercaseCharacters": bool(found.require_lowercase_characters),
            "AllowUsersToChangePassword": bool(found.allow_users_to_change_password),
            "ExpirePasswords": bool(found.expire_passwords),
            "MaxPasswordAge": found.max_password_age or 0,
            "PasswordReusePrevention": found.password_reuse_prevention or 0,
            "HardExpiry": bool(found.hard_expiry),
        }

    def check(self, user_name: str | None, password: str) -> list[RuleResult]:
        """Every rule a new password for ``user_name`` must meet: IAM's own
        limits, the policy's (or AWS's default) rules, and reuse."""
        policy = self.policy()
        rules = format_rules(password)
        rules += check_password(password, policy, user_name, self._account_names())
        remembered = int((policy or {}).get("PasswordReusePrevention") or 0)
        if remembered and user_name:
            recent = self._history.get(user_name, [])[-remembered:]
            rules.append(
                RuleResult(
                    "reuse",
                    f"Not one of your last {remembered} passwords",
                    password not in recent,
                    "Password should not be one of your previous passwords",
                )
            )
        return rules

    def validate(self, user_name: str, password: str) -> None:
        """Raise AWS's error for a bad new password: ``ValidationError`` for
        IAM's own limits, ``PasswordPolicyViolation`` for the policy's rules."""
        limits = policy_violation(format_rules(password))
        if limits:
            raise AwsError("ValidationError", f"1 validation error detected: {limits}", 400)
        message = policy_violation(self.check(user_name, password))
        if message:
            raise AwsError("PasswordPolicyViolation", message, 400)

    def check_sign_in(self, user_name: str, password: str) -> None:
        """Check a console sign-in's user name and password.

        Raises :class:`SignInError` with the console's words when they are
        wrong, and :class:`PasswordChangeRequired` when they are right but the
        console would ask for a new password before going on.
        """
        user = self._store.iam.users.get(user_name)
        if user is None or not user.password or user.password != password:
            raise SignInError(SIGN_IN_FAILED)
        user.password_last_used = self._clock.now()
        if self.expired(user_name):
            if (self.policy() or {}).get("HardExpiry"):
                raise SignInError(PASSWORD_EXPIRED_HARD)
            raise PasswordChangeRequired(EXPIRED + _how_to_choose(user_name), "expired")
        if user.password_reset_required:
            raise PasswordChangeRequired(
                RESET_REQUIRED + _how_to_choose(user_name), "reset_required"
            )

    def expired(self, user_name: str) -> bool:
        """Whether the user's password is older than the policy's MaxPasswordAge."""
        max_age = int((self.policy() or {}).get("MaxPasswordAge") or 0)
        changed = self._changed_at.get(user_name)
        if not max_age or changed is None:
            return False
        return self._clock.time() - changed >= max_age * DAY

    def set_at(self, user_name: str) -> float | None:
        """When the user's console password was last set (epoch seconds, on
        the Lab's clock), or None if the Lab never saw it set."""
        return self._changed_at.get(user_name)

    def forget_user(self, user_name: str) -> None:
        """Drop what is remembered about a deleted user's passwords."""
        for record in (self._history, self._changed_at, self._created_at):
            record.pop(user_name, None)

    # -- the IAM API ---------------------------------------------------------

    def create_login_profile(self, params: dict[str, Any], caller: str) -> dict[str, Any]:
        """``CreateLoginProfile``: a console password that meets the policy."""
        user = self._user(params.get("UserName") or caller)
        if user.password:
            raise AwsError(
                "EntityAlreadyExists", f"Login Profile for user {user.name} already exists.", 409
            )
        password = params["Password"]
        self.validate(user.name, password)
        user.password = password
        user.password_reset_required = bool(params.get("PasswordResetRequired", False))
        self._set(user.name, password)
        self._created_at[user.name] = self._clock.time()
        return {"LoginProfile": self._profile_shape(user)}

    def get_login_profile(self, params: dict[str, Any], caller: str) -> dict[str, Any]:
        """``GetLoginProfile``: when it was made and whether a reset is due."""
        user = self._profile_owner(params.get("UserName") or caller)
        return {"LoginProfile": self._profile_shape(user)}

    def update_login_profile(self, params: dict[str, Any]) -> dict[str, Any]:
        """``UpdateLoginProfile``: an administrator sets a password or asks for a reset."""
        user = self._profile_owner(params["UserName"])
        if params.get("Password") is not None:
            self.validate(user.name, params["Password"])
            user.password = params["Password"]
            self._set(user.name, params["Password"])
        if params.get("PasswordResetRequired") is not None:
            user.password_reset_required = bool(params["PasswordResetRequired"])
        return {}

    def change_password(self, params: dict[str, Any], caller: str | None) -> dict[str, Any]:
        """``ChangePassword``: an IAM user changes their own password."""
        if caller is None:
            raise AwsError("InvalidUserType", "Only IAM users can change their own password.", 400)
        user = self._profile_owner(caller)
        if params["OldPassword"] != user.password:
            raise AwsError("InvalidUserType", "The old password is incorrect.", 400)
        self.validate(user.name, params["NewPassword"])
        user.password = params["NewPassword"]
        user.password_reset_required = False
        self._set(user.name, params["NewPassword"])
        return {}

    def delete_login_profile(self, params: dict[str, Any], caller: str) -> None:
        """``DeleteLoginProfile``: moto deletes it; the Lab forgets its age."""
        user_name = params.get("UserName") or caller
        self._profile_owner(user_name)
        self._changed_at.pop(user_name, None)
        self._created_at.pop(user_name, None)

    # -- helpers ---------------------------------------------------------------

    def _account_names(self) -> list[str]:
        return [self._store.account_id, *self._store.iam.account_aliases]

    def _set(self, user_name: str, password: str) -> None:
        self._history.setdefault(user_name, []).append(password)
        del self._history[user_name][:-24]  # AWS remembers at most 24
        self._changed_at[user_name] = self._clock.time()

    def _user(self, user_name: str) -> Any:
        with moto_errors():
            return self._store.iam.get_user(user_name)

    def _profile_owner(self, user_name: str) -> Any:
        user = self._user(user_name)
        if not user.password:
            raise AwsError(
                "NoSuchEntity", f"Login Profile for User {user_name} cannot be found.", 404
            )
        return user

    def _profile_shape(self, user: Any) -> dict[str, Any]:
        created = self._created_at.get(user.name)
        return {
            "UserName": user.name,
            "CreateDate": (
                datetime.fromtimestamp(created, UTC)
                if created is not None
                else user.create_date.replace(tzinfo=UTC)
            ),
            "PasswordResetRequired": bool(user.password_reset_required),
        }


def _caller(call: Call) -> str:
    return "root" if call.principal.is_root else call.principal.name


def _create_login_profile(call: Call) -> dict[str, Any]:
    return call.account.passwords.create_login_profile(call.params, _caller(call))


def _get_login_profile(call: Call) -> dict[str, Any]:
    return call.account.passwords.get_login_profile(call.params, _caller(call))


def _update_login_profile(call: Call) -> dict[str, Any]:
    return call.account.passwords.update_login_profile(call.params)


def _change_password(call: Call) -> dict[str, Any]:
    caller = call.principal.name if call.principal.type == "User" else None
    return call.account.passwords.change_password(call.params, caller)


def _delete_login_profile(call: Call) -> None:
    call.account.passwords.delete_login_profile(call.params, _caller(call))
    return None  # moto deletes it


HANDLERS: dict[str, Handler] = {
    "CreateLoginProfile": _create_login_profile,
    "GetLoginProfile": _get_login_profile,
    "UpdateLoginProfile": _update_login_profile,
    "ChangePassword": _change_password,
    "DeleteLoginProfile": _delete_login_profile,
}
