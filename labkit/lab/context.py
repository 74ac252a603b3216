"""One account's parts, each built from only what it uses.

The Lab is the learner's handle on an account; the parts that run it (the
store of moto's objects, the policy source, credentials, MFA devices,
passwords, the authorizer, the trail) live here and receive only what they
need: a clock, a source of randomness, the store, the policy source. A
handler is given the :class:`AccountContext` of its call, never the Lab.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labkit.lab.authorize import Authorizer
from labkit.lab.clock import Clock
from labkit.lab.credentials import Credentials
from labkit.lab.identities import Principal
from labkit.lab.mfa import MFA
from labkit.lab.passwords import Passwords
from labkit.lab.store import Store
from labkit.lab.trail import Trail
from labkit.policy_source import PolicySource

if TYPE_CHECKING:
    from labkit.lab.accounts import Accounts


@dataclass
class AccountContext:
    """The running parts of one AWS account in the Lab."""

    account_id: str
    region: str
    clock: Clock
    random: random.Random
    store: Store
    policies: PolicySource
    credentials: Credentials
    mfa: MFA
    passwords: Passwords
    authorizer: Authorizer
    trail: Trail
    root: Principal
    # Every account of the Lab (its organization's members), when this is one of several.
    accounts: Accounts | None = None

    @classmethod
    def create(
        cls,
        account_id: str,
        region: str,
        clock: Clock,
        rng: random.Random,
        trail: Trail | None = None,
        retired: set[str] | None = None,
        accounts: Accounts | None = None,
    ) -> AccountContext:
        """A fresh context over moto's state for ``account_id``; ``retired``
        holds key ids that must never be issued again."""
        store = Store(account_id, region)
        policies = PolicySource(store, _resource_policies(store))
        root = Principal.root(account_id)
        return cls(
            account_id=account_id,
            region=region,
            clock=clock,
            random=rng,
            store=store,
            policies=policies,
            credentials=Credentials(store, clock, rng, root, retired),
            mfa=MFA(store, clock, rng),
            passwords=Passwords(store, clock),
            authorizer=Authorizer(store, policies, clock, accounts),
            trail=trail if trail is not None else Trail(),
            root=root,
            accounts=accounts,
        )

    @property
    def backend(self) -> Any:
        """moto's IAM backend for the account."""
        return self.store.iam


def _resource_policies(store: Store) -> Any:
    """The services' knowledge of where resources keep their own policies."""

    def find(resource: str, action: str) -> tuple[Any, str] | None:
        from labkit.lab.services import service

        prefix = resource.split(":", 3)[2] if resource.startswith("arn:") else ""
        rules = service(prefix)
        if rules is None or rules.resource_policy is None:
            return None
        return rules.resource_policy(store, resource, action)

    return find
