"""`make lab` serves JupyterLab on the course, set up for learners."""

from __future__ import annotations

import pytest

from tests.jupyter_server import make_lab


@pytest.fixture(scope="module")
def server():
    with make_lab() as running:
        yield running


def test_make_lab_answers_on_its_port(server) -> None:
    status = server.get("/api/status")
    assert "started" in status


def test_the_course_notebooks_are_the_root_folder(server) -> None:
    names = {item["name"] for item in server.get("/api/contents")["content"]}
    assert "00-welcome.ipynb" in names


def test_no_news_and_no_update_check(server) -> None:
    settings = server.get("/lab/api/settings/@jupyterlab/apputils-extension:notification")
    # The course's overrides become the defaults a learner starts from.
    defaults = {
        name: spec.get("default") for name, spec in settings["schema"]["properties"].items()
    }
    assert defaults["fetchNews"] == "false"
    assert defaults["checkForUpdates"] is False
