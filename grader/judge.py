"""One entry point that grades any response: typed answers directly, code through the sandboxed grader."""

from __future__ import annotations

from grader.answers import Verdict, grade
from grader.params import Attempt


def judge(attempt: Attempt, response: str) -> Verdict:
    """Grades ``response`` to ``attempt``.

    Raises:
        InvalidAnswer: The response is not in a form the question accepts.
    """
    return grade(attempt, response)
