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


# --------------------------------------------------------------------------- a batch always writes its report

NESTED = "import os\nimport numpy as np\nfor _ in range(1500):\n    os.mkdir('d')\n    os.chdir('d')\ndef relu(x):\n    return np.maximum(0, x)\n"
HANG = "import time\ntime.sleep(600)\n"


def _report_rows(out: Path) -> dict[tuple[str, str], dict]:
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return {(r["student"], r["question"]): r for r in data["rows"]}


def test_a_submission_that_breaks_the_scratch_cleanup_leaves_every_report_complete(tmp_path) -> None:
    folder = tmp_path / "class"
    for student in ("s1", "s3", "s4"):
        write(folder / student / "relu_function.py", RELU_RIGHT)
    write(folder / "s2" / "relu_function.py", NESTED)  # 1,500 nested directories in the scratch dir
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["grade-batch", str(folder), "--out", str(out), "--jobs", "2"])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 3), result.output  # 3 only when the grader's own cleanup failed: a grader fault, said in a note
    rows = _report_rows(out)
    assert set(rows) == {(s, "relu_function") for s in ("s1", "s2", "s3", "s4")}
    assert all(rows[s, "relu_function"]["verdict"] == "pass" for s in ("s1", "s3", "s4"))
    assert rows["s2", "relu_function"]["verdict"] in ("pass", "grader_fault")  # right code: never counted against the learner
    with open(out / "results.csv", encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == 4
    if result.exit_code == 3:
        assert "grader" in result.output


def test_an_interrupted_batch_writes_the_rows_graded_so_far(tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "class"
    for i in range(1, 5):
        write(folder / f"a{i}" / "relu_function.py", RELU_RIGHT)
        write(folder / f"z{i}" / "relu_function.py", HANG)  # graded last (students in order): still running at Ctrl-C
    out = tmp_path / "out"
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen([sys.executable, "-m", "cli", "grade-batch", str(folder), "--out", str(out), "--jobs", "2"], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(root)})  # fmt: skip
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if line.strip() == "4/8":
            break
    proc.send_signal(signal.SIGINT)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)  # a second Ctrl-C while the running submissions finish loses nothing either
    stdout, stderr = proc.communicate(timeout=120)
    stderr = "".join(seen) + stderr
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    rows = _report_rows(out)
    assert all(rows[f"a{i}", "relu_function"]["verdict"] == "pass" for i in range(1, 5))
    assert all(r["verdict"] in ("pass", "error") for r in rows.values())
    with open(out / "results.csv", encoding="utf-8", newline="") as f:
        assert len(list(csv.DictReader(f))) == len(rows)


# --------------------------------------------------------------------------- seeds: a new one per submission, kept by a regrade


def test_a_resubmission_draws_new_hidden_inputs_and_a_regrade_reproduces_them(tmp_path) -> None:
    folder = tmp_path / "class"
    write(folder / "alice" / "relu_function.py", RELU_RIGHT)
    write(folder / "bob" / "relu_function.py", RELU_RIGHT)
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["grade-batch", str(folder), "--out", str(out), "--jobs", "2"]
    assert runner.invoke(main, args).exit_code == 0
    first = _report_rows(out)
    assert first["alice", "relu_function"]["seed"] != first["bob", "relu_function"]["seed"]

    # alice resubmits changed code: a new seed; bob's unchanged submission keeps his when regraded
    write(folder / "alice" / "relu_function.py", RELU_RIGHT + "# second try\n")
    result = runner.invoke(main, [*args, "--since-changed"])
    assert result.exit_code == 0, result.output
    second = _report_rows(out)
    assert second["alice", "relu_function"]["seed"] != first["alice", "relu_function"]["seed"]
    assert second["bob", "relu_function"]["seed"] == first["bob", "relu_function"]["seed"]

    # a regrade grades every row again, with the seeds the report records: the same cases, the same rows
    result = runner.invoke(main, [*args, "--regrade", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout[result.stdout.index("{"):])["graded"] == 2
    third = _report_rows(out)
    for key, row in second.items():
        assert third[key]["seed"] == row["seed"]
        assert [c["name"] for c in third[key]["cases"]] == [c["name"] for c in row["cases"]]
        assert third[key]["verdict"] == row["verdict"] == "pass"
    assert runner.invoke(main, [*args, "--regrade", "--since-changed"]).exit_code == 2


# --------------------------------------------------------------------------- isolation: never weaker than doctor says, unless asked


def test_grade_batch_refuses_a_sandbox_weaker_than_doctor_reports(tmp_path) -> None:
    from grader.instructor.batch import WeakerIsolation
    from grader.sandbox.sandbox import layer_status

    active = [s.name for s in layer_status() if s.active]
    if "seccomp" not in active:
        pytest.fail(f"this test needs a machine where seccomp works (doctor reports {active})")
    folder = tmp_path / "class"
    write(folder / "alice" / "relu_function.py", RELU_RIGHT)
    with SandboxPool(workers=1, disable=("seccomp",)) as weak:  # a real sandbox without one of its layers
        with pytest.raises(WeakerIsolation, match=r"seccomp.*--allow-weaker-isolation"):
            grade_batch(BANK, folder, jobs=1, pool=weak)
        report = grade_batch(BANK, folder, jobs=1, pool=weak, allow_weaker_isolation=True)
    row = report.rows[0]
    assert row.verdict == "pass" and "seccomp" not in row.layers and "fork" in row.layers
    assert any("missing seccomp" in n for n in report.notes)
    out = tmp_path / "out"
    write_reports(report, out)
    with open(out / "results.csv", encoding="utf-8", newline="") as f:
        assert "seccomp" not in next(csv.DictReader(f))["layers"]
    gradescope = json.loads((out / "gradescope" / "alice" / "results.json").read_text(encoding="utf-8"))
    assert all("seccomp" not in t["extra_data"]["layers"] for t in gradescope["tests"])
    assert "seccomp" not in gradescope["extra_data"]["sandbox_layers"]


def test_every_result_records_the_layers_it_ran_under(tmp_path, pool) -> None:
    from grader.sandbox.sandbox import layer_status

    active = [s.name for s in layer_status() if s.active]
    folder = tmp_path / "class"
    write(folder / "alice" / "relu_function.py", RELU_RIGHT)
    report = grade_batch(BANK, folder, jobs=1, pool=pool)
    out = tmp_path / "out"
    write_reports(report, out)
    assert _report_rows(out)["alice", "relu_function"]["layers"] == active
    with open(out / "results.csv", encoding="utf-8", newline="") as f:
        assert next(csv.DictReader(f))["layers"].split() == active
    gradescope = json.loads((out / "gradescope" / "alice" / "results.json").read_text(encoding="utf-8"))
    assert all(t["extra_data"]["layers"] == active for t in gradescope["tests"])


# --------------------------------------------------------------------------- time-outs score in a fixed way; the instructor sees full messages

SLOW_RIGHT = """import time
import numpy as np
def relu(x):
    start = time.process_time()
    while time.process_time() - start < 0.7:  # CPU time: the same work on an idle or a busy machine
        pass
    return np.maximum(0, x)
"""


@pytest.fixture(scope="module")
def roomy_bank(tmp_path_factory):
    """relu_function with a 4 s CPU limit (9 s of wall time): room for the slow submissions below on a busy machine."""
    from grader.bank.loader import BUILTIN_BANK

    root = tmp_path_factory.mktemp("roomy")
    src = next(BUILTIN_BANK.rglob("relu_function.yaml"))
    (root / src.parent.name).mkdir()
    (root / src.parent.name / src.name).write_text(src.read_text(encoding="utf-8") + "time_limit: 4.0\n", encoding="utf-8")
    bank = load_bank([root], use_cache=False)
    assert bank.questions["relu_function"].time_limit == 4.0, bank.errors
    return bank


def test_a_time_out_scores_the_same_at_every_regrade(tmp_path, pool) -> None:
    folder = tmp_path / "class"
    write(folder / "slow" / "relu_function.py", SLOW_RIGHT)  # right, but the CPU limit stops it after a few cases
    out = tmp_path / "out"
    write_reports(grade_batch(BANK, folder, jobs=1, pool=pool), out)
    rows = []
    for _ in range(2):
        report = grade_batch(BANK, folder, jobs=1, pool=pool, previous=json.loads((out / "report.json").read_text(encoding="utf-8")), reuse=False)
        rows.append(report.rows[0])
    for row in rows:
        assert row.outcome in ("cpu_limit", "timeout")
        assert row.verdict == "error" and row.score == 0.0
        assert row.cases and not any(c["passed"] for c in row.cases)
        assert "制限" in row.message
    assert rows[0].seed == rows[1].seed
    assert [(c["name"], c["passed"], c["message"]) for c in rows[0].cases] == [(c["name"], c["passed"], c["message"]) for c in rows[1].cases]


HIDDEN_RAISER = """import numpy as np
def relu(x):
    if x.tolist() != [-2.0, 0.0, 3.0]:  # every case but the public example
        raise ValueError(f"hidden-input-{x.shape}-{float(x.ravel()[0])!r}")
    return np.maximum(0, x)
"""


def test_instructor_reports_carry_the_full_message_and_learner_outputs_do_not(tmp_path, pool) -> None:
    folder = tmp_path / "class"
    write(folder / "alice" / "relu_function.py", HIDDEN_RAISER)
    out = tmp_path / "out"
    report = grade_batch(BANK, folder, jobs=1, pool=pool)
    write_reports(report, out)
    row = report.rows[0]
    hidden = [c for c in row.cases if c["hidden"]]
    assert hidden and all(not c["passed"] for c in hidden)
    assert all("hidden-input-" not in c["message"] for c in row.cases)  # what the learner is shown
    assert all(c["detail"].startswith("raised ValueError: hidden-input-(") for c in hidden)
    with open(out / "cases.csv", encoding="utf-8", newline="") as f:
        cases = [c for c in csv.DictReader(f) if c["hidden"] == "True"]
    assert cases and all("hidden-input-" in c["detail"] and "hidden-input-" not in c["message"] for c in cases)
    assert all("hidden-input-" in c["detail"] for c in _report_rows(out)["alice", "relu_function"]["cases"] if c["hidden"])
    gradescope = (out / "gradescope" / "alice" / "results.json").read_text(encoding="utf-8")
    assert "hidden-input-" not in gradescope  # the student sees this file


# --------------------------------------------------------------------------- the CPU budget stops runaway code sooner, never a slow right answer

SLOW_BUT_RIGHT = SLOW_RIGHT.replace("< 0.7", "< 0.22")  # about 1.3 s of CPU over the six cases: within the 2 s limit, over the budget
LOOP_AT_LOAD = "while True:\n    pass\n"


def test_a_slow_but_right_submission_passes_under_the_cpu_budget(tmp_path, pool, roomy_bank) -> None:
    from grader.instructor.budget import cpu_budget

    question = roomy_bank.questions["relu_function"]
    budget = cpu_budget(question)
    assert budget is not None and budget < question.time_limit  # the budget applies to this question
    folder = tmp_path / "class"
    write(folder / "slow" / "relu_function.py", SLOW_BUT_RIGHT)
    write(folder / "loop" / "relu_function.py", LOOP_AT_LOAD)
    report = grade_batch(roomy_bank, folder, jobs=2, pool=pool)
    rows = {r.student: r for r in report.rows}
    assert rows["slow"].verdict == "pass" and rows["slow"].outcome == "ok", rows["slow"]
    assert rows["loop"].verdict == "error" and rows["loop"].outcome == "budget" and "CPU 時間の予算" in rows["loop"].message
    assert "問題の制限は 4 秒" in rows["loop"].message
    unbudgeted = grade_batch(roomy_bank, folder, jobs=2, pool=pool, cpu_budget=False)
    assert [(r.student, r.verdict, r.score) for r in unbudgeted.rows] == [(r.student, r.verdict, r.score) for r in report.rows]


SLOW_TO_LOAD = """import time
import numpy as np
while time.process_time() < 0.6:  # module-level work: over the batch's CPU budget, well within the question's 2 s
    pass
def relu(x):
    return np.maximum(0, x)
"""


def test_code_slow_to_load_is_told_the_budget_stopped_it_and_passes_when_graded_without_the_budget(tmp_path) -> None:
    folder = tmp_path / "class"
    write(folder / "slow" / "relu_function.py", SLOW_TO_LOAD)
    write(folder / "quick" / "relu_function.py", RELU_RIGHT)
    out = tmp_path / "out"
    runner = CliRunner()
    args = ["grade-batch", str(folder), "--out", str(out), "--jobs", "2"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    rows = _report_rows(out)
    slow = rows["slow", "relu_function"]
    assert slow["verdict"] == "error" and slow["outcome"] == "budget" and "CPU 時間の予算" in slow["message"] and "2 秒" in slow["message"]
    assert "1 row(s) were stopped at the batch's CPU budget" in first.output and "--since-changed --no-cpu-budget" in first.output
    again = runner.invoke(main, [*args, "--since-changed", "--no-cpu-budget", "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout[again.stdout.index("{"):])["graded"] == 1  # only that row: the other one is reused
    rows = _report_rows(out)
    assert rows["slow", "relu_function"]["verdict"] == "pass" and rows["slow", "relu_function"]["seed"] == slow["seed"]
    assert rows["quick", "relu_function"]["verdict"] == "pass"


# --------------------------------------------------------------------------- every attack class in one class of students


def test_a_class_with_every_attack_mixed_in_grades_every_right_answer_and_reports_every_row(tmp_path, pool) -> None:
    # The attacks of the sandbox's and the protocol's suites, each handed in by one student among right answers:
    # every right answer still passes, no attack passes, and the report has a row for everyone.
    import subprocess

    from test_attacks import RIGHT_SOFTMAX
    from test_attacks_kernel import DEEP_TREE, DISK_FILL, FCNTL_OWNER, PAGE_CACHE_PROBES, PID_VIEW, THREAD_FLOOD
    from test_attacks_protocol import FORGE, FORGED, LEAKS

    victim = subprocess.Popen(["sleep", "120"])
    try:
        attacks = {"fcntl_owner": FCNTL_OWNER, "pid_view": PID_VIEW, "thread_flood": THREAD_FLOOD, "page_cache": PAGE_CACHE_PROBES,
                   "deep_tree": DEEP_TREE, "disk_fill": DISK_FILL}  # fmt: skip
        attacks = {name: source.replace("VICTIM", str(victim.pid)) for name, source in attacks.items()}
        attacks |= {f"leak_{name}": source for name, source in LEAKS.items() if name != "public-scalar"}
        attacks |= {f"forged_{name}": FORGE + f"def softmax(x):\n    {send}\n" for name, send in list(FORGED.items())[:4]}
        folder = tmp_path / "class"
        right = [f"right{i:02d}" for i in range(12)]
        for student in right:
            write(folder / student / "softmax_function.py", RIGHT_SOFTMAX)
        for student, source in attacks.items():
            write(folder / student / "softmax_function.py", source)
        report = grade_batch(BANK, folder, jobs=2, pool=pool)
        assert victim.poll() is None  # no submission could signal a host process
    finally:
        victim.kill()
        victim.wait()
    rows = {r.student: r for r in report.rows}
    assert set(rows) == set(right) | set(attacks)
    assert all(rows[s].verdict == "pass" for s in right), {s: rows[s].message for s in right if rows[s].verdict != "pass"}
    assert all(rows[s].verdict in ("fail", "error") for s in attacks), {s: rows[s].verdict for s in attacks if rows[s].verdict not in ("fail", "error")}
