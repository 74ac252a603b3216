"""The project's own files agree with each other."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
import yaml

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


def test_environment_yml_names_every_runtime_dependency() -> None:
    conda, pip = _environment()
    for requirement in _pyproject()["project"]["dependencies"]:
        name = _name(requirement)
        assert CONDA_NAMES.get(name, name) in conda or name in pip, name


def test_environment_yml_names_nothing_pyproject_lacks() -> None:
    conda, pip = _environment()
    runtime = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    known = runtime | {CONDA_NAMES.get(n, n) for n in runtime} | {"python", "pip", "graphviz"}
    assert conda - known == set()
    assert {p for p in pip if not p.startswith("-e")} - runtime == set()


def test_environment_yml_installs_the_kit_and_the_dot_program() -> None:
    conda, pip = _environment()
    assert "-e ." in pip
    assert "graphviz" in conda  # conda-forge's graphviz is the dot program


def test_moto_brings_the_services_the_course_uses() -> None:
    (moto,) = [r for r in _pyproject()["project"]["dependencies"] if r.startswith("moto")]
    for extra in ("iam", "sts", "dynamodb", "s3"):
        assert extra in moto


@pytest.mark.parametrize(
    "tool", ["pytest", "nbval", "nbclient", "hypothesis", "playwright", "ruff"]
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
