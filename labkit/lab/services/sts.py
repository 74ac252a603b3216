"""AWS Security Token Service, as the Lab answers it.

``AssumeRole*`` is authorized on the role, against the role's trust policy
and the caller's own policies; passing session tags needs ``sts:TagSession``
and passing a source identity ``sts:SetSourceIdentity`` on the same role (IAM
User Guide, "Passing session tags in AWS STS" and "Monitor and control
actions taken with assumed roles"). ``GetFederationToken`` is authorized on
the federated user; other operations on ``*``. ``GetCallerIdentity`` and
``GetSessionToken`` need no permission at all.
"""

from __future__ import annotations

from typing import Any

from labkit.lab import sts
from labkit.lab.actions import ContextValue, Target, request_tags
from labkit.lab.services import Asked, Service, well_formed_arn


def _assume_role_context(params: Any) -> dict[str, ContextValue]:
    """The condition keys an AssumeRole call carries to the trust policy."""
    context: dict[str, ContextValue] = {}
    if params.get("RoleSessionName"):
        context["sts:RoleSessionName"] = str(params["RoleSessionName"])
    if params.get("ExternalId") is not None:
        context["sts:ExternalId"] = str(params["ExternalId"])
    if params.get("SourceIdentity"):
        context["sts:SourceIdentity"] = str(params["SourceIdentity"])
    if params.get("TransitiveTagKeys"):
        context["sts:TransitiveTagKeys"] = tuple(str(k) for k in params["TransitiveTagKeys"])
    context.update(request_tags(params))
    return context


def targets(asked: Asked) -> list[Target]:
    """What an STS call needs: AssumeRole (and TagSession, SetSourceIdentity)
    on the role, GetFederationToken on the federated user."""
    operation, params = asked.operation, asked.params
    action = f"sts:{operation}"
    if operation.startswith("AssumeRole") and well_formed_arn(params.get("RoleArn")):
        role = str(params["RoleArn"])
        context = _assume_role_context(params)
        found = [Target(action, role, context)]
        if params.get("Tags") or params.get("TransitiveTagKeys"):
            found.append(Target("sts:TagSession", role, context))
        if params.get("SourceIdentity"):
            found.append(Target("sts:SetSourceIdentity", role, context))
        return found
    if operation == "GetFederationToken" and params.get("Name"):
        return [Target(action, f"arn:aws:sts::{asked.account}:federated-user/{params['Name']}")]
    return [Target(action)]


SERVICE = Service(
    name="sts",
    title="STS",
    targets=targets,
    handlers=sts.HANDLERS,
    prepare=sts.prepare_assume_role,
    unauthorized=frozenset({"sts:GetCallerIdentity", "sts:GetSessionToken"}),
    moto_responses=("moto.sts.responses", "TokenResponse"),
    regional=False,
)
