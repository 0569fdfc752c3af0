"""Shared by the authoring tests: running the command line, the question examples of docs/authoring.md, and
editing a private bank's reference module between two runs of validate."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs" / "authoring.md"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def doc_examples() -> list[tuple[str, dict[str, Any]]]:
    """Every ```yaml block of docs/authoring.md: its text and what it parses to."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return [(block, yaml.safe_load(block)) for block in blocks]


def doc_bank(bank: Path) -> Path:
    """A private bank holding every example of the guide, each in its topic's folder."""
    from grader.bank.syllabus import topics

    for text, data in doc_examples():
        folder = bank / topics()[data["topic"]].folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{data['id']}.yaml").write_text(text, encoding="utf-8")
    return bank


def edit_reference(module: Path, old: str, new: str) -> None:
    """Changes a reference module as an author would between two runs of validate; each run is a new process,
    so here the imported module and its bytecode are dropped."""
    text = module.read_text(encoding="utf-8")
    assert old in text, old
    module.write_text(text.replace(old, new), encoding="utf-8")
    shutil.rmtree(module.parent / "__pycache__", ignore_errors=True)
    sys.modules.pop(f"reference.{module.stem}", None)


def line_of(path: Path, text: str, after: str = "") -> int:
    """The first line holding ``text`` (below the first line holding ``after``, if given)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines, 1) if i > start and text in line)
