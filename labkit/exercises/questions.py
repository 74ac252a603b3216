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
