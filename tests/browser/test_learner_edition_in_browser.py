"""The learner edition in JupyterLab: a solution stays closed until clicked,
and Run All leaves every check at "not yet" without running a solution."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.build_student import SHOW, build
from tests.browser.jupyterlab import ACTIVE, clear_and_run_all, open_notebook, output_texts
from tests.jupyter_server import Server, make_lab

ROOT = Path(__file__).resolve().parents[2]
SOLUTION = 'iam.create_user(UserName="learner")["User"]["Arn"]'


@pytest.fixture(scope="module")
def learner_course(tmp_path_factory) -> Iterator[Server]:
    """JupyterLab on a freshly built learner edition."""
    target = tmp_path_factory.mktemp("learner")
    build(ROOT / "notebooks", target)
    with make_lab(target) as server:
        yield server


@pytest.fixture(scope="module")
def welcome(learner_course, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    open_notebook(opened, learner_course, "00-welcome.ipynb")
    yield opened
    context.close()


def test_a_solution_is_closed_until_clicked(welcome, screenshots) -> None:
    notebook = welcome.locator(ACTIVE)
    summary = notebook.locator("summary", has_text=SHOW).first
    summary.wait_for(timeout=20_000)
    code = notebook.locator("details", has_text=SHOW).first.locator("code")
    assert not code.is_visible()
    summary.click()
    code.wait_for(state="visible", timeout=10_000)
    assert SOLUTION in code.inner_text()
    welcome.screenshot(path=str(screenshots / "learner-show-the-solution.png"))


def test_run_all_leaves_every_check_at_not_yet(welcome) -> None:
    clear_and_run_all(welcome)
    texts = output_texts(welcome)
    assert not [t for t in texts if "Traceback" in t or "Error" in t]
    # Text content, not inner text: cells scrolled out of view are not drawn.
    checks = welcome.locator(f"{ACTIVE} .labkit-check").all_text_contents()
    assert len(checks) == 2
    assert all(t.startswith("Create your first IAM user: not yet") for t in checks)
    assert welcome.locator(f"{ACTIVE} .labkit-check-done").count() == 0
    shown = welcome.locator(f"{ACTIVE} .jp-OutputArea-output").all_text_contents()
    assert not [t for t in shown if "user/learner" in t]  # the solution never ran
