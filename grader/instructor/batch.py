"""Batch grading for instructors: a class's submissions graded in parallel, each in its own sandbox run.

Input: a folder of ``<student>/<question_id>.py`` files (code questions) and, optionally, an answers
file (CSV or JSONL with the columns ``student``, ``question``, ``answer`` and optionally ``seed``) for
the other types. Output (:func:`write_reports`): ``results.csv`` (one row per student and question),
``cases.csv`` (one row per case), ``students.csv`` (totals), ``report.json`` (everything, plus the
hashes that ``--since-changed`` compares) and a Gradescope ``results.json`` per student.

Every code submission runs exactly as ``eshikaku submit`` runs it (:func:`grader.grading.codegrade.grade_code`
in a fresh isolated child), on a :class:`grader.sandbox.sandbox.SandboxPool`; a crash, a hang or an attack
ends only its own child, so it changes only its own row. The grader's own part (building the cases,
running the trusted reference, judging) runs in this process, one thread at a time: the reference
harness swaps ``sys.stdout`` and seeds NumPy's global generator, neither of which is thread-safe.

Inputs are collected by :mod:`grader.instructor.submissions`, seeds come from :mod:`grader.instructor.hashes`
and the reports are written by :mod:`grader.instructor.batch_reports`.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.loader import Bank
from grader.bank.schema import CodeBase, CodeBlankQuestion, Question

# --------------------------------------------------------------------------- grading one submission
from grader.instructor.batch_constants import FORMAT, REPORT_NAME, VERDICTS, BatchInputError
from grader.instructor.hashes import QuestionInfo, grader_hash, question_info, submission_seed
from grader.instructor.submissions import Submission, collect


@dataclass
class Row:
    """The verdict on one (student, question) pair."""

    student: str
    question: str
    type: str
    verdict: str  # one of VERDICTS
    score: float  # 0..1
    max_points: float
    seed: int | None
    origin: str = ""
    kind: str = ""
    message: str = ""
    traceback: list[str] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    response: str | None = None
    expected: str | None = None
    feedback: list[str] = field(default_factory=list)
    outcome: str | None = None  # how the sandboxed run ended (code only)
    submission_sha256: str = ""
    question_hash: str = ""
    seconds: float = 0.0
    reused: bool = False

    @property
    def points(self) -> float:
        return round(self.score * self.max_points, 6)

    def as_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "reused"}
        data["points"] = self.points
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class _Turns:
    """Lets the grader's in-process work run one thread at a time while sandbox runs overlap.

    A thread holds ``lock`` for the whole of one grading; it gives the lock up only while its
    submission runs in the pool, so N children run at once but the reference, which seeds NumPy's
    global generator and captures ``sys.stdout``, never runs in two threads together.
    """

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.lock = threading.Lock()
        self.local = threading.local()

    def run(self, request: bytes, limits: Any = None) -> Any:
        self.lock.release()
        try:
            result = self.pool.run(request, limits)
        finally:
            self.lock.acquire()
        if getattr(self.local, "outcome", None) is None:  # the first run is the graded one (a second only re-loads)
            self.local.outcome = result.outcome
        return result


def _code_verdict(result: Any, outcome: str | None) -> str:
    if result.status == "grader_fault":
        return "grader_fault"
    if result.status == "learner_error" or (outcome not in (None, "ok")):
        return "error"  # did not load, or the process was killed, timed out, crashed, exited or tampered
    return "pass" if result.passed else "fail"


def _case_dicts(result: Any) -> list[dict[str, Any]]:
    return [{"name": c.name, "hidden": c.hidden, "weight": c.weight, "passed": c.passed, "message": c.message, "diagnosis": c.diagnosis} for c in result.cases]


def _grade_code(question: CodeBase, source: str | dict[str, str], seed: int, sandbox: _Turns) -> dict[str, Any]:
    from grader.grading.codegrade import grade_code

    sandbox.local.outcome = None
    result = grade_code(question, source, seed, sandbox)
    outcome = sandbox.local.outcome
    return {
        "verdict": _code_verdict(result, outcome),
        "score": result.score,
        "message": result.message,
        "traceback": list(result.traceback),
        "cases": _case_dicts(result),
        "outcome": outcome,
    }


def _grade_answer(question: Question, text: str, seed: int, sandbox: _Turns) -> dict[str, Any]:
    from grader.bank.params import attempt
    from grader.grading.answers import InvalidAnswer, blank_expected, blank_keys, grade

    if isinstance(question, CodeBlankQuestion):
        try:
            keys = blank_keys(question, text)
        except InvalidAnswer:
            keys = None  # not choice keys: the answer is code
        if keys is not None:
            from grader.grading.source import choice_codes

            data = _grade_code(question, choice_codes(question, keys), seed, sandbox)  # the keys are proved by running them
            return {**data, "response": text, "expected": blank_expected(question)}
        return {**_grade_code(question, text, seed, sandbox), "response": None}
    if isinstance(question, CodeBase):
        return {**_grade_code(question, text, seed, sandbox), "response": None}
    current = attempt(question, seed)
    try:
        verdict = grade(current, text)
    except InvalidAnswer as exc:
        return {"verdict": "fail", "score": 0.0, "message": f"invalid answer: {exc}", "response": text, "expected": None}
    return {
        "verdict": "pass" if verdict.correct else "fail",
        "score": verdict.score,
        "response": text,
        "expected": verdict.expected,
        "feedback": list(verdict.feedback),
    }


def grade_submission(bank: Bank, sub: Submission, infos: dict[str, QuestionInfo], sandbox: _Turns) -> Row:
    """Grades one submission; never raises (a failure of the grader becomes a grader_fault row)."""
    started = time.perf_counter()
    question = bank.get(sub.question)
    info = infos.get(sub.question)
    base: dict[str, Any] = {"student": sub.student, "question": sub.question, "origin": sub.origin, "kind": sub.kind, "submission_sha256": sub.sha256}
    if question is None or info is None:
        broken = any(p.stem == sub.question for p in bank.broken_files)
        if broken:
            return Row(**base, type="?", verdict="grader_fault", score=0.0, max_points=0.0, seed=None, message="the question file "
                f"{sub.question}.yaml is broken: run `eshikaku validate`")
        return Row(**base, type="?", verdict="error", score=0.0, max_points=0.0, seed=None, message=f"no question with id {sub.question!r}: name the "
            "file <question_id>.py")
    seed = sub.seed if sub.seed is not None else submission_seed(sub.student, sub.question, info.content_hash)
    row = Row(**base, type=question.type, verdict="error", score=0.0, max_points=question.points, seed=seed, question_hash=info.hash)
    if sub.text is None:
        row.message = f"unreadable submission: {sub.problem}"
        return row
    try:
        with sandbox.lock:
            if sub.kind == "file":
                if not isinstance(question, CodeBase):
                    row.message = f"{sub.question} is a {question.type} question, not code: give its answer in the answers file"
                    return row
                data = _grade_code(question, sub.text, seed, sandbox)
            else:
                data = _grade_answer(question, sub.text, seed, sandbox)
        for key, value in data.items():
            setattr(row, key, value)
    except Exception as exc:
        row.verdict, row.score, row.message = "grader_fault", 0.0, f"the grader failed: {type(exc).__name__}: {exc}"
    row.score = round(float(row.score), 9)
    row.seconds = round(time.perf_counter() - started, 4)
    return row


# --------------------------------------------------------------------------- the batch


@dataclass
class BatchReport:
    rows: list[Row]
    questions: dict[str, QuestionInfo]
    grader_hash: str
    seconds: float
    jobs: int
    layers: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    folder: str = ""
    answers: str = ""

    @property
    def graded(self) -> int:
        return sum(1 for r in self.rows if r.verdict != "missing" and not r.reused)

    @property
    def reused(self) -> int:
        return sum(1 for r in self.rows if r.reused)

    def counts(self) -> dict[str, int]:
        return {v: sum(1 for r in self.rows if r.verdict == v) for v in VERDICTS}

    def students(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            entry = out.setdefault(row.student, {"points": 0.0, "max_points": 0.0, **{v: 0 for v in VERDICTS}})
            entry["points"] = round(entry["points"] + row.points, 6)
            entry["max_points"] = round(entry["max_points"] + row.max_points, 6)
            entry[row.verdict] += 1
        return out


def load_previous(out: Path) -> dict[str, Any] | None:
    """The report.json of an earlier run in ``out``, if it is one this version can reuse."""
    try:
        data = json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _question_order(bank: Bank, qids: Iterable[str]) -> list[str]:
    from grader.bank.catalog import topic_key

    def key(qid: str) -> tuple[Any, ...]:
        q = bank.get(qid)
        return (0, topic_key(q.topic), str(bank.paths[qid])) if q is not None else (1, (), qid)

    return sorted(set(qids), key=key)


def _natural(name: str) -> list[Any]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def grade_batch(
    bank: Bank,
    folder: Path | None,
    *,
    answers: Path | None = None,
    assignment: list[str] | None = None,
    jobs: int | None = None,
    previous: dict[str, Any] | None = None,
    pool: Any = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchReport:
    """Grades every submission in ``folder`` (and ``answers``) and returns the rows, in order.

    Args:
        assignment: Question ids every student should have answered (a missing one gets a
            ``missing`` row); default: every question anyone submitted.
        jobs: Submissions graded at once (default: one per CPU).
        previous: An earlier report (:func:`load_previous`): rows whose submission, question and
            reference code are unchanged are taken from it instead of being graded again.
        pool: A :class:`grader.sandbox.sandbox.SandboxPool` to use (default: one of ``jobs`` sandboxes,
            started here and closed at the end).
        progress: Called with the number of rows finished since the last call.
        on_start: Called once with the number of submissions to grade.

    Raises:
        BatchInputError: The answers file cannot be used.
    """
    started = time.perf_counter()
    jobs = max(1, jobs or os.cpu_count() or 1)
    submissions, notes = collect(folder, answers)
    # by default the assignment is what was handed in: code files, and every question of the answers file
    wanted = list(assignment) if assignment else [q for (_, q), sub in submissions.items() if sub.kind == "answer" or isinstance(bank.get(q), CodeBase)]
    unknown_wanted = [q for q in wanted if q not in bank.questions]
    if assignment and unknown_wanted:
        raise BatchInputError(f"--questions names no question with id {', '.join(sorted(set(unknown_wanted)))}")
    infos = {qid: question_info(bank.questions[qid]) for qid in set(wanted) | {q for _, q in submissions} if qid in bank.questions}
    order = _question_order(bank, [q for q in wanted if q in bank.questions])
    students = sorted({s for s, _ in submissions}, key=_natural)
    g_hash = grader_hash()

    reusable: dict[tuple[str, str], dict[str, Any]] = {}
    if previous is not None:
        if previous.get("grader_hash") != g_hash:
            notes.append("the grader changed since the previous report: every submission is graded again")
        else:
            for data in previous.get("rows", []):
                if isinstance(data, dict) and data.get("verdict") not in ("grader_fault", "missing"):
                    reusable[(str(data.get("student")), str(data.get("question")))] = data

    rows: dict[tuple[str, str], Row] = {}
    todo: list[Submission] = []
    for key, sub in submissions.items():
        old = reusable.get(key)
        info = infos.get(sub.question)
        if old and info and old.get("question_hash") == info.hash and old.get("submission_sha256") == sub.sha256:
            row = Row.from_dict(old)
            row.reused = True
            rows[key] = row
        else:
            todo.append(sub)
    for student in students:
        for qid in order:
            if (student, qid) not in submissions:
                q = bank.questions[qid]
                rows[(student, qid)] = Row(student, qid, q.type, "missing", 0.0, q.points, None, message="no submission", question_hash=infos[qid].hash)

    if on_start:
        on_start(len(todo))
    own_pool = None
    layers: tuple[str, ...] = ()
    needs_sandbox = any(isinstance(bank.get(s.question), CodeBase) and s.text is not None for s in todo)
    if todo:
        if pool is None and needs_sandbox:
            from grader.sandbox.sandbox import SandboxPool

            pool = own_pool = SandboxPool(workers=min(jobs, len(todo)))
        try:
            layers = tuple(pool.layers) if pool is not None else ()
            turns = _Turns(pool)
            # the longest-running kind first keeps the pool busy at the end: code before typed answers
            todo.sort(key=lambda s: (not isinstance(bank.get(s.question), CodeBase), _natural(s.student), s.question))
            with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="eshikaku-batch") as executor:
                pending = {executor.submit(grade_submission, bank, sub, infos, turns) for sub in todo}
                try:
                    while pending:
                        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                        for future in done:
                            row = future.result()
                            rows[(row.student, row.question)] = row
                        if progress and done:
                            progress(len(done))
                except BaseException:
                    for future in pending:
                        future.cancel()
                    raise
        finally:
            if own_pool is not None:
                own_pool.close()
    ordered = sorted(rows.values(), key=lambda r: (_natural(r.student), order.index(r.question) if r.question in order else len(order), r.question))
    return BatchReport(ordered, infos, g_hash, time.perf_counter() - started, jobs, layers, notes,
                       str(folder) if folder else "", str(answers) if answers else "")
