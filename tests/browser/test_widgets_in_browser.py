"""The widgets' key interactions, done in the browser as a learner does them."""

from __future__ import annotations

import re
import time

import nbformat
import pyotp
import pytest

from tests.browser.jupyterlab import ACTIVE, clear_and_run_all, open_notebook

TOUR = [
    "from labkit import Lab\n"
    "from labkit.widgets import AccessChecker, MFAEnrollment, PolicyEditor\n"
    "lab = Lab(seed=11)\n"
    "lab.load('mfa-blocked')",
    "PolicyEditor(lab)",
    "checker = AccessChecker(lab)\n"
    "checker.principal.value = 'arn:aws:iam::123456789012:user/CTO'\n"
    "checker.action.value = 's3:ListAllMyBuckets'\n"
    "checker",
    "MFAEnrollment(lab, 'dev')",
]


@pytest.fixture(scope="module")
def tour(course, page):
    """A notebook with one of each widget, run in JupyterLab."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in TOUR]
    nbformat.write(notebook, course.root / "widgets-tour.ipynb")
    open_notebook(page, course, "widgets-tour.ipynb")
    clear_and_run_all(page)
    return page


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    opened = context.new_page()
    yield opened
    context.close()


def _wait_for_text(locator, pattern: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = locator.inner_text()
        if re.search(pattern, text):
            return text
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} never appeared in: {text[:500]}")


def test_policy_editor_shows_line_and_column(tour, screenshots) -> None:
    cell = tour.locator(f"{ACTIVE} .jp-CodeCell").nth(1)
    editor = cell.locator("textarea").first
    editor.fill('{\n  "Version": "2012-10-17"\n  "Statement": []\n}')
    text = _wait_for_text(cell.locator(".jp-OutputArea"), r"[Ll]ine 3, column 3")
    assert "Syntax errors in policy" in text
    tour.screenshot(path=str(screenshots / "widget-policy-editor.png"))


def test_access_checker_changes_verdict_with_mfa(tour, screenshots) -> None:
    cell = tour.locator(f"{ACTIVE} .jp-CodeCell").nth(2)
    output = cell.locator(".jp-OutputArea")
    # The verdict is a badge with the decision's class; the explanation and
    # the diagram below it mention other decisions too.
    output.locator(".labkit-explicitDeny").wait_for(timeout=20_000)
    cell.get_by_text("Signed in with MFA").click()
    output.locator(".labkit-allowed").wait_for(timeout=20_000)
    assert output.locator(".labkit-explicitDeny").count() == 0
    assert output.locator("svg, img").count() > 0  # the evaluation diagram
    tour.screenshot(path=str(screenshots / "widget-access-checker.png"))


def test_mfa_enrollment_accepts_two_consecutive_codes(tour, screenshots) -> None:
    cell = tour.locator(f"{ACTIVE} .jp-CodeCell").nth(3)
    output = cell.locator(".jp-OutputArea")
    assert output.locator("img").count() >= 1  # the QR code
    # The secret is shown in groups of four, as AWS's console does.
    secret = output.locator(".labkit-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = time.time()
    codes = [totp.at(now - 30), totp.at(now)]
    fields = output.locator("input[type=text]")
    fields.nth(0).fill(codes[0])
    fields.nth(1).fill(codes[1])
    cell.get_by_role("button", name="Enable MFA").click()
    _wait_for_text(output, r"now enabled")
    tour.screenshot(path=str(screenshots / "widget-mfa-enrollment.png"))


QUIZ = (
    "from labkit.exercises import Question, quiz\n"
    "quiz(\n"
    "    Question('Which wins when one policy allows and another explicitly denies?',\n"
    "             ['The allow', 'The explicit deny'], answer=1,\n"
    "             why='An explicit deny always wins.'),\n"
    ")"
)


@pytest.fixture(scope="module")
def quiz_page(course, browser):
    """A notebook with a self-check quiz, run in a page of its own."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(QUIZ)]
    nbformat.write(notebook, course.root / "quiz-tour.ipynb")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    open_notebook(opened, course, "quiz-tour.ipynb")
    clear_and_run_all(opened)
    yield opened
    context.close()


def test_quiz_answers_in_words_and_colour(quiz_page, screenshots) -> None:
    output = quiz_page.locator(f"{ACTIVE} .jp-CodeCell").nth(0).locator(".jp-OutputArea")
    output.locator(".labkit-quiz").wait_for(timeout=20_000)
    output.get_by_text("The allow", exact=True).click()
    output.get_by_role("button", name="Check").click()
    wrong = output.locator(".labkit-quiz-wrong")
    wrong.wait_for(timeout=20_000)
    assert wrong.inner_text().startswith("Not quite:")
    assert wrong.evaluate("e => getComputedStyle(e).color") == "rgb(183, 28, 28)"  # red
    output.get_by_text("The explicit deny", exact=True).click()
    output.get_by_role("button", name="Check").click()
    right = output.locator(".labkit-quiz-right")
    right.wait_for(timeout=20_000)
    assert right.inner_text() == "Right: An explicit deny always wins."
    assert right.evaluate("e => getComputedStyle(e).color") == "rgb(27, 94, 32)"  # green
    assert output.locator(".labkit-quiz-wrong").count() == 0
    quiz_page.screenshot(path=str(screenshots / "widget-quiz.png"))


# -- MFA enrollment on a frozen clock: a real phone's codes refused, and why ------------

FROZEN_MFA = (
    "from labkit import Lab\n"
    "from labkit.widgets import MFAEnrollment\n"
    "lab = Lab(seed=12)\n"
    "lab.load('users')\n"
    "lab.clock.freeze(at=1_700_000_010)\n"
    "MFAEnrollment(lab, 'ana')"
)


@pytest.fixture(scope="module")
def frozen_mfa_page(course, browser):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(FROZEN_MFA)]
    nbformat.write(notebook, course.root / "frozen-mfa-tour.ipynb")
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    opened = context.new_page()
    open_notebook(opened, course, "frozen-mfa-tour.ipynb")
    clear_and_run_all(opened)
    yield opened
    context.close()


def test_mfa_enrollment_explains_a_phones_codes_on_a_frozen_clock(
    frozen_mfa_page, screenshots
) -> None:
    cell = frozen_mfa_page.locator(f"{ACTIVE} .jp-CodeCell").nth(0)
    output = cell.locator(".jp-OutputArea")
    _wait_for_text(output, r"frozen at 2023-11-14 22:13:30 UTC")
    status = output.locator(".labkit-status")
    assert status.inner_text() == "Status: not enabled yet"
    assert status.evaluate("e => getComputedStyle(e).color") == "rgb(183, 28, 28)"  # red
    # A real phone reads the real time, not the Lab's frozen one.
    secret = output.locator(".labkit-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    now = time.time()
    fields = output.locator("input[type=text]")
    fields.nth(0).fill(totp.at(now - 30))
    fields.nth(1).fill(totp.at(now))
    cell.get_by_role("button", name="Enable MFA").click()
    refusal = output.locator(".labkit-problem")
    refusal.wait_for(timeout=20_000)
    text = refusal.inner_text()
    assert text.startswith("Not enabled: InvalidAuthenticationCode")
    assert "Why, in the Lab:" in text and "lab.clock.follow_real_time()" in text
    assert refusal.evaluate("e => getComputedStyle(e).color") == "rgb(183, 28, 28)"  # red
    frozen_mfa_page.screenshot(path=str(screenshots / "widget-mfa-frozen-clock.png"))


# --- the security recommendations, red to green; the policy editor's Allow → Deny ---

SECURITY_TOUR = [
    "from labkit import Authenticator, Lab\n"
    "from labkit.widgets import PolicyEditor, SecurityStatus\n"
    "lab = Lab(seed=12)\n"
    "lab.load('users')",
    "SecurityStatus(lab)",
    "device = lab.create_root_mfa_device()\n"
    "phone = Authenticator(device['Base32StringSeed'], lab.clock)\n"
    "lab.enable_root_mfa(device['SerialNumber'], *phone.consecutive_codes())\n"
    "for user in ('ana', 'dev', 'CTO'):\n"
    "    lab.client('iam').delete_login_profile(UserName=user)\n"
    "lab.client('iam').update_account_password_policy(\n"
    "    MinimumPasswordLength=14, RequireUppercaseCharacters=True,\n"
    "    RequireLowercaseCharacters=True, RequireNumbers=True, RequireSymbols=True)",
    "import json\n"
    "PolicyEditor(lab, value=json.dumps({'Version': '2012-10-17', 'Statement': {\n"
    "    'Effect': 'Allow', 'Action': 'dynamodb:GetItem',\n"
    "    'Resource': 'arn:aws:dynamodb:us-east-1:123456789012:table/orders'}}))",
]


@pytest.fixture(scope="module")
def security_tour(course, browser):
    """A notebook with the dashboard's recommendations and a policy editor, run."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in SECURITY_TOUR]
    nbformat.write(notebook, course.root / "security-tour.ipynb")
    context = browser.new_context(viewport={"width": 1400, "height": 1600})
    opened = context.new_page()
    open_notebook(opened, course, "security-tour.ipynb")
    clear_and_run_all(opened)
    yield opened
    context.close()


def test_security_recommendations_turn_from_red_to_green(security_tour, screenshots) -> None:
    cell = security_tour.locator(f"{ACTIVE} .jp-CodeCell").nth(1)
    output = cell.locator(".jp-OutputArea")
    # Shown before the fixes ran: red, in words.
    output.locator(".labkit-recommendation.labkit-todo").first.wait_for(timeout=20_000)
    text = output.inner_text()
    assert "Action needed: Add MFA for root user" in text
    assert "Action needed: Set a password policy at least as strong as AWS's default" in text
    security_tour.screenshot(path=str(screenshots / "widget-security-status-red.png"))
    cell.get_by_role("button", name="Refresh").click()
    _wait_for_text(output, r"5 of 5 done")
    assert output.locator(".labkit-todo").count() == 0
    assert "Done: Root user has MFA" in output.inner_text()
    colour = output.locator(".labkit-recommendation.labkit-done b").first.evaluate(
        "element => getComputedStyle(element).color"
    )
    assert colour == "rgb(27, 94, 32)"  # green
    security_tour.screenshot(path=str(screenshots / "widget-security-status-green.png"))


def test_policy_editor_allow_to_deny_changes_the_decision(security_tour) -> None:
    cell = security_tour.locator(f"{ACTIVE} .jp-CodeCell").nth(3)
    output = cell.locator(".jp-OutputArea")
    output.locator(".labkit-allowed").wait_for(timeout=20_000)
    editor = cell.locator(".labkit-code textarea").first
    editor.fill(editor.input_value().replace('"Allow"', '"Deny"'))
    output.locator(".labkit-explicitDeny").wait_for(timeout=20_000)
    assert output.locator(".labkit-allowed").count() == 0
