"""Wildcard matching: exact semantics per mode, and linear time on hostile input."""

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labkit.policy import ALLOWED, IMPLICIT_DENY, Policy, Request, evaluate
from labkit.policy import glob as glob_module
from labkit.policy.cache import BoundedCache
from labkit.policy.glob import ACTION, ARN, LIKE, compile_glob, compile_parts
from labkit.policy.matching import compile_pattern, resource_matches
from labkit.policy.variables import WILD_MANY, WILD_ONE

CASES = [
    # mode, pattern, value, expected
    (ACTION, "s3:Get*", "S3:GETOBJECT", True),
    (ACTION, "S3:?ET*", "s3:getobject", True),
    (ACTION, "s3:Get*", "s3:PutObject", False),
    (ACTION, "iam:?etUser", "iam:GGetUser", False),
    (ACTION, "iam:*AccessKey*", "iam:CreateAccessKey", True),
    (LIKE, "Foo*", "foo", False),  # case matters outside ACTION
    (LIKE, "foo*", "foo", True),
    (LIKE, "a:*", "a:b:c/d", True),
    (LIKE, "a*b*c", "abc", True),
    (LIKE, "a*b*c", "acb", False),
    (LIKE, "*a?c*", "xxabcxx", True),
    (LIKE, "*a?c", "xxabcx", False),
    (LIKE, "a*a", "a", False),  # the first and last chunk may not overlap
    (LIKE, "ab*ba", "aba", False),
    (LIKE, "ab*ba", "abba", True),
    (LIKE, "*ab?d*", "ababxcab", False),
    (LIKE, "*ab?d*", "ababcd", True),
    (LIKE, "*ab?d*", "abab?dab", True),  # "?" matches any character, "?" too
    # Empty patterns and values, patterns of only wildcards.
    (LIKE, "", "", True),
    (LIKE, "", "a", False),
    (LIKE, "*", "", True),
    (LIKE, "***", "anything:at/all", True),
    (LIKE, "?", "", False),
    (LIKE, "?", "x", True),
    (LIKE, "??", "x", False),
    (LIKE, "*?*", "", False),
    (LIKE, "*?*", ":", True),
    (ARN, "*", "", True),
    (ARN, "", "", True),
    # ARN: a wildcard before the fifth colon stays inside its field.
    (ARN, "arn:aws:iam::*:user/*", "arn:aws:iam::123:user/a:b/c", True),
    (ARN, "arn:aws:iam::*:user/*", "arn:aws:iam::123:456:user/x", False),
    (ARN, "arn:*:s3:::b", "arn:aws:s3:::b", True),
    (ARN, "arn:?ws:s3:::b", "arn:aws:s3:::b", True),
    (ARN, "arn:???:s3:::b", "arn:a:b:s3:::b", False),
    (ARN, "arn:aws?s3:::b", "arn:aws:s3:::b", False),
    (LIKE, "arn:aws?s3:::b", "arn:aws:s3:::b", True),
    (ARN, "arn:aws:ec2:us-east-?:*:instance/*", "arn:aws:ec2:us-east-1:1:instance/i-1", True),
    # In the resource part wildcards span "/" and ":".
    (ARN, "arn:aws:s3:::*", "arn:aws:s3:::a:b/c", True),
    (ARN, "arn:aws:s3:::*/x", "arn:aws:s3:::a/b:c/x", True),
    (ARN, "arn:aws:logs:*:*:log-group:*", "arn:aws:logs:r:1:log-group:g:log-stream:s", True),
    # Fewer than five colons: every wildcard stays in its field.
    (ARN, "arn:aws:*", "arn:aws:s3", True),
    (ARN, "arn:aws:*", "arn:aws:s3:x", False),
    (ARN, "arn:*", "arn:", True),
    # Case matters; patterns not starting "arn:" have spanning wildcards.
    (ARN, "arn:aws:s3:::B*", "arn:aws:s3:::b", False),
    (ARN, "*:user/*", "arn:aws:iam::1:user/a", True),
    (ARN, "Arn:*", "Arn:a:b", True),
    (ARN, "arn:aws:iam::123456789012:mfa/CTO", "arn:aws:iam::123456789012:mfa/CTO", True),
]


@pytest.mark.parametrize(("mode", "pattern", "value", "expected"), CASES)
def test_cases(mode, pattern, value, expected):
    assert compile_glob(pattern, mode).match(value) is expected
    assert reference(_parts(pattern), value, mode) is expected


def test_literal_text_in_parts_is_not_a_wildcard():
    # A substituted policy variable is literal text, "*" and "?" included.
    glob = compile_parts(("arn:aws:s3:::home/", "a*", "/", WILD_MANY), ARN)
    assert glob.match("arn:aws:s3:::home/a*/x")
    assert not glob.match("arn:aws:s3:::home/ab/x")
    assert compile_parts(("?", WILD_ONE), LIKE).match("?x")
    assert not compile_parts(("?", WILD_ONE), LIKE).match("xx")
    # Colons of substituted text count as field separators too.
    assert not compile_parts(("arn:aws:s3:", WILD_MANY, "::b"), ARN).match("arn:aws:s3:x:y::b")
    assert compile_parts(("arn:aws:s3:", WILD_MANY, "::b"), LIKE).match("arn:aws:s3:x:y::b")
    assert compile_parts(("arn:aws:", "s3:::", WILD_MANY), ARN).match("arn:aws:s3:::b:c")
    assert not compile_parts(("arn:", WILD_MANY, ":s3"), ARN).match("arn:a:b:s3")
    assert resource_matches(
        "arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/*/a", {"aws:username": "*"}
    )


# --- against an obviously correct matcher -------------------------------------


def _parts(pattern):
    """A pattern's parts as compile_glob reads them: "*" and "?" are wildcards."""
    out = []
    for c in pattern:
        if c in "*?":
            out.append(WILD_MANY if c == "*" else WILD_ONE)
        elif out and isinstance(out[-1], str):
            out[-1] += c
        else:
            out.append(c)
    return tuple(out)


def reference(parts, value, mode):
    """Dynamic programming over (pattern position, value position)."""
    if mode == ACTION:
        parts = tuple(p.lower() if isinstance(p, str) else p for p in parts)
        value = value.lower()
    segmented = mode == ARN and bool(parts) and isinstance(parts[0], str)
    segmented = segmented and parts[0].startswith("arn:")
    tokens = []  # (a literal char or a marker, whether it may not match ":")
    colons = 0
    for part in parts:
        if isinstance(part, str):
            tokens.extend((c, False) for c in part)
            colons += part.count(":")
        else:
            tokens.append((part, segmented and colons < 5))
    reach = [True] + [False] * len(value)  # reach[j]: the tokens so far match value[:j]
    for token, inside in tokens:
        new = [False] * (len(value) + 1)
        for j in range(len(value) + 1):
            fits = j > 0 and not (inside and value[j - 1] == ":")
            if token is WILD_MANY:
                new[j] = reach[j] or (fits and new[j - 1])
            elif token is WILD_ONE:
                new[j] = fits and reach[j - 1]
            else:
                new[j] = j > 0 and reach[j - 1] and value[j - 1] == token
        reach = new
    return reach[-1]


_ALPHABET = "aAb:/*?"
_text = st.text(_ALPHABET, max_size=10)
_prefixed = st.builds(lambda head, tail: head + tail, st.sampled_from(["", "arn:", "a"]), _text)
_part = st.one_of(st.text("aA:/*?", min_size=1, max_size=3), st.sampled_from([WILD_MANY, WILD_ONE]))
_modes = st.sampled_from([ACTION, LIKE, ARN])


@settings(max_examples=1000, deadline=None)
@given(pattern=_prefixed, value=_prefixed, mode=_modes)
def test_patterns_match_as_the_reference_does(pattern, value, mode):
    assert compile_glob(pattern, mode).match(value) is reference(_parts(pattern), value, mode)


@settings(max_examples=1000, deadline=None)
@given(
    head=st.sampled_from(["arn:", "arn:a:", "a"]),
    parts=st.lists(_part, max_size=8),
    value=_prefixed,
    mode=_modes,
)
def test_parts_match_as_the_reference_does(head, parts, value, mode):
    parts = (head, *parts)
    assert compile_parts(parts, mode).match(value) is reference(parts, value, mode)


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.text("ab?*", max_size=40),
    value=st.text("ab", max_size=60),
)
def test_long_chunks_with_single_wildcards_match_as_the_reference_does(pattern, value):
    assert compile_glob(pattern, LIKE).match(value) is reference(_parts(pattern), value, LIKE)


def test_chunks_too_varied_for_tables_match_as_the_reference_does(monkeypatch):
    # Chunks of many different characters check each place instead of scanning.
    monkeypatch.setattr(glob_module, "_TABLE_CHARS", 0)
    compile_uncached = glob_module.compile_parts.__wrapped__
    rng = random.Random(5)
    for _ in range(2_000):
        pattern = "".join(rng.choice("ab??*") for _ in range(rng.randint(0, 14)))
        value = "".join(rng.choice("ab") for _ in range(rng.randint(0, 30)))
        parts = _parts(pattern)
        assert compile_uncached(parts, LIKE).match(value) is reference(parts, value, LIKE)


# --- hostile input finishes: each of these took seconds to minutes with regexes


def _key(n):
    return "arn:aws:s3:::notes/" + "a/" * (n // 2)


@pytest.mark.parametrize("size", [1_024, 100_000])
def test_many_stars_and_long_values(size):
    assert not compile_glob("arn:aws:s3:::notes/*/*/*/*.csv", ARN).match(_key(size))
    assert compile_glob("arn:aws:s3:::notes/*/*/*/*.csv", ARN).match(_key(size) + "x.csv")
    assert not compile_glob("*a*a*a*a*a*a*b", LIKE).match("a" * size)
    assert compile_glob("*a*a*a*a*a*a*b", LIKE).match("a" * size + "b")
    assert not compile_glob("s3:*a*a*a*a*a", ACTION).match("s3:" + "A" * size + "b")
    assert not compile_glob("*" + "a?" * 500 + "b*", LIKE).match("a" * size)
    assert not compile_glob("*" + "a*" * 5_000 + "b", LIKE).match("a" * size)


def test_long_patterns():
    pattern = "*" + "ab" * 50_000 + "*"
    assert compile_glob(pattern, LIKE).match("x" + "ab" * 50_000 + "x")
    assert not compile_glob(pattern, LIKE).match("ab" * 49_999)
    # A long chunk of many different characters with "?" in it.
    chunk = "".join(chr(0x4E00 + k) for k in range(5_000))
    glob = compile_glob(f"*{chunk}?{chunk}*", LIKE)
    assert glob.match(f"{chunk}x{chunk}")
    assert not glob.match(chunk * 20)


def test_hostile_patterns_through_evaluate():
    policy = Policy.parse(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "s3:GetObject",
                        "Resource": ["arn:aws:s3:::notes/*/*/*/*.csv", "arn:aws:s3:::*x*x*x*x*y"],
                        "Condition": {"StringLike": {"s3:prefix": "*a*a*a*a*a*a*b"}},
                    }
                ],
            }
        )
    )
    resource = _key(100_000)
    request = Request("s3:GetObject", resource, context={"s3:prefix": "a" * 100_000 + "b"})
    assert evaluate(request, [policy]).decision == IMPLICIT_DENY
    request = Request("s3:GetObject", resource + ".csv", context={"s3:prefix": "a" * 100_000})
    assert evaluate(request, [policy]).decision == IMPLICIT_DENY
    request = Request("s3:GetObject", resource + ".csv", context={"s3:prefix": "aaaaaab"})
    assert evaluate(request, [policy]).decision == ALLOWED


def test_caches_are_bounded():
    for function in (compile_glob, compile_parts, compile_pattern):
        cache = function.cache
        assert isinstance(cache, BoundedCache)
        assert cache.chars <= cache.max_chars
