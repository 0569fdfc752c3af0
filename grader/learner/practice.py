"""Practice sessions (quiz, review, cram, mistakes): choosing questions, grading each answer as it comes,
storing it at once, and resuming where the learner stopped.

Nothing here knows about terminals (:mod:`grader.learner.loop` drives a view and a reader). Nothing heavy
is imported at module level: NumPy and the sandbox load only when a code question is graded.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field, replace
from typing import Any

from grader.bank.loader import Bank
from grader.bank.params import Attempt
from grader.bank.params import attempt as make_attempt
from grader.bank.schema import CodeBlankQuestion, CodeFunctionQuestion, Question
from grader.grading.answers import InvalidAnswer, Verdict, blank_keys, grade
from grader.grading.render import Shown, present
from grader.i18n import _
from grader.learner.storage import AttemptRecord, ItemRow, SessionRow, Store, content_hash

DEFAULT_COUNT = 10


class CodeNotRun(InvalidAnswer):
    """Typed code that does not compile: shown to the learner to fix, not counted as an attempt."""


# --------------------------------------------------------------------------- choosing questions


def choose_questions(bank: Bank, store: Store, *, topic: str | None = None, tag: str | None = None, qtype: str | None = None,
                     count: int = DEFAULT_COUNT, seed: int | None = None, now: float | None = None) -> list[Question]:  # fmt: skip
    """A mixed set weighted toward weak and due questions (never answered ones get a boost too)."""
    from grader.bank.catalog import select

    now = time.time() if now is None else now
    pool = select(bank, topic=topic, qtype=qtype, tag=tag)
    history = store.question_summary()
    cards = store.cards()
    rng = random.Random(seed)
    keyed = []
    for q in pool:
        weight = question_weight(history.get(q.id), cards.get(q.id), now)
        keyed.append((rng.random() ** (1.0 / weight), q))  # Efraimidis–Spirakis weighted sampling
    keyed.sort(key=lambda kq: kq[0], reverse=True)
    return [q for _, q in keyed[:count]]


def question_weight(history: dict[str, Any] | None, card: tuple[float, str] | None, now: float) -> float:
    """How strongly a question is drawn: due and often-missed questions far more than mastered ones."""
    due = card is not None and card[0] <= now
    if history is None:
        return 2.0 + (3.0 if due else 0.0)
    accuracy = float(history["right"] or 0) / max(1, int(history["n"]))
    weight = 0.5 + 3.0 * (1.0 - accuracy)
    if history.get("last_verdict") != "right":
        weight += 2.0
    if due:
        weight += 3.0
    return weight


def display_attempt(question: Question, seed: int | None) -> Attempt:
    """:func:`grader.bank.params.attempt` without computing the answer (text, hints and choice order only)."""
    from grader.bank.params import draw_values, fill
    from grader.bank.schema import ComputedAnswer

    answer = getattr(question, "answer", None)
    computed = isinstance(answer, ComputedAnswer) or (isinstance(answer, list) and any(isinstance(a, ComputedAnswer) for a in answer))
    if not computed:
        return make_attempt(question, seed)
    values = draw_values(question, seed) if question.parameters is not None and seed is not None else {}
    return Attempt(question=question, seed=seed, values=values, prompt=fill(question.prompt, values),
                   explanation=fill(question.explanation, values), hints=tuple(fill(h, values) for h in question.hints))  # fmt: skip


def is_code_entry(question: Question) -> bool:
    """Whether the answer is typed code (otherwise a line: keys, a number, a shape…)."""
    if isinstance(question, CodeFunctionQuestion):
        return True
    return isinstance(question, CodeBlankQuestion) and not all(b.choices for b in question.blanks)


# --------------------------------------------------------------------------- grading one response


@dataclass
class Outcome:
    """The result of one answer (or skip), as stored."""

    pos: int
    attempt: Attempt  # as shown (labels in display order)
    status: str  # right | partial | wrong | skipped | error
    verdict: Verdict | None
    seconds: float
    hints: int
    code: Any = None  # CodeResult of a code answer
    rating: int | None = None
    notes: tuple[str, ...] = ()
    attempt_id: int = 0
    card_before: str | None = None  # the review card before this answer (to rate it again)
    derived: int | None = None  # the rating derived from the verdict


def status_for(correct: bool, score: float) -> str:
    """right, partial (some credit) or wrong: how an answer counts in progress, review and statistics."""
    return "right" if correct else ("partial" if score > 0 else "wrong")


def _status(verdict: Verdict) -> str:
    return status_for(verdict.correct, verdict.score)


def code_detail(result: Any) -> dict[str, Any]:
    return {
        "code_seed": result.seed,
        "code_status": result.status,
        "message": result.message,
        "cases": [{"name": c.name, "passed": c.passed, "hidden": c.hidden, "weight": c.weight, "message": c.message} for c in result.cases],
    }


def grade_response(current: Attempt, response: str, *, code: bool = False) -> tuple[str, Verdict, Any, tuple[str, ...]]:
    """Grades ``response`` → (status, verdict, code result or None, notes).

    Typed code and code_blank keys run in the sandbox (through :mod:`grader.grading.judge`). If the sandbox cannot
    run, a code_blank answered by keys is graded by its answer key instead (and says so); typed code
    gets the status ``error``, which is never counted against the learner.

    Raises:
        InvalidAnswer: The response is not in a form the question accepts.
        CodeNotRun: Typed code has a syntax error (the learner fixes it and submits again).
    """
    question = current.question
    if code:
        from grader.grading.judge import judge_code
        from grader.learner import warmup

        try:
            verdict, result = judge_code(current, response, sandbox=warmup.sandbox())
        except InvalidAnswer:
            raise
        except Exception as exc:  # the sandbox could not start: a grader problem, not the learner's
            verdict = Verdict(False, 0.0, response, "", (_("採点できませんでした (採点側のエラー): {error}").format(error=exc),))
            return "error", verdict, None, (_("採点側のエラー: {kind}: {error}").format(kind=type(exc).__name__, error=exc),)
        if result.status == "learner_error" and result.message.startswith("SyntaxError"):
            detail = "\n".join(t for t in result.traceback if t.strip())
            raise CodeNotRun(_("コードを実行できません ({message})。直して提出し直してください (回答には数えません)").format(message=result.message)
                             + (f"\n    {detail}" if detail else ""))
        status = "error" if result.status == "grader_fault" else _status(verdict)
        return status, verdict, result, _isolation_notes(result)
    if isinstance(question, CodeBlankQuestion):
        keys = blank_keys(question, response)  # InvalidAnswer before anything runs
        try:
            from grader.grading.judge import judge_code
            from grader.grading.source import choice_codes
            from grader.learner import warmup

            verdict, result = judge_code(current, choice_codes(question, keys), sandbox=warmup.sandbox())
            if result.status != "grader_fault":
                return _status(verdict), replace(verdict, response=response), result, _isolation_notes(result)
            note = _("採点側のエラー ({error})").format(error=result.message)
        except Exception as exc:  # no sandbox here: fall back to the validated answer key
            note = _("サンドボックスが使えません ({kind}: {error})").format(kind=type(exc).__name__, error=exc)
        verdict = grade(current, response)
        return _status(verdict), verdict, None, (_("{note}: 正解の記号で採点しました").format(note=note),)
    verdict = grade(current, response)
    return _status(verdict), verdict, None, ()


def _isolation_notes(result: Any) -> tuple[str, ...]:
    from grader.learner.isolation_note import weaker_isolation_note

    note = weaker_isolation_note(result.layers)
    return (note,) if note else ()


# --------------------------------------------------------------------------- the session


@dataclass
class Summary:
    """Where a session stands: score, time, results per topic, and what to review."""

    session_id: str
    kind: str
    finished: bool
    total: int
    answered: int
    right: int
    partial: int
    wrong: int
    skipped: int
    errors: int
    score: float
    seconds: float
    by_topic: dict[str, dict[str, int]]
    to_review: list[dict[str, Any]]
    attempts: list[dict[str, Any]] = field(default_factory=list)
    remaining: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Practice:
    """A quiz-like session over a fixed list of items, stored as it goes."""

    def __init__(self, store: Store, bank: Bank, session: SessionRow, items: list[ItemRow]) -> None:
        self.store = store
        self.bank = bank
        self.session = session
        self.items = items
        self._attempts: dict[int, Shown] = {}
        self._clock = time.monotonic()
        self._base_elapsed = session.elapsed
        self.notes: list[str] = []
        from grader.learner.drafts import Drafts

        self.drafts = Drafts(store.path)  # typed code kept across a failed attempt, a syntax error and Ctrl-C

    @classmethod
    def start(cls, store: Store, bank: Bank, kind: str, questions: list[Question], options: dict[str, Any], seed: int | None = None) -> Practice:
        rng = random.Random(seed) if seed is not None else random.SystemRandom()
        items = [ItemRow(i, q.id, rng.randrange(1, 2**31), content_hash(q)) for i, q in enumerate(questions)]
        session = store.create_session(kind, items, options)
        return cls(store, bank, session, store.items(session.id))

    @classmethod
    def resume(cls, store: Store, bank: Bank, kinds: tuple[str, ...]) -> Practice | None:
        session = store.latest_open(kinds)
        if session is None:
            return None
        practice = cls(store, bank, session, store.items(session.id))
        for item in practice.items:
            if item.status == "pending" and bank.get(item.question_id) is None:
                practice.notes.append(_("{id} は問題集にもうありません: とばします").format(id=item.question_id))
            elif item.status == "pending" and content_hash(bank.questions[item.question_id]) != item.content_hash:
                practice.notes.append(_("{id} はセッション開始後に編集されました: 新しい版を出します").format(id=item.question_id))
        return practice

    @property
    def kind(self) -> str:
        return self.session.kind

    @property
    def elapsed(self) -> float:
        return self._base_elapsed + (time.monotonic() - self._clock)

    def pending(self) -> list[ItemRow]:
        return [i for i in self.items if i.status == "pending" and self.bank.get(i.question_id) is not None]

    def current(self) -> ItemRow | None:
        pending = self.pending()
        return pending[0] if pending else None

    def index_of(self, item: ItemRow) -> int:
        return item.pos + 1

    def question(self, item: ItemRow) -> Question:
        question = self.bank.get(item.question_id)
        assert question is not None
        return question

    def attempt(self, item: ItemRow) -> Shown:
        """The attempt of ``item``: its stored seed gives the same numbers and option order on resume."""
        if item.pos not in self._attempts:
            self._attempts[item.pos] = present(make_attempt(self.question(item), item.seed))
        return self._attempts[item.pos]

    def shown(self, item: ItemRow) -> Shown:
        """The attempt as displayed: the same text, but a computed answer is left for grading time
        (computing it imports NumPy and the reference module, which the first screen does not need)."""
        if item.pos in self._attempts:
            return self._attempts[item.pos]
        return present(display_attempt(self.question(item), item.seed))

    def take_hint(self, item: ItemRow) -> tuple[str, int, int] | None:
        """The next hint tier (text, tier, number of tiers), recorded at once; None when none is left."""
        hints = self.shown(item).attempt.hints
        if item.hints >= len(hints):
            return None
        item.hints += 1
        self.store.update_item(self.session.id, item.pos, hints=item.hints)
        return hints[item.hints - 1], item.hints, len(hints)

    def answer(self, item: ItemRow, response: str, seconds: float, *, code: bool = False) -> Outcome:
        """Grades and stores ``response`` (typed in the shown labels; stored with the original keys).

        Raises:
            InvalidAnswer: The response is not in an accepted form (nothing is stored).
        """
        shown = self.attempt(item)
        if code:
            self.drafts.save(item.question_id, response)
        status, verdict, result, notes = grade_response(shown.attempt, response, code=code)
        stored = response if code else shown.stored(response)
        detail: dict[str, Any] = code_detail(result) if result is not None else {}
        if notes:
            detail["notes"] = list(notes)
        return self._store(item, shown.attempt, status, verdict, stored, seconds, result, notes, detail)

    def skip(self, item: ItemRow, seconds: float) -> Outcome:
        return self._store(item, self.attempt(item).attempt, "skipped", None, None, seconds, None, (), {})

    def _store(self, item: ItemRow, current: Attempt, status: str, verdict: Verdict | None, response: str | None,
               seconds: float, result: Any, notes: tuple[str, ...], detail: dict[str, Any]) -> Outcome:  # fmt: skip
        from grader.learner import srs

        question = self.question(item)
        rating = None if self.kind == "cram" else srs.rating_for(status, seconds, item.hints, question.type)
        record = AttemptRecord(question_id=question.id, content_hash=content_hash(question), topic=question.topic, qtype=question.type,
                               seed=item.seed, response=response, verdict=status, score=verdict.score if verdict else 0.0,
                               seconds=round(seconds, 3), hints=item.hints, mode=self.kind, detail=detail or None)  # fmt: skip
        schedule = srs.schedule_update(rating, time.time(), seconds) if rating is not None else None
        item.status = "skipped" if status == "skipped" else "answered"
        pending_after = [i for i in self.pending() if i.pos != item.pos]
        before = self.store.card(question.id)
        attempt_id = self.store.record_attempt(record, session_id=self.session.id, pos=item.pos, item_status=item.status,
                                  next_position=pending_after[0].pos if pending_after else item.pos, elapsed=self.elapsed,
                                  schedule=schedule)  # fmt: skip
        return Outcome(item.pos, current, status, verdict, seconds, item.hints, result, rating, notes, attempt_id, before, rating)

    def draft(self, item: ItemRow) -> str:
        """The code to start from: the last draft of this question, else the template under the task."""
        return self.drafts.start(self.question(item))

    def rerate(self, outcome: Outcome, rating: int) -> None:
        """Replaces the rating of ``outcome`` (the learner's own: もう一度 … 簡単, or a lucky guess as もう一度)."""
        from grader.learner import srs

        card, due, _rating = srs.schedule_update(rating, time.time(), outcome.seconds)(outcome.card_before)
        self.store.rerate(outcome.attempt_id, self.question_id(outcome), card, due, rating)
        outcome.rating = rating

    def undo_rating(self, outcome: Outcome) -> int | None:
        """Puts back the rating derived from the verdict; returns it."""
        if outcome.derived is not None:
            self.rerate(outcome, outcome.derived)
        return outcome.derived

    def question_id(self, outcome: Outcome) -> str:
        return self.items[outcome.pos].question_id

    def suspend(self) -> None:
        """Keeps the session open (``--resume`` continues it), saving the time used."""
        self.store.touch_session(self.session.id, elapsed=self.elapsed)

    def finish(self, state: str = "finished") -> None:
        self.store.finish_session(self.session.id, state, elapsed=self.elapsed)

    def summary(self) -> Summary:
        return session_summary(self.store, self.session.id, self.items, self.elapsed, finished=not self.pending())


def session_summary(store: Store, session_id: str, items: list[ItemRow], seconds: float, *, finished: bool) -> Summary:
    session = store.session(session_id)
    rows = store.session_attempts(session_id)
    latest: dict[int, Any] = {}
    for row in rows:
        latest[row["pos"]] = row
    counts = {"right": 0, "partial": 0, "wrong": 0, "skipped": 0, "error": 0}
    by_topic: dict[str, dict[str, int]] = {}
    review: list[dict[str, Any]] = []
    score = 0.0
    for pos in sorted(latest):
        row = latest[pos]
        counts[row["verdict"]] += 1
        score += row["score"]
        topic = by_topic.setdefault(row["topic"], {"answered": 0, "right": 0})
        if row["verdict"] not in ("skipped", "error"):
            topic["answered"] += 1
            topic["right"] += row["verdict"] == "right"
        hard = row["verdict"] == "right" and row["rating"] == 2
        if row["verdict"] != "right" or hard:
            reason = "hint or slow" if hard else row["verdict"]
            review.append({"id": row["question_id"], "verdict": row["verdict"], "reason": reason})
    attempts = [
        {"id": r["question_id"], "pos": r["pos"], "seed": r["seed"], "content_hash": r["content_hash"], "response": r["response"],
         "verdict": r["verdict"], "score": r["score"], "seconds": r["seconds"], "hints": r["hints"], "rating": r["rating"]}
        for r in rows
    ]  # fmt: skip
    return Summary(
        session_id=session_id, kind=session.kind if session else "quiz", finished=finished, total=len(items),
        answered=counts["right"] + counts["partial"] + counts["wrong"], right=counts["right"], partial=counts["partial"],
        wrong=counts["wrong"], skipped=counts["skipped"], errors=counts["error"], score=round(score, 3), seconds=round(seconds, 1),
        by_topic=dict(sorted(by_topic.items())), to_review=review, attempts=attempts, remaining=sum(1 for i in items if i.status == "pending"),
    )  # fmt: skip
