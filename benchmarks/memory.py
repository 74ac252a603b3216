"""How much the kernel grows while a learner edits a large policy.

    .venv/bin/python benchmarks/memory.py

A ~180 KB identity policy is loaded into a ``PolicyEditor`` widget; then its
text is set 1,000 times as the front end would on each keystroke (the
Textarea's ``value``), every version one character different from the
policy. Prints:

(a) the growth of the process's resident memory (RSS, from /proc/self/statm)
    over those edits (aim: under 50 MB);
(b) the same loop over texts that go to no editor (the baseline: what the
    loop itself costs);
(c) what keeping every text once would cost: text size × edits;
(d) what the engine's caches hold at the end, in characters of text;
(e) a learner's kernel after the whole course: every notebook run in order in
    one kernel, as a learner working through the chapters would (aim: under
    250 MB), beside a kernel that has only imported the kit and opened a Lab.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
from collections.abc import Callable
from pathlib import Path

# Run from a checkout: import this tree's labkit, not an installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EDITS = 1_000
TARGET_CHARS = 180_000
MB = 1024 * 1024


def rss() -> int:
    """The process's resident memory, in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def big_policy(chars: int = TARGET_CHARS) -> str:
    """An identity policy of about ``chars`` characters, laid out as people write them."""
    rng = random.Random(4)
    statements = []
    while True:
        index = len(statements)
        statements.append(
            {
                "Sid": f"Grant{index}",
                "Effect": rng.choice(["Allow", "Deny"]),
                "Action": rng.sample(["s3:GetObject", "s3:PutObject", "s3:ListBucket"], 2),
                "Resource": [
                    f"arn:aws:s3:::team-{index}/*",
                    f"arn:aws:s3:::team-{index}",
                ],
                "Condition": {"StringEquals": {"aws:username": f"user{index}"}},
            }
        )
        text = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
        if len(text) >= chars:
            return text


def keystrokes(text: str, count: int = EDITS, seed: int = 1) -> list[str]:
    """``count`` versions of ``text``, each with one letter or digit of a
    value changed, as typing inside a string does."""
    rng = random.Random(seed)
    # Letters and digits inside values, not keys: the versions stay valid.
    places = [
        i
        for i in range(len(text))
        if text[i].isalnum() and text.rfind(":", 0, i) > text.rfind("\n", 0, i)
    ]
    versions = []
    for _ in range(count):
        at = rng.choice(places)
        new = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz0123456789" if c != text[at]])
        versions.append(text[:at] + new + text[at + 1 :])
    return versions


def growth(run: Callable[[str], None], versions: list[str]) -> int:
    """RSS growth in bytes while ``run`` takes each version in turn."""
    gc.collect()
    before = rss()
    for version in versions:
        run(version)
    gc.collect()
    return rss() - before


def cache_chars() -> dict[str, int]:
    """Characters of text the engine's bounded caches hold, by cache."""
    from labkit.policy import conditions, parse, variables

    caches = {
        "parse_tree": parse.parse_tree,
        "_parse_text": parse._parse_text,
        "_checked_statement": parse._checked_statement,
        "_parse_data": parse._parse_data,
        "conditions._compiled": conditions._compiled,
        "variables.split": variables.split,
    }
    return {name: cached.cache.chars // 2 for name, cached in caches.items()}


def main() -> None:
    """Print the figures."""
    from labkit.widgets import PolicyEditor

    text = big_policy()
    versions = keystrokes(text, EDITS)
    baseline = growth(lambda version: version.encode(), keystrokes(text, EDITS, seed=3))
    # Made before measuring: it loads AWS's action catalog, as the first lint does.
    editor = PolicyEditor(value=text)
    assert "Valid identity policy" in editor.validation.value, editor.validation.value

    def edit(version: str) -> None:
        editor.text.value = version  # what the front end sets on a keystroke

    grown = growth(edit, versions)
    assert editor.value == versions[-1]
    print(f"policy: {len(text):,} characters, {text.count('Sid'):,} statements; {EDITS:,} edits")
    print(f"(a) kernel growth over the edits:  {grown / MB:8.1f} MB  (aim < 50 MB)")
    print(f"(b) same loop without the editor:  {baseline / MB:8.1f} MB")
    print(f"(c) text size x edits:             {len(text) * EDITS / MB:8.1f} MB")
    held = cache_chars()
    print(f"(d) text held by the caches:       {sum(held.values()) / MB:8.1f} M characters")
    for name, chars in held.items():
        print(f"      {name:22} {chars / MB:6.2f} M")


def course_kernel() -> tuple[int, int]:
    """Resident memory (bytes) of a kernel after the whole course, and of one
    that only imported the kit and opened a Lab."""
    import nbformat
    from nbclient import NotebookClient

    notebooks = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
    source = (
        "import os\n"
        "print(int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE'))"
    )
    start = nbformat.v4.new_code_cell("import labkit\nfrom labkit import Lab\n_ = Lab()")
    cells = [start, nbformat.v4.new_code_cell(source)]
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            cell.pop("id", None)  # the course's cells, each with an id of its own here
            cells.append(cell)
    cells.append(nbformat.v4.new_code_cell(source))
    course = nbformat.v4.new_notebook(cells=cells)
    client = NotebookClient(
        course,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebooks[0].parent)}},
    )
    client.execute()
    printed = [
        int(output["text"])
        for cell in (course.cells[1], course.cells[-1])
        for output in cell.outputs
        if output.get("name") == "stdout"
    ]
    return printed[1], printed[0]


if __name__ == "__main__":
    main()
    after, opened = course_kernel()
    print(f"(e) kernel after the whole course: {after / MB:8.1f} MB  (aim < 250 MB)")
    print(f"    kernel with a Lab opened:      {opened / MB:8.1f} MB")
