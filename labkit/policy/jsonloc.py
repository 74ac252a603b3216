"""A small JSON reader that remembers where every value was written.

Python's ``json`` gives values but no positions; policy errors and statements
need 1-based line/column locations, so this reader builds a tree of
:class:`Node` objects. It is iterative (deep nesting cannot overflow the
stack), strict RFC 8259 JSON (no NaN, no trailing commas, no comments) and
rejects duplicate object keys, so a key cannot silently shadow another.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from labkit.policy.model import Location, PolicyError

SYNTAX = "Syntax errors in policy."
MAX_DEPTH = 64
MAX_CHARS = 1_000_000

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_scanstring = json.decoder.scanstring


class JsonSyntaxError(PolicyError):
    """Text that is not JSON at all (IAM's ``Syntax errors in policy.``)."""


class _Locator:
    """Turns character offsets into 1-based line/column locations.

    The line index is built on first use: a valid policy needs only a few
    locations, so most offsets are never converted.
    """

    __slots__ = ("text", "_starts")

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None

    def __call__(self, offset: int) -> Location:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect_right(self._starts, offset)
        return Location(line, offset - self._starts[line - 1] + 1)


class _KeyLocations(Mapping[str, Location]):
    """An object's keys and where each was written, located on demand."""

    __slots__ = ("offsets", "locate")

    def __init__(self, locate: _Locator | None) -> None:
        self.offsets: dict[str, int] = {}
        self.locate = locate

    def __getitem__(self, key: str) -> Location | None:  # type: ignore[override]
        offset = self.offsets[key]
        return None if self.locate is None else self.locate(offset)

    def __iter__(self) -> Iterator[str]:
        return iter(self.offsets)

    def __len__(self) -> int:
        return len(self.offsets)

    def __contains__(self, key: object) -> bool:
        return key in self.offsets


class Node:
    """One JSON value: ``kind`` is object/array/string/number/bool/null.

    ``value`` is a dict of key -> Node for objects, a list of Node for
    arrays and the Python value otherwise. ``keys`` maps an object's keys to
    their locations. ``start``/``end`` are the value's first character and
    just past its last one; None when the document had no text. Offsets are
    kept, and turned into locations only when asked.
    """

    __slots__ = ("kind", "value", "start_offset", "end_offset", "keys", "_locate")

    def __init__(
        self, kind: str, value: Any, start: int = 0, locate: _Locator | None = None
    ) -> None:
        self.kind = kind
        self.value = value
        self.start_offset = start
        self.end_offset = start
        self._locate = locate
        self.keys = _KeyLocations(locate)

    @property
    def start(self) -> Location | None:
        """Where the value begins."""
        return None if self._locate is None else self._locate(self.start_offset)

    @property
    def end(self) -> Location | None:
        """Just past where the value ends."""
        return None if self._locate is None else self._locate(self.end_offset)

    def plain(self) -> Any:
        """The node as plain Python data (dicts, lists, scalars)."""
        if self.kind == "object":
            return {k: v.plain() for k, v in self.value.items()}
        if self.kind == "array":
            return [v.plain() for v in self.value]
        return self.value

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.plain()!r}, {self.start})"


def _fail(locate: _Locator, offset: int, detail: str) -> JsonSyntaxError:
    where = locate(offset)
    return JsonSyntaxError(f"{SYNTAX} {detail}", line=where.line, column=where.column)


def loads(text: str) -> Node:
    """Read JSON text into a :class:`Node` tree with locations.

    Raises :class:`JsonSyntaxError` (a PolicyError) with the line and column
    of the first problem, for malformed, too deep or too large input.
    """
    if not isinstance(text, str):
        raise JsonSyntaxError(f"{SYNTAX} The policy must be a JSON string.")
    locate = _Locator(text)
    if len(text) > MAX_CHARS:
        raise _fail(locate, MAX_CHARS, "The policy document is too large.")
    size = len(text)
    pos = _WS.match(text, 0).end()
    # Each open container: (node, key waiting for its value, that key's offset).
    stack: list[list[Any]] = []
    root: Node | None = None
    while True:
        if pos >= size:
            raise _fail(locate, pos, "Unexpected end of the policy document.")
        char = text[pos]
        # Read one value starting at pos.
        if char == "{" or char == "[":
            if len(stack) >= MAX_DEPTH:
                raise _fail(locate, pos, "The policy document is nested too deeply.")
            node = Node(
                "object" if char == "{" else "array", {} if char == "{" else [], pos, locate
            )
            pos = _WS.match(text, pos + 1).end()
            closer = "}" if char == "{" else "]"
            if pos < size and text[pos] == closer:
                pos += 1
                node.end_offset = pos
                value: Node = node
            else:
                stack.append([node, None])
                if char == "{":
                    pos = _read_key(text, pos, stack[-1], locate)
                continue
        elif char == '"':
            try:
                string, end = _scanstring(text, pos + 1, True)
            except json.JSONDecodeError as exc:
                raise _fail(locate, exc.pos, exc.msg + ".") from None
            value = Node("string", string, pos, locate)
            value.end_offset = end
            pos = end
        else:
            value, pos = _read_scalar(text, pos, locate)
        # Attach the value and consume separators / closing brackets.
        while True:
            if not stack:
                root = value
                pos = _WS.match(text, pos).end()
                if pos != size:
                    raise _fail(locate, pos, "Extra data after the policy document.")
                return root
            frame = stack[-1]
            parent: Node = frame[0]
            if parent.kind == "object":
                parent.value[frame[1]] = value
            else:
                parent.value.append(value)
            pos = _WS.match(text, pos).end()
            closer = "}" if parent.kind == "object" else "]"
            if pos < size and text[pos] == ",":
                pos = _WS.match(text, pos + 1).end()
                if parent.kind == "object":
                    pos = _read_key(text, pos, frame, locate)
                break
            if pos < size and text[pos] == closer:
                pos += 1
                parent.end_offset = pos
                stack.pop()
                value = parent
                continue
            if pos >= size:
                raise _fail(locate, pos, "Unexpected end of the policy document.")
            raise _fail(locate, pos, f"Expecting ',' or '{closer}'.")


def _read_key(text: str, pos: int, frame: list[Any], locate: _Locator) -> int:
    """Read `"key" :` into frame[1]; return the position of the value."""
    if pos >= len(text) or text[pos] != '"':
        raise _fail(locate, pos, "Expecting property name enclosed in double quotes.")
    try:
        key, end = _scanstring(text, pos + 1, True)
    except json.JSONDecodeError as exc:
        raise _fail(locate, exc.pos, exc.msg + ".") from None
    node: Node = frame[0]
    if key in node.value or key in node.keys:
        raise _fail(locate, pos, f"Duplicate key {key!r}.")
    node.keys.offsets[key] = pos
    frame[1] = key
    end = _WS.match(text, end).end()
    if end >= len(text) or text[end] != ":":
        raise _fail(locate, end, "Expecting ':' delimiter.")
    return _WS.match(text, end + 1).end()


# Python turns at most 4,300 digits into an int and back (CVE-2020-10735);
# longer integers stay exact as Decimals, which have no such limit.
_INT_DIGITS = 4000
_INT_BITS = int(_INT_DIGITS * math.log2(10))  # ints of fewer bits have fewer digits


def json_int(digits: str) -> int | Decimal:
    """A JSON integer's value: an int, or a Decimal when too long for one."""
    return int(digits) if len(digits) < _INT_DIGITS else Decimal(digits)


def _read_scalar(text: str, pos: int, locate: _Locator) -> tuple[Node, int]:
    for word, kind, value in (
        ("true", "bool", True),
        ("false", "bool", False),
        ("null", "null", None),
    ):
        if text.startswith(word, pos):
            node = Node(kind, value, pos, locate)
            node.end_offset = pos + len(word)
            return node, pos + len(word)
    match = _NUMBER.match(text, pos)
    if match is None:
        raise _fail(locate, pos, "Expecting value.")
    raw = match.group()
    number = json_int(raw) if raw.lstrip("-").isdigit() else float(raw)
    node = Node("number", number, pos, locate)
    node.end_offset = match.end()
    return node, match.end()


def from_python(value: Any, depth: int = 0) -> Node:
    """Build a location-less tree from Python data (dict input).

    Raises PolicyError for anything JSON cannot hold.
    """
    if depth > MAX_DEPTH:
        raise JsonSyntaxError(f"{SYNTAX} The policy document is nested too deeply.")
    if isinstance(value, dict):
        node = Node("object", {})
        for key, item in value.items():
            if not isinstance(key, str):
                raise JsonSyntaxError(f"{SYNTAX} Object keys must be strings.")
            node.keys.offsets[key] = 0
            node.value[key] = from_python(item, depth + 1)
        return node
    if isinstance(value, (list, tuple)):
        return Node("array", [from_python(item, depth + 1) for item in value])
    if isinstance(value, str):
        return Node("string", value)
    if isinstance(value, bool):
        return Node("bool", value)
    if value is None:
        return Node("null", None)
    if isinstance(value, int):
        # As the text reader keeps it: an int that could not become text is a Decimal.
        return Node("number", value if value.bit_length() < _INT_BITS else Decimal(value))
    if isinstance(value, Decimal) and value.is_finite():
        return Node("number", value)
    if isinstance(value, float) and math.isfinite(value):
        return Node("number", value)
    raise JsonSyntaxError(f"{SYNTAX} {type(value).__name__} is not a JSON value.")
