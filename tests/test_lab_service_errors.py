"""Each call that once crashed inside moto or the Lab, answered as AWS answers it.

The fuzzing in ``test_lab_fuzz.py`` found these; each row is one call, the
error AWS gives for it (code and message) and the page that says so. Every
row also keeps the rest of the contract: the call is in the trail with the
code the caller got, and a failed call changed nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError, HTTPClientError, ParamValidationError

from labkit import Lab
from labkit.lab.services import dynamodb, ec2, iam, lambda_, s3
from labkit.lab.validation import NOT_A_VALUE
from tests import lab_strategies as ls
from tests.test_lab_fuzz import Account, account_state, build_account, without_default_images

NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed"


@dataclass(frozen=True)
class Case:
    """One call and AWS's answer to it."""

    name: str
    service: str
    operation: str
    params: dict[str, Any]
    code: str
    message: str
    status: int = 400
    who: str = "root"
    setup: tuple[tuple[str, str, dict[str, Any]], ...] = field(default=())


def _table(**params: Any) -> dict[str, Any]:
    return {"TableName": "fresh", "BillingMode": "PAY_PER_REQUEST", **params}


HASH_ID = [{"AttributeName": "id", "KeyType": "HASH"}]
ID_S = [{"AttributeName": "id", "AttributeType": "S"}]

CASES = [
    # DynamoDB API Reference, CreateTable and KeySchemaElement
    # (docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html): "For a
    # composite primary key ... The first element must have a KeyType of HASH, and the second
    # element must have a KeyType of RANGE"; moto raised KeyError without a KeySchema.
    Case(
        "table without a key schema",
        "dynamodb",
        "CreateTable",
        _table(),
        "ValidationException",
        "2 validation errors detected: Value null at 'keySchema' failed to satisfy constraint: "
        "Member must not be null; Value null at 'attributeDefinitions' failed to satisfy "
        "constraint: Member must not be null",
    ),
    Case(
        "table keyed by a sort key alone",
        "dynamodb",
        "CreateTable",
        _table(KeySchema=[{"AttributeName": "id", "KeyType": "RANGE"}], AttributeDefinitions=ID_S),
        "ValidationException",
        dynamodb.FIRST_NOT_HASH,
    ),
    Case(
        "table with two partition keys",
        "dynamodb",
        "CreateTable",
        _table(
            KeySchema=[
                {"AttributeName": "a", "KeyType": "HASH"},
                {"AttributeName": "b", "KeyType": "HASH"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "a", "AttributeType": "S"},
                {"AttributeName": "b", "AttributeType": "S"},
            ],
        ),
        "ValidationException",
        dynamodb.SECOND_NOT_RANGE,
    ),
    Case(
        "table keyed twice by one attribute",
        "dynamodb",
        "CreateTable",
        _table(
            KeySchema=[
                {"AttributeName": "id", "KeyType": "HASH"},
                {"AttributeName": "id", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=ID_S,
        ),
        "ValidationException",
        dynamodb.SAME_KEY_NAMES,
    ),
    # AttributeDefinition: "AttributeType ... Valid Values: S | N | B".
    Case(
        "key attribute of no DynamoDB type",
        "dynamodb",
        "CreateTable",
        _table(
            KeySchema=HASH_ID, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "X"}]
        ),
        "ValidationException",
        "1 validation error detected: Value 'X' at 'attributeDefinitions.1.member.attributeType' "
        "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]",
    ),
    # TransactWriteItems (API_TransactWriteItems.html): each item is one of ConditionCheck,
    # Put, Update, Delete; moto raised IndexError for an empty one.
    Case(
        "transaction item with no action",
        "dynamodb",
        "TransactWriteItems",
        {"TransactItems": [{}]},
        "ValidationException",
        dynamodb.ONE_ACTION,
    ),
    # ExecuteStatement (API_ExecuteStatement.html); DynamoDB's words for a statement that is
    # not a DML statement, confirmed against DynamoDB (nubo-db/dynoxide#149).
    Case(
        "PartiQL that is no data manipulation",
        "dynamodb",
        "ExecuteStatement",
        {"Statement": "DROP TABLE Notes"},
        "ValidationException",
        dynamodb.NOT_DATA_MANIPULATION,
    ),
    Case(
        "PartiQL cut short",
        "dynamodb",
        "ExecuteStatement",
        {"Statement": "SELECT * FROM"},
        "ValidationException",
        NOT_WELL_FORMED,
    ),
    Case(
        "PartiQL placeholders without parameters",
        "dynamodb",
        "ExecuteStatement",
        {"Statement": f"INSERT INTO \"{ls.TABLE}\" VALUE {{'owner': ?, 'note_id': ?}}"},
        "ValidationException",
        dynamodb.PARAMETER_COUNT,
    ),
    Case(
        "PartiQL delete of a whole table",
        "dynamodb",
        "ExecuteStatement",
        {"Statement": f'DELETE FROM "{ls.TABLE}"'},
        "ValidationException",
        dynamodb.WHERE_KEYS,
    ),
    Case(
        "PartiQL batch with no statement in it",
        "dynamodb",
        "BatchExecuteStatement",
        {"Statements": [{"Statement": "hello"}]},
        "ValidationException",
        dynamodb.NOT_DATA_MANIPULATION,
    ),
    Case(
        "PartiQL transaction with no statement in it",
        "dynamodb",
        "ExecuteTransaction",
        {"TransactStatements": [{"Statement": "hello"}]},
        "ValidationException",
        dynamodb.NOT_DATA_MANIPULATION,
    ),
    # Query (API_Query.html): the partition key is named by KeyConditionExpression (or the
    # legacy KeyConditions); moto raised UnboundLocalError on a QueryFilter alone.
    Case(
        "query with a filter and no key condition",
        "dynamodb",
        "Query",
        {"TableName": ls.SIMPLE_TABLE, "QueryFilter": {"id": {"ComparisonOperator": "NE"}}},
        "ValidationException",
        dynamodb.KEY_CONDITION_NEEDED,
    ),
    # TransactWriteItems: an item's expression names only placeholders it defines (as for
    # PutItem); moto raised KeyError inside a transaction.
    Case(
        "transaction condition with an undefined name",
        "dynamodb",
        "TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Put": {
                        "TableName": ls.TABLE,
                        "Item": {"owner": {"S": "x"}, "note_id": {"N": "5"}},
                        "ConditionExpression": "attribute_not_exists(#o)",
                    }
                }
            ]
        },
        "ValidationException",
        "Invalid ConditionExpression: " + dynamodb.NAME_NOT_DEFINED.format("#o"),
    ),
    # GetItem/TransactGetItems: a key's values are S, N or B (KeySchemaElement); moto raised
    # TypeError hashing a list inside a transaction.
    Case(
        "transaction read by a key that is a list",
        "dynamodb",
        "TransactGetItems",
        {"TransactItems": [{"Get": {"TableName": ls.SIMPLE_TABLE, "Key": {"id": {"L": []}}}}]},
        "ValidationException",
        dynamodb.KEY_NOT_SCHEMA,
    ),
    # A condition holding a character no expression has: a syntax error at that token, as
    # DynamoDB reports one (moto's UpdateExpression tokenizer words it the same way); moto's
    # condition reader raised ValueError.
    Case(
        "condition holding a stray character",
        "dynamodb",
        "DeleteItem",
        {
            "TableName": ls.TABLE,
            "Key": {"owner": {"S": "alice"}, "note_id": {"N": "1"}},
            "ConditionExpression": "note_id @ :n",
            "ExpressionAttributeValues": {":n": {"N": "1"}},
        },
        "ValidationException",
        'Invalid ConditionExpression: Syntax error; token: "@", near: "note_id @"',
    ),
    # BatchWriteItem (API_BatchWriteItem.html): a WriteRequest is a PutRequest or a
    # DeleteRequest; moto raised IndexError for an empty one.
    Case(
        "batch write request that is neither put nor delete",
        "dynamodb",
        "BatchWriteItem",
        {"RequestItems": {ls.TABLE: [{}]}},
        "ValidationException",
        dynamodb.ONE_WRITE,
    ),
    # S3 User Guide, "General purpose bucket naming rules"
    # (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): "Bucket names
    # must not start with the prefix xn--" and "must not be formatted as an IP address";
    # S3 API Reference, "Error responses": InvalidBucketName, "The specified bucket is not
    # valid." moto raised UnicodeError for xn--a.
    Case(
        "bucket named xn--",
        "s3",
        "CreateBucket",
        {"Bucket": "xn--a"},
        "InvalidBucketName",
        s3.INVALID_BUCKET_NAME,
    ),
    Case(
        "bucket named like an IP address",
        "s3",
        "CreateBucket",
        {"Bucket": "192.168.5.4"},
        "InvalidBucketName",
        s3.INVALID_BUCKET_NAME,
    ),
    Case(
        "bucket named with capitals",
        "s3",
        "CreateBucket",
        {"Bucket": "Lab-Notes"},
        "InvalidBucketName",
        s3.INVALID_BUCKET_NAME,
    ),
    Case(
        "object of a bucket no one can have",
        "s3",
        "GetObject",
        {"Bucket": "xn--a", "Key": "k"},
        "NoSuchBucket",
        s3.NO_SUCH_BUCKET,
        404,
    ),
    # A HEAD answer has no body: botocore names the error by its status.
    Case("head of such a bucket", "s3", "HeadBucket", {"Bucket": "xn--a"}, "404", "Not Found", 404),
    # CreateBucket (API_CreateBucket.html): with x-amz-acl "you cannot use other access
    # control-specific headers in your request"; moto raised AttributeError and left the
    # bucket created.
    Case(
        "bucket with a canned ACL and grants",
        "s3",
        "CreateBucket",
        {"Bucket": "fresh-bucket", "ACL": "private", "GrantRead": "x"},
        "InvalidRequest",
        s3.ACL_AND_GRANTS,
    ),
    # A grant header S3 cannot read: InvalidArgument "Argument format not recognized", as S3
    # answered aws/aws-sdk-ruby#684 (grantee types: id, uri, emailAddress).
    Case(
        "bucket with a grant S3 cannot read",
        "s3",
        "CreateBucket",
        {"Bucket": "fresh-bucket", "GrantRead": "x"},
        "InvalidArgument",
        s3.GRANT_NOT_READ,
    ),
    Case(
        "object ACL with a grant S3 cannot read",
        "s3",
        "PutObjectAcl",
        {"Bucket": ls.BUCKET, "Key": ls.OBJECTS[0], "GrantRead": "id="},
        "InvalidArgument",
        s3.GRANT_NOT_READ,
    ),
    # User Guide, "Access control list (ACL) overview", Canned ACL; S3 answers another value
    # with InvalidArgument and no message (versity/versitygw#1379, against S3).
    Case(
        "bucket with a canned ACL that does not exist",
        "s3",
        "CreateBucket",
        {"Bucket": "fresh-bucket", "ACL": "bogus"},
        "InvalidArgument",
        "",
    ),
    # PutBucketAcl (API_PutBucketAcl.html): the ACL comes in headers or in the body; with
    # neither S3 answers MissingSecurityHeader (as to pulumi/docs#16293). moto raised
    # ExpatError on the empty body.
    Case(
        "bucket ACL with no ACL",
        "s3",
        "PutBucketAcl",
        {"Bucket": ls.BUCKET},
        "MissingSecurityHeader",
        s3.MISSING_ACL,
    ),
    # "Error responses": MalformedXML. botocore writes a control character into the XML body
    # as it is, which no XML reader takes (moto raised ExpatError).
    Case(
        "bucket tag holding a control character",
        "s3",
        "PutBucketTagging",
        {"Bucket": ls.BUCKET, "Tagging": {"TagSet": [{"Key": "team", "Value": "a\x1cb"}]}},
        "MalformedXML",
        s3.MALFORMED_XML,
    ),
    # CopyObject (API_CopyObject.html), x-amz-copy-source: bucket and key, separated by a
    # slash; moto raised ValueError on "/".
    Case(
        "copy from no object",
        "s3",
        "CopyObject",
        {"Bucket": ls.BUCKET, "Key": "copy", "CopySource": "/"},
        "InvalidArgument",
        s3.COPY_SOURCE,
    ),
    # PutBucketEncryption: the configuration holds one rule; moto raised AttributeError on two.
    Case(
        "two encryption rules",
        "s3",
        "PutBucketEncryption",
        {
            "Bucket": ls.BUCKET,
            "ServerSideEncryptionConfiguration": {
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}},
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}},
                ]
            },
        },
        "MalformedXML",
        s3.MALFORMED_XML,
    ),
    # ListObjects (API_ListObjects.html): max-keys is a count of keys; moto raised IndexError
    # on a negative one.
    Case(
        "negative page of objects",
        "s3",
        "ListObjects",
        {"Bucket": ls.BUCKET, "MaxKeys": -1},
        "InvalidArgument",
        s3.MAX_KEYS,
    ),
    Case(
        "page of objects given as False",
        "s3",
        "ListObjectsV2",
        {"Bucket": ls.BUCKET, "MaxKeys": False},
        "InvalidArgument",
        s3.MAX_KEYS_NOT_INTEGER,
    ),
    # ListObjectsV2 (API_ListObjectsV2.html): ContinuationToken is one S3 handed out (moto's
    # InvalidContinuationToken words it as S3 does); moto raised TypeError on another.
    Case(
        "continuation token S3 never handed out",
        "s3",
        "ListObjectsV2",
        {"Bucket": ls.BUCKET, "ContinuationToken": "zJL"},
        "InvalidArgument",
        s3.BAD_CONTINUATION,
    ),
    # IAM API Reference, "Common Errors": InvalidParameterValue. True is an int to Python and
    # to botocore, and goes out as the text "True"; moto raised ValueError.
    Case(
        "IAM page size given as True",
        "iam",
        "ListUsers",
        {"MaxItems": True},
        "InvalidParameterValue",
        NOT_A_VALUE,
    ),
    # IAM API Reference, ListAttachedGroupPolicies, "Errors": InvalidInput; moto read the
    # marker as a number and raised ValueError.
    Case(
        "IAM marker IAM never handed out",
        "iam",
        "ListAttachedGroupPolicies",
        {"GroupName": ls.GROUPS[0], "Marker": "1e309"},
        "InvalidInput",
        "The request was rejected because an invalid or out-of-range value was supplied for an "
        "input parameter.",
    ),
    Case(
        "IAM policy list marker IAM never handed out",
        "iam",
        "ListPolicies",
        {"Marker": "srcq,1yuGv.5zc"},
        "InvalidInput",
        "The request was rejected because an invalid or out-of-range value was supplied for an "
        "input parameter.",
    ),
    # CreateLoginProfile (API_CreateLoginProfile.html), Password: "This parameter must be
    # omitted when you make the request with an AssumeRoot session. It is required in all
    # other cases." The Lab's own handler raised KeyError without one.
    Case(
        "login profile without a password",
        "iam",
        "CreateLoginProfile",
        {"UserName": "bob"},
        "ValidationError",
        "1 validation error detected: " + iam.PASSWORD_NEEDED,
    ),
    # IAM's words for an ARN it cannot read (moto's policy_arn_regex check says the same).
    Case(
        "policy ARN with none of an ARN's parts",
        "iam",
        "AttachUserPolicy",
        {"UserName": "bob", "PolicyArn": "arn:" + "a" * 24},
        "InvalidInput",
        f"ARN arn:{'a' * 24} is not valid.",
    ),
    # AWS Lambda API Reference, GetPolicy (API_GetPolicy.html), FunctionName's pattern; the
    # Lab's policy lookup raised IndexError on "arn:".
    Case(
        "function named arn:",
        "lambda",
        "GetPolicy",
        {"FunctionName": "arn:"},
        "ValidationException",
        "1 validation error detected: Value 'arn:' at 'functionName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
        r"(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?",
    ),
    # Invoke (API_Invoke.html), "Errors": InvalidRequestContentException; moto raised
    # UnicodeDecodeError on an event that is not UTF-8.
    Case(
        "event that is not text",
        "lambda",
        "Invoke",
        {"FunctionName": ls.FUNCTION, "Payload": b"eH\xb4\xeb"},
        "InvalidRequestContentException",
        lambda_.PAYLOAD_NOT_JSON.format(0xB4),
    ),
    # "arn:aaa..." is a name and a qualifier to Lambda, not an ARN; the Lab's policy lookup
    # raised IndexError on it.
    Case(
        "function named like an ARN",
        "lambda",
        "DeleteFunction",
        {"FunctionName": "arn:" + "a" * 24},
        "ResourceNotFoundException",
        f"Function not found: arn:aws:lambda:{ls.REGION}:{ls.ACCOUNT}:function:arn:{'a' * 24}",
        404,
    ),
    # Amazon EC2 API Reference, "Error codes for the Amazon EC2 API": InvalidInstanceID.Malformed,
    # worded as EC2 words a malformed AMI id; moto wrote the id into XML botocore could not read.
    Case(
        "instance id that cannot be one",
        "ec2",
        "AssociateIamInstanceProfile",
        {"IamInstanceProfile": {"Name": ls.INSTANCE_PROFILE}, "InstanceId": "J\x0cx"},
        "InvalidInstanceID.Malformed",
        ec2.MALFORMED_INSTANCE_ID.format("J\x0cx"),
    ),
    Case(
        "EC2 pagination token EC2 never handed out",
        "ec2",
        "DescribeInstances",
        {"NextToken": "x"},
        "InvalidPaginationToken",
        ec2.INVALID_TOKEN,
    ),
    Case(
        "EC2 filter that does not exist",
        "ec2",
        "DescribeInstances",
        {"Filters": [{"Name": "{}", "Values": ["a"]}]},
        "InvalidParameterValue",
        "The filter '{}' is invalid",
    ),
    # DescribeInstances, MaxResults: "You can specify a value of 5 to 1000"; moto raised
    # IndexError on -1.
    Case(
        "EC2 page of no instances",
        "ec2",
        "DescribeInstances",
        {"MaxResults": -1},
        "InvalidParameterValue",
        ec2.PAGE_TOO_SMALL.format(-1),
    ),
    Case(
        "EC2 instance count given as False",
        "ec2",
        "RunInstances",
        {"ImageId": ls.IMAGE, "MinCount": False, "MaxCount": 1},
        "InvalidParameterValue",
        NOT_A_VALUE,
    ),
    Case(
        "no instances at all",
        "ec2",
        "RunInstances",
        {"ImageId": ls.IMAGE, "MinCount": 0, "MaxCount": 0},
        "InvalidParameterValue",
        ec2.NOT_A_VALUE,
    ),
    # moto builds every instance asked for: past the account's limit EC2 refuses instead.
    Case(
        "more instances than the account's limit",
        "ec2",
        "RunInstances",
        {"ImageId": ls.IMAGE, "MinCount": 2**31, "MaxCount": 2**31},
        "InstanceLimitExceeded",
        ec2.TOO_MANY_INSTANCES.format(2**31),
    ),
    Case(
        "instance profile given by neither name nor ARN",
        "ec2",
        "AssociateIamInstanceProfile",
        {"IamInstanceProfile": {}, "InstanceId": "i-0123456789abcdef0"},
        "MissingParameter",
        ec2.MISSING_PARAMETER,
    ),
    # moto opened a reservation before it looked for the subnet, and left it: none is left now.
    Case(
        "launch into a subnet that does not exist",
        "ec2",
        "RunInstances",
        {"ImageId": ls.IMAGE, "MinCount": 1, "MaxCount": 1, "SubnetId": "subnet-0"},
        "InvalidSubnetID.NotFound",
        "The subnet ID 'subnet-0' does not exist",
    ),
    # A client for a service outside the Lab: the Lab says which it offers.
    Case(
        "a service the Lab does not offer",
        "sqs",
        "ListQueues",
        {},
        "NotImplemented",
        "The Lab's account does not offer Amazon Simple Queue Service; it offers IAM, STS, S3, "
        "DynamoDB, Lambda, EC2, CloudFormation, AWS Organizations.",
        501,
    ),
]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    with without_default_images(), Lab(seed=31) as lab:
        yield lab


def _account(lab: Lab, service: str) -> Account:
    # moto takes a while to build EC2: a function and an instance only where needed.
    return build_account(lab, "lambda-ec2" if service in ("lambda", "ec2") else service)


@pytest.fixture
def account(lab: Lab) -> Account:
    return _account(lab, "iam")


@pytest.fixture
def storage(lab: Lab) -> Account:
    return _account(lab, "s3")


@pytest.fixture
def tables(lab: Lab) -> Account:
    return _account(lab, "dynamodb")


@pytest.fixture
def compute(lab: Lab) -> Account:
    return _account(lab, "ec2")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_answered_as_aws_answers(lab: Lab, case: Case) -> None:
    from botocore import xform_name

    account = _account(lab, case.service)
    before, events = account_state(lab), len(lab.trail)
    with pytest.raises(ClientError) as raised:
        getattr(account.client(case.who, case.service), xform_name(case.operation))(
            **ls.resolve(case.params, account.refs)
        )
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (case.code, case.message)
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == case.status
    assert len(lab.trail) == events + 1
    event = lab.trail.last
    assert event is not None and (event.operation, event.error_code) == (case.operation, case.code)
    assert account_state(lab) == before, "the refused call changed the account"


def test_a_refused_create_leaves_no_bucket(storage: Account) -> None:
    """moto made the bucket before it read the ACL headers: nothing is left of it now."""
    s3_client = storage.client("root", "s3")
    with pytest.raises(ClientError):
        s3_client.create_bucket(Bucket="half-made", ACL="private", GrantRead="x")
    assert "half-made" not in storage.lab.store.s3.buckets


def test_update_of_a_key_alone_adds_the_item(tables: Account) -> None:
    """UpdateItem "adds a new item to the table if it does not already exist"
    (API_UpdateItem.html), updates or none; moto raised AttributeError without any."""
    dynamodb_client = tables.client("root", "dynamodb")
    dynamodb_client.update_item(TableName=ls.SIMPLE_TABLE, Key={"id": {"S": "new"}})
    found = dynamodb_client.get_item(TableName=ls.SIMPLE_TABLE, Key={"id": {"S": "new"}})
    assert found["Item"] == {"id": {"S": "new"}}
    assert tables.lab.trail.last.error_code is None  # type: ignore[union-attr]


def test_empty_tag_set_removes_an_objects_tags(storage: Account) -> None:
    """PutObjectTagging with no tags replaces the tag set with none
    (API_PutObjectTagging.html); moto raised TypeError on the empty TagSet."""
    s3_client = storage.client("root", "s3")
    where = {"Bucket": ls.BUCKET, "Key": ls.OBJECTS[0]}
    s3_client.put_object_tagging(**where, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    s3_client.put_object_tagging(**where, Tagging={"TagSet": []})
    assert s3_client.get_object_tagging(**where)["TagSet"] == []


def test_missing_request_items_is_botocores_refusal(tables: Account) -> None:
    """botocore resolves DynamoDB's endpoint before it checks parameters and fails
    with JMESPathTypeError; the learner sees the refusal botocore means."""
    events = len(tables.lab.trail)
    with pytest.raises(ParamValidationError, match="RequestItems"):
        tables.client("root", "dynamodb").batch_get_item()
    assert len(tables.lab.trail) == events  # never sent, as in CloudTrail


def test_a_header_no_http_client_sends(storage: Account) -> None:
    """A line break in a header value: botocore's HTTP client refuses to send it."""
    events = len(storage.lab.trail)
    with pytest.raises(HTTPClientError, match="Invalid header value"):
        storage.client("root", "s3").put_object(
            Bucket=ls.BUCKET, Key="x", Body=b"x", ContentType="text/plain\nX-Evil: 1"
        )
    assert len(storage.lab.trail) == events


def test_same_instance_twice_is_described_once(compute: Account) -> None:
    instance = compute.refs["instance-id"]
    found = compute.client("root", "ec2").describe_instances(InstanceIds=[instance, instance])
    assert [i["InstanceId"] for r in found["Reservations"] for i in r["Instances"]] == [instance]


def test_a_partial_function_arn_names_the_function(compute: Account) -> None:
    """Lambda takes a function's name, its ARN or its partial ARN ACCOUNT:function:NAME."""
    found = compute.client("root", "lambda").get_function(
        FunctionName=f"{ls.ACCOUNT}:function:{ls.FUNCTION}"
    )
    assert found["Configuration"]["FunctionName"] == ls.FUNCTION


def test_tags_of_a_table_come_at_once(tables: Account) -> None:
    """ListTagsOfResource has no pages (aws/aws-sdk#583); moto read NextToken as a tag key."""
    arn = f"arn:aws:dynamodb:{ls.REGION}:{ls.ACCOUNT}:table/{ls.TABLE}"
    found = tables.client("root", "dynamodb").list_tags_of_resource(ResourceArn=arn, NextToken="x")
    assert found["Tags"] == []


def test_xml_moto_cannot_write_is_read(compute: Account) -> None:
    """moto echoes a control character into its XML answer; the learner gets the answer."""
    with pytest.raises(ClientError) as raised:
        compute.client("root", "ec2").associate_iam_instance_profile(
            IamInstanceProfile={"Name": "a\x07b"}, InstanceId=compute.refs["instance-id"]
        )
    assert raised.value.response["Error"]["Code"] == "NoSuchEntity"


def test_the_labs_own_failure_is_internal_failure_in_the_trail(
    account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should a check of the Lab's own fail, the learner sees AWS's InternalFailure, and the
    call is in the trail like any other."""
    from labkit.lab.mfa import MFA

    def broken(self: Any, params: Any) -> Any:
        raise RuntimeError("a mistake in the Lab")

    monkeypatch.setattr(MFA, "list_virtual_mfa_devices", broken)
    lab = account.lab
    before, events = account_state(lab), len(lab.trail)
    with pytest.raises(ClientError) as raised:
        account.client("root", "iam").list_virtual_mfa_devices()
    assert raised.value.response["Error"]["Code"] == "InternalFailure"
    assert len(lab.trail) == events + 1
    assert lab.trail.last.error_code == "InternalFailure"  # type: ignore[union-attr]
    assert account_state(lab) == before


def test_a_refused_call_changes_nothing(account: Account) -> None:
    """The intern may not create users: AccessDenied, in the trail, and no user."""
    lab = account.lab
    before, events = account_state(lab), len(lab.trail)
    with pytest.raises(ClientError) as raised:
        account.client("intern", "iam").create_user(UserName="mallory")
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    assert len(lab.trail) == events + 1
    assert lab.trail.last.decision == "implicitDeny"  # type: ignore[union-attr]
    assert account_state(lab) == before


def test_what_moto_made_before_refusing_is_undone(
    storage: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto creates a bucket before it reads the ACL headers; when it then answers with an
    error, the Lab removes what it made: a failed create leaves nothing created."""
    from moto.s3.exceptions import S3AclAndGrantError
    from moto.s3.responses import S3Response

    def refuse(self: Any, headers: Any) -> Any:
        raise S3AclAndGrantError()

    monkeypatch.setattr(S3Response, "_acl_from_headers", refuse)
    with pytest.raises(ClientError) as raised:
        storage.client("root", "s3").create_bucket(Bucket="half-made", ACL="private")
    assert raised.value.response["Error"]["Code"] == "InvalidRequest"
    assert "half-made" not in storage.lab.store.s3.buckets
