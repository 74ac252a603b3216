"""The course's exercises, one or more per notebook, in course order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from labkit.exercises.core import Exercise, Step

if TYPE_CHECKING:
    from labkit.lab.account import Lab


def _user_exists(name: str):
    def done(lab: Lab) -> bool:
        lab.backend.get_user(name)
        return True

    return done


first_user = Exercise(
    "Create your first IAM user",
    (
        Step(
            "a user named learner exists",
            _user_exists("learner"),
            'iam.create_user(UserName="learner")',
        ),
    ),
)

__all__ = ["first_user"]
