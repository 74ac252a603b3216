"""Questions an exercise step asks of the Lab.

Some read the IAM state directly; the others ask the Lab's own authorizer,
the very one that decides every real call, as the learner's principal. None
goes through a client, so checking leaves no trace in the learner's trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labkit.lab.account import Lab

ACCOUNT = "123456789012"
ORDERS = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
AWS_POLICY = "arn:aws:iam::aws:policy/"

Question = Callable[["Lab"], Any]


# --- questions about the IAM state -------------------------------------------


def user_exists(name: str) -> Question:
    """Whether the user exists."""
    return lambda lab: name in lab.backend.users


def group_exists(name: str) -> Question:
    """Whether the group exists."""
    return lambda lab: name in lab.backend.groups


def role_exists(name: str) -> Question:
    """Whether the role exists."""
    return lambda lab: any(role.name == name for role in lab.backend.roles.values())


def in_group(user: str, group: str) -> Question:
    """Whether the user is a member of the group."""
    return lambda lab: any(member.name == user for member in lab.backend.groups[group].users)


def in_any_group(user: str) -> Question:
    """Whether the user is a member of some group."""
    return lambda lab: any(
        member.name == user for group in lab.backend.groups.values() for member in group.users
    )


def group_has_policy(group: str, arn: str) -> Question:
    """Whether the managed policy is attached to the group."""
    return lambda lab: arn in lab.backend.groups[group].managed_policies


def user_has_policy_named(user: str, name: str) -> Question:
    """Whether a managed policy of that name is attached to the user."""
    return lambda lab: any(
        policy.name == name for policy in lab.backend.users[user].managed_policies.values()
    )


def group_has_policy_named(group: str, name: str) -> Question:
    """Whether a managed policy of that name is attached to the group."""
    return lambda lab: any(
        policy.name == name for policy in lab.backend.groups[group].managed_policies.values()
    )


def role_has_policy(role: str, arn: str) -> Question:
    """Whether the managed policy is attached to the role."""

    def done(lab: Lab) -> bool:
        (found,) = [r for r in lab.backend.roles.values() if r.name == role]
        return arn in found.managed_policies

    return done


def has_login_profile(user: str) -> Question:
    """Whether the user can sign in to the console."""
    return lambda lab: lab.backend.users[user].password is not None


def has_no_access_keys(user: str) -> Question:
    """Whether the user has no access keys."""
    return lambda lab: not lab.backend.users[user].access_keys


def password_policy(**expected: Any) -> Question:
    """Whether the account password policy has these settings."""

    def done(lab: Lab) -> bool:
        policy = lab.passwords.policy() or {}
        return all(policy.get(key) == value for key, value in expected.items())

    return done


def has_mfa_device(user: str) -> Question:
    """Whether the user has an enabled MFA device."""
    return lambda lab: lab.mfa.device_for_user(user) is not None


# --- questions about decisions -------------------------------------------------


def as_user(lab: Lab, user: str, context: dict[str, str] | None = None) -> Any:
    """The user as their calls reach AWS: signed in on the console (with or
    without MFA) when the context says ``aws:MultiFactorAuthPresent``, else
    with access keys, which carry no MFA key at all."""
    found = lab.store.moto_user(user)
    if found is None:
        raise LookupError(user)
    mfa = (context or {}).get("aws:MultiFactorAuthPresent")
    return lab.principal_of(found.arn, mfa=mfa == "true", console=mfa is not None)


def decides(
    user: str,
    action: str,
    resource: str,
    expected: str,
    context: dict[str, str] | None = None,
) -> Question:
    """Whether the user's request gets ``expected``: the decision a real call
    would get, with every policy that applies (the resource's own included)."""

    def done(lab: Lab) -> bool:
        return lab.decide(as_user(lab, user, context), action, resource).decision == expected

    return done


def trust_allows(role: str, user: str, expected: bool) -> Question:
    """Whether the user may assume the role, as a real AssumeRole call is decided."""

    def done(lab: Lab) -> bool:
        found = lab.store.moto_role(role)
        if found is None:
            return False
        return lab.decide(as_user(lab, user), "sts:AssumeRole", found.arn).allowed == expected

    return done


def no_direct_policies(*users: str) -> Question:
    """Whether none of the users has policies of their own."""
    return lambda lab: all(
        not lab.backend.users[u].managed_policies and not lab.backend.users[u].policies
        for u in users
    )


# --- more questions about decisions ---------------------------------------------


def not_allowed(
    user: str, action: str, resource: str, context: dict[str, str] | None = None
) -> Question:
    """Whether the user's request is refused, by an implicit or an explicit
    deny: the learner may write a Deny of their own, and that is fine."""

    def done(lab: Lab) -> bool:
        return not lab.decide(as_user(lab, user, context), action, resource).allowed

    return done


def group_member_decides(group: str, action: str, resource: str, allowed: bool) -> Question:
    """Whether a member of the group gets ``allowed`` for the request from the
    group's policies alone, as the engine decides it: true of every member,
    even before the group has one."""

    def done(lab: Lab) -> bool:
        from labkit.policy import Request, evaluate

        found = lab.store.moto_group(group)
        if found is None:
            return False
        holdings = lab.policies.holdings(found.arn)
        if holdings is None:
            return False
        return evaluate(Request(action, resource), identity=holdings.policies).allowed == allowed

    return done


def console_users_may_change_password() -> Question:
    """Whether every user who can sign in to the console may change their own
    password (``iam:ChangePassword`` on themselves), asked of the Lab's
    authorizer as each user signed in; false when nobody can sign in."""

    def done(lab: Lab) -> bool:
        console = [user for user in lab.store.users() if user.password]
        return bool(console) and all(
            lab.decide(
                as_user(lab, user.name, {"aws:MultiFactorAuthPresent": "false"}),
                "iam:ChangePassword",
                user.arn,
            ).allowed
            for user in console
        )

    return done


def password_refused(password: str) -> Question:
    """Whether IAM would refuse ``password`` as a new console password now,
    by the very rules ``CreateLoginProfile`` applies."""
    return lambda lab: not all(rule.ok for rule in lab.passwords.check(None, password))


def password_accepted(password: str) -> Question:
    """Whether IAM would accept ``password`` as a new console password now."""
    return lambda lab: all(rule.ok for rule in lab.passwords.check(None, password))


def password_policy_not_weaker_than_default() -> Question:
    """Whether the account has a password policy, and it lets through no
    password AWS's default password policy would refuse."""

    def done(lab: Lab) -> bool:
        from labkit.lab.passwords import weaker_than_default

        policy = lab.passwords.policy()
        return policy is not None and not weaker_than_default(policy)

    return done


# --- questions about whole API calls --------------------------------------------
#
# A learner's policy must stop (or let through) what a person could really do,
# not one action name: DynamoDB deletes items through DeleteItem, batches,
# transactions and PartiQL statements, each authorized its own way. These
# questions hand a concrete call to the service's own rules, which turn it into
# the requests enforcement authorizes (actions, resources, condition keys), and
# ask the Lab's authorizer about each, as the real call would be decided. The
# call itself is never made: checking changes nothing and leaves no trace.

from collections.abc import Mapping, Sequence  # noqa: E402 - this part's own needs
from dataclasses import dataclass, field  # noqa: E402


@dataclass(frozen=True)
class ApiCall:
    """One API call as code would make it: the service's signing name
    (``"dynamodb"``), AWS's operation name (``"ExecuteStatement"``) and its
    parameters, with a label for people."""

    service: str
    operation: str
    params: Mapping[str, Any] = field(default_factory=dict)
    label: str = ""

    def __str__(self) -> str:
        return self.label or f"{self.service} {self.operation}"


def call_decisions(lab: Lab, principal: Any, call: ApiCall) -> list[tuple[Any, Any]]:
    """Every authorization a real ``call`` by ``principal`` needs, with the
    Lab's decision for each: ``[(target, decision), ...]`` in the order
    enforcement asks them (the call is refused at the first one denied).

    Services whose calls prove something themselves (an MFA code given to
    STS) are not asked this way: checking must not spend a learner's code.
    """
    return lab.enforcer.decide_call(principal, call.service, call.operation, call.params)


def call_decision(lab: Lab, principal: Any, call: ApiCall) -> str:
    """How a real ``call`` would end for ``principal``: ``"allowed"`` when
    every authorization it needs is allowed, else the decision of the first
    one denied (``"explicitDeny"`` or ``"implicitDeny"``)."""
    for _target, decision in call_decisions(lab, principal, call):
        if not decision.allowed:
            return str(decision.decision)
    return "allowed"


def _matches(found: str, expected: str) -> bool:
    if expected == "denied":
        return found != "allowed"
    return found == expected


def calls_decide(
    user: str,
    calls: Sequence[ApiCall],
    expected: str,
    context: dict[str, str] | None = None,
) -> Question:
    """Whether every one of ``calls``, made by ``user``, would end as
    ``expected``: ``"allowed"``, ``"denied"`` (either kind of deny),
    ``"explicitDeny"`` or ``"implicitDeny"``. ``context`` says how the user
    signed in, as for :func:`decides`."""

    def done(lab: Lab) -> bool:
        principal = as_user(lab, user, context)
        return all(_matches(call_decision(lab, principal, call), expected) for call in calls)

    return done


def role_calls_decide(role: str, calls: Sequence[ApiCall], expected: str) -> Question:
    """Whether every one of ``calls``, made in a session of the role, would
    end as ``expected`` (see :func:`calls_decide`)."""

    def done(lab: Lab) -> bool:
        found = lab.store.moto_role(role)
        if found is None:
            return False
        principal = lab.principal_of(found.arn)
        return all(_matches(call_decision(lab, principal, call), expected) for call in calls)

    return done


def has_virtual_mfa_device(user: str) -> Question:
    """Whether a virtual MFA device exists that is unassigned or enabled for
    the user: something the user could enable, or has enabled."""

    def done(lab: Lab) -> bool:
        for serial in lab.backend.virtual_mfa_devices:
            if lab.mfa.owner_of(serial) in (None, user):
                return True
        return False

    return done


def has_mfa_devices(user: str, at_least: int) -> Question:
    """Whether at least ``at_least`` MFA devices are enabled for the user."""
    return lambda lab: len(lab.mfa.devices_for_user(user)) >= at_least
