"""The practice loop: ask each pending question, read the answer or a command, grade, show, go on.

:func:`run_practice` drives a *view* (what is shown) and a *reader* (where answers come from): the rich
terminal (:mod:`grader.learner.terminal`) or plain text for pipes and scripts (:mod:`grader.learner.plain`).
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from grader.bank.params import Attempt
from grader.bank.schema import CodeBase, Question, SelfGradedQuestion
from grader.grading.answers import InvalidAnswer, grade
from grader.grading.render import Shown
from grader.i18n import _
from grader.learner.practice import Outcome, Practice, Summary, is_code_entry
from grader.learner.storage import ItemRow

COMMANDS = {"h": "hint", "s": "skip", "q": "quit", "e": "edit"}
RATINGS = {"1": 1, "2": 2, "3": 3, "4": 4}  # もう一度 / 難しい / 普通 / 簡単 (FSRS Again … Easy)


class Quit(Exception):
    """The learner asked to end the session (``q``)."""


class View(Protocol):
    def notice(self, text: str) -> None: ...
    def question(self, practice: Practice, item: ItemRow, current: Attempt) -> None: ...
    def hint(self, text: str, tier: int, total: int) -> None: ...
    def invalid(self, message: str) -> None: ...
    def grading(self, current: Attempt) -> Any: ...
    def outcome(self, outcome: Outcome) -> None: ...
    def rubric(self, current: Attempt) -> None: ...
    def summary(self, summary: Summary, *, interrupted: bool) -> None: ...


class Reader(Protocol):
    interactive: bool
    notes: list[str]  # what the loop tells the learner about their input (e.g. an encoding it read)

    def answer(self, current: Attempt, index: int, total: int) -> str: ...
    def code(self, current: Attempt, index: int, total: int, draft: str) -> str: ...
    def edit(self, text: str) -> str | None: ...
    def pause(self, *, rated: bool) -> str: ...
    def marks(self, current: Attempt) -> str: ...


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
        keys |= {v.name.lower() for v in getattr(question, "variable_specs", ())}
    if not is_code_entry(question):
        keys.add("e")  # `e` opens the editor only for code; elsewhere it may be Euler's number
    return keys


def run_practice(practice: Practice, view: View, reader: Reader) -> Summary:
    """Asks every pending question, grading and storing each answer; returns the session's summary.

    ``h`` shows the next hint tier, ``s`` skips, ``q`` ends the session (it is closed: a new quiz starts
    afresh). Ctrl-C and Ctrl-D (or the end of the answers) leave the session open for ``--resume``.
    """
    for note in practice.notes:
        view.notice(note)
    _say_notes(reader, view)
    interrupted = quit_ = False
    try:
        while (item := practice.current()) is not None:
            outcome = _ask(practice, item, view, reader)
            if practice.current() is not None and reader.interactive:
                _after(practice, outcome, view, reader)
    except Quit:
        quit_ = True
    except (KeyboardInterrupt, EOFError):
        interrupted = True
    if practice.current() is None:
        practice.finish()
    elif quit_:
        practice.finish("abandoned")
    else:
        practice.suspend()
    summary = practice.summary()
    view.summary(summary, interrupted=interrupted)
    return summary


def _after(practice: Practice, outcome: Outcome, view: View, reader: Reader) -> None:
    """The pause after a verdict: Enter goes on; 1–4 rate it yourself, g marks a lucky guess, u undoes."""
    rated = outcome.rating is not None and outcome.status in ("right", "partial", "wrong")
    while True:
        word = reader.pause(rated=rated).strip().lower()
        if word in ("q", ":q"):
            raise Quit
        if not rated or not word:
            return
        if word in RATINGS or word == "g":
            rating = RATINGS.get(word, 1)
            practice.rerate(outcome, rating)
            if word == "g":
                view.notice(_("当てずっぽう: もう一度 (覚えていない) として記録しました"))
            else:
                view.notice(_("評価を {name} にしました").format(name=rating_name(rating)))
        elif word == "u":
            view.notice(_("評価を元に戻しました ({name})").format(name=rating_name(practice.undo_rating(outcome))))
        else:
            return


def rating_name(rating: int | None) -> str:
    names = {1: _("もう一度"), 2: _("難しい"), 3: _("普通"), 4: _("簡単")}
    return names.get(rating or 0, _("なし"))


def _ask(practice: Practice, item: ItemRow, view: View, reader: Reader) -> Outcome:
    shown: Shown = practice.shown(item)
    current = shown.attempt
    view.question(practice, item, current)
    started = time.monotonic()
    code = is_code_entry(current.question)
    if isinstance(current.question, CodeBase):  # typed code, or a code_blank's keys: both run in the sandbox
        from grader.learner import warmup

        warmup.prepare(practice, item)
    index, total = practice.index_of(item), len(practice.items)
    while True:
        draft = practice.draft(item) if code else ""
        try:
            text = reader.code(current, index, total, draft) if code else reader.answer(current, index, total)
        except InvalidAnswer as exc:  # typed bytes in no encoding it can read
            view.invalid(str(exc))
            continue
        _say_notes(reader, view)
        command = command_of(text, current)
        if command == "quit":
            raise Quit
        if command == "hint":
            hint = practice.take_hint(item)
            if hint is None:
                view.invalid(_("ヒントはもうありません"))
            else:
                view.hint(*hint)
            continue
        if command == "skip":
            outcome = practice.skip(item, time.monotonic() - started)
            view.outcome(outcome)
            return outcome
        if command == "edit":
            edited = reader.edit(draft if code else "")
            if not edited or not edited.strip():
                view.invalid(_("何も入力されませんでした"))
                continue
            text = edited
        if not text.strip():
            continue
        if isinstance(current.question, SelfGradedQuestion) and reader.interactive:
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
        return outcome


def _say_notes(reader: Reader, view: View) -> None:
    while reader.notes:
        view.notice(reader.notes.pop(0))


def _read_marks(reader: Reader, view: View, current: Attempt) -> str:
    """Rubric marks (``1,3``, ``all``, ``none``), asked again until they parse."""
    while True:
        marks = reader.marks(current)
        try:
            grade(current, marks)
        except InvalidAnswer as exc:
            view.invalid(str(exc))
            continue
        return marks
