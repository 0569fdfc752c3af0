"""`eshikaku exam`: the countdown runs out and the exam is submitted as it stands; answers can be changed
until submission; an interrupted exam resumes with its answers and remaining time."""

from __future__ import annotations

import json
from pathlib import Path

import pexpect
from progress_helpers import FIXTURE_BANK, ROOT, eshikaku_command, fixture_args, isolated_env, plain, run, run_json

from grader.bank.loader import BUILTIN_BANK, load_bank
from grader.bank.params import attempt
from grader.grading.render import present
from grader.learner.exam import choose_exam, normalize_answer, time_limit
from grader.learner.exam_forms import is_mock_style, mock_pool
from grader.learner.exam_text import parse_command
from grader.learner.storage import Store

EXAM_IDS = {"fx_sigmoid_max", "fx_relu_choice", "fx_pooling_choice"}


def test_time_runs_out_and_the_exam_is_submitted_as_it_stands(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    command = eshikaku_command()
    args = command[1:] + fixture_args() + ["exam", "--count", "3", "--minutes", "0.08", "--seed", "3"]  # 4.8 s
    child = pexpect.spawn(command[0], args, env=env, cwd=str(ROOT), encoding="utf-8", timeout=30, dimensions=(40, 100))
    child.expect("回答 >")
    child.send("1\r")  # an answer to question 1, then nothing more
    child.expect("問 2/3")
    child.expect("時間切れ", timeout=20)
    child.expect("模擬試験 結果")
    child.expect("回答 1/3")
    child.expect(r"見直しますか\? \[Y/n\]")
    child.send("n\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Traceback" not in plain(child.before)

    with Store(env["ESHIKAKU_DB"]) as store:
        session = store.conn.execute("SELECT * FROM sessions").fetchone()
        assert session["kind"] == "exam" and session["state"] == "submitted"
        assert 4.0 <= session["elapsed"] <= 4.8 + 0.01
        rows = store.conn.execute("SELECT question_id, response, verdict FROM attempts ORDER BY pos").fetchall()
    assert {r["question_id"] for r in rows} == EXAM_IDS
    assert rows[0]["response"] and rows[0]["verdict"] in ("right", "wrong")  # label 1, stored as the key it stood for
    assert [r["verdict"] for r in rows[1:]] == ["skipped", "skipped"]  # unanswered when time ran out


def test_answers_change_until_submitted_and_results_come_at_the_end(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    exam = run_json(env, *fixture_args(), "exam", "--count", "3", "--seed", "1", "--json", input="")
    assert exam["answered"] == 0 and exam["right"] == 0  # the end of input submits
    # a second exam: answer each question, go back, change the first answer, flag, list, submit
    order = [i["id"] for i in exam["items"]]
    seeds = [i["seed"] for i in exam["items"]]  # the same --seed draws the same items and option order again
    bank = load_bank([FIXTURE_BANK])
    keys = {"fx_sigmoid_max": ("2", "1"), "fx_relu_choice": ("3", "1"), "fx_pooling_choice": ("1", "2")}  # (right, wrong) keys

    def label(n: int, which: int) -> str:  # the label shown for a key: options are relabelled in the order drawn
        shown = present(attempt(bank.questions[order[n]], seeds[n]))
        return next(lbl for lbl, key in shown.labels[""].items() if key == keys[order[n]][which])

    script = [label(0, 1), label(1, 0), label(2, 0), "g 1", "f", "l", label(0, 0), "submit"]
    done = run(env, *fixture_args(), "exam", "--count", "3", "--seed", "1", input="\n".join(script) + "\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("模擬試験 結果") > out.index("=== 3/3 ===")  # no verdict before the end
    assert "正解 3/3" in out and "得点 100%" in out
    assert "▶1✓⚑" in out  # the question map: current, answered, flagged


def test_an_interrupted_exam_resumes_with_its_answers_and_time(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = run(env, *fixture_args(), "exam", "--count", "3", "--minutes", "30", "--seed", "5", input="2\nq\n")
    first = json.loads(run(env, *fixture_args(), "stats", "--json").stdout)  # nothing graded yet
    assert first["totals"]["attempts"] == 0
    assert done.returncode == 0 and "exam --resume" in done.stdout
    with Store(env["ESHIKAKU_DB"]) as store:
        session = store.latest_open(("exam",))
        assert session is not None and session.time_limit == 1800
        items = store.items(session.id)
        saved = [i.response for i in items]
        question = load_bank([FIXTURE_BANK]).questions[items[0].question_id]
        assert saved[0] == present(attempt(question, items[0].seed)).stored("2") and saved[1:] == [None, None]  # label 2, stored as its key
        used = session.elapsed
    assert 0 < used < 60
    result = run_json(env, *fixture_args(), "exam", "--resume", "--json", input="p\n\n")
    assert result["session_id"] == session.id
    assert result["items"][0]["response"] == saved[0]  # kept across the restart
    assert result["time_limit"] == 1800 and result["seconds"] >= round(used, 1)  # the clock went on from where it stopped
    with Store(env["ESHIKAKU_DB"]) as store:
        assert store.session(session.id).elapsed >= used  # type: ignore[union-attr]
    assert run(env, *fixture_args(), "exam", "--resume").returncode == 2  # submitted: nothing left to resume


def test_exam_pool_is_four_choice_style_only() -> None:
    bank = load_bank([BUILTIN_BANK])
    pool = mock_pool(bank)
    four_choice = ("choice", "code_blank", "numeric")
    assert pool and all(q.type in four_choice and is_mock_style(q) for q in pool)
    assert all(not is_mock_style(q) for q in bank.questions.values() if q.type in ("shape", "code_function", "matching"))
    assert all(len(q.wrong_answers) >= 3 for q in pool if q.type == "numeric")
    chosen, _notes = choose_exam(bank, 10, seed=4)
    assert len(chosen) == 10 and len({q.id for q in chosen}) == 10
    assert [q.topic for q in chosen] == sorted((q.topic for q in chosen), key=lambda t: tuple(int(p) for p in t.split("-")))


def test_time_limit_scales_with_the_count() -> None:
    assert time_limit(100) == 120 * 60
    assert time_limit(3) == 3 * 72
    assert time_limit(3, minutes=0.5) == 30


def test_commands_and_answer_forms() -> None:
    assert parse_command("") == ("next", None) and parse_command("p") == ("prev", None)
    assert parse_command("g 12") == ("goto", 11) and parse_command("#3") == ("goto", 2)
    assert parse_command("S") == ("submit", None) and parse_command("2") is None
    bank = load_bank([BUILTIN_BANK])
    blank = next(q for q in bank.questions.values() if q.type == "code_blank" and len(q.blanks) == 1 and all(b.choices for b in q.blanks))
    key = blank.blanks[0].choices[0].key
    assert normalize_answer(present(attempt(blank)), f"{blank.blanks[0].name}={key}") == key  # no seed: the file's keys
    choice = load_bank([FIXTURE_BANK]).get("fx_sigmoid_max")
    assert normalize_answer(present(attempt(choice)), "（２）") == "2"
    shown = present(attempt(choice, 7))  # with a seed: labels 1–4 in the order shown, stored as the key
    label_of_key_2 = next(c.key for c in shown.question.choices if c.text == "0.25")
    assert normalize_answer(shown, label_of_key_2) == "2"
    try:
        normalize_answer(choice and shown, "9")
    except ValueError as exc:
        assert "選択肢の番号" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown key must be refused")


def test_exam_json_has_every_item(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    answers = tmp_path / "answers.txt"
    answers.write_text("2\n", encoding="utf-8")
    done = run(env, *fixture_args(), "exam", "--count", "2", "--seed", "2", "--answers", str(answers), "--json")
    data = json.loads(done.stdout)
    assert data["total"] == 2 and len(data["items"]) == 2 and data["answered"] == 1
