"""AWS's policy simulator, in its own request and response shapes.

:func:`simulate_custom_policy` takes the keyword arguments of boto3's
``iam.simulate_custom_policy`` and returns its response. :func:`simulate`
does the same for policies already parsed and named (``SourcePolicyId``) with
their source type (``user``, ``group``, ``role``, ``aws-managed``,
``user-managed``, ``resource``), as ``simulate_principal_policy`` reports
them. :func:`context_keys` answers ``GetContextKeysFor*Policy``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from labkit.policy import catalog
from labkit.policy.cache import BoundedCache, bounded
from labkit.policy.conditions import parse_date
from labkit.policy.evaluate import evaluate, same_account
from labkit.policy.glob import LIKE, compile_template
from labkit.policy.model import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    ContextValue,
    Policy,
    PolicyError,
    PolicySet,
    Request,
    StatementRef,
)
from labkit.policy.variables import variable_keys

__all__ = [
    "arn_template",
    "check_context_entries",
    "context_from_entries",
    "context_keys",
    "paginate",
    "read_context_entries",
    "simulate",
    "simulate_custom_policy",
]

CUSTOM_POLICY_TYPE = "IAM Policy"
RESOURCE_POLICY_ID = "ResourcePolicy"
RESOURCE_POLICY_TYPE = "resource"


def context_from_entries(entries: Iterable[Mapping[str, Any]]) -> dict[str, ContextValue]:
    """A request context from the simulator's ``ContextEntries``.

    Keys of a ``...List`` type carry all their values; the others their first.
    """
    context: dict[str, ContextValue] = {}
    for entry in entries or ():
        name = entry.get("ContextKeyName")
        values = [_context_string(v) for v in entry.get("ContextKeyValues") or ()]
        if not name:
            continue
        if str(entry.get("ContextKeyType", "string")).lower().endswith("list"):
            context[name] = tuple(values)
        elif values:
            context[name] = values[0]
    return context


def read_context_entries(entries: Any) -> Mapping[str, ContextValue]:
    """``ContextEntries`` checked (:func:`check_context_entries`) and read
    (:func:`context_from_entries`) into a request context in normal form.

    The same entries sent again, as a client asking many questions does, are
    read once.
    """
    try:
        key = tuple(
            (e["ContextKeyName"], e.get("ContextKeyType"), tuple(e.get("ContextKeyValues") or ()))
            for e in entries or ()
        )
        hit, found = _CONTEXTS.get(key)
    except (TypeError, KeyError, AttributeError):  # odd input: the long way says why
        key, hit, found = None, False, None
    if hit:
        return found
    check_context_entries(entries)
    context = Request("*", "*", None, context_from_entries(entries or ())).context
    if key is not None:
        _CONTEXTS.put(key, context, _weight(key))
    return context


_CONTEXTS = BoundedCache(entries=4096, chars=4_000_000)


def _weight(key: tuple[Any, ...]) -> int:
    """About how much text cached entries hold (a number counts as 32)."""
    size = 64
    for name, kind, values in key:
        size += len(str(name)) + len(str(kind))
        size += sum(len(v) if isinstance(v, str) else 32 for v in values)
    return size


def _context_string(value: Any) -> str:
    # The API carries every value as a string; JSON booleans read as AWS writes them.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(Decimal(value))  # str() refuses ints of more than 4,300 digits
    return str(value)


# ContextKeyTypeEnum in IAM's service model, and how each scalar type reads.
CONTEXT_KEY_TYPES = (
    "string",
    "stringList",
    "numeric",
    "numericList",
    "boolean",
    "booleanList",
    "ip",
    "ipList",
    "binary",
    "binaryList",
    "date",
    "dateList",
)


def _valid_value(kind: str, value: str) -> bool:
    if kind == "numeric":
        try:
            float(value)
        except ValueError:
            return False
        return True
    if kind == "boolean":
        return value.lower() in ("true", "false")
    if kind == "ip":
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            return False
        return True
    if kind == "binary":
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        return True
    if kind == "date":
        return parse_date(value) is not None
    return True


def check_context_entries(entries: Any) -> None:
    """Refuse ``ContextEntries`` IAM would refuse, with ``InvalidInput``.

    Each entry needs a name of at least 5 characters, a type from
    ``ContextKeyTypeEnum`` and values of that type; a scalar type takes one
    value.
    """
    for entry in entries or ():
        if not isinstance(entry, Mapping):
            raise PolicyError("ContextEntries must be a list of structures.", code="InvalidInput")
        name = entry.get("ContextKeyName")
        kind = entry.get("ContextKeyType")
        values = entry.get("ContextKeyValues")
        if not isinstance(name, str) or not 5 <= len(name) <= 256:
            raise PolicyError(f"Invalid context key name: {name!r}.", code="InvalidInput")
        if kind not in CONTEXT_KEY_TYPES:
            raise PolicyError(
                f"Invalid context key type {kind!r} for context key {name}. Valid types: "
                + ", ".join(CONTEXT_KEY_TYPES),
                code="InvalidInput",
            )
        # ContextKeyValues is optional in AWS's API: none, or an empty list,
        # is how an empty multi-valued key (aws:TagKeys) is simulated.
        if values is None:
            values = []
        if not isinstance(values, (list, tuple)):
            raise PolicyError(
                f"Invalid values for context key {name}: give a list.", code="InvalidInput"
            )
        if not kind.endswith("List") and len(values) > 1:
            raise PolicyError(
                f"Context key {name} of type {kind} takes a single value.", code="InvalidInput"
            )
        scalar = kind[: -len("List")] if kind.endswith("List") else kind
        for value in values:
            text = _context_string(value)
            if not _valid_value(scalar, text):
                raise PolicyError(
                    f"Invalid value {text!r} for context key {name} of type {kind}.",
                    code="InvalidInput",
                )


def _position(location: Any) -> dict[str, int]:
    return {"Line": location.line, "Column": location.column}


def _statement(ref: StatementRef) -> dict[str, Any]:
    # Rendered once per statement: the same statement decides many requests.
    rendered = ref.__dict__.get("_labkit_rendered")
    if rendered is None:
        rendered = _render(ref)
        object.__setattr__(ref, "_labkit_rendered", rendered)
    return {**rendered}


def _render(ref: StatementRef) -> dict[str, Any]:
    out: dict[str, Any] = {"SourcePolicyId": ref.policy, "SourcePolicyType": ref.policy_type}
    if ref.start is not None:
        out["StartPosition"] = _position(ref.start)
    if ref.end is not None:
        out["EndPosition"] = _position(ref.end)
    return out


def _for_action(policy: Policy | None, action: str) -> Policy | None:
    # A role's trust policy is what sts:AssumeRole* is decided against.
    if policy is None or policy.kind != "resource":
        return policy
    if action.lower().startswith("sts:assumerole"):
        return dataclasses.replace(policy, kind="trust")
    return policy


# The most restrictive decision wins when results are aggregated.
_RANK = {ALLOWED: 0, IMPLICIT_DENY: 1, EXPLICIT_DENY: 2}


def _most_restrictive(decisions: Iterable[str]) -> str:
    return max(decisions, key=lambda d: _RANK.get(d, 1), default=IMPLICIT_DENY)


def arn_template(action: str, resources: Sequence[str] = ()) -> str:
    """``EvalResourceName`` of a result: the ARN format of the action's
    resource type that the simulated resources are of (the first required
    one otherwise), or ``*`` when the action defines no ARN format."""
    templates, fallback = _templates(action)
    for resource in resources:
        for template in templates:
            if _template_matches(template, resource):
                return template
    return fallback


@lru_cache(maxsize=4096)
def _templates(action: str) -> tuple[tuple[str, ...], str]:
    """An action's ARN formats, and the one named when no resource fits."""
    types = [t for t in catalog.resource_types(action) if t.arn]
    if not types:
        return (), "*"
    required = [t for t in types if t.required]
    return tuple(t.arn or "*" for t in types), (required or types)[0].arn or "*"


@bounded(entries=8192, chars=2_000_000)
def _template_matches(template: str, resource: str) -> bool:
    t_fields = template.split(":", 5)
    r_fields = resource.split(":", 5)
    if len(t_fields) < 6 or len(r_fields) < 6 or t_fields[2] != r_fields[2]:
        return False
    # ${Placeholders} stand for some text (one character or more); the
    # resource part must have the shape. A glob, so a long ARN costs linear time.
    return compile_template(t_fields[5], LIKE).match(r_fields[5])


def simulate(
    policies: Sequence[Policy],
    actions: Sequence[str],
    resources: Sequence[str] | None = None,
    *,
    boundaries: Sequence[Policy] = (),
    resource_policy: Policy | None = None,
    resource_owner: str | None = None,
    caller_arn: str | None = None,
    context: Mapping[str, Any] | None = None,
    scps: Sequence[Sequence[Policy]] = (),
) -> dict[str, Any]:
    """Simulate ``actions`` on ``resources`` (default ``["*"]``) and answer in
    the shape of ``SimulateCustomPolicy``/``SimulatePrincipalPolicy``.

    As IAM's simulator does, it returns one ``EvaluationResult`` per action:
    with resource ARNs given, ``ResourceSpecificResults`` holds one entry per
    resource and the top level aggregates them (the most restrictive
    decision, the union of the deciding statements and of the missing context
    keys), naming the action's ARN template in ``EvalResourceName``. Each
    policy's ``name`` and ``source`` become ``SourcePolicyId`` and
    ``SourcePolicyType`` in ``MatchedStatements``.

    ``scps`` are the service control policies over the simulated principal's
    account, by level of its organization (see
    :class:`~labkit.policy.model.PolicySet`); with them, each result carries
    ``OrganizationsDecisionDetail``, as the simulator reports in a member
    account. Like IAM's simulator, it does not evaluate resource control
    policies.
    """
    # "*" given alone is the same simulation as no ResourceArns at all.
    explicit_resources = bool(resources) and list(resources or ()) != ["*"]
    resource_list = list(resources) if explicit_resources else ["*"]  # type: ignore[arg-type]
    by_kind: dict[str, Policy | None] = {}
    results = []
    base = Request("*", "*", caller_arn, context or {})  # the context, read once
    identity, boundary = tuple(policies), tuple(boundaries)
    levels = tuple(tuple(level) for level in scps)
    sets: dict[str, PolicySet] = {}
    for action in actions:
        key = "trust" if action.lower().startswith("sts:assumerole") else "resource"
        if key not in by_kind:
            by_kind[key] = _for_action(resource_policy, action)
            sets[key] = PolicySet(identity, boundary, (), by_kind[key], scps=levels)
        target_policy = by_kind[key]
        details = []
        organizations: list[bool] = []
        for resource in resource_list:
            request = base.asking(action, resource)
            decision = evaluate(request, sets[key], resource_owner=resource_owner)
            verdicts = decision.verdicts
            detail: dict[str, Any] = {
                "EvalResourceName": resource,
                "EvalResourceDecision": decision.decision,
                "MatchedStatements": [
                    _statement(ref) for ref in decision.matched if ref.kind not in _GUARDRAILS
                ],
                "MissingContextValues": list(decision.missing_context),
            }
            # EvalDecisionDetails is returned only for cross-account simulations.
            if target_policy is not None and not same_account(request, resource_owner):
                detail["EvalDecisionDetails"] = {
                    "IAM Policy": verdicts["identity"],
                    "Resource Policy": verdicts.get("trust", verdicts.get("resource")),
                }
            if boundaries:
                detail["PermissionsBoundaryDecisionDetail"] = {
                    "AllowedByPermissionsBoundary": decision.boundary_decision == ALLOWED
                }
            details.append(detail)
            organizations.append(verdicts.get("scp", ALLOWED) == ALLOWED)
        result = _aggregate(action, details, explicit_resources, bool(boundaries))
        if levels:
            result["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": all(organizations)}
        results.append(result)
    return {"EvaluationResults": results, "IsTruncated": False}


# Organization policies limit a decision but are not the account's own
# statements: the simulator lists none of theirs in MatchedStatements.
_GUARDRAILS = frozenset({"scp", "rcp"})


def _aggregate(
    action: str, details: list[dict[str, Any]], explicit: bool, boundaries: bool
) -> dict[str, Any]:
    if len(details) == 1:  # one resource: its own answer, nothing to merge
        only = details[0]
        decision = only["EvalResourceDecision"]
        matched = list(only["MatchedStatements"])
        missing = list(only["MissingContextValues"])
    else:
        decision = _most_restrictive(d["EvalResourceDecision"] for d in details)
        matched, missing = [], []
        for detail in details:
            # Only the statements behind the reported decision are listed.
            if detail["EvalResourceDecision"] == decision:
                matched.extend(m for m in detail["MatchedStatements"] if m not in matched)
            missing.extend(k for k in detail["MissingContextValues"] if k not in missing)
    result: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": arn_template(action, [d["EvalResourceName"] for d in details])
        if explicit
        else "*",
        "EvalDecision": decision,
        "MatchedStatements": matched,
        "MissingContextValues": missing,
    }
    cross = [d["EvalDecisionDetails"] for d in details if "EvalDecisionDetails" in d]
    if cross:
        result["EvalDecisionDetails"] = {
            source: _most_restrictive(c[source] for c in cross if source in c)
            for source in cross[0]
        }
    elif explicit:
        # Same account with resource ARNs: present, but empty.
        result["EvalDecisionDetails"] = {}
    if boundaries:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": all(
                d["PermissionsBoundaryDecisionDetail"]["AllowedByPermissionsBoundary"]
                for d in details
            )
        }
    if explicit:
        result["ResourceSpecificResults"] = details
    return result


def paginate(response: dict[str, Any], max_items: Any = None, marker: Any = None) -> dict[str, Any]:
    """One page of a simulator response, as ``MaxItems`` and ``Marker`` ask.

    ``MaxItems`` (1 to 1000) defaults to 100; ``Marker`` must be one this
    function returned. ``IsTruncated`` says whether more follow and ``Marker``
    where to go on from; it is absent on the last page.
    """
    limit = DEFAULT_MAX_ITEMS if max_items is None else max_items
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ITEMS:
        raise PolicyError(
            f"Invalid value {max_items!r} for MaxItems: use an integer from 1 to {MAX_ITEMS}.",
            code="InvalidInput",
        )
    results = response["EvaluationResults"]
    if marker is None and len(results) <= limit and "Marker" not in response:
        return {**response, "IsTruncated": False}  # one page: all of it
    start = 0
    if marker is not None:
        if not isinstance(marker, str) or not marker.isdigit():
            raise PolicyError(f"Invalid Marker {marker!r}.", code="InvalidInput")
        start = int(marker)
    results = response["EvaluationResults"]
    out = {k: v for k, v in response.items() if k != "Marker"}
    out["EvaluationResults"] = results[start : start + limit]
    out["IsTruncated"] = start + limit < len(results)
    if out["IsTruncated"]:
        out["Marker"] = str(start + limit)
    return out


DEFAULT_MAX_ITEMS = 100
MAX_ITEMS = 1000


def _parse(document: Any, kind: str, name: str, source: str) -> Policy:
    if isinstance(document, Policy):
        return document.named(name, source)
    if type(document) is str:  # text sent with every call: parsed and named once
        key = (document, kind, name, source)
        hit, found = _INPUTS.get(key)
        if hit:
            return found
        found = Policy.parse(document, kind).named(name, source)  # type: ignore[arg-type]
        _INPUTS.put(key, found, 2 * len(document))
        return found
    return Policy.parse(document, kind).named(name, source)  # type: ignore[arg-type]


_INPUTS = BoundedCache(entries=1024, chars=8_000_000)


_STRING_LISTS = ("ActionNames", "ResourceArns")
_STRINGS = ("CallerArn", "ResourceOwner", "ResourceHandlingOption")


def _check_string_parameters(kwargs: Mapping[str, Any]) -> None:
    """Refuse, as botocore's parameter validation does, names that are not strings."""
    for name in _STRING_LISTS:
        values = kwargs.get(name)
        if values is None:
            continue
        if not isinstance(values, (list, tuple)):
            valid = "<class 'list'>, <class 'tuple'>"
            raise PolicyError(_invalid_type(name, values, valid), code="InvalidInput")
        for index, value in enumerate(values):
            if not isinstance(value, str):
                raise PolicyError(_invalid_type(f"{name}[{index}]", value), code="InvalidInput")
    for name in _STRINGS:
        value = kwargs.get(name)
        if value is not None and not isinstance(value, str):
            raise PolicyError(_invalid_type(name, value), code="InvalidInput")


def _invalid_type(name: str, value: Any, valid: str = "<class 'str'>") -> str:
    # botocore's wording, which a boto3 client answers before any request is sent.
    shown = _context_string(value)[:100]
    return (
        f"Invalid type for parameter {name}, value: {shown}, type: {type(value)}, "
        f"valid types: {valid}"
    )


def simulate_custom_policy(**kwargs: Any) -> dict[str, Any]:
    """``iam.simulate_custom_policy``: the same keyword arguments, the same
    response, paged by ``MaxItems``/``Marker``. Malformed input policies raise
    :class:`~labkit.policy.model.PolicyError` (``MalformedPolicyDocument``);
    malformed ``ContextEntries``, ``MaxItems`` or ``Marker`` raise it with
    code ``InvalidInput``.
    """
    _check_string_parameters(kwargs)
    policies = [
        _parse(doc, "identity", f"PolicyInputList.{i}", CUSTOM_POLICY_TYPE)
        for i, doc in enumerate(kwargs.get("PolicyInputList") or (), 1)
    ]
    boundaries = [
        _parse(doc, "boundary", f"PermissionsBoundaryPolicyInputList.{i}", CUSTOM_POLICY_TYPE)
        for i, doc in enumerate(kwargs.get("PermissionsBoundaryPolicyInputList") or (), 1)
    ]
    resource_document = kwargs.get("ResourcePolicy")
    resource_policy = None
    if resource_document:
        actions = kwargs.get("ActionNames") or ()
        trust_only = bool(actions) and all(a.lower().startswith("sts:assumerole") for a in actions)
        kind = "trust" if trust_only else "resource"
        resource_policy = _parse(resource_document, kind, RESOURCE_POLICY_ID, RESOURCE_POLICY_TYPE)
    context = read_context_entries(kwargs.get("ContextEntries"))
    response = simulate(
        policies,
        list(kwargs.get("ActionNames") or ()),
        kwargs.get("ResourceArns"),
        boundaries=boundaries,
        resource_policy=resource_policy,
        resource_owner=kwargs.get("ResourceOwner"),
        caller_arn=kwargs.get("CallerArn"),
        context=context,
    )
    return paginate(response, kwargs.get("MaxItems"), kwargs.get("Marker"))


def context_keys(policies: Iterable[Policy]) -> list[str]:
    """The context keys the policies refer to, for ``GetContextKeysFor*Policy``.

    Keys come from Condition elements and from policy variables, as written,
    each once (compared without case), in the order they appear: AWS's own
    example answers ``["aws:username", "aws:CurrentTime"]`` for a policy with
    ``${aws:username}`` in its Resource and ``aws:CurrentTime`` in its
    Condition.
    """
    seen: dict[str, str] = {}

    def add(key: str) -> None:
        seen.setdefault(key.lower(), key)

    for policy in policies:
        variables = policy.variables_enabled
        for statement in policy.statements:
            for resource in (statement.resources or ()) + (statement.not_resources or ()):
                for key in variable_keys(resource, variables):
                    add(key)
            for condition in statement.conditions:
                add(condition.key)
                for value in condition.values:
                    if isinstance(value, str):
                        for key in variable_keys(value, variables):
                            add(key)
    return list(seen.values())
