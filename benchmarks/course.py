"""How long the course takes under nbval, against the floor of kernel start-ups.

Prints each notebook's run time (executed with nbclient), then the whole
course's nbval run against nbval over nine notebooks that each hold one
trivial cell: the cost of starting nine kernels, which no course can beat.

Run: python benchmarks/course.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def run_time(path: Path) -> float:
    """Seconds to execute one notebook top to bottom, kernel start included."""
    notebook = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return time.perf_counter() - start


def nbval_time(folder: Path) -> float:
    """Seconds for nbval (strict) over a folder of notebooks."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            f"--nbval-sanitize-with={ROOT / 'notebooks' / 'sanitize.cfg'}",
            str(folder),
        ],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    return time.perf_counter() - start


def empty_course(folder: Path) -> Path:
    """Nine notebooks with one trivial cell each, outputs stored."""
    for index in range(len(NOTEBOOKS)):
        notebook = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("1 + 1", execution_count=1)
        cell.outputs = [
            nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)
        ]
        notebook.cells = [cell]
        nbformat.write(notebook, folder / f"empty-{index}.ipynb")
    return folder


def main() -> None:
    """Print the figures."""
    for path in NOTEBOOKS:
        print(f"{path.stem:20} {run_time(path):5.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        floor = nbval_time(empty_course(Path(tmp)))
    course = nbval_time(ROOT / "notebooks")
    print(
        f"nbval, whole course: {course:.1f} s; nine empty notebooks: {floor:.1f} s; "
        f"ratio {course / floor:.2f} (aim under 3)"
    )


if __name__ == "__main__":
    main()
