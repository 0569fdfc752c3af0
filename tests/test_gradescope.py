"""The Gradescope autograder: `gradescope build` writes a zip that Gradescope accepts, and its run_autograder
grades an uploaded submission in the sandbox and writes results.json as the Gradescope specification says.

/autograder is not writable here, so the run is redirected with ESHIKAKU_AUTOGRADER_ROOT (which the script
honours), and it runs the zip's own copy of eshikaku (PYTHONPATH) with this environment's Python."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

IDS = ["softmax_function", "sigmoid_derivative_max", "conv_output_size", "conv_output_size_param"]
RIGHT_SOFTMAX = """\
import numpy as np

def softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)
"""


@pytest.fixture(scope="module")
def autograder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "autograder.zip"
    result = CliRunner().invoke(main, ["gradescope", "build", *IDS, "--out", str(out), "--title", "課題 1"])
    assert result.exit_code == 0, result.output
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
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR
    assert sorted(n.rsplit("/", 1)[1] for n in names if n.startswith("bank/")) == sorted(f"{q}.yaml" for q in IDS)
    assert [q["id"] for q in assignment["questions"]] == IDS and assignment["seed"] == 1
    assert "pip install" in setup and "/autograder/source/eshikaku" in setup
    handout = autograder.with_name("autograder-handout.md").read_text(encoding="utf-8")
    assert "`softmax_function.py` をアップロードする" in handout and "answers.txt に `sigmoid_derivative_max: 答え`" in handout


def test_run_autograder_grades_a_submission_and_writes_results_json(autograder: Path, tmp_path: Path) -> None:
    from grader.bank.loader import load_bank
    from grader.bank.params import attempt

    root = unpack(autograder, tmp_path)
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"id": 4242, "name": "佐藤", "email": "s@example.com"}]}), encoding="utf-8")
    nested = root / "submission" / "hw1"  # an upload from GitHub or a zip keeps its folders
    nested.mkdir()
    (nested / "softmax_function.py").write_text(RIGHT_SOFTMAX, encoding="utf-8")
    param = attempt(load_bank().questions["conv_output_size_param"], 1)
    answers = f"# 課題 1\nsigmoid_derivative_max: 2\nconv_output_size: 6x6\nconv_output_size_param: {param.answer[0]}x{param.answer[1]}\nmystery: 3\n"
    (root / "submission" / "answers.txt").write_text(answers, encoding="utf-8")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr + done.stdout
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["max_score"] == 4.0 and results["score"] == pytest.approx(3.0)
    tests = {t["name"]: t for t in results["tests"]}
    assert tests["sigmoid_derivative_max"]["status"] == "passed"
    assert tests["conv_output_size"]["status"] == "failed" and tests["conv_output_size"]["score"] == 0.0
    assert tests["conv_output_size_param"]["status"] == "passed"  # the numbers of the handout's seed
    softmax = [t for name, t in tests.items() if name.startswith("softmax_function: ")]
    assert softmax and all(t["status"] == "passed" for t in softmax)
    hidden = [t for t in softmax if "(hidden)" in t["name"]]
    assert hidden and all(t["visibility"] == "after_published" for t in hidden)
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        assert test["status"] in ("passed", "failed") and test["visibility"] in ("hidden", "after_due_date", "after_published", "visible")
    assert "answers.txt:5: mystery is not a question of this assignment" in results["output"]
    assert results["stdout_visibility"] == "hidden" and "sandbox layers" in done.stdout


def test_a_missing_and_a_hostile_submission_still_get_results(autograder: Path, tmp_path: Path) -> None:
    root = unpack(autograder, tmp_path)
    (root / "submission" / "softmax_function.py").write_text("import os\nwhile True:\n    os.getpid()\n", encoding="utf-8")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0.0 and results["max_score"] == 4.0
    assert "sigmoid_derivative_max: not handed in" in results["output"]
    softmax = next(t for t in results["tests"] if t["name"].startswith("softmax_function"))
    assert softmax["status"] == "failed"


def test_a_broken_autograder_tells_the_student_it_is_not_their_fault(autograder: Path, tmp_path: Path) -> None:
    root = unpack(autograder, tmp_path)
    (root / "source" / "assignment.json").write_text("{not json", encoding="utf-8")
    done = run_autograder(root)
    assert done.returncode == 3
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0.0 and "not your fault" in results["output"]


def test_build_refuses_unknown_ids_and_questions_that_do_not_validate(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["gradescope", "build", "softmax_function", "no_such_question", "--out", str(tmp_path / "a.zip")])
    assert result.exit_code == 2 and "no question with id no_such_question" in result.output
    assert not (tmp_path / "a.zip").exists()
