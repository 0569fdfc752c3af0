"""Which syllabus keywords the bank tests, by which questions, and which fall below the floor.

A keyword is *tested* by a question that lists it in ``keywords`` (a learner must know it to answer).
The floor: every in-scope keyword by at least two questions, one of them exam-style; every optional
(grey) keyword by at least one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.bank.loader import Bank
from grader.bank.schema import Question
from grader.bank.syllabus import Keyword, Syllabus, edition

IN_SCOPE_FLOOR, OPTIONAL_FLOOR = 2, 1


def tested_keywords(question: Question, syllabus: Syllabus) -> list[Keyword]:
    found = (syllabus.keyword(question.syllabus, text) for text in question.keywords)
    return [kw for kw in found if kw is not None]


def is_optional(question: Question, syllabus: Syllabus | None = None) -> bool:
    """A question is optional when every keyword it tests is grey (not examined): mock exams leave it out."""
    keywords = tested_keywords(question, syllabus or edition())
    return bool(keywords) and all(kw.optional for kw in keywords)


@dataclass(frozen=True)
class KeywordCoverage:
    keyword: Keyword
    questions: tuple[str, ...]
    exam_style: tuple[str, ...]

    @property
    def floor(self) -> int:
        return OPTIONAL_FLOOR if self.keyword.optional else IN_SCOPE_FLOOR

    @property
    def below_floor(self) -> bool:
        if len(self.questions) < self.floor:
            return True
        return not self.keyword.optional and not self.exam_style

    def as_dict(self) -> dict[str, Any]:
        return {"keyword": self.keyword.name, "item": self.keyword.item, "optional": self.keyword.optional,
                "questions": list(self.questions), "exam_style": list(self.exam_style), "below_floor": self.below_floor}


def coverage(bank: Bank, syllabus: Syllabus | None = None) -> list[KeywordCoverage]:
    """Every keyword of the syllabus, in syllabus order, with the questions that test it."""
    syllabus = syllabus or edition()
    testing: dict[tuple[str, str], list[Question]] = {}
    for question in bank.questions.values():
        for kw in tested_keywords(question, syllabus):
            testing.setdefault((kw.item, kw.name), []).append(question)
    out = []
    for kw in syllabus.all_keywords():
        questions = sorted(testing.get((kw.item, kw.name), []), key=lambda q: q.id)
        out.append(KeywordCoverage(kw, tuple(q.id for q in questions), tuple(q.id for q in questions if q.exam_style)))
    return out


def below_floor(rows: list[KeywordCoverage]) -> list[KeywordCoverage]:
    return [row for row in rows if row.below_floor]


def coverage_lines(rows: list[KeywordCoverage], syllabus: Syllabus, *, only_below: bool = False, topic: str | None = None) -> list[str]:
    """The report as text: per sub-item, each keyword with the ids that test it (``!`` marks a keyword below the floor)."""
    lines: list[str] = []
    current = ""
    for row in rows:
        item = syllabus.items[row.keyword.item]
        if topic and not (item.topic == topic or item.topic.split("-")[0] == topic):
            continue
        if only_below and not row.below_floor:
            continue
        if item.key != current:
            current = item.key
            lines.append(f"{item.key} {item.name}")
        mark = "!" if row.below_floor else " "
        grey = " (optional)" if row.keyword.optional else ""
        ids = ", ".join(f"{q}*" if q in row.exam_style else q for q in row.questions) or "-"
        lines.append(f" {mark} {row.keyword.name}{grey}: {len(row.questions)}  {ids}")
    return lines


def summary_line(rows: list[KeywordCoverage]) -> str:
    scope = [r for r in rows if not r.keyword.optional]
    grey = [r for r in rows if r.keyword.optional]
    return (f"in-scope keywords: {len(scope)}, below {IN_SCOPE_FLOOR} questions or without an exam-style one: "
            f"{sum(r.below_floor for r in scope)}; optional keywords: {len(grey)}, below {OPTIONAL_FLOOR}: "
            f"{sum(r.below_floor for r in grey)}  (* exam-style)")
