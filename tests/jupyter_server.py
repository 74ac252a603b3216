"""Start `make lab` on a free port for a test, and stop it afterwards."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A running JupyterLab: its base URL and token."""

    def __init__(self, url: str, token: str, root: Path) -> None:
        self.url = url
        self.token = token
        self.root = root

    def get(self, path: str) -> dict:
        """GET a JSON API path with the token."""
        request = urllib.request.Request(
            self.url + path, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)


@contextmanager
def make_lab(notebooks: Path | None = None, timeout: float = 90) -> Iterator[Server]:
    """Run `make lab` as a learner would, on a free port with a known token.

    ``notebooks`` serves another folder than the course's (a copy, say, that
    a browser may change freely).
    """
    port = free_port()
    token = "labkit-test-" + os.urandom(8).hex()
    log = open(ROOT / ".venv" / f"make-lab-{port}.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            "make",
            "--no-print-directory",
            "lab",
            f"PORT={port}",
            f"LAB_ARGS=--IdentityProvider.token={token}",
            *([f"NOTEBOOKS={notebooks}"] if notebooks else []),
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        env={k: v for k, v in os.environ.items() if k != "DISPLAY"},
    )
    server = Server(f"http://127.0.0.1:{port}", token, notebooks or ROOT / "notebooks")
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"make lab exited with {process.returncode}: {log.name}")
            try:
                server.get("/api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"JupyterLab did not answer; see {log.name}") from None
                time.sleep(0.5)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
