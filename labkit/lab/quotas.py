"""IAM's quotas on users, groups and roles, which moto does not hold calls to.

"IAM and AWS STS quotas" (IAM User Guide) caps what one entity may carry:
10 managed policies attached to a user, group or role; 10 groups per user;
inline policies of 2,048 (user), 5,120 (group) and 10,240 (role) characters
together; a trust policy of 2,048 characters; 50 tags on a user or role; 8 MFA
devices in use by a user. Sizes leave white space out. Past a quota AWS
answers ``LimitExceeded`` (HTTP 409) naming the quota. moto already refuses a
third access key and a sixth policy version in AWS's words, and
:mod:`labkit.policy.parse` measures a managed policy against its 6,144.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, Handler

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

LIMIT_STATUS = 409

ATTACHED_POLICIES = 10  # managed policies per user, group and role
GROUPS_PER_USER = 10
TAGS_PER_ENTITY = 50  # tags per user and per role
MFA_DEVICES_PER_USER = 8
TRUST_POLICY_SIZE = 2048  # "Role trust policy length"
# Inline policies, all of one entity's together: "User policy size can't
# exceed 2,048 characters", and so on.
INLINE_POLICY_SIZE = {"user": 2048, "group": 5120, "role": 10240}

# Service-linked roles' policies live under this path; AWS attaches them
# only to the service-linked role of their service.
SERVICE_ROLE_POLICY_PREFIX = "arn:aws:iam::aws:policy/aws-service-role/"
SERVICE_LINKED_ROLE_PATH = "/aws-service-role/"


def limit_exceeded(message: str) -> AwsError:
    """AWS's ``LimitExceeded`` error."""
    return AwsError("LimitExceeded", message, LIMIT_STATUS)


def quota_exceeded(quota: str, value: int) -> AwsError:
    """``Cannot exceed quota for PoliciesPerUser: 10``, as IAM words it."""
    return limit_exceeded(f"Cannot exceed quota for {quota}: {value}")


def policy_size(document: str) -> int:
    """A policy's length as IAM's quotas count it: white space left out."""
    return len("".join(document.split()))


# --- entities, found as AWS names them when missing ---------------------------


def _role(backend: IAMBackend, name: str) -> Any | None:
    # moto keys roles by id; AWS finds them by name.
    return next((role for role in backend.roles.values() if role.name == name), None)


def _entity(backend: IAMBackend, kind: str, name: str) -> Any:
    """The user, group or role ``name``; NoSuchEntity in AWS's words if missing."""
    if kind == "user":
        found = backend.users.get(name)
    elif kind == "group":
        found = backend.groups.get(name)
    else:
        found = _role(backend, name)
    if found is None:
        raise AwsError("NoSuchEntity", f"The {kind} with name {name} cannot be found.", 404)
    return found


# --- managed policies attached to an entity -----------------------------------

# Attach operation -> (kind, parameter naming the entity, quota name).
_ATTACH = {
    "AttachUserPolicy": ("user", "UserName", "PoliciesPerUser"),
    "AttachGroupPolicy": ("group", "GroupName", "PoliciesPerGroup"),
    "AttachRolePolicy": ("role", "RoleName", "PoliciesPerRole"),
}


def check_attachment(call: Call) -> dict[str, Any] | None:
    """Hold an Attach*Policy call to IAM's rules before moto attaches.

    A policy that does not exist is ``NoSuchEntity`` in the same words for
    users, groups and roles; a service-linked role's policy is
    ``PolicyNotAttachable`` elsewhere; an 11th policy is ``LimitExceeded``.
    Attaching a policy again changes nothing, as in AWS (moto would count the
    attachment twice), so the call is answered here.
    """
    kind, parameter, quota = _ATTACH[call.operation]
    backend = call.account.backend
    entity = _entity(backend, kind, call.params[parameter])
    arn = call.params["PolicyArn"]
    if arn not in backend.managed_policies:
        raise AwsError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)
    if arn.startswith(SERVICE_ROLE_POLICY_PREFIX) and not (
        kind == "role" and entity.path.startswith(SERVICE_LINKED_ROLE_PATH)
    ):
        target = {"user": "User", "group": "Group", "role": "Customer Role"}[kind]
        raise AwsError(
            "PolicyNotAttachable", f"Cannot attach a Service Role Policy to a {target}.", 400
        )
    if arn in entity.managed_policies:
        return {}
    if len(entity.managed_policies) >= ATTACHED_POLICIES:
        raise quota_exceeded(quota, ATTACHED_POLICIES)
    return None


# --- groups per user ---------------------------------------------------------


def add_user_to_group(call: Call) -> None:
    """Refuse an 11th group for a user."""
    backend = call.account.backend
    group = backend.groups.get(call.params["GroupName"])
    user = backend.users.get(call.params["UserName"])
    if group is None or user is None or user in group.users:
        return None  # moto answers NoSuchEntity, or nothing changes
    member_of = sum(1 for other in backend.groups.values() if user in other.users)
    if member_of >= GROUPS_PER_USER:
        raise quota_exceeded("GroupsPerUser", GROUPS_PER_USER)
    return None


# --- inline policies ---------------------------------------------------------

_PUT_POLICY = {
    "PutUserPolicy": ("user", "UserName"),
    "PutGroupPolicy": ("group", "GroupName"),
    "PutRolePolicy": ("role", "RoleName"),
}


def _put_policy(call: Call) -> None:
    """Refuse inline policies whose sizes together pass the entity's quota.

    A policy put under an existing name replaces it, so the old one no longer
    counts. AWS words this quota unlike the others: ``Maximum policy size of
    2048 bytes exceeded for user ann``.
    """
    kind, parameter = _PUT_POLICY[call.operation]
    name = call.params[parameter]
    entity = (
        _role(call.account.backend, name)
        if kind == "role"
        else getattr(call.account.backend, f"{kind}s").get(name)
    )
    document = call.params.get("PolicyDocument")
    if entity is None or not isinstance(document, str):
        return None  # moto answers NoSuchEntity
    replaced = call.params.get("PolicyName")
    total = policy_size(document) + sum(
        policy_size(text)
        for policy_name, text in entity.policies.items()
        if policy_name != replaced and isinstance(text, str)
    )
    quota = INLINE_POLICY_SIZE[kind]
    if total > quota:
        raise limit_exceeded(f"Maximum policy size of {quota} bytes exceeded for {kind} {name}")
    return None


# --- trust policies ----------------------------------------------------------


def _check_trust_size(document: Any) -> None:
    if isinstance(document, str) and policy_size(document) > TRUST_POLICY_SIZE:
        # IAM names this quota by its internal name, ACLSizePerRole.
        raise quota_exceeded("ACLSizePerRole", TRUST_POLICY_SIZE)


def create_role(call: Call) -> None:
    """Refuse a trust policy longer than 2,048 characters."""
    _check_trust_size(call.params.get("AssumeRolePolicyDocument"))
    return None


def update_assume_role_policy(call: Call) -> None:
    """Refuse a trust policy longer than 2,048 characters."""
    if _role(call.account.backend, call.params["RoleName"]) is not None:
        _check_trust_size(call.params.get("PolicyDocument"))
    return None


# --- tags --------------------------------------------------------------------


def _tag(call: Call) -> None:
    """Refuse tags that would leave a user or role with more than 50.

    Tag keys are case-insensitive: a key the entity has already, in any case,
    replaces its value and adds no tag.
    """
    backend = call.account.backend
    if call.operation == "TagUser":
        user = backend.users.get(call.params["UserName"])
        if user is None:
            return None  # moto answers NoSuchEntity
        existing = backend.tagger.list_tags_for_resource(user.arn)["Tags"]
        quota = "TagsPerUser"
    else:
        role = _role(backend, call.params["RoleName"])
        if role is None:
            return None
        existing = role.tags
        quota = "TagsPerRole"
    keys = {tag["Key"].lower() for tag in existing}
    keys.update(str(tag.get("Key", "")).lower() for tag in call.params.get("Tags") or [])
    if len(keys) > TAGS_PER_ENTITY:
        raise quota_exceeded(quota, TAGS_PER_ENTITY)
    return None


# --- MFA devices -------------------------------------------------------------


def check_mfa_devices(user: Any) -> None:
    """Refuse a 9th MFA device in use by one user (virtual devices count)."""
    if len(user.mfa_devices) >= MFA_DEVICES_PER_USER:
        raise quota_exceeded("MFADevicesPerUser", MFA_DEVICES_PER_USER)


HANDLERS: dict[str, Handler] = {
    "AddUserToGroup": add_user_to_group,
    **dict.fromkeys(_PUT_POLICY, _put_policy),
    "CreateRole": create_role,
    "UpdateAssumeRolePolicy": update_assume_role_policy,
    "TagUser": _tag,
    "TagRole": _tag,
}
