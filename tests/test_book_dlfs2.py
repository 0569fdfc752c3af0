"""The second book's code graded fairly: its own implementation of every question passes, learner-style
bugs fail with feedback that names the defect, and right code in another published convention passes or
is told which convention it used (never a bare value mismatch).

The submissions are files in tests/book_dlfs2/<question id>/, each headed by what must happen to it
(see the README there)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.bank.loader import load_bank
from grader.grading.codegrade import CodeResult, grade_code
from grader.grading.report import result_text

SUBMISSIONS = Path(__file__).parent / "book_dlfs2"
BANK = load_bank(use_cache=False)
EXPECT = re.compile(r"^# expect: (pass|misconception (?P<name>[a-z0-9_]+)|message (?P<text>.+))$")


@dataclass(frozen=True)
class Submission:
    question: str
    path: Path
    outcome: str  # pass | misconception | message
    detail: str = ""

    @property
    def label(self) -> str:
        return f"{self.question}/{self.path.stem}"

    @property
    def convention(self) -> bool:
        return self.path.stem.startswith("conv_")


def _read(path: Path) -> Submission:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = EXPECT.match(first)
    assert match, f"{path}: the first line must say `# expect: …`"
    outcome = match.group(1).split()[0]
    return Submission(path.parent.name, path, outcome, match.group("name") or match.group("text") or "")


ALL = [_read(p) for p in sorted(SUBMISSIONS.glob("*/*.py"))]
BOOK = [s for s in ALL if s.path.stem == "book"]
BUGS = [s for s in ALL if s.outcome != "pass" and not s.convention]
CONVENTIONS = [s for s in ALL if s.convention]


def grade(submission: Submission, seed: int = 7) -> CodeResult:
    return grade_code(BANK.questions[submission.question], submission.path.read_text(encoding="utf-8"), seed)


def failed_cases(result: CodeResult) -> str:
    return "; ".join(f"{c.name}: {c.message}" for c in result.cases if not c.passed) or result.message


def test_every_question_of_the_second_book_has_the_books_code_and_learner_bugs() -> None:
    folders = {p.name for p in SUBMISSIONS.iterdir() if p.is_dir()}
    assert folders <= set(BANK.questions), sorted(folders - set(BANK.questions))
    assert {s.question for s in BOOK} == folders
    assert len(BUGS) >= 20 and len(CONVENTIONS) >= 5


@pytest.mark.parametrize("submission", BOOK, ids=lambda s: s.question)
def test_the_books_own_code_passes(submission: Submission) -> None:
    for seed in (3, 7):
        result = grade(submission, seed)
        assert result.passed, failed_cases(result)


@pytest.mark.parametrize("submission", BUGS, ids=lambda s: s.label)
def test_a_learner_bug_fails_and_the_feedback_names_it(submission: Submission) -> None:
    result = grade(submission)
    assert result.status == "graded" and not result.passed
    text = result_text(result)
    if submission.outcome == "misconception":
        question = BANK.questions[submission.question]
        says = next(m.says for m in question.misconceptions if m.name == submission.detail)
        assert submission.detail in result.misconceptions, (result.misconceptions, failed_cases(result))
        assert says in text
    else:
        assert submission.detail in text, text


@pytest.mark.parametrize("submission", CONVENTIONS, ids=lambda s: s.label)
def test_right_code_in_another_convention_passes_or_is_told_its_convention(submission: Submission) -> None:
    result = grade(submission)
    if submission.outcome == "pass":
        assert result.passed, failed_cases(result)
    else:
        assert not result.passed
        assert result.misconceptions == (submission.detail,), (result.misconceptions, failed_cases(result))
        says = next(m.says for m in BANK.questions[submission.question].misconceptions if m.name == submission.detail)
        assert says in result_text(result)
