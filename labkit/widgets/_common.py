"""Shared pieces of the widgets: safe handlers, decision badges, HTML bits,
and the plain-text summary a stored widget output shows.

Everything here is plain Python: no widget state, so it is easy to test.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class DecisionLook(NamedTuple):
    """How a decision is drawn: a symbol, a word and colours."""

    symbol: str
    label: str
    colour: str  # text and border
    background: str  # a cell's fill


DECISION_LOOKS: dict[str, DecisionLook] = {
    "allowed": DecisionLook("✔", "Allowed", "#1b5e20", "#c8e6c9"),
    "explicitDeny": DecisionLook("✖", "Explicit deny", "#b71c1c", "#ffcdd2"),
    "implicitDeny": DecisionLook("–", "Implicit deny", "#5d4037", "#eeeeee"),
}
UNKNOWN_LOOK = DecisionLook("?", "Could not decide", "#e65100", "#ffe0b2")


def look(decision: str) -> DecisionLook:
    """The symbol, word and colours of a decision name."""
    return DECISION_LOOKS.get(decision, UNKNOWN_LOOK)


def escape(text: Any) -> str:
    """``text`` made safe to put inside HTML."""
    return html.escape(str(text), quote=True)


def badge(decision: str) -> str:
    """A coloured HTML badge for a decision name (``allowed``...)."""
    shown = look(decision)
    return (
        f'<span class="labkit-decision labkit-{escape(decision)}" '
        f'style="color:{shown.colour};background:{shown.background};'
        f'border:1px solid {shown.colour};border-radius:4px;padding:1px 6px;font-weight:bold">'
        f"{shown.symbol} {shown.label}</span>"
    )


def pre(text: str) -> str:
    """Preformatted text that keeps its line breaks and wraps long lines."""
    return f'<pre style="white-space:pre-wrap;margin:4px 0">{escape(text)}</pre>'


def problem(text: str) -> str:
    """An HTML message for something that went wrong."""
    return f'<div class="labkit-problem" style="color:#b71c1c">⚠ {escape(text)}</div>'


def success(text: str) -> str:
    """An HTML message for something that worked."""
    return f'<div class="labkit-success" style="color:#1b5e20">✔ {escape(text)}</div>'


def describe_error(error: BaseException) -> str:
    """An exception in a learner's words: AWS's code and message for a
    ``ClientError``, else the exception's type and text."""
    response = getattr(error, "response", None)
    if isinstance(response, dict) and "Error" in response:
        details = response["Error"]
        return f"{details.get('Code', 'Error')}: {details.get('Message', '')}".rstrip(": ")
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def guarded(handler: F) -> F:
    """Turn any exception a handler raises into a message on its widget.

    Handlers run on the front end's events, where a traceback would be lost
    or alarming; the widget's ``_show_failure`` puts it where it can be read.
    """

    @functools.wraps(handler)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return handler(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - shown, not swallowed
            self._show_failure(error)
            return None

    return run  # type: ignore[return-value]


# --- what a stored output says in plain text ----------------------------------


def widget_name(widget: Any) -> str:
    """A widget's kind in words: ``PolicyEditor`` → "Policy editor",
    ``MFAEnrollment`` → "MFA enrollment"."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|\d+", type(widget).__name__)
    if not words:
        return "Widget"
    first, *rest = words
    shown = [first[0].upper() + first[1:]]
    shown += [word if word.isupper() and len(word) > 1 else word.lower() for word in rest]
    return " ".join(shown)


def generic_summary(widget: Any) -> str:
    """The summary of a widget that has none of its own."""
    return f"{widget_name(widget)}: an interactive view; run the cell in JupyterLab to use it."


def summary_of(widget: Any) -> str:
    """The widget's ``summary()`` (or a generic one); never raises.

    This is the text/plain of a widget's output: what a notebook shows where
    the widget itself cannot be drawn (opened before running, on a Git host,
    in a terminal), instead of ipywidgets' ``Name(children=(...))`` repr.
    """
    own = getattr(widget, "summary", None)
    if callable(own):
        try:
            text = own()
        except Exception as error:  # noqa: BLE001 - a summary must never break a display
            return f"{widget_name(widget)}: (no summary: {describe_error(error)})"
        if isinstance(text, str) and text.strip():
            return text
    return generic_summary(widget)


class Summarized:
    """Mixin for a widget (put it before the ipywidgets base): its output's
    text/plain is :func:`summary_of` the widget, its view stays as it is.

        class PolicyEditor(Summarized, widgets.VBox):
            def summary(self) -> str:
                return "Policy editor: 1 statement, valid"

    A widget that defines no ``summary()`` gets :func:`generic_summary`.
    """

    def summary(self) -> str:
        """One or a few lines of plain text saying what the widget shows."""
        return generic_summary(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/plain"] = summary_of(self)
        return bundle


def summarize_in_ipython(*classes: type, display_formatter: Any = None) -> None:
    """Show :func:`summary_of` as the text/plain of these widget classes in
    the running IPython (or in ``display_formatter``), for widgets that do
    not mix in :class:`Summarized` yet: IPython prefers a formatter
    registered for a type to the text/plain of ``_repr_mimebundle_``.
    Outside IPython it does nothing."""
    if display_formatter is None:
        from IPython import get_ipython

        shell = get_ipython()
        if shell is None:
            return
        display_formatter = shell.display_formatter
    formatter = display_formatter.formatters["text/plain"]
    for cls in classes:
        if not issubclass(cls, Summarized):
            formatter.for_type(cls, _print_summary)


def _print_summary(widget: Any, printer: Any, cycle: bool) -> None:
    printer.text(summary_of(widget))


def table(headers: list[str], rows: list[list[str]], *, raw: bool = False) -> str:
    """An HTML table; cells are escaped unless ``raw`` (already HTML)."""

    def cell(value: str, tag: str) -> str:
        text = value if raw else escape(value)
        return f'<{tag} style="text-align:left;padding:2px 8px">{text}</{tag}>'

    head = "".join(cell(escape(h) if raw else h, "th") for h in headers)
    body = "".join("<tr>" + "".join(cell(v, "td") for v in row) + "</tr>" for row in rows)
    return (
        f'<table class="labkit-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


COMMON_ACTIONS = (
    "iam:ListUsers",
    "iam:CreateUser",
    "iam:ListMFADevices",
    "iam:EnableMFADevice",
    "iam:DeactivateMFADevice",
    "s3:ListAllMyBuckets",
    "s3:GetObject",
    "s3:PutObject",
    "dynamodb:GetItem",
    "ec2:DescribeInstances",
)


@functools.lru_cache(maxsize=1)
def _lowered_actions() -> tuple[tuple[str, ...], tuple[str, ...]]:
    from labkit.policy import catalog

    pairs = sorted((a.lower(), a) for a in catalog.all_actions())
    return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)


def action_options(typed: str, limit: int = 40) -> list[str]:
    """Catalog actions for an autocompletion list, kept short.

    Actions starting with what was typed come first (any case), then, when
    there is room, those merely containing it; an empty entry offers a few
    common actions.
    """
    import bisect

    typed = typed.strip().lower()
    if not typed:
        return list(COMMON_ACTIONS)
    lowered, actions = _lowered_actions()
    start = bisect.bisect_left(lowered, typed)
    found: list[str] = []
    for index in range(start, len(lowered)):
        if not lowered[index].startswith(typed) or len(found) >= limit:
            break
        found.append(actions[index])
    if len(found) < limit and len(typed) >= 3:
        seen = set(found)
        for low, action in zip(lowered, actions, strict=True):
            if typed in low and action not in seen:
                found.append(action)
                if len(found) >= limit:
                    break
    return found
