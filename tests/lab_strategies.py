"""Hypothesis strategies for calls made in a Lab: an operation and its parameters.

Parameters are drawn from botocore's model of each operation, member by
member: required members (now and then one left out), a few optional ones,
and for each a value that is either plausible (a user, bucket or table the
account has, a policy document, a DynamoDB item of the right shape) or
hostile (empty, huge, another script, an invalid enum, a wrong type botocore
lets through). Names of things the account holds are known in advance
(:data:`USERS`, :data:`BUCKET`...); what only exists once the account is
built (an access key's id) is drawn as a :class:`Ref` and filled in by the
test that runs the call.

    >>> from hypothesis import given
    >>> @given(st.lists(calls(IAM_OPERATIONS), min_size=1, max_size=4))
    ... def test_something(drawn): ...
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from hypothesis import strategies as st

ACCOUNT = "123456789012"
REGION = "us-east-1"

# --- what the account holds when each example starts --------------------------

USERS = ("alice", "bob", "intern")
RESTRICTED_USER = "intern"
GROUPS = ("developers",)
ROLES = ("app-role", "lambda-role")
CUSTOMER_POLICY = "NotesReadOnly"
INLINE_POLICY = "notes-inline"
INSTANCE_PROFILE = "app-profile"
MFA_DEVICE = "alice-phone"
BUCKET = "lab-notes"
OBJECTS = ("public/readme.txt", "private/plan.txt")
TABLE = "Notes"  # owner (S, HASH), note_id (N, RANGE); index by-title on title (S)
SIMPLE_TABLE = "Simple"  # id (S, HASH)
INDEX = "by-title"
FUNCTION = "hello"
IMAGE = "ami-12c6146b"  # moto launches from any image id it is given


@dataclass(frozen=True)
class Ref:
    """A value only known once the account is built, e.g. an access key's id."""

    name: str


# --- text that trips readers ------------------------------------------------

_HOSTILE = (
    "",
    " ",
    "\t",
    "\n",
    "\x00",
    "a" * 64,
    "a" * 65,
    "a" * 129,
    "a" * 256,
    "a" * 1025,
    "a" * 20000,
    "é",
    "名前",
    "🙂",
    "\u202eevil",
    "zero\u200bwidth",
    "../../etc/passwd",
    "a/b",
    "/",
    "//",
    "*",
    "?",
    "%",
    "%00",
    "#",
    "${aws:username}",
    "'",
    '"',
    "\\",
    "{}",
    "[]",
    "null",
    "true",
    "-1",
    "0",
    "1e309",
    "NaN",
    "xn--a",
    "XN--A",
    "arn:aws:iam::123456789012:user/alice",
    "arn:",
    "arn:" + "a" * 24,  # long enough for an ARN member, with none of an ARN's parts
    "arn:aws:iam::123456789012",
    "arn:aws:s3:::",
    "Alice",
    "ALICE",
)
HOSTILE_TEXT = st.one_of(
    st.sampled_from(_HOSTILE),
    st.text(st.characters(codec="utf-8"), max_size=12),
)
_IAM_NAME = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+=,.@_-"),
    min_size=1,
    max_size=16,
)
_SIMPLE_NAME = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), max_size=16)


def names(existing: tuple[str, ...], fresh: st.SearchStrategy[str] = _IAM_NAME) -> Any:
    """A name the account has, a new one of the right alphabet, or a hostile one."""
    return st.one_of(st.sampled_from(existing), st.sampled_from(existing), fresh, HOSTILE_TEXT)


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


POLICY_ARNS = st.one_of(
    st.sampled_from(
        [
            _arn("policy", CUSTOMER_POLICY),
            _arn("policy", "Missing"),
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "arn:aws:iam::aws:policy/IAMUserChangePassword",
            "arn:aws:iam::aws:policy/NoSuchManagedPolicy",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::999999999999:policy/Other",
            "arn:aws:s3:::lab-notes",
        ]
    ),
    HOSTILE_TEXT,
)
ROLE_ARNS = st.one_of(
    st.sampled_from([_arn("role", r) for r in ROLES] + [_arn("role", "missing")]),
    st.sampled_from(["arn:aws:iam::999999999999:role/other", f"arn:aws:iam::{ACCOUNT}:user/bob"]),
    HOSTILE_TEXT,
)
MFA_SERIALS = st.one_of(
    st.just(Ref("mfa-serial")),
    st.sampled_from(
        [_arn("mfa", "missing"), "GAHT12345678", _arn("mfa", "root-account-mfa-device")]
    ),
    HOSTILE_TEXT,
)
MFA_CODES = st.one_of(
    st.sampled_from(["123456", "000000", "12345", "1234567", "abcdef", "١٢٣٤٥٦"]),
    st.text(st.sampled_from("0123456789"), min_size=6, max_size=6),
    HOSTILE_TEXT,
)
PASSWORDS = st.one_of(
    st.sampled_from(["Corr3ct-Horse-Battery!", "password", "Aa1!", "Pässwörd-123-Ünïcode"]),
    HOSTILE_TEXT,
)
PATHS = st.one_of(
    st.sampled_from(["/", "/teams/", "/teams/dev/", "teams", "/no-end", "//", "/a b/"]),
    HOSTILE_TEXT,
)

# --- policy documents ---------------------------------------------------------


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


_READ_NOTES = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::lab-notes/*"}
IDENTITY_POLICIES = st.one_of(
    st.sampled_from(
        [
            _document(_READ_NOTES),
            _document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
            _document({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
            _document(
                {
                    "Effect": "Allow",
                    "Action": "dynamodb:*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
                }
            ),
            '{"Version": "2012-10-17", "Statement": []}',
            '{"Statement": {"Effect": "Allow"}}',
            "{",
            "[]",
            "not json",
            json.dumps({"Version": "2012-10-17", "Statement": [_READ_NOTES] * 400}),
        ]
    ),
    HOSTILE_TEXT,
)
TRUST_POLICIES = st.one_of(
    st.sampled_from(
        [
            _document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ),
            _document(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
            _document({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}),
            _document({"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}),
        ]
    ),
    IDENTITY_POLICIES,
)
BUCKET_POLICIES = st.one_of(
    st.sampled_from(
        [
            _document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": _arn("user", "bob")},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/*",
                }
            ),
            _document(
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ),
            _document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": _arn("user", "nobody")},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{BUCKET}/*",
                }
            ),
        ]
    ),
    IDENTITY_POLICIES,
)

# --- tags ----------------------------------------------------------------------

_TAG_TEXT = st.one_of(st.sampled_from(["team", "Team", "cost-center", "aws:owner"]), HOSTILE_TEXT)
TAGS = st.lists(st.fixed_dictionaries({"Key": _TAG_TEXT, "Value": _TAG_TEXT}), max_size=4)
MANY_TAGS = st.builds(lambda n: [{"Key": f"k{i}", "Value": "v"} for i in range(n)], st.just(51))

# --- S3 -------------------------------------------------------------------------

BUCKETS = st.one_of(
    st.sampled_from([BUCKET, BUCKET, "lab-archive"]),
    st.sampled_from(
        [
            "xn--a",
            "xn--abc",
            "XN--ABC",
            "xn--bücher",
            "a",
            "ab",
            "Lab-Notes",
            "192.168.5.4",
            "a" * 63,
            "a" * 64,
            "my..bucket",
            "-abc",
            "abc-",
            "sthree-abc",
            "abc-s3alias",
            "abc--ol-s3",
            "abc--x-s3",
            "a_b_c",
            "bucket.name",
        ]
    ),
    _SIMPLE_NAME.filter(bool),
)
OBJECT_KEYS = st.one_of(
    st.sampled_from(OBJECTS),
    st.sampled_from(["public/new.txt", "a" * 1024, "é" * 513, "a//b", "./x", "../x", "\x00"]),
    HOSTILE_TEXT.filter(bool),
)
BODIES = st.one_of(st.binary(max_size=64), st.text(max_size=16), st.just(b"x" * 70000))
GRANTS = st.one_of(
    st.sampled_from(
        [
            'uri="http://acs.amazonaws.com/groups/global/AllUsers"',
            f'id="{"a" * 64}"',
            "emailAddress=nobody@example.com",
            "x",
            "id=",
        ]
    ),
    HOSTILE_TEXT,
)
COPY_SOURCES = st.one_of(
    st.sampled_from([f"{BUCKET}/{OBJECTS[0]}", f"/{BUCKET}/missing", "nobucket", "/"]),
    st.fixed_dictionaries({"Bucket": BUCKETS, "Key": OBJECT_KEYS}),
)

# --- DynamoDB ------------------------------------------------------------------

_NUMBERS = st.one_of(
    st.sampled_from(
        ["1", "-0", "3.14", "1e125", "1e126", "1E-130", "9" * 39, "9" * 40, "", " 1", "abc"]
    ),
    st.sampled_from(["NaN", "Infinity", "0x10", "1_000", "+5", "٣", "1e999999999"]),
    st.integers().map(str),
)
_SCALARS = st.one_of(
    st.builds(
        lambda s: {"S": s}, st.one_of(st.sampled_from(["intern", "alice", "x"]), HOSTILE_TEXT)
    ),
    st.builds(lambda n: {"N": n}, _NUMBERS),
    st.builds(lambda b: {"B": b}, st.binary(max_size=8)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.just({"NULL": False}),
    st.builds(lambda s: {"SS": s}, st.lists(st.sampled_from(["a", "b", ""]), max_size=3)),
    st.builds(lambda s: {"NS": s}, st.lists(_NUMBERS, max_size=3)),
    st.builds(lambda s: {"BS": s}, st.lists(st.binary(max_size=3), max_size=2)),
)
ATTRIBUTE_NAMES = st.one_of(
    st.sampled_from(["owner", "note_id", "title", "id", "body"]), HOSTILE_TEXT
)
ATTRIBUTE_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.builds(lambda values: {"L": values}, st.lists(inner, max_size=3)),
        st.builds(lambda m: {"M": m}, st.dictionaries(ATTRIBUTE_NAMES, inner, max_size=3)),
    ),
    max_leaves=6,
)
_OWNERS = st.sampled_from([{"S": "intern"}, {"S": "alice"}])
NOTE_KEYS = st.one_of(
    st.fixed_dictionaries({"owner": _OWNERS, "note_id": st.sampled_from([{"N": "1"}, {"N": "2"}])}),
    st.fixed_dictionaries({"owner": _OWNERS}),
    st.fixed_dictionaries({"id": st.sampled_from([{"S": "a"}, {"S": ""}])}),
    st.dictionaries(ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, max_size=3),
)
ITEMS = st.one_of(
    st.builds(
        lambda key, more: {**key, **more},
        NOTE_KEYS,
        st.dictionaries(ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, max_size=3),
    ),
    st.builds(lambda n: {"id": {"S": "big"}, "body": {"S": "x" * n}}, st.just(409_600)),
)
_EXPRESSION_WORDS = st.sampled_from(
    [
        "owner",
        "#o",
        ":o",
        ":n",
        "note_id",
        "=",
        "<",
        "BETWEEN",
        "AND",
        "OR",
        "NOT",
        "begins_with(",
        "attribute_exists(",
        ")",
        "(",
        ",",
        "SET",
        "REMOVE",
        "ADD",
        "DELETE",
        "+",
        "-",
        "list_append(",
        "if_not_exists(",
        "size(",
        "[0]",
        ".",
        "title",
        "#t",
        ":t",
        "IN",
    ]
)
EXPRESSIONS = st.one_of(
    st.sampled_from(
        [
            "owner = :o",
            "#o = :o",
            "owner = :o AND note_id > :n",
            "owner = :o AND begins_with(title, :t)",
            "SET title = :t",
            "SET #t = :t REMOVE body",
            "ADD note_id :n",
            "attribute_not_exists(owner)",
            "note_id BETWEEN :n AND :o",
            "title, #o, body[0]",
            "size(title) > :n",
        ]
    ),
    st.lists(_EXPRESSION_WORDS, min_size=1, max_size=7).map(" ".join),
    HOSTILE_TEXT,
)
EXPRESSION_NAMES = st.one_of(
    st.just({"#o": "owner", "#t": "title"}),
    st.dictionaries(st.sampled_from(["#o", "#t", "o", "#", ""]), ATTRIBUTE_NAMES, max_size=3),
)
EXPRESSION_VALUES = st.one_of(
    st.just({":o": {"S": "intern"}, ":n": {"N": "1"}, ":t": {"S": "x"}}),
    st.dictionaries(
        st.sampled_from([":o", ":n", ":t", "o", ":", ""]), ATTRIBUTE_VALUES, max_size=3
    ),
)
_TABLES = (TABLE, SIMPLE_TABLE, "Missing")
TABLE_NAMES = st.one_of(
    names(_TABLES, st.text(st.sampled_from("abcXYZ019_.-"), min_size=1, max_size=12)),
    st.just(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"),
)
STATEMENTS = st.one_of(
    st.sampled_from(
        [
            f'SELECT * FROM "{TABLE}" WHERE owner = ?',
            f'SELECT * FROM "{TABLE}"."{INDEX}" WHERE title = ?',
            f"SELECT * FROM {TABLE}",
            f"INSERT INTO \"{TABLE}\" VALUE {{'owner': ?, 'note_id': ?}}",
            f'UPDATE "{TABLE}" SET title = ? WHERE owner = ? AND note_id = ?',
            f'DELETE FROM "{TABLE}" WHERE owner = ? AND note_id = ?',
            f'SELECT * FROM "{SIMPLE_TABLE}" WHERE id = ?',
            'SELECT * FROM "Missing"',
            "SELECT",
            "SELECT * FROM",
            'SELECT * FROM "',
            "DROP TABLE Notes",
            f"INSERT INTO \"{TABLE}\" VALUE {{'owner': 'x'",
            f'UPDATE "{TABLE}" SET',
        ]
    ),
    HOSTILE_TEXT.filter(bool),
)
KEY_SCHEMAS = st.one_of(
    st.just([{"AttributeName": "id", "KeyType": "HASH"}]),
    st.just(
        [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    ),
    st.lists(
        st.fixed_dictionaries(
            {
                "AttributeName": st.sampled_from(["id", "pk", "sk", "other", "", "é"]),
                "KeyType": st.sampled_from(["HASH", "RANGE", "hash", "BOGUS"]),
            }
        ),
        max_size=3,
    ),
)
ATTRIBUTE_DEFINITIONS = st.one_of(
    st.just([{"AttributeName": "id", "AttributeType": "S"}]),
    st.just(
        [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ]
    ),
    st.lists(
        st.fixed_dictionaries(
            {
                "AttributeName": st.sampled_from(["id", "pk", "sk", "other", "", "é"]),
                "AttributeType": st.sampled_from(["S", "N", "B", "BOOL", "X", "s"]),
            }
        ),
        max_size=4,
    ),
)

# --- Lambda and EC2 -----------------------------------------------------------


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


FUNCTION_ZIP = _zip({"app.py": "def handler(event, context):\n    return event\n"})
CODE = st.one_of(
    st.just({"ZipFile": FUNCTION_ZIP}),
    st.builds(lambda b: {"ZipFile": b}, st.binary(max_size=16)),
    st.just({"S3Bucket": BUCKET, "S3Key": "code.zip"}),
    st.just({}),
)
FUNCTION_NAMES = st.one_of(
    names((FUNCTION, "missing")),
    st.sampled_from(
        [
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}",
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION}:$LATEST",
            f"{ACCOUNT}:function:{FUNCTION}",
            "arn:aws:lambda:eu-west-1:999999999999:function:other",
            f"{FUNCTION}:1",
        ]
    ),
)
INSTANCE_IDS = st.one_of(
    st.just(Ref("instance-id")), st.sampled_from(["i-0123456789abcdef0", "i-", "x"]), HOSTILE_TEXT
)

# --- parameters by member name --------------------------------------------------

_ANY = "*"
# (service or "*", member name) -> the values a member of that name takes.
HINTS: dict[tuple[str, str], Any] = {
    (_ANY, "UserName"): names(USERS),
    (_ANY, "GroupName"): names(GROUPS),
    (_ANY, "RoleName"): names(ROLES),
    (_ANY, "PolicyName"): names((CUSTOMER_POLICY, INLINE_POLICY)),
    (_ANY, "InstanceProfileName"): names((INSTANCE_PROFILE,)),
    (_ANY, "VirtualMFADeviceName"): names((MFA_DEVICE,)),
    (_ANY, "PolicyArn"): POLICY_ARNS,
    ("iam", "PermissionsBoundary"): POLICY_ARNS,
    ("iam", "PolicySourceArn"): st.one_of(
        st.sampled_from([_arn("user", u) for u in USERS] + [_arn("role", ROLES[0])]), HOSTILE_TEXT
    ),
    ("iam", "PolicyDocument"): IDENTITY_POLICIES,
    ("iam", "AssumeRolePolicyDocument"): TRUST_POLICIES,
    ("iam", "PolicyInputList"): st.lists(IDENTITY_POLICIES, max_size=2),
    ("iam", "ActionNames"): st.lists(
        st.one_of(st.sampled_from(["s3:GetObject", "iam:*", "bogus"]), HOSTILE_TEXT), max_size=3
    ),
    ("iam", "VersionId"): st.one_of(st.sampled_from(["v1", "v2", "v9", "1"]), HOSTILE_TEXT),
    (_ANY, "Path"): PATHS,
    (_ANY, "PathPrefix"): PATHS,
    (_ANY, "NewPath"): PATHS,
    (_ANY, "Tags"): st.one_of(TAGS, MANY_TAGS),
    (_ANY, "TagKeys"): st.lists(_TAG_TEXT, max_size=3),
    (_ANY, "SerialNumber"): MFA_SERIALS,
    (_ANY, "AuthenticationCode1"): MFA_CODES,
    (_ANY, "AuthenticationCode2"): MFA_CODES,
    (_ANY, "TokenCode"): MFA_CODES,
    (_ANY, "Password"): PASSWORDS,
    (_ANY, "NewPassword"): PASSWORDS,
    (_ANY, "OldPassword"): PASSWORDS,
    ("iam", "AccessKeyId"): st.one_of(
        st.just(Ref("alice-key")), st.just(Ref("intern-key")), HOSTILE_TEXT
    ),
    ("sts", "AccessKeyId"): st.one_of(st.just(Ref("alice-key")), HOSTILE_TEXT),
    ("iam", "AccountAlias"): names(("lab-account",), _SIMPLE_NAME),
    (_ANY, "RoleArn"): ROLE_ARNS,
    ("sts", "Policy"): IDENTITY_POLICIES,
    ("sts", "PolicyArns"): st.lists(st.fixed_dictionaries({"arn": POLICY_ARNS}), max_size=2),
    ("sts", "RoleSessionName"): names(("lab-session",)),
    ("sts", "Name"): names(("federated",)),
    ("sts", "EncodedMessage"): st.one_of(st.just(Ref("encoded-message")), HOSTILE_TEXT),
    # S3
    ("s3", "Bucket"): BUCKETS,
    ("s3", "Key"): OBJECT_KEYS,
    ("s3", "Body"): BODIES,
    ("s3", "Policy"): BUCKET_POLICIES,
    ("s3", "CopySource"): COPY_SOURCES,
    ("s3", "GrantRead"): GRANTS,
    ("s3", "GrantWrite"): GRANTS,
    ("s3", "GrantFullControl"): GRANTS,
    ("s3", "GrantReadACP"): GRANTS,
    ("s3", "GrantWriteACP"): GRANTS,
    ("s3", "Tagging"): st.one_of(
        st.sampled_from(["team=dev", "a=1&b=2", "=", "a", "a=%ZZ", "&&"]), HOSTILE_TEXT
    ),
    ("s3", "Prefix"): st.one_of(st.sampled_from(["public/", "p", ""]), HOSTILE_TEXT),
    ("s3", "Delimiter"): st.one_of(st.just("/"), HOSTILE_TEXT),
    ("s3", "Range"): st.one_of(
        st.sampled_from(["bytes=0-1", "bytes=5-2", "bytes=-3", "bytes=100-", "items=0-1"]),
        HOSTILE_TEXT,
    ),
    ("s3", "ContentMD5"): st.one_of(st.just("1B2M2Y8AsgTpgAmY7PhCfg=="), HOSTILE_TEXT),
    ("s3", "ExpectedBucketOwner"): st.one_of(
        st.sampled_from([ACCOUNT, "999999999999"]), HOSTILE_TEXT
    ),
    ("s3", "Metadata"): st.dictionaries(_TAG_TEXT, _TAG_TEXT, max_size=2),
    # DynamoDB
    ("dynamodb", "TableName"): TABLE_NAMES,
    ("dynamodb", "IndexName"): names((INDEX, "missing-index")),
    ("dynamodb", "Key"): NOTE_KEYS,
    ("dynamodb", "ExclusiveStartKey"): NOTE_KEYS,
    ("dynamodb", "Item"): ITEMS,
    ("dynamodb", "KeySchema"): KEY_SCHEMAS,
    ("dynamodb", "AttributeDefinitions"): ATTRIBUTE_DEFINITIONS,
    ("dynamodb", "KeyConditionExpression"): EXPRESSIONS,
    ("dynamodb", "FilterExpression"): EXPRESSIONS,
    ("dynamodb", "ConditionExpression"): EXPRESSIONS,
    ("dynamodb", "UpdateExpression"): EXPRESSIONS,
    ("dynamodb", "ProjectionExpression"): EXPRESSIONS,
    ("dynamodb", "ExpressionAttributeNames"): EXPRESSION_NAMES,
    ("dynamodb", "ExpressionAttributeValues"): EXPRESSION_VALUES,
    ("dynamodb", "Statement"): STATEMENTS,
    ("dynamodb", "Parameters"): st.lists(ATTRIBUTE_VALUES, max_size=3),
    ("dynamodb", "AttributeValueList"): st.lists(ATTRIBUTE_VALUES, max_size=2),
    ("dynamodb", "ResourceArn"): st.one_of(
        st.just(f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"), HOSTILE_TEXT
    ),
    ("dynamodb", "AttributesToGet"): st.lists(ATTRIBUTE_NAMES, max_size=3),
    # Lambda
    ("lambda", "FunctionName"): FUNCTION_NAMES,
    ("lambda", "Role"): ROLE_ARNS,
    ("lambda", "Code"): CODE,
    ("lambda", "ZipFile"): st.one_of(st.just(FUNCTION_ZIP), st.binary(max_size=8)),
    ("lambda", "Handler"): st.one_of(st.just("app.handler"), HOSTILE_TEXT),
    ("lambda", "Payload"): st.one_of(
        st.sampled_from([b"{}", b'{"a": 1}', b"not json", b"", b"[" * 1000]), st.binary(max_size=8)
    ),
    ("lambda", "Principal"): st.one_of(
        st.sampled_from(["s3.amazonaws.com", "*", ACCOUNT, _arn("user", "bob")]), HOSTILE_TEXT
    ),
    ("lambda", "Action"): st.one_of(
        st.sampled_from(["lambda:InvokeFunction", "lambda:*", "s3:GetObject"]), HOSTILE_TEXT
    ),
    ("lambda", "StatementId"): names(("allow-s3",)),
    ("lambda", "Qualifier"): st.one_of(st.sampled_from(["$LATEST", "1", "live"]), HOSTILE_TEXT),
    # EC2
    ("ec2", "ImageId"): st.one_of(st.sampled_from([IMAGE, "ami-missing"]), HOSTILE_TEXT),
    ("ec2", "InstanceType"): st.one_of(st.sampled_from(["t2.micro", "t9.huge"]), HOSTILE_TEXT),
    ("ec2", "InstanceIds"): st.lists(INSTANCE_IDS, max_size=2),
    ("ec2", "InstanceId"): INSTANCE_IDS,
    ("ec2", "IamInstanceProfile"): st.one_of(
        st.fixed_dictionaries({"Name": names((INSTANCE_PROFILE,))}),
        st.fixed_dictionaries({"Arn": st.just(_arn("instance-profile", INSTANCE_PROFILE))}),
        st.just({}),
    ),
    ("ec2", "AssociationId"): st.one_of(st.just(Ref("association-id")), HOSTILE_TEXT),
}
# A hint that holds for one type of member only: S3's Tagging is a header
# string on objects and a structure on buckets; Lambda's Tags are a map.
_HINT_TYPES = {("s3", "Tagging"): "string", (_ANY, "Tags"): "list"}
# (service, shape name) -> values of every member of that shape, at any depth.
SHAPE_HINTS: dict[tuple[str, str], Any] = {
    ("dynamodb", "AttributeValue"): ATTRIBUTE_VALUES,
    ("dynamodb", "AttributeName"): ATTRIBUTE_NAMES,
    ("dynamodb", "TableArn"): TABLE_NAMES,
    ("dynamodb", "TableName"): TABLE_NAMES,
    ("dynamodb", "ExpressionAttributeNameVariable"): st.sampled_from(["#o", "#t", "o", "#"]),
    ("dynamodb", "ExpressionAttributeValueVariable"): st.sampled_from([":o", ":n", ":t", "o"]),
}

# --- values from botocore's model -----------------------------------------------

_HOSTILE_INTEGERS = st.sampled_from([0, -1, 1, 2**31, 2**63, 2**64 + 1, -(2**63) - 1, 10**30])
# Where botocore lets another type through: bool is an int, a tuple is a list.
_WRONG_TYPES: dict[str, Any] = {
    "integer": st.booleans(),
    "long": st.booleans(),
    "double": st.sampled_from([float("inf"), float("nan"), True]),
    "float": st.sampled_from([float("inf"), float("nan"), True]),
    "blob": st.text(max_size=8),
}


@cache
def _model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def _scalar(service: str, shape: Any) -> Any:
    """Values of a string, number, boolean, timestamp or blob shape."""
    kind = shape.type_name
    if kind == "string":
        enum = list(getattr(shape, "enum", None) or ())
        if enum:
            return st.one_of(st.sampled_from(enum), st.sampled_from(enum), HOSTILE_TEXT)
        return st.one_of(_IAM_NAME, HOSTILE_TEXT)
    if kind in ("integer", "long"):
        low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 100)
        plausible = st.integers(min_value=low, max_value=max(low, min(high, 10**6)))
        return st.one_of(plausible, plausible, _HOSTILE_INTEGERS, _WRONG_TYPES[kind])
    if kind == "boolean":
        return st.booleans()
    if kind in ("double", "float"):
        return st.one_of(st.floats(allow_nan=False, allow_infinity=False), _WRONG_TYPES[kind])
    if kind == "timestamp":
        return st.one_of(
            st.datetimes(min_value=datetime(1970, 1, 2), timezones=st.just(UTC)),
            st.sampled_from(["2020-01-01T00:00:00Z", 0]),
        )
    if kind == "blob":
        return st.one_of(st.binary(max_size=16), _WRONG_TYPES["blob"])
    return st.none()


def value_of(service: str, name: str, shape: Any, depth: int = 0) -> Any:
    """Values of one member, by its name where the name says what it holds, else by its shape."""
    kind = shape.type_name
    for key in ((service, name), (_ANY, name)):
        hinted = HINTS.get(key)
        if hinted is not None and _HINT_TYPES.get(key, kind) == kind:
            return hinted
    hinted = SHAPE_HINTS.get((service, shape.name))
    if hinted is not None:
        return hinted
    if kind == "structure":
        return structure(service, shape, depth + 1)
    if kind == "list":
        member = value_of(service, "member", shape.member, depth + 1)
        if depth > 3:
            return st.just([])
        return st.one_of(st.lists(member, max_size=3), st.lists(member, max_size=2).map(tuple))
    if kind == "map":
        if depth > 3:
            return st.just({})
        keys = SHAPE_HINTS.get((service, shape.key.name))
        if keys is None:
            keys = _scalar(service, shape.key)
        return st.dictionaries(keys, value_of(service, "value", shape.value, depth + 1), max_size=2)
    return _scalar(service, shape)


def structure(service: str, shape: Any, depth: int = 0, top: bool = False) -> Any:
    """A structure's members: its required ones, now and then one left out, and
    up to three optional ones."""
    required = list(shape.required_members)
    optional = [name for name in shape.members if name not in required]
    if depth > 4:
        return st.just({})

    def build(chosen: list[str], dropped: str | None) -> Any:
        members = [name for name in required if name != dropped] + chosen
        return st.fixed_dictionaries(
            {name: value_of(service, name, shape.members[name], depth) for name in members}
        )

    drops: Any = st.none()
    if required:
        drops = st.one_of(st.none(), st.none(), st.none(), st.sampled_from(required))
    picks = (
        st.lists(st.sampled_from(optional), max_size=3, unique=True) if optional else st.just([])
    )
    return st.tuples(picks, drops).flatmap(lambda drawn: build(*drawn))


@cache
def parameters(service: str, operation: str) -> Any:
    """The parameters of one call of ``operation``."""
    shape = _model(service).operation_model(operation).input_shape
    if shape is None:
        return st.just({})
    return structure(service, shape, top=True)


def calls(operations: tuple[tuple[str, str], ...]) -> Any:
    """One call: ``(service, operation, parameters)`` of any of ``operations``."""
    return st.sampled_from(operations).flatmap(
        lambda chosen: parameters(*chosen).map(lambda params: (*chosen, params))
    )


def resolve(value: Any, refs: dict[str, Any]) -> Any:
    """``value`` with every :class:`Ref` replaced by what the account holds."""
    if isinstance(value, Ref):
        return refs.get(value.name, value.name)
    if isinstance(value, dict):
        return {key: resolve(item, refs) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(resolve(item, refs) for item in value)
    return value


# --- the operations the course uses ------------------------------------------------


def _of(service: str, *operations: str) -> tuple[tuple[str, str], ...]:
    return tuple((service, operation) for operation in operations)


IAM_OPERATIONS = _of(
    "iam",
    "CreateUser",
    "GetUser",
    "UpdateUser",
    "DeleteUser",
    "ListUsers",
    "TagUser",
    "UntagUser",
    "ListUserTags",
    "CreateGroup",
    "GetGroup",
    "DeleteGroup",
    "AddUserToGroup",
    "RemoveUserFromGroup",
    "ListGroupsForUser",
    "ListGroups",
    "CreateRole",
    "GetRole",
    "DeleteRole",
    "UpdateRole",
    "UpdateAssumeRolePolicy",
    "TagRole",
    "UntagRole",
    "CreatePolicy",
    "GetPolicy",
    "DeletePolicy",
    "CreatePolicyVersion",
    "GetPolicyVersion",
    "ListPolicyVersions",
    "SetDefaultPolicyVersion",
    "DeletePolicyVersion",
    "ListPolicies",
    "TagPolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutUserPolicy",
    "GetUserPolicy",
    "DeleteUserPolicy",
    "PutGroupPolicy",
    "PutRolePolicy",
    "GetRolePolicy",
    "ListAttachedUserPolicies",
    "ListAttachedGroupPolicies",
    "ListAttachedRolePolicies",
    "ListUserPolicies",
    "ListRolePolicies",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "PutRolePermissionsBoundary",
    "CreateAccessKey",
    "ListAccessKeys",
    "UpdateAccessKey",
    "DeleteAccessKey",
    "GetAccessKeyLastUsed",
    "CreateLoginProfile",
    "GetLoginProfile",
    "UpdateLoginProfile",
    "DeleteLoginProfile",
    "ChangePassword",
    "CreateVirtualMFADevice",
    "EnableMFADevice",
    "DeactivateMFADevice",
    "DeleteVirtualMFADevice",
    "ResyncMFADevice",
    "ListMFADevices",
    "ListVirtualMFADevices",
    "UpdateAccountPasswordPolicy",
    "GetAccountPasswordPolicy",
    "DeleteAccountPasswordPolicy",
    "GetAccountSummary",
    "CreateAccountAlias",
    "DeleteAccountAlias",
    "ListAccountAliases",
    "CreateInstanceProfile",
    "AddRoleToInstanceProfile",
    "GetAccountAuthorizationDetails",
    "SimulatePrincipalPolicy",
    "SimulateCustomPolicy",
)
STS_OPERATIONS = _of(
    "sts",
    "GetCallerIdentity",
    "GetSessionToken",
    "AssumeRole",
    "GetFederationToken",
    "DecodeAuthorizationMessage",
    "GetAccessKeyInfo",
)
S3_OPERATIONS = _of(
    "s3",
    "CreateBucket",
    "DeleteBucket",
    "HeadBucket",
    "ListBuckets",
    "GetBucketLocation",
    "ListObjects",
    "ListObjectsV2",
    "PutObject",
    "GetObject",
    "HeadObject",
    "DeleteObject",
    "DeleteObjects",
    "CopyObject",
    "PutBucketPolicy",
    "GetBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketTagging",
    "GetBucketTagging",
    "PutObjectTagging",
    "GetObjectTagging",
    "PutBucketVersioning",
    "GetBucketAcl",
    "PutBucketAcl",
    "PutObjectAcl",
    "PutPublicAccessBlock",
    "PutBucketEncryption",
)
DYNAMODB_OPERATIONS = _of(
    "dynamodb",
    "CreateTable",
    "DescribeTable",
    "DeleteTable",
    "ListTables",
    "UpdateTable",
    "PutItem",
    "GetItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "TransactGetItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
    "TagResource",
    "ListTagsOfResource",
    "UpdateTimeToLive",
    "DescribeTimeToLive",
)
LAMBDA_EC2_OPERATIONS = _of(
    "lambda",
    "CreateFunction",
    "GetFunction",
    "ListFunctions",
    "Invoke",
    "DeleteFunction",
    "AddPermission",
    "GetPolicy",
    "UpdateFunctionConfiguration",
) + _of(
    "ec2",
    "RunInstances",
    "DescribeInstances",
    "TerminateInstances",
    "AssociateIamInstanceProfile",
    "DescribeIamInstanceProfileAssociations",
)
OPERATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "iam": IAM_OPERATIONS,
    "sts": STS_OPERATIONS,
    "s3": S3_OPERATIONS,
    "dynamodb": DYNAMODB_OPERATIONS,
    "lambda-ec2": LAMBDA_EC2_OPERATIONS,
}
