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
