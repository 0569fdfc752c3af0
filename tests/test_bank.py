"""The built-in bank: it validates (with every code question proved by execution) and meets its promises."""

from __future__ import annotations

import pytest

from grader.bank.catalog import README_END, README_START, counts_table
from grader.bank.loader import BUILTIN_BANK, load_bank
from grader.bank.schema import CodeBase, CodeBlankQuestion
from grader.instructor.bankcheck import check

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
    from grader.bank.syllabus import topics

    for q in BANK.questions.values():
        assert q.hints and q.explanation.strip(), q.id
        assert q.topic in topics(), q.id


def test_the_bank_passes_the_strict_checks() -> None:
    # Right answers spread over positions, every code_function has an exam-style sibling, and no
    # prompt names a blank its template lacks.
    from grader.instructor.bankcheck import strict_errors

    assert strict_errors(BANK) == []


def test_questions_readme_counts_are_current() -> None:
    text = (BUILTIN_BANK / "README.md").read_text(encoding="utf-8")
    table = text.split(README_START)[1].split(README_END)[0].strip()
    assert table == counts_table(BANK), "run `eshikaku list --update-readme`"


@pytest.mark.parametrize("qid", sorted(q.id for q in BANK.questions.values() if q.source != "original" and not q.source.startswith("original")))
def test_seed_questions_name_their_seed(qid: str) -> None:
    assert "seed" in BANK.questions[qid].source


def _choice_file(folder, qid: str, answer: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    choices = "\n".join(f'  - {{key: "{k}", text: "option {k}"}}' for k in "1234")
    (folder / f"{qid}.yaml").write_text(
        f'id: {qid}\ntype: choice\ntopic: "3-1"\ndifficulty: 1\nprompt: p\nexplanation: e\nhints: [h]\n'
        f'choices:\n{choices}\nanswer: "{answer}"\n',
        encoding="utf-8",
    )


def test_strict_reports_answer_position_bias_and_a_lone_code_function(tmp_path) -> None:
    from grader.instructor.bankcheck import check

    folder = tmp_path / "03-1_forward"
    for i in range(8):
        _choice_file(folder, f"q{i}", "1" if i < 6 else "2")
    (folder / "lone.yaml").write_text(
        (BUILTIN_BANK / "03-1_forward" / "softmax_function.yaml").read_text(encoding="utf-8")
        .replace("id: softmax_function", "id: lone").replace("related: [softmax_overflow, softmax_preserves_order]\n", ""),
        encoding="utf-8",
    )
    messages = [e.message for e in check([tmp_path], execute=False, strict=True).errors]
    assert any("position 1 in 6 of 8" in m for m in messages), messages
    assert any("no exam-style sibling" in m for m in messages), messages
    assert check([tmp_path], execute=False).errors == []  # both are --strict findings only


def test_the_bank_covers_the_whole_syllabus() -> None:
    # The floors a learner preparing for the whole deep-learning part of the exam relies on.
    import json

    from click.testing import CliRunner

    from cli import main

    listing = json.loads(CliRunner().invoke(main, ["list", "--json"]).stdout)
    counts = listing["counts"]
    by_topic = {topic: c["total"] for topic, c in counts["by_topic"].items()}
    by_section = {s: sum(n for t, n in by_topic.items() if t.startswith(f"{s}-")) for s in "12345"}
    exam_style = sum(q["exam_style"] for q in listing["questions"])
    assert counts["total"] >= 450 and exam_style >= 320, (counts["total"], exam_style)
    assert by_section["1"] >= 25 and by_section["2"] >= 25 and by_section["1"] + by_section["2"] >= 60, by_section
    assert all(by_topic.get(f"3-{i}", 0) >= 10 for i in range(1, 8)), by_topic
    assert all(by_topic.get(f"4-{i}", 0) >= 4 for i in range(1, 10)), by_topic
    assert all(by_topic.get(f"5-{i}", 0) >= 4 for i in range(1, 5)), by_topic
    assert counts["code"] >= 45 and counts["parameterised"] >= 25
    code_in_1_and_2 = [q for q in listing["questions"] if q["topic"][0] in "12" and q["type"] in ("code_function", "code_blank")]
    assert len(code_in_1_and_2) >= 10
    styles = {q.type for q in BANK.questions.values()}
    assert {"choice", "numeric", "code_blank"} <= styles
    assert any(c.parts for q in BANK.questions.values() if q.type == "choice" for c in q.choices)  # (あ)〜(え) の組み合わせ


def test_every_keyword_of_the_syllabus_is_tested_to_the_floor() -> None:
    # In-scope keywords by two questions, one of them exam-style; optional (grey) keywords by one.
    from click.testing import CliRunner

    from cli import main

    result = CliRunner().invoke(main, ["coverage", "--below"])
    assert result.exit_code == 0, result.stdout[-2000:]
    assert result.stdout.strip() == ""  # no keyword listed as below the floor
    assert "below 2 questions or without an exam-style one: 0;" in result.stderr and "below 1: 0" in result.stderr
