"""Exercises that check themselves against the Lab.

An exercise is a list of steps; each step is a plain question about the
Lab's state and a hint. Checking never raises: a step whose question fails
(say, because the user it asks about does not exist yet) is simply "not yet".
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labkit.lab.account import Lab


@dataclass(frozen=True)
class Step:
    """One thing the learner must have done, and a hint if they have not."""

    description: str
    done: Callable[[Lab], Any]
    hint: str


@dataclass(frozen=True)
class StepResult:
    """How one step stands."""

    description: str
    ok: bool
    hint: str


@dataclass(frozen=True)
class Result:
    """The answer to ``Exercise.check``: done, or not yet with hints."""

    title: str
    steps: tuple[StepResult, ...]

    @property
    def done(self) -> bool:
        """True when every step is done."""
        return all(step.ok for step in self.steps)

    def __str__(self) -> str:
        if self.done:
            return f"✅ {self.title}: done"
        lines = [f"⏳ {self.title}: not yet"]
        for step in self.steps:
            mark = "✅" if step.ok else "❌"
            extra = "" if step.ok else f" (hint: {step.hint})"
            lines.append(f"  {mark} {step.description}{extra}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


@dataclass(frozen=True)
class Exercise:
    """A named exercise: ``exercise.check(lab)`` says how far the learner got."""

    title: str
    steps: tuple[Step, ...]

    def check(self, lab: Lab) -> Result:
        """Inspect the Lab and answer done, or not yet with a hint per step."""
        return Result(self.title, tuple(_run(step, lab) for step in self.steps))


def _run(step: Step, lab: Lab) -> StepResult:
    try:
        ok = bool(step.done(lab))
    except Exception:  # a question about something not there yet: not done
        ok = False
    return StepResult(step.description, ok, step.hint)
