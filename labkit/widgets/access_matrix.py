"""Who may do what: a grid of principals × actions, one decision per cell."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import (
    COMMON_ACTIONS,
    DECISION_LOOKS,
    UNKNOWN_LOOK,
    Summarized,
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
# Up to this many cells each cell is a button to click for the reasons.
# Beyond it the grid is one HTML table and a cell is picked from two lists:
# thousands of button widgets cost seconds and hundreds of megabytes.
CELL_WIDGET_LIMIT = 1_000
# How tall the table of a large grid may grow before it scrolls.
TABLE_HEIGHT = "520px"
ERROR = "error"  # a cell that could not be decided

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
    # Every key names its principals in order, so a name a user and a role
    # share picks the user first, then the role.
    named: dict[str, list[PrincipalChoice]] = {}
    for choice in available:
        for key in dict.fromkeys((choice.arn, choice.label, choice.name)):
            named.setdefault(key, []).append(choice)
    chosen: dict[PrincipalChoice, None] = {}
    for key in wanted:
        for choice in named.get(key, ()):
            if choice not in chosen:
                chosen[choice] = None
                break
    return list(chosen)


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


# The large grid's cells are styled by class: one short name per decision.
_CLASSES = {name: f"lk-{index}" for index, name in enumerate([*DECISION_LOOKS, ERROR])}
_TABLE_STYLE = (
    "<style>"
    ".labkit-matrix{border-collapse:separate;border-spacing:2px;font-size:12px}"
    ".labkit-matrix thead th{position:sticky;top:0;background:var(--jp-layout-color0,#fff);"
    "z-index:1;vertical-align:bottom}"
    ".labkit-matrix tbody th{text-align:left;font-weight:normal;white-space:nowrap;"
    f"max-width:{LABEL_WIDTH};overflow:hidden;text-overflow:ellipsis;padding-right:6px}}"
    f".labkit-matrix td{{width:{CELL_WIDTH};height:22px;text-align:center;font-weight:bold}}"
    + "".join(
        f".labkit-matrix td.{_CLASSES[name]}{{background:{shown.background};color:{shown.colour}}}"
        for name, shown in [*DECISION_LOOKS.items(), (ERROR, UNKNOWN_LOOK)]
    )
    + "</style>"
)


# How many rows the plain-text summary lists.
SUMMARY_ROWS = 10


def _is_allowed(name: str) -> bool:
    return name == "allowed"


def _is_denied(name: str) -> bool:
    return name in ("explicitDeny", "implicitDeny")


class AccessMatrix(Summarized, widgets.VBox):
    """A grid of principals (rows) and actions (columns); each cell shows
    allowed, explicit deny or implicit deny. Click a cell for the reasons.

    The grid follows the Lab: it is refreshed when displayed, with the
    Refresh button and with :meth:`refresh`, and skips the work when nothing
    in IAM changed since the last time. After a change only the rows whose
    decisions it may reach are decided again: those whose principal, policies
    or resources the Lab reads differently now.

    A grid of more than :data:`CELL_WIDGET_LIMIT` cells is drawn as one
    table; pick a principal and an action below it for the reasons.
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
        # Columns whose resource names the row's principal are per row.
        self._templated = [c for c, (_, t) in enumerate(self.actions) if "{" in t]
        self._shared = [c for c, (_, t) in enumerate(self.actions) if "{" not in t]
        self._reader = PolicyReader(lab)
        self._rows: list[PrincipalChoice] = []
        self._index: dict[str, int] = {}
        self._cells: list[list[widgets.Button]] = []
        self._shown: list[tuple[str, ...] | None] = []
        self._row_html: list[str] = []
        # (ARN, MFA) -> (what the Lab read to decide the row, its decisions).
        self._memo: dict[tuple[str, bool], tuple[tuple[Any, ...], tuple[str, ...]]] = {}
        self._resources: Any = None
        self._fingerprint: Any = None
        self._busy = False
        # One style object per decision, shared by all cells: recolouring a
        # cell is then a single trait change.
        self._styles = {
            name: widgets.ButtonStyle(button_color=look(name).background, font_weight="bold")
            for name in (*DECISION_LOOKS, ERROR)
        }
        self.mfa = widgets.Checkbox(value=False, description="Signed in with MFA", indent=False)
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self.grid = widgets.GridBox([])
        self.table = widgets.HTML(
            "", layout=widgets.Layout(max_height=TABLE_HEIGHT, overflow="auto")
        )
        self.pick_principal = widgets.Combobox(
            options=[],
            placeholder="user or role",
            description="Why:",
            ensure_option=False,
            layout=widgets.Layout(width="320px"),
        )
        self.pick_action = widgets.Dropdown(options=[], layout=widgets.Layout(width="320px"))
        self.picker = widgets.HBox([self.pick_principal, self.pick_action])
        self.legend = widgets.HTML(" ".join(badge(name) for name in DECISION_LOOKS))
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
        self.pick_principal.observe(self._on_pick, names="value")
        self.pick_action.observe(self._on_pick, names="value")

    # -- public -----------------------------------------------------------------

    @property
    def large(self) -> bool:
        """True when the grid is drawn as one table rather than cell buttons."""
        return len(self._rows) * len(self.actions) > CELL_WIDGET_LIMIT

    def refresh(self, force: bool = False) -> bool:
        """Decide the cells again if IAM changed; every cell when ``force``.

        Returns True when the cells were recomputed. Rows whose principal,
        policies and resources the Lab reads as before keep their decisions.
        """
        fingerprint = (self._reader.fingerprint(), self.mfa_present)
        if not force and fingerprint == self._fingerprint:
            return False
        self._busy = True  # the picker's lists change while building: not a pick
        try:
            rows = select_principals(lab_principals(self.lab), self.wanted)
            resources = self._resource_basis()
            if force or resources != self._resources:
                self._memo.clear()  # a resource every row asks about changed
            self._resources = resources
            if self._fingerprint is None or [r.arn for r in rows] != [r.arn for r in self._rows]:
                self._build(rows)
            self._decide_all()
        finally:
            self._busy = False
        self._fingerprint = fingerprint
        return True

    def decision(self, principal: str, action: str) -> str | None:
        """The decision shown for a principal (name, label or ARN) and an action."""
        found = self._find(principal, action)
        if found is None:
            return None
        shown = self._shown[found[0]]
        return None if shown is None else shown[found[1]]

    def cell(self, principal: str, action: str) -> widgets.Button:
        """The button of one cell (for clicking it from code); a grid drawn as
        one table (see :attr:`large`) has none."""
        found = self._find(principal, action)
        if found is None:
            raise KeyError(f"no cell for {principal!r} and {action!r}")
        if not self._cells:
            raise KeyError(
                f"a grid of {len(self._rows) * len(self.actions):,} cells is one table: "
                "pick the principal and action below it instead"
            )
        return self._cells[found[0]][found[1]]

    def explain(self, principal: str, action: str) -> None:
        """Show why ``principal`` may or may not do ``action``, as clicking its cell does."""
        found = self._find(principal, action)
        if found is None:
            self.explanation.value = problem(f"No cell for {principal} and {action}.")
            return
        self._explain(*found)

    def summary(self) -> str:
        """The grid in words: how many cells allow, then each row's allowed
        and denied actions (the first rows of a large grid)."""
        shown = [row for row in self._shown if row is not None]
        allowed = sum(name == "allowed" for row in shown for name in row)
        cells = len(self._rows) * len(self.actions)
        lines = [
            f"Access matrix: {len(self._rows)} principals × {len(self.actions)} actions, "
            f"{allowed} of {cells} allowed"
        ]
        for choice, row in list(zip(self._rows, self._shown, strict=False))[:SUMMARY_ROWS]:
            if row is None:
                continue
            pairs = list(zip((a for a, _ in self.actions), row, strict=False))
            said = [
                f"{word} {', '.join(a for a, n in pairs if test(n))}"
                for word, test in (("allowed", _is_allowed), ("denied", _is_denied))
                if any(test(n) for _, n in pairs)
            ]
            lines.append(f"  {choice.label}: " + "; ".join(said))
        if len(self._rows) > SUMMARY_ROWS:
            lines.append(f"  … and {len(self._rows) - SUMMARY_ROWS} more principals")
        return "\n".join(lines)

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
        self._explain(*button._labkit_cell)  # type: ignore[attr-defined]

    @guarded
    def _on_pick(self, change: dict[str, Any]) -> None:
        principal, column = self.pick_principal.value.strip(), self.pick_action.value
        if self._busy or not principal or column is None:
            return
        row = self._index.get(principal)
        if row is None:
            self.explanation.value = problem(f"No user or role {principal} in the grid.")
            return
        self._explain(row, column)

    # -- finding, explaining ----------------------------------------------------

    def _find(self, principal: str, action: str) -> tuple[int, int] | None:
        row = self._index.get(principal)
        if row is None:
            return None
        for column, (name, _) in enumerate(self.actions):
            if name.lower() == action.lower():
                return row, column
        return None

    def _explain(self, row: int, column: int) -> None:
        arn = self._rows[row].arn
        self.refresh()  # explain what IAM says now, not what it said when last drawn
        row = next((r for r, choice in enumerate(self._rows) if choice.arn == arn), -1)
        if row < 0:
            self.explanation.value = "<i>This principal is gone: no decision for this cell.</i>"
            return
        choice = self._rows[row]
        action, template = self.actions[column]
        try:
            principal = as_principal(self.lab, choice, self.mfa_present)
            resource = resource_for(template, self.lab.account_id, choice)
            outcome = self._reader.decide(principal, action, resource)
        except Exception as error:  # noqa: BLE001 - shown in the explanation
            self.explanation.value = problem(f"Could not decide: {describe_error(error)}")
            return
        shown = self._shown[row]
        if shown is not None and shown[column] != outcome.decision:
            # Decided again just now (say, a condition on the time): the cell follows.
            names = (*shown[:column], outcome.decision, *shown[column + 1 :])
            key = (choice.arn, self.mfa_present)
            if key in self._memo:
                self._memo[key] = (self._memo[key][0], names)
            if self._show_row(row, names) and self.large:
                self.table.value = self._table()
        self.explanation.value = (
            f"<b>{escape(choice.label)}</b> → <code>{escape(outcome.request.action)}</code> on "
            f"<code>{escape(outcome.request.resource)}</code>: {badge(outcome.decision)}"
            + pre(outcome.explain())
        )

    # -- building and deciding --------------------------------------------------

    def _build(self, rows: list[PrincipalChoice]) -> None:
        """Lay out the grid for these rows: cell buttons (reused where there
        are some) for a small grid, one table for a large one."""
        self._rows = rows
        self._index = {}
        for row, choice in enumerate(rows):
            for key in (choice.arn, choice.label, choice.name):
                self._index.setdefault(key, row)
        self._shown = [None] * len(rows)
        self._row_html = [""] * len(rows)
        old = [button for line in self._cells for button in line]
        self._cells = []
        if self.large:
            for button in old:
                button.close()
            self.grid.children = ()
            self._build_picker()
            body: list[widgets.Widget] = [self.table, self.picker]
        else:
            self._build_cells(rows, old)
            self.table.value = ""
            body = [self.grid]
        self.children = (*self.children[:2], *body, self.explanation)
        if not rows:
            hint = "No users or roles yet: create some, then press Refresh."
        elif self.large:
            hint = "Pick a principal and an action to see why."
        else:
            hint = "Click a cell to see why."
        self.explanation.value = f"<i>{hint}</i>"

    def _build_cells(self, rows: list[PrincipalChoice], old: list[widgets.Button]) -> None:
        columns = len(self.actions)
        for r in range(len(rows)):
            line = []
            for c in range(columns):
                button = old.pop() if old else self._new_cell()
                button._labkit_cell = (r, c)  # type: ignore[attr-defined]
                button._labkit_look = None  # type: ignore[attr-defined]
                line.append(button)
            self._cells.append(line)
        for button in old:
            button.close()
        children: list[widgets.Widget] = [widgets.HTML("")]
        children += [_header(action) for action, _ in self.actions]
        for choice, line in zip(rows, self._cells, strict=True):
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

    def _build_picker(self) -> None:
        self.pick_principal.options = [choice.label for choice in self._rows]
        self.pick_action.options = [
            (action if template == "*" else f"{action} on {template}", column)
            for column, (action, template) in enumerate(self.actions)
        ]
        if self.actions and self.pick_action.value is None:
            self.pick_action.value = 0

    def _new_cell(self) -> widgets.Button:
        button = widgets.Button(
            description="", layout=widgets.Layout(width=CELL_WIDTH, height="28px")
        )
        button.on_click(self._on_cell_click)
        return button

    def _resource_basis(self) -> tuple[Any, ...]:
        """What the Lab reads of the resources every row asks about."""
        try:
            return self._reader.resource_basis(self.actions[c] for c in self._shared)
        except Exception as error:  # noqa: BLE001 - the cells show it
            return (error,)  # never equal to the last one: every row is decided again

    def _decide_all(self) -> None:
        account = self.lab.account_id
        mfa = self.mfa_present
        changed = False
        memo: dict[tuple[str, bool], tuple[tuple[Any, ...], tuple[str, ...]]] = {}
        for row, choice in enumerate(self._rows):
            key = (choice.arn, mfa)
            try:
                principal = as_principal(self.lab, choice, mfa)
                own = [
                    (self.actions[c][0], resource_for(self.actions[c][1], account, choice))
                    for c in self._templated
                ]
                basis = self._reader.basis(principal, own)
            except Exception as error:  # noqa: BLE001 - shown in the row's cells
                changed |= self._show_row(row, [error] * len(self.actions))
                continue
            found = self._memo.get(key)
            if found is not None and found[0] == basis:
                memo[key] = found
                changed |= self._show_row(row, found[1])
                continue
            outcomes = self._decide_row(principal, choice)
            if not any(isinstance(o, BaseException) for o in outcomes):
                memo[key] = (basis, tuple(outcomes))  # type: ignore[arg-type]
            changed |= self._show_row(row, outcomes)
        # Keep the other MFA setting's rows too: toggling back costs nothing.
        for (arn, other), found in self._memo.items():
            if other != mfa and arn in self._index:
                memo[(arn, other)] = found
        self._memo = memo
        if self.large and (changed or not self.table.value):
            self.table.value = self._table()

    def _decide_row(self, principal: Any, choice: PrincipalChoice) -> list[Any]:
        """The decision names of one row, or the error of each cell that failed."""
        account = self.lab.account_id
        try:
            decide = self._reader.decider(principal)
        except Exception as error:  # noqa: BLE001 - shown in the row's cells
            return [error] * len(self.actions)
        outcomes: list[Any] = []
        for action, template in self.actions:
            try:
                outcomes.append(decide(action, resource_for(template, account, choice)).decision)
            except Exception as error:  # noqa: BLE001 - one bad cell must not hide the rest
                outcomes.append(error)
        return outcomes

    def _show_row(self, row: int, outcomes: Sequence[Any]) -> bool:
        """Show one row's outcomes; True when it looks different now."""
        # A cell that failed shows so; clicking it decides again and says why.
        names = tuple(ERROR if isinstance(o, BaseException) else o for o in outcomes)
        if self._shown[row] == names:
            return False  # unchanged: no traffic to the front end
        self._shown[row] = names
        if self._cells:
            for column, name in enumerate(names):
                self._paint(row, column, name)
        else:
            self._row_html[row] = self._row(row, names)
        return True

    def _paint(self, row: int, column: int, name: str) -> None:
        button = self._cells[row][column]
        if button._labkit_look == name:  # type: ignore[attr-defined]
            return
        button._labkit_look = name  # type: ignore[attr-defined]
        shown = look(name)
        button.description = shown.symbol
        button.style = self._styles[name]
        button.tooltip = f"{self._rows[row].label} · {self.actions[column][0]}: {shown.label}"

    def _row(self, row: int, names: tuple[str, ...]) -> str:
        choice = self._rows[row]
        cells = "".join(
            f'<td class="{_CLASSES.get(name, _CLASSES[ERROR])}">{look(name).symbol}</td>'
            for name in names
        )
        return f'<tr><th title="{escape(choice.arn)}">{escape(choice.label)}</th>{cells}</tr>'

    def _table(self) -> str:
        """The large grid as one HTML table, with its headers stuck on top."""
        head = "".join(
            f'<th title="{escape(a)}"><div style="writing-mode:vertical-rl;'
            f'transform:rotate(180deg);white-space:nowrap;font-size:11px">{escape(a)}</div></th>'
            for a, _ in self.actions
        )
        return (
            f'{_TABLE_STYLE}<table class="labkit-matrix"><thead><tr><th></th>{head}</tr></thead>'
            f"<tbody>{''.join(self._row_html)}</tbody></table>"
        )

    def _show_failure(self, error: BaseException) -> None:
        self.explanation.value = problem(f"Could not refresh the matrix: {describe_error(error)}")
