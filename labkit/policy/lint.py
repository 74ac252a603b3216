"""Policy checks beyond validity, in IAM Access Analyzer's vocabulary.

A policy IAM accepts can still grant nothing (a misspelt action), too much
(``*`` on ``*``) or test the wrong thing (``"Bool": {"...": "yes"}``).
:func:`lint` reports such findings with Access Analyzer's finding types and
issue codes where Access Analyzer has one.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import ipaddress
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from labkit.policy import catalog
from labkit.policy import parse as parse_module
from labkit.policy.cache import bounded
from labkit.policy.conditions import parse_date
from labkit.policy.glob import ACTION, compile_template
from labkit.policy.jsonloc import JsonSyntaxError, Node
from labkit.policy.matching import action_matches, resource_matches
from labkit.policy.model import Location, Policy, PolicyError, PolicyKind, Statement
from labkit.policy.parse import parse_policy, parse_tree, split_operator
from labkit.policy.variables import split

Severity = Literal["error", "security_warning", "warning", "suggestion"]


def _has_variable(text: str) -> bool:
    """Whether ``text`` holds a ``${...}``: a ``${`` with a ``}`` after it.

    Two finds rather than a regular expression, which would be quadratic on
    text full of unclosed ``${``.
    """
    start = text.find("${")
    return start != -1 and text.find("}", start + 2) != -1


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
    and location; lint never raises. Statements with an empty Action,
    Resource or Principal array, which IAM refuses, are reported as Access
    Analyzer does: as suggestions, the rest of the policy checked as usual.
    """
    try:
        return _lint(document, kind)
    except PolicyError as error:
        where = Location(error.line, error.column) if error.line is not None else None
        code = (
            "JSON_SYNTAX_ERROR"
            if isinstance(error, JsonSyntaxError)
            else getattr(error, "issue", error.code)
        )
        return [Finding("error", code, error.message, where)]
    except (TypeError, ValueError, RecursionError) as error:
        return [Finding("error", "JSON_SYNTAX_ERROR", f"Syntax errors in policy. {error}")]


def _lint(document: str | Policy | dict[str, Any], kind: PolicyKind) -> list[Finding]:
    if isinstance(document, Policy):
        return _Linter(document, None).run()
    located = isinstance(document, str)
    try:
        policy = parse_policy(document, kind)
    except PolicyError:
        text = document if located else _as_text(document)
        recovered = _without_empty_arrays(parse_tree(text), kind)
        if recovered is None:
            raise
        policy, tree, empty = recovered
        findings = _Linter(policy, tree).run(empty)
        return findings if located else [_unlocated(f) for f in findings]
    tree = parse_tree(document if located else _as_text(document))
    findings = _Linter(policy, tree).run()
    # A dict has no text to point into.
    return findings if located else [_unlocated(f) for f in findings]


def _as_text(document: Any) -> str:
    if not isinstance(document, dict):
        raise JsonSyntaxError("Syntax errors in policy. The policy must be a JSON object.")
    return json.dumps(document)


def _unlocated(finding: Finding) -> Finding:
    return dataclasses.replace(finding, location=None)


_EMPTY_ARRAYS = {
    "Action": "EMPTY_ARRAY_ACTION",
    "NotAction": "EMPTY_ARRAY_ACTION",
    "Resource": "EMPTY_ARRAY_RESOURCE",
    "NotResource": "EMPTY_ARRAY_RESOURCE",
    "Principal": "EMPTY_ARRAY_PRINCIPAL",
    "NotPrincipal": "EMPTY_ARRAY_PRINCIPAL",
}


def _filled(key: str, node: Node) -> Node:
    if key in _EMPTY_ARRAYS and node.kind == "array" and not node.value:
        return Node("string", "*")
    return node


def _like(node: Node, value: dict[str, Node]) -> Node:
    """An object node in the place of ``node``, with its key locations, holding ``value``.

    IAM's checks point at keys: a copy without them could not say where."""
    copy = Node("object", value, node.start_offset, node._locate)  # noqa: SLF001
    copy.end_offset = node.end_offset
    copy.keys = node.keys
    return copy


def _without_empty_arrays(
    root: Node, kind: PolicyKind
) -> tuple[Policy, Node, list[tuple[int, Node, str, Location | None]]] | None:
    """The policy without its statements whose Action, Resource or Principal
    is an empty array, those statements' findings, or None when there were
    none (or the rest is still invalid)."""
    if root.kind != "object" or "Statement" not in root.value:
        return None
    block = root.value["Statement"]
    nodes = (
        [block] if block.kind == "object" else list(block.value) if block.kind == "array" else []
    )
    empty: list[tuple[int, Node, str, Location | None]] = []
    kept: list[tuple[int, Node]] = []
    for index, node in enumerate(nodes, 1):
        codes = [
            (code, node.value[key].start)
            for key, code in _EMPTY_ARRAYS.items()
            if node.kind == "object"
            and key in node.value
            and node.value[key].kind == "array"
            and not node.value[key].value
        ]
        if codes:
            # Only an empty array may be wrong with it: anything else is IAM's error.
            filled = _like(node, {k: _filled(k, v) for k, v in node.value.items()})
            try:
                parse_module._build(
                    _like(root, dict(root.value, Statement=Node("array", [filled]))), kind, False
                )
            except PolicyError:
                return None
            empty.extend((index, node, code, where) for code, where in codes)
        else:
            kept.append((index, node))
    if not empty:
        return None
    if kept:
        shell = Node("array", [node for _, node in kept])
        top = _like(root, dict(root.value, Statement=shell))
        try:
            built = parse_module._build(top, kind, False)
        except PolicyError:
            return None
        statements = tuple(
            dataclasses.replace(statement, index=index)
            for statement, (index, _) in zip(built.statements, kept, strict=True)
        )
        policy = dataclasses.replace(built, statements=statements)
    else:
        version = root.value.get("Version")
        policy = Policy(
            version=version.value if version and version.kind == "string" else "2008-10-17",
            statements=(),
            kind=kind,
        )
    tree = _like(root, dict(root.value, Statement=Node("array", [n for _, n in kept])))
    return policy, tree, empty


class _Linter:
    def __init__(self, policy: Policy, tree: Node | None) -> None:
        self.policy = policy
        self.tree = tree
        self.findings: list[Finding] = []

    def run(self, empty: Sequence[tuple[int, Node, str, Location | None]] = ()) -> list[Finding]:
        if self.tree is not None and "Version" not in self.tree.value:
            self.add(None, None, "warning", "MISSING_VERSION", MISSING_VERSION, self.tree.start)
        for index, node, code, where in empty:
            sid = node.value.get("Sid")
            self.findings.append(
                Finding(
                    "suggestion",
                    code,
                    _EMPTY_MESSAGES[code],
                    where or node.start,
                    sid.value if sid is not None and sid.kind == "string" else None,
                    index,
                )
            )
        statements = self._statement_nodes()
        for statement, node in zip(self.policy.statements, statements, strict=False):
            _StatementLinter(self, statement, node).run()
        self.check_statements(statements)
        return self.findings

    def check_statements(self, nodes: list[Node | None]) -> None:
        """Findings about statements together: repeated Sids and statements."""
        seen_sids: set[str] = set()
        seen: set[Statement] = set()  # a set: a list made this quadratic in statements
        for statement, node in zip(self.policy.statements, nodes, strict=False):
            sid_node = node.value.get("Sid") if node is not None else None
            sid_where = sid_node.start if sid_node is not None else None
            if statement.sid is not None and statement.sid in seen_sids:
                self.add(
                    statement,
                    sid_where,
                    "warning",
                    "UNIQUE_SIDS_RECOMMENDED",
                    "We recommend that you use statement IDs that are unique to your policy. "
                    "Update the Sid value.",
                )
            if statement.sid == "":
                self.add(
                    statement,
                    sid_where,
                    "suggestion",
                    "EMPTY_SID_VALUE",
                    "Add a value to the empty string in the Sid element.",
                )
            if statement.sid:
                seen_sids.add(statement.sid)
            # Same permissions whatever the Sid says.
            bare = dataclasses.replace(statement, index=0, sid=None)
            if bare in seen:
                self.add(
                    statement,
                    None,
                    "suggestion",
                    "REDUNDANT_STATEMENT",
                    "The statements are redundant because they provide identical permissions. "
                    "Update the policy to remove the redundant statement.",
                )
            else:
                seen.add(bare)

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
        self.check_redundant_actions()
        self.check_principals()
        if s.effect == "Allow":
            if s.not_actions is not None:
                self.add(
                    self.key_location("NotAction"),
                    "security_warning",
                    "ALLOW_WITH_NOT_ACTION",
                    "Using Allow with NotAction can be overly permissive: it allows every action "
                    "not listed, including new ones. We recommend that you list the allowed "
                    "actions in Action instead.",
                )
            if s.not_resources is not None:
                self.add(
                    self.key_location("NotResource"),
                    "security_warning",
                    "ALLOW_WITH_NOT_RESOURCE",
                    "Using Allow with NotResource can be overly permissive: it allows every "
                    "resource not listed. We recommend that you list the allowed resources in "
                    "Resource instead.",
                )
            if s.not_principals is not None:
                self.add(
                    self.key_location("NotPrincipal"),
                    "security_warning",
                    "ALLOW_WITH_NOT_PRINCIPAL",
                    "Using Allow with NotPrincipal can be overly permissive. We recommend that "
                    "you use Principal instead.",
                )
            self.check_admin()
            self.check_sensitive_action("iam:PassRole", _PASS_ROLE, "security_warning")
            self.check_sensitive_action("iam:CreateServiceLinkedRole", _CREATE_SLR, "warning")
        self.check_resources()
        self.check_variables()
        self.check_conditions()

    # Actions -----------------------------------------------------------
    def check_action(self, action: str, where: Location | None) -> None:
        if action == "*":
            return
        service, _, name = action.partition(":")
        if "*" in service or "?" in service:
            self.add(where, "suggestion", "WILDCARD_IN_SERVICE_NAME", _WILDCARD_IN_SERVICE)
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
            if not _expand(action):
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

    def check_redundant_actions(self) -> None:
        # An entry is redundant when another single entry already covers all
        # it stands for; of two equal entries the later one is.
        items = self.items("Action")
        expanded = [set(_expand(a)) if a != "*" else None for a, _ in items]
        redundant: list[tuple[str, Location | None]] = []
        for i, (action, where) in enumerate(items):
            mine = expanded[i]
            if mine is not None and not mine:
                continue  # unknown: reported as INVALID_ACTION
            for j, (other, _) in enumerate(items):
                if i == j:
                    continue
                theirs = expanded[j]
                covers = _action_covers(other, action, theirs, mine)
                same = covers and _action_covers(action, other, mine, theirs)
                if covers and (not same or j < i):
                    redundant.append((action, where))
                    break
        if redundant:
            self.add(
                redundant[0][1],
                "suggestion",
                "REDUNDANT_ACTION",
                f"The {len(redundant)} action(s) are redundant because they provide similar "
                "permissions. Update the policy to remove the redundant action such as: "
                f"{redundant[0][0]}.",
            )

    def check_principals(self) -> None:
        if self.node is None:
            return
        for key in ("Principal", "NotPrincipal"):
            node = self.node.value.get(key)
            if node is None or node.kind != "object":
                continue
            if not node.value:
                self.add(node.start, "suggestion", "EMPTY_OBJECT_PRINCIPAL", _EMPTY_PRINCIPAL)
            elif all(v.kind == "array" and not v.value for v in node.value.values()):
                self.add(node.start, "suggestion", "EMPTY_ARRAY_PRINCIPAL", _EMPTY_PRINCIPAL)

    def check_admin(self) -> None:
        s = self.statement
        if (
            s.resources is not None
            and "*" in s.resources
            and not s.conditions
            and any(a in ("*", "*:*") for a in s.actions or ())
        ):
            self.add(
                self.key_location("Action"),
                "security_warning",
                "FULL_ADMIN_ACCESS",
                'The statement allows every action ("*") on every resource ("*"): '
                "full administrator access. We recommend that you grant only the actions "
                "and resources that are needed.",
            )

    def check_sensitive_action(
        self, target: str, codes: dict[str, str], severity: Severity
    ) -> None:
        """Access Analyzer's iam:PassRole and iam:CreateServiceLinkedRole
        checks: the action granted on every resource, or on all but some."""
        s = self.statement
        lower = target.lower()
        if s.actions is not None:
            named = any(a.lower() == lower for a in s.actions)
            starred = not named and any(
                ("*" in a or "?" in a) and target in _expand(a) for a in s.actions
            )
            if not (named or starred):
                return
            where = self.key_location("Action")
        else:
            # NotAction grants it unless it is listed there.
            if any(target in _expand(a) or a == "*" for a in s.not_actions or ()):
                return
            named, starred = False, False
            where = self.key_location("NotAction")
        if target == "iam:PassRole" and any(
            c.key.lower() == "iam:passedtoservice" for c in s.conditions
        ):
            return  # the fix Access Analyzer recommends
        if s.resources is not None:
            if not any(_star_resource(r) for r in s.resources):
                return
            suffix = "STAR_IN_RESOURCE" if named else "STAR_IN_ACTION_AND_RESOURCE"
            if s.actions is None:
                suffix = "STAR_IN_RESOURCE_AND_NOT_ACTION"
        else:
            suffix = (
                "NOT_RESOURCE"
                if named
                else "STAR_IN_ACTION_AND_NOT_RESOURCE"
                if starred
                else "NOT_ACTION_AND_NOT_RESOURCE"
            )
        code = f"{codes['prefix']}_{suffix}"
        self.add(where, severity, code, codes[suffix])

    # Resources ---------------------------------------------------------
    def check_resources(self) -> None:
        for key in ("Resource", "NotResource"):
            items = self.items(key)
            for value, where in items:
                fields = value.split(":", 5)
                if len(fields) == 6 and ("*" in fields[2] or "?" in fields[2]):
                    self.add(where, "suggestion", "WILDCARD_IN_SERVICE_NAME", _WILDCARD_IN_SERVICE)
            self.check_redundant_resources(items)
        self.check_resource_mismatch()

    def check_redundant_resources(self, items: list[tuple[str, Location | None]]) -> None:
        redundant: list[Location | None] = []
        for i, (value, where) in enumerate(items):
            for j, (other, _) in enumerate(items):
                if i == j or not _resource_covers(other, value):
                    continue
                if not _resource_covers(value, other) or j < i:
                    redundant.append(where)
                    break
        if redundant:
            self.add(
                redundant[0],
                "suggestion",
                "REDUNDANT_RESOURCE",
                f"The {len(redundant)} resource ARN(s) are redundant because they reference "
                "the same resource. Review the use of wildcards (*)",
            )

    def check_resource_mismatch(self) -> None:
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
                    "resource types match, so this statement has no effect for it.",
                )

    def check_variables(self) -> None:
        if self.linter.policy.variables_enabled:
            return
        for key in ("Resource", "NotResource"):
            for value, where in self.items(key):
                if _has_variable(value):
                    self.add(where, "error", "VARIABLE_UNSUPPORTED_IN_VERSION", _VARIABLE_MESSAGE)
        for condition in self.statement.conditions:
            if any(isinstance(v, str) and _has_variable(v) for v in condition.values):
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
        self.check_duplicate_keys()
        keys = {c.key.lower() for c in self.statement.conditions}
        for condition in self.statement.conditions:
            where = condition.location
            qualifier, base, if_exists = split_operator(condition.operator)
            self.check_key(condition.key, where)
            if not condition.values:
                self.check_empty_values(condition.key, qualifier, if_exists, where)
                continue
            if base == "Null" and qualifier:
                self.add(
                    where,
                    "suggestion",
                    "NULL_WITH_QUALIFIER",
                    "Avoid using the Null condition operator with the ForAllValues or "
                    "ForAnyValue qualifiers because they always return a true or false "
                    "respectively.",
                )
            for value in condition.values:
                self.check_value(base, condition.operator, value, where)
            self.check_redundant_numbers(condition.operator, base, condition, where)
            if base in ("IpAddress", "NotIpAddress") and condition.key.lower() == "aws:sourceip":
                self.check_private_ips(base, condition.values, where)
            if self.statement.effect == "Allow":
                self.check_paired_keys(condition.key, keys, where)
                if qualifier == "ForAllValues" and _single_valued(condition.key):
                    self.add(
                        where,
                        "security_warning",
                        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                        "Using ForAllValues qualifier with the single-valued condition key "
                        f"{condition.key} can be overly permissive. We recommend that you "
                        "remove ForAllValues:.",
                    )

    def check_duplicate_keys(self) -> None:
        by_operator: dict[str, dict[str, str]] = {}
        for condition in self.statement.conditions:
            keys = by_operator.setdefault(condition.operator, {})
            first = keys.setdefault(condition.key.lower(), condition.key)
            if first != condition.key:
                self.add(
                    condition.location,
                    "error",
                    "DUPLICATE_KEYS_WITH_DIFFERENT_CASE",
                    f"The condition key {condition.key} appears more than once with different "
                    "capitalization in the same condition block. Remove the duplicate condition "
                    "keys.",
                )

    def check_empty_values(
        self, key: str, qualifier: str | None, if_exists: bool, where: Location | None
    ) -> None:
        if qualifier == "ForAllValues":
            code, message = (
                "EMPTY_ARRAY_CONDITION_FORALLVALUES",
                "The ForAllValues prefix with an empty condition key matches only if the key "
                f"{key} is missing from the request context. To determine if the request context "
                "is empty, we recommend that you use the Null condition operator with the value "
                "of true instead.",
            )
        elif qualifier == "ForAnyValue":
            code, message = (
                "EMPTY_ARRAY_CONDITION_FORANYVALUE",
                f"The ForAnyValue prefix with an empty condition key {key} never matches the "
                "request context and it does not affect the policy. Specify conditions.",
            )
        elif if_exists:
            code, message = (
                "EMPTY_ARRAY_CONDITION_IFEXISTS",
                "The IfExists suffix with an empty condition key matches only if the key "
                f"{key} is missing from the request context. To determine if the request context "
                "is empty, we recommend that you use the Null condition operator with the value "
                "of true instead.",
            )
        else:
            code, message = (
                "EMPTY_ARRAY_CONDITION",
                f"There are no values for the condition key {key} and it does not affect the "
                "policy. Specify conditions.",
            )
        self.add(where, "suggestion", code, message)

    def check_key(self, key: str, where: Location | None) -> None:
        service = key.partition(":")[0].lower()
        if ":" not in key:
            self.add(
                where,
                "error",
                "INVALID_CONDITION_KEY_FORMAT",
                "The condition key format is not valid. Use the format service:keyname.",
            )
        elif catalog.condition_key_exists(key):
            return
        elif _tag_key_prefix(key) is not None:
            prefix = _tag_key_prefix(key)
            self.add(
                where,
                "error",
                "MISSING_TAG_KEY_IN_CONDITION",
                f"The condition key {key} must include a tag key to control access based on "
                f"tags. Use the format {prefix}/tag-key and specify a key name for tag-key.",
            )
        elif key.lower() == "aws:arn":
            self.add(
                where,
                "error",
                "UNSUPPORTED_GLOBAL_CONDITION_KEY",
                "The condition key aws:ARN is not supported. Use aws:PrincipalArn or "
                "aws:SourceArn instead.",
            )
        elif service == "aws":
            self.add(
                where,
                "error",
                "INVALID_GLOBAL_CONDITION_KEY",
                f"The condition key {key} does not exist. Use a valid condition key.",
            )
        elif catalog.service_exists(service):
            self.add(
                where,
                "error",
                "INVALID_SERVICE_CONDITION_KEY",
                f"The condition key {key} does not exist in the service {service}. Use a valid "
                "condition key.",
            )

    def check_value(self, base: str, operator: str, value: Any, where: Location | None) -> None:
        if isinstance(value, str) and _has_variable(value):
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
                    "Add a valid Boolean value (true or false) for the condition operator "
                    f"{operator}.",
                )
        elif base.startswith("Numeric"):
            if isinstance(value, bool) or not _is_number(text):
                self.add(
                    where,
                    "warning",
                    "TYPE_MISMATCH_NUMBER",
                    f"Add a valid numeric value for the condition operator {operator}.",
                )
        elif base.startswith("Date"):
            if isinstance(value, bool) or not _is_date(text):
                self.add(
                    where,
                    "warning",
                    "TYPE_MISMATCH_DATE",
                    "The date condition operator is used with an invalid value. Specify a valid "
                    "date using YYYY-MM-DD or other ISO 8601 date/time format.",
                )
        elif base in ("IpAddress", "NotIpAddress"):
            self.check_ip(text, operator, where)
        elif base == "BinaryEquals":
            try:
                base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError):
                self.add(
                    where,
                    "warning",
                    "TYPE_MISMATCH_STRING",
                    "Add a valid base64-encoded string value for the condition operator "
                    f"{operator}.",
                )
        elif base in ("StringEquals", "StringNotEquals", "ArnEquals", "ArnNotEquals") and re.search(
            r"[*?]", text
        ):
            self.add(
                where,
                "warning",
                "WILDCARD_WITHOUT_LIKE_OPERATOR",
                "Your condition value includes a * or ? character. If you meant to use a "
                "wildcard (*, ?), update the condition operator to include Like.",
            )

    def check_ip(self, text: str, operator: str, where: Location | None) -> None:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            self.add(
                where,
                "warning",
                "TYPE_MISMATCH_IP_RANGE",
                f"The condition operator {operator} is used with an invalid IP range value. "
                "Specify the IP range in standard CIDR format.",
            )
            return
        if "/" in text and str(network) != text and network.with_prefixlen != text.lower():
            self.add(
                where,
                "suggestion",
                "IMPROVE_IP_RANGE",
                "The non-zero bits in the IP address after the masked bits are ignored. Replace "
                f"address with {network}.",
            )

    def check_private_ips(self, base: str, values: tuple[Any, ...], where: Location | None) -> None:
        networks = []
        for value in values:
            try:
                networks.append(ipaddress.ip_network(str(value), strict=False))
            except ValueError:
                return  # reported as TYPE_MISMATCH_IP_RANGE
        private = [
            any(n.subnet_of(p) for p in _PRIVATE_NETWORKS if p.version == n.version)
            for n in networks
        ]
        if all(private):
            code = "PRIVATE_IP_ADDRESS" if base == "IpAddress" else "PRIVATE_NOT_IP_ADDRESS"
            self.add(where, "error", code, _PRIVATE_IP[code])
        elif any(private):
            code = (
                "PRIVATE_IP_ADDRESS_SUBSET"
                if base == "IpAddress"
                else "PRIVATE_NOT_IP_ADDRESS_SUBSET"
            )
            self.add(where, "suggestion", code, _PRIVATE_IP[code])

    def check_redundant_numbers(
        self, operator: str, base: str, condition: Any, where: Location | None
    ) -> None:
        # Values of one key are ORed: with "less than" only the greatest counts.
        if base not in _ORDERED_NUMERIC or len(condition.values) < 2:
            return
        if not all(not isinstance(v, bool) and _is_number(str(v)) for v in condition.values):
            return
        self.add(
            where,
            "suggestion",
            "REDUNDANT_CONDITION_VALUE_NUM",
            f"Multiple values in {operator} are redundant. Replace with the greatest/least "
            f"single value for {condition.key}.",
        )

    def check_paired_keys(self, key: str, keys: set[str], where: Location | None) -> None:
        needed = _PAIRED_KEYS.get(key.lower())
        if needed and not all(k.lower() in keys for k in needed):
            self.add(
                where,
                "security_warning",
                "MISSING_PAIRED_CONDITION_KEYS",
                f"Using the condition key {key} can be overly permissive without also using "
                f"the following condition keys: {', '.join(needed)}. Condition keys like this "
                "one are more secure when paired with a related key. We recommend that you add "
                "the related condition keys to the same condition block.",
            )


_ATTRS = {
    "Action": "actions",
    "NotAction": "not_actions",
    "Resource": "resources",
    "NotResource": "not_resources",
}
# Messages as Access Analyzer's policy check reference words them
# (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html).
_VARIABLE_MESSAGE = (
    "To include variables in your policy, use the policy version 2012-10-17 or later."
)
MISSING_VERSION = (
    "We recommend that you specify the Version element to help you with debugging permission "
    "issues."
)
_EMPTY_PRINCIPAL = (
    "This statement includes no principals and does not affect the policy. Specify principals."
)
_EMPTY_MESSAGES = {
    "EMPTY_ARRAY_ACTION": (
        "This statement includes no actions and does not affect the policy. Specify actions."
    ),
    "EMPTY_ARRAY_RESOURCE": (
        "This statement includes no resources and does not affect the policy. Specify resources."
    ),
    "EMPTY_ARRAY_PRINCIPAL": _EMPTY_PRINCIPAL,
}
_WILDCARD_IN_SERVICE = (
    "Avoid using wildcards (*, ?) in the service name because it might grant unintended access "
    "to other AWS services with similar names."
)
_PASSED_TO = (
    "We recommend that you specify resource ARNs or add the iam:PassedToService condition key "
    "to your statement."
)
_PASS_ROLE = {
    "prefix": "PASS_ROLE_WITH",
    "STAR_IN_RESOURCE": "Using the iam:PassRole action with wildcards (*) in the resource can be "
    "overly permissive because it allows iam:PassRole permissions on multiple resources. "
    + _PASSED_TO,
    "STAR_IN_ACTION_AND_RESOURCE": "Using wildcards (*) in the action and the resource can be "
    "overly permissive because it allows iam:PassRole permissions on all resources. " + _PASSED_TO,
    "STAR_IN_RESOURCE_AND_NOT_ACTION": "Using a resource with wildcards (*) and NotAction can be "
    "overly permissive because it allows iam:PassRole permissions on all resources. " + _PASSED_TO,
    "NOT_RESOURCE": "Using the iam:PassRole action with NotResource can be overly permissive "
    "because it can allow iam:PassRole permissions on multiple resources. We recommend that you "
    "specify resource ARNs instead.",
    "STAR_IN_ACTION_AND_NOT_RESOURCE": "Using an action with a wildcard (*) and NotResource can be "
    "overly permissive because it can allow iam:PassRole permissions on multiple resources. We "
    "recommend that you specify resource ARNs instead.",
    # The reference's own text, double full stop included.
    "NOT_ACTION_AND_NOT_RESOURCE": "Using NotAction with NotResource can be overly permissive "
    "because it can allow iam:PassRole permissions on multiple resources.. We recommend that you "
    "specify resource ARNs instead.",
}
_CREATE_SLR = {
    "prefix": "CREATE_SLR_WITH",
    "STAR_IN_RESOURCE": "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the "
    "resource can allow creation of unintended service-linked roles. We recommend that you "
    "specify resource ARNs instead.",
    "STAR_IN_ACTION_AND_RESOURCE": "Using wildcards (*) in the action and the resource can allow "
    "creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole "
    "permissions on all resources. We recommend that you specify resource ARNs instead.",
    "STAR_IN_RESOURCE_AND_NOT_ACTION": "Using a resource with wildcards (*) and NotAction can "
    "allow creation of unintended service-linked roles because it allows "
    "iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify "
    "resource ARNs instead.",
    "NOT_RESOURCE": "Using the iam:CreateServiceLinkedRole action with NotResource can allow "
    "creation of unintended service-linked roles for multiple resources. We recommend that you "
    "specify resource ARNs instead.",
    "STAR_IN_ACTION_AND_NOT_RESOURCE": "Using an action with a wildcard(*) and NotResource can "
    "allow creation of unintended service-linked roles because it can allow "
    "iam:CreateServiceLinkedRole permissions on multiple resources. We recommend that you specify "
    "resource ARNs instead.",
    "NOT_ACTION_AND_NOT_RESOURCE": "Using NotAction with NotResource can allow creation of "
    "unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on "
    "multiple resources. We recommend that you specify resource ARNs instead.",
}
_PRIVATE_IP = {
    "PRIVATE_IP_ADDRESS": "aws:SourceIp works only for public IP address ranges. The values for "
    "condition key aws:SourceIp include only private IP addresses and will not have the desired "
    "effect. Update the value to include only public IP addresses.",
    "PRIVATE_NOT_IP_ADDRESS": "The values for condition key aws:SourceIp include only private IP "
    "addresses and has no effect. aws:SourceIp works only for public IP address ranges. Update "
    "the value to include only public IP addresses.",
    "PRIVATE_IP_ADDRESS_SUBSET": "The values for condition key aws:SourceIp include a mix of "
    "private and public IP addresses. The private addresses will not have the desired effect. "
    "aws:SourceIp works only for public IP address ranges. To define permissions for private IP "
    "ranges, use aws:VpcSourceIp.",
    "PRIVATE_NOT_IP_ADDRESS_SUBSET": "The values for condition key aws:SourceIp include a mix of "
    "private and public IP addresses. The private addresses have no effect. aws:SourceIp works "
    "only for public IP address ranges. To define permissions for private IP ranges, use "
    "aws:VpcSourceIp.",
}
# RFC 1918 and IPv6 unique local ranges: never a request's public source address.
_PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")
)
_ORDERED_NUMERIC = frozenset(
    {"NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals"}
)
# The pairing the reference documents: aws:VpcSourceIp with aws:SourceVpc.
_PAIRED_KEYS = {"aws:vpcsourceip": ("aws:SourceVpc",)}
# Global keys that carry several values; the others are single-valued.
_MULTIVALUED_GLOBAL_KEYS = frozenset(
    k.lower()
    for k in (
        "aws:TagKeys",
        "aws:CalledVia",
        "aws:PrincipalServiceNamesList",
        "aws:PrincipalOrgPaths",
        "aws:ResourceOrgPaths",
        "aws:SourceOrgPaths",
        "aws:VpceOrgPaths",
    )
)


def _single_valued(key: str) -> bool:
    """True only for keys known to carry a single value."""
    if key.lower().startswith("aws:"):
        return catalog.condition_key_exists(key) and key.lower() not in _MULTIVALUED_GLOBAL_KEYS
    kind = catalog.condition_key_type(key)
    return kind is not None and not kind.startswith("ArrayOf")


def _tag_key_prefix(key: str) -> str | None:
    """``aws:ResourceTag`` for ``aws:ResourceTag`` or ``aws:ResourceTag/``: a
    tag condition key written without its tag key."""
    bare = key.rstrip("/")
    if catalog.condition_key_exists(bare + "/x") and not catalog.condition_key_exists(bare):
        return bare
    return None


def _star_resource(resource: str) -> bool:
    # "*", or an ARN whose resource part is only wildcards ("role/*", "*").
    if resource == "*":
        return True
    fields = resource.split(":", 5)
    if len(fields) < 6:
        return False
    name = fields[5].rsplit("/", 1)[-1]
    return name.strip("*") == ""


def _action_covers(
    pattern: str, action: str, covered: set[str] | None, wanted: set[str] | None
) -> bool:
    """Whether Action entry ``pattern`` already grants all ``action`` does."""
    if pattern == "*":
        return True
    if action == "*" or covered is None or wanted is None or not covered:
        return False
    # The pattern must match the entry's text too, so "iam:*Report" is not
    # taken as covered by "iam:Get*" just because today's actions agree.
    return action_matches(pattern, action) and wanted <= covered


def _resource_covers(pattern: str, resource: str) -> bool:
    if pattern == "*":
        return True
    if resource == "*":
        return False
    return resource_matches(pattern, resource, variables=False)


@bounded(entries=4096, chars=1_000_000)
def _expand(action: str) -> tuple[str, ...]:
    # Cached: several checks of every statement expand the same wildcards.
    if "*" in action or "?" in action:
        return tuple(catalog.expand(action))
    return (catalog.canonical_action(action),) if catalog.action_exists(action) else ()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity", "+inf")


def _is_date(text: str) -> bool:
    # The engine's own reading: epoch seconds or a W3C ISO 8601 date/time.
    return parse_date(text) is not None


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
        concrete = "".join(p if isinstance(p, str) else "x" for p in split(path, True))
        if compile_template(arn_fields[5], ACTION).match(concrete) or _glob_covers(
            path, arn_fields[5]
        ):
            return True
    return False


def _glob_covers(path: str, arn_path: str) -> bool:
    """A policy path that is only wildcards (``*``) covers any resource."""
    return path.strip("*") == ""
