"""Action, resource-ARN and principal matching."""

import pytest

from labkit.policy.matching import (
    ACCOUNT_MATCH,
    DIRECT_MATCH,
    NO_MATCH,
    ROLE_MATCH,
    account_of,
    action_matches,
    caller_of,
    not_principal_excludes,
    principal_block_match,
    resource_matches,
)

ACTIONS = [
    ("s3:GetObject", "s3:GetObject", True),
    ("s3:getobject", "S3:GETOBJECT", True),  # actions ignore case
    ("s3:Get*", "s3:GetObjectAcl", True),
    ("s3:Get*", "s3:PutObject", False),
    ("*", "iam:ListUsers", True),
    ("s3:*", "s3:ListBucket", True),
    ("s3:*", "sqs:SendMessage", False),
    ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ("iam:?etUser", "iam:GetUser", True),
    ("iam:?etUser", "iam:GGetUser", False),
    ("ec2:Describe*", "ec2:describeinstances", True),
]


@pytest.mark.parametrize(("pattern", "action", "expected"), ACTIONS)
def test_action_matching(pattern, action, expected):
    assert action_matches(pattern, action) is expected


RESOURCES = [
    ("*", "arn:aws:s3:::bucket/key", True),
    ("*", "*", True),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt", True),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
    ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-logs", True),
    ("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x", False),  # case-sensitive
    ("arn:aws:iam::*:user/alice", "arn:aws:iam::123456789012:user/alice", True),
    ("arn:aws:iam::*:user/alice", "arn:aws:iam::123456789012:user/Alice", False),
    # A wildcard in the account segment does not spill into the next segment.
    ("arn:aws:iam::*:user/*", "arn:aws:iam::123:456:user/x", False),
    (
        "arn:aws:dynamodb:*:*:table/Books",
        "arn:aws:dynamodb:us-east-1:123456789012:table/Books",
        True,
    ),
    ("arn:aws:ec2:us-east-?:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1", True),
    ("arn:aws:ec2:us-east-?:*:instance/*", "arn:aws:ec2:us-west-1:1:instance/i-1", False),
    # The resource part may contain colons and slashes that * spans.
    ("arn:aws:logs:*:*:log-group:*", "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s", True),
    ("arn:aws:s3:::bucket/*", "*", False),
    ("arn:aws:iam::123456789012:mfa/CTO", "arn:aws:iam::123456789012:mfa/CTO", True),
]


@pytest.mark.parametrize(("pattern", "resource", "expected"), RESOURCES)
def test_resource_matching(pattern, resource, expected):
    assert resource_matches(pattern, resource) is expected


def test_resource_variable_substitutes_literally():
    pattern = "arn:aws:s3:::home/${aws:username}/*"
    assert resource_matches(pattern, "arn:aws:s3:::home/alice/a", {"aws:username": "alice"})
    assert not resource_matches(pattern, "arn:aws:s3:::home/bob/a", {"aws:username": "alice"})
    # A value that looks like a wildcard is literal text.
    assert not resource_matches(pattern, "arn:aws:s3:::home/bob/a", {"aws:username": "*"})
    assert resource_matches(pattern, "arn:aws:s3:::home/*/a", {"aws:username": "*"})
    # Unresolved: matches nothing.
    assert not resource_matches(pattern, "arn:aws:s3:::home/alice/a", {})


USER = "arn:aws:iam::111122223333:user/alice"
SESSION = "arn:aws:sts::111122223333:assumed-role/Admin/alice-session"
ROLE = "arn:aws:iam::111122223333:role/Admin"
FED = "arn:aws:sts::111122223333:federated-user/bob"

PRINCIPALS = [
    ((("*", ("*",)),), USER, DIRECT_MATCH),
    ((("AWS", ("*",)),), SESSION, DIRECT_MATCH),
    ((("AWS", ("111122223333",)),), USER, ACCOUNT_MATCH),
    ((("AWS", ("arn:aws:iam::111122223333:root",)),), SESSION, ACCOUNT_MATCH),
    ((("AWS", ("arn:aws:iam::444455556666:root",)),), USER, NO_MATCH),
    ((("AWS", (USER,)),), USER, DIRECT_MATCH),
    ((("AWS", ("arn:aws:iam::111122223333:user/bob",)),), USER, NO_MATCH),
    ((("AWS", (SESSION,)),), SESSION, DIRECT_MATCH),
    ((("AWS", (ROLE,)),), SESSION, ROLE_MATCH),
    ((("AWS", ("arn:aws:iam::111122223333:role/team/Admin",)),), SESSION, ROLE_MATCH),
    ((("AWS", ("arn:aws:iam::111122223333:role/Other",)),), SESSION, NO_MATCH),
    ((("AWS", (ROLE,)),), ROLE, ROLE_MATCH),
    ((("AWS", ("arn:aws:iam::111122223333:user/bob",)),), FED, ROLE_MATCH),
    ((("AWS", (FED,)),), FED, DIRECT_MATCH),
    ((("Service", ("lambda.amazonaws.com",)),), "lambda.amazonaws.com", DIRECT_MATCH),
    ((("Service", ("lambda.amazonaws.com",)),), "ec2.amazonaws.com", NO_MATCH),
    ((("Service", ("lambda.amazonaws.com",)),), USER, NO_MATCH),
    ((("AWS", ("111122223333",)), ("AWS", (USER,))), USER, DIRECT_MATCH),
]


@pytest.mark.parametrize(("block", "principal", "expected"), PRINCIPALS)
def test_principal_matching(block, principal, expected):
    assert principal_block_match(block, caller_of(principal)) == expected


NOT_PRINCIPALS = [
    # The account must be listed alongside the user for the user to be exempt.
    ((("AWS", (USER,)),), USER, False),
    ((("AWS", (USER, "arn:aws:iam::111122223333:root")),), USER, True),
    # A role session is exempt only with its role and account listed too.
    ((("AWS", (SESSION, ROLE, "111122223333")),), SESSION, True),
    ((("AWS", (SESSION, "111122223333")),), SESSION, False),
    ((("AWS", ("arn:aws:iam::111122223333:user/bob", "111122223333")),), USER, False),
    ((("AWS", ("*",)),), USER, True),
    ((("Service", ("lambda.amazonaws.com",)),), "lambda.amazonaws.com", True),
]


@pytest.mark.parametrize(("block", "principal", "expected"), NOT_PRINCIPALS)
def test_not_principal(block, principal, expected):
    assert not_principal_excludes(block, caller_of(principal)) is expected


@pytest.mark.parametrize(
    ("arn", "account"),
    [
        (USER, "111122223333"),
        (SESSION, "111122223333"),
        ("arn:aws:s3:::bucket", None),
        ("123456789012", "123456789012"),
        ("*", None),
        (None, None),
    ],
)
def test_account_of(arn, account):
    assert account_of(arn) == account


def test_caller_kinds():
    assert caller_of(USER).kind == "user"
    assert caller_of(SESSION).kind == "assumed-role"
    assert caller_of(SESSION).base == ROLE
    assert caller_of(ROLE).kind == "role"
    assert caller_of(FED).base == "arn:aws:iam::111122223333:user/bob"
    assert caller_of("lambda.amazonaws.com").kind == "service"
    assert caller_of(None).kind == "anonymous"
