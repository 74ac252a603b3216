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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call, handles
from labkit.policy.model import Policy, PolicyError

if TYPE_CHECKING:
    from labkit.lab.account import Lab

DEFAULT_MAX_ITEMS = 100
INPUT_POLICY_TYPE = "IAM Policy"


@dataclass
class Entity:
    """A simulated user, group or role and its policies."""

    kind: str  # "user", "group" or "role"
    name: str
    arn: str
    policies: list[Policy] = field(default_factory=list)
    boundaries: list[Policy] = field(default_factory=list)


def _text(document: Any) -> str:
    if isinstance(document, bytes):
        document = document.decode()
    if isinstance(document, str):
        stripped = document.strip()
        # moto may keep a document URL-encoded, as IAM's query API returns it.
        return unquote(stripped) if stripped[:3].upper() == "%7B" else document
    return json.dumps(document)


def _parse(document: Any, kind: str, name: str, source: str) -> Policy:
    try:
        return Policy.parse(_text(document), kind).named(name, source)  # type: ignore[arg-type]
    except PolicyError as error:
        raise AwsError("InvalidInput", error.message) from None


def _managed_type(arn: str) -> str:
    return "aws-managed" if arn.startswith("arn:aws:iam::aws:policy/") else "user-managed"


def _default_document(lab: Lab, arn: str) -> Any | None:
    from labkit.lab.managed import ensure_managed_policy

    backend = lab.backend
    if arn not in backend.managed_policies and not ensure_managed_policy(backend, arn):
        return None
    managed = backend.managed_policies[arn]
    for version in managed.versions:
        if version.is_default:
            return version.document
    return None


def _entity_policies(lab: Lab, entity: Any, inline_type: str) -> list[Policy]:
    found = [
        _parse(document, "identity", name, inline_type)
        for name, document in entity.policies.items()
    ]
    for arn, managed in entity.managed_policies.items():
        document = _default_document(lab, arn)
        if document is not None:
            found.append(_parse(document, "identity", managed.name, _managed_type(arn)))
    return found


def _boundary(lab: Lab, arn: str | None) -> list[Policy]:
    if not arn:
        return []
    document = _default_document(lab, arn)
    if document is None:
        return []
    return [_parse(document, "boundary", arn.rsplit("/", 1)[-1], _managed_type(arn))]


def _no_such(kind: str, name: str) -> AwsError:
    return AwsError("NoSuchEntity", f"The {kind} with name {name} cannot be found.", 404)


def find_entity(lab: Lab, arn: str) -> Entity:
    """The user, group or role ``arn`` names, with its policies.

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
    name = resource.rsplit("/", 1)[-1]
    backend = lab.backend
    if kind == "user":
        user = backend.users.get(name)
        if user is None or user.arn != arn:
            raise _no_such("user", name)
        policies = _entity_policies(lab, user, "user")
        for group in backend.groups.values():
            if user in group.users:
                policies += _entity_policies(lab, group, "group")
        boundary = _boundary(lab, getattr(user, "permissions_boundary_arn", None))
        return Entity("user", name, arn, policies, boundary)
    if kind == "group":
        group = backend.groups.get(name)
        if group is None or group.arn != arn:
            raise _no_such("group", name)
        return Entity("group", name, arn, _entity_policies(lab, group, "group"))
    role = next((r for r in backend.roles.values() if r.name == name and r.arn == arn), None)
    if role is None:
        raise _no_such("role", name)
    boundary = _boundary(lab, role.permissions_boundary_arn)
    return Entity("role", name, arn, _entity_policies(lab, role, "role"), boundary)


def _input_policies(params: dict[str, Any], key: str, kind: str) -> list[Policy]:
    return [
        _parse(document, kind, f"{key}.{index}", INPUT_POLICY_TYPE)
        for index, document in enumerate(params.get(key) or (), start=1)
    ]


def simulate_principal_policy(lab: Lab, params: dict[str, Any]) -> dict[str, Any]:
    """``iam.simulate_principal_policy``'s answer, for boto3's keyword arguments."""
    from labkit.policy.simulate import context_from_entries, paginate, simulate

    entity = find_entity(lab, params["PolicySourceArn"])
    policies = entity.policies + _input_policies(params, "PolicyInputList", "identity")
    # A boundary passed in replaces the entity's own for the simulation.
    boundaries = _input_policies(params, "PermissionsBoundaryPolicyInputList", "boundary")
    if not boundaries:
        boundaries = entity.boundaries
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
        resource_policy = _parse(params["ResourcePolicy"], "resource", "ResourcePolicy", "resource")
    response = simulate(
        policies,
        list(params.get("ActionNames") or ()),
        params.get("ResourceArns"),
        boundaries=boundaries,
        resource_policy=resource_policy,
        resource_owner=params.get("ResourceOwner") or lab.account_id,
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


def context_keys_for_principal(lab: Lab, params: dict[str, Any]) -> list[str]:
    """The context keys an entity's policies (and any given) refer to."""
    from labkit.policy.simulate import context_keys

    entity = find_entity(lab, params["PolicySourceArn"])
    given = _input_policies(params, "PolicyInputList", "identity")
    return context_keys(entity.policies + entity.boundaries + given)


def context_keys_for_custom(params: dict[str, Any]) -> list[str]:
    """The context keys the given policies refer to."""
    from labkit.policy.simulate import context_keys

    return context_keys(_input_policies(params, "PolicyInputList", "identity"))


@handles("iam", "SimulatePrincipalPolicy")
def _simulate_principal_policy(call: Call) -> dict[str, Any]:
    return simulate_principal_policy(call.lab, call.params)


@handles("iam", "SimulateCustomPolicy")
def _simulate_custom_policy(call: Call) -> dict[str, Any]:
    return simulate_custom(call.params)


@handles("iam", "GetContextKeysForPrincipalPolicy")
def _get_context_keys_for_principal_policy(call: Call) -> dict[str, Any]:
    return {"ContextKeyNames": context_keys_for_principal(call.lab, call.params)}


@handles("iam", "GetContextKeysForCustomPolicy")
def _get_context_keys_for_custom_policy(call: Call) -> dict[str, Any]:
    return {"ContextKeyNames": context_keys_for_custom(call.params)}
