"""Naming the defect by execution: which of a question's known misconceptions the submission behaves like.

A question lists its misconceptions as code (a wrong variant of the solution and one sentence). When a
submission fails, each variant runs here, in the trusted process, on the very inputs of the failing
cases; a variant whose results equal the learner's on every one of those cases is the likely defect,
and its sentence is shown. Only the bank's fixed sentence ever reaches the learner: the learner's
results are compared, never quoted, so hidden cases stay hidden.

The line of the defect is then looked for in the learner's source: the lines where the variant differs
from the model solution are the misconception's own, and the learner's line most like one of them is
where the wrong value was produced.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from grader.bank.cases import CaseInstance
from grader.bank.schema import CodeBase, CodeBlankQuestion
from grader.grading.source import fill_blanks, solution_source
from grader.grading.trusted import run_prelude, time_limit
from grader.sandbox.harness import run_case

# Running a case swaps sys.stdout and seeds NumPy's global generator: one at a time, as for the reference.
_lock = threading.Lock()
SIMILAR_LINE = 0.75  # how alike a learner's line must be to the misconception's line to be pointed at


@dataclass(frozen=True)
class Finding:
    """A misconception the submission matched, and where in the learner's source it most likely is."""

    name: str
    says: str
    line: str = ""  # "line 4: x = x - np.max(x)"; empty when no line is alike enough


def misconception_source(question: CodeBase, index: int) -> str:
    """The complete source of one misconception (a code_blank's wrong blanks go into the right template)."""
    wrong = question.misconceptions[index]
    if wrong.code.strip() or not isinstance(question, CodeBlankQuestion):
        return wrong.code
    right = {b.name: b.right_code for b in question.blanks}
    return fill_blanks(question, right | wrong.blanks)


def _namespace(question: CodeBase, source: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "misconception"}
    if question.prelude:
        run_prelude(question.prelude, namespace)
    with time_limit("a misconception while loading"):
        exec(compile(source, "<misconception>", "exec"), namespace)
    return namespace


def _same_outcome(instance: CaseInstance, learner: dict[str, Any], variant: dict[str, Any]) -> bool:
    from grader.grading.codegrade import judge_case

    if learner.get("status") == "error" or variant.get("status") == "error":
        mine, theirs = learner.get("error") or {}, variant.get("error") or {}
        both = learner.get("status") == variant.get("status") == "error"
        return both and mine.get("type") == theirs.get("type") and mine.get("message") == theirs.get("message")
    try:
        return judge_case(instance, learner, variant) is None
    except Exception:  # a variant's result the judge cannot compare with is simply not a match
        return False


def defect_line(question: CodeBase, variant_source: str, learner_source: str) -> str:
    """``line N: <code>`` for the learner's line most like a line that only the misconception has."""
    solution = solution_source(question) or ""
    right = {line.strip() for line in solution.splitlines()}
    own = [line.strip() for line in variant_source.splitlines() if line.strip() and line.strip() not in right]
    best, where = 0.0, 0
    lines = learner_source.splitlines()
    for number, text in enumerate(lines, start=1):
        for wrong in own:
            ratio = difflib.SequenceMatcher(None, text.strip(), wrong).ratio()
            if ratio > best:
                best, where = ratio, number
    return f"line {where}: {lines[where - 1].strip()}" if where and best >= SIMILAR_LINE else ""


def diagnose(question: CodeBase, learner_source: str, failing: Sequence[tuple[CaseInstance, dict[str, Any]]]) -> tuple[Finding, ...]:
    """The misconceptions whose results equal the learner's on every failing case.

    Args:
        question: The code question, with its ``misconceptions``.
        learner_source: The graded source (for the line pointer).
        failing: Each failing case that ran to the end (no time-out, not a property case), with the
            learner's decoded, verified result frame.
    """
    cases = [(i, frame) for i, frame in failing if i.spec.property is None]
    if not cases or not question.misconceptions:
        return ()
    found = []
    with _lock:
        for index, wrong in enumerate(question.misconceptions):
            source = misconception_source(question, index)
            try:
                namespace = _namespace(question, source)
            except Exception:  # validate proves every misconception loads; a broken one only goes unmatched
                continue
            with time_limit(f"misconception {wrong.name}"):
                same = all(_same_outcome(instance, frame, run_case(instance.program, namespace)) for instance, frame in cases)
            if same:
                found.append(Finding(wrong.name, wrong.says, defect_line(question, source, learner_source)))
    return tuple(found)
