"""The quick reader of policy text agrees with the located one.

Valid text is read by the C JSON decoder with statements reused by their
text; everything else goes through the located reader. Whatever the quick
path accepts, the located path must accept too, with the same statements at
the same places.
"""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from labkit.policy import PolicyError
from labkit.policy.parse import _build, _parse_fast, parse_tree

ACTIONS = st.sampled_from(
    ["s3:GetObject", "iam:*", "*", "dynamodb:Get*", "ec2", "a:b:c", "", "sts:AssumeRole", 7]
)
RESOURCES = st.sampled_from(
    [
        "*",
        "arn:aws:s3:::bucket/*",
        "arn:aws:iam::*:user/${aws:username}",
        "bucket",
        "arn:aws:iam::1:x",
        "arn:aws:s3::",
        "arn:aws:iam::123456789012:root",
        "",
    ]
)
ONE_OR_MANY = lambda values: st.one_of(values, st.lists(values, max_size=3))  # noqa: E731
CONDITIONS = st.dictionaries(
    st.sampled_from(
        ["Bool", "StringEquals", "BoolIfExists", "NullIfExists", "DateLessThan", "Nope"]
    ),
    st.dictionaries(
        st.sampled_from(["aws:MultiFactorAuthPresent", "aws:username", "aws:CurrentTime"]),
        ONE_OR_MANY(
            st.sampled_from(
                ["true", "x", "2030-01-01T00:00:00Z", 5, True, 1.5, None, ["x"], {"a": 1}, "²"]
            )
        ),
        max_size=2,
    ),
    max_size=2,
)
STATEMENT = st.fixed_dictionaries(
    {"Effect": st.sampled_from(["Allow", "Deny", "allow"])},
    optional={
        "Sid": st.sampled_from(["A", "B", "Not valid", ""]),
        "Action": ONE_OR_MANY(ACTIONS),
        "NotAction": ONE_OR_MANY(ACTIONS),
        "Resource": ONE_OR_MANY(RESOURCES),
        "NotResource": ONE_OR_MANY(RESOURCES),
        "Principal": st.sampled_from(["*", {"AWS": "arn:aws:iam::123456789012:root"}]),
        "Condition": st.one_of(CONDITIONS, st.just([]), st.just({"Bool": []})),
        "Extra": st.just(1),
    },
)
DOCUMENT = st.fixed_dictionaries(
    {"Statement": st.one_of(STATEMENT, st.lists(STATEMENT, max_size=4))},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "2020"]), "Id": st.just("x")},
)
KINDS = st.sampled_from(["identity", "resource", "trust", "boundary", "session", "scp", "rcp"])


@settings(max_examples=400, deadline=None)
@given(DOCUMENT, st.sampled_from([None, 0, 2, 4]), KINDS)
def test_the_quick_path_accepts_only_what_the_located_path_accepts(document, indent, kind):
    text = json.dumps(document, indent=indent)
    quick = _parse_fast(text, kind, False)
    try:
        located = _build(parse_tree(text), kind, False)
    except PolicyError:
        assert quick is None
        return
    assert quick is not None  # plain, valid text never needs the slow path
    assert quick == located
    assert [(s.start, s.end) for s in quick.statements] == [
        (s.start, s.end) for s in located.statements
    ]
