"""IAM Lab Kit: learn AWS IAM against an account that decides access as AWS does.

``labkit.policy`` is a pure policy engine (no boto3 needed); ``Lab`` starts an
in-process AWS account. ``Lab`` loads on first use, so importing the policy
engine never pulls in boto3 or moto.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labkit.lab.account import Lab
    from labkit.lab.errors import AwsError, SignInError
    from labkit.lab.passwords import PasswordChangeRequired, PasswordNotChanged

_LAZY = {
    "Lab": "labkit.lab.account",
    "AwsError": "labkit.lab.errors",
    "SignInError": "labkit.lab.errors",
    "attempt": "labkit.outcome",
    "Authenticator": "labkit.lab.mfa",
    "Outcome": "labkit.outcome",
    "PasswordChangeRequired": "labkit.lab.passwords",
    "PasswordNotChanged": "labkit.lab.passwords",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'labkit' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext labkit``: the ``%aws`` and ``%%aws`` magics (:mod:`labkit.cli`)."""
    from labkit.cli import register

    register(ipython)


__all__ = [
    "Authenticator",
    "AwsError",
    "Lab",
    "Outcome",
    "PasswordChangeRequired",
    "PasswordNotChanged",
    "SignInError",
    "attempt",
]
