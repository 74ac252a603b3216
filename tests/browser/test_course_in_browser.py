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


def test_the_mfa_chapters_phone_moment_accepts_a_real_phones_codes(page, course, screenshots):
    """07-mfa: after lab.clock.follow_real_time(), codes a phone computes from
    the real time enable the CTO's second device, as they would at AWS."""
    import re
    import time

    import pyotp

    open_notebook(page, course, "07-mfa.ipynb")
    clear_and_run_all(page)
    cell = page.locator(f"{ACTIVE} .jp-CodeCell", has_text='device_name="CTO-phone"')
    output = cell.locator(".jp-OutputArea")
    output.locator(".labkit-secret").wait_for(timeout=20_000)
    cell.scroll_into_view_if_needed()
    assert "follows real time" in (output.text_content() or "")
    totp = pyotp.TOTP((output.locator(".labkit-secret").text_content() or "").replace(" ", ""))
    now = time.time()
    fields = output.locator("input[type=text]")
    fields.nth(0).fill(totp.at(now - 30))
    fields.nth(1).fill(totp.at(now))
    cell.get_by_role("button", name="Enable MFA").click()
    enabled = output.locator(".labkit-success")
    enabled.wait_for(timeout=20_000)
    assert re.match(
        r"Enabled: MFA device arn:aws:iam::123456789012:mfa/CTO-phone", enabled.text_content() or ""
    )
    assert output.locator(".labkit-status").text_content() == "Status: enabled"
    page.screenshot(path=str(screenshots / "07-mfa-phone-moment.png"), full_page=True)
