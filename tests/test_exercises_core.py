"""An exercise's answer is in words, "done" or "not yet", each step "done"
or "to do", and in colour in HTML: never a glyph alone."""

from __future__ import annotations

import re

import pytest

from labkit import Lab
from labkit.exercises import Exercise, Result, Step, StepResult, first_user
from labkit.exercises.core import GREEN, ORANGE

HALF = Result(
    "Make two users",
    (
        StepResult("a user named a exists", True, "create a"),
        StepResult("a user named b exists", False, 'iam.create_user(UserName="b")'),
    ),
)
ALL = Result("Make one user", (StepResult("a user named a exists", True, "create a"),))


def test_not_yet_in_words_with_each_step_done_or_to_do() -> None:
    assert str(HALF) == (
        "Make two users: not yet\n"
        "  [done] a user named a exists\n"
        '  [to do] a user named b exists (hint: iam.create_user(UserName="b"))'
    )
    assert HALF.status == "not yet" and not HALF.done


def test_done_in_words() -> None:
    assert str(ALL) == "Make one user: done\n  [done] a user named a exists"
    assert ALL.status == "done" and ALL.done


@pytest.mark.parametrize("result", [HALF, ALL])
def test_the_text_has_no_glyph_standing_in_for_a_word(result: Result) -> None:
    # Only letters, punctuation and spaces: nothing that needs an emoji font.
    assert not re.search(r"[^\x00-\x7f]", str(result))


def test_html_says_not_yet_in_orange_and_each_step_in_words() -> None:
    html = HALF._repr_html_()
    assert "labkit-check-not-yet" in html
    assert ">not yet<" in html and f"color:{ORANGE[0]}" in html
    assert html.count("labkit-step-done") == 1 and html.count("labkit-step-to-do") == 1
    assert ">done</b>" in html and ">to do</b>" in html
    assert f"color:{GREEN[0]}" in html  # the done step
    assert "iam.create_user(UserName=&quot;b&quot;)" in html  # escaped hint


def test_html_says_done_in_green() -> None:
    html = ALL._repr_html_()
    assert "labkit-check-done" in html and ">done<" in html
    assert f"color:{GREEN[0]}" in html and f"color:{ORANGE[0]}" not in html
    assert GREEN[0] != ORANGE[0]


def test_html_escapes_titles_and_descriptions() -> None:
    html = Result("<b>", (StepResult("<i>", False, "<x>"),))._repr_html_()
    assert "<b>" not in html.replace("<b style", "") and "&lt;b&gt;" in html
    assert "&lt;i&gt;" in html and "&lt;x&gt;" in html


def test_a_step_whose_question_fails_is_to_do_not_an_error() -> None:
    def broken(lab: Lab) -> bool:
        raise KeyError("nobody")

    result = Exercise("Broken", (Step("something", broken, "do it"),)).check(None)  # type: ignore[arg-type]
    assert str(result) == "Broken: not yet\n  [to do] something (hint: do it)"


def test_the_first_exercise_in_a_real_lab() -> None:
    with Lab(seed=0) as lab:
        before = first_user.check(lab)
        assert str(before).splitlines()[0] == "Create your first IAM user: not yet"
        # Two plausible wrong answers: another name, and a group of that name.
        lab.client("iam").create_user(UserName="learner1")
        lab.client("iam").create_group(GroupName="learner")
        assert not first_user.check(lab).done
        lab.client("iam").create_user(UserName="learner")
        after = first_user.check(lab)
        assert str(after).splitlines()[0] == "Create your first IAM user: done"
        assert "labkit-check-done" in after._repr_html_()
