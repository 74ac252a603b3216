"""Amazon S3, as the Lab answers it.

Resources are bucket ARNs ``arn:aws:s3:::bucket`` and object ARNs
``arn:aws:s3:::bucket/key``; a copy needs ``s3:GetObject`` on its source and
``s3:PutObject`` on its destination; ``ListBuckets`` is authorized on ``*``.
Where S3 authorizes an operation under another action's name, a table says
so: ``ListObjectsV2`` is ``s3:ListBucket``, ``HeadObject`` is ``s3:GetObject``.

A bucket's policy is its resource-based policy. S3 words denials its own
way: the resource in double quotes, a denying managed policy as ``..., with
policy ARN: ARN``. The root user may always read, write and delete its own
bucket's policy, so an owner cannot lock themselves out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import ContextValue, Target
from labkit.lab.s3 import check_bucket_policy
from labkit.lab.services import Asked, DenialStyle, Service

if TYPE_CHECKING:
    from labkit.lab.context import AccountContext
    from labkit.lab.store import Store

# Operations AWS authorizes under another action name.
ACTION_NAMES: dict[str, str] = {
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
}

# S3 object operations that address a specific version when given VersionId.
_VERSIONED = {
    "GetObject": "GetObjectVersion",
    "HeadObject": "GetObjectVersion",
    "DeleteObject": "DeleteObjectVersion",
    "GetObjectAcl": "GetObjectVersionAcl",
    "PutObjectAcl": "PutObjectVersionAcl",
    "GetObjectTagging": "GetObjectVersionTagging",
    "PutObjectTagging": "PutObjectVersionTagging",
    "DeleteObjectTagging": "DeleteObjectVersionTagging",
}


def action_name(operation: str, params: Mapping[str, Any] | None = None) -> str:
    """The IAM action an S3 operation is authorized as, e.g. ``s3:ListBucket``."""
    if params and params.get("VersionId") and operation in _VERSIONED:
        return f"s3:{_VERSIONED[operation]}"
    return f"s3:{ACTION_NAMES.get(operation, operation)}"


def _copy_source(value: Any) -> str | None:
    if isinstance(value, Mapping):
        bucket, key = value.get("Bucket"), value.get("Key")
        return f"{bucket}/{key}" if bucket and key else None
    if isinstance(value, str) and value:
        return value.lstrip("/").split("?", 1)[0]
    return None


# Request headers S3 offers as condition keys, by boto3 parameter.
_HEADER_KEYS = {
    "ACL": "s3:x-amz-acl",
    "ServerSideEncryption": "s3:x-amz-server-side-encryption",
    "SSEKMSKeyId": "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "StorageClass": "s3:x-amz-storage-class",
}


def targets(asked: Asked) -> list[Target]:
    """What an S3 call needs: bucket and object ARNs, both sides of a copy."""
    operation, params = asked.operation, asked.params
    action = action_name(operation, params)
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
            Target(action_name("DeleteObject", o), f"{bucket_arn}/{o.get('Key', '')}")
            for o in objects
        ] or [Target(action, bucket_arn + "/*")]
    if "Key" in params:
        headers = {
            key: str(params[param]) for param, key in _HEADER_KEYS.items() if params.get(param)
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


def bucket_policy(store: Store, resource: str, action: str) -> tuple[Any, str] | None:
    """The policy of the bucket ``resource`` belongs to, with the bucket's name."""
    if not resource.startswith("arn:aws:s3:::"):
        return None
    bucket = resource[len("arn:aws:s3:::") :].split("/", 1)[0]
    found = store.s3.buckets.get(bucket)
    document = getattr(found, "policy", None) if found is not None else None
    return (document, bucket) if document else None


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """S3 refuses a bucket policy it could not enforce, in its own words."""
    if operation == "PutBucketPolicy":
        check_bucket_policy(account.store, str(params.get("Bucket", "")), params.get("Policy"))


SERVICE = Service(
    name="s3",
    title="S3",
    targets=targets,
    resource_policy=bucket_policy,
    denial=DenialStyle(quote_resource=True, policy_arn=", with policy ARN: "),
    validate=validate,
    root_exempt=frozenset({"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}),
    registries=(("moto.s3.models", "s3_backends", "buckets"),),
    regional=False,
)
