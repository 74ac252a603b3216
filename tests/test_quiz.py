"""Self-check questions: grading, feedback in words and colour, the widget
driven as the front end drives it, and clear errors for bad questions."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from labkit.exercises import Question, Quiz, quiz
from labkit.exercises.quiz import RIGHT_COLOUR, WRONG_COLOUR, Feedback, grade, summarize

DENY = Question(
    "Which wins when one policy allows and another explicitly denies?",
    ["The allow", "The explicit deny", "Whichever was attached last"],
    answer=1,
    why="An explicit deny always wins, wherever it is written.",
)
DEFAULT = Question("What does IAM decide when no policy says anything?", ["Allow", "Deny"], 1)


# --- grading: plain functions -----------------------------------------------------


def test_a_right_answer_says_right_and_why() -> None:
    shown = grade(DENY, 1)
    assert shown.right is True
    assert shown.text == "Right: An explicit deny always wins, wherever it is written."


@pytest.mark.parametrize("wrong", [0, 2])
def test_a_wrong_answer_says_not_quite_names_the_answer_and_why(wrong: int) -> None:
    shown = grade(DENY, wrong)
    assert shown.right is False
    assert shown.text.startswith("Not quite: the answer is “The explicit deny”.")
    assert shown.text.endswith("An explicit deny always wins, wherever it is written.")


def test_without_a_why_the_feedback_still_names_the_answer() -> None:
    assert grade(DEFAULT, 1).text == "Right: “Deny” is the answer."
    assert grade(DEFAULT, 0).text == "Not quite: the answer is “Deny”."


def test_no_choice_is_not_graded() -> None:
    shown = grade(DENY, None)
    assert shown.right is None
    assert "Choose an answer" in shown.text


@pytest.mark.parametrize("chosen", [3, -1, True, "1"])
def test_a_choice_that_does_not_exist_is_a_clear_error(chosen: object) -> None:
    with pytest.raises((ValueError, TypeError), match="choice|answer"):
        grade(DENY, chosen)  # type: ignore[arg-type]


def test_feedback_html_is_in_words_and_colour() -> None:
    right, wrong = grade(DENY, 1).html(), grade(DENY, 0).html()
    assert "Right:" in right and f"color:{RIGHT_COLOUR}" in right
    assert "Not quite:" in wrong and f"color:{WRONG_COLOUR}" in wrong
    assert RIGHT_COLOUR != WRONG_COLOUR
    assert "labkit-quiz-right" in right and "labkit-quiz-wrong" in wrong


def test_feedback_html_escapes_the_text() -> None:
    assert "&lt;b&gt;" in Feedback(True, "Right: <b>").html()


# --- bad questions: clear errors --------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"choices": ["only one"], "answer": 0}, ValueError, "at least 2"),
        ({"choices": [], "answer": 0}, ValueError, "at least 2"),
        ({"choices": ["a", "b"], "answer": 2}, ValueError, "numbered 0 to 1"),
        ({"choices": ["a", "b"], "answer": -1}, ValueError, "numbered 0 to 1"),
        ({"choices": ["a", "b"], "answer": "b"}, TypeError, "index of the right choice"),
        ({"choices": ["a", "b"], "answer": True}, TypeError, "index of the right choice"),
        ({"choices": "ab", "answer": 0}, TypeError, "list of texts"),
        ({"choices": ["a", ""], "answer": 0}, ValueError, "non-empty"),
        ({"choices": ["a", "a"], "answer": 0}, ValueError, "same choice twice"),
    ],
)
def test_a_bad_question_is_refused_with_a_clear_message(kwargs, error, words) -> None:
    with pytest.raises(error, match=words):
        Question("Which?", **kwargs)


def test_a_question_needs_a_prompt() -> None:
    with pytest.raises(ValueError, match="prompt"):
        Question("  ", ["a", "b"], 0)


def test_choices_are_kept_as_a_tuple() -> None:
    assert Question("Which?", ["a", "b"], 0).choices == ("a", "b")


def test_a_quiz_is_made_of_questions() -> None:
    with pytest.raises(ValueError, match="at least one"):
        quiz()
    with pytest.raises(TypeError, match=r"Question\(\.\.\.\)"):
        quiz("Which wins?")  # type: ignore[arg-type]


# --- the widget, as the front end drives it ---------------------------------------


def test_the_quiz_is_a_widget_of_radio_buttons_check_buttons_and_feedback() -> None:
    shown = quiz(DENY, DEFAULT)
    assert isinstance(shown, Quiz) and isinstance(shown, widgets.VBox)
    assert len(shown.views) == 2
    first = shown.views[0]
    assert isinstance(first.choices, widgets.RadioButtons)
    assert first.choices.value is None  # nothing chosen for the learner
    assert [label for label, _ in first.choices.options] == list(DENY.choices)
    assert first.check_button.description == "Check"
    assert first.result.value == ""
    assert "1. Which wins" in first.prompt.value


def test_choosing_and_pressing_check_shows_the_feedback() -> None:
    shown = quiz(DENY, DEFAULT)
    view = shown.views[0]
    view.choices.value = 0  # what the front end sets when a radio button is clicked
    view.check_button.click()
    assert "Not quite:" in view.result.value and WRONG_COLOUR in view.result.value
    assert shown.score == 0
    view.choices.value = 1
    assert view.result.value == ""  # a changed answer is not checked yet
    view.check_button.click()
    assert "Right:" in view.result.value and RIGHT_COLOUR in view.result.value
    assert shown.score == 1


def test_check_without_a_choice_asks_for_one() -> None:
    shown = quiz(DENY)
    shown.views[0].check_button.click()
    assert "Choose an answer" in shown.views[0].result.value
    assert shown.score == 0


def test_answer_clicks_for_you_and_returns_the_feedback() -> None:
    shown = quiz(DENY, DEFAULT)
    assert shown.answer(0, 1).startswith("Right: ")
    assert shown.answer(1, 0).startswith("Not quite: ")
    assert shown.score == 1
    assert shown.answer(1, 1).startswith("Right: ")
    assert shown.score == 2
    assert shown.views[1].choices.value == 1


@pytest.mark.parametrize(("question", "choice"), [(2, 0), (-1, 0), (0, 5), (0, None)])
def test_answer_refuses_what_does_not_exist(question: int, choice: object) -> None:
    shown = quiz(DENY, DEFAULT)
    with pytest.raises((ValueError, TypeError)):
        shown.answer(question, choice)  # type: ignore[arg-type]
    assert shown.score == 0


def test_a_list_of_questions_works_too() -> None:
    assert len(quiz([DENY, DEFAULT]).views) == 2


# --- the stored output reads as words ---------------------------------------------


def test_the_stored_text_is_a_summary_not_a_repr() -> None:
    shown = quiz(DENY, DEFAULT)
    bundle = shown._repr_mimebundle_()
    text = bundle["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the view is kept
    assert "children=" not in text
    assert text.splitlines()[0] == "Self-check quiz: 2 questions, not answered yet"
    assert "1. Which wins when one policy allows" in text
    assert "( ) The explicit deny" in text
    shown.answer(0, 1)
    shown.answer(1, 0)
    assert shown.summary().splitlines()[0] == (
        "Self-check quiz: 2 questions, 1 of 2 checked answers right"
    )


def test_the_summary_does_not_give_the_answer_away() -> None:
    text = summarize((DENY,), 0, 0)
    assert DENY.why not in text
    assert text.count("( )") == 3
