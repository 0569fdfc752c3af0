"""Batch grading for instructors: a class's submissions graded in parallel, each in its own sandbox run.

Input: a folder of ``<student>/<question_id>.py`` files (code questions) and, optionally, an answers
file (CSV or JSONL with the columns ``student``, ``question``, ``answer`` and optionally ``seed``) for
the other types. Output (:func:`write_reports`): ``results.csv`` (one row per student and question),
``cases.csv`` (one row per case), ``students.csv`` (totals), ``report.json`` (everything, plus the
hashes that ``--since-changed`` compares) and a Gradescope ``results.json`` per student.

Every code submission runs exactly as ``eshikaku submit`` runs it (:func:`grader.grading.codegrade.grade_code`
in a fresh isolated child), on a :class:`grader.sandbox.sandbox.SandboxPool`; a crash, a hang or an attack
ends only its own child, so it changes only its own row. The grader's own part (building the cases,
running the trusted reference, judging) runs in this process; the steps that touch global state (the
reference harness swaps ``sys.stdout`` and seeds NumPy's global generator) take their own locks.

A batch never loses what it graded: a grading that raises is a grader_fault row of that submission only,
and an interruption (Ctrl-C) or a failure at the end (closing the pool) still returns every row graded
so far, with :attr:`BatchReport.interrupted` or :attr:`BatchReport.faults` saying what happened.

Inputs are collected by :mod:`grader.instructor.submissions`, one submission is graded by
:mod:`grader.instructor.batch_grading`, seeds come from :mod:`grader.instructor.hashes` and the
reports are written by :mod:`grader.instructor.batch_reports`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.loader import Bank
from grader.bank.schema import CodeBase
from grader.errors import GraderFault
from grader.instructor.batch_constants import FORMAT, REPORT_NAME, VERDICTS, BatchInputError
from grader.instructor.batch_grading import BUDGET_OUTCOME, Row, Turns, fault_row, grade_submission
from grader.instructor.hashes import QuestionInfo, batch_salt, grader_hash, question_info, submission_seed
from grader.instructor.submissions import Submission, collect

__all__ = ["BatchReport", "Row", "WeakerIsolation", "grade_batch", "load_previous"]


class WeakerIsolation(GraderFault):
    """The sandbox has fewer isolation layers than ``eshikaku doctor`` reports: nothing is graded.

    A grader fault (exit 3), not a usage error: the instructor's input is fine, the machine is not
    (errors.py: FAULT is "a bug or a machine problem"); ``--allow-weaker-isolation`` accepts it knowingly.
    """


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
    interrupted: str = ""  # why grading stopped before every submission was graded (e.g. KeyboardInterrupt)
    faults: list[str] = field(default_factory=list)  # grader failures outside any row (e.g. closing the pool)
    not_graded: int = 0  # submissions left ungraded by an interruption (they have no row)
    budgets: dict[str, float] = field(default_factory=dict)  # question → CPU seconds of each first run (grader.instructor.budget)

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


def previous_seeds(previous: dict[str, Any] | None) -> dict[tuple[str, str], tuple[str, str, int]]:
    """(student, question) → (submission sha256, question content hash, seed) of each row of an earlier report.

    A regrade of an unchanged submission against an unchanged question reuses its seed, so that it
    sees the same cases as when it was first graded.
    """
    if previous is None:
        return {}
    questions = previous.get("questions") if isinstance(previous.get("questions"), dict) else {}
    found = {}
    for data in previous.get("rows", []):
        if not isinstance(data, dict) or not isinstance(data.get("seed"), int):
            continue
        qinfo = questions.get(data.get("question")) if isinstance(questions, dict) else None
        content = str(qinfo.get("content_hash", "")) if isinstance(qinfo, dict) else ""
        found[(str(data.get("student")), str(data.get("question")))] = (str(data.get("submission_sha256", "")), content, data["seed"])
    return found


def _seed_of(sub: Submission, info: QuestionInfo | None, earlier: dict[tuple[str, str], tuple[str, str, int]], salt: bytes) -> int | None:
    if sub.seed is not None:  # the answers file names the attempt the student answered
        return sub.seed
    if info is None:
        return None
    old = earlier.get((sub.student, sub.question))
    if old is not None and old[0] == sub.sha256 and old[1] == info.content_hash:
        return old[2]
    return submission_seed(salt, sub.student, sub.question, info.content_hash, sub.sha256)


def check_isolation(pool: Any, allow_weaker: bool) -> list[str]:
    """Refuses a pool with fewer layers than ``doctor`` reports (:class:`WeakerIsolation`), or notes it when allowed."""
    from grader.sandbox.sandbox import layer_status

    wanted = [s.name for s in layer_status() if s.active]
    boxes = getattr(pool, "sandboxes", None) or [pool]
    missing = sorted({name for box in boxes for name in wanted if name not in tuple(box.layers)}, key=wanted.index)
    if not missing:
        return []
    if not allow_weaker:
        raise WeakerIsolation(f"the sandbox lacks isolation layer(s) that `eshikaku doctor` reports on this machine ({', '.join(missing)}): nothing "
                              "was graded; run `eshikaku doctor` to see why, or pass --allow-weaker-isolation to grade without them")
    return [f"graded with fewer isolation layers than `eshikaku doctor` reports (--allow-weaker-isolation): missing {', '.join(missing)}"]


def _budgets(bank: Bank, todo: list[Submission]) -> dict[str, float]:
    from grader.instructor.budget import cpu_budget

    found = {}
    for qid in sorted({s.question for s in todo}):
        question = bank.get(qid)
        budget = cpu_budget(question) if isinstance(question, CodeBase) else None
        if budget is not None:
            found[qid] = budget
    return found


def _ignore_interrupts() -> Callable[[], None]:
    """Ignores SIGINT (main thread only) and returns what puts the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    return restore


def _run_all(bank: Bank, todo: list[Submission], infos: dict[str, QuestionInfo], seeds: dict[tuple[str, str], int | None], turns: Turns,
             jobs: int, progress: Callable[[int], None] | None) -> tuple[dict[tuple[str, str], Row], str]:  # fmt: skip
    """Grades ``todo`` on ``jobs`` threads; returns the rows graded and, if grading stopped early, why.

    Never raises: a future that raised becomes a grader_fault row of its own submission, and an
    interruption (KeyboardInterrupt, or any error here) cancels what has not started, waits for what
    is running (each run is bounded by its limits) and returns every row finished.
    """
    rows: dict[tuple[str, str], Row] = {}
    interrupted = ""
    restore: Callable[[], None] = lambda: None
    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="eshikaku-batch")
    futures: dict[Future[Row], Submission] = {}

    def take(future: Future[Row]) -> None:
        sub = futures[future]
        try:
            row = future.result()
        except BaseException as exc:  # grade_submission never raises; if it does, that row only
            row = fault_row(sub, infos.get(sub.question), seeds.get((sub.student, sub.question)), exc)
        rows[(row.student, row.question)] = row

    try:
        finished: queue.SimpleQueue[Future[Row]] = queue.SimpleQueue()  # in the order they finish
        for sub in todo:
            future = executor.submit(grade_submission, bank, sub, infos, turns, seeds[(sub.student, sub.question)])
            futures[future] = sub
            future.add_done_callback(finished.put)
        left = len(futures)
        while left:
            try:  # with a timeout, so that Ctrl-C is seen while every thread is busy
                future = finished.get(timeout=0.5)
            except queue.Empty:
                continue
            take(future)
            left -= 1
            if progress:
                progress(1)
    except BaseException as exc:  # Ctrl-C included: the rows so far must still be reported
        restore = _ignore_interrupts()  # a second Ctrl-C while the running submissions finish must not lose them
        interrupted = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else f"stopped by {type(exc).__name__}: {exc}"
        for future in futures:
            future.cancel()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        restore()
    if interrupted:
        for future in futures:
            key = (futures[future].student, futures[future].question)
            if future.done() and not future.cancelled() and key not in rows:
                take(future)
    return rows, interrupted


def default_jobs() -> int:
    """One sandbox more than there are CPUs: a submission that sleeps until its deadline holds a sandbox,
    not a core (2 cores, a class with 5 % runaway rows: 100 → 135 submissions/s; an honest class: the same)."""
    return (os.cpu_count() or 1) + 1


def grade_batch(
    bank: Bank,
    folder: Path | None,
    *,
    answers: Path | None = None,
    assignment: list[str] | None = None,
    jobs: int | None = None,
    previous: dict[str, Any] | None = None,
    reuse: bool = True,
    allow_weaker_isolation: bool = False,
    cpu_budget: bool = True,
    pool: Any = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchReport:
    """Grades every submission in ``folder`` (and ``answers``) and returns the rows, in order.

    Each submission gets a seed of its own (:func:`grader.instructor.hashes.submission_seed`): a
    resubmission sees new hidden inputs, while a regrade of an unchanged submission (``previous``)
    reuses the seed its row records.

    Args:
        assignment: Question ids every student should have answered (a missing one gets a
            ``missing`` row); default: every question anyone submitted.
        jobs: Submissions graded at once, each in its own sandbox (default: :func:`default_jobs`).
        previous: An earlier report (:func:`load_previous`): its seeds are reused for unchanged
            submissions and, with ``reuse``, rows whose submission, question and reference code are
            unchanged are taken from it instead of being graded again.
        reuse: False grades every submission again (a regrade), with the recorded seeds.
        allow_weaker_isolation: Grade even when the sandbox has fewer layers than ``doctor`` reports.
        cpu_budget: Run each submission first under a CPU budget derived from the reference's cost
            (:mod:`grader.instructor.budget`); False gives every run the question's own limits.
        pool: A :class:`grader.sandbox.sandbox.SandboxPool` to use (default: one of ``jobs`` sandboxes,
            started here and closed at the end).
        progress: Called with the number of rows finished since the last call.
        on_start: Called once with the number of submissions to grade.

    Raises:
        BatchInputError: The answers file cannot be used.
        WeakerIsolation: The sandbox lacks a layer and ``allow_weaker_isolation`` is False.
    """
    started = time.perf_counter()
    jobs = max(1, jobs or default_jobs())
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
    if previous is not None and reuse:
        if previous.get("grader_hash") != g_hash:
            notes.append("the grader changed since the previous report: every submission is graded again")
        else:
            for data in previous.get("rows", []):
                if not isinstance(data, dict) or data.get("verdict") in ("grader_fault", "missing"):
                    continue
                if not cpu_budget and data.get("outcome") == BUDGET_OUTCOME:
                    continue  # stopped by the CPU budget before its code loaded: graded again without one
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
    earlier, salt = previous_seeds(previous), batch_salt()
    seeds = {(s.student, s.question): _seed_of(s, infos.get(s.question), earlier, salt) for s in todo}

    own_pool = None
    layers: tuple[str, ...] = ()
    faults: list[str] = []
    budgets: dict[str, float] = {}
    interrupted = ""
    needs_sandbox = any(isinstance(bank.get(s.question), CodeBase) and s.text is not None for s in todo)
    if todo:
        if pool is None and needs_sandbox:
            from grader.sandbox.sandbox import SandboxPool

            pool = own_pool = SandboxPool(workers=min(jobs, len(todo)))
        try:
            if pool is not None and needs_sandbox:
                notes += check_isolation(pool, allow_weaker_isolation)
            layers = tuple(pool.layers) if pool is not None else ()
            if on_start:
                on_start(len(todo))
            # the longest-running kind first keeps the pool busy at the end: code before typed answers
            todo.sort(key=lambda s: (not isinstance(bank.get(s.question), CodeBase), _natural(s.student), s.question))
            budgets = _budgets(bank, todo) if cpu_budget else {}
            graded, interrupted = _run_all(bank, todo, infos, seeds, Turns(pool, budgets), jobs, progress)
            rows.update(graded)
        finally:
            if own_pool is not None:
                try:
                    own_pool.close()
                except KeyboardInterrupt:  # Ctrl-C while the sandboxes stop: the rows are graded, keep them
                    interrupted = interrupted or "interrupted (Ctrl-C)"
                    faults.append("the sandbox was not closed (Ctrl-C): its scratch folders may remain under the temporary directory")
                except Exception as exc:  # the rows are graded: a failure to clean up must not lose them
                    faults.append(f"the sandbox could not be closed cleanly ({type(exc).__name__}: {str(exc)[:200]}); its scratch folders may "
                                  "remain under the temporary directory")  # fmt: skip
    weaker = [r for r in rows.values() if r.layers and not r.reused and layers and set(layers) - set(r.layers)]
    if weaker:
        notes.append(f"{len(weaker)} row(s) ran under fewer isolation layers than the batch started with (see their layers column)")
    ordered = sorted(rows.values(), key=lambda r: (_natural(r.student), order.index(r.question) if r.question in order else len(order), r.question))
    not_graded = sum(1 for s in todo if (s.student, s.question) not in rows)
    return BatchReport(ordered, infos, g_hash, time.perf_counter() - started, jobs, layers, notes,
                       str(folder) if folder else "", str(answers) if answers else "", interrupted, faults, not_graded, budgets)  # fmt: skip
