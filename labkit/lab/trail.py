"""A CloudTrail-like record of every call made in the Lab."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from labkit.policy.model import DecisionName


@dataclass(frozen=True)
class TrailEvent:
    """One call: who did what to which resource, and how it ended.

    ``decision`` is the authorization's verdict (root's calls are always
    ``allowed``); ``error_code`` is the AWS error the caller got, None when
    the call succeeded, so an allowed call can still fail (``NoSuchEntity``).
    """

    time: datetime
    principal: str
    action: str
    resource: str
    decision: DecisionName
    error_code: str | None = None
    error_message: str | None = None
    operation: str = ""
    service: str = ""

    @property
    def succeeded(self) -> bool:
        """True when the call returned without an error."""
        return self.error_code is None


class Trail:
    """The events of a Lab, oldest first; iterable and filterable."""

    def __init__(self, events: list[TrailEvent] | None = None) -> None:
        self._events: list[TrailEvent] = events if events is not None else []

    def record(self, event: TrailEvent) -> None:
        """Append one event."""
        self._events.append(event)

    def clear(self) -> None:
        """Forget every event."""
        self._events.clear()

    def __iter__(self) -> Iterator[TrailEvent]:
        return iter(list(self._events))

    def __len__(self) -> int:
        return len(self._events)

    def __getitem__(self, index: int) -> TrailEvent:
        return self._events[index]

    @property
    def last(self) -> TrailEvent | None:
        """The latest event, or None."""
        return self._events[-1] if self._events else None

    def filter(
        self,
        principal: str | None = None,
        decision: str | None = None,
        action: str | None = None,
        error_code: str | None = None,
    ) -> Trail:
        """The events matching every criterion given.

        ``principal`` matches the full ARN or its last part (``"analyst"``
        finds ``arn:aws:iam::123456789012:user/analyst``); ``action`` matches
        case-insensitively (``"dynamodb:DeleteTable"``).
        """

        def keep(event: TrailEvent) -> bool:
            if principal is not None and principal not in (
                event.principal,
                event.principal.rsplit("/", 1)[-1],
            ):
                return False
            if decision is not None and event.decision != decision:
                return False
            if action is not None and event.action.lower() != action.lower():
                return False
            return error_code is None or event.error_code == error_code

        return Trail([event for event in self._events if keep(event)])

    def __repr__(self) -> str:
        if not self._events:
            return "Trail(no events)"
        lines = [f"Trail({len(self._events)} events)"]
        for e in self._events:
            outcome = e.error_code or "OK"
            lines.append(
                f"  {e.time:%H:%M:%S} {e.principal} {e.action} {e.resource} {e.decision} {outcome}"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(
            f"<th>{h}</th>"
            for h in ("Time", "Principal", "Action", "Resource", "Decision", "Error")
        )
        rows = []
        for e in self._events:
            colour = {"allowed": "#1a7f37", "explicitDeny": "#cf222e"}.get(e.decision, "#9a6700")
            cells = (
                f"{e.time:%H:%M:%S}",
                e.principal,
                e.action,
                e.resource,
                f'<span style="color:{colour}">{e.decision}</span>',
                e.error_code or "",
            )
            rows.append(
                "<tr>"
                + "".join(
                    f"<td>{c if i == 4 else html.escape(c)}</td>" for i, c in enumerate(cells)
                )
                + "</tr>"
            )
        body = "".join(rows) or '<tr><td colspan="6">No events yet.</td></tr>'
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
