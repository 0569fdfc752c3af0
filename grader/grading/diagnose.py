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
from grader.grading.compare import compare
from grader.grading.source import fill_blanks, solution_source
from grader.grading.trusted import compiled, run_prelude, time_limit
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
        exec(compiled(source, "<misconception>"), namespace)
    return namespace


def _same_outcome(instance: CaseInstance, learner: dict[str, Any], variant: dict[str, Any], *, loose: bool = False) -> bool:
    """Whether the learner's run of a case did what the variant's did: the same results, the same final state of
    every input (a misconception may well modify its input), or the same exception (``loose``: of the same type)."""
    if learner.get("status") == "error" or variant.get("status") == "error":
        mine, theirs = learner.get("error") or {}, variant.get("error") or {}
        if not learner.get("status") == variant.get("status") == "error" or mine.get("type") != theirs.get("type"):
            return False
        return loose or mine.get("message") == theirs.get("message")
    try:
        outputs, expected = learner.get("outputs", []), variant.get("outputs", [])
        if len(outputs) != len(expected) or any(compare(g, e, instance.compare) for g, e in zip(outputs, expected)):
            return False
        finals, variant_finals = learner.get("finals", {}), variant.get("finals", {})
        if any(compare(finals.get(name), variant_finals.get(name), instance.compare) for name in instance.program["let"]):
            return False
        return set(learner.get("rebound", [])) == set(variant.get("rebound", []))
    except Exception:  # a result the comparison cannot handle is simply not a match
        return False


def _code_of(line: str) -> str:
    """A line without its indentation and trailing comment (comments differ between any two authors)."""
    return line.split("#", 1)[0].strip() if "#" in line and "'" not in line and '"' not in line else line.strip()


def defect_line(question: CodeBase, variant_source: str, learner_source: str) -> str:
    """``line N: <code>`` for the learner's line most like a line that only the misconception has."""
    solution = solution_source(question) or ""
    right = {_code_of(line) for line in solution.splitlines()}
    own = [_code_of(line) for line in variant_source.splitlines() if _code_of(line) and _code_of(line) not in right]
    best, where = 0.0, 0
    lines = learner_source.splitlines()
    for number, text in enumerate(lines, start=1):
        for wrong in own:
            ratio = difflib.SequenceMatcher(None, _code_of(text), wrong).ratio()
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
    exact: list[tuple[int, str]] = []  # the variants that did what the learner's code did on every case
    by_type: list[tuple[int, str]] = []  # the same, but with exceptions matched by type alone
    with _lock:
        for index, wrong in enumerate(question.misconceptions):
            source = misconception_source(question, index)
            try:
                namespace = _namespace(question, source)
                same = loose = True
                with time_limit(f"misconception {wrong.name}"):
                    for instance, frame in cases:  # a variant stops at the first case it does not match
                        result = run_case(instance.program, namespace)
                        same = same and _same_outcome(instance, frame, result)
                        loose = same or _same_outcome(instance, frame, result, loose=True)
                        if not loose:
                            break
            except Exception:  # validate proves every misconception loads and runs; a broken one only goes unmatched
                continue
            if same:
                exact.append((index, source))
            elif loose:
                by_type.append((index, source))
    # Exception messages depend on operand order: matched by type alone only when one variant fits.
    matched = exact or (by_type if len(by_type) == 1 else [])
    return tuple(Finding(question.misconceptions[i].name, question.misconceptions[i].says, defect_line(question, source, learner_source))
                 for i, source in matched)
