"""Matching actions, resource ARNs and principals against policy patterns.

Every pattern is compiled once (cached by its text) into a :class:`Pattern`.
Actions match case-insensitively; ARNs match case-sensitively, with ``*`` and
``?`` confined to one colon-separated segment except in the final resource
part, where they may span ``/`` and ``:``. Policy variables are substituted
as literal text, so a user named ``a*`` matches only ``a*``. Wildcards are
matched by :mod:`labkit.policy.glob`, in time linear in the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labkit.policy.cache import bounded
from labkit.policy.glob import ACTION, ARN, LIKE, Glob, compile_parts
from labkit.policy.model import ContextValue, PrincipalBlock
from labkit.policy.variables import WILD_MANY, WILD_ONE, Part, Variable, resolve, split

# How a pattern compares: which wildcards it honours and whether case matters.
# ACTION (case-insensitive), ARN (wildcards per ARN segment) and LIKE
# (StringLike) honour wildcards; they are defined in labkit.policy.glob.
EXACT = "exact"  # case-sensitive, no wildcards (StringEquals)
EXACT_CI = "exact_ci"  # case-insensitive, no wildcards

_WILDCARD_MODES = frozenset({ACTION, ARN, LIKE})
_EMPTY: Mapping[str, ContextValue] = {}


class Pattern:
    """One compiled pattern. ``match`` answers True, False, or None when a
    policy variable in it cannot be resolved for this request."""

    __slots__ = ("text", "mode", "parts", "dynamic", "_glob", "_literal", "_variables", "_resolved")

    def __init__(self, text: str, mode: str, variables: bool) -> None:
        self.text = text
        self.mode = mode
        self.parts = split(text, variables)
        self._variables = tuple(p for p in self.parts if isinstance(p, Variable))
        self.dynamic = bool(self._variables)
        self._glob: Glob | None = None
        self._literal: str | None = None
        # Matchers of this pattern with its variables resolved, by their values:
        # the same user's requests reuse one.
        self._resolved: dict[tuple[str, ...], Any] = {}
        if not self.dynamic:
            self._prepare(self.parts)

    def _prepare(self, parts: tuple[Part, ...]) -> None:
        if self.mode in _WILDCARD_MODES:
            if all(isinstance(p, str) for p in parts):
                literal = "".join(parts)  # type: ignore[arg-type]
                self._literal = literal.lower() if self.mode == ACTION else literal
            else:
                self._glob = compile_parts(parts, self.mode)
        else:
            literal = _literal_text(parts)
            self._literal = literal.lower() if self.mode == EXACT_CI else literal

    def match(self, value: str, context: Mapping[str, ContextValue] = _EMPTY) -> bool | None:
        """Whether ``value`` matches, with variables taken from ``context``."""
        if self.dynamic:
            values = tuple(resolve(variable, context) for variable in self._variables)
            if None in values:
                return None
            matcher = self._resolved.get(values)  # type: ignore[arg-type]
            if matcher is None:
                matcher = self._resolve(values)  # type: ignore[arg-type]
            return matcher(value)
        if self._literal is not None:
            if self.mode in (ACTION, EXACT_CI):
                return value.lower() == self._literal
            return value == self._literal
        return self._glob.match(value)  # type: ignore[union-attr]

    def _resolve(self, values: tuple[str, ...]) -> Any:
        found = iter(values)
        parts = tuple(next(found) if isinstance(p, Variable) else p for p in self.parts)
        matcher = _matcher(parts, self.mode)
        if len(self._resolved) >= 256:
            self._resolved.clear()
        self._resolved[values] = matcher
        return matcher

    def __repr__(self) -> str:
        return f"Pattern({self.text!r}, {self.mode})"


@bounded(entries=16384, chars=4_000_000)
def compile_pattern(text: str, mode: str, variables: bool = True) -> Pattern:
    """The compiled pattern for ``text`` (cached)."""
    return Pattern(text, mode, variables and mode != ACTION)


def _matcher(parts: tuple[Part, ...], mode: str) -> Any:
    """A function matching values against ``parts`` (variables already resolved)."""
    if mode in _WILDCARD_MODES and not all(isinstance(p, str) for p in parts):
        return compile_parts(parts, mode).match
    literal = "".join(parts) if mode in _WILDCARD_MODES else _literal_text(parts)  # type: ignore[arg-type]
    if mode in (ACTION, EXACT_CI):
        folded = literal.lower()
        return lambda value: value.lower() == folded
    return literal.__eq__


def _match_parts(parts: tuple[Part, ...], mode: str, value: str) -> bool:
    if mode in _WILDCARD_MODES:
        if all(isinstance(p, str) for p in parts):
            # Substituted text only: no wildcard left, so no glob to compile and cache.
            literal = "".join(parts)  # type: ignore[arg-type]
            return value.lower() == literal.lower() if mode == ACTION else value == literal
        return compile_parts(parts, mode).match(value)
    literal = _literal_text(parts)
    if mode == EXACT_CI:
        return value.lower() == literal.lower()
    return value == literal


def _literal_text(parts: tuple[Part, ...]) -> str:
    return "".join(
        "*" if p is WILD_MANY else "?" if p is WILD_ONE else p  # type: ignore[misc]
        for p in parts
    )


def action_matches(pattern: str, action: str) -> bool:
    """Whether an Action pattern such as ``s3:Get*`` covers ``action``."""
    return bool(compile_pattern(pattern, ACTION).match(action))


def resource_matches(
    pattern: str,
    resource: str,
    context: Mapping[str, ContextValue] = _EMPTY,
    variables: bool = True,
) -> bool:
    """Whether a Resource pattern covers ``resource``.

    An unresolvable policy variable makes the pattern match nothing.
    """
    return bool(compile_pattern(pattern, ARN, variables).match(resource, context))


# ---------------------------------------------------------------------------
# Principals

# How closely a Principal element names the caller, strongest last. A grant
# to the exact caller (user, role session, service, "*") stands on its own; a
# grant to the role behind a session (or the user behind a federated session)
# is still limited by boundaries and session policies; a grant to the account
# only delegates to the account's identity policies.
NO_MATCH = 0
ACCOUNT_MATCH = 1
ROLE_MATCH = 2
DIRECT_MATCH = 3

_ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who makes a request, as principal matching needs to know it.

    ``kind`` is one of ``user``, ``role``, ``assumed-role``,
    ``federated-user``, ``root``, ``service``, ``anonymous`` or ``other``.
    ``base`` is the ARN behind a session: the role of an assumed-role session
    or the user of a federated-user session.
    """

    arn: str | None
    kind: str
    account: str | None = None
    base: str | None = None
    role_name: str | None = None


@bounded(entries=4096, chars=1_000_000)
def caller_of(principal: str | None) -> Caller:
    """Describe the caller from its ARN (or service name, or None)."""
    if not principal or principal == "*":
        return Caller(None, "anonymous")
    if _ACCOUNT_ID.match(principal):
        return Caller(f"arn:aws:iam::{principal}:root", "root", principal)
    if not principal.startswith("arn:"):
        return Caller(principal, "service" if "." in principal else "other")
    fields = principal.split(":", 5)
    if len(fields) < 6:
        return Caller(principal, "other")
    _, partition, service, _, account, resource = fields
    account = account or None
    if service == "iam":
        if resource == "root":
            return Caller(principal, "root", account)
        if resource.startswith("user/"):
            return Caller(principal, "user", account)
        if resource.startswith("role/"):
            return Caller(principal, "role", account, role_name=resource.rsplit("/", 1)[-1])
    if service == "sts":
        if resource.startswith("assumed-role/"):
            pieces = resource.split("/")
            role = pieces[1] if len(pieces) > 2 else None
            base = f"arn:{partition}:iam::{account}:role/{role}" if role else None
            return Caller(principal, "assumed-role", account, base, role)
        if resource.startswith("federated-user/"):
            name = resource.split("/", 1)[1]
            return Caller(
                principal, "federated-user", account, f"arn:{partition}:iam::{account}:user/{name}"
            )
    return Caller(principal, "other", account)


def account_of(arn: str | None) -> str | None:
    """The 12-digit account in an ARN (or a bare account id), else None."""
    if not arn:
        return None
    if _ACCOUNT_ID.match(arn):
        return arn
    if not arn.startswith("arn:"):
        return None
    fields = arn.split(":", 5)
    # "*" or "aws" (AWS managed policies) name no account that could own it.
    return fields[4] if len(fields) >= 5 and _ACCOUNT_ID.match(fields[4]) else None


def _account_principal(value: str) -> str | None:
    if _ACCOUNT_ID.match(value):
        return value
    if value.startswith("arn:") and value.endswith(":root"):
        fields = value.split(":")
        if len(fields) == 6 and fields[2] == "iam":
            return fields[4]
    return None


def _role_name(value: str) -> tuple[str, str] | None:
    # Role ARNs may carry a path; sessions name only the role.
    fields = value.split(":", 5)
    if len(fields) == 6 and fields[2] == "iam" and fields[5].startswith("role/"):
        return fields[4], fields[5].rsplit("/", 1)[-1]
    return None


def principal_match(principal_type: str, value: str, caller: Caller) -> int:
    """How one Principal entry (type, value) names the caller: one of
    ``NO_MATCH``, ``ACCOUNT_MATCH``, ``ROLE_MATCH`` or ``DIRECT_MATCH``."""
    if principal_type == "*" or value == "*":
        return DIRECT_MATCH if principal_type in ("*", "AWS") else NO_MATCH
    if caller.arn is None:
        return NO_MATCH
    if principal_type == "Service":
        return (
            DIRECT_MATCH
            if caller.kind == "service" and value.lower() == caller.arn.lower()
            else NO_MATCH
        )
    if principal_type != "AWS":
        return DIRECT_MATCH if value == caller.arn else NO_MATCH
    if caller.kind == "service":
        return NO_MATCH
    if value == caller.arn:
        # A role itself acts only through sessions, which its grants limit.
        return ROLE_MATCH if caller.kind == "role" else DIRECT_MATCH
    account = _account_principal(value)
    if account is not None:
        if account != caller.account:
            return NO_MATCH
        return DIRECT_MATCH if caller.kind == "root" else ACCOUNT_MATCH
    if caller.kind == "assumed-role":
        role = _role_name(value)
        if role is not None and role == (caller.account, caller.role_name):
            return ROLE_MATCH
    elif caller.kind == "federated-user" and value == caller.base:
        return ROLE_MATCH
    return NO_MATCH


def principal_block_match(block: PrincipalBlock, caller: Caller) -> int:
    """The strongest match of any entry of a Principal element."""
    best = NO_MATCH
    for principal_type, values in block:
        for value in values:
            level = principal_match(principal_type, value, caller)
            if level > best:
                best = level
                if best == DIRECT_MATCH:
                    return best
    return best


def not_principal_excludes(block: PrincipalBlock, caller: Caller) -> bool:
    """Whether a NotPrincipal element names the caller, so the statement does
    not apply to it.

    AWS may check the caller's account, then its role, then the caller
    itself, so a NotPrincipal exempts an IAM user only when it lists the user
    and the account, and a role session only when it lists the session, its
    role and the account (AWS JSON policy elements: NotPrincipal).
    """
    named_exactly = False
    named_role = False
    named_account = False
    for principal_type, values in block:
        for value in values:
            if principal_type == "*" or value == "*":
                return True
            level = principal_match(principal_type, value, caller)
            if level == ACCOUNT_MATCH:
                named_account = True
            elif level == ROLE_MATCH:
                named_role = True
            elif level == DIRECT_MATCH:
                named_exactly = True
    if caller.kind in ("service", "root", "other"):
        return named_exactly or named_role or named_account
    if caller.kind == "anonymous":
        return False
    if caller.kind == "assumed-role":
        return named_exactly and named_role and named_account
    return (named_exactly or named_role) and named_account
