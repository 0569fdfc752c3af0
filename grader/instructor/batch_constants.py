"""Names shared by the batch modules: the report format, verdicts and limits."""

from __future__ import annotations

import re

from grader.errors import UsageError

FORMAT = "eshikaku-batch/1"
REPORT_NAME = "report.json"
VERDICTS = ("pass", "fail", "error", "grader_fault", "missing")
MAX_SUBMISSION_BYTES = 1 << 20
# What a question shows but does not grade with: editing these changes neither seeds nor verdicts.
PRESENTATION_FIELDS = frozenset({
    "title", "prompt", "explanation", "hints", "tags", "source", "related", "difficulty", "topic", "solution_note", "syllabus", "keywords", "misconceptions",
    "worked_examples",
})  # fmt: skip
# The modules whose code decides a verdict; when they change, --since-changed regrades everything.
GRADER_MODULES = ("grading/answers", "bank/cases", "grading/codegrade", "grading/compare", "bank/expression", "sandbox/harness",
                  "grading/judge", "bank/params")
_STUDENT_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


class BatchInputError(UsageError, ValueError):
    """The folder or the answers file cannot be used as given (an instructor-side problem)."""


