"""The mock exam in the E資格 format: four-choice style questions under a countdown, free navigation,
answers changeable until submitted, results only at the end, then a review of every mistake.

Each answer, flag and move is stored at once (``session_items``), and the time used is saved on every
action and every few seconds, so ``eshikaku exam --resume`` continues with the same answers and the
same remaining time. When the time is up the exam is submitted as it stands. Grading and the review
card updates of a submission are written in one transaction.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from grader.bank.loader import Bank
from grader.bank.params import Attempt
from grader.bank.params import attempt as make_attempt
from grader.bank.schema import ChoiceQuestion, Question
from grader.grading.answers import InvalidAnswer, Verdict, split_keys
from grader.grading.render import Shown, present
from grader.i18n import _
from grader.learner.exam_forms import draw_by_area, mock_pool
from grader.learner.storage import AttemptRecord, ItemRow, SessionRow, Store, content_hash

DEFAULT_COUNT = 100
MINUTES_PER_100 = 120.0
CHECKPOINT_SECONDS = 5.0


class TimeUp(Exception):
    """The countdown reached zero."""


def choose_exam(bank: Bank, count: int, seed: int | None = None, topic: str | None = None) -> tuple[list[Question], list[str]]:
    """``count`` mock-exam questions drawn by the four areas' shares (within ``topic``: at random), then put
    in syllabus order, as the exam is; and notes on areas short of questions."""
    from grader.bank.catalog import topic_key

    pool = mock_pool(bank, topic)
    rng = random.Random(seed)
    if topic:
        chosen, notes = rng.sample(pool, min(count, len(pool))), list[str]()
    else:
        chosen, notes = draw_by_area(pool, min(count, len(pool)), rng)
    order = {q.id: i for i, q in enumerate(chosen)}
    return sorted(chosen, key=lambda q: (topic_key(q.topic), order[q.id])), notes


def time_limit(count: int, minutes: float | None = None) -> float:
    """Seconds allowed: ``minutes`` if given, else 120 minutes per 100 questions."""
    return (minutes if minutes is not None else MINUTES_PER_100 * count / 100) * 60.0


def normalize_answer(shown: Shown, response: str) -> str:
    """The stored form of an exam answer typed in the shown labels (original keys: ``2`` or ``え=4, お=1``).

    Raises:
        InvalidAnswer: Not a label (or a set of labels) of this question.
    """
    question = shown.question
    if isinstance(question, ChoiceQuestion) and len(question.answer) == 1 and len(set(split_keys(response))) > 1:
        raise InvalidAnswer(_("選べるのは一つです"))
    return shown.stored(response)


@dataclass
class ExamItemResult:
    pos: int
    attempt: Attempt
    response: str | None
    status: str  # right | partial | wrong | skipped (unanswered) | error
    verdict: Verdict | None
    notes: tuple[str, ...] = ()
    shown_response: str | None = None  # the answer in the labels the learner saw


@dataclass
class ExamResult:
    session_id: str
    total: int
    answered: int
    right: int
    score: float  # points earned / points possible
    seconds: float
    time_limit: float
    time_up: bool
    by_topic: dict[str, dict[str, int]]
    items: list[ExamItemResult] = field(default_factory=list)
    by_area: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def mistakes(self) -> list[ExamItemResult]:
        return [i for i in self.items if i.status != "right"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "total": self.total,
            "answered": self.answered,
            "right": self.right,
            "score": round(self.score, 4),
            "seconds": round(self.seconds, 1),
            "time_limit": self.time_limit,
            "time_up": self.time_up,
            "by_topic": self.by_topic,
            "by_area": self.by_area,
            "items": [
                {"pos": i.pos, "id": i.attempt.id, "seed": i.attempt.seed, "topic": i.attempt.question.topic, "response": i.response,
                 "shown_response": i.shown_response, "verdict": i.status,
                 "expected": i.verdict.expected if i.verdict else None, "notes": list(i.notes)}
                for i in self.items
            ],
        }  # fmt: skip


class Exam:
    """A mock exam in progress."""

    def __init__(self, store: Store, bank: Bank, session: SessionRow, items: list[ItemRow]) -> None:
        self.store = store
        self.bank = bank
        self.session = session
        self.items = [i for i in items if bank.get(i.question_id) is not None]
        self.dropped = [i.question_id for i in items if bank.get(i.question_id) is None]
        self.position = min(session.position, max(0, len(self.items) - 1))
        self._shown_at = time.monotonic()
        self._last_checkpoint = time.monotonic()
        self._attempts: dict[int, Shown] = {}
        self.result: ExamResult | None = None

    @classmethod
    def start(cls, store: Store, bank: Bank, questions: list[Question], seconds: float, options: dict[str, Any], seed: int | None = None) -> Exam:
        rng = random.Random(seed) if seed is not None else random.SystemRandom()
        items = [ItemRow(i, q.id, rng.randrange(1, 2**31), content_hash(q)) for i, q in enumerate(questions)]
        session = store.create_session("exam", items, options, time_limit=seconds)
        return cls(store, bank, session, store.items(session.id))

    @classmethod
    def resume(cls, store: Store, bank: Bank) -> Exam | None:
        session = store.latest_open(("exam",))
        return None if session is None else cls(store, bank, session, store.items(session.id))

    # ----------------------------------------------------------------- time

    @property
    def limit(self) -> float:
        return float(self.session.time_limit or 0.0)

    @property
    def elapsed(self) -> float:
        """Wall time since the exam began: like the real exam's clock it runs on while the program is
        stopped (Ctrl-C, a crash, ``kill -9``), so a restart never gives time back."""
        return max(0.0, time.time() - self.session.started_at)

    @property
    def remaining(self) -> float:
        return max(0.0, self.limit - self.elapsed)

    @property
    def time_up(self) -> bool:
        return self.remaining <= 0.0

    def checkpoint(self, force: bool = True) -> None:
        """Saves the time used and the position (also called every few seconds while waiting)."""
        if force or time.monotonic() - self._last_checkpoint >= CHECKPOINT_SECONDS:
            self._last_checkpoint = time.monotonic()
            self.store.touch_session(self.session.id, position=self.position, elapsed=min(self.elapsed, self.limit))

    # ----------------------------------------------------------------- questions and navigation

    @property
    def current(self) -> ItemRow:
        return self.items[self.position]

    def shown(self, item: ItemRow) -> Shown:
        """The item as shown: options (and a numeric question's four values) relabelled in the order drawn."""
        if item.pos not in self._attempts:
            question = self.bank.get(item.question_id)
            assert question is not None
            self._attempts[item.pos] = present(make_attempt(question, item.seed), numeric_choices=True)
        return self._attempts[item.pos]

    def attempt(self, item: ItemRow) -> Attempt:
        return self.shown(item).attempt

    def response_shown(self, item: ItemRow) -> str | None:
        """The stored answer of ``item`` in the labels on screen."""
        return self.shown(item).displayed(item.response) if item.response else None

    def goto(self, index: int) -> None:
        """Moves to item ``index`` (0-based), clamped; the time spent on the item left is added to it."""
        index = max(0, min(index, len(self.items) - 1))
        now = time.monotonic()
        item = self.current
        item.seconds += now - self._shown_at
        self._shown_at = now
        self.position = index
        self.store.update_item(self.session.id, item.pos, seconds=round(item.seconds, 3))
        self.checkpoint()

    def set_answer(self, response: str) -> str:
        """Records the answer to the current item (changeable until submission); returns its canonical form.

        Raises:
            InvalidAnswer: Not an answer this question accepts (nothing is stored).
        """
        item = self.current
        canonical = normalize_answer(self.shown(item), response)
        item.response = canonical
        self.store.update_item(self.session.id, item.pos, response=canonical)
        return canonical

    def answer_and_advance(self, response: str) -> None:
        """Records the answer to the current item and moves to the next one (the last item stays put).

        Raises:
            InvalidAnswer: Not an answer this question accepts (nothing is stored, nothing moves).
        """
        self.set_answer(response)
        if self.position + 1 < len(self.items):
            self.goto(self.position + 1)

    def clear_answer(self) -> None:
        self.current.response = None
        self.store.update_item(self.session.id, self.current.pos, response=None)

    def flagged_positions(self) -> list[int]:
        return [n + 1 for n, i in enumerate(self.items) if i.flagged]

    def toggle_flag(self) -> bool:
        item = self.current
        item.flagged = not item.flagged
        self.store.update_item(self.session.id, item.pos, flagged=int(item.flagged))
        return item.flagged

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.response)

    @property
    def flagged(self) -> int:
        return sum(1 for i in self.items if i.flagged)

    def abandon(self) -> None:
        """Closes the exam without grading it (the learner chose to start another)."""
        self.store.finish_session(self.session.id, "abandoned", elapsed=min(self.elapsed, self.limit))

    def suspend(self) -> None:
        item = self.current
        item.seconds += time.monotonic() - self._shown_at
        self._shown_at = time.monotonic()
        self.store.update_item(self.session.id, item.pos, seconds=round(item.seconds, 3))
        self.checkpoint()

    # ----------------------------------------------------------------- submission

    def submit(self) -> ExamResult:
        """Grades every answer as it stands and stores the results in one transaction."""
        from grader.learner import srs
        from grader.learner.practice import grade_response

        time_up = self.time_up
        elapsed = min(self.elapsed, self.limit) if self.limit else self.elapsed
        self.current.seconds += time.monotonic() - self._shown_at
        graded: list[tuple[AttemptRecord, int, Any]] = []
        results: list[ExamItemResult] = []
        for item in self.items:
            shown = self.shown(item)
            current = shown.attempt
            question = shown.original.question
            verdict: Verdict | None = None
            notes: tuple[str, ...] = ()
            if not item.response:
                status = "skipped"
            else:
                try:
                    status, verdict, _result, notes = grade_response(current, shown.displayed(item.response))
                except InvalidAnswer as exc:  # the question changed since the answer was given
                    status, notes = "error", (_("保存された回答が問題に合いません (問題が編集されました): {error}").format(error=exc),)
            rating = srs.rating_for(status, item.seconds, 0, question.type)
            record = AttemptRecord(
                question_id=question.id, content_hash=content_hash(question), topic=question.topic, qtype=question.type,
                seed=item.seed, response=item.response, verdict=status, score=verdict.score if verdict else 0.0,
                seconds=round(item.seconds, 3), hints=0, mode="exam",
                detail={"notes": list(notes), "flagged": item.flagged} if notes or item.flagged else None,
            )  # fmt: skip
            schedule = srs.schedule_update(rating, time.time(), item.seconds) if rating is not None else None
            graded.append((record, item.pos, schedule))
            results.append(ExamItemResult(item.pos, current, item.response, status, verdict, notes, self.response_shown(item)))
        self.store.submit_session(self.session.id, graded, elapsed=elapsed)
        self.result = exam_result(self.session.id, results, elapsed, self.limit, time_up)
        return self.result


def exam_result(session_id: str, items: list[ExamItemResult], seconds: float, limit: float, time_up: bool) -> ExamResult:
    from grader.learner.exam_forms import area_of

    by_topic: dict[str, dict[str, int]] = {}
    by_area: dict[str, dict[str, int]] = {}
    earned = possible = 0.0
    for item in items:
        question = item.attempt.question
        for table, key in ((by_topic, question.topic), (by_area, area_of(question))):
            t = table.setdefault(key, {"total": 0, "right": 0})
            t["total"] += 1
            t["right"] += item.status == "right"
        possible += question.points
        earned += question.points * (item.verdict.score if item.verdict and item.status != "error" else 0.0)
    return ExamResult(
        session_id=session_id,
        total=len(items),
        answered=sum(1 for i in items if i.response),
        right=sum(1 for i in items if i.status == "right"),
        score=earned / possible if possible else 0.0,
        seconds=seconds,
        time_limit=limit,
        time_up=time_up,
        by_topic=dict(sorted(by_topic.items())),
        items=items,
        by_area=by_area,
    )


