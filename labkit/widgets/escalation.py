"""Pick a user or role and see its routes to admin: in words and drawn."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import Summarized, describe_error, escape, guarded, problem
from labkit.widgets._principals import (
    PolicyReader,
    PrincipalChoice,
    offer_principals,
)

# How a principal stands, in words and colour: (word, text colour, fill).
STANDINGS = {
    "at-risk": ("At risk", "#b71c1c", "#ffcdd2"),
    "admin": ("Admin already", "#a63c00", "#fff3e0"),
    "safe": ("No route to admin", "#1b5e20", "#c8e6c9"),
}


def standing_badge(standing: str, text: str) -> str:
    """A coloured badge that says how a principal stands, and a sentence."""
    word, colour, fill = STANDINGS[standing]
    return (
        f'<div class="labkit-escalation labkit-{standing}">'
        f'<span style="color:{colour};background:{fill};border:1px solid {colour};'
        f'border-radius:4px;padding:1px 6px;font-weight:bold">{word}</span> '
        f"{escape(text)}</div>"
    )


def routes_html(found: list[Any]) -> str:
    """Each route as a numbered list of its steps, shortest first."""
    blocks = []
    for number, path in enumerate(found, 1):
        steps = "".join(f"<li>{escape(step.sentence)}</li>" for step in path.steps)
        blocks.append(
            f'<div class="labkit-route"><b>Route {number}</b>: '
            f"{escape(_ending(path))}<ol style='margin:2px 0'>{steps}</ol></div>"
        )
    return "".join(blocks)


def _ending(path: Any) -> str:
    from labkit.escalation import name_of

    if path.end == path.start:
        return f"{name_of(path.start)} makes itself admin-equivalent"
    return f"ends acting as {name_of(path.end)}, which is admin-equivalent"


class EscalationExplorer(Summarized, widgets.VBox):
    """Choose a user or role: see whether it can become admin-equivalent, each
    route in words, and the routes drawn. ``message`` says it in one line,
    ``routes`` counts them; a problem shows as a message, never a traceback."""

    message = traitlets.Unicode("", help="How the chosen principal stands, in words.")
    routes = traitlets.Int(0, help="How many routes to admin the chosen principal has.")

    def __init__(self, lab: Any, **kwargs: Any) -> None:
        self.lab = lab
        self._reader = PolicyReader(lab)
        self._choices: dict[str, PrincipalChoice] = {}
        self._seen: object = None
        self.found: list[Any] = []
        self.principal = widgets.Dropdown(description="Principal", options=[])
        self.refresh_button = widgets.Button(
            description="Refresh", icon="refresh", tooltip="Read the account again"
        )
        self.mfa = widgets.Checkbox(
            value=False, description="The attacker has its MFA device too", indent=False
        )
        self.verdict = widgets.HTML()
        self.steps = widgets.HTML()
        self.diagram = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.principal, self.refresh_button]),
                self.mfa,
                self.verdict,
                self.steps,
                self.diagram,
            ],
            **kwargs,
        )
        self._load_principals()
        self.principal.observe(self._on_change, names="value")
        self.mfa.observe(self._on_change, names="value")
        self.refresh_button.on_click(self._on_refresh_click)
        self._update()

    # -- public ---------------------------------------------------------------

    def refresh(self) -> None:
        """Read the account again and show the chosen principal's routes."""
        self._load_principals()
        self._update()

    def summary(self) -> str:
        """The message, as plain text for a stored output."""
        return f"Escalation explorer: {self.message}" if self.message else "Escalation explorer"

    # -- handlers -------------------------------------------------------------

    @guarded
    def _on_change(self, change: dict[str, Any]) -> None:
        self._update()

    @guarded
    def _on_refresh_click(self, button: widgets.Button) -> None:
        self.refresh()

    # -- showing --------------------------------------------------------------

    @guarded
    def _load_principals(self) -> None:
        self._seen = self._reader.fingerprint()
        self._choices = offer_principals(self.principal, self.lab)

    @guarded
    def _update(self) -> None:
        from labkit import escalation

        if self._reader.fingerprint() != self._seen:
            self._load_principals()
        choice = self._choices.get(self.principal.value or "")
        self.found = []
        self.routes = 0
        if choice is None:
            self._show("safe", "The account has no users or roles yet: create one, then Refresh.")
            return
        found = escalation.paths(self.lab, choice.arn, mfa=self.mfa.value)
        self.found = found
        self.routes = len(found)
        if found:
            count = f"{len(found)} route{'s' if len(found) != 1 else ''}"
            self._show("at-risk", f"{choice.label} can become admin-equivalent by {count}.", found)
        elif escalation.admin_equivalent(self.lab, choice.arn, mfa=self.mfa.value):
            self._show("admin", f"{choice.label} is admin-equivalent already.")
        else:
            self._show("safe", f"{choice.label} has no route to admin-equivalent.")

    def _show(self, standing: str, text: str, found: list[Any] | None = None) -> None:
        self.message = f"{STANDINGS[standing][0]}: {text}"
        self.verdict.value = standing_badge(standing, text)
        self.steps.value = routes_html(found or [])
        self.diagram.value = _diagram_svg(found) if found else ""

    def _show_failure(self, error: BaseException) -> None:
        self.routes = 0
        self.message = f"Could not find the routes: {describe_error(error)}"
        self.verdict.value = problem(self.message)
        self.steps.value = ""
        self.diagram.value = ""


def _diagram_svg(found: list[Any]) -> str:
    """The routes drawn as inline SVG (or a note why not)."""
    from labkit.escalation import draw

    try:
        svg = draw(found, legend=False).pipe(format="svg").decode("utf-8")
    except Exception as error:  # noqa: BLE001 - e.g. Graphviz's dot missing
        return problem(f"Could not draw the routes: {describe_error(error)}")
    start = svg.find("<svg")
    return (
        '<div class="labkit-diagram" style="max-width:100%;overflow:auto">'
        + (svg[start:] if start >= 0 else svg)
        + "</div>"
    )
