"""A principal as an attacker holding it would call: what the Lab would allow it.

Every answer is the Lab's: :meth:`Caller.may` builds the authorizations a
call needs with the service's own rules (the same function enforcement
uses, so ``iam:PolicyARN``, ``iam:PassedToService`` and the other keys a
call carries are there) and asks the Lab's authorizer each one, for this
caller, with its request context.

:meth:`Caller.covers` is only a shortcut: an action that no Allow statement
of the caller's identity-based policies (or of its permissions boundary)
names cannot be allowed by them, so the analysis does not ask about it at
all. It never answers "allowed"; only the authorizer does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import ContextValue, Target
from labkit.policy.matching import action_matches

if TYPE_CHECKING:
    from labkit.lab.authorize import Authorizer
    from labkit.lab.identities import Principal
    from labkit.policy.model import Policy, PolicySet

# Which of the actions the analysis asks about one policy's Allow statements
# name, kept per policy object (the Lab's policy source shares them).
_Covered = dict[int, tuple["Policy", frozenset[str]]]


class Vocabulary:
    """The actions the analysis may ask about, and which policies name them."""

    def __init__(self, actions: Iterable[str]) -> None:
        self.actions = tuple(dict.fromkeys(actions))
        self._covered: _Covered = {}
        self._resources: dict[tuple[int, str], tuple[Policy, tuple[str, ...]]] = {}
        by_service: dict[str, list[str]] = {}
        for action in self.actions:
            by_service.setdefault(action.split(":", 1)[0].lower(), []).append(action)
        self._by_service = {service: tuple(found) for service, found in by_service.items()}

    def covered(self, policy: Policy) -> frozenset[str]:
        """The actions of the vocabulary that an Allow statement of ``policy`` names."""
        found = self._covered.get(id(policy))
        if found is not None and found[0] is policy:
            return found[1]
        named: set[str] = set()
        for statement in policy.statements:
            if statement.effect != "Allow":
                continue
            if statement.actions is not None:
                for pattern in statement.actions:
                    named.update(a for a in self._candidates(pattern) if action_matches(pattern, a))
            elif statement.not_actions is not None:
                named.update(
                    action
                    for action in self.actions
                    if not any(action_matches(p, action) for p in statement.not_actions)
                )
        result = frozenset(named)
        self._covered[id(policy)] = (policy, result)
        return result

    def _candidates(self, pattern: str) -> tuple[str, ...]:
        """The vocabulary's actions a pattern could match: those of its
        service, or all when the service part has a wildcard."""
        service, _, _ = pattern.lower().partition(":")
        if "*" in service or "?" in service:
            return self.actions
        return self._by_service.get(service, ())

    def resources(self, policy: Policy, action: str) -> tuple[str, ...]:
        """The Resource patterns of ``policy``'s Allow statements that name ``action``."""
        key = (id(policy), action)
        found = self._resources.get(key)
        if found is not None and found[0] is policy:
            return found[1]
        patterns: list[str] = []
        if action in self.covered(policy):
            for statement in policy.statements:
                if (
                    statement.effect == "Allow"
                    and statement.resources
                    and any(
                        action in self._candidates(p) and action_matches(p, action)
                        for p in statement.actions or ()
                    )
                ):
                    patterns.extend(statement.resources)
        result = tuple(patterns)
        self._resources[key] = (policy, result)
        return result

    def covered_by(self, policies: PolicySet) -> frozenset[str]:
        """What identity-based policies, within the boundary, may allow at most."""
        named: set[str] = set()
        for policy in policies.identity:
            named |= self.covered(policy)
        for boundary in policies.boundary:
            named &= self.covered(boundary)
        return frozenset(named)


class Caller:
    """One principal, calling as the attacker would, and what it may do."""

    def __init__(
        self,
        principal: Principal,
        authorizer: Authorizer,
        policies: PolicySet,
        vocabulary: Vocabulary,
        lookups: Any,
        region: str,
    ) -> None:
        self.principal = principal
        self._decide = authorizer.decider(principal, region)
        self._covered = vocabulary.covered_by(policies)
        self._policies = policies
        self._vocabulary = vocabulary
        self._lookups = lookups
        self._region = region
        self._answers: dict[tuple[Any, ...], bool] = {}
        self._targets: dict[tuple[Any, ...], bool] = {}

    def covers(self, action: str) -> bool:
        """Whether the caller's identity-based policies name ``action`` at all."""
        return action in self._covered

    def names_for(self, action: str, marker: str, default: str) -> list[str]:
        """Names the caller could give a resource it creates, as templates
        with ``{}`` where the attacker chooses: any name (``{}``) first, then
        the names the Resource patterns of its Allow statements naming
        ``action`` leave open (``function:app-*`` gives ``app-{}``;
        ``${aws:username}`` is the caller's user name). Only the authorizer
        then says which of them the caller may use."""
        found = ["{}"]
        for policy in self._policies.identity:
            for pattern in self._vocabulary.resources(policy, action):
                name = _name_in(pattern, marker, self.principal)
                if name and name not in found:
                    found.append(name)
        return [n for n in found if _NAME.fullmatch(n.replace("{}", default))]

    def allows(
        self, action: str, resource: str = "*", context: Mapping[str, ContextValue] | None = None
    ) -> bool:
        """Whether a request for ``action`` on ``resource`` would be allowed."""
        return self._decide(Target(action, resource, dict(context or {}))).allowed

    def may(self, prefix: str, operation: str, params: Mapping[str, Any]) -> bool:
        """Whether the call ``prefix.operation(**params)`` would be authorized:
        every action it needs, on its resources, with the keys it carries."""
        from labkit.lab.enforce import requested_region
        from labkit.lab.services import Asked, service

        key = (prefix, operation, _frozen(params))
        found = self._answers.get(key)
        if found is not None:
            return found
        rules = service(prefix)
        if rules is None:
            return False
        principal = self.principal
        asked = Asked(
            prefix,
            operation,
            params,
            principal.account,
            requested_region(prefix, self._region),
            self._lookups,
            principal.name if principal.type == "User" else None,
        )
        answer = all(self._allowed(target) for target in rules.targets(asked))
        self._answers[key] = answer
        return answer

    def _allowed(self, target: Target) -> bool:
        # Many calls need the same authorization (adding any user to one
        # group is decided on the group): each is decided once.
        key = (target.action, target.resource, _frozen(target.context))
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = self._decide(target).allowed
        return found


# Names a function or a stack may have.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


def _name_in(pattern: str, marker: str, principal: Principal) -> str | None:
    """The name part of a Resource pattern after ``marker``, wildcards as ``{}``."""
    if principal.type == "User":
        pattern = pattern.replace("${aws:username}", principal.name)
    if marker not in pattern:
        return None
    name = re.split(r"[:/]", pattern.split(marker, 1)[1], maxsplit=1)[0]
    if "${" in name:
        return None
    return re.sub(r"[*?]+", "{}", name)


def _frozen(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, bytes):
        return len(value)  # code bodies: only their presence matters
    return value
