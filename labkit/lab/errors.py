"""AWS's errors as the Lab raises them."""

from __future__ import annotations


class AwsError(Exception):
    """An error AWS would answer with: a code, its message and HTTP status.

    Handlers raise it; the Lab turns it into botocore's ``ClientError``, so a
    learner sees exactly what boto3 shows against real AWS.
    """

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class SignInError(Exception):
    """A console sign-in that AWS would refuse, in the console's words."""
