"""Finding every route to admin: a breadth-first search over who can act as whom.

The nodes are principals as the attacker holds them (a user's access keys,
a user signed in on the console, a role session; with or without MFA). From
each node, :mod:`~labkit.escalation.become` lists the principals it can
come to act as; :mod:`~labkit.escalation.grants` lists how it can change a
principal's permissions. A route from a start ends at a principal that is
admin-equivalent (:mod:`~labkit.escalation.admin`): one reached already
admin-equivalent, or one the attacker makes so and then acts as (the start
itself, for self-escalation). The search visits each node once, so cycles
(two roles trusting each other) end, and it finds the shortest way to each
node first, so routes come shortest first.

Answers are kept for the life of one analysis: build a new one (as
:func:`labkit.escalation.paths` does) after the account changes.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, NamedTuple

from labkit.escalation import become, grants
from labkit.escalation.admin import PROBES, admin_equivalent
from labkit.escalation.callers import Caller, Vocabulary
from labkit.escalation.facts import ADMINISTRATOR_ACCESS, Lookups, read
from labkit.escalation.model import Path, Step
from labkit.escalation.trust import TrustIndex
from labkit.escalation.whatif import Change, WhatIf

if TYPE_CHECKING:
    from labkit.lab.account import Lab
    from labkit.lab.authorize import Authorizer
    from labkit.lab.identities import Principal
    from labkit.policy.model import PolicySet

# Every action the finders and probes ask about, so that a caller's policies
# are read once for all of them.
VOCABULARY = (
    *PROBES,
    *grants.GRANT_ACTIONS,
    "sts:AssumeRole",
    "iam:CreateAccessKey",
    "iam:DeleteAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:DeletePolicyVersion",
    "lambda:InvokeFunction",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
)


# Actions after which the attacker may act as someone else.
_MOVING = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "lambda:UpdateFunctionCode",
)


class Node(NamedTuple):
    """A principal as the attacker holds it."""

    arn: str
    mfa: bool = False  # signed in with MFA, or a session of someone who was
    console: bool = False  # a user signed in on the console rather than with keys


class Analysis:
    """The routes to admin of one account, as it is now."""

    def __init__(self, lab: Lab, *, mfa: bool = False) -> None:
        self.lab = lab
        self.mfa = mfa
        self.facts = read(lab)
        self.lookups = Lookups(self.facts, lab.store)
        self.vocabulary = Vocabulary(VOCABULARY)
        self.trust = TrustIndex(lab, sorted(self.facts.roles))
        self._callers: dict[Node, Caller] = {}
        self._admin: dict[Node, bool] = {}
        self._admin_after: dict[tuple[Node, tuple[Change, ...]], bool] = {}
        self._moves: dict[Node, list[become.Move]] = {}
        self._grants: dict[tuple[Node, Node], list[grants.Grant]] = {}
        self._admin_policies: list[str] | None = None
        self._may_grant: dict[Node, bool] = {}
        self._leads: dict[Node, bool] = {}

    # --- principals as the attacker holds them ------------------------------

    def node(self, arn: str, *, mfa: bool = False, console: bool = False) -> Node:
        """The node for ``arn`` (a role's session has no console flag)."""
        return Node(arn, mfa, console and arn in self.facts.users)

    def start(self, arn: str) -> Node:
        """How an attacker holding ``arn`` calls: a user's access keys (its
        console password when it has no keys), a role's session; with MFA
        only when the analysis says the attacker has the device."""
        user = self.facts.users.get(arn)
        console = bool(user is not None and user.password and user.keys == 0)
        return self.node(arn, mfa=self.mfa, console=console)

    def principal(self, node: Node) -> Principal:
        """The Lab's caller for ``node``."""
        return self.lab.principal_of(node.arn, mfa=node.mfa, console=node.console)

    def caller(self, node: Node) -> Caller:
        """``node`` asking the Lab, as the account is."""
        found = self._callers.get(node)
        if found is None:
            principal = self.principal(node)
            policies = self.lab.policies.for_principal(principal)
            found = self._make_caller(principal, self.lab.account.authorizer, policies)
            self._callers[node] = found
        return found

    def caller_after(self, node: Node, changes: tuple[Change, ...]) -> Caller:
        """``node`` asking the Lab about the account as ``changes`` would leave it."""
        what_if = WhatIf(self.lab, changes)
        principal = self.principal(node)
        policies = what_if.policies.for_principal(principal)
        return self._make_caller(principal, what_if.authorizer, policies)

    def _make_caller(
        self, principal: Principal, authorizer: Authorizer, policies: PolicySet
    ) -> Caller:
        return Caller(
            principal,
            authorizer,
            policies,
            self.vocabulary,
            self.lookups,
            self.lab.region,
        )

    # --- admin-equivalence ---------------------------------------------------

    def admin(self, node: Node) -> bool:
        """Whether ``node`` is admin-equivalent now."""
        found = self._admin.get(node)
        if found is None:
            found = self._admin[node] = admin_equivalent(self.caller(node))
        return found

    def admin_caller(self, principal: Principal) -> bool:
        """Whether the Lab's caller ``principal`` (a session's) is admin-equivalent."""
        policies = self.lab.policies.for_principal(principal)
        caller = self._make_caller(principal, self.lab.account.authorizer, policies)
        return admin_equivalent(caller)

    def admin_after(self, node: Node, changes: tuple[Change, ...]) -> bool:
        """Whether ``node`` would be admin-equivalent after ``changes``."""
        key = (node, changes)
        found = self._admin_after.get(key)
        if found is None:
            found = self._admin_after[key] = admin_equivalent(self.caller_after(node, changes))
        return found

    def admin_policies(self) -> list[str]:
        """Managed policies an attacker would attach: AWS's AdministratorAccess,
        then customer managed policies whose Allow statements name every probe."""
        if self._admin_policies is None:
            found = [ADMINISTRATOR_ACCESS]
            for arn in sorted(self.facts.versions):
                policy = self.lab.policies.managed(arn)
                if policy is not None and set(PROBES) <= self.vocabulary.covered(policy):
                    found.append(arn)
            self._admin_policies = found
        return self._admin_policies

    def group_may_complete(self, group: str, user: str) -> bool:
        """Whether the user's policies and the group's together name every
        probe: only then can joining the group make the user admin-equivalent."""
        named: set[str] = set()
        for arn in (user, self.facts.groups[group].arn):
            holdings = self.lab.policies.holdings(arn)
            for policy in holdings.policies if holdings is not None else ():
                named |= self.vocabulary.covered(policy)
        return set(PROBES) <= named

    # --- moves and grants -----------------------------------------------------

    def moves(self, node: Node) -> list[become.Move]:
        """The principals ``node`` can come to act as, and how."""
        found = self._moves.get(node)
        if found is None:
            found = self._moves[node] = become.moves(self, node)
        return found

    def grants(self, actor: Node, target: Node) -> list[grants.Grant]:
        """How ``actor`` can make ``target`` admin-equivalent."""
        key = (actor, target)
        found = self._grants.get(key)
        if found is None:
            found = self._grants[key] = grants.grants(self, actor, target)
        return found

    def may_grant(self, actor: Node) -> bool:
        """Whether ``actor``'s policies name any permission-changing action."""
        found = self._may_grant.get(actor)
        if found is None:
            caller = self.caller(actor)
            found = any(caller.covers(action) for action in grants.GRANT_ACTIONS)
            self._may_grant[actor] = found
        return found

    def worth(self, actor: Node, target: Node) -> bool:
        """Whether acting as ``target`` could lead to admin: it is
        admin-equivalent, or could change permissions or act as someone
        else; or ``actor`` could change its permissions. Moves to anyone else
        end nowhere, so the analysis does not ask about them."""
        if self.may_grant(actor):
            return True
        found = self._leads.get(target)
        if found is None:
            found = self._leads[target] = self._may_lead(target)
        return found

    def _may_lead(self, node: Node) -> bool:
        if self.admin(node) or self.may_grant(node):
            return True
        caller = self.caller(node)
        if any(caller.covers(action) for action in _MOVING):
            return True
        return bool(self.trust.candidates(node.arn, caller.covers("sts:AssumeRole")))

    # --- routes ----------------------------------------------------------------

    def routes(self, arn: str) -> list[Path]:
        """Every route from ``arn`` to admin, shortest first (none when ``arn``
        is admin-equivalent already): for each principal it can end as, and
        each method and target of the step that ends it, the shortest route."""
        start = self.start(arn)
        if self.admin(start):
            return []
        parent: dict[Node, tuple[Node, become.Move] | None] = {start: None}
        order = [start]
        finals: list[tuple[Node, become.Move]] = []
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for move in self.moves(node):
                if self.admin(move.becomes):
                    finals.append((node, move))  # the route ends there
                elif move.becomes not in parent:
                    parent[move.becomes] = (node, move)
                    order.append(move.becomes)
                    queue.append(move.becomes)
        found: list[Path] = []
        for node, move in finals:
            steps = _chain_steps(parent, node) + move.steps
            found.append(Path(arn, move.becomes.arn, steps))
        for actor in order:
            if not self.may_grant(actor):
                continue
            # An actor that can make itself admin-equivalent needs no detour
            # through others: only itself and what the attacker held before it.
            held = _chain(parent, actor)
            targets = held[::-1] if self.grants(actor, actor) else order
            for target in targets:
                for grant in self.grants(actor, target):
                    steps = (
                        _chain_steps(parent, actor) + grant.steps + _suffix(parent, actor, target)
                    )
                    found.append(Path(arn, target.arn, steps))
        # One route per way of ending: the principal it ends as, and the
        # last step's method and target; the shortest one.
        unique: dict[tuple[str, str, str], Path] = {}
        for path in sorted(found, key=_order):
            last = path.steps[-1]
            unique.setdefault((path.end, last.method, last.target), path)
        return sorted(unique.values(), key=_order)


def _chain(parent: dict[Node, tuple[Node, become.Move] | None], node: Node) -> list[Node]:
    """The nodes from the start to ``node``."""
    chain = [node]
    while (link := parent[chain[-1]]) is not None:
        chain.append(link[0])
    return chain[::-1]


def _chain_steps(
    parent: dict[Node, tuple[Node, become.Move] | None], node: Node
) -> tuple[Step, ...]:
    steps: list[Step] = []
    for hop in _chain(parent, node)[1:]:
        link = parent[hop]
        assert link is not None
        steps.extend(link[1].steps)
    return tuple(steps)


def _suffix(
    parent: dict[Node, tuple[Node, become.Move] | None], actor: Node, target: Node
) -> tuple[Step, ...]:
    """The steps to ``target`` not already taken on the way to ``actor``: the
    attacker keeps every session it got on the way."""
    taken = _chain(parent, actor)
    wanted = _chain(parent, target)
    shared = 0
    while shared < min(len(taken), len(wanted)) and taken[shared] == wanted[shared]:
        shared += 1
    if shared == len(wanted):
        return ()
    steps: list[Step] = []
    for hop in wanted[shared:]:
        link = parent[hop]
        assert link is not None
        steps.extend(link[1].steps)
    return tuple(steps)


def _order(path: Path) -> tuple[int, str, tuple[str, ...]]:
    return (len(path.steps), path.end, tuple(s.method for s in path.steps))
