"""Wildcard matching for policy patterns, in linear time.

``*`` matches any run of characters (none too) and ``?`` exactly one. A
pattern is compiled once into chunks, the text between its ``*``: the first
chunk must start the value, the last must end it, and each chunk between is
placed leftmost after the one before. For ``*``-only globs leftmost is always
a right choice, so nothing is ever retried. A chunk of plain text is found
with ``str.find``; one with ``?`` in it by ``str.find`` of its longest plain
piece followed by a bit-parallel scan (shift-and), which reads each character
of the value once, however many ``?`` the chunk holds. (A chunk of over 128
different characters, whose tables would be large, instead checks each place
where its longest piece is found.)

The modes are those of the policy engine:

``ACTION``  case-insensitive, wildcards span everything;
``LIKE``    case-sensitive, wildcards span everything (``StringLike``);
``ARN``     case-sensitive; in a pattern starting ``arn:`` a wildcard before
            the fifth colon stays inside its field (partition, service,
            region, account), while in the resource part it may span ``/``
            and ``:``. Other patterns behave as in ``LIKE``.

    >>> compile_glob("arn:aws:iam::*:user/*", ARN).match("arn:aws:iam::1:user/a:b")
    True
    >>> compile_glob("arn:aws:iam::*:user/*", ARN).match("arn:aws:iam::1:2:user/a")
    False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial
from operator import itemgetter

from labkit.policy.cache import bounded
from labkit.policy.variables import WILD_MANY, WILD_ONE

ACTION = "action"  # case-insensitive, wildcards span everything
ARN = "arn"  # case-sensitive, wildcards per ARN field before the resource
LIKE = "like"  # case-sensitive, wildcards span everything (StringLike)

# One part of a pattern: literal text, or the WILD_MANY / WILD_ONE marker.
GlobPart = str | object
# Whether a whole value matches.
Matcher = Callable[[str], bool]

# ARN fields before the resource: partition, service, region, account ("arn"
# itself is the first of the five).
_FIELDS = 5

# The most different characters a chunk with "?" may hold for a shift-and
# scan: its tables cost a bit per position and character, so they stay within
# 16 bytes per character of pattern text, which is what the caches count.
_TABLE_CHARS = 128

_WILDCARDS = re.compile(r"([*?])")
_MARKERS: dict[str, GlobPart] = {"*": WILD_MANY, "?": WILD_ONE}


class _Chunk:
    """Text between two ``*``: plain pieces at fixed offsets, ``?`` elsewhere."""

    __slots__ = ("size", "plain", "pieces", "anchor", "masks", "wild")

    def __init__(self, items: Sequence[str | None]) -> None:
        # items: literal runs, and None for each "?".
        pieces: list[tuple[int, str]] = []
        size = 0
        for item in items:
            if item is None:
                size += 1
            elif pieces and pieces[-1][0] + len(pieces[-1][1]) == size:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + item)
                size += len(item)
            elif item:
                pieces.append((size, item))
                size += len(item)
        self.size = size
        self.pieces = tuple(pieces)
        whole = len(pieces) == 1 and len(pieces[0][1]) == size
        self.plain: str | None = pieces[0][1] if whole else "" if size == 0 else None
        self.anchor = max(pieces, key=lambda p: len(p[1])) if pieces else None
        # Shift-and tables: bit k of masks[c] is set when position k accepts c,
        # and of wild when it accepts anything.
        self.wild = 0
        self.masks: dict[str, int] | None = None
        if self.plain is None:
            where: dict[str, list[int]] = {}
            row = bytearray(b"1") * size  # row[k] is bit k, read back to front
            for off, text in pieces:
                row[off : off + len(text)] = b"0" * len(text)
                for k, c in enumerate(text, off):
                    where.setdefault(c, []).append(k)
            if len(where) <= _TABLE_CHARS:
                self.wild = int(row[::-1], 2)
                self.masks = {}
                for c, positions in where.items():
                    mask = bytearray(row)
                    for k in positions:
                        mask[k] = 49  # "1"
                    self.masks[c] = int(mask[::-1], 2)

    def at(self, value: str, start: int) -> bool:
        """Whether the chunk matches ``value`` at ``start`` (which leaves room for it)."""
        if self.plain is not None:
            return value.startswith(self.plain, start)
        return all(value.startswith(text, start + off) for off, text in self.pieces)

    def find(self, value: str, start: int, end: int) -> int:
        """The leftmost place at or after ``start`` where the chunk fits before ``end``."""
        if self.plain is not None:
            return value.find(self.plain, start, end)
        last = end - self.size  # the latest start that leaves room
        if self.anchor is None:  # only "?"
            return start if start <= last else -1
        off, text = self.anchor
        if self.masks is None:
            return self._find_checked(value, start, last)
        masks, wild, top = self.masks, self.wild, 1 << (self.size - 1)
        state = 0  # bit k: the first k + 1 positions match, ending at value[i - 1]
        i = start
        while True:
            if not state:
                # Nothing under way: skip to where the anchor piece next fits.
                hit = value.find(text, i + off, last + off + len(text))
                if hit < 0:
                    return -1
                i = hit - off
            if i >= end:
                return -1
            state = ((state << 1) | 1) & masks.get(value[i], wild)
            if state & top:
                return i - self.size + 1
            i += 1

    def _find_checked(self, value: str, start: int, last: int) -> int:
        # Each place the anchor piece fits, checked piece by piece.
        off, text = self.anchor  # type: ignore[misc]
        while start <= last:
            hit = value.find(text, start + off, last + off + len(text))
            if hit < 0:
                return -1
            if self.at(value, hit - off):
                return hit - off
            start = hit - off + 1
        return -1


def _anything(value: str) -> bool:
    """The matcher of a pattern of only ``*``."""
    return True


def _span(parts: Sequence[GlobPart]) -> Matcher:
    """A matcher for parts whose wildcards may match any character.

    The common shapes (literal, prefix, suffix, plain text between stars)
    get a matcher of their own: one call and C-speed string methods.
    """
    items: list[list[str | None]] = [[]]
    for part in parts:
        if part is WILD_MANY:
            items.append([])
        else:
            items[-1].append(None if part is WILD_ONE else part)  # type: ignore[arg-type]
    chunks = [_Chunk(c) for c in items]
    head, tail = chunks[0], chunks[-1]
    if len(chunks) == 1:
        if head.plain is not None:
            return head.plain.__eq__
        if len(head.pieces) == 1:  # such as "us-east-?"
            (off, text), size = head.pieces[0], head.size
            return lambda value: len(value) == size and value.startswith(text, off)
        return lambda value: len(value) == head.size and head.at(value, 0)
    # An empty chunk between two stars places itself anywhere: drop it.
    middle = tuple(c for c in chunks[1:-1] if c.size)
    least = sum(c.size for c in chunks)
    if any(c.plain is None for c in (head, tail, *middle)):
        return partial(_match_chunks, head, middle, tail, least)
    first, last = head.plain or "", tail.plain or ""
    if middle:
        return partial(_match_plain, first, tuple(c.plain or "" for c in middle), last, least)
    if first and last:
        return lambda value: (
            len(value) >= least and value.startswith(first) and value.endswith(last)
        )
    if first:
        return lambda value: value.startswith(first)
    if last:
        return lambda value: value.endswith(last)
    return _anything


def _match_plain(head: str, middle: tuple[str, ...], tail: str, least: int, value: str) -> bool:
    # Plain text between stars: the first starts the value, the last ends it,
    # and each other is found leftmost after the one before.
    if len(value) < least or not value.startswith(head) or not value.endswith(tail):
        return False
    pos, end = len(head), len(value) - len(tail)
    for text in middle:
        pos = value.find(text, pos, end)
        if pos < 0:
            return False
        pos += len(text)
    return True


def _match_chunks(
    head: _Chunk, middle: tuple[_Chunk, ...], tail: _Chunk, least: int, value: str
) -> bool:
    # As _match_plain, for chunks that hold "?".
    size = len(value)
    if size < least:
        return False
    end = size - tail.size
    if not (head.at(value, 0) and tail.at(value, end)):
        return False
    pos = head.size
    for chunk in middle:
        found = chunk.find(value, pos, end)
        if found < 0:
            return False
        pos = found + chunk.size
    return True


def _fields(fields: Sequence[Sequence[GlobPart]], rest: Matcher | None) -> Matcher:
    """A matcher for an ARN whose first fields keep their wildcards inside.

    ``rest`` matches what follows the fifth colon; None when the pattern has
    fewer colons, so the value must have exactly as many.
    """
    count = len(fields)
    literal: list[int] = []
    checks: list[tuple[int, Matcher]] = []
    for i, field in enumerate(fields):
        if all(isinstance(p, str) for p in field):
            literal.append(i)
        else:
            check = _span(field)
            if check is not _anything:  # "*" fits any field
                checks.append((i, check))
    # The literal fields are compared in one go.
    get = itemgetter(*literal) if literal else None
    want = tuple("".join(fields[i]) for i in literal)  # type: ignore[arg-type]
    wanted = want if len(want) > 1 else want[0] if want else None
    cut, pieces_wanted = (_FIELDS, _FIELDS + 1) if rest is not None else (count, count)
    if rest is _anything:
        rest = None

    def match(value: str) -> bool:
        pieces = value.split(":", cut)
        if len(pieces) != pieces_wanted:
            return False
        if get is not None and get(pieces) != wanted:
            return False
        for i, check in checks:
            if not check(pieces[i]):
                return False
        return rest is None or rest(pieces[_FIELDS])

    return match


class Glob:
    """A compiled pattern.

    ``match(value)`` says whether all of ``value`` matches; ``match_folded``
    does the same for a value already in lower case when the pattern ignores
    case (``ACTION``), so that a caller testing many patterns folds once.
    """

    __slots__ = ("match", "match_folded")

    def __init__(self, match_folded: Matcher, fold: bool) -> None:
        self.match_folded = match_folded
        self.match: Matcher = (lambda value: match_folded(value.lower())) if fold else match_folded


@bounded(entries=16384, chars=4_000_000)
def compile_parts(parts: tuple[GlobPart, ...], mode: str) -> Glob:
    """Compile parts (literal text, ``WILD_MANY``, ``WILD_ONE``) for ``mode`` (cached).

    A ``*`` or ``?`` inside literal text is only that character.
    """
    fold = mode == ACTION
    if fold:
        parts = tuple(p.lower() if isinstance(p, str) else p for p in parts)
    if mode == ARN and parts and isinstance(parts[0], str) and parts[0].startswith("arn:"):
        # Cut the pattern at the colons of its literal text, up to the fifth.
        fields: list[list[GlobPart]] = [[]]
        for part in parts:
            if isinstance(part, str) and len(fields) <= _FIELDS:
                first, *more = part.split(":", _FIELDS + 1 - len(fields))
                fields[-1].append(first)
                fields.extend([m] for m in more)
            else:
                fields[-1].append(part)
        head = fields[:_FIELDS]
        # Without a wildcard before the fifth colon, no field rule can matter.
        if any(not isinstance(p, str) for field in head for p in field):
            rest = _span(fields[_FIELDS]) if len(fields) > _FIELDS else None
            return Glob(_fields(head, rest), fold)
    return Glob(_span(parts), fold)


@bounded(entries=16384, chars=4_000_000)
def compile_glob(pattern: str, mode: str) -> Glob:
    """Compile ``pattern``, where ``*`` and ``?`` are wildcards, for ``mode`` (cached)."""
    pieces = _WILDCARDS.split(pattern)
    parts = tuple(_MARKERS.get(p, p) for p in pieces if p)
    return compile_parts(parts, mode)


_PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


@bounded(entries=4096, chars=1_000_000)
def compile_template(template: str, mode: str) -> Glob:
    """Compile an ARN format of AWS's catalog (``bucket/${ObjectName}``),
    where each ``${Placeholder}`` stands for some text, one character or
    more, for ``mode`` (cached)."""
    parts: list[GlobPart] = []
    for index, text in enumerate(_PLACEHOLDER.split(template)):
        if index:
            parts += [WILD_ONE, WILD_MANY]
        if text:
            parts.append(text)
    return compile_parts(tuple(parts), mode)
