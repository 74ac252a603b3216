"""Policy variables: ``${aws:username}``, defaults and the escapes ``${*}``.

A pattern from a policy (a Resource, or a condition value) is split once into
parts: literal text, the wildcards ``*`` and ``?``, and variables. Variables
are substituted only in ``2012-10-17`` policies; in older ones the text is
taken literally. A variable whose key is absent or multivalued in the request,
and which has no default, cannot be resolved and the pattern matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from labkit.policy.cache import bounded
from labkit.policy.model import ContextValue

# Escapes for the characters that otherwise mean something in a pattern.
_ESCAPES = {"*": "*", "?": "?", "$": "$"}
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'((?:[^']|'')*)'\s*$")


@dataclass(frozen=True, slots=True)
class Variable:
    """A ``${key}`` or ``${key, 'default'}`` reference.

    ``key`` is as written; ``default`` is None when there is none. A variable
    written so that IAM could never resolve it (``${}``, a bad default) has
    ``broken`` set.
    """

    key: str
    default: str | None = None
    broken: bool = False

    @property
    def lookup(self) -> str:
        """The key as the request context stores it."""
        return self.key.lower()


# A part is a literal string, the wildcard "*" or "?" (as WILD_* markers), or
# a Variable.
WILD_MANY = object()
WILD_ONE = object()
Part = str | Variable | object


@bounded(entries=8192, chars=2_000_000)
def split(text: str, variables: bool = True) -> tuple[Part, ...]:
    """Split a pattern into literal text, wildcards and variables.

    With ``variables`` false (a ``2008-10-17`` policy) ``${...}`` is literal.
    """
    parts: list[Part] = []
    literal: list[str] = []
    pos = 0
    for start, end, inner, wild in _tokens(text, variables):
        literal.append(text[pos:start])
        pos = end
        if wild is not None:
            _flush(literal, parts)
            parts.append(WILD_MANY if wild == "*" else WILD_ONE)
            continue
        stripped = inner.strip()
        if stripped in _ESCAPES:
            literal.append(_ESCAPES[stripped])
            continue
        _flush(literal, parts)
        parts.append(_variable(inner))
    literal.append(text[pos:])
    _flush(literal, parts)
    return tuple(parts)


_SPECIAL = re.compile(r"\$\{|[*?]")
_WILD = re.compile(r"[*?]")


def _tokens(text: str, variables: bool) -> Iterator[tuple[int, int, str | None, str | None]]:
    """(start, end, variable text, wildcard) for each ``${...}``, ``*`` and ``?``.

    Linear in the text: a ``${`` with no ``}`` after it is literal text, and
    once no ``}`` is left no later ``${`` is looked at twice.
    """
    finder = _SPECIAL if variables else _WILD
    last_close = text.rfind("}")
    at = 0
    while (found := finder.search(text, at)) is not None:
        if found.group() != "${":
            yield found.start(), found.end(), None, found.group()
            at = found.end()
            continue
        close = text.find("}", found.end()) if found.start() < last_close else -1
        if close == -1:
            at = found.start() + 1  # "$" is literal; the "{" is looked at again
            continue
        yield found.start(), close + 1, text[found.end() : close], None
        at = close + 1


def _flush(literal: list[str], parts: list[Part]) -> None:
    joined = "".join(literal)
    literal.clear()
    if joined:
        if parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1] + joined
        else:
            parts.append(joined)


def _variable(inner: str) -> Variable:
    if "," in inner:
        match = _DEFAULT.match(inner)
        if match is None:
            key = inner.split(",", 1)[0].strip()
            return Variable(key or inner, broken=True)
        return Variable(match.group(1), match.group(2).replace("''", "'"))
    key = inner.strip()
    if not key or " " in key:
        return Variable(inner, broken=True)
    return Variable(key)


def has_variables(parts: tuple[Part, ...]) -> bool:
    """True when any part is a variable."""
    return any(isinstance(part, Variable) for part in parts)


def variable_keys(text: str, variables: bool = True) -> tuple[str, ...]:
    """The context keys a pattern refers to, as written, in order."""
    return tuple(
        part.key
        for part in split(text, variables)
        if isinstance(part, Variable) and not part.broken
    )


def resolve(variable: Variable, context: Mapping[str, ContextValue]) -> str | None:
    """The text a variable stands for in this request, or None.

    Multivalued keys cannot be used as variables, so they fall back to the
    default just as an absent key does.
    """
    if variable.broken:
        return None
    value = context.get(variable.lookup)
    if isinstance(value, str):
        return value
    return variable.default


def substitute(
    parts: tuple[Part, ...], context: Mapping[str, ContextValue]
) -> tuple[Part, ...] | None:
    """The parts with every variable replaced by its value, as literal text.

    None when some variable cannot be resolved: the pattern then matches
    nothing.
    """
    out: list[Part] = []
    for part in parts:
        if isinstance(part, Variable):
            value = resolve(part, context)
            if value is None:
                return None
            out.append(value)
        else:
            out.append(part)
    return tuple(out)


def unresolved(parts: tuple[Part, ...], context: Mapping[str, ContextValue]) -> tuple[str, ...]:
    """Keys of the variables in ``parts`` this request cannot resolve."""
    return tuple(
        part.key
        for part in parts
        if isinstance(part, Variable) and not part.broken and resolve(part, context) is None
    )
