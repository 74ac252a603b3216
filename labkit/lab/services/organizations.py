"""AWS Organizations: the organization the Lab's account manages.

moto keeps the organization; these rules add what AWS checks and moto does
not: service control and resource control policies are read by the policy
engine with Organizations' own rules before they are kept, a policy type
must be enabled before its policies are attached, the last SCP of a target
cannot be detached, and only the management account manages. A new member
account gets ``OrganizationAccountAccessRole`` with ``AdministratorAccess``,
trusting the management account, as AWS creates it.

https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreatePolicy.html
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import Target
from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call
from labkit.lab.mfa import moto_errors
from labkit.lab.organization import RCP, SCP, Organization, is_member_account
from labkit.lab.services import Asked, Service
from labkit.policy.model import PolicyError
from labkit.policy.parse import parse_policy

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

ACCESS_ROLE = "OrganizationAccountAccessRole"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"

# Organizations API Reference, "Common Errors" and each operation's "Errors".
MALFORMED = (
    "The provided policy document does not meet the requirements of the specified policy type."
)
NOT_ENABLED = "This operation can be performed only for enabled policy types."
LAST_SCP = (
    "You attempted to detach a policy from an entity that would cause the entity to have "
    "fewer than the minimum number of policies of a certain type required."
)
RCP_FULL_ACCESS_FIXED = "You cannot detach the RCPFullAWSAccess policy."
NOT_MANAGEMENT = "You don't have permissions to access this resource."
NOT_IN_USE = (
    "Your account is not a member of an organization. To make this request, you must use "
    "the credentials of an account that belongs to an organization."
)
# What a member account may ask of the organization it is in.
_MEMBER_MAY = frozenset({"DescribeOrganization", "LeaveOrganization"})
# ConstraintViolationException's reasons, Organizations API Reference.
MANAGEMENT_CANNOT_LEAVE = (
    "You attempted to remove the management account from the organization. You can't remove "
    "the management account. Instead, after you remove all member accounts, delete the "
    "organization itself."
)
CREATED_ACCOUNT_CANNOT_LEAVE = (
    "You attempted to remove an account from the organization that doesn't yet have enough "
    "information to exist as a standalone account. This account requires you to first "
    "complete phone verification."
)
_KINDS = {SCP: "scp", RCP: "rcp"}
_CHANGES = frozenset(
    {
        "CreatePolicy",
        "UpdatePolicy",
        "DeletePolicy",
        "AttachPolicy",
        "DetachPolicy",
        "EnablePolicyType",
        "DisablePolicyType",
        "MoveAccount",
        "CreateOrganizationalUnit",
        "DeleteOrganizationalUnit",
        "CreateAccount",
        "RemoveAccountFromOrganization",
    }
)


def targets(asked: Asked) -> list[Target]:
    """Organizations calls are authorized on the organization as a whole."""
    return [Target(f"organizations:{asked.operation}", "*")]


def _organization(account: AccountContext) -> Organization:
    """The organization ``account`` manages (none exists for a member)."""
    return Organization(account.account_id)


def _check_content(kind_name: Any, content: Any) -> None:
    kind = _KINDS.get(str(kind_name))
    if kind is None or not isinstance(content, str):
        return
    try:
        parse_policy(content, kind)  # type: ignore[arg-type]
    except PolicyError as error:
        if "PolicySize" in str(error):
            raise AwsError("ConstraintViolationException", str(error), 400) from None
        raise AwsError("MalformedPolicyDocumentException", MALFORMED, 400) from None


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """What Organizations checks before it acts, and moto does not."""
    organization = _organization(account)
    if is_member_account(account.account_id) and operation not in _MEMBER_MAY:
        raise AwsError("AccessDeniedException", NOT_MANAGEMENT, 400)
    if operation == "CreatePolicy":
        _check_content(params.get("Type"), params.get("Content"))
    elif operation == "UpdatePolicy" and params.get("Content") is not None:
        policy = organization.policy(params.get("PolicyId"))
        if policy is not None:
            _check_content(policy.type, params["Content"])
    elif operation == "AttachPolicy":
        policy = organization.policy(params.get("PolicyId"))
        if policy is not None and policy.type in _KINDS and not organization.enabled(policy.type):
            raise AwsError("PolicyTypeNotEnabledException", NOT_ENABLED, 400)
    elif operation == "DetachPolicy":
        policy = organization.policy(params.get("PolicyId"))
        if policy is None:
            return
        if policy.type == RCP and policy.name == "RCPFullAWSAccess" and policy.aws_managed:
            raise AwsError("ConstraintViolationException", RCP_FULL_ACCESS_FIXED, 400)
        held = organization.attached(params.get("TargetId"))
        if policy.type == SCP and policy in held and sum(p.type == SCP for p in held) == 1:
            raise AwsError("ConstraintViolationException", LAST_SCP, 400)


def leave_organization(call: Call) -> dict[str, Any]:
    """LeaveOrganization, once authorized: the management account cannot
    leave; an account the organization created has none of the details a
    standalone account needs (AWS asks for them first, outside the API)."""
    if is_member_account(call.account.account_id):
        raise AwsError("ConstraintViolationException", CREATED_ACCOUNT_CANNOT_LEAVE, 400)
    if not _organization(call.account).exists:
        raise AwsError("AWSOrganizationsNotInUseException", NOT_IN_USE, 400)
    raise AwsError("ConstraintViolationException", MANAGEMENT_CANNOT_LEAVE, 400)


def _as_datetimes(status: dict[str, Any]) -> dict[str, Any]:
    """moto's epoch seconds as the datetimes botocore gives for AWS's answer."""
    from datetime import UTC, datetime

    found = dict(status)
    for name in ("RequestedTimestamp", "CompletedTimestamp"):
        if isinstance(found.get(name), int | float):
            found[name] = datetime.fromtimestamp(found[name], UTC)
    return found


def create_account(call: Call) -> dict[str, Any]:
    """A member account, with the role the management account reaches it by."""
    from moto.iam.models import iam_backends

    from labkit.lab import managed

    with moto_errors():
        status = _organization(call.account).backend.create_account(**call.params)
    member = status["CreateAccountStatus"]["AccountId"]
    iam = iam_backends[member]["global"]
    role = str(call.params.get("RoleName") or ACCESS_ROLE)
    managed.ensure_managed_policy(iam, ADMINISTRATOR_ACCESS)
    with moto_errors():
        iam.attach_role_policy(ADMINISTRATOR_ACCESS, role)
    return {"CreateAccountStatus": _as_datetimes(status["CreateAccountStatus"])}


SERVICE = Service(
    name="organizations",
    title="AWS Organizations",
    targets=targets,
    handlers={"CreateAccount": create_account, "LeaveOrganization": leave_organization},
    validate=validate,
    changes_policies=lambda operation: operation in _CHANGES,
    moto_responses=("moto.organizations.responses", "OrganizationsResponse"),
    regional=False,
)
