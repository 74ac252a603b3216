"""What a call asks for: the IAM action(s) and resource ARN(s) AWS authorizes.

An API operation maps to an action named ``prefix:Action``, where the prefix
is the service's signing name and the action is usually the operation's own
name. How each service builds its actions, resources and condition keys from
a call's parameters is that service's knowledge, in its module under
:mod:`labkit.lab.services`; :func:`targets` asks the right one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Looks up the path of an existing IAM entity: (kind, name) -> "/path/" or None.
PathLookup = Callable[[str, str], "str | None"]
# Looks up a DynamoDB table's key names: (region, table) -> (partition, sort).
KeySchemaLookup = Callable[[str, str], "tuple[str | None, str | None]"]
# A condition key's value in a request: one string, or several.
ContextValue = str | tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """One authorization a call needs: an action on a resource.

    ``context`` holds the request-specific condition keys AWS adds for it
    (``s3:prefix``, ``iam:PolicyARN``...).
    """

    action: str
    resource: str = "*"
    context: Mapping[str, ContextValue] = field(default_factory=dict)


def action_name(prefix: str, operation: str, params: Mapping[str, Any] | None = None) -> str:
    """The IAM action an operation is authorized as, e.g. ``s3:ListBucket``."""
    if prefix == "s3":
        from labkit.lab.services.s3 import action_name as s3_action

        return s3_action(operation, params)
    return f"{prefix}:{operation}"


@dataclass(frozen=True)
class _Lookups:
    path: PathLookup
    keys: KeySchemaLookup

    def path_of(self, kind: str, name: str) -> str | None:
        return self.path(kind, name)

    def key_schema(self, region: str, table: str) -> tuple[str | None, str | None]:
        return self.keys(region, table)

    def instance_profile_roles(self, name: str) -> list[str]:
        return []


def targets(
    prefix: str,
    operation: str,
    params: Mapping[str, Any],
    *,
    account: str,
    region: str,
    caller_user: str | None = None,
    lookup: PathLookup | None = None,
    key_schema: KeySchemaLookup | None = None,
) -> list[Target]:
    """The authorizations a call needs, in the order AWS checks them.

    ``prefix`` is the service's signing name (``iam``, ``s3``...),
    ``caller_user`` the calling IAM user's name (for IAM calls that default to
    the caller), ``lookup`` finds the paths of existing IAM entities and
    ``key_schema`` the key names of DynamoDB tables (for
    ``dynamodb:LeadingKeys``). A service the Lab does not model is
    authorized on ``*``.
    """
    from labkit.lab.services import Asked, service

    rules = service(prefix)
    if rules is None:
        return [Target(action_name(prefix, operation, params))]
    lookups = _Lookups(lookup or _no_path, key_schema or _no_keys)
    asked = Asked(prefix, operation, params, account, region, lookups, caller_user)
    return rules.targets(asked)


def _no_keys(region: str, table: str) -> tuple[str | None, str | None]:
    return None, None


def _no_path(kind: str, name: str) -> str | None:
    return None


def request_tags(params: Mapping[str, Any]) -> dict[str, ContextValue]:
    """``aws:RequestTag/KEY`` and ``aws:TagKeys`` of a call that tags (or untags)."""
    context: dict[str, ContextValue] = {}
    tags = params.get("Tags")
    if isinstance(tags, list) and tags:
        for tag in tags:
            context[f"aws:RequestTag/{tag.get('Key')}"] = str(tag.get("Value", ""))
        context["aws:TagKeys"] = tuple(str(tag.get("Key")) for tag in tags)
    elif isinstance(params.get("TagKeys"), list) and params["TagKeys"]:
        context["aws:TagKeys"] = tuple(str(key) for key in params["TagKeys"])
    return context
