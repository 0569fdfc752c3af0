"""The built-in bank: it validates (with every code question proved by execution) and meets its promises."""

from __future__ import annotations

import pytest

from grader.bankcheck import check
from grader.catalog import README_END, README_START, counts_table
from grader.loader import BUILTIN_BANK, load_bank
from grader.schema import CodeBase, CodeBlankQuestion

BANK = load_bank(use_cache=False)


def test_the_built_in_bank_validates_by_execution() -> None:
    report = check([BUILTIN_BANK])
    assert report.errors == [], "\n".join(map(str, report.errors))
    proved_wrong = {p.question for p in report.proofs if p.subject == "template" and p.outcome.startswith("fails")}
    code = {qid for qid, q in BANK.questions.items() if isinstance(q, CodeBase)}
    assert proved_wrong == code  # every template fails a named case
    distractors = sum(len(b.choices) - 1 for q in BANK.questions.values() if isinstance(q, CodeBlankQuestion) for b in q.blanks if b.choices)
    assert sum(p.subject.startswith("(") for p in report.proofs) == distractors


def test_every_question_has_a_hint_an_explanation_and_a_known_topic() -> None:
    from grader.syllabus import TOPICS

    for q in BANK.questions.values():
        assert q.hints and q.explanation.strip(), q.id
        assert q.topic in TOPICS, q.id


def test_the_bank_passes_the_strict_checks() -> None:
    # Right answers spread over positions, every code_function has an exam-style sibling, and no
    # prompt names a blank its template lacks.
    from grader.bankcheck import strict_errors

    assert strict_errors(BANK) == []


def test_questions_readme_counts_are_current() -> None:
    text = (BUILTIN_BANK / "README.md").read_text(encoding="utf-8")
    table = text.split(README_START)[1].split(README_END)[0].strip()
    assert table == counts_table(BANK), "run `eshikaku list --update-readme`"


@pytest.mark.parametrize("qid", sorted(q.id for q in BANK.questions.values() if q.source != "original" and not q.source.startswith("original")))
def test_seed_questions_name_their_seed(qid: str) -> None:
    assert "seed" in BANK.questions[qid].source
