"""Exercises that check themselves: ``exercise.check(lab)`` answers
"done", or "not yet" with a hint for each step still to do.

    >>> from labkit.exercises import first_user
    >>> first_user.check(lab)            # doctest: +SKIP
    ⏳ Create your first IAM user: not yet
      ❌ a user named learner exists (hint: iam.create_user(UserName="learner"))
"""

from labkit.exercises.chapters import *  # noqa: F403 - the course's exercises
from labkit.exercises.chapters import __all__ as _chapters
from labkit.exercises.core import Exercise, Result, Step, StepResult

__all__ = ["Exercise", "Result", "Step", "StepResult", *_chapters]
