"""Ask "may this user or role do that?" and see the decision, why, and a diagram."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import (
    Summarized,
    action_options,
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
    offer_principals,
)


def diagram_svg(decision: Any) -> str:
    """The evaluation diagram of ``decision`` as inline SVG (or a note why not)."""
    try:
        from labkit.diagrams import evaluation
    except ImportError:
        return "<i>The evaluation diagram is not available.</i>"
    try:
        svg = evaluation(decision).pipe(format="svg").decode("utf-8")
    except Exception as error:  # noqa: BLE001 - e.g. Graphviz's dot missing
        return problem(f"Could not draw the diagram: {describe_error(error)}")
    # Inline SVG must not carry the XML prologue or DOCTYPE.
    start = svg.find("<svg")
    return (
        '<div class="labkit-diagram" style="max-width:100%;overflow:auto">'
        + (svg[start:] if start >= 0 else svg)
        + "</div>"
    )


def unknown_action_note(action: str) -> str:
    """A hint when ``action`` is not in AWS's catalog ("" when it is)."""
    from labkit.policy import catalog

    if "*" in action or "?" in action or catalog.action_exists(action):
        return ""
    close = catalog.suggest(action)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return (
        f'<div class="labkit-note" style="color:#e65100">'
        f"{escape(action)} is not a known action.{escape(hint)}</div>"
    )


class AccessChecker(Summarized, widgets.VBox):
    """Pick a principal, an action, a resource and whether MFA was used:
    see what the Lab would decide, the explanation and the evaluation diagram."""

    decision = traitlets.Unicode(
        "", help="The last decision: allowed, explicitDeny or implicitDeny."
    )

    def __init__(self, lab: Any, **kwargs: Any) -> None:
        self.lab = lab
        self._reader = PolicyReader(lab)
        self._choices: dict[str, PrincipalChoice] = {}
        self._seen: object = None  # the IAM state the principal list was read from
        self.principal = widgets.Dropdown(description="Principal", options=[])
        self.refresh_button = widgets.Button(
            description="Refresh", icon="refresh", tooltip="Reread users and roles"
        )
        self.action = widgets.Combobox(
            value="iam:ListUsers",
            options=action_options(""),
            placeholder="service:Action",
            description="Action",
            ensure_option=False,
        )
        self.resource = widgets.Text(value="*", description="Resource")
        self.mfa = widgets.Checkbox(value=False, description="Signed in with MFA", indent=False)
        self.verdict = widgets.HTML()
        self.explanation = widgets.HTML()
        self.diagram = widgets.HTML()
        super().__init__(
            [
                widgets.HBox([self.principal, self.refresh_button]),
                widgets.HBox([self.action, self.resource]),
                self.mfa,
                self.verdict,
                self.explanation,
                self.diagram,
            ],
            **kwargs,
        )
        self._load_principals()
        self._wire()
        self._update()

    def _wire(self) -> None:
        self.principal.observe(self._on_request_change, names="value")
        self.resource.observe(self._on_request_change, names="value")
        self.mfa.observe(self._on_request_change, names="value")
        self.action.observe(self._on_action_change, names="value")
        self.refresh_button.on_click(self._on_refresh_click)

    # -- public -----------------------------------------------------------------

    def refresh(self) -> None:
        """Reread the Lab's users and roles and decide again."""
        self._load_principals()
        self._update()

    def summary(self) -> str:
        """The request and its decision in words, e.g. ``Access checker: user
        CTO → s3:ListAllMyBuckets on * (without MFA): Explicit deny``."""
        choice = self._choices.get(self.principal.value or "")
        action = self.action.value.strip()
        if choice is None or not action:
            return "Access checker: choose a user or role and an action."
        mfa = "with MFA" if self.mfa.value else "without MFA"
        request = f"{choice.label} → {action} on {self.resource.value.strip() or '*'} ({mfa})"
        verdict = look(self.decision).label if self.decision else "could not decide"
        return f"Access checker: {request}: {verdict}"

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # Displaying the checker again shows the Lab as it is now.
        self.refresh()
        return super()._repr_mimebundle_(**kwargs)

    # -- handlers ---------------------------------------------------------------

    @guarded
    def _on_request_change(self, change: dict[str, Any]) -> None:
        self._update()

    @guarded
    def _on_action_change(self, change: dict[str, Any]) -> None:
        self.action.options = action_options(self.action.value)
        self._update()

    @guarded
    def _on_refresh_click(self, button: widgets.Button) -> None:
        self.refresh()

    # -- showing ----------------------------------------------------------------

    @guarded
    def _load_principals(self) -> None:
        self._seen = self._reader.fingerprint()
        self._choices = offer_principals(self.principal, self.lab)

    @guarded
    def _update(self) -> None:
        if self._reader.fingerprint() != self._seen:
            self._load_principals()  # users or roles came or went since
        self.decision = ""
        choice = self._choices.get(self.principal.value or "")
        action = self.action.value.strip()
        if choice is None:
            self._show("<i>Create a user or role, then press Refresh.</i>")
            return
        if not action:
            self._show("<i>Choose an action.</i>")
            return
        principal = as_principal(self.lab, choice, self.mfa.value)
        outcome = self._reader.decide(principal, action, self.resource.value.strip() or "*")
        self.decision = outcome.decision
        self.verdict.value = badge(outcome.decision) + unknown_action_note(action)
        self.explanation.value = pre(outcome.explain())
        self.diagram.value = diagram_svg(outcome)

    def _show(self, message: str) -> None:
        self.verdict.value = message
        self.explanation.value = ""
        self.diagram.value = ""

    def _show_failure(self, error: BaseException) -> None:
        self.decision = ""
        self._show(problem(f"Could not decide: {describe_error(error)}"))
