"""Deletes that AWS refuses while something still depends on the entity.

AWS answers ``DeleteConflict`` (HTTP 409) when a learner deletes a group that
still has members or policies, or a policy that is still attached. moto
checks neither; they are checked here, in AWS's words. moto's own checks for
``DeleteRole`` (instance profiles, attached and inline policies) already match
AWS and are left to it; ``DeleteUser`` is checked with the user's MFA devices
in :mod:`labkit.lab.mfa`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, Handler

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

CONFLICT_STATUS = 409

MUST_REMOVE_USERS = "Cannot delete entity, must remove users from group first."
MUST_DETACH_POLICIES = "Cannot delete entity, must detach all policies first."
MUST_DELETE_POLICIES = "Cannot delete entity, must delete policies first."
POLICY_ATTACHED = "Cannot delete a policy attached to entities."
POLICY_HAS_VERSIONS = (
    "This policy has more than one version. Before you delete a policy, you must delete "
    "the policy's versions. The default version is deleted with the policy."
)


def _conflict(message: str) -> AwsError:
    return AwsError("DeleteConflict", message, CONFLICT_STATUS)


def group_delete_conflict(backend: IAMBackend, group_name: str) -> str | None:
    """AWS's reason a group cannot be deleted yet, or None (also when unknown)."""
    group = backend.groups.get(group_name)
    if group is None:
        return None  # moto answers NoSuchEntity
    if group.users:
        return MUST_REMOVE_USERS
    if group.managed_policies:
        return MUST_DETACH_POLICIES
    if group.policies:
        return MUST_DELETE_POLICIES
    return None


def policy_delete_conflict(backend: IAMBackend, policy_arn: str) -> str | None:
    """AWS's reason a managed policy cannot be deleted yet, or None."""
    policy = backend.managed_policies.get(policy_arn)
    if policy is None:
        return None
    attached = (
        any(policy_arn in user.managed_policies for user in backend.users.values())
        or any(policy_arn in group.managed_policies for group in backend.groups.values())
        or any(policy_arn in role.managed_policies for role in backend.roles.values())
        # A permissions boundary counts as an attachment for DeletePolicy.
        or any(role.permissions_boundary_arn == policy_arn for role in backend.roles.values())
        or any(
            getattr(user, "permissions_boundary_arn", None) == policy_arn
            for user in backend.users.values()
        )
    )
    if attached:
        return POLICY_ATTACHED
    if len(policy.versions) > 1:
        return POLICY_HAS_VERSIONS
    return None


def delete_group(call: Call) -> None:
    """Refuse to delete a group with members or policies."""
    reason = group_delete_conflict(call.account.backend, call.params["GroupName"])
    if reason:
        raise _conflict(reason)


def delete_policy(call: Call) -> None:
    """Refuse to delete an attached policy or one with extra versions.

    AWS managed policies belong to AWS, not to the account: even the root
    user is refused, as for any other account's resource.
    """
    arn = call.params["PolicyArn"]
    if arn.startswith("arn:aws:iam::aws:policy/"):
        raise AwsError(
            "AccessDenied",
            f"User: {call.principal.arn} is not authorized to perform: "
            f"iam:DeletePolicy on resource: policy {arn}",
            403,
        )
    reason = policy_delete_conflict(call.account.backend, arn)
    if reason:
        raise _conflict(reason)


HANDLERS: dict[str, Handler] = {
    "DeleteGroup": delete_group,
    "DeletePolicy": delete_policy,
}
