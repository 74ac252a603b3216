"""Who may do what: a grid of principals × actions, one decision per cell."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import (
    COMMON_ACTIONS,
    badge,
    describe_error,
    escape,
    guarded,
    look,
    pre,
    problem,
)
from labkit.widgets._principals import (
    PolicyReader,
    PrincipalChoice,
    as_principal,
    lab_principals,
)

CELL_WIDTH = "34px"
LABEL_WIDTH = "170px"

ActionSpec = str | tuple[str, str]


def normalize_actions(actions: Iterable[ActionSpec] | None) -> list[tuple[str, str]]:
    """Actions as (action, resource template) pairs; a bare action means ``*``.

    A template may say ``{account}`` and ``{name}`` (the principal's name),
    e.g. ``("iam:ListMFADevices", "arn:aws:iam::{account}:user/{name}")``.
    """
    pairs = []
    for item in COMMON_ACTIONS if actions is None else actions:
        if isinstance(item, str):
            pairs.append((item, "*"))
        else:
            action, resource = item
            pairs.append((str(action), str(resource) or "*"))
    return pairs


def select_principals(
    available: Sequence[PrincipalChoice], wanted: Iterable[str] | None
) -> list[PrincipalChoice]:
    """The principals named in ``wanted`` (names, ``user x``/``role x`` labels
    or ARNs), in that order; all of them when ``wanted`` is None."""
    if wanted is None:
        return list(available)
    chosen = []
    for key in wanted:
        for choice in available:
            if key in (choice.arn, choice.label, choice.name) and choice not in chosen:
                chosen.append(choice)
                break
    return chosen


def resource_for(template: str, account: str, choice: PrincipalChoice) -> str:
    """A resource template filled in for one principal."""
    if "{" not in template:
        return template
    try:
        return template.format(account=account, name=choice.name)
    except (KeyError, IndexError, ValueError):
        return template


def _header(text: str) -> widgets.HTML:
    return widgets.HTML(
        f'<div title="{escape(text)}" style="writing-mode:vertical-rl;transform:rotate(180deg);'
        f'white-space:nowrap;font-size:11px;line-height:{CELL_WIDTH}">{escape(text)}</div>',
        layout=widgets.Layout(width=CELL_WIDTH),
    )


class AccessMatrix(widgets.VBox):
    """A grid of principals (rows) and actions (columns); each cell shows
    allowed, explicit deny or implicit deny. Click a cell for the reasons.

    The grid follows the Lab: it is refreshed when displayed, with the
    Refresh button and with :meth:`refresh`, and skips the work when nothing
    in IAM changed since the last time.
    """

    mfa_present = traitlets.Bool(False, help="Decide as if every principal signed in with MFA.")

    def __init__(
        self,
        lab: Any,
        principals: Iterable[str] | None = None,
        actions: Iterable[ActionSpec] | None = None,
        **kwargs: Any,
    ) -> None:
        self.lab = lab
        self.wanted = None if principals is None else list(principals)
        self.actions = normalize_actions(actions)
        self._reader = PolicyReader(lab)
        self._rows: list[PrincipalChoice] = []
        self._cells: list[list[widgets.Button]] = []
        self._decisions: dict[tuple[int, int], Any] = {}
        self._shown: dict[tuple[int, int], str] = {}
        self._fingerprint: Any = None
        # One style object per decision, shared by all cells: recolouring a
        # cell is then a single trait change.
        self._styles = {
            name: widgets.ButtonStyle(button_color=look(name).background, font_weight="bold")
            for name in ("allowed", "explicitDeny", "implicitDeny", "error")
        }
        self.mfa = widgets.Checkbox(value=False, description="Signed in with MFA", indent=False)
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.grid = widgets.GridBox([])
        self.legend = widgets.HTML(
            " ".join(badge(name) for name in ("allowed", "explicitDeny", "implicitDeny"))
        )
        self.explanation = widgets.HTML("<i>Click a cell to see why.</i>")
        super().__init__(
            [
                widgets.HBox([self.mfa, self.refresh_button]),
                self.legend,
                self.grid,
                self.explanation,
            ],
            **kwargs,
        )
        self._wire()
        self.refresh(force=True)

    def _wire(self) -> None:
        traitlets.link((self, "mfa_present"), (self.mfa, "value"))
        self.observe(self._on_mfa_present_change, names="mfa_present")
        self.refresh_button.on_click(self._on_refresh_click)

    # -- public -----------------------------------------------------------------

    def refresh(self, force: bool = False) -> bool:
        """Decide every cell again if IAM changed (always when ``force``).

        Returns True when the cells were recomputed.
        """
        fingerprint = (self._reader.fingerprint(), self.mfa_present)
        if not force and fingerprint == self._fingerprint:
            return False
        rows = select_principals(lab_principals(self.lab), self.wanted)
        if self._fingerprint is None or [r.arn for r in rows] != [r.arn for r in self._rows]:
            self._build(rows)
        self._decide_all()
        self._fingerprint = fingerprint
        return True

    def decision(self, principal: str, action: str) -> str | None:
        """The decision shown for a principal (name, label or ARN) and an action."""
        for row, choice in enumerate(self._rows):
            if principal in (choice.arn, choice.label, choice.name):
                for column, (name, _) in enumerate(self.actions):
                    if name.lower() == action.lower():
                        return self._shown.get((row, column))
        return None

    def cell(self, principal: str, action: str) -> widgets.Button:
        """The button of one cell (for clicking it from code)."""
        for row, choice in enumerate(self._rows):
            if principal in (choice.arn, choice.label, choice.name):
                for column, (name, _) in enumerate(self.actions):
                    if name.lower() == action.lower():
                        return self._cells[row][column]
        raise KeyError(f"no cell for {principal!r} and {action!r}")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Displaying the matrix again shows the Lab as it is now.
        try:
            self.refresh()
        except Exception as error:  # noqa: BLE001 - shown in the widget instead
            self._show_failure(error)
        return super()._repr_mimebundle_(**kwargs)

    # -- handlers ---------------------------------------------------------------

    @guarded
    def _on_refresh_click(self, button: widgets.Button) -> None:
        self.refresh(force=True)

    @guarded
    def _on_mfa_present_change(self, change: dict[str, Any]) -> None:
        self.refresh()

    @guarded
    def _on_cell_click(self, button: widgets.Button) -> None:
        self.refresh()  # explain what IAM says now, not what it said when last drawn
        row, column = button._labkit_cell  # type: ignore[attr-defined]
        outcome = self._decisions.get((row, column))
        if outcome is None:
            self.explanation.value = "<i>No decision for this cell.</i>"
            return
        if isinstance(outcome, BaseException):
            self.explanation.value = problem(f"Could not decide: {describe_error(outcome)}")
            return
        who = self._rows[row].label
        self.explanation.value = (
            f"<b>{escape(who)}</b> → <code>{escape(outcome.request.action)}</code> on "
            f"<code>{escape(outcome.request.resource)}</code>: {badge(outcome.decision)}"
            + pre(outcome.explain())
        )

    # -- building and deciding --------------------------------------------------

    def _build(self, rows: list[PrincipalChoice]) -> None:
        """Lay out the grid for these rows, reusing the cell buttons there are."""
        old = [button for row in self._cells for button in row]
        columns = len(self.actions)
        cells: list[list[widgets.Button]] = []
        for r in range(len(rows)):
            line = []
            for c in range(columns):
                button = old.pop() if old else self._new_cell()
                button._labkit_cell = (r, c)  # type: ignore[attr-defined]
                line.append(button)
            cells.append(line)
        for button in old:
            button.close()
        self._rows, self._cells = rows, cells
        self._decisions.clear()
        self._shown.clear()
        children: list[widgets.Widget] = [widgets.HTML("")]
        children += [_header(action) for action, _ in self.actions]
        for choice, line in zip(rows, cells, strict=True):
            children.append(
                widgets.HTML(
                    f'<span title="{escape(choice.arn)}">{escape(choice.label)}</span>',
                    layout=widgets.Layout(width=LABEL_WIDTH, overflow="hidden"),
                )
            )
            children += line
        self.grid.layout.grid_template_columns = f"{LABEL_WIDTH} repeat({columns}, {CELL_WIDTH})"
        self.grid.layout.grid_gap = "2px"
        self.grid.children = children
        self.explanation.value = (
            "<i>Click a cell to see why.</i>"
            if rows
            else "<i>No users or roles yet: create some, then press Refresh.</i>"
        )

    def _new_cell(self) -> widgets.Button:
        button = widgets.Button(
            description="", layout=widgets.Layout(width=CELL_WIDTH, height="28px")
        )
        button.on_click(self._on_cell_click)
        return button

    def _decide_all(self) -> None:
        account = self.lab.account_id
        for row, choice in enumerate(self._rows):
            try:
                principal = as_principal(self.lab, choice, self.mfa_present)
            except Exception as error:  # noqa: BLE001 - shown in the row's cells
                for column in range(len(self.actions)):
                    self._set(row, column, error)
                continue
            for column, (action, template) in enumerate(self.actions):
                try:
                    resource = resource_for(template, account, choice)
                    outcome: Any = self._reader.decide(principal, action, resource)
                except Exception as error:  # noqa: BLE001 - one bad cell must not hide the rest
                    outcome = error
                self._set(row, column, outcome)

    def _set(self, row: int, column: int, outcome: Any) -> None:
        self._decisions[(row, column)] = outcome
        name = "error" if isinstance(outcome, BaseException) else outcome.decision
        if self._shown.get((row, column)) == name:
            return  # unchanged: no trait traffic to the front end
        self._shown[(row, column)] = name
        button = self._cells[row][column]
        shown = look(name)
        button.description = shown.symbol
        button.style = self._styles[name]
        button.tooltip = f"{self._rows[row].label} · {self.actions[column][0]}: {shown.label}"

    def _show_failure(self, error: BaseException) -> None:
        self.explanation.value = problem(f"Could not refresh the matrix: {describe_error(error)}")
