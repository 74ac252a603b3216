"""Quick self-check questions: pick an answer, press Check, read why.

    >>> from labkit.exercises import Question, quiz
    >>> check = quiz(
    ...     Question(
    ...         "Which wins when one policy allows and another explicitly denies?",
    ...         ["The allow", "The explicit deny", "Whichever was attached last"],
    ...         answer=1,
    ...         why="An explicit deny always wins, wherever it is written.",
    ...     ),
    ... )
    >>> check.answer(0, 1)
    'Right: An explicit deny always wins, wherever it is written.'
    >>> check.score
    1

Grading and the feedback's words are plain functions (:func:`grade`); the
widget only shows them. Feedback is always in words and in colour: "Right"
in green, "Not quite" in red, each followed by the reason.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import traitlets

from labkit.widgets._common import Summarized, describe_error, guarded

RIGHT_COLOUR, RIGHT_BACKGROUND = "#1b5e20", "#e8f5e9"
WRONG_COLOUR, WRONG_BACKGROUND = "#b71c1c", "#ffebee"
NOTE_COLOUR = "#5d4037"


@dataclass(frozen=True)
class Question:
    """A question with its choices, the index of the right one, and why it is right.

    ``Question("Which wins...?", ["The allow", "The explicit deny"], answer=1,
    why="An explicit deny always wins.")``: ``answer`` counts from 0.
    """

    prompt: str
    choices: Sequence[str]
    answer: int
    why: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str) or not self.prompt.strip():
            raise ValueError("A question needs a prompt: the text of the question.")
        if isinstance(self.choices, str) or not isinstance(self.choices, Iterable):
            raise TypeError(
                f"The choices of {self.prompt!r} must be a list of texts, "
                f"not {type(self.choices).__name__}."
            )
        choices = tuple(self.choices)
        if len(choices) < 2:
            raise ValueError(
                f"{self.prompt!r} has {len(choices)} choice(s): a question needs at least 2."
            )
        if not all(isinstance(c, str) and c.strip() for c in choices):
            raise ValueError(f"Every choice of {self.prompt!r} must be a non-empty text.")
        if len(set(choices)) != len(choices):
            raise ValueError(f"{self.prompt!r} offers the same choice twice.")
        if isinstance(self.answer, bool) or not isinstance(self.answer, int):
            raise TypeError(
                f"The answer of {self.prompt!r} is the index of the right choice "
                f"(0 to {len(choices) - 1}), not {self.answer!r}."
            )
        if not 0 <= self.answer < len(choices):
            raise ValueError(
                f"The answer of {self.prompt!r} is {self.answer}, but its choices are "
                f"numbered 0 to {len(choices) - 1}."
            )
        if not isinstance(self.why, str):
            raise TypeError(f"The why of {self.prompt!r} must be a text.")
        object.__setattr__(self, "choices", choices)

    @property
    def right_choice(self) -> str:
        """The text of the right choice."""
        return self.choices[self.answer]


@dataclass(frozen=True)
class Feedback:
    """What a learner is told after checking an answer."""

    right: bool | None  # None: nothing was chosen, so nothing was graded
    text: str

    @property
    def word(self) -> str:
        """The verdict in a word or two: "Right", "Not quite" or "No answer"."""
        return {True: "Right", False: "Not quite", None: "No answer"}[self.right]

    def html(self) -> str:
        """The feedback in words and colour: green when right, red when not."""
        colour, background = {
            True: (RIGHT_COLOUR, RIGHT_BACKGROUND),
            False: (WRONG_COLOUR, WRONG_BACKGROUND),
            None: (NOTE_COLOUR, "transparent"),
        }[self.right]
        kind = {True: "right", False: "wrong", None: "unanswered"}[self.right]
        return (
            f'<div class="labkit-quiz-feedback labkit-quiz-{kind}" '
            f'style="color:{colour};background:{background};border-left:4px solid {colour};'
            f'padding:2px 8px;margin:2px 0">{html.escape(self.text)}</div>'
        )


def grade(question: Question, chosen: int | None) -> Feedback:
    """The feedback for choosing ``chosen`` (an index, or None for no choice)."""
    if chosen is None:
        return Feedback(None, "Choose an answer, then press Check.")
    if isinstance(chosen, bool) or not isinstance(chosen, int):
        raise TypeError(f"A choice is the index of an answer, not {chosen!r}.")
    if not 0 <= chosen < len(question.choices):
        raise ValueError(
            f"There is no choice {chosen}: the choices are numbered "
            f"0 to {len(question.choices) - 1}."
        )
    why = question.why.strip()
    if chosen == question.answer:
        return Feedback(True, f"Right: {why or f'“{question.right_choice}” is the answer.'}")
    reason = f" {why}" if why else ""
    return Feedback(False, f"Not quite: the answer is “{question.right_choice}”.{reason}")


def summarize(questions: Sequence[Question], right: int, checked: int) -> str:
    """A quiz in plain text: its questions and choices, and how it went so far."""
    count = f"{len(questions)} question{'s' if len(questions) != 1 else ''}"
    progress = f"{right} of {checked} checked answers right" if checked else "not answered yet"
    lines = [f"Self-check quiz: {count}, {progress}"]
    for number, question in enumerate(questions, 1):
        lines.append(f"{number}. {question.prompt}")
        lines += [f"   ( ) {choice}" for choice in question.choices]
    return "\n".join(lines)


class QuestionView(widgets.VBox):
    """One question: its choices as radio buttons, a Check button and the feedback."""

    feedback = traitlets.Unicode("", help="The feedback's text after the last Check.")
    right = traitlets.Bool(None, allow_none=True, help="Whether the checked answer was right.")

    def __init__(self, question: Question, number: int, **kwargs: Any) -> None:
        self.question = question
        self.prompt = widgets.HTML(
            f'<b class="labkit-quiz-prompt">{number}. {html.escape(question.prompt)}</b>'
        )
        self.choices = widgets.RadioButtons(
            options=[(choice, index) for index, choice in enumerate(question.choices)],
            value=None,
            layout=widgets.Layout(width="auto"),
        )
        self.check_button = widgets.Button(
            description="Check", tooltip="Check your answer", button_style="primary"
        )
        self.result = widgets.HTML()
        super().__init__([self.prompt, self.choices, self.check_button, self.result], **kwargs)
        self._wire()

    def _wire(self) -> None:
        self.check_button.on_click(self._on_check_click)
        self.choices.observe(self._on_choice_change, names="value")

    @guarded
    def _on_check_click(self, button: widgets.Button) -> None:
        shown = grade(self.question, self.choices.value)
        self.right = shown.right
        self.feedback = shown.text
        self.result.value = shown.html()

    @guarded
    def _on_choice_change(self, change: dict[str, Any]) -> None:
        # A new choice is not checked yet: the old feedback would mislead.
        self.right = None
        self.feedback = ""
        self.result.value = ""

    def _show_failure(self, error: BaseException) -> None:
        self.result.value = Feedback(None, f"Could not check: {describe_error(error)}").html()


class Quiz(Summarized, widgets.VBox):
    """Self-check questions, each with its choices, a Check button and feedback."""

    score = traitlets.Int(0, help="How many questions have a checked, right answer.")

    def __init__(self, questions: Sequence[Question], **kwargs: Any) -> None:
        questions = tuple(questions)
        if not questions:
            raise ValueError("A quiz needs at least one Question.")
        for found in questions:
            if not isinstance(found, Question):
                raise TypeError(
                    f"A quiz is made of Question(...) objects, not {type(found).__name__}: "
                    'write Question("the prompt", ["choice", "choice"], answer=0, why="...").'
                )
        self.questions = questions
        self.views = [QuestionView(q, number) for number, q in enumerate(questions, 1)]
        super().__init__(self.views, **kwargs)
        self.add_class("labkit-quiz")
        for view in self.views:
            view.observe(self._on_view_right_change, names="right")

    def answer(self, question: int, choice: int) -> str:
        """Choose ``choice`` for question ``question`` (both from 0), press
        Check, and return the feedback's text, as a learner clicking would."""
        if isinstance(question, bool) or not isinstance(question, int):
            raise TypeError(f"A question is picked by its index, not {question!r}.")
        if not 0 <= question < len(self.views):
            raise ValueError(
                f"There is no question {question}: they are numbered 0 to {len(self.views) - 1}."
            )
        view = self.views[question]
        if choice is None:
            raise TypeError("answer() needs a choice: the index of an answer, from 0.")
        grade(view.question, choice)  # a choice that does not exist raises here, clearly
        view.choices.value = choice
        view.check_button.click()
        return view.feedback

    @property
    def checked(self) -> int:
        """How many questions have a checked answer."""
        return sum(view.right is not None for view in self.views)

    def summary(self) -> str:
        """The quiz in plain text, for a notebook opened before it is run."""
        return summarize(self.questions, self.score, self.checked)

    def _on_view_right_change(self, change: dict[str, Any]) -> None:
        self.score = sum(view.right is True for view in self.views)


def quiz(*questions: Question | Sequence[Question]) -> Quiz:
    """A self-check quiz of ``questions``: ``quiz(Question(...), Question(...))``.

    A single list of questions works too: ``quiz([Question(...), ...])``.
    """
    if len(questions) == 1 and isinstance(questions[0], list | tuple):
        questions = tuple(questions[0])
    return Quiz(questions)  # type: ignore[arg-type]
