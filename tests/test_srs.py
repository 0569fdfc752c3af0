"""Spaced repetition: graded verdicts → FSRS ratings, review queues, the exam-date plan, and cram mode
that leaves the schedule alone."""

from __future__ import annotations

import json
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from progress_helpers import fixture_args, isolated_env, run, run_json, shown_label

from grader.learner import srs
from grader.learner.storage import Store


@pytest.mark.parametrize(
    "verdict, seconds, hints, qtype, rating",
    [
        ("wrong", 5, 0, "choice", srs.AGAIN),  # wrong → Again
        ("partial", 5, 0, "matching", srs.AGAIN),  # not right → Again
        ("right", 5, 0, "choice", srs.GOOD),  # right → Good
        ("right", 5, 1, "choice", srs.HARD),  # right after a hint → Hard
        ("right", 500, 0, "choice", srs.HARD),  # right but slow → Hard
        ("right", 500, 0, "code_function", srs.GOOD),  # code may take longer
        ("skipped", 5, 0, "choice", None),  # a skip is no review
        ("error", 5, 0, "code_function", None),  # nor is a grader error
    ],
)
def test_rating_from_verdict(verdict: str, seconds: float, hints: int, qtype: str, rating: int | None) -> None:
    assert srs.rating_for(verdict, seconds, hints, qtype) == rating


def _card(rating: int, when: float, previous: str | None = None) -> tuple[str, float]:
    card, due, got = srs.schedule_update(rating, when, 10.0)(previous)
    assert got == rating
    return card, due


def test_good_is_scheduled_later_than_again() -> None:
    now = time.time()
    _, due_again = _card(srs.AGAIN, now)
    card, due_good = _card(srs.GOOD, now)
    assert now < due_again <= due_good
    card2, due2 = _card(srs.GOOD, due_good, card)
    assert due2 - due_good > due_good - now  # intervals grow
    assert 0.0 < srs.retrievability(card2, due2 + 30 * 86400) < srs.retrievability(card2, due2)


def test_exam_plan_spreads_every_question_before_the_exam() -> None:
    now = datetime(2026, 6, 1, 9, 0).timestamp()
    ids = [f"q{i}" for i in range(10)]
    cards: dict[str, tuple[float, str]] = {}
    card, due = _card(srs.AGAIN, now - 3600)
    cards["q0"] = (due, card)  # due now
    card, due = _card(srs.GOOD, now - 86400 * 100)
    while due <= now:  # reviewed on time until now: a long interval that would skip past the exam
        card, due = _card(srs.GOOD, due, card)
    cards["q1"] = (due, card)
    exam = date(2026, 6, 6)  # 5 days left
    plan = srs.plan_reviews(ids, cards, now, exam_date=exam, plan_start=now)
    assert plan.queue[0] == "q0" and plan.due_now == 1
    assert plan.days_left == 5
    assert cards["q1"][0] > srs.exam_datetime(exam)
    needed = 9  # q1 (at risk) and q2..q9 (never answered)
    assert plan.remaining_before_exam == needed and plan.per_day == -(-needed // 5)
    assert len(plan.queue) == 1 + plan.per_day and plan.queue[1] == "q1"  # the answered one at risk first
    # without an exam date only the due card is reviewed
    assert srs.plan_reviews(ids, cards, now).queue == ["q0"]
    # a card reviewed since the plan began is not pulled forward again
    later = srs.plan_reviews(ids, cards, now, exam_date=exam, plan_start=now - 86400 * 10)
    assert later.remaining_before_exam >= plan.remaining_before_exam


def test_exam_date_in_the_past_suggests_cram() -> None:
    now = datetime(2026, 6, 10).timestamp()
    plan = srs.plan_reviews(["a"], {}, now, exam_date=date(2026, 6, 1))
    assert plan.notes and "cram" in plan.notes[0]


def test_review_command_uses_the_schedule_and_cram_leaves_it_alone(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = run(env, *fixture_args(), "review")  # nothing answered, nothing due
    assert done.returncode == 0 and "ありません" in done.stdout
    assert run(env, *fixture_args(), "quiz", "fx_sigmoid_max", "fx_conv_shape", "--seed", "1", input="1\n7x7\n").returncode == 0
    # the first reviews are minutes away: due today (unless today ends sooner), so review and stats agree
    with Store(env["ESHIKAKU_DB"]) as store:
        dues = [due for due, _ in store.cards().values()]
    midnight = srs.end_of_day(time.time())
    today = sum(1 for due in dues if due <= midnight)
    assert len(dues) == 2 and (today == 2 or midnight - time.time() < 3600)
    stats = run_json(env, *fixture_args(), "stats", "--json")
    assert stats["schedule"]["due_today"] == today
    listed = run_json(env, *fixture_args(), "review", "--json", "--count", "5", input="")
    assert listed.get("total", listed.get("due")) == today  # with nothing due, the reply says "due": 0
    # only the wrong one due today
    with Store(env["ESHIKAKU_DB"]) as store:
        store.conn.execute("UPDATE sessions SET state = 'abandoned'")
        store.conn.execute("UPDATE cards SET due = ? WHERE question_id = 'fx_conv_shape'", (time.time() + 3 * 86400,))
        store.conn.execute("UPDATE cards SET due = ? WHERE question_id = 'fx_sigmoid_max'", (time.time() - 60,))
        cards_before = store.cards()
    result = run_json(env, *fixture_args(), "review", "--json", input="2\n")
    assert [a["id"] for a in result["attempts"]] == ["fx_sigmoid_max"] and result["answered"] == 1
    with Store(env["ESHIKAKU_DB"]) as store:
        after_review = store.cards()
        assert after_review["fx_sigmoid_max"] != cards_before["fx_sigmoid_max"]
        rating = store.conn.execute("SELECT rating FROM attempts WHERE mode = 'review'").fetchone()[0]
        assert rating == (srs.GOOD if result["right"] else srs.AGAIN)  # the label typed is the one shown, in a shuffled order
    # cram: every question, least remembered first; attempts are stored but the cards do not move
    cram = run_json(env, *fixture_args(), "review", "--cram", "--topic", "3-4", "--json", input="1\n7x7\n")
    assert [a["id"] for a in cram["attempts"]] == ["fx_pooling_choice", "fx_conv_shape"]  # never answered first
    with Store(env["ESHIKAKU_DB"]) as store:
        assert store.cards() == after_review
        assert store.conn.execute("SELECT count(*) FROM attempts WHERE mode = 'cram' AND rating IS NULL").fetchone()[0] == 2


def test_exam_date_is_remembered_and_planned(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    exam = (date.today() + timedelta(days=3)).isoformat()
    done = run(env, *fixture_args(), "review", "--exam-date", exam, "--json", input="")
    assert done.returncode == 0, done.stderr
    assert f"試験日 {exam}" in done.stderr
    summary = json.loads(done.stdout)
    assert summary["total"] == 2  # 5 never-answered questions over 3 days: 2 today
    stats = run_json(env, *fixture_args(), "stats", "--json")
    assert stats["schedule"]["exam_date"] == exam and stats["schedule"]["days_to_exam"] == 3
    assert 0.0 <= stats["schedule"]["predicted_exam_recall"] <= 1.0
    assert run(env, "review", "--exam-date", "next friday").returncode == 2


def test_mistakes_lists_the_latest_wrong_answers(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    wrong, right = shown_label("fx_sigmoid_max", "1", 3, 0), shown_label("fx_pooling_choice", "1", 3, 2)
    run(env, *fixture_args(), "quiz", "fx_sigmoid_max", "fx_conv_shape", "fx_pooling_choice", "--seed", "3", input=f"{wrong}\n6x6\n{right}\n")
    listed = run_json(env, *fixture_args(), "mistakes", "--json")
    assert [m["id"] for m in listed] == ["fx_conv_shape", "fx_sigmoid_max"]  # most recent first
    retry = run_json(env, *fixture_args(), "mistakes", "--retry", "--json", input="7x7\n2\n")
    assert [a["id"] for a in retry["attempts"]] == ["fx_conv_shape", "fx_sigmoid_max"] and retry["answered"] == 2
    still = {m["id"] for m in run_json(env, *fixture_args(), "mistakes", "--json")}
    assert still == {a["id"] for a in retry["attempts"] if a["verdict"] != "right"}
