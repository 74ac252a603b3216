"""Steps that change what a principal may do, until it is admin-equivalent.

For an actor and a target principal (the actor itself, or one it can come to
act as), each finder lists the changes the actor may make to the target's
permissions: an inline policy written into it or into one of its groups, an
administrator policy attached, a new default version of a policy it holds,
an older version made the default, membership of another group, its
permissions boundary removed or replaced. A change counts when the Lab
would authorize the call (with the keys it carries, such as
``iam:PolicyARN``) *and* the Lab's authorizer, asked about the account as
the change would leave it, finds the target admin-equivalent. Where the
target's boundary holds it back, a change of the boundary is combined with
a change of its policies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from labkit.escalation.facts import MAX_POLICY_VERSIONS
from labkit.escalation.model import Step, name_of
from labkit.escalation.whatif import ALLOW_EVERYTHING, Change
from labkit.lab.quotas import ATTACHED_POLICIES, GROUPS_PER_USER

if TYPE_CHECKING:
    from labkit.escalation.analysis import Analysis, Node
    from labkit.escalation.callers import Caller
    from labkit.escalation.facts import GroupFacts, RoleFacts, UserFacts

# The inline policy an attacker writes, by this name unless it overwrites one.
POLICY_NAME = "escalation"
# Every action that can change a principal's permissions.
GRANT_ACTIONS = (
    "iam:PutUserPolicy",
    "iam:PutRolePolicy",
    "iam:PutGroupPolicy",
    "iam:AttachUserPolicy",
    "iam:AttachRolePolicy",
    "iam:AttachGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AddUserToGroup",
    "iam:DeleteUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:PutRolePermissionsBoundary",
)


@dataclass(frozen=True)
class Grant:
    """Steps that leave ``target`` admin-equivalent, and the changes they make."""

    steps: tuple[Step, ...]
    changes: tuple[Change, ...]


def grants(analysis: Analysis, actor: Node, target: Node) -> list[Grant]:
    """Every way ``actor`` can make ``target`` admin-equivalent, simplest first."""
    caller = analysis.caller(actor)
    if not any(caller.covers(action) for action in GRANT_ACTIONS):
        return []
    who = analysis.facts.principal(target.arn)
    if who is None:
        return []
    policy_changes = list(_policy_changes(analysis, caller, actor, who))
    boundary_changes = list(_boundary_changes(analysis, caller, actor, who))
    found: list[Grant] = []
    done: set[str] = set()  # one grant per method: the first that works
    for change in policy_changes:
        method = change.steps[-1].method
        if method in done:
            continue
        if analysis.admin_after(target, change.changes):
            found.append(change)
            done.add(method)
            continue
        for boundary in boundary_changes:
            both = Grant(boundary.steps + change.steps, boundary.changes + change.changes)
            if analysis.admin_after(target, both.changes):
                found.append(both)
                done.add(method)
                break
    for boundary in boundary_changes:
        method = boundary.steps[-1].method
        if method not in done and analysis.admin_after(target, boundary.changes):
            found.append(boundary)
            done.add(method)
    return found


def _kind(who: UserFacts | RoleFacts) -> str:
    return "User" if hasattr(who, "groups") else "Role"


def _whom(actor: Node, arn: str) -> str:
    """``arn`` as the actor's sentence names it: itself, or by name."""
    return "itself" if arn == actor.arn else name_of(arn)


def _held(actor: Node, holder: str) -> str:
    return "which it holds" if holder == actor.arn else f"which {name_of(holder)} holds"


def _step(method: str, action: str, actor: Node, target: str, words: str, **details: str) -> Step:
    return Step(
        method,
        action,
        actor.arn,
        target,
        f"{name_of(actor.arn)} {words}",
        details=tuple(sorted(details.items())),
    )


def _policy_changes(
    analysis: Analysis, caller: Caller, actor: Node, who: UserFacts | RoleFacts
) -> Iterator[Grant]:
    """Changes to the policies ``who`` holds that ``caller`` may make."""
    kind = _kind(who)
    entity = {f"{kind}Name": who.name}
    low = kind.lower()
    # An inline policy: a new one, or one written over (it may hold a deny).
    if caller.covers(f"iam:Put{kind}Policy"):
        for name in (POLICY_NAME, *who.inline):
            params = {**entity, "PolicyName": name, "PolicyDocument": ALLOW_EVERYTHING}
            if caller.may("iam", f"Put{kind}Policy", params):
                words = (
                    f"writes an inline policy that allows everything into {_whom(actor, who.arn)}."
                )
                step = _step(
                    f"put-{low}-policy", f"iam:Put{kind}Policy", actor, who.arn, words, name=name
                )
                yield Grant((step,), (Change("inline", who.arn, ALLOW_EVERYTHING, name),))
    # IAM's quota: an eleventh managed policy cannot be attached.
    if caller.covers(f"iam:Attach{kind}Policy") and len(who.policies) < ATTACHED_POLICIES:
        for policy in analysis.admin_policies():
            if caller.may("iam", f"Attach{kind}Policy", {**entity, "PolicyArn": policy}):
                words = f"attaches {name_of(policy)} to {_whom(actor, who.arn)}."
                step = _step(
                    f"attach-{low}-policy",
                    f"iam:Attach{kind}Policy",
                    actor,
                    who.arn,
                    words,
                    policy=policy,
                )
                yield Grant((step,), (Change("attach", who.arn, policy),))
    for group in getattr(who, "groups", ()):
        found = analysis.facts.groups.get(group)
        if found is not None:
            yield from _group_changes(analysis, caller, actor, found, who.arn)
    for policy in analysis.facts.held_policies(who.arn):
        yield from _version_changes(analysis, caller, actor, policy, who.arn)
    if kind == "User":
        yield from _joins(analysis, caller, actor, who)  # type: ignore[arg-type]


def _group_changes(
    analysis: Analysis, caller: Caller, actor: Node, group: GroupFacts, member: str
) -> Iterator[Grant]:
    if caller.covers("iam:PutGroupPolicy"):
        for name in (POLICY_NAME, *group.inline):
            params = {"GroupName": group.name, "PolicyName": name}
            if caller.may("iam", "PutGroupPolicy", {**params, "PolicyDocument": ALLOW_EVERYTHING}):
                words = (
                    f"writes an inline policy that allows everything into {name_of(group.arn)}, "
                    f"of which {_whom(actor, member)} is a member."
                )
                step = _step(
                    "put-group-policy", "iam:PutGroupPolicy", actor, group.arn, words, name=name
                )
                yield Grant((step,), (Change("inline", group.arn, ALLOW_EVERYTHING, name),))
                break
    if caller.covers("iam:AttachGroupPolicy") and len(group.policies) < ATTACHED_POLICIES:
        for policy in analysis.admin_policies():
            if caller.may(
                "iam", "AttachGroupPolicy", {"GroupName": group.name, "PolicyArn": policy}
            ):
                words = (
                    f"attaches {name_of(policy)} to {name_of(group.arn)}, "
                    f"of which {_whom(actor, member)} is a member."
                )
                step = _step(
                    "attach-group-policy",
                    "iam:AttachGroupPolicy",
                    actor,
                    group.arn,
                    words,
                    policy=policy,
                )
                yield Grant((step,), (Change("attach", group.arn, policy),))
                break


def _version_changes(
    analysis: Analysis, caller: Caller, actor: Node, policy: str, holder: str
) -> Iterator[Grant]:
    """A new default version of a customer managed policy ``holder`` holds,
    or an older version of it made the default."""
    versions = analysis.facts.versions.get(policy, ())
    if caller.covers("iam:CreatePolicyVersion"):
        params = {"PolicyArn": policy, "PolicyDocument": ALLOW_EVERYTHING, "SetAsDefault": True}
        if caller.may("iam", "CreatePolicyVersion", params):
            steps: list[Step] = []
            oldest = next((v for v in versions if not v.default), None)
            if len(versions) >= MAX_POLICY_VERSIONS and oldest is not None:
                if not caller.may(
                    "iam", "DeletePolicyVersion", {"PolicyArn": policy, "VersionId": oldest.id}
                ):
                    return
                steps.append(
                    _step(
                        "delete-policy-version",
                        "iam:DeletePolicyVersion",
                        actor,
                        policy,
                        f"deletes version {oldest.id} of {name_of(policy)}: "
                        "a policy keeps at most five.",
                        version=oldest.id,
                    )
                )
            words = (
                f"writes a new default version of {name_of(policy)}, {_held(actor, holder)}, "
                "that allows everything."
            )
            steps.append(
                _step("create-policy-version", "iam:CreatePolicyVersion", actor, policy, words)
            )
            yield Grant(tuple(steps), (Change("version", policy, ALLOW_EVERYTHING),))
    if caller.covers("iam:SetDefaultPolicyVersion"):
        for version in versions:
            if version.default:
                continue
            params = {"PolicyArn": policy, "VersionId": version.id}
            if caller.may("iam", "SetDefaultPolicyVersion", params):
                words = (
                    f"makes version {version.id} of {name_of(policy)}, {_held(actor, holder)}, "
                    "the default: that older version allows more."
                )
                step = _step(
                    "set-default-policy-version",
                    "iam:SetDefaultPolicyVersion",
                    actor,
                    policy,
                    words,
                    version=version.id,
                )
                yield Grant((step,), (Change("version", policy, version.document),))


def _joins(analysis: Analysis, caller: Caller, actor: Node, who: UserFacts) -> Iterator[Grant]:
    """Groups ``caller`` may add the user to, alone or with a policy put in them."""
    if not caller.covers("iam:AddUserToGroup") or len(who.groups) >= GROUPS_PER_USER:
        return
    for group in analysis.facts.groups.values():
        if who.name in group.members:
            continue
        params = {"GroupName": group.name, "UserName": who.name}
        if not caller.may("iam", "AddUserToGroup", params):
            continue
        words = f"adds {_whom(actor, who.arn)} to {name_of(group.arn)}."
        join = _step(
            "add-user-to-group", "iam:AddUserToGroup", actor, group.arn, words, user=who.name
        )
        joined = Change("join", who.arn, group.name)
        if analysis.group_may_complete(group.name, who.arn):
            yield Grant((join,), (joined,))
        for change in _group_changes(analysis, caller, actor, group, who.arn):
            yield Grant((join, *change.steps), (joined, *change.changes))


def _boundary_changes(
    analysis: Analysis, caller: Caller, actor: Node, who: UserFacts | RoleFacts
) -> Iterator[Grant]:
    """The target's boundary removed, or replaced by an administrator policy."""
    if who.boundary is None:
        return
    kind = _kind(who)
    low = kind.lower()
    entity = {f"{kind}Name": who.name}
    delete = f"Delete{kind}PermissionsBoundary"
    if caller.covers(f"iam:{delete}") and caller.may("iam", delete, entity):
        words = f"removes the permissions boundary of {_whom(actor, who.arn)}."
        step = _step(
            f"delete-{low}-boundary",
            f"iam:Delete{kind}PermissionsBoundary",
            actor,
            who.arn,
            words,
        )
        yield Grant((step,), (Change("boundary", who.arn, None),))
    if caller.covers(f"iam:Put{kind}PermissionsBoundary"):
        for policy in analysis.admin_policies():
            params = {**entity, "PermissionsBoundary": policy}
            if caller.may("iam", f"Put{kind}PermissionsBoundary", params):
                words = (
                    f"makes {name_of(policy)} the permissions boundary of {_whom(actor, who.arn)}."
                )
                step = _step(
                    f"put-{low}-boundary",
                    f"iam:Put{kind}PermissionsBoundary",
                    actor,
                    who.arn,
                    words,
                    policy=policy,
                )
                yield Grant((step,), (Change("boundary", who.arn, policy),))
                break
