"""The project's own files agree with each other."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from scripts import check_notebooks
from scripts.pins import canonical, environment_text, locked, pre_commit_text

ROOT = Path(__file__).resolve().parent.parent

# conda-forge names of the PyPI packages whose names differ there.
CONDA_NAMES = {"graphviz": "python-graphviz"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment() -> tuple[set[str], set[str]]:
    """The conda and pip package names environment.yml lists."""
    conda: set[str] = set()
    pip: set[str] = set()
    for item in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]:
        if isinstance(item, dict):
            pip |= {p if p.startswith("-e") else _name(p) for p in item["pip"]}
        else:
            conda.add(_name(item))
    return conda, pip


def _environment_pins() -> dict[str, str]:
    """environment.yml's pip pins: name -> exact version."""
    (pip,) = [
        item["pip"]
        for item in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
        if isinstance(item, dict)
    ]
    pins = {}
    for requirement in pip:
        if requirement.startswith("-e"):
            continue
        name, _, version = requirement.partition("==")
        assert version, f"environment.yml installs {requirement!r} unpinned"
        pins[canonical(name)] = version
    return pins


def _requirements() -> list[Requirement]:
    """pyproject.toml's runtime dependencies and its test extra."""
    project = _pyproject()["project"]
    return [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    ]


def test_environment_yml_names_every_runtime_dependency() -> None:
    conda, pip = _environment()
    for requirement in _pyproject()["project"]["dependencies"]:
        name = _name(requirement)
        assert CONDA_NAMES.get(name, name) in conda or name in pip, name


def test_environment_yml_takes_from_conda_only_python_and_the_dot_program() -> None:
    conda, _ = _environment()
    assert conda == {"python", "graphviz", "pip"}
    assert "python=3.11" in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]


def test_environment_yml_installs_the_kit_and_the_dot_program() -> None:
    conda, pip = _environment()
    assert "-e ." in pip
    assert "graphviz" in conda  # conda-forge's graphviz is the dot program
    assert "nbval" in pip  # so that conda users and Binder can run the notebooks' tests


def test_every_locked_requirement_is_pinned_with_hashes() -> None:
    text = (ROOT / "requirements-lock.txt").read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2].strip())
    assert len(entries) == len(locked()) > 0
    for entry in entries:
        assert re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+ \\$", entry.splitlines()[0]), entry
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_the_lock_holds_every_dependency_at_a_version_pyproject_allows() -> None:
    pins = locked()
    for requirement in _requirements():
        name = canonical(requirement.name)
        assert name in pins, f"{name} is not in requirements-lock.txt: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_conda_and_binder_pin_exactly_the_lock() -> None:
    assert _environment_pins() == locked()
    # and environment.yml is what `make lock` writes, comments and all
    assert (ROOT / "environment.yml").read_text() == environment_text(locked())


def test_pre_commit_hooks_run_the_locked_versions() -> None:
    text = (ROOT / ".pre-commit-config.yaml").read_text()
    assert text == pre_commit_text(text, locked())
    config = yaml.safe_load(text)
    ruff = [r for r in config["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    assert ruff and ruff[0]["rev"] == "v" + locked()["ruff"]


def test_pre_commit_keeps_notebook_outputs() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"] for repo in config["repos"] for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "notebooks-saved-for-nbval"} <= hooks
    assert not any("strip" in hook for hook in hooks)  # nbval needs the outputs


def test_make_installs_exactly_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "$(STAMP): $(LOCK) pyproject.toml" in makefile
    assert "install --require-hashes -r $(LOCK)" in makefile
    assert "install --no-deps -e ." in makefile


def test_the_notebooks_pass_ruff() -> None:
    # The rest of the code is linted by pre-commit; the notebooks by nothing else in CI.
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--quiet", "notebooks"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_the_notebooks_are_saved_run_with_their_outputs() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    assert {str(path): check_notebooks.problems(path) for path in notebooks} == {
        str(path): [] for path in notebooks
    }


def test_hosted_ci_runs_make_test_and_weekly_the_newest_releases() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request", "schedule"} <= set(triggers)
    runs = {
        name: [step.get("run", "") for step in job["steps"]]
        for name, job in workflow["jobs"].items()
    }
    commands = [
        line.strip() for steps in runs.values() for run in steps for line in run.splitlines()
    ]
    assert "make test" in commands
    assert "make test-latest" in commands


def test_moto_brings_the_services_the_course_uses() -> None:
    (moto,) = [r for r in _pyproject()["project"]["dependencies"] if r.startswith("moto")]
    for extra in ("iam", "sts", "dynamodb", "s3"):
        assert extra in moto


def test_the_kit_brings_the_aws_cli() -> None:
    assert "awscli" in {_name(r) for r in _pyproject()["project"]["dependencies"]}


@pytest.mark.parametrize(
    "tool", ["pytest", "nbval", "nbclient", "hypothesis", "playwright", "ruff", "uv"]
)
def test_the_test_extra_brings_what_the_tests_need(tool: str) -> None:
    assert tool in {_name(r) for r in _pyproject()["project"]["optional-dependencies"]["test"]}


def test_ci_runs_exactly_make_test() -> None:
    commands = [
        line
        for line in (ROOT / ".ci/run").read_text().splitlines()
        if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))
    ]
    assert commands == ["exec make test"]


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make lab" in first_block and "make test" in first_block


def test_every_notebook_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"`{notebook.stem}`" in readme, notebook.name


def test_binder_opens_the_course_at_the_welcome_notebook() -> None:
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\(https://mybinder\.org/v2/[^)]*\)", readme)
    assert badge and "urlpath=lab/tree/notebooks/00-welcome.ipynb" in badge.group()
    assert (ROOT / "notebooks" / "00-welcome.ipynb").exists()


def test_binder_post_build_applies_the_course_settings() -> None:
    post_build = (ROOT / "postBuild").read_text()
    assert "jupyter/overrides.json" in post_build
    assert (ROOT / "jupyter" / "overrides.json").exists()
    assert os.access(ROOT / "postBuild", os.X_OK)


def test_binder_builds_the_learner_edition_its_badge_opens() -> None:
    post_build = (ROOT / "postBuild").read_text()
    assert "scripts/build_student.py notebooks student" in post_build
    readme = (ROOT / "README.md").read_text()
    badges = re.findall(r"\(https://mybinder\.org/v2/[^)]*\)", readme)
    assert any("urlpath=lab/tree/student/00-welcome.ipynb" in badge for badge in badges)


def test_the_workshop_timings_are_the_notebooks_own() -> None:
    """Each notebook says how long it takes; the instructors' table says the same."""
    table = (ROOT / "docs" / "workshop.md").read_text()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        intro = "".join(json.loads(notebook.read_text())["cells"][0]["source"])
        said = re.search(r"(\d+)\s*min", intro)
        assert said, f"{notebook.name} does not say how long it takes"
        row = re.search(rf"^\| `{re.escape(notebook.stem)}` \|.*\| (\d+) min \|$", table, re.M)
        assert row, f"docs/workshop.md has no timing for {notebook.stem}"
        assert row.group(1) == said.group(1), notebook.name
