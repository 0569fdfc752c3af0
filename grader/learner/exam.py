"""The mock exam in the E資格 format: four-choice style questions under a countdown, free navigation,
answers changeable until submitted, results only at the end, then a review of every mistake.

Each answer, flag and move is stored at once (``session_items``), and the time used is saved on every
action and every few seconds, so ``eshikaku exam --resume`` continues with the same answers and the
same remaining time. When the time is up the exam is submitted as it stands. Grading and the review
card updates of a submission are written in one transaction.
"""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from typing import IO, Any

from grader.bank.loader import Bank
from grader.bank.params import Attempt
from grader.bank.params import attempt as make_attempt
from grader.bank.schema import ChoiceQuestion, CodeBlankQuestion, Question
from grader.grading.answers import InvalidAnswer, Verdict, blank_keys, split_keys
from grader.learner.storage import AttemptRecord, ItemRow, SessionRow, Store, content_hash

DEFAULT_COUNT = 100
MINUTES_PER_100 = 120.0
CHECKPOINT_SECONDS = 5.0


class TimeUp(Exception):
    """The countdown reached zero."""


def is_exam_style(question: Question) -> bool:
    """Choice questions, and code_blank questions whose blanks all have choices."""
    if isinstance(question, ChoiceQuestion):
        return True
    return isinstance(question, CodeBlankQuestion) and all(b.choices for b in question.blanks)


def exam_pool(bank: Bank, topic: str | None = None) -> list[Question]:
    from grader.bank.catalog import select

    return [q for q in select(bank, topic=topic) if is_exam_style(q)]


def choose_exam(bank: Bank, count: int, seed: int | None = None, topic: str | None = None) -> list[Question]:
    """``count`` exam-style questions drawn at random, then put in syllabus order (as the exam is)."""
    from grader.bank.catalog import topic_key

    pool = exam_pool(bank, topic)
    rng = random.Random(seed)
    chosen = rng.sample(pool, min(count, len(pool)))
    order = {q.id: i for i, q in enumerate(chosen)}
    return sorted(chosen, key=lambda q: (topic_key(q.topic), order[q.id]))


def time_limit(count: int, minutes: float | None = None) -> float:
    """Seconds allowed: ``minutes`` if given, else 120 minutes per 100 questions."""
    return (minutes if minutes is not None else MINUTES_PER_100 * count / 100) * 60.0


def normalize_answer(question: Question, response: str) -> str:
    """The canonical form of an exam answer (``2`` or ``え=4``), checked against the question's keys.

    Raises:
        InvalidAnswer: Not a key (or a set of keys) of this question.
    """
    if isinstance(question, ChoiceQuestion):
        keys = list(dict.fromkeys(split_keys(response)))
        valid = [c.key for c in question.choices]
        if not keys or any(k not in valid for k in keys):
            raise InvalidAnswer(f"answer with a choice key: {', '.join(valid)}")
        if len(question.answer) == 1 and len(keys) > 1:
            raise InvalidAnswer("choose one key")
        return ",".join(keys)
    if isinstance(question, CodeBlankQuestion):
        chosen = blank_keys(question, response)
        if len(question.blanks) == 1:
            return chosen[question.blanks[0].name]
        return ", ".join(f"{b.name}={chosen[b.name]}" for b in question.blanks)
    raise InvalidAnswer(f"{question.id} is not an exam-style question")  # pragma: no cover - the pool excludes it


@dataclass
class ExamItemResult:
    pos: int
    attempt: Attempt
    response: str | None
    status: str  # right | partial | wrong | skipped (unanswered) | error
    verdict: Verdict | None
    notes: tuple[str, ...] = ()


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
            "items": [
                {"pos": i.pos, "id": i.attempt.id, "topic": i.attempt.question.topic, "response": i.response, "verdict": i.status,
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
        self._base_elapsed = session.elapsed
        self._clock = time.monotonic()
        self._shown_at = time.monotonic()
        self._last_checkpoint = time.monotonic()
        self._attempts: dict[int, Attempt] = {}
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
        return self._base_elapsed + (time.monotonic() - self._clock)

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

    def attempt(self, item: ItemRow) -> Attempt:
        if item.pos not in self._attempts:
            question = self.bank.get(item.question_id)
            assert question is not None
            self._attempts[item.pos] = make_attempt(question, item.seed)
        return self._attempts[item.pos]

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
        canonical = normalize_answer(self.attempt(item).question, response)
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
        from grader.learner.quiz import grade_response

        time_up = self.time_up
        elapsed = min(self.elapsed, self.limit) if self.limit else self.elapsed
        self.current.seconds += time.monotonic() - self._shown_at
        graded: list[tuple[AttemptRecord, int, Any]] = []
        results: list[ExamItemResult] = []
        for item in self.items:
            current = self.attempt(item)
            question = current.question
            verdict: Verdict | None = None
            notes: tuple[str, ...] = ()
            if not item.response:
                status = "skipped"
            else:
                try:
                    status, verdict, _result, notes = grade_response(current, item.response)
                except InvalidAnswer as exc:  # the question changed since the answer was given
                    status, notes = "error", (f"the stored answer no longer fits the question: {exc}",)
            rating = srs.rating_for(status, item.seconds, 0, question.type)
            record = AttemptRecord(
                question_id=question.id, content_hash=content_hash(question), topic=question.topic, qtype=question.type,
                seed=item.seed, response=item.response, verdict=status, score=verdict.score if verdict else 0.0,
                seconds=round(item.seconds, 3), hints=0, mode="exam",
                detail={"notes": list(notes), "flagged": item.flagged} if notes or item.flagged else None,
            )  # fmt: skip
            schedule = srs.schedule_update(rating, time.time(), item.seconds) if rating is not None else None
            graded.append((record, item.pos, schedule))
            results.append(ExamItemResult(item.pos, current, item.response, status, verdict, notes))
        self.store.submit_session(self.session.id, graded, elapsed=elapsed)
        self.result = exam_result(self.session.id, results, elapsed, self.limit, time_up)
        return self.result


def exam_result(session_id: str, items: list[ExamItemResult], seconds: float, limit: float, time_up: bool) -> ExamResult:
    by_topic: dict[str, dict[str, int]] = {}
    earned = possible = 0.0
    for item in items:
        question = item.attempt.question
        t = by_topic.setdefault(question.topic, {"total": 0, "right": 0})
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
    )


# --------------------------------------------------------------------------- commands typed during the exam

_GOTO = re.compile(r"^(?:g\s*|#)(\d+)$", re.I)


def parse_command(text: str) -> tuple[str, int | None] | None:
    """A navigation command, or None when ``text`` is an answer.

    ``n``/Enter next · ``p`` previous · ``g 12``/``#12`` go to · ``f`` flag · ``c`` clear · ``l`` list ·
    ``submit``/``S`` submit · ``q`` stop for now (resume later).
    """
    word = text.strip()
    if word in ("", "n"):
        return ("next", None)
    if word == "p":
        return ("prev", None)
    if word in ("f", "F"):
        return ("flag", None)
    if word == "c":
        return ("clear", None)
    if word in ("l", "L"):
        return ("list", None)
    if word in ("S", "submit", "提出"):
        return ("submit", None)
    if word == "q":
        return ("quit", None)
    m = _GOTO.match(word)
    if m:
        return ("goto", int(m.group(1)) - 1)
    return None


def status_line(exam: Exam) -> str:
    from grader.learner.quiz import format_seconds

    return (
        f"残り {format_seconds(exam.remaining)} │ 問 {exam.position + 1}/{len(exam.items)} │ 回答 {exam.answered}/{len(exam.items)}"
        f" │ ⚑ {exam.flagged}"
    )


def question_map(exam: Exam) -> list[str]:
    """One cell per question: ``12✓`` answered, ``12·`` not, ``⚑`` flagged, ``▶`` current."""
    cells = []
    for i, item in enumerate(exam.items):
        mark = "✓" if item.response else "·"
        flag = "⚑" if item.flagged else ""
        here = "▶" if i == exam.position else ""
        cells.append(f"{here}{i + 1}{mark}{flag}")
    return cells


# --------------------------------------------------------------------------- plain text: scripts and pipes


def run_exam_plain(exam: Exam, reader: Any, out: IO[str]) -> ExamResult | None:
    """The exam without a terminal: each input line answers the current question (then moves on) or is a
    command. The end of the input submits the exam; so does the time running out.

    Returns the result, or None when the learner stopped with ``q`` (the exam stays open).
    """
    from grader.grading.render import question_text
    from grader.learner.mathtext import convert

    def say(text: str = "") -> None:
        out.write(text + "\n")
        out.flush()

    for qid in exam.dropped:
        say(f"note: {qid} is no longer in the bank: left out")
    shown = -1
    while not exam.time_up:
        if shown != exam.position:
            item = exam.current
            say(f"\n=== {exam.position + 1}/{len(exam.items)} ===  {status_line(exam)}")
            say(convert(question_text(exam.attempt(item))))
            if item.response:
                say(f"(現在の回答: {item.response})")
            shown = exam.position
        try:
            line = reader.readline(timeout=exam.remaining)
        except TimeoutError:
            break
        except KeyboardInterrupt:
            exam.suspend()
            say(f"\n中断しました: `eshikaku exam --resume` で続けられます ({status_line(exam)})")
            return None
        if line is None:
            break
        command = parse_command(line)
        if command is None:
            try:
                exam.answer_and_advance(line)
            except InvalidAnswer as exc:
                say(f"? {exc}")
            continue
        kind, arg = command
        if kind == "quit":
            exam.suspend()
            say(f"中断しました: `eshikaku exam --resume` で続けられます (残り {status_line(exam)})")
            return None
        if kind == "submit":
            break
        navigate(exam, kind, arg, say)
    if exam.time_up:
        say("時間切れ: 提出しました (time is up: submitted as it stands)")
    return exam.submit()


def navigate(exam: Exam, kind: str, arg: int | None, say: Any) -> None:
    """Carries out a navigation command (next, prev, goto, flag, clear, list); ``say`` shows feedback."""
    if kind == "next":
        exam.goto(exam.position + 1)
    elif kind == "prev":
        exam.goto(exam.position - 1)
    elif kind == "goto" and arg is not None:
        exam.goto(arg)
    elif kind == "flag":
        say("⚑ flagged" if exam.toggle_flag() else "flag removed")
    elif kind == "clear":
        exam.clear_answer()
    elif kind == "list":
        say("  ".join(question_map(exam)))


def result_text(result: ExamResult) -> str:
    from grader.bank.syllabus import topic_name
    from grader.learner.quiz import format_seconds

    lines = ["", "=== 模擬試験 結果 (mock exam results) ==="]
    if result.time_up:
        lines.append("時間切れで提出されました (time ran out)")
    lines.append(
        f"得点 {result.score:.0%}   正解 {result.right}/{result.total}   回答 {result.answered}/{result.total}"
        f"   時間 {format_seconds(result.seconds)} / {format_seconds(result.time_limit)}"
    )
    for topic, t in result.by_topic.items():
        lines.append(f"  {topic:5} {t['right']}/{t['total']}  {topic_name(topic)}")
    return "\n".join(lines)


def mistake_text(item: ExamItemResult, index: int, total: int) -> str:
    from grader.grading.render import expected_text, question_text
    from grader.learner.mathtext import convert

    current = item.attempt
    answer = item.response or "(未回答)"
    expected = item.verdict.expected if item.verdict else expected_text(current)
    lines = [f"--- 見直し {index}/{total} ---", convert(question_text(current)), "", f"あなたの回答: {answer}", f"正解: {convert(expected)}"]
    if item.verdict:
        lines += [f"  - {f}" for f in item.verdict.feedback if not f.startswith(("✓", "✗"))]
    lines += [f"note: {n}" for n in item.notes]
    lines += ["", "解説:", convert(current.explanation.rstrip())]
    return "\n".join(lines)
