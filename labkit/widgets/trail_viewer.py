"""The Lab's trail of calls as a table, filtered by principal and decision."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from labkit.widgets._common import Summarized, badge, describe_error, escape, guarded, problem

ALL = ""
DECISIONS = (
    ("All decisions", ALL),
    ("Allowed", "allowed"),
    ("Explicit deny", "explicitDeny"),
    ("Implicit deny", "implicitDeny"),
)
MAX_ROWS = 200  # the newest; a long trail would make the page sluggish


def short_principal(arn: str) -> str:
    """``user/alice``, ``assumed-role/Admin/s`` or ``root`` from an ARN."""
    return arn.split(":", 5)[-1] if arn.startswith("arn:") else arn


def trail_html(events: list[Any], limit: int = MAX_ROWS) -> str:
    """Events as an HTML table, newest first, at most ``limit`` rows."""
    if not events:
        return '<div class="labkit-trail"><i>No calls match.</i></div>'
    shown = events[-limit:][::-1]
    rows = "".join(
        "<tr>"
        f"<td>{escape(f'{e.time:%H:%M:%S}')}</td>"
        f'<td title="{escape(e.principal)}">{escape(short_principal(e.principal))}</td>'
        f"<td>{escape(e.action)}</td>"
        f"<td>{escape(e.resource)}</td>"
        f"<td>{badge(e.decision)}</td>"
        f'<td title="{escape(e.error_message or "")}">{escape(e.error_code or "OK")}</td>'
        "</tr>"
        for e in shown
    )
    head = "".join(
        f'<th style="text-align:left">{h}</th>'
        for h in ("Time", "Principal", "Action", "Resource", "Decision", "Result")
    )
    more = (
        f"<div><i>Showing the newest {limit} of {len(events)} calls.</i></div>"
        if len(events) > limit
        else ""
    )
    return (
        f'<div class="labkit-trail"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>{more}</div>"
    )


class TrailViewer(Summarized, widgets.VBox):
    """Who did what, newest first, with filters for the principal and the decision."""

    def __init__(self, lab: Any, **kwargs: Any) -> None:
        self.lab = lab
        self.principal = widgets.Dropdown(description="Principal", options=[("Everyone", ALL)])
        self.decision = widgets.Dropdown(description="Decision", options=DECISIONS, value=ALL)
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.table = widgets.HTML()
        super().__init__(
            [widgets.HBox([self.principal, self.decision, self.refresh_button]), self.table],
            **kwargs,
        )
        self._wire()
        self.refresh()

    def _wire(self) -> None:
        self.principal.observe(self._on_filter_change, names="value")
        self.decision.observe(self._on_filter_change, names="value")
        self.refresh_button.on_click(self._on_refresh_click)

    @guarded
    def refresh(self) -> None:
        """Read the trail again: new principals appear in the filter."""
        principals = sorted({event.principal for event in self.lab.trail})
        current = self.principal.value
        options = [("Everyone", ALL)] + [(short_principal(p), p) for p in principals]
        self.principal.options = options
        self.principal.value = current if current in principals else ALL
        self._show()

    @property
    def events(self) -> list[Any]:
        """The events the filters let through, oldest first."""
        trail = self.lab.trail
        if self.principal.value or self.decision.value:
            trail = trail.filter(
                principal=self.principal.value or None, decision=self.decision.value or None
            )
        return list(trail)

    def summary(self) -> str:
        """The filters and what they let through, e.g. ``Trail viewer: 3
        calls (everyone, all decisions): 2 allowed, 1 denied``."""
        events = self.events
        who = short_principal(self.principal.value) if self.principal.value else "everyone"
        which = dict((value, label) for label, value in DECISIONS)[self.decision.value]
        allowed = sum(event.decision == "allowed" for event in events)
        calls = f"{len(events)} call{'s' if len(events) != 1 else ''}"
        return (
            f"Trail viewer: {calls} ({who}, {which.lower()}): "
            f"{allowed} allowed, {len(events) - allowed} denied"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        self.refresh()
        return super()._repr_mimebundle_(**kwargs)

    @guarded
    def _on_filter_change(self, change: dict[str, Any]) -> None:
        self._show()

    @guarded
    def _on_refresh_click(self, button: widgets.Button) -> None:
        self.refresh()

    def _show(self) -> None:
        self.table.value = trail_html(self.events)

    def _show_failure(self, error: BaseException) -> None:
        self.table.value = problem(f"Could not read the trail: {describe_error(error)}")
