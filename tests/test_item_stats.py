"""`eshikaku item-stats` over a real grade-batch report and over real progress databases: difficulty,
discrimination against the rest score, distractor rates, and the flags an instructor acts on."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from grader.bank.loader import load_bank
from grader.bank.params import attempt

BANK = load_bank()
STRONG = [f"s{i}" for i in range(1, 6)]
WEAK = [f"s{i}" for i in range(6, 11)]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr if result.stderr_bytes is not None else ""


def keys(qid: str) -> tuple[str, list[str]]:
    """The key of a four-choice question and its distractors, as the bank has them."""
    q = BANK.questions[qid]
    return q.answer[0], [c.key for c in q.choices if c.key not in q.answer]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A class of ten graded by grade-batch: five strong students, five weak ones."""
    tmp = tmp_path_factory.mktemp("class")
    rows = []
    key, wrong = keys("sigmoid_derivative_max")  # 7 right, 2 + 1 on two distractors, the third never picked
    picks = [key] * 7 + [wrong[0], wrong[0], wrong[1]]
    rows += [(s, "sigmoid_derivative_max", k, "") for s, k in zip(STRONG + WEAK, picks)]
    key, _ = keys("accuracy_imbalance_choice")  # nobody misses it
    rows += [(s, "accuracy_imbalance_choice", key, "") for s in STRONG + WEAK]
    key, wrong = keys("ann_search_choice")  # the strong miss it, the weak get it
    rows += [(s, "ann_search_choice", wrong[0], "") for s in STRONG] + [(s, "ann_search_choice", key, "") for s in WEAK]
    for qid in ("curse_dimension_choice", "data_leakage_choice"):
        key, wrong = keys(qid)
        rows += [(s, qid, key, "") for s in STRONG] + [(s, qid, wrong[0], "") for s in WEAK]
    question = BANK.questions["euclidean_distance_param"]  # numeric: the weak forget the square root
    for n, student in enumerate(STRONG + WEAK, 1):
        current = attempt(question, n)
        value = current.answer if student in STRONG else current.wrong[0][0]
        rows.append((student, question.id, f"{value:.6f}", str(n)))
    answers = tmp / "answers.csv"
    with answers.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("student", "question", "answer", "seed"), *rows])
    (tmp / "class" / "s1").mkdir(parents=True)
    (tmp / "class" / "s1" / "softmax_function.py").write_text("def softmax(x):\n    return x\n", encoding="utf-8")
    code, out, err = run("grade-batch", str(tmp / "class"), "--answers", str(answers), "--out", str(tmp / "out"))
    assert code == 0, out + err
    return tmp / "out" / "report.json"


def test_item_stats_over_a_grade_batch_report(report: Path, tmp_path: Path) -> None:
    code, out, err = run("item-stats", str(report), "--csv", str(tmp_path / "items.csv"), "--json", str(tmp_path / "items.json"))
    assert code == 0, err
    items = {i["question"]: i for i in json.loads((tmp_path / "items.json").read_text(encoding="utf-8"))["items"]}
    sigmoid = items["sigmoid_derivative_max"]
    assert sigmoid["responses"] == 10 and sigmoid["p"] == pytest.approx(0.7)
    key, wrong = keys("sigmoid_derivative_max")
    rates = {o["label"]: o["rate"] for o in sigmoid["options"]}
    assert rates == {key: pytest.approx(0.7), wrong[0]: pytest.approx(0.2), wrong[1]: pytest.approx(0.1), wrong[2]: 0.0}
    assert any(f"distractor {wrong[2]} is never picked" in f for f in sigmoid["flags"])
    assert any("nobody misses it" in f for f in items["accuracy_imbalance_choice"]["flags"])
    ann = items["ann_search_choice"]
    assert ann["discrimination"] < -0.9 and any("strong learners miss it" in f for f in ann["flags"])
    assert items["curse_dimension_choice"]["discrimination"] > 0.8 and not any("strong" in f for f in items["curse_dimension_choice"]["flags"])
    euclid = {o["label"]: o for o in items["euclidean_distance_param"]["options"]}
    assert euclid["answer"]["rate"] == pytest.approx(0.5) and euclid["wrong answer 1"]["rate"] == pytest.approx(0.5)
    assert euclid["answer"]["rest_mean"] > euclid["wrong answer 1"]["rest_mean"]
    assert items["softmax_function"]["responses"] == 1  # the nine students without a file are not counted as answers
    # the terminal table and the CSV say the same
    line = next(l for l in out.splitlines() if l.startswith("sigmoid_derivative_max"))
    assert "choice" in line and " 10 " in line and "0.70" in line and f"{key}* 70%" in line
    assert "! distractor" in out and "10 learner(s)" in err
    with (tmp_path / "items.csv").open(encoding="utf-8") as fh:
        table = {r["question"]: r for r in csv.DictReader(fh)}
    assert float(table["sigmoid_derivative_max"]["p"]) == pytest.approx(0.7) and "never picked" in table["sigmoid_derivative_max"]["flags"]


def test_item_stats_over_progress_databases_uses_each_learners_first_attempt(tmp_path: Path) -> None:
    key, wrong = keys("sigmoid_derivative_max")
    other, others_wrong = keys("accuracy_imbalance_choice")
    databases = []
    for n in range(6):
        db = tmp_path / f"learner{n}.sqlite3"
        first = key if n < 3 else wrong[n % 2]
        second = other if n < 3 else others_wrong[0]
        for qid, answer in (("sigmoid_derivative_max", first), ("sigmoid_derivative_max", key), ("accuracy_imbalance_choice", second)):
            code, _, err = run("--db", str(db), "--create", "answer", qid, answer)
            assert code in (0, 1), err
        databases.append(str(db))
    code, out, err = run("item-stats", *databases, "--json", str(tmp_path / "first.json"))
    assert code == 0, err
    items = {i["question"]: i for i in json.loads((tmp_path / "first.json").read_text(encoding="utf-8"))["items"]}
    assert items["sigmoid_derivative_max"]["responses"] == 6 and items["sigmoid_derivative_max"]["p"] == pytest.approx(0.5)
    assert items["sigmoid_derivative_max"]["discrimination"] == pytest.approx(1.0)
    rates = {o["label"]: o["rate"] for o in items["sigmoid_derivative_max"]["options"]}
    assert rates[wrong[0]] == pytest.approx(1 / 6) and rates[wrong[1]] == pytest.approx(2 / 6)  # learners 4; 3 and 5
    code, out, err = run("item-stats", *databases, "--last", "--json", str(tmp_path / "last.json"))
    items = {i["question"]: i for i in json.loads((tmp_path / "last.json").read_text(encoding="utf-8"))["items"]}
    assert items["sigmoid_derivative_max"]["p"] == 1.0 and any("nobody misses" in f for f in items["sigmoid_derivative_max"]["flags"])


def test_item_stats_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    junk = tmp_path / "notes.json"
    junk.write_text('{"hello": 1}', encoding="utf-8")
    code, out, err = run("item-stats", str(junk))
    assert code == 2 and "not a grade-batch report.json" in out + err and "Traceback" not in out + err
