"""Build the learner edition of the course from the solution notebooks.

    python scripts/build_student.py notebooks student

Cells tagged ``solution`` are replaced by an empty cell for the learner to
fill in; in other code cells, everything after a ``# solution`` line is
replaced by a prompt. All outputs are cleared, so that no check shows the
solution's "done" before the learner has run it. The learner edition is
generated, never edited by hand.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat

PROMPT = "# Your code here"


def learner_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner's version of one cell."""
    if cell.cell_type != "code":
        return cell
    if "solution" in cell.metadata.get("tags", []):
        return nbformat.v4.new_code_cell(PROMPT, metadata={"tags": ["exercise"]})
    lines = cell.source.splitlines()
    if "# solution" in (line.strip() for line in lines):
        cut = [line.strip() for line in lines].index("# solution")
        cell = nbformat.from_dict(dict(cell))
        cell.source = "\n".join([*lines[:cut], PROMPT])
        cell.outputs = []
        cell.execution_count = None
    return cell


def _without_outputs(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    return cell


def build(source: Path, target: Path) -> list[Path]:
    """Write the learner edition of every notebook in ``source`` to ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(source.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        notebook.cells = [_without_outputs(learner_cell(cell)) for cell in notebook.cells]
        notebook.metadata.pop("widgets", None)  # widget state of the solution run
        out = target / path.name
        nbformat.write(notebook, out)
        written.append(out)
    for extra in ("sanitize.cfg",):
        if (source / extra).exists():
            shutil.copy(source / extra, target / extra)
    return written


if __name__ == "__main__":
    src, dst = (Path(arg) for arg in sys.argv[1:3])
    for written in build(src, dst):
        print(written)
