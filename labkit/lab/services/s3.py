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

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from labkit.lab.actions import ContextValue, Target
from labkit.lab.errors import AwsError
from labkit.lab.handlers import Call
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


# Amazon S3 User Guide, "General purpose bucket naming rules".
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
# Amazon S3 API Reference, "Error responses": InvalidBucketName, NoSuchBucket.
INVALID_BUCKET_NAME = "The specified bucket is not valid."
NO_SUCH_BUCKET = "The specified bucket does not exist"
# CreateBucket, PutObject, PutBucketAcl...: "If you use [x-amz-acl], you cannot
# use other access control-specific headers in your request."
ACL_AND_GRANTS = "Specifying both Canned ACLs and Header Grants is not allowed"
# A grant header S3 cannot read: InvalidArgument, as S3 words it.
GRANT_NOT_READ = "Argument format not recognized"
_GRANTS = ("GrantRead", "GrantWrite", "GrantReadACP", "GrantWriteACP", "GrantFullControl")
# Amazon S3 User Guide, "Access control list (ACL) overview", Canned ACL. S3
# refuses another with InvalidArgument and no message (naming x-amz-acl).
CANNED_ACLS = frozenset(
    {
        "private",
        "public-read",
        "public-read-write",
        "aws-exec-read",
        "authenticated-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
        "log-delivery-write",
    }
)
# ListObjects, ListObjectsV2, ListObjectVersions: max-keys is a 32-bit count.
MAX_KEYS = "Argument maxKeys must be an integer between 0 and 2147483647"
MAX_KEYS_NOT_INTEGER = "Provided max-keys not an integer or within integer range"
# GetObject, HeadObject: "Part numbers can be any number from 1 to 10,000, inclusive."
PART_NUMBER = "Part number must be an integer between 1 and 10000, inclusive"
BAD_CONTINUATION = "The continuation token provided is incorrect"
# CopyObject, x-amz-copy-source: "The name of the source bucket, and the key name of
# the source object, separated by a slash (/)."
COPY_SOURCE = "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"
# Error responses: MalformedXML, for a body that is not well-formed XML.
MALFORMED_XML = (
    "The XML you provided was not well-formed or did not validate against our published schema"
)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# PutBucketAcl or PutObjectAcl with no ACL at all: neither header nor body.
MISSING_ACL = "Your request was missing a required header"
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)=("[^"]+"|[^",\s]+)\s*')


def valid_bucket_name(name: str) -> bool:
    """Whether S3 lets a general purpose bucket have this name."""
    return (
        bool(_BUCKET_NAME.fullmatch(name))
        and ".." not in name
        and not _IP_ADDRESS.fullmatch(name)
        and not name.startswith(_RESERVED_PREFIXES)
        and not name.endswith(_RESERVED_SUFFIXES)
    )


def _check_bucket_name(operation: str, bucket: Any) -> None:
    if not isinstance(bucket, str):
        return
    if operation == "CreateBucket":
        if not valid_bucket_name(bucket):
            raise AwsError("InvalidBucketName", INVALID_BUCKET_NAME, 400)
    elif bucket.startswith("xn--"):
        # No bucket can have such a name (and moto cannot read it as a host).
        if operation in ("HeadBucket", "HeadObject"):
            raise AwsError("404", "Not Found", 404)  # a HEAD answer has no body
        raise AwsError("NoSuchBucket", NO_SUCH_BUCKET, 404)


def _check_grants(operation: str, params: Mapping[str, Any]) -> None:
    canned = params.get("ACL")
    if canned and canned not in CANNED_ACLS:
        raise AwsError("InvalidArgument", "", 400)
    grants = [params[name] for name in _GRANTS if params.get(name) is not None]
    if (
        operation in ("PutBucketAcl", "PutObjectAcl")
        and not canned
        and not grants
        and params.get("AccessControlPolicy") is None
    ):
        raise AwsError("MissingSecurityHeader", MISSING_ACL, 400)
    if not grants:
        return
    if canned:
        raise AwsError("InvalidRequest", ACL_AND_GRANTS, 400)
    for grant in grants:
        if not all(_GRANTEE.fullmatch(part) for part in str(grant).split(",")):
            raise AwsError("InvalidArgument", GRANT_NOT_READ, 400)


def _check_copy_source(source: Any) -> None:
    """CopyObject names its source as ``bucket/key`` (or a Bucket and Key)."""
    if isinstance(source, Mapping):
        whole = bool(source.get("Bucket")) and bool(source.get("Key"))
    else:
        bucket, _, key = str(source or "").lstrip("/").split("?", 1)[0].partition("/")
        whole = bool(bucket) and bool(key)
    if not whole:
        raise AwsError("InvalidArgument", COPY_SOURCE, 400)


def _holds_no_xml(value: Any) -> bool:
    """Whether a request body member holds a character XML 1.0 cannot carry."""
    if isinstance(value, str):
        return bool(_NOT_XML.search(value))
    if isinstance(value, Mapping):
        return any(_holds_no_xml(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_no_xml(item) for item in value)
    return False


def validate(account: AccountContext, operation: str, params: Mapping[str, Any]) -> None:
    """S3's checks before it acts, in its own words: bucket names, ACL
    headers, XML bodies, page sizes, and a bucket policy it could not enforce."""
    _check_bucket_name(operation, params.get("Bucket"))
    # A structure goes in the XML body; a control character there breaks it.
    if any(_holds_no_xml(value) for value in params.values() if isinstance(value, Mapping)):
        raise AwsError("MalformedXML", MALFORMED_XML, 400)
    keys = params.get("MaxKeys")
    if isinstance(keys, bool):  # sent as max-keys=True
        raise AwsError("InvalidArgument", MAX_KEYS_NOT_INTEGER, 400)
    if isinstance(keys, int) and not 0 <= keys <= 2**31 - 1:
        raise AwsError("InvalidArgument", MAX_KEYS, 400)
    part = params.get("PartNumber")
    if isinstance(part, int) and (isinstance(part, bool) or not 1 <= part <= 10000):
        raise AwsError("InvalidArgument", PART_NUMBER, 400)
    if operation in ("CopyObject", "UploadPartCopy"):
        _check_copy_source(params.get("CopySource"))
    rules = (params.get("ServerSideEncryptionConfiguration") or {}).get("Rules")
    if operation == "PutBucketEncryption" and isinstance(rules, list | tuple) and len(rules) > 1:
        raise AwsError("MalformedXML", MALFORMED_XML, 400)  # one rule, as the schema has it
    token = params.get("ContinuationToken")
    if operation == "ListObjectsV2" and token is not None:
        handed_out = getattr(account.store.s3, "_pagination_tokens", {})
        if token not in handed_out:  # moto cannot go on from a token it never gave
            raise AwsError("InvalidArgument", BAD_CONTINUATION, 400)
    _check_grants(operation, params)
    if operation == "PutBucketPolicy":
        check_bucket_policy(account.store, str(params.get("Bucket", "")), params.get("Policy"))


def _put_object_tagging(call: Call) -> dict[str, Any] | None:
    """PutObjectTagging with an empty TagSet removes an object's tags, as S3
    does; moto cannot read the empty TagSet it is sent."""
    tagging = call.params.get("Tagging")
    tags = tagging.get("TagSet") if isinstance(tagging, Mapping) else None
    if tags is None or len(tags) != 0:
        return None  # moto answers
    from moto.core.exceptions import ServiceException
    from moto.s3.exceptions import MethodNotAllowed, MissingKey, MissingVersion
    from moto.s3.models import FakeDeleteMarker

    backend = call.account.store.s3
    name, version = str(call.params.get("Key", "")), call.params.get("VersionId")
    try:
        key = backend.get_object(
            str(call.params.get("Bucket", "")), name, version_id=version, return_delete_marker=True
        )
        if isinstance(key, FakeDeleteMarker):
            raise MethodNotAllowed(method="PUT", resource_type="DeleteMarker")
        if key is None:
            raise MissingKey(key=name) if version is None else MissingVersion(name, version)
        backend.put_object_tagging(key=key, tags={})
    except ServiceException as error:
        status = {"MethodNotAllowed": 405}.get(
            error.code, 404
        )  # else a missing bucket, key, version
        raise AwsError(error.code, error.message, status) from None
    return {}


SERVICE = Service(
    name="s3",
    title="S3",
    targets=targets,
    resource_policy=bucket_policy,
    denial=DenialStyle(quote_resource=True, policy_arn=", with policy ARN: "),
    validate=validate,
    handlers={"PutObjectTagging": _put_object_tagging},
    root_exempt=frozenset({"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}),
    registries=(("moto.s3.models", "s3_backends", "buckets"),),
    regional=False,
)
