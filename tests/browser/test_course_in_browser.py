"""Every notebook runs in JupyterLab in a real browser, widgets and diagrams included."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import NOTEBOOKS
from tests.browser.jupyterlab import ACTIVE, clear_and_run_all, open_notebook, output_texts


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(page, course, screenshots, notebook: Path) -> None:
    open_notebook(page, course, notebook.name)
    clear_and_run_all(page)
    page.screenshot(path=str(screenshots / f"{notebook.stem}.png"), full_page=True)

    texts = output_texts(page)
    assert texts, "Run All produced no output"
    assert not [t for t in texts if "Traceback" in t], "a cell raised"
    shown = page.locator(ACTIVE).inner_text()
    assert "Error displaying widget" not in shown
    assert "Loading widget" not in shown
    if "graphviz" in notebook.read_text() or "diagrams." in notebook.read_text():
        assert page.locator(f"{ACTIVE} .jp-RenderedSVG, {ACTIVE} .jp-RenderedImage img").count() > 0
