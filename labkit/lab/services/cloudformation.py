"""AWS CloudFormation, as far as the Lab models it: stacks and their service roles.

A stack is ``arn:aws:cloudformation:REGION:ACCT:stack/NAME/*``. A stack made
or changed with ``RoleARN`` runs with that role: the caller needs
``iam:PassRole`` on it, with ``iam:PassedToService``
``cloudformation.amazonaws.com``, and the role must trust CloudFormation
("AWS CloudFormation service role", AWS CloudFormation User Guide).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import ContextValue, Target, request_tags
from labkit.lab.errors import AwsError
from labkit.lab.services import Asked, Service, pass_role

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

SERVICE_PRINCIPAL = "cloudformation.amazonaws.com"
_PASSES_ROLE = frozenset({"CreateStack", "UpdateStack", "DeleteStack"})


def targets(asked: Asked) -> list[Target]:
    """The action on the stack, and iam:PassRole for its service role."""
    operation, params = asked.operation, asked.params
    action = f"cloudformation:{operation}"
    context: dict[str, ContextValue] = dict(request_tags(params))
    if params.get("RoleARN"):
        context["cloudformation:RoleArn"] = str(params["RoleARN"])
    name = params.get("StackName")
    if not name:
        return [Target(action, "*", context)]
    resource = (
        str(name)
        if str(name).startswith("arn:")
        else f"arn:aws:cloudformation:{asked.region}:{asked.account}:stack/{name}/*"
    )
    found = [Target(action, resource, context)]
    if operation in _PASSES_ROLE and params.get("RoleARN"):
        found.append(pass_role(str(params["RoleARN"]), SERVICE_PRINCIPAL, resource))
    return found


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """CloudFormation refuses a service role it cannot assume."""
    role = params.get("RoleARN")
    if operation not in _PASSES_ROLE or not role:
        return
    decision = account.authorizer.decide_service(
        SERVICE_PRINCIPAL, Target("sts:AssumeRole", str(role))
    )
    if not decision.allowed:
        raise AwsError("ValidationError", f"Role {role} is invalid or cannot be assumed", 400)


SERVICE = Service(
    name="cloudformation",
    title="CloudFormation",
    targets=targets,
    validate=validate,
    moto_responses=("moto.cloudformation.responses", "CloudFormationResponse"),
)
