"""The IAM dashboard's security checklist, live."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import describe_error, escape, guarded, problem


def checklist_html(items: list[Any]) -> str:
    """The checklist as an HTML table: ✅ done, or ❌ with the hint."""
    rows = "".join(
        f'<tr class="labkit-{"done" if item.ok else "todo"}">'
        f"<td>{'✅' if item.ok else '❌'}</td>"
        f"<td>{escape(item.name)}</td>"
        f'<td style="color:#555">{"" if item.ok else escape(item.hint)}</td>'
        "</tr>"
        for item in items
    )
    done = sum(1 for item in items if item.ok)
    return (
        f"<b>Security status: {done} of {len(items)} done</b>"
        f'<table class="labkit-security-status">{rows}</table>'
    )


class SecurityStatus(widgets.VBox):
    """The account's security checklist, refreshed with the button or
    :meth:`refresh` (and whenever it is displayed). ``ok`` is True when
    every item is done."""

    ok = traitlets.Bool(False)

    def __init__(self, lab: Any, **kwargs: Any) -> None:
        self.lab = lab
        self.items: list[Any] = []
        self.checklist = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        super().__init__([self.checklist, self.refresh_button], **kwargs)
        self._wire()
        self.refresh()

    def _wire(self) -> None:
        self.refresh_button.on_click(self._on_refresh_click)

    @guarded
    def refresh(self) -> None:
        """Read the account's security status again."""
        self.items = list(self.lab.security_status())
        self.ok = all(item.ok for item in self.items)
        self.checklist.value = checklist_html(self.items)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        self.refresh()
        return super()._repr_mimebundle_(**kwargs)

    @guarded
    def _on_refresh_click(self, button: widgets.Button) -> None:
        self.refresh()

    def _show_failure(self, error: BaseException) -> None:
        self.ok = False
        self.checklist.value = problem(
            f"Could not read the security status: {describe_error(error)}"
        )
