"""The input checks AWS makes before it looks at a request, and AWS's wording.

botocore checks only minimum lengths and minimum values before sending; AWS
checks the rest of each parameter's constraints from the service model (its
maximum length or value, its regular expression, its enum) and answers
``ValidationError``, listing every failure:

    1 validation error detected: Value 'not a valid name!' at
    'virtualMFADeviceName' failed to satisfy constraint: Member must satisfy
    regular expression pattern: [\\w+=,.@-]+

DynamoDB and Lambda check the same way and answer ``ValidationException``.
On the query and EC2 protocols a Python ``bool`` passes botocore's check
for an integer and is sent as ``True``, which AWS cannot read as a number.

moto checks none of these, and words some of its errors differently from AWS;
:func:`aws_message` rewrites those to AWS's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from labkit.lab.errors import AwsError

# Services whose input the Lab checks against the service model, as AWS does.
VALIDATED_SERVICES = frozenset({"iam", "sts", "dynamodb", "lambda"})

# IAM API Reference and STS API Reference, "Common Errors": InvalidParameterValue (400).
NOT_A_VALUE = "An invalid or out-of-range value was supplied for the input parameter."


@cache
def _pattern(text: str) -> re.Pattern[str] | None:
    # AWS's patterns are Java regular expressions matched against the whole
    # value; ``\w`` there is ASCII only.
    try:
        return re.compile(text, re.ASCII)
    except re.error:  # a construct Python cannot read: leave it to AWS
        return None


def _field(member: str) -> str:
    """AWS names a parameter in lowerCamelCase: ``virtualMFADeviceName``."""
    return member[:1].lower() + member[1:]


def _failures(member: str, shape: Any, value: Any) -> list[str]:
    """What AWS says about one parameter value; empty when it is valid."""
    meta = shape.metadata
    shown = "" if meta.get("sensitive") else f" '{value}'"
    where = f"Value{shown} at '{_field(member)}' failed to satisfy constraint: "
    found: list[str] = []
    if shape.type_name == "string" and isinstance(value, str):
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"{where}Member must have length less than or equal to {meta['max']}")
        if "min" in meta and len(value) < meta["min"]:
            found.append(f"{where}Member must have length greater than or equal to {meta['min']}")
        enum = shape.enum if hasattr(shape, "enum") else None
        if enum and value not in enum:
            found.append(f"{where}Member must satisfy enum value set: [{', '.join(enum)}]")
        pattern = _pattern(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and value and not pattern.fullmatch(value):
            found.append(
                f"{where}Member must satisfy regular expression pattern: {meta['pattern']}"
            )
    elif shape.type_name in ("integer", "long") and isinstance(value, int):
        if "max" in meta and value > meta["max"]:
            found.append(f"{where}Member must have value less than or equal to {meta['max']}")
        if "min" in meta and value < meta["min"]:
            found.append(f"{where}Member must have value greater than or equal to {meta['min']}")
    return found


def validation_error(failures: list[str], code: str = "ValidationError") -> AwsError:
    """AWS's ``ValidationError`` (``ValidationException`` on JSON protocols)
    listing ``failures``."""
    count = len(failures)
    noun = "error" if count == 1 else "errors"
    return AwsError(code, f"{count} validation {noun} detected: " + "; ".join(failures), 400)


def check_input(model: Any, params: Mapping[str, Any]) -> None:
    """Raise AWS's ``ValidationError`` for parameters outside the model's constraints."""
    shape = model.input_shape
    if shape is None:
        return
    query = model.service_model.protocol == "query"
    failures: list[str] = []
    for member, member_shape in shape.members.items():
        value = params.get(member)
        if value is None:
            continue
        failures += _failures(member, member_shape, value)
    if failures:
        raise validation_error(failures, "ValidationError" if query else "ValidationException")


def _bool_for_number(shape: Any, value: Any, depth: int = 0) -> bool:
    """Whether a ``bool`` stands where the model wants a number, at any depth."""
    if shape is None or value is None or depth > 20:
        return False
    kind = shape.type_name
    if kind in ("integer", "long", "float", "double"):
        return isinstance(value, bool)
    if kind == "structure" and isinstance(value, Mapping):
        return any(
            _bool_for_number(shape.members.get(name), item, depth + 1)
            for name, item in value.items()
        )
    if kind == "list" and isinstance(value, list | tuple):
        return any(_bool_for_number(shape.member, item, depth + 1) for item in value)
    if kind == "map" and isinstance(value, Mapping):
        return any(_bool_for_number(shape.value, item, depth + 1) for item in value.values())
    return False


def check_wire_numbers(model: Any, params: Mapping[str, Any]) -> None:
    """Raise AWS's ``InvalidParameterValue`` for a ``bool`` sent as a number.

    The query and EC2 protocols send ``True`` as the text ``True``, which AWS
    cannot read as a number (and moto fails on)."""
    if _bool_for_number(model.input_shape, params):
        raise AwsError("InvalidParameterValue", NOT_A_VALUE, 400)


# --- policy documents, in IAM's words only -------------------------------------


def iam_words(error: Any) -> str:
    """IAM's message for a refused policy document, without the details the
    engine adds for the editor: for a JSON syntax error, only ``Syntax
    errors in policy.``"""
    from labkit.policy.jsonloc import SYNTAX

    message = str(getattr(error, "message", error))
    return SYNTAX if message.startswith(SYNTAX) else message


# --- names IAM keeps unique regardless of case -------------------------------

# "User names are not distinguished by case": CreateUser, CreateGroup,
# CreateRole and CreatePolicy refuse a name that differs only in case.
_UNIQUE_NAMES = {
    "CreateUser": ("UserName", "users", "User with name {} already exists."),
    "CreateGroup": ("GroupName", "groups", "Group with name {} already exists."),
    "CreateRole": ("RoleName", "roles", "Role with name {} already exists."),
    "CreatePolicy": (
        "PolicyName",
        "policies",
        "A policy called {} already exists. Duplicate names are not allowed.",
    ),
}


def check_unique_name(lab: Any, operation: str, params: Mapping[str, Any]) -> None:
    """Refuse to create an IAM entity whose name is taken, whatever its case."""
    rule = _UNIQUE_NAMES.get(operation)
    if rule is None or not isinstance(params.get(rule[0]), str):
        return
    name: str = params[rule[0]]
    backend = lab.backend
    if rule[1] == "users":
        names = [user.name for user in backend.users.values()]
    elif rule[1] == "groups":
        names = [group.name for group in backend.groups.values()]
    elif rule[1] == "roles":
        names = [role.name for role in backend.roles.values()]
    else:
        prefix = f"arn:aws:iam::{lab.account_id}:policy/"
        names = [p.name for arn, p in backend.managed_policies.items() if arn.startswith(prefix)]
    if any(existing.lower() == name.lower() for existing in names):
        raise AwsError("EntityAlreadyExists", rule[2].format(name), 409)


# --- moto's wording, in AWS's words --------------------------------------------

_USER_POLICY = "The user policy with name {} cannot be found."
# (operation, or "*" for any; code; moto's message; AWS's message)
_REWRITES: tuple[tuple[str, str, re.Pattern[str], str], ...] = tuple(
    (operation, code, re.compile(moto), aws)
    for operation, code, moto, aws in (
        ("*", "EntityAlreadyExists", r"User (.+) already exists",
         "User with name {} already exists."),
        ("*", "EntityAlreadyExists", r"Group (.+) already exists",
         "Group with name {} already exists."),
        ("*", "NoSuchEntity", r"Group (.+) not found", "The group with name {} cannot be found."),
        ("*", "NoSuchEntity", r"Role (.+) not found", "The role with name {} cannot be found."),
        ("GetPolicy", "NoSuchEntity", r"Policy (arn:.+) not found", "Policy {} was not found."),
        ("GetUserPolicy", "NoSuchEntity", r"Policy (.+) not found", _USER_POLICY),
        ("DeleteUserPolicy", "NoSuchEntity", r"Policy (.+) not found", _USER_POLICY),
        ("GetGroupPolicy", "NoSuchEntity", r"Policy (.+) not found",
         "The group policy with name {} cannot be found."),
        ("GetRolePolicy", "NoSuchEntity", r"Policy (.+) not found",
         "The role policy with name {} cannot be found."),
    )
)  # fmt: skip


def aws_message(operation: str, code: str, message: str) -> str:
    """AWS's wording of an error moto answered with its own words."""
    for rule_operation, rule_code, pattern, template in _REWRITES:
        if code == rule_code and rule_operation in ("*", operation):
            found = pattern.fullmatch(message)
            if found is not None:
                return template.format(found.group(1))
    return message
