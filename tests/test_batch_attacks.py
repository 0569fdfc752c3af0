"""Hostile submissions mixed into a class and graded through grade-batch: each stays in its own row, the
reports are always written and complete, and nothing a submission controls reaches a report or a
terminal raw."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from grader.bank.loader import load_bank
from grader.instructor.batch import grade_batch
from grader.instructor.batch_reports import write_reports
from grader.sandbox.sandbox import SandboxPool

BANK = load_bank()
RELU_RIGHT = "import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n"
# Terminal sequences a learner can put in an exception message or its output: set the clipboard (OSC 52),
# clear the screen, move the cursor home and overwrite a line with \r.
SEQUENCES = "\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[2J\x1b[H\rOK all passed\x9b31m\u202egnp.exe"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(workers=2) as p:
        yield p


def _raw_in(value: object) -> list[str]:
    """Every string in ``value`` (JSON-like) that holds a raw control character."""
    if isinstance(value, str):
        return [value] if RAW.search(value) else []
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _raw_in(k) + _raw_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in _raw_in(v)]
    return []


def _control_class(root: Path) -> Path:
    folder = root / "class"
    write(folder / "alice" / "relu_function.py", RELU_RIGHT)
    # the message of a public case is shown in full, so the sequences reach the case message and the row's
    write(folder / "mallory" / "relu_function.py", f"import numpy as np\ndef relu(x):\n    print({SEQUENCES!r})\n    raise ValueError({SEQUENCES!r})\n")
    write(folder / "mallory" / "softmax_function.py", f"raise RuntimeError({SEQUENCES!r})\n")  # fails while loading
    write(folder / f"eve{SEQUENCES[:9]}" / "relu_function.py", RELU_RIGHT)  # a folder name is learner text too
    write(root / "answers.csv", f'student,question,answer\nmallory,conv_output_size,"{SEQUENCES}"\n')
    return folder


def test_control_characters_from_submissions_reach_no_report_raw(tmp_path, pool) -> None:
    folder = _control_class(tmp_path)
    report = grade_batch(BANK, folder, answers=tmp_path / "answers.csv", jobs=2, pool=pool)
    out = tmp_path / "out"
    write_reports(report, out)
    rows = {(r.student, r.question): r for r in report.rows}
    assert rows["alice", "relu_function"].verdict == "pass"
    assert rows["mallory", "relu_function"].verdict == "fail"
    assert rows["mallory", "softmax_function"].verdict == "error"
    for name in ("results.csv", "cases.csv", "students.csv"):
        text = (out / name).read_text(encoding="utf-8")
        assert not RAW.search(text), (name, RAW.findall(text))
        with open(out / name, encoding="utf-8", newline="") as f:
            list(csv.reader(f))  # still well-formed CSV
    results = (out / "results.csv").read_text(encoding="utf-8")
    assert "\\x1b]52;c;" in results  # escaped visibly, not dropped: the instructor sees what was attempted
    assert not _raw_in(json.loads((out / "report.json").read_text(encoding="utf-8")))
    for path in (out / "gradescope").glob("*/results.json"):
        assert not _raw_in(json.loads(path.read_text(encoding="utf-8"))), path
        assert not RAW.search(path.parent.name)


def test_control_characters_reach_no_terminal_through_the_cli(tmp_path) -> None:
    folder = _control_class(tmp_path)
    result = CliRunner().invoke(main, ["grade-batch", str(folder), "--answers", str(tmp_path / "answers.csv"), "--out", str(tmp_path / "out"),
                                       "--jobs", "2"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output), RAW.findall(result.output)
    as_json = CliRunner().invoke(main, ["grade-batch", str(folder), "--out", str(tmp_path / "out2"), "--jobs", "2", "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert not RAW.search(as_json.output)
