"""Amazon EC2, as far as the Lab models it: instances and their roles.

An instance gets a role through an instance profile. Launching an instance
with a profile, or giving a running instance one, passes the profile's role
to EC2: the caller needs ``iam:PassRole`` on it, with
``iam:PassedToService`` ``ec2.amazonaws.com`` ("Using an IAM role to grant
permissions to applications running on Amazon EC2 instances", IAM User
Guide). EC2 answers a refusal with ``UnauthorizedOperation`` and an encoded
message that ``sts:DecodeAuthorizationMessage`` turns back into the
decision's details.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from labkit.lab.actions import Target
from labkit.lab.services import Asked, DenialStyle, Service, pass_role

SERVICE_PRINCIPAL = "ec2.amazonaws.com"
_PASSES_ROLE = frozenset(
    {"RunInstances", "AssociateIamInstanceProfile", "ReplaceIamInstanceProfileAssociation"}
)


def _profile_roles(asked: Asked, profile: Any) -> list[str]:
    """The role ARNs of the instance profile a call names, by ARN or name."""
    if not isinstance(profile, Mapping):
        return []
    name = profile.get("Name") or str(profile.get("Arn", "")).rsplit("/", 1)[-1]
    return asked.lookups.instance_profile_roles(str(name))


def targets(asked: Asked) -> list[Target]:
    """The action on the instances, and iam:PassRole for an instance profile's role."""
    operation, params = asked.operation, asked.params
    action = f"ec2:{operation}"
    base = f"arn:aws:ec2:{asked.region}:{asked.account}:instance/"
    context = {"ec2:Region": asked.region}
    if params.get("InstanceType"):
        context["ec2:InstanceType"] = str(params["InstanceType"])
    ids = params.get("InstanceIds") or ([params["InstanceId"]] if params.get("InstanceId") else [])
    if operation == "RunInstances" or (operation in _PASSES_ROLE and not ids):
        found = [Target(action, base + "*", context)]
    elif ids:
        found = [Target(action, base + str(i), context) for i in ids]
    else:
        return [Target(action, "*", context)]
    if operation in _PASSES_ROLE:
        for role in _profile_roles(asked, params.get("IamInstanceProfile")):
            found.append(pass_role(role, SERVICE_PRINCIPAL, found[0].resource))
    return found


SERVICE = Service(
    name="ec2",
    title="EC2",
    targets=targets,
    denial=DenialStyle(
        code="UnauthorizedOperation",
        status=403,
        prefix="You are not authorized to perform this operation. ",
        encoded=True,
    ),
    moto_responses=("moto.ec2.responses", "EC2Response"),
)
