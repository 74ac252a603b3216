"""Driving a notebook in JupyterLab the way a learner does: menus and clicks."""

from __future__ import annotations

import time

from playwright.sync_api import Page

from tests.jupyter_server import Server

BUSY = "[*]:"
# The notebook on show; JupyterLab may keep others open in hidden tabs.
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def open_notebook(page: Page, server: Server, name: str) -> None:
    """Open a notebook and wait for its kernel to be idle."""
    # "reset" starts from an empty workspace, not the tabs of the last visit.
    page.goto(f"{server.url}/lab/tree/{name}?reset&token={server.token}")
    page.wait_for_selector(f"{ACTIVE} .jp-Cell", timeout=60_000)
    wait_idle(page)


def wait_idle(page: Page, timeout: float = 180) -> None:
    """Wait until the kernel is idle and no cell is waiting to run.

    The status bar's "| Idle" is reliable where the toolbar's indicator is not.
    """
    deadline = time.monotonic() + timeout
    page.get_by_text("| Idle").wait_for(timeout=timeout * 1000)
    while time.monotonic() < deadline:
        prompts = page.locator(f"{ACTIVE} .jp-InputArea-prompt").all_inner_texts()
        if not any(BUSY in prompt for prompt in prompts) and page.get_by_text("| Idle").count():
            return
        time.sleep(0.25)
    raise TimeoutError("the notebook did not finish running")


def menu(page: Page, top: str, item: str) -> None:
    """Choose ``top`` → ``item`` from JupyterLab's menu bar."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def clear_and_run_all(page: Page) -> None:
    """Clear stale outputs first, so that only this run's outputs are judged."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    assert page.locator(f"{ACTIVE} .jp-OutputArea-output").count() == 0
    menu(page, "Run", "Run All Cells")
    time.sleep(0.5)
    wait_idle(page)
    time.sleep(1)  # let widget views and images finish rendering


def output_texts(page: Page) -> list[str]:
    """The text of every output on the page."""
    return page.locator(f"{ACTIVE} .jp-OutputArea-output").all_inner_texts()
