"""Policy checks beyond validity, in IAM Access Analyzer's vocabulary.

A policy IAM accepts can still grant nothing (a misspelt action), too much
(``*`` on ``*``) or test the wrong thing (``"Bool": {"...": "yes"}``).
:func:`lint` reports such findings with Access Analyzer's finding types and
issue codes where Access Analyzer has one.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Literal

from labkit.policy import catalog
from labkit.policy.conditions import parse_date
from labkit.policy.jsonloc import JsonSyntaxError, Node
from labkit.policy.model import Location, Policy, PolicyError, PolicyKind, Statement
from labkit.policy.parse import parse_policy, parse_tree, split_operator

Severity = Literal["error", "security_warning", "warning", "suggestion"]
_VARIABLE = re.compile(r"\$\{[^}]*\}")


@dataclass(frozen=True)
class Finding:
    """One finding: ``severity`` is Access Analyzer's finding type in
    lower case, ``code`` its issue code, ``location`` where to look."""

    severity: Severity
    code: str
    message: str
    location: Location | None = None
    sid: str | None = None
    statement: int | None = None


def lint(document: str | Policy | dict[str, Any], kind: PolicyKind = "identity") -> list[Finding]:
    """Check a policy (text, dict or parsed Policy) and list the findings.

    Invalid input gives a single ``error`` finding carrying IAM's message
    and location; lint never raises.
    """
    tree: Node | None = None
    try:
        if isinstance(document, Policy):
            policy = document
        else:
            policy = parse_policy(document, kind)
            if isinstance(document, str):
                tree = parse_tree(document)
    except PolicyError as error:
        where = Location(error.line, error.column) if error.line is not None else None
        code = (
            "JSON_SYNTAX_ERROR"
            if isinstance(error, JsonSyntaxError)
            else getattr(error, "issue", error.code)
        )
        return [Finding("error", code, error.message, where)]
    return _Linter(policy, tree).run()


class _Linter:
    def __init__(self, policy: Policy, tree: Node | None) -> None:
        self.policy = policy
        self.tree = tree
        self.findings: list[Finding] = []

    def run(self) -> list[Finding]:
        if self.tree is not None and "Version" not in self.tree.value:
            self.add(
                None,
                None,
                "warning",
                "MISSING_VERSION",
                "We recommend that you specify the Version element to help you with debugging "
                "permission issues.",
                self.tree.start,
            )
        statements = self._statement_nodes()
        for statement, node in zip(self.policy.statements, statements, strict=False):
            _StatementLinter(self, statement, node).run()
        return self.findings

    def _statement_nodes(self) -> list[Node | None]:
        if self.tree is None:
            return [None] * len(self.policy.statements)
        block = self.tree.value["Statement"]
        return [block] if block.kind == "object" else list(block.value)

    def add(
        self,
        statement: Statement | None,
        where: Location | None,
        severity: Severity,
        code: str,
        message: str,
        fallback: Location | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                severity,
                code,
                message,
                where or fallback or (statement.start if statement else None),
                statement.sid if statement else None,
                statement.index if statement else None,
            )
        )


class _StatementLinter:
    def __init__(self, linter: _Linter, statement: Statement, node: Node | None) -> None:
        self.linter = linter
        self.statement = statement
        self.node = node

    def add(self, where: Location | None, severity: Severity, code: str, message: str) -> None:
        self.linter.add(self.statement, where, severity, code, message)

    def items(self, key: str) -> list[tuple[str, Location | None]]:
        """(value, location) pairs of a string-or-list element."""
        values = getattr(self.statement, _ATTRS[key]) or ()
        if self.node is None or key not in self.node.value:
            return [(v, None) for v in values]
        node = self.node.value[key]
        nodes = node.value if node.kind == "array" else [node]
        return [(n.value, n.start) for n in nodes]

    def key_location(self, key: str) -> Location | None:
        return self.node.keys.get(key) if self.node is not None else None

    def run(self) -> None:
        s = self.statement
        for key in ("Action", "NotAction"):
            for action, where in self.items(key):
                self.check_action(action, where)
        if s.effect == "Allow":
            if s.not_actions is not None:
                self.add(
                    self.key_location("NotAction"),
                    "security_warning",
                    "ALLOW_WITH_NOT_ACTION",
                    "Using Allow with NotAction can be overly permissive: it allows every action "
                    "not listed, "
                    "including new ones. We recommend that you list the allowed actions in "
                    "Action instead.",
                )
            if s.not_resources is not None:
                self.add(
                    self.key_location("NotResource"),
                    "security_warning",
                    "ALLOW_WITH_NOT_RESOURCE",
                    "Using Allow with NotResource can be overly permissive: it allows every "
                    "resource not listed. "
                    "We recommend that you list the allowed resources in Resource instead.",
                )
            if s.not_principals is not None:
                self.add(
                    self.key_location("NotPrincipal"),
                    "security_warning",
                    "ALLOW_WITH_NOT_PRINCIPAL",
                    "Using Allow with NotPrincipal can be overly permissive. We recommend that "
                    "you use Principal "
                    "instead.",
                )
            self.check_admin_and_pass_role()
        self.check_resources()
        self.check_variables()
        self.check_conditions()

    # Actions -----------------------------------------------------------
    def check_action(self, action: str, where: Location | None) -> None:
        if action == "*":
            return
        service, _, name = action.partition(":")
        if "*" in service or "?" in service:
            return
        if not catalog.service_exists(service):
            hint = catalog.suggest(service)
            self.add(
                where,
                "error",
                "INVALID_SERVICE_IN_ACTION",
                f"The service {service} specified in the action does not exist."
                + (f" Did you mean {hint[0]}?" if hint else ""),
            )
        elif "*" in name or "?" in name:
            if not catalog.expand(action):
                self.add(where, "error", "INVALID_ACTION", f"The action {action} does not exist.")
        elif not catalog.action_exists(action):
            hint = catalog.suggest(action)
            self.add(
                where,
                "error",
                "INVALID_ACTION",
                f"The action {action} does not exist."
                + (f" Did you mean {hint[0]}?" if hint else ""),
            )

    def check_admin_and_pass_role(self) -> None:
        s = self.statement
        actions = s.actions or ()
        star_resource = s.resources is not None and "*" in s.resources
        if not star_resource:
            return
        where = self.key_location("Action")
        if any(a in ("*", "*:*") for a in actions) and not s.conditions:
            self.add(
                where,
                "security_warning",
                "FULL_ADMIN_ACCESS",
                'The statement allows every action ("*") on every resource ("*"): '
                "full administrator access. "
                "We recommend that you grant only the actions and resources that are needed.",
            )
        if any(a.lower() == "iam:passrole" for a in actions):
            self.add(
                where,
                "security_warning",
                "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                "Using the iam:PassRole action with wildcards (*) in the resource can be overly "
                "permissive because "
                "it allows iam:PassRole permissions on multiple resources. We recommend that you "
                "specify resource "
                "ARNs or add the iam:PassedToService condition key to your statement.",
            )
        elif any(("*" in a or "?" in a) and "iam:PassRole" in _expand(a) for a in actions):
            self.add(
                where,
                "security_warning",
                "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
                "Using wildcards (*) in the action and the resource can be overly permissive "
                "because it allows "
                "iam:PassRole permissions on all resources. We recommend that you specify "
                "resource ARNs or add the "
                "iam:PassedToService condition key to your statement.",
            )

    # Resources ---------------------------------------------------------
    def check_resources(self) -> None:
        s = self.statement
        if not s.actions or not s.resources or "*" in s.resources:
            return
        resources = [r for r in s.resources if r.startswith("arn:")]
        if not resources:
            return
        for action, where in self.items("Action"):
            if action == "*" or "*" in action.partition(":")[0]:
                continue
            matched = _expand(action)
            if not matched:
                continue  # reported as an unknown action
            if not any(_supports(a, r) for a in matched for r in resources):
                listed = ", ".join(resources)
                self.add(
                    where,
                    "warning",
                    "RESOURCE_MISMATCH",
                    f"The action {action} does not apply to the resource {listed}: none of its "
                    f"resource types "
                    "match, so this statement has no effect for it.",
                )

    def check_variables(self) -> None:
        if self.linter.policy.variables_enabled:
            return
        for key in ("Resource", "NotResource"):
            for value, where in self.items(key):
                if _VARIABLE.search(value):
                    self.add(where, "error", "VARIABLE_UNSUPPORTED_IN_VERSION", _VARIABLE_MESSAGE)
        for condition in self.statement.conditions:
            if any(isinstance(v, str) and _VARIABLE.search(v) for v in condition.values):
                self.add(
                    condition.location,
                    "error",
                    "VARIABLE_UNSUPPORTED_IN_VERSION",
                    _VARIABLE_MESSAGE,
                )

    # Conditions --------------------------------------------------------
    def check_conditions(self) -> None:
        if (
            self.node is not None
            and "Condition" in self.node.value
            and not self.node.value["Condition"].value
        ):
            self.add(
                self.key_location("Condition"),
                "suggestion",
                "EMPTY_OBJECT_CONDITION",
                "This condition block is empty and it does not affect the policy. Specify "
                "conditions.",
            )
        for condition in self.statement.conditions:
            self.check_key(condition.key, condition.location)
            qualifier, base, _ = split_operator(condition.operator)
            if base == "Null" and qualifier:
                self.add(
                    condition.location,
                    "suggestion",
                    "NULL_WITH_QUALIFIER",
                    "Avoid using the Null condition operator with the ForAllValues or "
                    "ForAnyValue qualifiers "
                    "because they always return a true or false respectively.",
                )
            for value in condition.values:
                self.check_value(base, condition.key, value, condition.location)

    def check_key(self, key: str, where: Location | None) -> None:
        service = key.partition(":")[0].lower()
        if ":" not in key:
            self.add(
                where,
                "error",
                "INVALID_CONDITION_KEY_FORMAT",
                "The condition key format is not valid. Use the format service:keyname.",
            )
        elif service == "aws":
            if not catalog.condition_key_exists(key):
                hint = catalog.suggest(key)
                self.add(
                    where,
                    "error",
                    "INVALID_GLOBAL_CONDITION_KEY",
                    f"The condition key {key} does not exist. Use a valid condition key."
                    + (f" Did you mean {hint[0]}?" if hint else ""),
                )
        elif catalog.service_exists(service) and not catalog.condition_key_exists(key):
            self.add(
                where,
                "error",
                "INVALID_SERVICE_CONDITION_KEY",
                f"The condition key {key} does not exist in the service {service}. Use a valid "
                f"condition key.",
            )

    def check_value(self, base: str, key: str, value: Any, where: Location | None) -> None:
        if isinstance(value, str) and _VARIABLE.search(value):
            if not base.startswith(("String", "Arn")):
                self.add(
                    where,
                    "error",
                    "INVALID_VARIABLE_FOR_OPERATOR",
                    "Policy variables can only be used with String and ARN operators.",
                )
            return
        text = (
            value
            if isinstance(value, str)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        if base in ("Bool", "Null"):
            if text.lower() not in ("true", "false"):
                self.add(
                    where,
                    "warning",
                    "TYPE_MISMATCH_BOOLEAN",
                    f"Add a valid Boolean value (true or false) for the condition operator {base}; "
                    f"{value!r} is not one.",
                )
        elif base.startswith("Numeric"):
            if isinstance(value, bool) or not _is_number(text):
                self.add(
                    where,
                    "warning",
                    "TYPE_MISMATCH_NUMBER",
                    f"Add a valid numeric value for the condition operator {base}; {value!r} is "
                    f"not a number.",
                )
        elif base.startswith("Date"):
            if isinstance(value, bool) or not _is_date(text):
                self.add(
                    where,
                    "warning",
                    "TYPE_MISMATCH_DATE",
                    f"The date condition operator is used with an invalid value {value!r}. "
                    f"Specify a valid date "
                    "using YYYY-MM-DD or other ISO 8601 date/time format.",
                )
        elif base in ("IpAddress", "NotIpAddress"):
            self.check_ip(text, where)
        elif base == "BinaryEquals":
            try:
                base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                self.add(
                    where,
                    "warning",
                    "TYPE_MISMATCH_STRING",
                    "Add a valid base64-encoded string value for the condition operator.",
                )
        elif base in ("StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals") and re.search(
            r"[*?]", text
        ):
            self.add(
                where,
                "warning",
                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                "Your condition value includes a * or ? character. If you meant to use a "
                "wildcard (*, ?), "
                "update the condition operator to include Like.",
            )

    def check_ip(self, text: str, where: Location | None) -> None:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            self.add(
                where,
                "warning",
                "TYPE_MISMATCH_IP_RANGE",
                f"The condition operator is used with an invalid IP range value {text!r}. "
                f"Specify the IP range "
                "in standard CIDR format.",
            )
            return
        if "/" in text and str(network) != text and network.with_prefixlen != text.lower():
            self.add(
                where,
                "suggestion",
                "IMPROVE_IP_RANGE",
                f"The non-zero bits in the IP address after the masked bits are ignored. Replace "
                f"{text} with "
                f"{network}.",
            )


_ATTRS = {
    "Action": "actions",
    "NotAction": "not_actions",
    "Resource": "resources",
    "NotResource": "not_resources",
}
_VARIABLE_MESSAGE = (
    "Policy variables are not supported in policy version 2008-10-17: they are read as literal "
    "text. "
    "Use Version 2012-10-17."
)


def _expand(action: str) -> list[str]:
    return (
        catalog.expand(action)
        if ("*" in action or "?" in action)
        else ([catalog.canonical_action(action)] if catalog.action_exists(action) else [])
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity", "+inf")


def _is_date(text: str) -> bool:
    # The engine's own reading: epoch seconds or a W3C ISO 8601 date/time.
    return parse_date(text) is not None


def _arn_regex(arn_format: str) -> re.Pattern[str]:
    parts = re.split(r"\$\{[^}]*\}", arn_format)
    return re.compile(".+".join(re.escape(p) for p in parts), re.IGNORECASE | re.DOTALL)


def _supports(action: str, resource: str) -> bool:
    """Whether a resource in a policy could be one of the action's resource types."""
    fields = resource.split(":", 5)
    if len(fields) < 6:
        return True  # malformed ARNs are IAM's business, not a mismatch
    service, path = fields[2], fields[5]
    if "*" in service or "?" in service:
        return True
    for resource_type in catalog.resource_types(action):
        if not resource_type.arn:
            continue
        arn_fields = resource_type.arn.split(":", 5)
        if len(arn_fields) < 6 or arn_fields[2].lower() != service.lower():
            continue
        # Wildcards and variables in the policy stand for "something".
        concrete = _VARIABLE.sub("x", path).replace("*", "x").replace("?", "x")
        if _arn_regex(arn_fields[5]).fullmatch(concrete) or _glob_covers(path, arn_fields[5]):
            return True
    return False


def _glob_covers(path: str, arn_path: str) -> bool:
    """A policy path that is only wildcards (``*``) covers any resource."""
    return path.strip("*") == ""
