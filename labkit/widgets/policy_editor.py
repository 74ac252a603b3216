"""A policy editor that validates, lints and tries a request on every keystroke."""

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
    table,
)

DEFAULT_ACCOUNT = "123456789012"
# The request tried when the policy suggests none (an empty or broken text).
FALLBACK_ACTION, FALLBACK_RESOURCE = "iam:ListUsers", "*"
KINDS = ("identity", "resource", "trust", "boundary", "session")
# Kinds whose policy sits on the resource and names its principals.
RESOURCE_KINDS = ("resource", "trust")
# Widgets have no font setting for a Textarea; a class and a rule give it one.
CODE_STYLE = "<style>.labkit-code textarea {font-family: monospace;}</style>"
SEVERITY_ORDER = {"error": 0, "security_warning": 1, "warning": 2, "suggestion": 3}


def location_text(line: int | None, column: int | None) -> str:
    """``Line 3, column 5`` (or ``""`` when the place is unknown)."""
    if line is None:
        return ""
    return f"Line {line}, column {column}" if column is not None else f"Line {line}"


def validation_html(text: str, kind: str) -> tuple[Any, str]:
    """Parse ``text`` as a policy of ``kind``: the policy (or None) and
    what to show about its validity."""
    from labkit.policy import Policy, PolicyError

    if not text.strip():
        return None, problem("Type a policy document (JSON) above.")
    try:
        policy = Policy.parse(text, kind)  # type: ignore[arg-type]
    except PolicyError as error:
        where = location_text(error.line, error.column)
        message = f"{where}: {error.message}" if where else error.message
        return None, problem(f"{error.code} — {message}")
    count = len(policy.statements)
    plural = "statement" if count == 1 else "statements"
    return policy, (
        f'<div class="labkit-valid" style="color:#1b5e20">✔ Valid {escape(kind)} policy '
        f"({count} {plural}).</div>"
    )


def findings_html(text: str, kind: str, *, valid: bool) -> str:
    """The lint findings of a policy text as an HTML table (or a short note)."""
    from labkit.policy import lint

    if not valid:
        return ""  # the validation message already says what is wrong
    findings = sorted(lint(text, kind), key=lambda f: SEVERITY_ORDER.get(f.severity, 9))  # type: ignore[arg-type]
    if not findings:
        return '<div class="labkit-lint">No findings.</div>'
    rows = [
        [
            finding.severity,
            finding.code,
            finding.message,
            location_text(finding.location.line, finding.location.column)
            if finding.location
            else "—",
        ]
        for finding in findings
    ]
    return (
        '<div class="labkit-lint">'
        + table(["severity", "code", "message", "where"], rows)
        + "</div>"
    )


def _concrete(pattern: str, account: str = DEFAULT_ACCOUNT) -> str:
    """A resource the pattern matches: a wildcard region or account is the
    Lab's, any other wildcard stands for ``example`` (``arn:aws:s3:::photos/*``
    → ``arn:aws:s3:::photos/example``), ``${aws:username}`` for ``alice``."""
    if pattern == "*":
        return "*"
    text = pattern.replace("${aws:username}", "alice")
    parts = text.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        if parts[3] == "*":
            parts[3] = "us-east-1"
        if parts[4] == "*":
            parts[4] = account
        text = ":".join(parts)
    return text.replace("*", "example").replace("?", "x")


def suggested_request(policy: Any, account: str = DEFAULT_ACCOUNT) -> tuple[str, str, str]:
    """A request the policy itself governs: ``(action, resource, user_name)``
    from its first statement that names actions, so that what the statement
    says (Allow or Deny, its condition) shows in the decision.

    A wildcard action stands for its first match in AWS's catalog; a
    resource or trust policy's principal, when it names a user of the
    account, is the user asking. Falls back to ``iam:ListUsers`` on ``*``.
    """
    from labkit.policy import catalog

    for statement in getattr(policy, "statements", ()):
        for pattern in statement.actions or ():
            action = pattern if "*" not in pattern and "?" not in pattern else None
            if action is None:
                matches = catalog.expand(pattern) if pattern != "*" else []
                action = matches[0] if matches else None
            if action is None:
                continue
            resources = statement.resources or ("*",)
            user = _user_named(statement.principals)
            if not user and "${aws:username}" in resources[0]:
                user = "alice"  # the name _concrete puts in the variable's place
            return action, _concrete(resources[0], account), user
    return FALLBACK_ACTION, FALLBACK_RESOURCE, ""


def _user_named(principals: Any) -> str:
    for kind, values in principals or ():
        if kind != "AWS":
            continue
        for value in values:
            if ":user/" in value and "*" not in value:
                return str(value.rsplit("/", 1)[-1])
    return ""


def editor_request(
    action: str, resource: str, user_name: str, mfa: bool, account: str = DEFAULT_ACCOUNT
) -> Any:
    """The request the editor tries: a user of ``account`` (when named)
    asking for ``action`` on ``resource``, with MFA present or not."""
    from labkit.policy import Request

    context: dict[str, Any] = {
        "aws:MultiFactorAuthPresent": mfa,
        "aws:PrincipalAccount": account,
        "aws:SecureTransport": True,
    }
    principal = None
    if user_name:
        principal = f"arn:aws:iam::{account}:user/{user_name}"
        context.update(
            {"aws:username": user_name, "aws:PrincipalArn": principal, "aws:PrincipalType": "User"}
        )
    return Request(action, resource or "*", principal=principal, context=context)


def decide(policy: Any, request: Any, account: str = DEFAULT_ACCOUNT) -> Any:
    """Decide ``request`` with ``policy`` as the only policy in play."""
    from labkit.policy import evaluate

    if policy.kind in RESOURCE_KINDS:
        return evaluate(request, resource_policy=policy, resource_owner=account)
    if policy.kind == "session":
        return evaluate(request, identity=[], session=[policy])
    # A boundary alone grants nothing; shown as what it would let through.
    return evaluate(request, identity=[policy.named(policy.name or "this policy")])


class PolicyEditor(Summarized, widgets.VBox):
    """Edit a policy and see, as you type, whether IAM would accept it,
    what a linter says, and what it decides for a request you choose.

    Until you choose a request yourself (``action``, ``resource`` or the boxes
    below the policy), the editor tries one the policy governs: the first
    action and resource of its first statement (:func:`suggested_request`),
    so that turning its ``Allow`` into ``Deny`` changes the decision.
    """

    value = traitlets.Unicode("").tag(sync=False)
    kind = traitlets.Enum(KINDS, default_value="identity")

    def __init__(
        self,
        lab: Any = None,
        value: str = "",
        kind: str = "identity",
        action: str | None = None,
        resource: str | None = None,
        **kwargs: Any,
    ) -> None:
        self.lab = lab
        self.account = getattr(lab, "account_id", DEFAULT_ACCOUNT)
        self.text = widgets.Textarea(
            value=value,
            placeholder='{"Version": "2012-10-17", "Statement": [...]}',
            continuous_update=True,
            layout=widgets.Layout(width="100%", height="18em"),
        )
        self.text.add_class("labkit-code")
        self.validation = widgets.HTML()
        self.findings = widgets.HTML()
        # The request follows the policy until the learner picks one.
        self._follow_policy = action is None and resource is None
        self._suggesting = False
        self.action = widgets.Combobox(
            value=action if action is not None else FALLBACK_ACTION,
            options=action_options(""),
            placeholder="service:Action",
            description="Action",
            ensure_option=False,
        )
        self.resource = widgets.Text(
            value=resource if resource is not None else FALLBACK_RESOURCE, description="Resource"
        )
        self.user_name = widgets.Text(value="", placeholder="aws:username", description="User name")
        self.mfa = widgets.Checkbox(value=False, description="Signed in with MFA", indent=False)
        self.decision = widgets.HTML()
        request_row = widgets.HBox([self.action, self.resource])
        request_row2 = widgets.HBox([self.user_name, self.mfa])
        super().__init__(
            [
                widgets.HTML(CODE_STYLE),
                self.text,
                self.validation,
                self.findings,
                widgets.HTML("<b>Try a request</b>"),
                request_row,
                request_row2,
                self.decision,
            ],
            **kwargs,
        )
        self.kind = kind
        self.value = value
        self._policy: Any = None
        self._outcome: Any = None
        self._wire()
        self._update_policy()

    def _wire(self) -> None:
        traitlets.link((self, "value"), (self.text, "value"))
        self.observe(self._on_policy_change, names=["value", "kind"])
        self.action.observe(self._on_action_change, names="value")
        for control in (self.resource, self.user_name, self.mfa):
            control.observe(self._on_request_change, names="value")

    # -- handlers ---------------------------------------------------------------

    @guarded
    def _on_policy_change(self, change: dict[str, Any]) -> None:
        self._update_policy()

    @guarded
    def _on_action_change(self, change: dict[str, Any]) -> None:
        self.action.options = action_options(self.action.value)
        self._chosen_by_learner()
        self._update_decision()

    @guarded
    def _on_request_change(self, change: dict[str, Any]) -> None:
        self._chosen_by_learner()
        self._update_decision()

    def _chosen_by_learner(self) -> None:
        if not self._suggesting:
            self._follow_policy = False

    # -- showing ----------------------------------------------------------------

    @guarded
    def _update_policy(self) -> None:
        self._policy = None
        self._policy, self.validation.value = validation_html(self.value, self.kind)
        self.findings.value = findings_html(self.value, self.kind, valid=self._policy is not None)
        if self._follow_policy and self._policy is not None:
            self._suggest(self._policy)
        self._update_decision()

    def _suggest(self, policy: Any) -> None:
        action, resource, user = suggested_request(policy, self.account)
        self._suggesting = True
        try:
            self.action.value = action
            self.resource.value = resource
            if user or policy.kind in RESOURCE_KINDS:
                self.user_name.value = user
        finally:
            self._suggesting = False

    @guarded
    def _update_decision(self) -> None:
        self._outcome = None
        if self._policy is None:
            self.decision.value = "<i>Fix the policy to see what it decides.</i>"
            return
        action = self.action.value.strip()
        if not action:
            self.decision.value = "<i>Choose an action to see what the policy decides.</i>"
            return
        request = editor_request(
            action,
            self.resource.value.strip(),
            self.user_name.value.strip(),
            self.mfa.value,
            self.account,
        )
        outcome = decide(self._policy, request, self.account)
        self._outcome = outcome
        self.decision.value = badge(outcome.decision) + pre(outcome.explain())

    def summary(self) -> str:
        """One line: whether IAM would accept the policy, and what it
        decides for the request tried."""
        if self._policy is None:
            return f"Policy editor: the {self.kind} policy is not valid yet, so nothing is decided"
        count = len(self._policy.statements)
        statements = f"{count} statement{'s' if count != 1 else ''}"
        outcome = getattr(self, "_outcome", None)
        if outcome is None:
            return f"Policy editor: a valid {self.kind} policy ({statements})"
        decided = look(outcome.decision).label
        return (
            f"Policy editor: a valid {self.kind} policy ({statements}); "
            f"{self.action.value.strip()} on {self.resource.value.strip() or '*'}: {decided}"
        )

    def _show_failure(self, error: BaseException) -> None:
        self._outcome = None
        self.decision.value = problem(f"Could not decide: {describe_error(error)}")
