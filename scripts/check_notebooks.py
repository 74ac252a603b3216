"""Check that course notebooks are saved the way the tests need them.

    python scripts/check_notebooks.py notebooks/*.ipynb

nbval compares every notebook's stored outputs, so a notebook must be saved
run top to bottom with its outputs kept, and without what differs on every
run and would only make noise in a diff: execution timings.
Prints one line per problem and exits 1 when there is any.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

# Metadata that records when and how long a cell ran: JupyterLab's "record
# timing" setting, the classic ExecuteTime extension, papermill.
TIMING_KEYS = ("execution", "ExecuteTime", "papermill")


def problems(path: Path) -> list[str]:
    try:
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        nbformat.validate(notebook)
    except Exception as error:  # any reading error is the finding
        return [f"not a valid notebook: {error}".splitlines()[0]]
    found = []
    if notebook.nbformat != 4:
        found.append(f"nbformat {notebook.nbformat}, not 4")
    if notebook.metadata.get("kernelspec", {}).get("name") != "python3":
        found.append("the kernel is not python3")
    if any(key in notebook.metadata for key in TIMING_KEYS):
        found.append("notebook metadata records execution timings")
    counts = []
    for number, cell in enumerate(notebook.cells, 1):
        if any(key in cell.metadata for key in TIMING_KEYS):
            found.append(f"cell {number}: metadata records execution timings")
        if cell.cell_type == "code" and cell.source.strip():
            if cell.execution_count is None:
                found.append(f"cell {number}: not run, or its outputs were cleared")
            else:
                counts.append(cell.execution_count)
    if counts != sorted(counts) or len(set(counts)) != len(counts):
        found.append("cells were not run top to bottom in one go")
    return found


def main(paths: list[str]) -> int:
    failed = False
    for path in paths:
        for problem in problems(Path(path)):
            print(f"{path}: {problem}")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
