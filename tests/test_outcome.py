"""attempt() shows AWS's answer, allowed or refused, and never raises."""

from __future__ import annotations

import pytest

from labkit import Lab, attempt


@pytest.fixture(scope="module")
def lab():
    with Lab(seed=1) as running:
        yield running


def test_an_allowed_call_shows_its_response_without_metadata(lab) -> None:
    outcome = attempt(lab.client("iam").create_user, UserName="outcome-ok")
    assert outcome.ok
    assert "ResponseMetadata" not in outcome.response
    assert str(outcome).startswith("✅ allowed")
    assert "color:#1b5e20" in outcome._repr_html_()


@pytest.mark.parametrize(
    ("call", "code", "words"),
    [
        (lambda lab: lab.client("iam").get_user(UserName="nobody"), "NoSuchEntity", "nobody"),
        (
            lambda lab: lab.client("iam").create_user(UserName=""),
            "ParamValidationError",
            "UserName",
        ),
        (lambda lab: lab.sign_in("nobody", "x"), "SignInFailed", "incorrect"),
    ],
    ids=["aws-error", "bad-parameter", "sign-in"],
)
def test_a_refused_call_shows_the_code_and_message(lab, call, code, words) -> None:
    outcome = attempt(call, lab)
    assert not outcome.ok
    assert outcome.code == code
    assert words in outcome.message
    assert str(outcome) == f"⛔ refused — {code}: {outcome.message}"
    assert "refused" in outcome._repr_html_() and "color:#b71c1c" in outcome._repr_html_()
