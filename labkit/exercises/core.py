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

# Every answer is in words, and coloured in HTML: green when done, dark
# orange while something is still to do.
DONE, NOT_YET = "done", "not yet"
STEP_DONE, STEP_TO_DO = "done", "to do"
GREEN = ("#1b5e20", "#e8f5e9")
ORANGE = ("#a63c00", "#fff3e0")
COLOURS = {DONE: GREEN, NOT_YET: ORANGE, STEP_TO_DO: ORANGE}


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

    @property
    def status(self) -> str:
        """The answer in words: "done" or "not yet"."""
        return DONE if self.done else NOT_YET

    def __str__(self) -> str:
        lines = [f"{self.title}: {self.status}"]
        for step in self.steps:
            extra = "" if step.ok else f" (hint: {step.hint})"
            lines.append(f"  [{STEP_DONE if step.ok else STEP_TO_DO}] {step.description}{extra}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour, background = COLOURS[self.status]
        head = (
            f'<div style="font-weight:bold;color:{colour}">{html.escape(self.title)}: '
            f'<span class="labkit-check-status">{self.status}</span></div>'
        )
        rows = "".join(_step_html(step) for step in self.steps)
        kind = "done" if self.done else "not-yet"
        return (
            f'<div class="labkit-check labkit-check-{kind}" style="border-left:4px solid {colour};'
            f'background:{background};padding:4px 8px;margin:2px 0">{head}'
            f'<ul style="list-style:none;margin:2px 0;padding-left:8px">{rows}</ul></div>'
        )


def _step_html(step: StepResult) -> str:
    word = STEP_DONE if step.ok else STEP_TO_DO
    colour, _ = COLOURS[word]
    hint = "" if step.ok else f" <i>Hint:</i> <code>{html.escape(step.hint)}</code>"
    return (
        f'<li class="labkit-step labkit-step-{"done" if step.ok else "to-do"}">'
        f'<b style="color:{colour}">{word}</b> — {html.escape(step.description)}{hint}</li>'
    )


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
