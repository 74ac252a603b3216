"""The lock, requirements-lock.txt, and the files whose pins follow from it.

    python scripts/pins.py derive            write environment.yml's pins and
                                             .pre-commit-config.yaml's versions
    python scripts/pins.py extraneous        name the installed packages the lock
                                             does not hold (to uninstall them)
    python scripts/pins.py drift             tell where the installed versions
                                             differ from the lock

Only the standard library: `derive` runs before a virtual environment exists,
and `extraneous` and `drift` run with the environment's own Python.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements-lock.txt"
ENVIRONMENT = ROOT / "environment.yml"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"

# Installed in every virtual environment, whatever the lock says.
KEPT = {"pip", "setuptools", "wheel", "iam-labkit"}

ENVIRONMENT_HEAD = """\
# For conda users and for Binder (repo2docker reads this file).
# The pip pins are written from requirements-lock.txt by `make lock` and
# `make upgrade` (scripts/pins.py): edit pyproject.toml, not them.
# tests/test_project.py checks that they match the lock.
# conda-forge's graphviz brings the `dot` program; the Python packages,
# the `graphviz` bindings among them, come from PyPI at the locked versions.
name: iam-labkit
channels:
  - conda-forge
dependencies:
  - python=3.11
  - graphviz
  - pip
  - pip:
"""


def canonical(name: str) -> str:
    """A distribution name as PyPI compares names."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path = LOCK) -> dict[str, str]:
    """The lock's pins: canonical name -> exact version."""
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", line)
        if match:
            pins[canonical(match[1])] = match[2]
    return pins


def environment_text(pins: dict[str, str]) -> str:
    lines = [f"      - {name}=={version}\n" for name, version in sorted(pins.items())]
    return ENVIRONMENT_HEAD + "".join(lines) + "      - -e .\n"


def pre_commit_text(text: str, pins: dict[str, str]) -> str:
    """The hooks at the locked versions: ruff's hook repository is
    tagged with ruff's version, the notebook check installs nbformat."""
    text = re.sub(
        r"(repo: https://github\.com/astral-sh/ruff-pre-commit\n\s+rev: )v[^\s]+",
        lambda m: m[1] + "v" + pins["ruff"],
        text,
    )
    return re.sub(r"nbformat==[^\s\]]+", "nbformat==" + pins["nbformat"], text)


def derive() -> None:
    pins = locked()
    ENVIRONMENT.write_text(environment_text(pins))
    PRE_COMMIT.write_text(pre_commit_text(PRE_COMMIT.read_text(), pins))


def installed() -> dict[str, str]:
    return {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}


def extraneous() -> None:
    pins = locked()
    for name in sorted(set(installed()) - set(pins) - KEPT):
        print(name)


def drift() -> None:
    pins, now = locked(), installed()
    changed = [
        f"  {name}: {pins.get(name, '-')} -> {now.get(name, '-')}"
        for name in sorted((set(pins) | set(now)) - KEPT)
        if pins.get(name) != now.get(name)
    ]
    if changed:
        print("The newest releases differ from requirements-lock.txt in:")
        print("\n".join(changed))
    else:
        print("The newest releases are the locked ones.")


if __name__ == "__main__":
    commands = {"derive": derive, "extraneous": extraneous, "drift": drift}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]]()
