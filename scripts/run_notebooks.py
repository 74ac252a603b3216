"""Run course notebooks top to bottom and store their outputs for nbval.

    python scripts/run_notebooks.py notebooks/03-policies.ipynb ...
    python scripts/run_notebooks.py            # every notebook of the course

Each notebook runs in a fresh kernel from its own folder; widget state is
stored so a notebook opened before running shows its widgets; execution
timings are left out, so a re-run changes only what the course shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

COURSE = Path(__file__).resolve().parents[1] / "notebooks"


def run(path: Path) -> None:
    """Execute ``path`` in place."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)


def main(arguments: list[str]) -> int:
    paths = [Path(a) for a in arguments] or sorted(COURSE.glob("*.ipynb"))
    for path in paths:
        print(f"running {path}", flush=True)
        run(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
