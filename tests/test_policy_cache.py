"""The engine's caches stay within their bounds of entries and characters."""

import contextlib

from labkit.policy.cache import BoundedCache, bounded


def test_entries_are_bounded_least_recently_used_first():
    cache = BoundedCache(entries=2, chars=1_000)
    cache.put("a", 1, 1)
    cache.put("b", 2, 1)
    assert cache.get("a") == (True, 1)  # a is now the most recent
    cache.put("c", 3, 1)
    assert cache.get("b") == (False, None)
    assert cache.get("a") == (True, 1)
    assert len(cache) == 2


def test_characters_are_bounded():
    cache = BoundedCache(entries=100, chars=10)
    cache.put("a", 1, 6)
    cache.put("b", 2, 6)
    assert len(cache) == 1
    assert cache.chars == 6
    cache.put("huge", 3, 11)  # heavier than the whole bound: not kept
    assert cache.get("huge") == (False, None)


def test_bounded_function_keeps_results_and_counts_text():
    calls = []

    @bounded(entries=10, chars=100)
    def length(text: str) -> int:
        calls.append(text)
        return len(text)

    assert length("abc") == 3
    assert length("abc") == 3
    assert calls == ["abc"]
    length("x" * 60)  # weighs 2 × 61 characters: more than the bound
    length("x" * 60)
    assert calls == ["abc", "x" * 60, "x" * 60]
    assert length.cache.chars <= 100


def test_exceptions_are_not_cached():
    calls = []

    @bounded(entries=10, chars=100)
    def fail(text: str) -> None:
        calls.append(text)
        raise ValueError(text)

    for _ in range(2):
        with contextlib.suppress(ValueError):
            fail("a")
    assert calls == ["a", "a"]


def test_compiled_conditions_tell_apart_values_python_thinks_equal():
    # 1 == 1.0 == True in Python, but IAM compares the text "1", "1.0", "true".
    from labkit.policy.conditions import condition_matches
    from labkit.policy.model import Condition

    context = {"aws:username": "1.0"}
    assert not condition_matches(Condition("StringEquals", "aws:username", (1,)), context)
    assert condition_matches(Condition("StringEquals", "aws:username", (1.0,)), context)
    assert not condition_matches(Condition("StringEquals", "aws:username", (True,)), context)


def test_the_parse_caches_hold_a_bounded_amount_of_text():
    import json

    from labkit.policy import parse

    for version in range(300):
        statements = [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::b{version}/{i}",
            }
            for i in range(100)
        ]
        text = json.dumps({"Version": "2012-10-17", "Statement": statements})
        parse.parse_policy(text)
        parse.parse_tree(text)
    caches = (parse.parse_tree, parse._parse_text, parse._checked_statement, parse._parse_data)
    for cached in caches:
        assert cached.cache.chars <= cached.cache.max_chars
    # Text is what the bounds count; together a few tens of MB at most.
    assert sum(cached.cache.max_chars for cached in caches) <= 20_000_000
