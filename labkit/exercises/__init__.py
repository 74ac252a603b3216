"""Exercises that check themselves: ``exercise.check(lab)`` answers
"done", or "not yet" with a hint for each step still to do.

    >>> from labkit.exercises import first_user
    >>> first_user.check(lab)            # doctest: +SKIP
    Create your first IAM user: not yet
      [to do] a user named learner exists (hint: iam.create_user(UserName="learner"))

Self-check questions: ``quiz(Question(prompt, choices, answer=1, why="..."), ...)``.
"""

from labkit.exercises.chapters import *  # noqa: F403 - the course's exercises
from labkit.exercises.chapters import __all__ as _chapters
from labkit.exercises.core import Exercise, Result, Step, StepResult
from labkit.exercises.quiz import Question, Quiz, quiz

__all__ = ["Exercise", "Question", "Quiz", "Result", "Step", "StepResult", "quiz", *_chapters]
