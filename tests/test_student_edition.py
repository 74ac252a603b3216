"""The learner edition: solutions removed, every notebook still runs, and its
checks answer "not yet" instead of failing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from scripts.build_student import PROMPT, build, learner_cell

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_solution_cells_become_prompts() -> None:
    cell = nbformat.v4.new_code_cell(
        "iam.create_user(UserName='x')", metadata={"tags": ["solution"]}
    )
    cell.outputs = [nbformat.v4.new_output("stream", text="done")]
    assert learner_cell(cell).source == PROMPT
    assert learner_cell(cell).outputs == []


def test_code_after_a_solution_marker_is_removed() -> None:
    cell = nbformat.v4.new_code_cell("setup = 1\n# solution\nanswer = 2")
    assert learner_cell(cell).source == f"setup = 1\n{PROMPT}"


def test_other_cells_are_kept() -> None:
    cell = nbformat.v4.new_code_cell("lab = Lab()")
    assert learner_cell(cell) is cell


def test_every_notebook_with_an_exercise_has_a_solution_to_remove() -> None:
    for path in NOTEBOOKS:
        tags = [c.metadata.get("tags", []) for c in nbformat.read(path, as_version=4).cells]
        assert any("solution" in t for t in tags), path.name


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    """The learner edition, executed once, with its outputs stored."""
    target = tmp_path_factory.mktemp("student")
    for path in build(ROOT / "notebooks", target):
        notebook = nbformat.read(path, as_version=4)
        NotebookClient(
            notebook,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(target)}},
        ).execute()
        nbformat.write(notebook, path)
    return target


@pytest.mark.parametrize("name", [p.name for p in NOTEBOOKS])
def test_learner_checks_say_not_yet(student: Path, name: str) -> None:
    notebook = nbformat.read(student / name, as_version=4)
    texts = [
        str(output.get("text") or output.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]
    assert not [t for t in texts if "Traceback" in t]
    checks = [t for t in texts if ": not yet" in t or ": done" in t]
    assert checks and ": not yet" in checks[-1]


def test_learner_edition_passes_nbval(student: Path) -> None:
    result = subprocess.run(
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
            f"--nbval-sanitize-with={student / 'sanitize.cfg'}",
            str(student),
        ],
        cwd=student,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_the_learner_edition_starts_without_outputs(tmp_path: Path) -> None:
    for path in build(ROOT / "notebooks", tmp_path):
        notebook = nbformat.read(path, as_version=4)
        assert all(not cell.get("outputs") for cell in notebook.cells), path.name
