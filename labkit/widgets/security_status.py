"""The IAM dashboard's security recommendations, live: red "Action needed",
green "Done"."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import Summarized, describe_error, escape, guarded, problem

RED, GREEN = "#b71c1c", "#1b5e20"


def recommendations_html(items: list[Any]) -> str:
    """The recommendations as HTML: a count, then one coloured block each,
    saying in words "Done: ..." (green) or "Action needed: ..." (red), with
    what is left to fix and how."""
    done = sum(1 for item in items if item.ok)
    colour = GREEN if done == len(items) else RED
    blocks = "".join(_block(item) for item in items)
    return (
        f'<div class="labkit-security-status">'
        f'<b style="color:{colour}">Security recommendations: {done} of {len(items)} done</b>'
        f"{blocks}</div>"
    )


def _block(item: Any) -> str:
    render = getattr(item, "html", None)
    if callable(render):
        return str(render())
    state = "Done" if item.ok else "Action needed"
    colour = GREEN if item.ok else RED
    kind = "done" if item.ok else "todo"
    hint = "" if item.ok else f' <span style="color:#555">{escape(item.hint)}</span>'
    return (
        f'<div class="labkit-recommendation labkit-{kind}" style="color:{colour}">'
        f"<b>{state}:</b> {escape(item.name)}{hint}</div>"
    )


def summary_text(items: list[Any]) -> str:
    """One line: how many recommendations are done and which need action."""
    done = sum(1 for item in items if item.ok)
    text = f"Security status: {done} of {len(items)} recommendations done"
    to_do = [item.name for item in items if not item.ok]
    text += ("; action needed: " + "; ".join(to_do)) if to_do else "; nothing needs action"
    return text


class SecurityStatus(Summarized, widgets.VBox):
    """The account's security recommendations, refreshed with the button or
    :meth:`refresh` (and whenever it is displayed). ``ok`` is True when
    every recommendation is done."""

    ok = traitlets.Bool(False)

    def __init__(self, lab: Any, **kwargs: Any) -> None:
        self.lab = lab
        self.items: list[Any] = []
        self.status: Any = None
        self.checklist = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self._failure: str | None = None
        super().__init__([self.checklist, self.refresh_button], **kwargs)
        self._wire()
        self.refresh()

    def _wire(self) -> None:
        self.refresh_button.on_click(self._on_refresh_click)

    @guarded
    def refresh(self) -> None:
        """Read the account's security recommendations again."""
        self.status = self.lab.security_status()
        self.items = list(self.status)
        self._failure = None
        self.ok = all(item.ok for item in self.items)
        self.checklist.value = recommendations_html(self.items)

    def summary(self) -> str:
        """One line of plain text: what is done, what needs action."""
        if self._failure is not None:
            return f"Security status: could not be read ({self._failure})"
        return summary_text(self.items)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        self.refresh()
        return super()._repr_mimebundle_(**kwargs)

    @guarded
    def _on_refresh_click(self, button: widgets.Button) -> None:
        self.refresh()

    def _show_failure(self, error: BaseException) -> None:
        self.ok = False
        self._failure = describe_error(error)
        self.checklist.value = problem(f"Could not read the security status: {self._failure}")
