"""Build the learner edition of the course from the solution notebooks.

    python scripts/build_student.py notebooks student          # keeps a learner's work
    python scripts/build_student.py notebooks student --force  # a fresh copy of everything

In the learner edition, each solution is one deliberate click away, and
never runs by itself:

- a code cell tagged ``solution`` becomes an empty cell for the learner
  (``# Your code here``); in other code cells, everything after a
  ``# solution`` line is replaced by that prompt;
- right below it, a Markdown cell holds the solution's code in a closed
  ``<details>`` block, "Show the solution": a click opens it, and being
  Markdown it is never run, not even by Run All;
- all outputs are cleared, so that no check shows the solution's "done"
  before the learner has run it; a short note under the title says how
  the edition works.

The learner edition is generated, never edited by hand. Building again
updates each notebook the learner has not changed since it was built, and
keeps (and names) those they have worked in: ``--force`` overwrites them.
What was built is recorded in ``MANIFEST`` in the target folder.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import nbformat

PROMPT = "# Your code here"
MARKER = "# solution"
SOLUTION_TAG = "solution"
# The tags of the cells the build adds, so that tests and tools can find them.
HIDDEN_TAG = "solution-on-click"
NOTE_TAG = "learner-edition-note"
SHOW = "Show the solution"
NOTE = (
    "> **Learner edition.** The exercises are yours to do: each check answers *not yet*, "
    "with a hint, until you have done it. Stuck? Under each exercise, "
    f"**{SHOW}** opens the solution with one click; copy it into the cell above if you like."
)
MANIFEST = ".edition.json"
EXTRAS = ("sanitize.cfg",)


def solution_cell(code: str, cell_id: str | None = None) -> nbformat.NotebookNode:
    """A Markdown cell that shows ``code`` only when "Show the solution" is clicked."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    cell = nbformat.v4.new_markdown_cell(
        f"<details><summary>{SHOW}</summary>\n\n{fence}python\n{code.strip()}\n{fence}\n\n"
        "</details>",
        metadata={"tags": [HIDDEN_TAG]},
    )
    if cell_id:
        cell.id = f"{cell_id}-solution"
    return cell


def learner_cells(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The learner's version of one cell: the cell itself, or the learner's
    prompt followed by the solution behind a click."""
    if cell.cell_type != "code":
        return [cell]
    # The new cells' ids follow from the solution's, so that a build is the
    # same every time.
    cell_id = cell.get("id")
    if SOLUTION_TAG in cell.metadata.get("tags", []):
        prompt = nbformat.v4.new_code_cell(PROMPT, metadata={"tags": ["exercise"]})
        if cell_id:
            prompt.id = cell_id
        return [prompt, solution_cell(cell.source, cell_id)]
    lines = cell.source.splitlines()
    stripped = [line.strip() for line in lines]
    if MARKER not in stripped:
        return [cell]
    cut = stripped.index(MARKER)
    kept = nbformat.from_dict(dict(cell))
    kept.source = "\n".join([*lines[:cut], PROMPT])
    kept.outputs = []
    kept.execution_count = None
    return [kept, solution_cell("\n".join(lines[cut + 1 :]), cell_id)]


def learner_cell(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner's code cell for ``cell`` (without the hidden solution)."""
    return learner_cells(cell)[0]


def _without_outputs(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    return cell


def learner_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The learner edition of a whole notebook."""
    cells = [_without_outputs(new) for cell in notebook.cells for new in learner_cells(cell)]
    if any(HIDDEN_TAG in cell.metadata.get("tags", []) for cell in cells):
        at = 1 if cells and cells[0].cell_type == "markdown" else 0
        note = nbformat.v4.new_markdown_cell(NOTE, metadata={"tags": [NOTE_TAG]})
        note.id = NOTE_TAG
        cells.insert(at, note)
    notebook.cells = cells
    notebook.metadata.pop("widgets", None)  # widget state of the solution run
    return notebook


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_manifest(target: Path) -> dict[str, str]:
    try:
        recorded = json.loads((target / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in recorded.get("notebooks", {}).items() if isinstance(v, str)}


def build(
    source: Path, target: Path, *, force: bool = False, kept: list[Path] | None = None
) -> list[Path]:
    """Write the learner edition of every notebook in ``source`` to ``target``.

    A notebook in ``target`` that changed since it was built (the learner's
    work) is left as it is and added to ``kept``, unless ``force``. Returns
    the notebooks written.
    """
    target.mkdir(parents=True, exist_ok=True)
    recorded = _read_manifest(target)
    written = []
    for path in sorted(source.glob("*.ipynb")):
        text = nbformat.writes(learner_notebook(nbformat.read(path, as_version=4))) + "\n"
        out = target / path.name
        if out.exists() and not force:
            current = _digest(out.read_text(encoding="utf-8"))
            if current == _digest(text):
                recorded[path.name] = current
                continue
            if current != recorded.get(path.name):  # changed by the learner
                if kept is not None:
                    kept.append(out)
                continue
        out.write_text(text, encoding="utf-8")
        recorded[path.name] = _digest(text)
        written.append(out)
    for extra in EXTRAS:
        if (source / extra).exists():
            shutil.copy(source / extra, target / extra)
    manifest = {"built from": str(source), "notebooks": dict(sorted(recorded.items()))}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return written


def main(arguments: Iterable[str]) -> int:
    """``build_student.py SOURCE TARGET [--force]``: build and say what changed."""
    arguments = list(arguments)
    force = "--force" in arguments
    folders = [a for a in arguments if a != "--force"]
    if len(folders) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    source, target = (Path(folder) for folder in folders)
    if not source.is_dir():
        print(f"{source} is not a folder of notebooks.", file=sys.stderr)
        return 2
    kept: list[Path] = []
    written = build(source, target, force=force, kept=kept)
    for path in written:
        print(f"wrote {path}")
    if not written and not kept:
        print(f"The learner edition in {target} is up to date.")
    for path in kept:
        print(
            f"kept {path}: it has your work in it. For a fresh copy, rename or delete it "
            "and build again."
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
