"""AWS managed policies, loaded into the account only when first used.

moto can load all ~1,600 AWS managed policies into a new account, but that
makes every Lab start slower. Instead the Lab parses moto's copy of the
policies once and inserts a policy into moto's IAM backend when a call first
names it: attaching it or reading it. Code that needs a policy's document
without a call (a permissions boundary, the simulator) asks
:func:`managed_policy_document`.
Listing AWS policies (``ListPolicies`` with scope ``All`` or ``AWS``) inserts
them all, so the list reads as it does in AWS.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from labkit.inventory import PolicyInfo
from labkit.lab.handlers import Call, Handler

if TYPE_CHECKING:
    from moto.iam.models import IAMBackend

AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


@lru_cache(maxsize=1)
def _catalog() -> dict[str, tuple[str, dict[str, Any]]]:
    """ARN -> (name, moto's record) for every AWS managed policy."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data: dict[str, dict[str, Any]] = json.loads(aws_managed_policies_data)
    return {
        f"arn:aws:iam::aws:policy{record['Path']}{name}": (name, record)
        for name, record in data.items()
    }


@lru_cache(maxsize=256)
def _entry(arn: str) -> tuple[str, dict[str, Any]] | None:
    """One AWS managed policy's (name, record), read alone from moto's copy.

    moto keeps every policy in one 4.7 MB JSON text; decoding just the one
    asked for, rather than all 1,600, keeps a Lab's first attach quick.
    """
    if not is_aws_managed(arn):
        return None
    if _catalog.cache_info().currsize:  # all of them are decoded already
        return _catalog().get(arn)
    from moto.iam.aws_managed_policies import aws_managed_policies_data as data

    name = arn.rsplit("/", 1)[-1]
    key = f'\n "{name}":'
    at = data.find(key)
    if at == -1:
        return None
    record, _end = _DECODER.raw_decode(data, at + len(key))
    if not isinstance(record, dict) or f"arn:aws:iam::aws:policy{record.get('Path')}{name}" != arn:
        return _catalog().get(arn)  # laid out otherwise: read them all
    return name, record


_DECODER = json.JSONDecoder()


def is_aws_managed(arn: str) -> bool:
    """True for an ``arn:aws:iam::aws:policy/...`` ARN."""
    return arn.startswith(AWS_POLICY_PREFIX)


def aws_managed_policy_arns() -> list[str]:
    """The ARNs of all AWS managed policies the Lab knows, sorted."""
    return sorted(_catalog())


def managed_policy_document(arn: str) -> dict[str, Any]:
    """The default version's document of an AWS managed policy.

    Raises ``KeyError`` for an ARN that is not an AWS managed policy.
    """
    entry = _entry(arn)
    if entry is None:
        raise KeyError(arn)
    return entry[1]["Document"]


@lru_cache(maxsize=64)
def _document_text(arn: str) -> str:
    return json.dumps(managed_policy_document(arn))


def aws_policy_info(arn: str) -> PolicyInfo | None:
    """An AWS managed policy as plain data (its document as JSON text), or None."""
    entry = _entry(arn)
    if entry is None:
        return None
    name, record = entry
    path = record.get("Path") or "/"
    return PolicyInfo(arn=arn, name=name, path=path, kind="aws", document=_document_text(arn))


def ensure_managed_policy(backend: IAMBackend, arn: str) -> bool:
    """Insert the AWS managed policy ``arn`` into ``backend`` if missing.

    Returns True when the policy is (now) in the backend, False when ``arn``
    names no AWS managed policy, so moto answers NoSuchEntity as AWS does.
    """
    if arn in backend.managed_policies:
        return True
    entry = _entry(arn)
    if entry is None:
        return False
    _insert(backend, *entry)
    return True


def ensure_all_managed_policies(backend: IAMBackend) -> int:
    """Insert every AWS managed policy not yet in ``backend``; returns how many."""
    added = 0
    for arn, entry in _catalog().items():
        if arn not in backend.managed_policies:
            _insert(backend, *entry)
            added += 1
    return added


def _insert(backend: IAMBackend, name: str, record: dict[str, Any]) -> None:
    from moto.iam.models import AWSManagedPolicy

    policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, record)
    backend.managed_policies[policy.arn] = policy
    # moto reads this list for GetAccountAuthorizationDetails' AWS filter.
    backend.aws_managed_policies.append(policy)


def _by_policy_arn(call: Call) -> None:
    """Load the AWS managed policy a call names, then let moto answer."""
    arn = call.params.get("PolicyArn")
    if isinstance(arn, str) and is_aws_managed(arn):
        ensure_managed_policy(call.account.backend, arn)


def _attach(call: Call) -> dict[str, Any] | None:
    """Load the AWS managed policy, then hold the attachment to IAM's quotas."""
    from labkit.lab.quotas import check_attachment

    _by_policy_arn(call)
    return check_attachment(call)


def list_policies(call: Call) -> None:
    """Load every AWS managed policy before moto lists them."""
    if call.params.get("Scope", "All") in ("All", "AWS"):
        ensure_all_managed_policies(call.account.backend)


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(("AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy"), _attach),
    **dict.fromkeys(
        (
            "GetPolicy",
            "GetPolicyVersion",
            "ListPolicyVersions",
            "ListEntitiesForPolicy",
            "ListPolicyTags",
        ),
        _by_policy_arn,
    ),
    "ListPolicies": list_policies,
}
