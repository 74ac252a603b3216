"""S3 bucket policies as AWS checks them, and moto's own check kept out.

``PutBucketPolicy`` refuses a policy AWS would refuse, with S3's
``MalformedPolicy`` error (HTTP 400) and its words:

    Policies must be valid JSON and the first byte must be '{'
    Invalid principal in policy
    Policy has invalid action
    Policy has invalid resource
    Action does not apply to any resource(s) in statement

A principal naming an IAM user or role of the account must exist: AWS keeps
a bucket policy's principals as unique ids, so it cannot store an unknown one.

moto refuses object requests that its own (partial) reading of a bucket
policy denies; while a Lab runs, the Lab alone decides, so moto's check is
switched off (:func:`install`, :func:`remove`).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from labkit.lab.errors import AwsError
from labkit.policy.glob import LIKE, compile_glob

if TYPE_CHECKING:
    from labkit.lab.store import Store

NOT_JSON = "Policies must be valid JSON and the first byte must be '{'"
MISSING_STATEMENT = "Missing required field Statement"
EMPTY_STATEMENT = "Could not parse the policy: Statement is empty!"
INVALID_VERSION = "The policy must contain a valid version string"
INVALID_PRINCIPAL = "Invalid principal in policy"
INVALID_ACTION = "Policy has invalid action"
INVALID_RESOURCE = "Policy has invalid resource"
RESOURCE_MISMATCH = "Action does not apply to any resource(s) in statement"
INVALID_SYNTAX = "Invalid policy syntax."

_VERSIONS = ("2012-10-17", "2008-10-17")
_PRINCIPAL_KEYS = frozenset({"AWS", "Service", "CanonicalUser", "Federated"})
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM_PRINCIPAL = re.compile(r"^arn:aws:(iam|sts)::(\d{12}|\*):(.+)$")


def malformed(message: str) -> AwsError:
    """S3's refusal of a bucket policy."""
    return AwsError("MalformedPolicy", message, 400)


def check_bucket_policy(store: Store, bucket: str, text: Any) -> None:
    """Raise S3's ``MalformedPolicy`` for a bucket policy AWS would not store."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        raise malformed(NOT_JSON)
    try:
        document = json.loads(text)
    except ValueError:
        raise malformed(NOT_JSON) from None
    if not isinstance(document, dict):
        raise malformed(NOT_JSON)
    if "Version" in document and document["Version"] not in _VERSIONS:
        raise malformed(INVALID_VERSION)
    if "Statement" not in document:
        raise malformed(MISSING_STATEMENT)
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise malformed(EMPTY_STATEMENT)
    for statement in statements:
        if not isinstance(statement, dict):
            raise malformed(INVALID_SYNTAX)
        _check_statement(store, bucket, statement)
    from labkit.policy.model import PolicyError
    from labkit.policy.parse import parse_policy

    try:
        parse_policy(text, "resource")
    except PolicyError:
        raise malformed(INVALID_SYNTAX) from None


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check_statement(store: Store, bucket: str, statement: dict[str, Any]) -> None:
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise malformed(f"Invalid effect: {effect}" if effect else "Missing required field Effect")
    principal_key = next((k for k in ("Principal", "NotPrincipal") if k in statement), None)
    if principal_key is None:
        raise malformed("Missing required field Principal")
    _check_principal(store, statement[principal_key])
    action_key = next((k for k in ("Action", "NotAction") if k in statement), None)
    if action_key is None:
        raise malformed("Missing required field Action")
    actions = [str(a) for a in _listed(statement[action_key])]
    if not actions or not all(_valid_action(a) for a in actions):
        raise malformed(INVALID_ACTION)
    resource_key = next((k for k in ("Resource", "NotResource") if k in statement), None)
    if resource_key is None:
        raise malformed("Missing required field Resource")
    resources = [str(r) for r in _listed(statement[resource_key])]
    kinds = set()
    for resource in resources:
        kind = _resource_kind(bucket, resource)
        if kind is None:
            raise malformed(INVALID_RESOURCE)
        kinds |= kind
    if action_key == "Action" and resource_key == "Resource":
        for action in actions:
            applies = _action_kinds(action)
            if applies is not None and not applies & kinds:
                raise malformed(RESOURCE_MISMATCH)


def _check_principal(store: Store, principal: Any) -> None:
    if principal == "*":
        return
    if not isinstance(principal, dict) or not principal or not set(principal) <= _PRINCIPAL_KEYS:
        raise malformed(INVALID_PRINCIPAL)
    for value in _listed(principal.get("AWS", [])):
        if not isinstance(value, str) or not _known_aws_principal(store, value):
            raise malformed(INVALID_PRINCIPAL)
    for key in ("Service", "CanonicalUser", "Federated"):
        if any(not isinstance(v, str) or not v for v in _listed(principal.get(key, []))):
            raise malformed(INVALID_PRINCIPAL)


def _known_aws_principal(store: Store, value: str) -> bool:
    """Whether AWS accepts ``value`` as an ``AWS`` principal of a bucket policy."""
    if value == "*" or _ACCOUNT_ID.match(value):
        return True
    found = _IAM_PRINCIPAL.match(value)
    if found is None:
        return False
    service, account, rest = found.groups()
    if rest == "root":
        return service == "iam"
    kind, _, name = rest.partition("/")
    if service == "sts":
        return kind in ("assumed-role", "federated-user") and bool(name)
    if kind not in ("user", "role") or not name:
        return False
    if account != store.account_id:
        return True  # another account's principals cannot be looked up here
    entity = store.entity(kind, name.rsplit("/", 1)[-1])
    return entity is not None and entity.arn == value


def _valid_action(action: str) -> bool:
    if action == "*":
        return True
    prefix, _, name = action.partition(":")
    if prefix.lower() != "s3" or not name:
        return False
    from labkit.policy import catalog

    if "*" in name or "?" in name:
        return bool(catalog.expand(action))
    return catalog.action_exists(action)


def _resource_kind(bucket: str, resource: str) -> set[str] | None:
    """``{"bucket"}``, ``{"object"}`` or both for a resource of this bucket; None if invalid."""
    if resource == "*":
        return {"bucket", "object"}
    if not resource.startswith("arn:aws:s3:::"):
        return None
    name, slash, _key = resource[len("arn:aws:s3:::") :].partition("/")
    if not name or not compile_glob(name, LIKE).match(bucket):
        return None
    if not slash:
        return {"bucket", "object"} if name.endswith("*") else {"bucket"}
    return {"object"}


def _action_kinds(action: str) -> set[str] | None:
    """The S3 resource kinds an action acts on; None when any will do."""
    if "*" in action or "?" in action:
        return None
    from labkit.policy import catalog

    return {t.name for t in catalog.resource_types(action)} & {"bucket", "object"}


# --- moto's own bucket policy check -------------------------------------------

_SAVED: dict[str, Any] = {}


def _neutral(self: Any, action: str, resource: str) -> Any:
    from moto.iam.access_control import PermissionResult

    return PermissionResult.NEUTRAL


def install() -> None:
    """Stop moto from refusing requests by its own reading of bucket policies."""
    from moto.s3.models import FakeBucket

    if "get_permission" not in _SAVED:
        _SAVED["get_permission"] = FakeBucket.get_permission
        FakeBucket.get_permission = _neutral  # type: ignore[method-assign]


def remove() -> None:
    """Give moto back its bucket policy check."""
    from moto.s3.models import FakeBucket

    saved = _SAVED.pop("get_permission", None)
    if saved is not None:
        FakeBucket.get_permission = saved  # type: ignore[method-assign]
