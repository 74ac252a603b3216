"""AWS Lambda, as the Lab answers it.

Functions are ``arn:aws:lambda:REGION:ACCT:function:NAME``; ``Invoke`` is
authorized as ``lambda:InvokeFunction``. A function's permissions
(``AddPermission``) are its resource-based policy. Creating a function, or
changing its execution role, passes a role to Lambda: the caller needs
``iam:PassRole`` on it, with ``iam:PassedToService`` ``lambda.amazonaws.com``,
and the role must trust Lambda ("Lambda execution role", AWS Lambda
Developer Guide). Functions run without a container: moto answers an
invocation with a fixed payload.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import Target, request_tags
from labkit.lab.errors import AwsError
from labkit.lab.services import Asked, Service, pass_role, well_formed_arn

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext
    from labkit.lab.store import Store

SERVICE_PRINCIPAL = "lambda.amazonaws.com"
ROLE_NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda."
# Invoke, "Errors": InvalidRequestContentException, "The request body could not be
# parsed as JSON", with the JSON reader's reason.
PAYLOAD_NOT_JSON = (
    "Could not parse request body into json: Could not parse payload into json: "
    "Invalid UTF-8 start byte 0x{:02x}"
)

# Operations authorized under another action's name.
_ACTION_NAMES = {"Invoke": "InvokeFunction", "InvokeWithResponseStream": "InvokeFunction"}
# Operations that hand a role to Lambda.
_PASSES_ROLE = frozenset({"CreateFunction", "UpdateFunctionConfiguration"})


def function_arn(name_or_arn: str, region: str, account: str) -> str:
    """The ARN of a function given by name, partial ARN or ARN (qualifier dropped)."""
    if well_formed_arn(name_or_arn):
        fields = name_or_arn.split(":")
        return ":".join(fields[:7])
    fields = name_or_arn.split(":")
    if len(fields) >= 3 and fields[1] == "function":  # ACCOUNT:function:NAME
        return f"arn:aws:lambda:{region}:{fields[0]}:function:{fields[2]}"
    return f"arn:aws:lambda:{region}:{account}:function:{fields[0]}"


def targets(asked: Asked) -> list[Target]:
    """The action on the function, and iam:PassRole where a role is handed over."""
    operation, params = asked.operation, asked.params
    action = f"lambda:{_ACTION_NAMES.get(operation, operation)}"
    context = request_tags(
        {"Tags": [{"Key": k, "Value": v} for k, v in (params.get("Tags") or {}).items()]}
    )
    if params.get("FunctionName"):
        resource = function_arn(str(params["FunctionName"]), asked.region, asked.account)
    elif well_formed_arn(params.get("Resource")):
        resource = str(params["Resource"])
    else:
        return [Target(action, "*", context)]
    found = [Target(action, resource, context)]
    if operation in _PASSES_ROLE and params.get("Role"):
        found.append(pass_role(str(params["Role"]), SERVICE_PRINCIPAL, resource))
    return found


def function_policy(store: Store, resource: str, action: str) -> tuple[Any, str] | None:
    """A function's resource-based policy, from its permissions."""
    if not action.lower().startswith("lambda:") or ":function:" not in resource:
        return None
    region = resource.split(":")[3]
    name = resource.split(":function:", 1)[1].split(":", 1)[0]
    try:
        function = store.lambda_functions(region).get_function(name)
        policy = function.policy.get_policy()["Policy"]
    except Exception:  # noqa: BLE001 - no such function, or no permissions yet
        return None
    if isinstance(policy, dict):
        statements = policy.get("Statement")
        if isinstance(statements, list):
            policy = {**policy, "Statement": [_as_lambda_writes(s) for s in statements]}
    return policy, name


def _as_lambda_writes(statement: Any) -> Any:
    """A permission as Lambda writes it in the function's policy: the
    ``Principal`` AddPermission was given (an account, an ARN, a service)
    in a policy's principal block (moto keeps the bare string)."""
    if not isinstance(statement, dict) or not isinstance(statement.get("Principal"), str):
        return statement
    given = statement["Principal"]
    if given == "*":
        return statement
    if given.isdigit():
        block = {"AWS": f"arn:aws:iam::{given}:root"}
    elif given.startswith("arn:"):
        block = {"AWS": given}
    else:
        block = {"Service": given}
    return {**statement, "Principal": block}


def _check_payload(payload: Any) -> None:
    """Lambda reads an event as JSON text: bytes that are not UTF-8 are refused
    (and moto fails on them)."""
    if isinstance(payload, bytes | bytearray):
        try:
            bytes(payload).decode("utf-8")
        except UnicodeDecodeError as error:
            bad = bytes(payload)[error.start]
            raise AwsError(
                "InvalidRequestContentException", PAYLOAD_NOT_JSON.format(bad), 400
            ) from None


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """Lambda refuses an event that is not JSON text, and an execution role it
    cannot assume."""
    if operation == "Invoke":
        _check_payload(params.get("Payload"))
    role = params.get("Role")
    if operation not in _PASSES_ROLE or not role:
        return
    decision = account.authorizer.decide_service(
        SERVICE_PRINCIPAL, Target("sts:AssumeRole", str(role))
    )
    if not decision.allowed:
        raise AwsError("InvalidParameterValueException", ROLE_NOT_ASSUMABLE, 400)


_PARTIAL_ARN = re.compile(r"(\d{12}):function:(.+)")


def complete(operation: str, params: dict[str, Any], region: str) -> None:
    """A function named by partial ARN (``ACCOUNT:function:NAME``), said as its
    full ARN: Lambda takes both, moto only the full one."""
    name = params.get("FunctionName")
    found = _PARTIAL_ARN.fullmatch(name) if isinstance(name, str) else None
    if found is not None:
        params["FunctionName"] = f"arn:aws:lambda:{region}:{found[1]}:function:{found[2]}"


SERVICE = Service(
    name="lambda",
    title="Lambda",
    targets=targets,
    resource_policy=function_policy,
    validate=validate,
    complete=complete,
    moto_responses=("moto.awslambda.responses", "LambdaResponse"),
)
