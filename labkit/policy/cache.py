"""Caches with a bound on both their entries and the text they hold.

The engine caches what it derives from policy text (parsed policies, located
trees, compiled patterns) so that a learner's next keystroke costs little. A
plain ``lru_cache`` bounds only the number of entries; a few hundred
megabyte-sized texts would then stay in the kernel. :func:`bounded` also
counts the characters of the text arguments and evicts the least recently
used entries until both bounds hold.

    >>> @bounded(entries=256, chars=4_000_000)
    ... def parse(text: str) -> object: ...
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# What one cached value costs besides its text, in characters: a parsed
# policy holds roughly its text again in Python objects.
_VALUE_FACTOR = 2


def _weight(args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    size = 1
    for value in (*args, *kwargs.values()):
        if isinstance(value, (str, bytes)):
            size += len(value)
        elif isinstance(value, tuple):
            size += sum(len(v) for v in value if isinstance(v, (str, bytes)))
    return size * _VALUE_FACTOR


class BoundedCache:
    """A least-recently-used map bounded by entries and by total weight.

    A hit moves its entry to the end of a plain dict (insertion order is
    recency), which costs two dictionary operations and no lock.
    """

    def __init__(self, entries: int, chars: int) -> None:
        self.max_entries = entries
        self.max_chars = chars
        self._data: dict[Hashable, tuple[Any, int]] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, value)`` when cached, else ``(False, None)``."""
        found = self._data.pop(key, None)
        if found is None:
            return False, None
        self._data[key] = found
        return True, found[0]

    def put(self, key: Hashable, value: Any, weight: int) -> None:
        """Keep ``value``; a value heavier than the whole bound is not kept."""
        if weight > self.max_chars:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._chars -= old[1]
            self._data[key] = (value, weight)
            self._chars += weight
            while len(self._data) > self.max_entries or self._chars > self.max_chars:
                oldest = next(iter(self._data))
                self._chars -= self._data.pop(oldest)[1]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._data.clear()
            self._chars = 0

    @property
    def chars(self) -> int:
        """The total weight held, in characters."""
        return self._chars

    def __len__(self) -> int:
        return len(self._data)


def bounded(entries: int, chars: int) -> Callable[[F], F]:
    """Cache a function of hashable arguments within both bounds.

    Exceptions are not cached. The wrapper has ``cache`` (the
    :class:`BoundedCache`) and ``cache_clear()``.
    """

    def decorate(function: F) -> F:
        store = BoundedCache(entries, chars)

        @functools.wraps(function)
        def cached(*args: Any, **kwargs: Any) -> Any:
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            hit, value = store.get(key)
            if hit:
                return value
            value = function(*args, **kwargs)
            store.put(key, value, _weight(args, kwargs))
            return value

        cached.cache = store  # type: ignore[attr-defined]
        cached.cache_clear = store.clear  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
