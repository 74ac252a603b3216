"""AWS's policy simulator, in its own request and response shapes.

:func:`simulate_custom_policy` takes the keyword arguments of boto3's
``iam.simulate_custom_policy`` and returns its response. :func:`simulate`
does the same for policies already parsed and named (``SourcePolicyId``) with
their source type (``user``, ``group``, ``role``, ``aws-managed``,
``user-managed``, ``resource``), as ``simulate_principal_policy`` reports
them. :func:`context_keys` answers ``GetContextKeysFor*Policy``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from labkit.policy.evaluate import evaluate_detailed, same_account
from labkit.policy.model import ALLOWED, ContextValue, Policy, Request, StatementRef
from labkit.policy.variables import variable_keys

__all__ = ["context_from_entries", "context_keys", "simulate", "simulate_custom_policy"]

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
        values = [str(v) for v in entry.get("ContextKeyValues") or ()]
        if not name:
            continue
        if str(entry.get("ContextKeyType", "string")).lower().endswith("list"):
            context[name] = tuple(values)
        elif values:
            context[name] = values[0]
    return context


def _position(location: Any) -> dict[str, int]:
    return {"Line": location.line, "Column": location.column}


def _statement(ref: StatementRef) -> dict[str, Any]:
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
) -> dict[str, Any]:
    """Simulate ``actions`` on ``resources`` (default ``["*"]``) and answer in
    the shape of ``SimulateCustomPolicy``/``SimulatePrincipalPolicy``.

    Each policy's ``name`` and ``source`` become ``SourcePolicyId`` and
    ``SourcePolicyType`` in ``MatchedStatements``.
    """
    explicit_resources = bool(resources)
    resource_list = list(resources) if resources else ["*"]
    by_kind: dict[str, Policy | None] = {}
    results = []
    for action in actions:
        key = "trust" if action.lower().startswith("sts:assumerole") else "resource"
        if key not in by_kind:
            by_kind[key] = _for_action(resource_policy, action)
        target_policy = by_kind[key]
        for resource in resource_list:
            request = Request(action, resource, caller_arn, dict(context or {}))
            decision, verdicts = evaluate_detailed(
                request,
                identity=policies,
                boundaries=boundaries,
                resource_policy=target_policy,
                resource_owner=resource_owner,
            )
            detail: dict[str, Any] = {
                "EvalResourceName": resource,
                "EvalResourceDecision": decision.decision,
                "MatchedStatements": [_statement(ref) for ref in decision.matched],
                "MissingContextValues": list(decision.missing_context),
            }
            if target_policy is not None and not same_account(request, resource_owner):
                resource_verdict = verdicts.get("trust", verdicts.get("resource"))
                detail["EvalDecisionDetails"] = {
                    "IAM Policy": verdicts["identity"],
                    "Resource Policy": resource_verdict,
                }
            elif explicit_resources and target_policy is not None:
                detail["EvalDecisionDetails"] = {}
            if boundaries:
                detail["PermissionsBoundaryDecisionDetail"] = {
                    "AllowedByPermissionsBoundary": decision.boundary_decision == ALLOWED
                }
            result: dict[str, Any] = {
                "EvalActionName": action,
                "EvalResourceName": resource,
                "EvalDecision": decision.decision,
                "MatchedStatements": detail["MatchedStatements"],
                # With explicit resources AWS reports missing keys per resource.
                "MissingContextValues": []
                if explicit_resources
                else detail["MissingContextValues"],
            }
            if "EvalDecisionDetails" in detail:
                result["EvalDecisionDetails"] = detail["EvalDecisionDetails"]
            if boundaries:
                result["PermissionsBoundaryDecisionDetail"] = detail[
                    "PermissionsBoundaryDecisionDetail"
                ]
            if explicit_resources:
                result["ResourceSpecificResults"] = [
                    {k: v for k, v in detail.items() if k != "EvalResourceDecision"}
                    | {"EvalResourceDecision": decision.decision}
                ]
            results.append(result)
    return {"EvaluationResults": results, "IsTruncated": False}


def _parse(document: Any, kind: str, name: str, source: str) -> Policy:
    if isinstance(document, Policy):
        return document.named(name, source)
    return Policy.parse(document, kind).named(name, source)  # type: ignore[arg-type]


def simulate_custom_policy(**kwargs: Any) -> dict[str, Any]:
    """``iam.simulate_custom_policy``: the same keyword arguments, the same
    response. Malformed input policies raise
    :class:`~labkit.policy.model.PolicyError` (``MalformedPolicyDocument``).
    """
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
    return simulate(
        policies,
        list(kwargs.get("ActionNames") or ()),
        kwargs.get("ResourceArns"),
        boundaries=boundaries,
        resource_policy=resource_policy,
        resource_owner=kwargs.get("ResourceOwner"),
        caller_arn=kwargs.get("CallerArn"),
        context=context_from_entries(kwargs.get("ContextEntries") or ()),
    )


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
