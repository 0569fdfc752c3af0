"""Code answers as verdicts: code (typed, or the snippets of the chosen keys of a code_blank) is run through
the sandboxed grader and summed up as a :class:`Verdict`, with the full result beside it. A code_blank
answered by keys is not looked up: the answer key is proved by execution every time
(:func:`grader.learner.practice.grade_response` decides what runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.bank.params import Attempt
from grader.bank.schema import CodeBase, CodeBlankQuestion
from grader.grading.answers import InvalidAnswer, Verdict, blank_expected, model_solution
from grader.i18n import _

if TYPE_CHECKING:
    from grader.grading.codegrade import CodeResult


def code_verdict(attempt: Attempt, response: str, result: CodeResult) -> Verdict:
    """A :class:`Verdict` summarising a code result (the per-case detail stays in the result)."""
    from grader.grading.report import case_lines

    question = attempt.question
    if isinstance(question, CodeBlankQuestion):
        expected = blank_expected(question)
    else:
        expected = model_solution(question)
    return Verdict(result.passed, result.score, response, expected, tuple(case_lines(result)))


def judge_code(attempt: Attempt, submission: str | dict[str, str], seed: int | None = None, sandbox: Any = None) -> tuple[Verdict, CodeResult]:
    """Runs code for a code question and returns the verdict with the full result (in ``sandbox``, else
    the process's shared one).

    Raises:
        InvalidAnswer: The question is not a code question.
    """
    from grader.grading.codegrade import grade_code

    question = attempt.question
    if not isinstance(question, CodeBase):
        raise InvalidAnswer(_("{id} はコードの問題ではありません").format(id=question.id))
    result = grade_code(question, submission, seed, sandbox=sandbox)
    shown = submission if isinstance(submission, str) else ", ".join(f"{k}: {v}" for k, v in submission.items())
    return code_verdict(attempt, shown, result), result
