"""Every notebook runs with no network at all, and runs twice in one kernel.

The kernel's first cell makes every socket connection fail loudly and puts
real-looking credentials in the environment that must never sign a request;
then the notebook runs top to bottom, twice, as a learner's "Run All" twice
would. Any cell that tried to reach the network (AWS, or anything else),
signed with the environment's credentials, or failed on the second run,
would raise.
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))

BLOCK_NETWORK = """
import socket

class NetworkBlocked(OSError):
    pass

def _refuse(*args, **kwargs):
    raise NetworkBlocked(f"network access attempted: {args[1:] or kwargs}")

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.create_connection = _refuse

import os
import botocore.auth

os.environ.update(
    AWS_ACCESS_KEY_ID="AKIAQDECOYDECOYDECOY",
    AWS_SECRET_ACCESS_KEY="d3c0y/SecretThatMustNeverSignAnything+XYZ",
    AWS_SESSION_TOKEN="IQoJb3JpZ2luX2VjEDECOY",
)
_sign = botocore.auth.SigV4Auth.add_auth

def _never_the_decoy(self, request):
    if self.credentials is not None and "DECOY" in self.credentials.access_key:
        raise NetworkBlocked("a request was signed with the environment's credentials")
    return _sign(self, request)

botocore.auth.SigV4Auth.add_auth = _never_the_decoy
"""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_twice_without_network(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    twice = [copy.deepcopy(cell) for cell in notebook.cells]
    for cell in twice:
        cell.pop("id", None)
    notebook.cells = [nbformat.v4.new_code_cell(BLOCK_NETWORK), *notebook.cells, *twice]
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises CellExecutionError on any error, network included
    # Cells tagged raises-exception may show an error, but never this one.
    blocked = [
        output
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "NetworkBlocked" in str(output)
    ]
    assert blocked == []
