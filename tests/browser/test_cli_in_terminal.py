"""02-users, "From JupyterLab's terminal": the AWS CLI in JupyterLab's own
terminal reaches the kernel's Lab through ``lab.serve()``, signed with a key
the Lab issued, and is answered, enforced and recorded as in the notebook.

The terminal is driven as a learner drives it, by typing the notebook's
commands; what they print goes to files, since a terminal draws its text on a
canvas that a test cannot read. AWS CLI return codes: 0 success, 255 a failed
command (https://docs.aws.amazon.com/cli/v1/userguide/cli-usage-returncodes.html).
A wrong secret gets SignatureDoesNotMatch, "The request signature we calculated
does not match the signature you provided"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/signature-v4-troubleshooting.html).
"""

from __future__ import annotations

import json
import shlex
import sys
import time
from pathlib import Path

import nbformat
from playwright.sync_api import Page

from tests.browser.jupyterlab import menu, open_notebook, output_texts, wait_idle
from tests.jupyter_server import Server

NOTEBOOK = "cli-in-terminal.ipynb"
# The kit's own CLI: a terminal's login shell may put another `aws` first on its PATH.
AWS = str(Path(sys.executable).with_name("aws"))

# The kernel's side: the 02-users state, the support user's key, the endpoint.
# The second cell waits for the terminal, then shows the support user's trail.
SETUP = """\
import json
import pathlib
import time

from labkit import Lab

lab = Lab(seed=2)
lab.load("groups")
iam = lab.client("iam")
iam.create_user(UserName="support")
iam.add_user_to_group(GroupName="Business-Analysts", UserName="support")
key = iam.create_access_key(UserName="support")["AccessKey"]
server = lab.serve()
pathlib.Path("endpoint.json").write_text(json.dumps(
    {"url": server.url, "id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))
"""
WAIT_THEN_TRAIL = """\
deadline = time.monotonic() + 50
while not pathlib.Path("terminal-done").exists() and time.monotonic() < deadline:
    time.sleep(0.2)
for event in lab.trail.filter(principal="support"):
    print("TRAIL", event.action, event.decision, event.error_code or "OK")
server.stop()
"""


def wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path.name} did not appear")
        time.sleep(0.2)


def type_line(page: Page, line: str) -> None:
    page.locator(".jp-Terminal .xterm").first.click()
    page.keyboard.type(line)
    page.keyboard.press("Enter")


def test_the_cli_in_jupyterlabs_terminal_calls_the_lab(browser, course: Server) -> None:
    root = course.root
    for leftover in ("endpoint.json", "terminal-ready", "terminal-done", "forged.txt"):
        (root / leftover).unlink(missing_ok=True)
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(SETUP), nbformat.v4.new_code_cell(WAIT_THEN_TRAIL)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, root / NOTEBOOK)

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        open_notebook(page, course, NOTEBOOK)
        menu(page, "Run", "Run All Cells")  # the second cell waits for the terminal
        wait_for(root / "endpoint.json", timeout=60)
        endpoint = json.loads((root / "endpoint.json").read_text())

        # File → New → Terminal, as the notebook tells a learner.
        page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
        page.locator(".lm-Menu-itemLabel").get_by_text("New", exact=True).click()
        page.get_by_role("menuitem", name="Terminal", exact=True).click()
        page.locator(".jp-Terminal .xterm").first.wait_for(timeout=30_000)
        here = shlex.quote(str(root))
        # Keys typed before the shell listens may be lost: try until it answers.
        for _ in range(10):
            type_line(page, f"cd {here} && touch terminal-ready")
            try:
                wait_for(root / "terminal-ready", timeout=3)
                break
            except TimeoutError:
                continue
        else:
            raise TimeoutError("the terminal never ran a command")
        # The CLI's files in the test's folder, not the machine's ~/.aws.
        type_line(
            page,
            "export AWS_CONFIG_FILE=$PWD/aws-config AWS_SHARED_CREDENTIALS_FILE=$PWD/aws-keys",
        )
        for setting, value in (
            ("aws_access_key_id", endpoint["id"]),
            ("aws_secret_access_key", endpoint["secret"]),
            ("region", "us-east-1"),
        ):
            type_line(page, f"{AWS} configure set {setting} {value} --profile support")
        cli = f"{AWS} --endpoint-url {endpoint['url']} --profile support"
        type_line(
            page,
            f"{cli} dynamodb list-tables --output text > allowed.txt 2>&1; echo $? >> allowed.txt",
        )
        type_line(page, f"{cli} iam list-users > refused.txt 2>&1; echo $? >> refused.txt")
        # The right key id with a wrong secret: the signature does not match. (The
        # terminal inherits the test's decoy session token: it must not go along.)
        forged = (
            f"env -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID={endpoint['id']} "
            f"AWS_SECRET_ACCESS_KEY={'x' * 40} "
            f"AWS_DEFAULT_REGION=us-east-1 {AWS} --endpoint-url {endpoint['url']}"
        )
        type_line(
            page, f"{forged} sts get-caller-identity > forged.txt 2>&1; echo $? >> forged.txt"
        )
        type_line(page, "touch terminal-done")
        wait_for(root / "terminal-done", timeout=60)

        allowed = (root / "allowed.txt").read_text().split()
        assert allowed == ["TABLENAMES", "orders", "0"]
        refused = (root / "refused.txt").read_text().strip().splitlines()
        assert refused[-1] == "255"
        assert refused[-2] == (
            "An error occurred (AccessDenied) when calling the ListUsers operation: User: "
            "arn:aws:iam::123456789012:user/support is not authorized to perform: iam:ListUsers "
            "on resource: arn:aws:iam::123456789012:user/ because no identity-based policy "
            "allows the iam:ListUsers action"
        )
        forged_answer = (root / "forged.txt").read_text().strip().splitlines()
        assert forged_answer[-1] == "255"
        assert forged_answer[-2] == (
            "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity "
            "operation: The request signature we calculated does not match the signature you "
            "provided. Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details."
        )

        page.locator(".lm-TabBar-tab", has_text=NOTEBOOK).first.click()  # back to the notebook
        wait_idle(page, timeout=60)
        shown = "\n".join(output_texts(page))
        trail = [line.split()[1:] for line in shown.splitlines() if line.startswith("TRAIL ")]
        # The forged call names no one the Lab knows: it is not the support user's.
        assert trail == [
            ["dynamodb:ListTables", "allowed", "OK"],
            ["iam:ListUsers", "implicitDeny", "AccessDenied"],
        ]
    finally:
        context.close()
        (root / NOTEBOOK).unlink(missing_ok=True)
