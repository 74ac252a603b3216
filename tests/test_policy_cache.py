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
