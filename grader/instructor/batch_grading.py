"""Grading one submission of a batch: the code in the shared pool as ``eshikaku submit`` grades it, a typed
answer in this process; the :class:`Row` that the reports are written from.

What a row records beyond the verdict, for the instructor: the seed it was graded with (a regrade reuses
it), the isolation layers the run had, and for a hidden case that raised, the exception's own message
(``detail``), which the learner's outputs never show.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from grader.bank.loader import Bank
from grader.bank.schema import CodeBase, CodeBlankQuestion, Question
from grader.i18n import _
from grader.instructor.hashes import QuestionInfo
from grader.instructor.submissions import Submission

MAX_DETAIL = 2000  # characters of a hidden case's own exception message kept for the instructor
MAX_DETAIL_FRAME = 64 << 10  # a larger error frame is not decoded again: the message is not worth the work
STOPPED = ("timeout", "cpu_limit")  # runs stopped by a time limit: where they stopped depends on the machine's load
# One message for both limits: which of the CPU and the wall limit comes first also depends on the load (the row's
# outcome still says which it was).
STOP_MESSAGE = "時間制限: 制限時間を過ぎてもコードが動き続けていました (無限ループ、または必要よりはるかに大きな計算?)"
# A first run stopped by the batch's CPU budget before the code had loaded is not run again (a loop or a sleep
# at module level would cost the question's whole limit); the row says so, and which limit decided.
BUDGET_STOP_MESSAGE = ("時間制限: 一括採点の CPU 時間の予算 {budget:g} 秒のうちにコードの読み込みが終わりませんでした (問題の制限は {limit:g} 秒): "
                       "モジュールの最上位で無限ループや重い計算をしていませんか")
BUDGET_OUTCOME = "budget"  # the row's outcome for such a run; grade-batch --no-cpu-budget grades it under the question's limits


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
    layers: list[str] = field(default_factory=list)  # the isolation layers the code ran under (code only)
    detail: str = ""  # for the instructor only: what the learner's message leaves out
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


class Turns:
    """The pool as ``grade_code`` sees it: remembers per thread the graded run (the first: a second only
    re-loads), and runs it first under the question's CPU budget (:mod:`grader.instructor.budget`).

    A run stopped by the budget after its code loaded may be slow but right: it runs again under the
    question's own limits, which decide its verdict, so no submission that those limits pass fails here.
    A run stopped before its code even loaded (a loop or a sleep at module level) is not run again:
    that is where runaway submissions stop cheaply.
    """

    def __init__(self, pool: Any, budgets: dict[str, float] | None = None) -> None:
        self.pool = pool
        self.budgets = budgets or {}
        self.local = threading.local()

    def start(self, question_id: str) -> None:
        self.local.run = None
        self.local.budget = self.budgets.get(question_id)
        self.local.budget_stop = False  # the graded run is the budgeted one, stopped before the code loaded

    def run(self, request: bytes, limits: Any = None, **options: Any) -> Any:
        first = getattr(self.local, "run", None) is None
        budget = getattr(self.local, "budget", None)
        if first and budget is not None and limits is not None and budget < limits.cpu_seconds:
            from grader.instructor.budget import budget_limits

            result = self.pool.run(request, budget_limits(limits, budget), **options)
            if result.outcome in STOPPED and result.frames:
                options.pop("meanwhile", None)  # done once already
                result = self.pool.run(request, limits, **options)
            else:
                self.local.budget_stop = result.outcome in STOPPED
        else:
            result = self.pool.run(request, limits, **options)
        if first:
            self.local.run = result
        return result


def code_verdict(result: Any, outcome: str | None) -> str:
    if result.status == "grader_fault":
        return "grader_fault"
    if result.status == "learner_error" or (outcome not in (None, "ok")):
        return "error"  # did not load, or the process was killed, timed out, crashed, exited or tampered
    return "pass" if result.passed else "fail"


def _case_dicts(result: Any) -> list[dict[str, Any]]:
    return [{"name": c.name, "hidden": c.hidden, "weight": c.weight, "passed": c.passed, "message": c.message, "diagnosis": c.diagnosis, "detail": ""}
            for c in result.cases]  # fmt: skip


def _hidden_details(run: Any, cases: list[dict[str, Any]]) -> None:
    """Fills ``detail`` of each hidden case that raised with the exception's own text (for the instructor).

    The text comes from the child, so it is decoded again here under the grader's limits, only for small
    error frames, and cut to :data:`MAX_DETAIL`; anything unexpected leaves the detail empty.
    """
    from grader.sandbox.wire import decode

    frames = list(getattr(run, "frames", ()))[1:]
    for case, frame in zip(cases, frames):
        if not case["hidden"] or case["passed"] or len(frame) > MAX_DETAIL_FRAME:
            continue
        try:
            got = decode(frame)
            error = got["error"] if got.get("status") == "error" else None
            if isinstance(error, dict) and isinstance(error.get("type"), str) and isinstance(error.get("message"), str):
                case["detail"] = f"raised {error['type']}: {error['message']}"[:MAX_DETAIL]
        except Exception:  # learner data: never an error of the grader
            continue


def _stopped_cases(data: dict[str, Any], message: str, question: CodeBase, seed: int) -> None:
    """A run stopped by a time limit scores nothing: how many cases finished first (and whether the code had
    even loaded) depends on the machine's load, so every case of the plan is listed, failed, with one message."""
    from grader.bank.cases import build_cases
    from grader.grading.codegrade import run_order

    data["cases"] = [{"name": i.label, "hidden": i.spec.hidden, "weight": i.weight, "passed": False, "message": message, "diagnosis": "",
                      "detail": ""} for i in run_order(build_cases(question, seed))]  # fmt: skip
    data["score"] = 0.0
    data["message"] = message
    data["traceback"] = []


def grade_code_row(question: CodeBase, source: str | dict[str, str], seed: int, sandbox: Turns) -> dict[str, Any]:
    from grader.grading.codegrade import grade_code

    sandbox.start(question.id)
    result = grade_code(question, source, seed, sandbox)
    run = sandbox.local.run
    outcome = run.outcome if run is not None else None
    data: dict[str, Any] = {
        "verdict": code_verdict(result, outcome),
        "score": result.score,
        "message": result.message,
        "traceback": list(result.traceback),
        "cases": _case_dicts(result),
        "outcome": outcome,
        "layers": list(result.layers or (run.layers if run is not None else ())),
    }
    if run is not None:
        _hidden_details(run, data["cases"])
    if outcome in STOPPED and sandbox.local.budget_stop:
        data["outcome"] = BUDGET_OUTCOME
        _stopped_cases(data, _(BUDGET_STOP_MESSAGE).format(budget=round(sandbox.local.budget, 2), limit=question.time_limit), question, seed)
    elif outcome in STOPPED:
        _stopped_cases(data, _(STOP_MESSAGE), question, seed)
    return data


# A typed answer's expected value comes from the bank's own code, run here; unlike code grading (whose reference
# runs and diagnoses take codegrade's own locks), nothing serialises it for threads, so one at a time.
_answers_lock = threading.Lock()


def _grade_answer(question: Question, text: str, seed: int, sandbox: Turns) -> dict[str, Any]:
    from grader.bank.params import attempt
    from grader.grading.answers import InvalidAnswer, blank_expected, blank_keys, grade

    if isinstance(question, CodeBlankQuestion):
        try:
            keys = blank_keys(question, text)
        except InvalidAnswer:
            keys = None  # not choice keys: the answer is code
        if keys is not None:
            from grader.grading.source import choice_codes

            data = grade_code_row(question, choice_codes(question, keys), seed, sandbox)  # the keys are proved by running them
            return {**data, "response": text, "expected": blank_expected(question)}
        return {**grade_code_row(question, text, seed, sandbox), "response": None}
    if isinstance(question, CodeBase):
        return {**grade_code_row(question, text, seed, sandbox), "response": None}
    with _answers_lock:
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


def grade_submission(bank: Bank, sub: Submission, infos: dict[str, QuestionInfo], sandbox: Turns, seed: int | None) -> Row:
    """Grades one submission with ``seed`` (None only for a question not in the bank); never raises (a failure
    of the grader becomes a grader_fault row)."""
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
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 2**31)
    row = Row(**base, type=question.type, verdict="error", score=0.0, max_points=question.points, seed=seed, question_hash=info.hash)
    if sub.text is None:
        row.message = f"unreadable submission: {sub.problem}"
        return row
    try:
        if sub.kind == "file":
            if not isinstance(question, CodeBase):
                row.message = f"{sub.question} is a {question.type} question, not code: give its answer in the answers file"
                return row
            data = grade_code_row(question, sub.text, seed, sandbox)
        else:
            data = _grade_answer(question, sub.text, seed, sandbox)
        for key, value in data.items():
            setattr(row, key, value)
    except Exception as exc:
        row = replace(row, verdict="grader_fault", score=0.0, message=f"the grader failed: {type(exc).__name__}: {exc}", cases=[])
    row.score = round(float(row.score), 9)
    row.seconds = round(time.perf_counter() - started, 4)
    return row


def fault_row(sub: Submission, info: QuestionInfo | None, seed: int | None, exc: BaseException) -> Row:
    """The row of a submission whose grading raised past :func:`grade_submission` (a grader fault, that row only)."""
    return Row(sub.student, sub.question, info.type if info else "?", "grader_fault", 0.0, info.points if info else 0.0, seed, origin=sub.origin,
               kind=sub.kind, message=f"the grader failed: {type(exc).__name__}: {exc}", submission_sha256=sub.sha256,
               question_hash=info.hash if info else "")  # fmt: skip
