"""Practice sessions (quiz, review, cram, mistakes): choosing questions, grading each answer as it comes,
storing it at once, and resuming where the learner stopped.

The session logic knows nothing about terminals: :func:`run_practice` drives a *view* (what is shown)
and a *reader* (where answers come from). :class:`PlainView` and :class:`LineReader` here serve scripts
and pipes; :mod:`grader.learner.terminal` has the rich view and the line editor. Nothing heavy is imported at
module level: NumPy and the sandbox load only when a code question is graded.
"""

from __future__ import annotations

import os
import random
import select
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any, Protocol

from grader.bank.loader import Bank
from grader.bank.params import Attempt
from grader.bank.params import attempt as make_attempt
from grader.bank.schema import CodeBlankQuestion, CodeFunctionQuestion, Question, SelfGradedQuestion
from grader.grading.answers import InvalidAnswer, Verdict, blank_keys, grade
from grader.learner.storage import AttemptRecord, ItemRow, SessionRow, Store, content_hash

COMMANDS = {"h": "hint", "s": "skip", "q": "quit", "e": "edit"}
CODE_HELP_PLAIN = "コードで答える: 行を入力し、. だけの行で終える (h ヒント, s スキップ, q 終了)"
DEFAULT_COUNT = 10


class Quit(Exception):
    """The learner asked to end the session (``q``)."""


# --------------------------------------------------------------------------- choosing questions


def choose_questions(
    bank: Bank,
    store: Store,
    *,
    topic: str | None = None,
    tag: str | None = None,
    qtype: str | None = None,
    count: int = DEFAULT_COUNT,
    seed: int | None = None,
    now: float | None = None,
) -> list[Question]:
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
    accuracy = (history["right"] or 0) / max(1, history["n"])
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


def code_template(question: Question) -> str:
    return getattr(question, "template", "") or ""


# --------------------------------------------------------------------------- grading one response


@dataclass
class Outcome:
    """The result of one answer (or skip), as stored."""

    pos: int
    attempt: Attempt
    status: str  # right | partial | wrong | skipped | error
    verdict: Verdict | None
    seconds: float
    hints: int
    code: Any = None  # CodeResult of a code answer
    rating: int | None = None
    notes: tuple[str, ...] = ()


def _status(verdict: Verdict) -> str:
    return "right" if verdict.correct else ("partial" if verdict.score > 0 else "wrong")


def code_detail(result: Any) -> dict[str, Any]:
    return {
        "code_seed": result.seed,
        "code_status": result.status,
        "message": result.message,
        "cases": [{"name": c.name, "passed": c.passed, "hidden": c.hidden, "message": c.message} for c in result.cases],
    }


def grade_response(current: Attempt, response: str, *, code: bool = False) -> tuple[str, Verdict, Any, tuple[str, ...]]:
    """Grades ``response`` → (status, verdict, code result or None, notes).

    Typed code and code_blank keys run in the sandbox (through :mod:`grader.grading.judge`). If the sandbox cannot
    run, a code_blank answered by keys is graded by its answer key instead (and says so); typed code
    gets the status ``error``, which is never counted against the learner.

    Raises:
        InvalidAnswer: The response is not in a form the question accepts.
    """
    question = current.question
    if code:
        from grader.grading.judge import judge_code

        try:
            verdict, result = judge_code(current, response)
        except InvalidAnswer:
            raise
        except Exception as exc:  # the sandbox could not start: a grader problem, not the learner's
            verdict = Verdict(False, 0.0, response, "", (f"採点できませんでした (grader error): {exc}",))
            return "error", verdict, None, (f"grader error: {type(exc).__name__}: {exc}",)
        status = "error" if result.status == "grader_fault" else _status(verdict)
        return status, verdict, result, ()
    if isinstance(question, CodeBlankQuestion):
        keys = blank_keys(question, response)  # InvalidAnswer before anything runs
        try:
            from grader.grading.judge import judge_code
            from grader.grading.source import choice_codes

            verdict, result = judge_code(current, choice_codes(question, keys))
            if result.status != "grader_fault":
                return _status(verdict), replace(verdict, response=response), result, ()
            note = f"grader error: {result.message}"
        except Exception as exc:  # no sandbox here: fall back to the validated answer key
            note = f"sandbox unavailable ({type(exc).__name__}: {exc})"
        verdict = grade(current, response)
        return _status(verdict), verdict, None, (f"{note}; graded by the answer key",)
    from grader.grading.judge import judge

    verdict = judge(current, response)
    return _status(verdict), verdict, None, ()


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
        self._attempts: dict[int, Attempt] = {}
        self._clock = time.monotonic()
        self._base_elapsed = session.elapsed
        self.notes: list[str] = []

    # ----------------------------------------------------------------- starting and resuming

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
                practice.notes.append(f"{item.question_id} is no longer in the bank: skipped")
            elif item.status == "pending" and content_hash(bank.questions[item.question_id]) != item.content_hash:
                practice.notes.append(f"{item.question_id} was edited since the session began: the new version is shown")
        return practice

    # ----------------------------------------------------------------- state

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

    def attempt(self, item: ItemRow) -> Attempt:
        """The attempt of ``item``: its stored seed gives the same numbers and choice order on resume."""
        if item.pos not in self._attempts:
            self._attempts[item.pos] = make_attempt(self.question(item), item.seed)
        return self._attempts[item.pos]

    def shown(self, item: ItemRow) -> Attempt:
        """The attempt as displayed: the same text, but a computed answer is left for grading time
        (computing it imports NumPy and the reference module, which the first screen does not need)."""
        if item.pos in self._attempts:
            return self._attempts[item.pos]
        return display_attempt(self.question(item), item.seed)

    # ----------------------------------------------------------------- actions

    def take_hint(self, item: ItemRow) -> tuple[str, int, int] | None:
        """The next hint tier (text, tier, number of tiers), recorded at once; None when none is left."""
        hints = self.shown(item).hints
        if item.hints >= len(hints):
            return None
        item.hints += 1
        self.store.update_item(self.session.id, item.pos, hints=item.hints)
        return hints[item.hints - 1], item.hints, len(hints)

    def answer(self, item: ItemRow, response: str, seconds: float, *, code: bool = False) -> Outcome:
        """Grades and stores ``response``.

        Raises:
            InvalidAnswer: The response is not in an accepted form (nothing is stored).
        """
        current = self.attempt(item)
        status, verdict, result, notes = grade_response(current, response, code=code)
        detail: dict[str, Any] = code_detail(result) if result is not None else {}
        if notes:
            detail["notes"] = list(notes)
        return self._store(item, current, status, verdict, response, seconds, result, notes, detail)

    def skip(self, item: ItemRow, seconds: float) -> Outcome:
        return self._store(item, self.attempt(item), "skipped", None, None, seconds, None, (), {})

    def _store(self, item: ItemRow, current: Attempt, status: str, verdict: Verdict | None, response: str | None,
               seconds: float, result: Any, notes: tuple[str, ...], detail: dict[str, Any]) -> Outcome:  # fmt: skip
        from grader.learner import srs

        question = current.question
        rating = None if self.kind == "cram" else srs.rating_for(status, seconds, item.hints, question.type)
        record = AttemptRecord(
            question_id=question.id,
            content_hash=content_hash(question),
            topic=question.topic,
            qtype=question.type,
            seed=item.seed,
            response=response,
            verdict=status,
            score=verdict.score if verdict else 0.0,
            seconds=round(seconds, 3),
            hints=item.hints,
            mode=self.kind,
            detail=detail or None,
        )
        schedule = srs.schedule_update(rating, time.time(), seconds) if rating is not None else None
        item.status = "skipped" if status == "skipped" else "answered"
        pending_after = [i for i in self.pending() if i.pos != item.pos]
        self.store.record_attempt(
            record,
            session_id=self.session.id,
            pos=item.pos,
            item_status=item.status,
            next_position=pending_after[0].pos if pending_after else item.pos,
            elapsed=self.elapsed,
            schedule=schedule,
        )
        return Outcome(item.pos, current, status, verdict, seconds, item.hints, result, rating, notes)

    def suspend(self) -> None:
        """Keeps the session open (``--resume`` continues it), saving the time used."""
        self.store.touch_session(self.session.id, elapsed=self.elapsed)

    def finish(self) -> None:
        self.store.finish_session(self.session.id, "finished", elapsed=self.elapsed)

    # ----------------------------------------------------------------- results

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
        {
            "id": r["question_id"], "pos": r["pos"], "seed": r["seed"], "content_hash": r["content_hash"],
            "response": r["response"], "verdict": r["verdict"], "score": r["score"], "seconds": r["seconds"],
            "hints": r["hints"], "rating": r["rating"],
        }
        for r in rows
    ]  # fmt: skip
    answered = counts["right"] + counts["partial"] + counts["wrong"]
    remaining = sum(1 for i in items if i.status == "pending")
    return Summary(
        session_id=session_id,
        kind=session.kind if session else "quiz",
        finished=finished,
        total=len(items),
        answered=answered,
        right=counts["right"],
        partial=counts["partial"],
        wrong=counts["wrong"],
        skipped=counts["skipped"],
        errors=counts["error"],
        score=round(score, 3),
        seconds=round(seconds, 1),
        by_topic=dict(sorted(by_topic.items())),
        to_review=review,
        attempts=attempts,
        remaining=remaining,
    )


# --------------------------------------------------------------------------- views and readers


class View(Protocol):
    def notice(self, text: str) -> None: ...
    def question(self, practice: Practice, item: ItemRow, current: Attempt) -> None: ...
    def hint(self, text: str, tier: int, total: int) -> None: ...
    def invalid(self, message: str) -> None: ...
    def grading(self, current: Attempt) -> Any: ...
    def outcome(self, outcome: Outcome) -> None: ...
    def summary(self, summary: Summary, *, interrupted: bool) -> None: ...


class Reader(Protocol):
    interactive: bool

    def answer(self, current: Attempt, index: int, total: int) -> str: ...
    def code(self, current: Attempt, index: int, total: int) -> str: ...
    def edit(self, text: str) -> str | None: ...
    def pause(self) -> str: ...


def command_of(text: str, current: Attempt) -> str | None:
    """``h``/``s``/``q``/``e`` (or ``:h``…) as a command, unless the bare letter is one of the question's keys."""
    word = text.strip().lower()
    if word.startswith(":") and word[1:] in COMMANDS:
        return COMMANDS[word[1:]]
    if word in COMMANDS and word not in _keys(current.question):
        return COMMANDS[word]
    return None


def _keys(question: Question) -> set[str]:
    """Answers that look like commands: choice keys, and the variables of an expression question."""
    keys = {c.key.lower() for c in getattr(question, "choices", [])}
    for blank in getattr(question, "blanks", []):
        keys |= {c.key.lower() for c in blank.choices}
    if question.type == "expression":
        keys |= {v.name.lower() for v in question.variable_specs}  # type: ignore[union-attr]
    if not is_code_entry(question):
        keys.add("e")  # `e` opens the editor only for code; elsewhere it may be Euler's number
    return keys


def run_practice(practice: Practice, view: View, reader: Reader) -> Summary:
    """Asks every pending question, grading and storing each answer; returns the session's summary.

    ``h`` shows the next hint tier, ``s`` skips, ``q`` ends the session. Ctrl-C and Ctrl-D (or the end
    of the answers) leave the session open for ``--resume``.
    """
    for note in practice.notes:
        view.notice(note)
    interrupted = False
    try:
        while (item := practice.current()) is not None:
            _ask(practice, item, view, reader)
            if practice.current() is not None and reader.interactive:
                if reader.pause() == "quit":
                    raise Quit
    except (KeyboardInterrupt, EOFError, Quit):
        interrupted = True
    if practice.current() is None:
        practice.finish()
    else:
        practice.suspend()
    summary = practice.summary()
    view.summary(summary, interrupted=interrupted)
    return summary


def _ask(practice: Practice, item: ItemRow, view: View, reader: Reader) -> None:
    current = practice.shown(item)
    view.question(practice, item, current)
    started = time.monotonic()
    code = is_code_entry(current.question)
    index, total = practice.index_of(item), len(practice.items)
    while True:
        text = reader.code(current, index, total) if code else reader.answer(current, index, total)
        command = command_of(text, current)
        if command == "quit":
            raise Quit
        if command == "hint":
            hint = practice.take_hint(item)
            if hint is None:
                view.invalid("ヒントはもうありません (no more hints)")
            else:
                view.hint(*hint)
            continue
        if command == "skip":
            view.outcome(practice.skip(item, time.monotonic() - started))
            return
        if command == "edit":
            edited = reader.edit(code_template(current.question) if code else "")
            if not edited or not edited.strip():
                view.invalid("何も入力されませんでした (nothing entered)")
                continue
            text = edited
        if not text.strip():
            continue
        if isinstance(current.question, SelfGradedQuestion) and getattr(reader, "interactive", False):
            # The learner writes an answer first, then marks it against the model answer's rubric.
            view.rubric(current)
            text = _read_marks(reader, view, current)
        try:
            with view.grading(current):
                outcome = practice.answer(item, text, time.monotonic() - started, code=code)
        except InvalidAnswer as exc:
            view.invalid(str(exc))
            continue
        view.outcome(outcome)
        return


def _read_marks(reader: Any, view: Any, current: Attempt) -> str:
    """Rubric marks (``1,3``, ``all``, ``none``), asked again until they parse."""
    while True:
        marks = reader.marks(current)
        try:
            grade(current, marks)
        except InvalidAnswer as exc:
            view.invalid(str(exc))
            continue
        return marks


# --------------------------------------------------------------------------- plain text: scripts and pipes


class LineReader:
    """Answers read line by line from a file or a pipe; typed code ends with a line holding only ``.``."""

    interactive = False

    def __init__(self, stream: IO[str] | None = None, lines: list[str] | None = None) -> None:
        self._lines: Iterator[str] | None = iter(lines) if lines is not None else None
        self._stream = stream if stream is not None else sys.stdin
        self._buffer = b""
        self._eof = False

    @classmethod
    def from_file(cls, path: str) -> LineReader:
        with open(path, encoding="utf-8") as fh:
            return cls(lines=fh.read().splitlines())

    def readline(self, timeout: float | None = None) -> str | None:
        """The next line without its newline; None at the end; ``TimeoutError`` after ``timeout`` seconds."""
        if self._lines is not None:
            return next(self._lines, None)
        try:
            fd = self._stream.fileno()
        except (AttributeError, OSError, ValueError):
            line = self._stream.readline()
            return line.rstrip("\r\n") if line else None
        while b"\n" not in self._buffer and not self._eof:
            if timeout is not None:
                ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
                if not ready:
                    raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                self._eof = True
            self._buffer += chunk
        if not self._buffer:
            return None
        line, sep, rest = self._buffer.partition(b"\n")
        self._buffer = rest
        return line.decode("utf-8", "replace").rstrip("\r")

    def _line(self) -> str:
        line = self.readline()
        if line is None:
            raise EOFError
        return line

    def answer(self, current: Attempt, index: int, total: int) -> str:
        return self._line()

    def code(self, current: Attempt, index: int, total: int) -> str:
        first = self._line()
        if command_of(first, current):
            return first
        lines = [first]
        while (line := self.readline()) is not None and line.strip() != ".":
            lines.append(line)
        return "\n".join(lines) + "\n"

    def edit(self, text: str) -> str | None:
        return None

    def pause(self) -> str:
        return ""


class PlainView:
    """Plain text (no colour, no cursor control) for pipes and scripts; formulas still become Unicode."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out if out is not None else sys.stdout

    def _print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def notice(self, text: str) -> None:
        self._print(f"note: {text}")

    def question(self, practice: Practice, item: ItemRow, current: Attempt) -> None:
        from grader.grading.render import question_text
        from grader.learner.mathtext import convert

        self._print(f"\n=== {practice.index_of(item)}/{len(practice.items)} ===")
        text = question_text(current)
        if is_code_entry(current.question):
            from grader.grading.render import answer_help

            text = text.replace(answer_help(current), CODE_HELP_PLAIN)
        self._print(convert(text))

    def hint(self, text: str, tier: int, total: int) -> None:
        from grader.learner.mathtext import convert

        self._print(f"ヒント {tier}/{total}: {convert(text)}")

    def invalid(self, message: str) -> None:
        self._print(f"? {message}")

    def grading(self, current: Attempt) -> Any:
        from contextlib import nullcontext

        return nullcontext()

    def outcome(self, outcome: Outcome) -> None:
        self._print(outcome_text(outcome))

    def summary(self, summary: Summary, *, interrupted: bool) -> None:
        self._print(summary_text(summary, interrupted=interrupted))


def outcome_text(outcome: Outcome) -> str:
    from grader.grading.render import expected_text, verdict_text
    from grader.learner.mathtext import convert

    current = outcome.attempt
    if outcome.status == "skipped":
        lines = ["スキップ (skipped)", f"正解: {convert(expected_text(current))}", "", "解説:", convert(current.explanation.rstrip())]
        return "\n".join(lines)
    assert outcome.verdict is not None
    verdict = outcome.verdict
    if outcome.code is not None:
        verdict = replace(verdict, feedback=())
    text = verdict_text(current, verdict)
    if outcome.status == "error":
        text = "採点できませんでした (grader error): この回答は成績に数えません\n" + text
    extra: list[str] = []
    if outcome.code is not None:
        from grader.grading.report import case_lines

        extra = ["", "テストケース:", *[f"  {line}" for line in case_lines(outcome.code)]]
    extra += [f"note: {n}" for n in outcome.notes]
    head, _, rest = text.partition("\n\n解説:")
    return convert(head) + ("\n".join(extra) if extra else "") + "\n\n解説:" + convert(rest)


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def summary_text(summary: Summary, *, interrupted: bool = False) -> str:
    from grader.bank.syllabus import topic_name

    lines = ["", "=== 結果 (summary) ==="]
    graded = summary.answered
    pct = f" ({summary.right / graded:.0%})" if graded else ""
    lines.append(f"正解 {summary.right}/{graded}{pct}   部分正解 {summary.partial}   スキップ {summary.skipped}   時間 {format_seconds(summary.seconds)}")
    if summary.errors:
        lines.append(f"採点エラー {summary.errors} 問 (成績に数えません)")
    for topic, t in summary.by_topic.items():
        if t["answered"]:
            lines.append(f"  {topic:5} {t['right']}/{t['answered']}  {topic_name(topic)}")
    if summary.to_review:
        lines.append("復習する問題: " + ", ".join(f"{r['id']} ({r['reason']})" for r in summary.to_review))
    if summary.remaining:
        why = "中断しました" if interrupted else "未回答が残っています"
        lines.append(f"{why}: 残り {summary.remaining} 問は `eshikaku quiz --resume` で続けられます (session {summary.session_id})")
    return "\n".join(lines)
