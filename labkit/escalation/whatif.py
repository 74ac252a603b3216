"""The account as it would be after some IAM calls, asked before making them.

Most escalation methods change the account first (a new policy version, a
policy attached, a trust policy rewritten) and profit after. Whether the
change would make someone admin-equivalent is asked of the Lab's own
authorizer, reading a :class:`Hypothetical` view of the account: the
Lab's state with the changes laid over it, in the shape the policy source
reads (:class:`~labkit.policy_source.AccountState`). Nothing in moto changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from labkit.lab.authorize import Authorizer

if TYPE_CHECKING:
    from labkit.inventory import GroupInfo, PolicyInfo, RoleInfo, UserInfo
    from labkit.lab.account import Lab
    from labkit.lab.store import Store
    from labkit.policy_source import PolicySource

ChangeKind = Literal["inline", "attach", "join", "boundary", "version", "trust"]

ALLOW_EVERYTHING = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    }
)


@dataclass(frozen=True)
class Change:
    """One change a call would make.

    ``inline``: the user, group or role ``target`` gets the inline policy
    ``name`` with the document ``value``; ``attach``: the managed policy
    ``value`` attached; ``join``: the user ``target`` joins the group
    ``value``; ``boundary``: its permissions boundary becomes ``value``
    (None removes it); ``version``: the managed policy ``target``'s default
    document becomes ``value``; ``trust``: the role's trust policy becomes ``value``.
    """

    kind: ChangeKind
    target: str
    value: str | None
    name: str = ""


class Hypothetical:
    """The Lab's account with ``changes`` laid over it, read as the policy
    source and the authorizer read the store."""

    generation = 0  # never changes: answers may be cached for its lifetime

    def __init__(self, store: Store, changes: Iterable[Change]) -> None:
        self._store = store
        self.account_id = store.account_id
        self.region = store.region
        self._changes: dict[str, list[Change]] = {}
        for change in changes:
            self._changes.setdefault(change.target, []).append(change)

    def tags_of(self, arn: str) -> tuple[tuple[str, str], ...]:
        return self._store.tags_of(arn)

    def users_may_change_password(self) -> bool:
        return self._store.users_may_change_password()

    def user(self, name_or_arn: str) -> UserInfo | None:
        info = self._store.user(name_or_arn)
        return None if info is None else self._apply(info)

    def group(self, name_or_arn: str) -> GroupInfo | None:
        info = self._store.group(name_or_arn)
        return None if info is None else self._apply(info)

    def role(self, name_or_arn: str) -> RoleInfo | None:
        info = self._store.role(name_or_arn)
        return None if info is None else self._apply(info)

    def policy(self, arn: str) -> PolicyInfo | None:
        info = self._store.policy(arn)
        if info is None:
            return None
        for change in self._changes.get(arn, ()):
            if change.kind == "version" and change.value is not None:
                info = replace(info, document=change.value)
        return info

    def _apply(self, info: Any) -> Any:
        for change in self._changes.get(info.arn, ()):
            if change.kind == "inline":
                info = replace(info, inline={**info.inline, change.name: change.value})
            elif change.kind == "attach" and change.value not in info.attached:
                info = replace(info, attached=(*info.attached, change.value))
            elif change.kind == "join" and change.value not in info.groups:
                info = replace(info, groups=(*info.groups, change.value))
            elif change.kind == "boundary":
                info = replace(info, boundary=change.value)
            elif change.kind == "trust":
                info = replace(info, trust=change.value)
        return info


class WhatIf:
    """The Lab's authorizer over the account as ``changes`` would leave it."""

    def __init__(self, lab: Lab, changes: Iterable[Change]) -> None:
        self.state = Hypothetical(lab.store, changes)
        self.policies: PolicySource = lab.policies.over(self.state)
        self.authorizer = Authorizer(self.state, self.policies, lab.clock)  # type: ignore[arg-type]


def trust_adding(trust: Mapping[str, Any] | str, principal_arn: str) -> str:
    """A trust policy that also lets ``principal_arn`` assume the role: the
    current statements kept, one Allow added (as an attacker would write it,
    leaving the role working for everyone it served)."""
    document = json.loads(trust) if isinstance(trust, str) else dict(trust)
    statements = document.get("Statement", [])
    if isinstance(statements, Mapping):
        statements = [statements]
    added = {
        "Effect": "Allow",
        "Principal": {"AWS": principal_arn},
        "Action": "sts:AssumeRole",
    }
    return json.dumps(
        {"Version": document.get("Version", "2012-10-17"), "Statement": [*statements, added]}
    )
