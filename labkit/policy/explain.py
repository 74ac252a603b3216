"""Plain-English rendering of a :class:`~labkit.policy.model.Decision`.

Rendering only: every fact comes from the decision's data.
"""

from __future__ import annotations

from typing import Any

from labkit.policy.model import ALLOWED, EXPLICIT_DENY, Decision, Miss, StatementRef

_KIND_WORDS = {
    "identity": "identity-based policy",
    "resource": "resource-based policy",
    "trust": "role trust policy",
    "boundary": "permissions boundary",
    "session": "session policy",
    "scp": "service control policy",
    "rcp": "resource control policy",
}


def _where(ref: StatementRef) -> str:
    name = ref.policy or _KIND_WORDS.get(ref.kind, ref.kind)
    return f"{name} / {ref.label}"


def _value(value: Any) -> str:
    if value is None:
        return "no value"
    if isinstance(value, str):
        return repr(value)
    return "[" + ", ".join(repr(v) for v in value) + "]"


def _headline(decision: Decision) -> str:
    request = decision.request
    what = f"{request.action} on {request.resource}"
    if decision.decision == ALLOWED:
        return f"Allowed: {what}."
    kind = _KIND_WORDS.get(decision.denied_by or "", "policy")
    if decision.decision == EXPLICIT_DENY:
        article = "an" if kind[0] in "aeiou" else "a"
        return f"Denied: {what}, by an explicit deny in {article} {kind}."
    return f"Denied: {what}, because no {kind} allows it (implicit deny)."


def _miss(miss: Miss) -> str:
    where = _where(miss.statement)
    if miss.reason == "condition":
        expects = ", ".join(repr(v) for v in miss.policy_values)
        return (
            f"{where}: condition {miss.operator} {miss.key}: request has "
            f"{_value(miss.request_value)}, policy expects {expects}."
        )
    if miss.reason == "principal":
        return f"{where}: its Principal does not name the caller."
    element = "Action" if miss.reason == "action" else "Resource"
    return f"{where}: its {element} does not cover the request."


def _rule(decision: Decision) -> str | None:
    """The row of the decision table that decided, in words."""
    from labkit.policy.evaluate import ROWS

    row = ROWS.get(decision.row or "")
    return f"Rule: {row.when}, so {row.then}." if row is not None else None


def _verdicts(decision: Decision) -> str | None:
    """Each kind of policy's own verdict, when more than one kind took part."""
    if len(decision.verdicts) < 2:
        return None
    said = ", ".join(
        f"{_KIND_WORDS.get(kind, kind)} {verdict}" for kind, verdict in decision.verdicts.items()
    )
    return f"Each kind of policy said: {said}."


def _closed_level(decision: Decision) -> str | None:
    """Where in the organization a guardrail had no allow."""
    if decision.closed_level is None:
        return None
    kind = _KIND_WORDS.get(decision.denied_by or "", "policy")
    level = decision.closed_level + 1
    where = "its root" if level == 1 else f"level {level} (its root is level 1)"
    return f"At {where}, no {kind} of the organization allows it."


def explain(decision: Decision) -> str:
    """A short explanation for a learner: the decision, the rule of AWS's
    evaluation logic that reached it, the statements that decided it, why
    the others did not apply, and missing context keys."""
    lines = [_headline(decision)]
    lines += [
        line for line in (_rule(decision), _closed_level(decision), _verdicts(decision)) if line
    ]
    if decision.matched:
        verb = "Denied by" if decision.decision == EXPLICIT_DENY else "Allowed by"
        lines.append(f"{verb}:")
        lines.extend(f"  - {_where(ref)} ({ref.effect})" for ref in decision.matched)
    if decision.boundary_decision is not None:
        lines.append(f"Permissions boundary decision: {decision.boundary_decision}.")
    conditional = [m for m in decision.misses if m.reason in ("condition", "principal")]
    skipped = [m for m in decision.misses if m.reason in ("action", "resource")]
    if conditional:
        lines.append("Statements that did not apply:")
        lines.extend(f"  - {_miss(m)}" for m in conditional)
    if skipped:
        lines.append(
            "Not about this request: "
            + ", ".join(
                f"{_where(m.statement)} ({'action' if m.reason == 'action' else 'resource'})"
                for m in skipped
            )
            + "."
        )
    if decision.missing_context:
        lines.append(
            "Context keys the policies test but the request lacks: "
            + ", ".join(decision.missing_context)
            + "."
        )
    return "\n".join(lines)
