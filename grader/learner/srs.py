"""Spaced repetition with FSRS: ratings from graded verdicts, review queues, and an exam-date plan.

The learner never grades themselves: wrong → Again, right → Good, right but slow or after a hint →
Hard. Cards live in the ``cards`` table as ``fsrs.Card`` JSON; every attempt keeps its rating, so the
cards can be rebuilt from the attempts. Cram sessions never touch the cards.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4
RATING_NAMES = {AGAIN: "Again", HARD: "Hard", GOOD: "Good", EASY: "Easy"}

# A right answer slower than this (seconds) is rated Hard: about twice what a prepared learner needs.
SLOW_SECONDS = {
    "choice": 90,
    "numeric": 150,
    "shape": 120,
    "expression": 150,
    "matching": 180,
    "code_blank": 240,
    "code_function": 900,
    "self_graded": 600,
}

_scheduler: Any = None


def scheduler() -> Any:
    """The shared FSRS scheduler (fsrs is imported on first use)."""
    global _scheduler
    if _scheduler is None:
        from fsrs import Scheduler

        _scheduler = Scheduler(desired_retention=0.9)
    return _scheduler


def rating_for(verdict: str, seconds: float | None, hints: int, qtype: str) -> int | None:
    """The FSRS rating a graded answer earns; None when the answer is no review (skipped, grader error)."""
    if verdict in ("skipped", "error"):
        return None
    if verdict != "right":
        return AGAIN
    if hints > 0 or (seconds is not None and seconds > SLOW_SECONDS.get(qtype, 180)):
        return HARD
    return GOOD


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def schedule_update(rating: int, when: float, seconds: float | None) -> Callable[[str | None], tuple[str, float, int]]:
    """A function of the current card JSON that returns (new card JSON, due epoch, rating), for the store."""

    def update(card_json: str | None) -> tuple[str, float, int]:
        from fsrs import Card, Rating

        card = Card.from_json(card_json) if card_json else Card()
        duration = int(seconds * 1000) if seconds is not None else None
        new, _log = scheduler().review_card(card, Rating(rating), _utc(when), duration)
        return new.to_json(), new.due.timestamp(), rating

    return update


def retrievability(card_json: str, at: float) -> float:
    from fsrs import Card

    return float(scheduler().get_card_retrievability(Card.from_json(card_json), _utc(at)))


# --------------------------------------------------------------------------- review queues


@dataclass
class ReviewPlan:
    """Today's review queue and, with an exam date, the plan that covers every question before it."""

    queue: list[str]  # question ids, in order
    due_now: int
    scheduled_extra: int = 0  # pulled forward so they are reviewed before the exam
    remaining_before_exam: int = 0
    days_left: int | None = None
    per_day: int = 0
    next_due: float | None = None
    exam_date: str | None = None
    notes: list[str] = field(default_factory=list)


def end_of_day(now: float) -> float:
    """Midnight after ``now``, local time: a card due before it is due today."""
    today = datetime.fromtimestamp(now).date()
    return datetime.combine(today + timedelta(days=1), datetime.min.time()).timestamp()


def exam_datetime(exam_date: date) -> float:
    """The start of the exam day, local time, as an epoch."""
    return datetime.combine(exam_date, datetime.min.time()).timestamp()


def plan_reviews(
    question_ids: list[str],
    cards: dict[str, tuple[float, str]],
    now: float,
    *,
    exam_date: date | None = None,
    plan_start: float | None = None,
) -> ReviewPlan:
    """Today's queue: the cards due now (least likely remembered first).

    With an exam date, every question in ``question_ids`` must be reviewed at least once between
    ``plan_start`` and the exam. Those whose own schedule would not bring them back in time (and the
    ones never answered) are spread evenly over the days left, most at risk on exam day first.
    """
    known = [q for q in question_ids if q in cards]
    cutoff = end_of_day(now)  # the day is the unit of review, as in `stats` ("due today")
    due = sorted((q for q in known if cards[q][0] <= cutoff), key=lambda q: retrievability(cards[q][1], now))
    later = [cards[q][0] for q in known if cards[q][0] > cutoff]
    plan = ReviewPlan(queue=list(due), due_now=len(due), next_due=min(later) if later else None)
    if exam_date is None:
        return plan
    exam_at = exam_datetime(exam_date)
    today = datetime.fromtimestamp(now).date()
    days_left = (exam_date - today).days
    plan.exam_date = exam_date.isoformat()
    plan.days_left = days_left
    if days_left <= 0:
        plan.notes.append("試験日は今日か過ぎています: `eshikaku review --cram` で全体を見直せます")
        return plan
    start = plan_start if plan_start is not None else now
    due_set = set(due)
    at_risk: list[tuple[float, str]] = []
    new: list[str] = []
    for qid in question_ids:
        if qid in due_set:
            continue
        if qid not in cards:
            new.append(qid)
            continue
        due_at, card_json = cards[qid]
        if due_at < exam_at - 86400:
            continue  # its own schedule brings it back before the exam
        if _last_review(card_json) >= start:
            continue  # already reviewed since the plan began
        at_risk.append((retrievability(card_json, exam_at), qid))
    needed = [q for _, q in sorted(at_risk)] + new
    per_day = math.ceil(len(needed) / days_left) if needed else 0
    plan.queue += needed[:per_day]
    plan.scheduled_extra = min(per_day, len(needed))
    plan.remaining_before_exam = len(needed)
    plan.per_day = per_day
    return plan


def _last_review(card_json: str) -> float:
    import json

    value = json.loads(card_json).get("last_review")
    return datetime.fromisoformat(value).timestamp() if value else 0.0


def exam_forecast(question_ids: list[str], cards: dict[str, tuple[float, str]], exam_date: date) -> float:
    """The mean predicted recall on exam day over ``question_ids`` (never answered counts as 0)."""
    if not question_ids:
        return 0.0
    at = exam_datetime(exam_date)
    return sum(retrievability(cards[q][1], at) if q in cards else 0.0 for q in question_ids) / len(question_ids)


def cram_order(question_ids: list[str], cards: dict[str, tuple[float, str]], now: float) -> list[str]:
    """Every question, least likely remembered first (never answered first of all); for cramming."""
    return sorted(question_ids, key=lambda q: retrievability(cards[q][1], now) if q in cards else -1.0)


def parse_exam_date(text: str, now: float | None = None) -> date:
    """``YYYY-MM-DD``; with ``now``, a date already past is refused.

    Raises:
        ValueError: Not a date, or (with ``now``) a past one; the message says what to write.
    """
    from grader.i18n import _

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("{text!r} は日付ではありません: YYYY-MM-DD で書いてください (例: 2026-08-22)").format(text=text)) from None
    if now is not None and day < datetime.fromtimestamp(now).date():
        raise ValueError(_("試験日 {day} は過ぎています: これからの日付を指定してください (忘れるには none)").format(day=day))
    return day


def days_until(exam: date, now: float) -> int:
    return (exam - datetime.fromtimestamp(now).date()).days


def describe_ago(when: float, now: float) -> str:
    """A relative past time: たった今, 10 分前, 3 時間前, 2 日前 (2026-08-20)."""
    from grader.i18n import _

    delta = timedelta(seconds=max(0.0, now - when))
    if delta < timedelta(minutes=1):
        return _("たった今")
    if delta < timedelta(hours=1):
        return _("{n} 分前").format(n=int(delta.total_seconds() // 60))
    if delta < timedelta(days=1):
        return _("{n} 時間前").format(n=int(delta.total_seconds() // 3600))
    return _("{n} 日前 ({day})").format(n=delta.days, day=f"{datetime.fromtimestamp(when):%Y-%m-%d}")


def describe_due(due: float, now: float) -> str:
    """A relative time: 今すぐ, 10 分後, 3 時間後, 2 日後 (2026-08-20)."""
    from grader.i18n import _

    delta = timedelta(seconds=max(0.0, due - now))
    if delta < timedelta(minutes=1):
        return _("今すぐ")
    if delta < timedelta(hours=1):
        return _("{n} 分後").format(n=int(delta.total_seconds() // 60))
    if delta < timedelta(days=1):
        return _("{n} 時間後").format(n=int(delta.total_seconds() // 3600))
    return _("{n} 日後 ({day})").format(n=delta.days, day=f"{datetime.fromtimestamp(due):%Y-%m-%d}")
