"""Try a call and show what AWS answered, allowed or refused, without a traceback.

    >>> attempt(analyst.client("dynamodb").delete_table, TableName="orders")  # doctest: +SKIP
    ⛔ refused — AccessDeniedException: User: arn:aws:iam::123456789012:user/ana is not ...

A refused call is the lesson, not a failure of the notebook: the learner sees
AWS's error code and message, and the notebook goes on.
"""

from __future__ import annotations

import html
import pprint
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from labkit.lab.errors import SignInError


@dataclass(frozen=True)
class Outcome:
    """What one call did: its response, or AWS's error code and message."""

    ok: bool
    response: Any = None
    code: str | None = None
    message: str | None = None
    error: BaseException | None = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        if self.ok:
            if self.response is None or self.response == {}:
                return "✅ allowed"
            return "✅ allowed\n" + pprint.pformat(self.response, width=100, sort_dicts=False)
        return f"⛔ refused — {self.code}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        # In words and in colour: green when allowed, red when refused.
        colour = "#1b5e20" if self.ok else "#b71c1c"
        kind = "allowed" if self.ok else "refused"
        return (
            f'<pre class="labkit-outcome labkit-outcome-{kind}" '
            f'style="color:{colour};white-space:pre-wrap">{html.escape(str(self))}</pre>'
        )


def attempt(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Outcome:
    """Run ``call(*args, **kwargs)`` and return its :class:`Outcome`.

    AWS's errors (botocore's ``ClientError``), parameter mistakes caught by
    boto3 before sending, and refused console sign-ins become an Outcome with
    the code and message; the response loses its ``ResponseMetadata``, which
    differs on every call.
    """
    try:
        response = call(*args, **kwargs)
    except ClientError as error:
        details = error.response.get("Error", {})
        return Outcome(False, None, details.get("Code"), details.get("Message"), error)
    except ParamValidationError as error:
        return Outcome(False, None, "ParamValidationError", str(error.kwargs["report"]), error)
    except SignInError as error:
        return Outcome(False, None, "SignInFailed", str(error), error)
    if isinstance(response, dict):
        response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    return Outcome(True, response)
