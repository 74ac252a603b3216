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

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import Target
from labkit.lab.errors import AwsError
from labkit.lab.services import Asked, DenialStyle, Service, pass_role

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

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


# Amazon EC2 API Reference, "Error codes for the Amazon EC2 API".
_INSTANCE_ID = re.compile(r"i-(?:[0-9a-f]{8}|[0-9a-f]{17})")
MALFORMED_INSTANCE_ID = 'Invalid id: "{}" (expecting "i-...")'
INVALID_TOKEN = "The specified pagination token is not valid or is expired."
# EC2's filter names are words of lowercase letters and digits joined by - . or :
_FILTER_NAME = re.compile(r"[a-z0-9]+(?:[-.:][a-z0-9]+)*")
INVALID_FILTER = "The filter '{}' is invalid"
PAGE_TOO_SMALL = (
    "Value ( {} ) for parameter maxResults is invalid. Expecting a value greater than 5."
)
PAGE_TOO_LARGE = (
    "Value ( {} ) for parameter maxResults is invalid. Expecting a value less than or equal to "
    "1000."
)
# Amazon EC2 API Reference, "Common Error Types": InvalidParameterValue, MissingParameter.
NOT_A_VALUE = "An invalid or out-of-range value was supplied for the input parameter."
MISSING_PARAMETER = "A required parameter for the specified action is not supplied."
# An account's On-Demand instance limit (20 of a type, before vCPU-based limits).
INSTANCE_LIMIT = 20
TOO_MANY_INSTANCES = (
    "You have requested more instances ({}) than your current instance limit of 20 allows for "
    "the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to "
    "request an adjustment to this limit."
)


def _instance_ids(params: Mapping[str, Any]) -> list[Any]:
    found = list(params.get("InstanceIds") or ())
    return found + ([params["InstanceId"]] if params.get("InstanceId") is not None else [])


def _tokens(account: AccountContext, operation: str) -> set[str] | None:
    """The NextToken values moto hands out for an operation, where it reads
    them as positions rather than ignoring what it does not know."""
    if operation == "DescribeInstances":
        backend = account.store.backend("ec2", "ec2_backends")
        return set(backend.reservations)
    return None


def _check_filters(operation: str, params: Mapping[str, Any]) -> None:
    """EC2 refuses a filter it does not have; a filter it has but moto does
    not model is one the Lab does not offer."""
    from moto.ec2.utils import filter_dict_attribute_mapping, is_tag_filter

    for found in params.get("Filters") or ():
        name = found.get("Name") if isinstance(found, Mapping) else None
        if not isinstance(name, str) or name in filter_dict_attribute_mapping:
            continue
        if is_tag_filter(name):
            continue
        if not _FILTER_NAME.fullmatch(name):
            raise AwsError("InvalidParameterValue", INVALID_FILTER.format(name))
        raise AwsError(
            "NotImplemented",
            f"The filter '{name}' of ec2:{operation} is not available in the Lab's simulated "
            "AWS account.",
            501,
        )


def _check_page_size(size: Any) -> None:
    """DescribeInstances, MaxResults: "You can specify a value of 5 to 1000"."""
    if not isinstance(size, int):
        return
    if size < 5:
        raise AwsError("InvalidParameterValue", PAGE_TOO_SMALL.format(size))
    if size > 1000:
        raise AwsError("InvalidParameterValue", PAGE_TOO_LARGE.format(size))


def _check_launch(operation: str, params: Mapping[str, Any]) -> None:
    """How many instances a launch asks for, and the profile given to one."""
    if operation == "RunInstances":
        count = params.get("MinCount")
        if isinstance(count, int) and count < 1:
            raise AwsError("InvalidParameterValue", NOT_A_VALUE)
        if isinstance(count, int) and count > INSTANCE_LIMIT:
            # moto would build every one of them, for as long as that takes.
            raise AwsError("InstanceLimitExceeded", TOO_MANY_INSTANCES.format(count))
    profile = params.get("IamInstanceProfile")
    if operation in _PASSES_ROLE and isinstance(profile, Mapping) and not profile:
        raise AwsError("MissingParameter", MISSING_PARAMETER)


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """EC2 refuses an instance id that cannot be one, a filter it does not
    have, a launch past the account's limit, and a pagination token it
    never handed out."""
    if operation == "DescribeInstances":
        _check_filters(operation, params)
        _check_page_size(params.get("MaxResults"))
    _check_launch(operation, params)
    for instance in _instance_ids(params):
        if not isinstance(instance, str) or not _INSTANCE_ID.fullmatch(instance):
            raise AwsError("InvalidInstanceID.Malformed", MALFORMED_INSTANCE_ID.format(instance))
    token = params.get("NextToken")
    if token is None:
        return
    if operation == "DescribeIamInstanceProfileAssociations":
        if not (str(token).isascii() and str(token).isdigit()):
            raise AwsError("InvalidPaginationToken", INVALID_TOKEN)
        return
    known = _tokens(account, operation)
    if known is not None and token not in known:
        raise AwsError("InvalidPaginationToken", INVALID_TOKEN)


def complete(operation: str, params: dict[str, Any], region: str) -> None:
    """An instance named twice is described once, as EC2 does; moto fails on it."""
    ids = params.get("InstanceIds")
    if operation == "DescribeInstances" and isinstance(ids, list | tuple):
        params["InstanceIds"] = list(dict.fromkeys(ids))


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
    validate=validate,
    complete=complete,
    moto_responses=("moto.ec2.responses", "EC2Response"),
    # moto opens a reservation before it checks a launch's subnet.
    registries=(("moto.ec2.models", "ec2_backends", "reservations"),),
)
