"""IAM's policy simulator, answered from the Lab's own policies.

moto does not implement the simulator. Here ``SimulatePrincipalPolicy``
gathers a user's, group's or role's policies as AWS does (a user's inline and
attached policies plus those of its groups, and its permissions boundary) and
asks :mod:`labkit.policy.simulate`, which answers in AWS's response shape.
``MatchedStatements`` name each policy as AWS does: ``SourcePolicyId`` is the
policy's name and ``SourcePolicyType`` one of ``user``, ``group``, ``role``
(inline policies), ``aws-managed``, ``user-managed`` (customer managed),
``resource`` or, for policies passed in ``PolicyInputList``, ``IAM Policy``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, Handler
from labkit.policy.model import Policy, PolicyError
from labkit.policy_source import Holdings, UnreadablePolicy

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext

INPUT_POLICY_TYPE = "IAM Policy"


def _parse(document: Any, kind: str, name: str, source: str) -> Policy:
    try:
        text = document if isinstance(document, str) else json.dumps(document)
        return Policy.parse(text, kind).named(name, source)  # type: ignore[arg-type]
    except PolicyError as error:
        raise AwsError("InvalidInput", error.message) from None


def _no_such(kind: str, name: str) -> AwsError:
    return AwsError("NoSuchEntity", f"The {kind} with name {name} cannot be found.", 404)


def find_entity(account: AccountContext, arn: str) -> Holdings:
    """The user, group or role ``arn`` names, with every policy it holds.

    Raises AWS's ``InvalidInput`` for an ARN that names no IAM user, group or
    role (an assumed-role session, say) and ``NoSuchEntity`` when it does not
    exist.
    """
    fields = arn.split(":", 5)
    if len(fields) != 6 or fields[0] != "arn" or fields[2] != "iam":
        raise AwsError("InvalidInput", f"Invalid Entity Arn: {arn}")
    resource = fields[5]
    kind = resource.split("/", 1)[0]
    if kind not in ("user", "group", "role") or "/" not in resource:
        raise AwsError("InvalidInput", f"Invalid Entity Arn: {arn}")
    try:
        found = account.policies.holdings(arn)
    except UnreadablePolicy as error:
        raise AwsError("InvalidInput", str(error)) from None
    if found is None or found.arn != arn:
        raise _no_such(kind, resource.rsplit("/", 1)[-1])
    return found


def _input_policies(params: dict[str, Any], key: str, kind: str) -> list[Policy]:
    return [
        _parse(document, kind, f"{key}.{index}", INPUT_POLICY_TYPE)
        for index, document in enumerate(params.get(key) or (), start=1)
    ]


def simulate_principal_policy(account: AccountContext, params: dict[str, Any]) -> dict[str, Any]:
    """``iam.simulate_principal_policy``'s answer, for boto3's keyword arguments."""
    from labkit.policy.simulate import context_from_entries, paginate, simulate

    entity = find_entity(account, params["PolicySourceArn"])
    policies = [*entity.policies, *_input_policies(params, "PolicyInputList", "identity")]
    # A boundary passed in replaces the entity's own for the simulation.
    boundaries = _input_policies(params, "PermissionsBoundaryPolicyInputList", "boundary")
    if not boundaries:
        boundaries = list(entity.boundaries)
    caller_arn = params.get("CallerArn") or (entity.arn if entity.kind == "user" else None)
    context: dict[str, Any] = {}
    if caller_arn and ":user/" in caller_arn:
        # The simulated user is who ${aws:username} stands for.
        context["aws:username"] = caller_arn.rsplit("/", 1)[-1]
    given = context_from_entries(params.get("ContextEntries") or ())
    context = {k: v for k, v in context.items() if k.lower() not in {g.lower() for g in given}}
    context.update(given)
    resource_policy = None
    if params.get("ResourcePolicy"):
        # A role's trust policy decides AssumeRole: read it as one, as
        # SimulateCustomPolicy does.
        actions = params.get("ActionNames") or ()
        trust = bool(actions) and all(a.lower().startswith("sts:assumerole") for a in actions)
        kind = "trust" if trust else "resource"
        resource_policy = _parse(params["ResourcePolicy"], kind, "ResourcePolicy", "resource")
    # In a member account the organization's SCPs take part, as in AWS's simulator.
    organization = account.accounts.organization if account.accounts is not None else None
    scps = organization.scps_for(account.account_id, entity.arn, None) if organization else ()
    if scps and caller_arn is None:
        caller_arn = entity.arn  # SCPs bind the role itself, whoever would assume it
    response = simulate(
        policies,
        list(params.get("ActionNames") or ()),
        params.get("ResourceArns"),
        scps=scps,
        boundaries=boundaries,
        resource_policy=resource_policy,
        resource_owner=params.get("ResourceOwner") or account.account_id,
        caller_arn=caller_arn,
        context=context,
    )
    return paginate(response, params.get("MaxItems"), params.get("Marker"))


def simulate_custom(params: dict[str, Any]) -> dict[str, Any]:
    """``iam.simulate_custom_policy``'s answer, for boto3's keyword arguments."""
    from labkit.policy.simulate import simulate_custom_policy

    try:
        return simulate_custom_policy(**params)  # pages itself, as AWS does
    except PolicyError as error:
        # SimulateCustomPolicy answers bad input, a malformed policy included,
        # with InvalidInput: MalformedPolicyDocument is not among its errors.
        raise AwsError("InvalidInput", error.message) from None


def context_keys_for_principal(account: AccountContext, params: dict[str, Any]) -> list[str]:
    """The context keys an entity's policies (and any given) refer to."""
    from labkit.policy.simulate import context_keys

    entity = find_entity(account, params["PolicySourceArn"])
    given = _input_policies(params, "PolicyInputList", "identity")
    return context_keys([*entity.policies, *entity.boundaries, *given])


def context_keys_for_custom(params: dict[str, Any]) -> list[str]:
    """The context keys the given policies refer to."""
    from labkit.policy.simulate import context_keys

    return context_keys(_input_policies(params, "PolicyInputList", "identity"))


def _simulate_principal_policy(call: Call) -> dict[str, Any]:
    return simulate_principal_policy(call.account, call.params)


def _simulate_custom_policy(call: Call) -> dict[str, Any]:
    return simulate_custom(call.params)


def _get_context_keys_for_principal_policy(call: Call) -> dict[str, Any]:
    return {"ContextKeyNames": context_keys_for_principal(call.account, call.params)}


def _get_context_keys_for_custom_policy(call: Call) -> dict[str, Any]:
    return {"ContextKeyNames": context_keys_for_custom(call.params)}


HANDLERS: dict[str, Handler] = {
    "SimulatePrincipalPolicy": _simulate_principal_policy,
    "SimulateCustomPolicy": _simulate_custom_policy,
    "GetContextKeysForPrincipalPolicy": _get_context_keys_for_principal_policy,
    "GetContextKeysForCustomPolicy": _get_context_keys_for_custom_policy,
}
