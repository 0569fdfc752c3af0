"""The Gradescope autograder: `gradescope build` writes a zip that Gradescope accepts, and its run_autograder
grades an uploaded submission in the sandbox and writes results.json as the Gradescope specification says.

/autograder is not writable here, so the run is redirected with ESHIKAKU_AUTOGRADER_ROOT (which the script
honours), and it runs the zip's own copy of eshikaku (PYTHONPATH) with this environment's Python."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from authoring_helpers import doc_bank, run

IDS = ["my_relu_forward_function", "my_relu_output_choice", "my_sigmoid_slope_peak", "my_conv_padded_width_param", "my_double"]
DOUBLE = """\
id: my_double
type: code_function
topic: "3-1"
difficulty: 1
title: 2 倍
prompt: 入力を 2 倍して返す関数 `double(x)` を書け。
entry: double
reference: reference.MODULE:double
template: |
  def double(x):
      ...
cases:
  - name: example
    hidden: false
    let:
      x: {array: [1.0, 2.0]}
    args: [{ref: x}]
  - name: random
    let:
      x: {random: normal, shape: [4]}
    args: [{ref: x}]
hints: [掛け算でよい。]
explanation: 2 * x を返す。
"""
RIGHT_RELU = """\
import numpy as np

def relu(x):
    return np.maximum(x, 0).astype(x.dtype)
"""


@pytest.fixture(scope="module")
def bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The authoring guide's questions as an instructor's own bank, and one question with a reference of the bank's own."""
    bank = doc_bank(tmp_path_factory.mktemp("course") / "bank")
    module = "course_" + hashlib.sha256(str(bank).encode()).hexdigest()[:8]
    (bank / "reference").mkdir()
    (bank / "reference" / f"{module}.py").write_text("def double(x):\n    return 2 * x\n", encoding="utf-8")
    (bank / "03-1_forward" / "my_double.yaml").write_text(DOUBLE.replace("MODULE", module), encoding="utf-8")
    return bank


@pytest.fixture(scope="module")
def autograder(bank: Path) -> Path:
    out = bank.parent / "build" / "autograder.zip"
    code, output = run("--bank", str(bank), "--bank-only", "gradescope", "build", *IDS, "--out", str(out), "--title", "課題 1")
    assert code == 0, output
    return out


def unpack(zip_path: Path, root: Path) -> Path:
    """Lays the zip out as Gradescope does: /autograder/source holds its contents."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    for name, mode in modes.items():
        os.chmod(root / "source" / name, mode & 0o777)
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESHIKAKU_AUTOGRADER_ROOT": str(root), "ESHIKAKU_AUTOGRADER_PYTHON": sys.executable,
           "PYTHONPATH": str(root / "source" / "eshikaku")}  # fmt: skip
    return subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True, timeout=300, cwd=root)


def test_the_zip_has_setup_run_autograder_the_package_and_only_the_chosen_questions(autograder: Path) -> None:
    with zipfile.ZipFile(autograder) as archive:
        names = set(archive.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
        assignment = json.loads(archive.read("assignment.json"))
        setup = archive.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "assignment.json", "eshikaku/pyproject.toml", "eshikaku/cli.py", "eshikaku/grader/bank/editions/2026.yaml"} <= names
    assert any(n.startswith("eshikaku/reference/") for n in names)
    assert any(n.startswith("bank/reference/course_") for n in names)  # the bank's own reference goes along
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("bank/") and n.endswith(".yaml")) == sorted(f"{q}.yaml" for q in IDS)
    assert [q["id"] for q in assignment["questions"]] == IDS and assignment["seed"] == 1
    assert "pip install" in setup and "/autograder/source/eshikaku" in setup
    handout = autograder.with_name("autograder-handout.md").read_text(encoding="utf-8")
    assert "`my_relu_forward_function.py` をアップロードする" in handout and "answers.txt に `my_relu_output_choice: 答え`" in handout


def test_run_autograder_grades_a_submission_and_writes_results_json(bank: Path, autograder: Path, tmp_path: Path) -> None:
    from grader.bank.loader import load_bank
    from grader.bank.params import attempt

    root = unpack(autograder, tmp_path)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"id": 4242, "name": "佐藤", "email": "s@example.com"}]}), encoding="utf-8")
    nested = root / "submission" / "hw1"  # an upload from GitHub or a zip keeps its folders
    nested.mkdir()
    (nested / "my_relu_forward_function.py").write_text(RIGHT_RELU, encoding="utf-8")
    (root / "submission" / "my_double.py").write_text("def double(x):\n    return x + x\n", encoding="utf-8")
    width = attempt(load_bank([bank]).questions["my_conv_padded_width_param"], 1).answer  # the numbers of the handout's seed
    answers = f"# 課題 1\nmy_relu_output_choice: 1\nmy_sigmoid_slope_peak: 0.5\nmy_conv_padded_width_param: {width}\nmystery: 3\n"
    (root / "submission" / "answers.txt").write_text(answers, encoding="utf-8")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr + done.stdout
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["max_score"] == 5.0 and results["score"] == pytest.approx(4.0)
    tests = {t["name"]: t for t in results["tests"]}
    assert tests["my_relu_output_choice"]["status"] == "passed" and tests["my_conv_padded_width_param"]["status"] == "passed"
    wrong = tests["my_sigmoid_slope_peak"]
    assert wrong["status"] == "failed" and wrong["score"] == 0.0 and "$\\sigma(0) = 0.5$ をそのまま答えている" in wrong["output"]
    relu = [t for name, t in tests.items() if name.startswith("my_relu_forward_function: ")]
    assert len(relu) == 5 and all(t["status"] == "passed" for t in relu)  # example, random_matrix ×3, float32_input
    hidden = [t for t in relu if "(hidden)" in t["name"]]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    assert all(t["status"] == "passed" for name, t in tests.items() if name.startswith("my_double: "))
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert "answers.txt:5: mystery is not a question of this assignment" in results["output"]
    assert results["stdout_visibility"] == "hidden" and "sandbox layers" in done.stdout


def test_a_missing_and_a_hostile_submission_still_get_results(autograder: Path, tmp_path: Path) -> None:
    root = unpack(autograder, tmp_path)
    (root / "submission" / "my_relu_forward_function.py").write_text("import os\nwhile True:\n    os.getpid()\n", encoding="utf-8")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0.0 and results["max_score"] == 5.0
    assert "my_relu_output_choice: not handed in" in results["output"]
    relu = next(t for t in results["tests"] if t["name"].startswith("my_relu_forward_function"))
    assert relu["status"] == "failed" and "時間" in relu["output"]


def test_a_broken_autograder_tells_the_student_it_is_not_their_fault(autograder: Path, tmp_path: Path) -> None:
    root = unpack(autograder, tmp_path)
    (root / "source" / "assignment.json").write_text("{not json", encoding="utf-8")
    done = run_autograder(root)
    assert done.returncode == 3
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0.0 and "not your fault" in results["output"]


def test_build_refuses_unknown_ids_and_questions_that_do_not_validate(bank: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.zip"
    code, output = run("--bank", str(bank), "--bank-only", "gradescope", "build", "my_relu_output_choice", "no_such_question", "--out", str(out))
    assert code == 2 and "no question with id no_such_question" in output
    broken = doc_bank(tmp_path / "broken")
    path = next(broken.glob("*/my_sigmoid_slope_peak.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("answer: 0.25", "answer: 0.5"), encoding="utf-8")
    code, output = run("--bank", str(broken), "--bank-only", "gradescope", "build", "my_sigmoid_slope_peak", "--out", str(out))
    assert code == 2 and "do not validate" in output and "my_sigmoid_slope_peak.yaml:" in output and "is the answer key right?" in output
    assert not out.exists()
