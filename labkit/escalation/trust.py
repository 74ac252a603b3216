"""Whom each role's trust policy could let in: which roles to ask about.

A trust policy can only allow ``sts:AssumeRole`` to a principal it names,
to everyone in the account (the account itself as principal), or to anyone
(``"*"``, or ``NotPrincipal``). Reading the names once per role tells the
analysis which roles to ask about for each caller, instead of every role for
every caller; whether the role may really be assumed is then asked of the
Lab, which also weighs conditions, the caller's own policies, boundaries
and explicit denies.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import Target
from labkit.policy.matching import action_matches

if TYPE_CHECKING:
    from labkit.lab.account import Lab
    from labkit.policy.model import Policy


class TrustIndex:
    """For each role: the principals its trust policy names, and whether it
    names the account or anyone."""

    def __init__(self, lab: Lab, roles: list[str]) -> None:
        self._lab = lab
        self._named: dict[str, set[str]] = defaultdict(set)  # principal ARN -> roles
        self._account: list[str] = []  # roles trusting every principal of the account
        self._anyone: list[str] = []  # roles trusting "*" (or all but some)
        self._services: dict[str, list[str]] = {}
        self._roles = roles
        own = f"arn:aws:iam::{lab.account_id}:"
        for role in roles:
            policy = lab.policies.trust_policy(role)
            if policy is None:
                continue
            named, account, anyone = _reading(policy, lab.account_id)
            for arn in named:
                if arn.startswith(own):
                    self._named[arn].add(role)
            if anyone:
                self._anyone.append(role)
            elif account:
                self._account.append(role)

    def candidates(self, caller: str, asks_itself: bool) -> list[str]:
        """Roles that could let ``caller`` (a user or role ARN) in; those
        trusting only the account count when ``asks_itself`` (its own
        policies name ``sts:AssumeRole``), as they must then allow it too."""
        found = set(self._named.get(caller, ())) | set(self._anyone)
        if asks_itself:
            found |= set(self._account)
        return sorted(found)

    def trusted_by(self, service: str) -> list[str]:
        """Roles an AWS service (``lambda.amazonaws.com``) may assume, as the Lab decides it."""
        found = self._services.get(service)
        if found is None:
            authorizer = self._lab.account.authorizer
            found = [
                role
                for role in self._roles
                if authorizer.decide_service(service, Target("sts:AssumeRole", role)).allowed
            ]
            self._services[service] = found
        return found

    def document(self, role: str) -> Any:
        """The role's trust policy document as stored."""
        info = self._lab.store.role(role)
        return info.trust if info is not None else {}


def _reading(policy: Policy, account: str) -> tuple[set[str], bool, bool]:
    """The ARNs an Allow statement for sts:AssumeRole names; whether one
    names the account; whether one lets in anyone."""
    named: set[str] = set()
    account_wide = anyone = False
    for statement in policy.statements:
        if statement.effect != "Allow" or not _assumes(statement):
            continue
        if statement.not_principals is not None:
            anyone = True
        for kind, values in statement.principals or ():
            for value in values:
                if kind == "*" or value == "*":
                    anyone = True
                elif kind != "AWS":
                    continue  # services and federated principals are not callers here
                elif value in (account, f"arn:aws:iam::{account}:root"):
                    account_wide = True
                elif ":assumed-role/" in value:
                    # A session ARN names the role behind it.
                    fields = value.split(":", 5)
                    role = fields[5].split("/")[1] if len(fields) == 6 else ""
                    named.add(f"arn:aws:iam::{fields[4]}:role/{role}")
                    account_wide = account_wide or not role
                else:
                    named.add(value)
    return named, account_wide, anyone


def _assumes(statement: Any) -> bool:
    if statement.actions is not None:
        return any(action_matches(p, "sts:AssumeRole") for p in statement.actions)
    return not any(action_matches(p, "sts:AssumeRole") for p in statement.not_actions or ())
