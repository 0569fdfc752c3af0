"""Batch grading: a class graded in parallel, each row as if graded alone, attacks confined to their rows."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import secrets
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from survivors import processes_named

from cli import main
from grader.bank.loader import BUILTIN_BANK, load_bank
from grader.grading.codegrade import grade_code
from grader.instructor.batch import grade_batch, load_previous
from grader.instructor.batch_constants import BatchInputError
from grader.instructor.batch_reports import write_reports
from grader.instructor.hashes import batch_salt, content_hash, submission_seed
from grader.instructor.submissions import read_answers
from grader.sandbox.sandbox import Sandbox, SandboxError, SandboxPool

BANK = load_bank(use_cache=False)
ROOT = Path(__file__).resolve().parent.parent


def _load_generator():
    spec = importlib.util.spec_from_file_location("batch_benchmark", ROOT / "benchmarks" / "batch.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()

RELU_RIGHT = GEN.HONEST["relu_function"][0]
RELU_INPLACE = GEN.HONEST["relu_function"][1]
SOFTMAX_RIGHT = GEN.HONEST["softmax_function"][0]


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def comparable(row) -> dict:
    data = row.as_dict()
    data.pop("seconds")
    if data["outcome"] in ("cpu_limit", "timeout"):  # which limit comes first depends on the machine's load; the row is the same
        data["outcome"] = "stopped"
    return data




# --------------------------------------------------------------------------- seeds


def test_seed_depends_on_the_batch_the_student_the_question_and_the_code() -> None:
    q = BANK.questions["relu_function"]
    h = content_hash(q)
    salt = batch_salt()
    assert submission_seed(salt, "alice", q.id, h, "code1") == submission_seed(salt, "alice", q.id, h, "code1")
    assert submission_seed(salt, "alice", q.id, h, "code1") != submission_seed(salt, "bob", q.id, h, "code1")
    assert submission_seed(salt, "alice", q.id, h, "code1") != submission_seed(salt, "alice", q.id, h, "code2")  # a resubmission
    assert submission_seed(salt, "alice", q.id, h, "code1") != submission_seed(batch_salt(), "alice", q.id, h, "code1")  # another batch
    seed = submission_seed(salt, "alice", q.id, h, "code1")
    assert seed >= 1 and seed < 2**31
    reworded = q.model_copy(update={"explanation": "別の解説", "hints": ["別のヒント"], "title": "x"})
    assert content_hash(reworded) == h  # wording and 解説 do not change seeds or verdicts
    regraded = q.model_copy(update={"time_limit": 3.0})
    assert content_hash(regraded) != h
    assert content_hash(q.model_copy(update={"points": 2.0})) != h


# --------------------------------------------------------------------------- a small class, every kind of row


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(workers=2) as p:
        yield p


def small_class(root: Path) -> tuple[Path, Path]:
    folder = root / "class"
    write(folder / "alice" / "relu_function.py", RELU_RIGHT)
    write(folder / "alice" / "softmax_function.py", SOFTMAX_RIGHT)
    write(folder / "alice" / "notes.txt", "ignored")
    write(folder / "bob" / "relu_function.py", RELU_INPLACE)
    write(folder / "bob" / "softmax_function.py", b"\xff\xfe not utf-8")
    write(folder / "carol" / "relu_function.py", "import numpy as np\ndef relu(x):\n    while True:\n        pass\n")
    write(folder / "carol" / "softmax.py", SOFTMAX_RIGHT)  # misnamed: no such question
    write(folder / "carol" / "chain_rule.py", "2*(x+y)")  # a typed question as a file
    write(folder / ".git" / "relu_function.py", RELU_RIGHT)  # hidden folders are not students
    os.symlink(folder / "alice" / "relu_function.py", folder / "dave_link.py")
    (folder / "dave").mkdir()
    os.symlink(root / "secret.py", folder / "dave" / "relu_function.py")
    write(root / "secret.py", "TOKEN = 'do not read'\n")
    answers = write(root / "answers.csv", (
        "student,question,answer,seed\n"
        "alice,conv_output_size,7x7,\n"
        "bob,conv_output_size,\"(6, 6)\",\n"
        "carol,conv_output_size,seven,\n"
        "alice,weight_decay_sgd_param,0.1,5\n"
        "alice,relu_backward_blank,2,\n"
        "bob,relu_backward_blank,あ=1,\n"
        'bob,ridge_blank,"import numpy as np\n\ndef ridge(param, grad, rate):\n    grad += rate * param\n",\n'
    ))  # fmt: skip
    return folder, answers


@pytest.fixture(scope="module")
def small(tmp_path_factory, pool):
    root = tmp_path_factory.mktemp("small")
    folder, answers = small_class(root)
    report = grade_batch(BANK, folder, answers=answers, jobs=3, pool=pool)
    out = root / "out"
    write_reports(report, out)
    return report, out, folder, answers


def test_every_kind_of_submission_gets_its_row(small) -> None:
    report, _, _, _ = small
    rows = {(r.student, r.question): r for r in report.rows}
    assert rows["alice", "relu_function"].verdict == "pass"
    assert rows["alice", "softmax_function"].verdict == "pass"
    bob_relu = rows["bob", "relu_function"]
    assert bob_relu.verdict == "fail" and 0 < bob_relu.score < 1
    assert any("が変更されました" in c["message"] for c in bob_relu.cases)
    assert rows["bob", "softmax_function"].verdict == "error"
    assert "UTF-8" in rows["bob", "softmax_function"].message
    loop = rows["carol", "relu_function"]
    assert loop.verdict == "error" and loop.outcome in ("cpu_limit", "timeout")
    assert rows["carol", "softmax"].verdict == "error" and "no question" in rows["carol", "softmax"].message
    assert rows["carol", "chain_rule"].verdict == "error" and "answers file" in rows["carol", "chain_rule"].message
    link = rows["dave", "relu_function"]
    assert link.verdict == "error" and "symbolic link" in link.message
    assert all(r.student != ".git" for r in report.rows)
    # typed answers, judged in this process
    assert rows["alice", "conv_output_size"].verdict == "pass"
    assert rows["bob", "conv_output_size"].verdict == "fail" and rows["bob", "conv_output_size"].expected == "7 × 7"
    unreadable = rows["carol", "conv_output_size"]
    assert unreadable.verdict == "fail" and unreadable.message.startswith("invalid answer")
    param = rows["alice", "weight_decay_sgd_param"]
    assert param.seed == 5 and param.verdict in ("pass", "fail") and param.expected
    # code_blank answered by keys: proved by running the chosen code in the sandbox
    keys_right, keys_wrong = rows["alice", "relu_backward_blank"], rows["bob", "relu_backward_blank"]
    assert keys_right.verdict == "pass" and keys_right.cases and keys_right.outcome == "ok"
    assert keys_wrong.verdict == "fail" and keys_wrong.cases
    assert rows["bob", "ridge_blank"].verdict == "pass"  # code given in the answers file
    # the assignment is every question anyone answered: the others are missing
    assert rows["carol", "softmax_function"].verdict == "missing"
    assert rows["dave", "conv_output_size"].verdict == "missing"
    students = {r.student for r in report.rows}
    assignment = {"relu_function", "softmax_function", "conv_output_size", "weight_decay_sgd_param", "relu_backward_blank", "ridge_blank"}
    assert all((s, q) in rows for s in students for q in assignment)


def test_the_reports_agree_and_hide_hidden_inputs(small) -> None:
    report, out, _, _ = small
    with open(out / "results.csv", encoding="utf-8", newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(report.rows)
    assert {(r["student"], r["question"], r["verdict"]) for r in table} == {(r.student, r.question, r.verdict) for r in report.rows}
    with open(out / "cases.csv", encoding="utf-8", newline="") as f:
        cases = list(csv.DictReader(f))
    assert len(cases) == sum(len(r.cases) for r in report.rows)
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert data["format"] == "eshikaku-batch/1"
    assert data["summary"]["rows"] == len(report.rows)
    assert set(data["questions"]) >= {"relu_function", "conv_output_size"}
    assert data["students"]["alice"]["pass"] >= 4
    assert load_previous(out) is not None
    # Gradescope: one results.json per student, scores add up, hidden cases carry no inputs
    for student in {r.student for r in report.rows}:
        result = json.loads((out / "gradescope" / student / "results.json").read_text(encoding="utf-8"))
        assert set(result) >= {"score", "max_score", "tests"}
        assert abs(sum(t["score"] for t in result["tests"]) - result["score"]) < 1e-6
        assert abs(sum(t["max_score"] for t in result["tests"]) - result["max_score"]) < 1e-6
        for test in result["tests"]:
            assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
            assert test["status"] in ("passed", "failed")
            if "(hidden)" in test["name"]:
                assert test["visibility"] == "after_published"
                assert "inputs:" not in test["output"] and "expected:" not in test["output"]
    bob = json.loads((out / "gradescope" / "bob" / "results.json").read_text(encoding="utf-8"))
    assert any(t["status"] == "failed" and "が変更されました" in t["output"] for t in bob["tests"])
    answer = next(t for t in bob["tests"] if t["name"] == "conv_output_size")
    assert answer["visibility"] == "after_published" and "expected: 7 × 7" in answer["output"]


def test_a_regrade_gives_the_same_rows_with_the_recorded_seeds(small, pool) -> None:
    report, out, folder, answers = small
    again = grade_batch(BANK, folder, answers=answers, jobs=2, pool=pool, previous=load_previous(out), reuse=False)
    assert again.graded == report.graded and again.reused == 0
    assert [comparable(r) for r in again.rows] == [comparable(r) for r in report.rows]


def test_every_batch_draws_new_seeds(small, pool) -> None:
    report, _, folder, answers = small
    again = grade_batch(BANK, folder, answers=answers, jobs=2, pool=pool)
    before = {(r.student, r.question): r.seed for r in report.rows if r.seed is not None}
    after = {(r.student, r.question): r.seed for r in again.rows if r.seed is not None}
    assert before.keys() == after.keys()
    given = {("alice", "weight_decay_sgd_param")}  # the answers file names its seed: the attempt the student answered
    assert all(before[k] == after[k] for k in given)
    assert all(before[k] != after[k] for k in before.keys() - given)


def test_since_changed_reuses_every_unchanged_row(small, pool) -> None:
    report, out, folder, answers = small
    again = grade_batch(BANK, folder, answers=answers, jobs=2, pool=pool, previous=load_previous(out))
    graded = {(r.student, r.question) for r in again.rows if not r.reused and r.verdict != "missing"}
    # only rows without a question to hash (unknown ids) are graded again
    assert graded == {("carol", "softmax")}
    assert [comparable(r) for r in again.rows] == [comparable(r) for r in report.rows]


def test_a_failing_sandbox_affects_only_its_own_row(tmp_path) -> None:
    folder = tmp_path / "class"
    for student in ("s1", "s2", "s3"):
        write(folder / student / "relu_function.py", RELU_RIGHT + f"# {student}\n")

    class Flaky:
        """A pool whose run fails for one submission, as a lost zygote would."""

        def __init__(self) -> None:
            self.box = Sandbox()
            self.layers = self.box.layers

        def run(self, request: bytes, limits=None, **options):
            if b"# s2" in request:
                raise SandboxError("sandbox zygote keeps failing: test")
            return self.box.run(request, limits, **options)

    flaky = Flaky()
    try:
        report = grade_batch(BANK, folder, jobs=2, pool=flaky)
    finally:
        flaky.box.close()
    verdicts = {r.student: r for r in report.rows}
    assert verdicts["s1"].verdict == verdicts["s3"].verdict == "pass"
    assert verdicts["s2"].verdict == "grader_fault" and "SandboxError" in verdicts["s2"].message


# --------------------------------------------------------------------------- answers files


def test_answers_file_formats_and_errors(tmp_path) -> None:
    jsonl = write(tmp_path / "a.jsonl", '{"student": "s1", "question": "conv_output_size", "answer": "7x7"}\n\n'
                                        '{"student": "s2", "question_id": "he_std_param", "response": 0.25, "seed": 3}\n')  # fmt: skip
    subs = read_answers(jsonl)
    assert [(s.student, s.question, s.text, s.seed) for s in subs] == [("s1", "conv_output_size", "7x7", None), ("s2", "he_std_param", "0.25", 3)]
    with pytest.raises(BatchInputError, match="lacks the column"):
        read_answers(write(tmp_path / "b.csv", "name,answer\nx,1\n"))
    with pytest.raises(BatchInputError, match=r"c\.jsonl:2"):
        read_answers(write(tmp_path / "c.jsonl", '{"student": "s", "question": "q", "answer": "1"}\nnot json\n'))
    with pytest.raises(BatchInputError, match="cannot name a folder"):
        read_answers(write(tmp_path / "d.csv", "student,question,answer\n../../etc,q,1\n"))
    with pytest.raises(BatchInputError, match="seed"):
        read_answers(write(tmp_path / "e.csv", "student,question,answer,seed\ns,q,1,abc\n"))


def test_csv_cells_cannot_become_spreadsheet_formulas(tmp_path, pool) -> None:
    answers = write(tmp_path / "a.csv", 'student,question,answer\n"=HYPERLINK(""x"")",conv_output_size,=1+1\n')
    report = grade_batch(BANK, None, answers=answers, jobs=1, pool=pool)
    write_reports(report, tmp_path / "out")
    with open(tmp_path / "out" / "results.csv", encoding="utf-8", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["student"].startswith("'=") and row["response"].startswith("'=")


# --------------------------------------------------------------------------- the CLI and --since-changed on an edited bank


def test_cli_grades_and_since_changed_regrades_only_the_edited_question(tmp_path) -> None:
    bank = tmp_path / "bank"
    for qid in ("relu_function", "softmax_function"):
        src = next(BUILTIN_BANK.rglob(f"{qid}.yaml"))
        (bank / src.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(src, bank / src.parent.name / src.name)
    folder = tmp_path / "class"
    for student in ("s1", "s2"):
        write(folder / student / "relu_function.py", RELU_RIGHT)
        write(folder / student / "softmax_function.py", SOFTMAX_RIGHT)
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["--bank-only", "--bank", str(bank), "grade-batch", str(folder), "--out", str(out), "--jobs", "2"]
    first = runner.invoke(main, [*args, "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout[first.stdout.index("{"):])
    assert summary["graded"] == 4 and summary["verdicts"]["pass"] == 4
    before = json.loads((out / "report.json").read_text(encoding="utf-8"))
    seeds = {(r["student"], r["question"]): r["seed"] for r in before["rows"]}

    # a wording edit changes nothing that is graded: everything is reused
    yaml_path = next(bank.rglob("softmax_function.yaml"))
    text = yaml_path.read_text(encoding="utf-8")
    yaml_path.write_text(text.replace("title:", "title: (改訂)", 1), encoding="utf-8")
    second = runner.invoke(main, [*args, "--since-changed", "--json"])
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout[second.stdout.index("{"):])["reused"] == 4

    # a grading edit (the time limit) regrades that question's rows only, under new seeds
    yaml_path.write_text(text.replace("time_limit: 2.0", "") + "time_limit: 3.0\n", encoding="utf-8")
    third = runner.invoke(main, [*args, "--since-changed", "--json"])
    assert third.exit_code == 0, third.output
    summary = json.loads(third.stdout[third.stdout.index("{"):])
    assert summary["graded"] == 2 and summary["reused"] == 2
    after = json.loads((out / "report.json").read_text(encoding="utf-8"))
    for row in after["rows"]:
        changed = row["seed"] != seeds[(row["student"], row["question"])]
        assert changed == (row["question"] == "softmax_function")
        assert row["verdict"] == "pass"


def test_cli_rejects_a_broken_answers_file(tmp_path) -> None:
    (tmp_path / "class").mkdir()
    bad = write(tmp_path / "answers.csv", "who,what\n1,2\n")
    result = CliRunner().invoke(main, ["grade-batch", str(tmp_path / "class"), "--answers", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "lacks the column" in result.output


# --------------------------------------------------------------------------- 100 students × 5 questions, 5 % malicious


def test_a_class_of_100_with_5_percent_malicious_submissions(tmp_path) -> None:
    marker = "esk" + secrets.token_hex(5)
    canary = tmp_path / "canary" / "keep-me.txt"
    write(canary, "still here\n")
    folder = tmp_path / "class"
    bad = GEN.make_class(folder, 100, malicious=0.05, marker=marker, canary=str(canary))
    assert len(bad) == 25 and set(bad.values()) == set(GEN.ATTACKS)
    started = time.perf_counter()
    report = grade_batch(BANK, folder, jobs=2 * (os.cpu_count() or 1))  # more sandboxes than CPUs: hangs overlap
    elapsed = time.perf_counter() - started
    write_reports(report, tmp_path / "out")

    # complete: one row per student and question, in every report
    assert len(report.rows) == 500
    assert {(r.student, r.question) for r in report.rows} == {(f"student{i:03d}", q) for i in range(1, 101) for q in GEN.QUESTIONS}
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(data["rows"]) == 500 and data["summary"]["graded"] == 500
    assert len(list((tmp_path / "out" / "gradescope").iterdir())) == 100

    # every malicious row is an error; the attacks did nothing outside their rows
    rows = {(r.student, r.question): r for r in report.rows}
    for pair, kind in bad.items():
        assert rows[pair].verdict == "error", (kind, rows[pair].message)
        assert rows[pair].score == 0.0
    assert canary.read_text() == "still here\n"
    deadline = time.monotonic() + 3
    while processes_named(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert processes_named(marker) == []
    assert report.counts()["grader_fault"] == 0

    # every other row is what grading it alone gives
    with Sandbox() as box:
        for (student, qid), row in rows.items():
            if (student, qid) in bad:
                continue
            source = (folder / student / f"{qid}.py").read_text(encoding="utf-8")
            alone = grade_code(BANK.questions[qid], source, row.seed, box)
            assert row.score == round(alone.score, 9), (student, qid)
            assert [(c["name"], c["passed"], c["message"]) for c in row.cases] == [(c.name, c.passed, c.message) for c in alone.cases], (student, qid)
            assert row.verdict == ("pass" if alone.passed else "fail" if alone.status == "graded" else "error"), (student, qid)
    print(f"\n100 × 5 with 5 % malicious: {elapsed:.1f} s, {500 / elapsed:.1f} submissions/s")
