"""What a mock exam is drawn from: exam-style, non-optional questions, weighted by the exam's four areas,
and the three fixed forms of 100 questions kept in ``questions/exam_forms.yaml``.

The areas and their shares per 100 questions are data (``grader/bank/editions/<year>.yaml``: ``areas``);
a question's area is its topic's section. The forms are drawn once by an instructor
(``eshikaku exam-forms --write``), deterministically, pairwise disjoint, each with every area's quota;
``validate --strict`` checks the file against the bank.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from grader.bank.loader import Bank
from grader.bank.schema import ChoiceQuestion, CodeBlankQuestion, NumericQuestion, Question
from grader.bank.syllabus import Syllabus, edition
from grader.i18n import _

FORMS_FILE = "exam_forms.yaml"
FORM_COUNT = 3
FORM_SIZE = 100
DRAW_SEED = 2026


class FormsError(ValueError):
    """The bank cannot fill the forms (the message names the area short of questions)."""


def is_mock_style(question: Question) -> bool:
    """The four-choice forms of the real exam: choice, code_blank with choices for every blank, and a
    numeric question with three or more wrong answers (shown as four values)."""
    from grader.grading.render import has_choice_form

    if isinstance(question, ChoiceQuestion):
        return True
    if isinstance(question, NumericQuestion):
        return has_choice_form(question)
    return isinstance(question, CodeBlankQuestion) and all(b.choices for b in question.blanks)


def mock_pool(bank: Bank, topic: str | None = None, syllabus: Syllabus | None = None) -> list[Question]:
    """The questions a mock exam may use: mock-style and not optional (grey keywords only), in id order."""
    from grader.bank.catalog import select
    from grader.bank.coverage import is_optional

    syllabus = syllabus or edition()
    return sorted((q for q in select(bank, topic=topic) if is_mock_style(q) and not is_optional(q, syllabus)), key=lambda q: q.id)


def area_of(question: Question, syllabus: Syllabus | None = None) -> str:
    area = (syllabus or edition()).area_of(question.topic)
    return area.key if area else "other"


def quotas(size: int, syllabus: Syllabus | None = None) -> dict[str, int]:
    """Questions per area in an exam of ``size`` (the shares per 100, scaled; largest remainders round up)."""
    areas = (syllabus or edition()).areas
    total = sum(a.exam_share for a in areas) or 1
    exact = {a.key: size * a.exam_share / total for a in areas}
    counts = {k: int(v) for k, v in exact.items()}
    for key in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[: size - sum(counts.values())]:
        counts[key] += 1
    return counts


def area_counts(questions: list[Question], syllabus: Syllabus | None = None) -> dict[str, int]:
    syllabus = syllabus or edition()
    counts = {a.key: 0 for a in syllabus.areas}
    for q in questions:
        key = area_of(q, syllabus)
        counts[key] = counts.get(key, 0) + 1
    return counts


def draw_by_area(pool: list[Question], count: int, rng: random.Random, syllabus: Syllabus | None = None) -> tuple[list[Question], list[str]]:
    """``count`` questions of ``pool`` by the area quotas; an area short of questions is filled from the
    others (and said in the notes)."""
    syllabus = syllabus or edition()
    by_area: dict[str, list[Question]] = {}
    for q in pool:
        by_area.setdefault(area_of(q, syllabus), []).append(q)
    for questions in by_area.values():
        rng.shuffle(questions)
    chosen: list[Question] = []
    notes = []
    for key, quota in quotas(count, syllabus).items():
        have = by_area.get(key, [])
        chosen += have[:quota]
        if len(have) < quota:
            notes.append(f"{key}: {len(have)}/{quota}")
        by_area[key] = have[quota:]
    rest = [q for questions in by_area.values() for q in questions]
    rng.shuffle(rest)
    chosen += rest[: count - len(chosen)]
    return chosen, notes


# --------------------------------------------------------------------------- the fixed forms


@dataclass(frozen=True)
class Forms:
    edition: str
    size: int
    forms: tuple[tuple[str, ...], ...]  # question ids of form 1, 2, 3


def draw_forms(bank: Bank, *, count: int = FORM_COUNT, size: int = FORM_SIZE, seed: int = DRAW_SEED, syllabus: Syllabus | None = None) -> Forms:
    """``count`` pairwise disjoint forms of ``size`` questions, each with every area's quota, drawn
    deterministically (the same bank and seed give the same forms).

    Raises:
        FormsError: An area has fewer questions than ``count`` times its quota.
    """
    syllabus = syllabus or edition()
    need = quotas(size, syllabus)
    by_area: dict[str, list[Question]] = {key: [] for key in need}
    for q in mock_pool(bank, syllabus=syllabus):
        by_area.setdefault(area_of(q, syllabus), []).append(q)
    short = [f"{key} {len(by_area[key])}/{quota * count}" for key, quota in need.items() if len(by_area[key]) < quota * count]
    if short:
        raise FormsError(f"too few mock-exam questions for {count} forms of {size}: " + ", ".join(short) + " (area: have/need)")
    rng = random.Random(seed)
    forms: list[list[str]] = [[] for _ in range(count)]
    for key, quota in need.items():
        ids = [q.id for q in by_area[key]]
        rng.shuffle(ids)
        for n in range(count):
            forms[n] += ids[n * quota : (n + 1) * quota]
    order = {q.id: q for q in bank.questions.values()}
    from grader.bank.catalog import topic_key

    ordered = tuple(tuple(sorted(form, key=lambda i: (topic_key(order[i].topic), i))) for form in forms)
    return Forms(syllabus.edition, size, ordered)


def write_forms(forms: Forms, root: Path) -> Path:
    path = root / FORMS_FILE
    data = {"edition": forms.edition, "size": forms.size, "forms": [{"form": n, "questions": list(ids)} for n, ids in enumerate(forms.forms, 1)]}
    header = "# The fixed mock-exam forms (eshikaku exam --form N). Written by `eshikaku exam-forms --write`; do not edit by hand.\n"
    path.write_text(header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def load_forms(root: Path) -> Forms | None:
    """The forms file of a bank folder, or None when there is none.

    Raises:
        FormsError: The file exists but is not a forms file.
    """
    path = root / FORMS_FILE
    if not path.is_file():
        return None
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
        forms = tuple(tuple(str(i) for i in form["questions"]) for form in data["forms"])
        return Forms(str(data["edition"]), int(data["size"]), forms)
    except (yaml.YAMLError, KeyError, TypeError, ValueError) as exc:
        raise FormsError(_("{path} は模擬試験フォームのファイルとして読めません ({error}): `eshikaku exam-forms --write` で書き直してください").format(
            path=path, error=exc)) from None


def form_problems(bank: Bank, root: Path, syllabus: Syllabus | None = None) -> list[str]:
    """What is wrong with ``root``'s forms file against ``bank``: each message says the fix."""
    syllabus = syllabus or edition()
    try:
        forms = load_forms(root)
    except FormsError as exc:
        return [str(exc)]
    if forms is None:
        return []
    fix = " (regenerate with `eshikaku exam-forms --write`)"
    problems: list[str] = []
    pool = {q.id for q in mock_pool(bank, syllabus=syllabus)}
    seen: dict[str, int] = {}
    need = quotas(forms.size, syllabus)
    for n, ids in enumerate(forms.forms, 1):
        for qid in ids:
            if qid not in bank.questions:
                problems.append(f"form {n}: {qid} is not in the bank{fix}")
            elif qid not in pool:
                problems.append(f"form {n}: {qid} is not a mock-exam question (four-choice style, not optional){fix}")
            if qid in seen:
                problems.append(f"form {n}: {qid} is also in form {seen[qid]}: forms must be disjoint{fix}")
            seen.setdefault(qid, n)
        if len(ids) != forms.size:
            problems.append(f"form {n}: {len(ids)} questions, not {forms.size}{fix}")
        counts = area_counts([bank.questions[i] for i in ids if i in bank.questions], syllabus)
        wrong = [f"{k} {counts.get(k, 0)}/{v}" for k, v in need.items() if counts.get(k, 0) != v]
        if wrong:
            problems.append(f"form {n}: area counts differ from the shares: {', '.join(wrong)} (area: has/share){fix}")
    return problems
