"""Plain text for pipes and scripts: answers read line by line, questions and verdicts printed without
colour or cursor control (formulas still become Unicode)."""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from typing import IO, Any

from grader.bank.params import Attempt
from grader.i18n import _
from grader.learner.inputs import decode, read_file
from grader.learner.practice import Outcome, Practice, Summary, is_code_entry
from grader.learner.storage import ItemRow


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class LineReader:
    """Answers read line by line from a file or a pipe; typed code ends with a line holding only ``.``.

    Each line is decoded by :func:`grader.learner.inputs.decode` (UTF-8, else cp932 with a note); a line
    that is neither is refused with a message naming the problem (the loop asks again).
    """

    interactive = False

    def __init__(self, stream: IO[str] | None = None, lines: list[str] | None = None, notes: list[str] | None = None) -> None:
        self._lines: Iterator[str] | None = iter(lines) if lines is not None else None
        self._stream = stream if stream is not None else sys.stdin
        self._buffer = b""
        self._eof = False
        self.notes = notes or []

    @classmethod
    def from_file(cls, path: str) -> LineReader:
        """Reads ``--answers FILE`` whole (an undecodable file is a usage error, before anything is asked)."""
        from pathlib import Path

        decoded = read_file(Path(path))
        return cls(lines=decoded.text.splitlines(), notes=[decoded.note] if decoded.note else [])

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
                ready, _w, _x = select.select([fd], [], [], max(0.0, timeout))
                if not ready:
                    raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                self._eof = True
            self._buffer += chunk
        if not self._buffer:
            return None
        line, _sep, rest = self._buffer.partition(b"\n")
        self._buffer = rest
        decoded = decode(line, _("標準入力"))
        if decoded.note and decoded.note not in self.notes:
            self.notes.append(decoded.note)
        return decoded.text.rstrip("\r").lstrip("\ufeff")

    def _line(self) -> str:
        line = self.readline()
        if line is None:
            raise EOFError
        return line

    def answer(self, current: Attempt, index: int, total: int) -> str:
        return self._line()

    def code(self, current: Attempt, index: int, total: int, draft: str) -> str:
        from grader.learner.loop import command_of

        first = self._line()
        if command_of(first, current):
            return first
        lines = [first]
        while (line := self.readline()) is not None and line.strip() != ".":
            lines.append(line)
        return "\n".join(lines) + "\n"

    def edit(self, text: str) -> str | None:
        return None

    def pause(self, *, rated: bool) -> str:
        return ""

    def marks(self, current: Attempt) -> str:
        return self._line()


class PlainView:
    """Plain text (no colour, no cursor control) for pipes and scripts."""

    def __init__(self, out: IO[str] | None = None) -> None:
        self.out = out if out is not None else sys.stdout

    def _print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def notice(self, text: str) -> None:
        self._print(_("注意: {text}").format(text=text))

    def question(self, practice: Practice, item: ItemRow, current: Attempt) -> None:
        self._print(f"\n=== {practice.index_of(item)}/{len(practice.items)} ===")
        help_line = _("コードで答える: 行を入力し、. だけの行で終える (h ヒント, s スキップ, q 終了)") if is_code_entry(current.question) else None
        self._print(question_text(current, help_line=help_line))
        examples = public_examples(current)
        if examples:
            self._print("\n".join(examples))

    def hint(self, text: str, tier: int, total: int) -> None:
        from grader.learner.mathtext import convert

        self._print(_("ヒント {tier}/{total}: {text}").format(tier=tier, total=total, text=convert(text)))

    def invalid(self, message: str) -> None:
        self._print(f"? {message}")

    def rubric(self, current: Attempt) -> None:
        return None

    def grading(self, current: Attempt) -> Any:
        return nullcontext()

    def outcome(self, outcome: Outcome) -> None:
        from grader.learner import verdict

        self._print(verdict.text(verdict.of_outcome(outcome)))

    def summary(self, summary: Summary, *, interrupted: bool) -> None:
        self._print(summary_text(summary, interrupted=interrupted))


def question_text(current: Attempt, *, help_line: str | None = None) -> str:
    """A question as plain text (formulas as Unicode), as the plain quiz, the plain exam and ``show`` print it."""
    from grader.grading.render import answer_help
    from grader.grading.render import question_text as source_text
    from grader.learner.mathtext import convert

    text = source_text(current)
    if help_line is not None:
        text = text.replace(answer_help(current), help_line)
    return convert(text)


def public_examples(current: Attempt) -> list[str]:
    """The public examples of a code question (what ``show`` prints), or nothing when they cannot be built."""
    from grader.bank.schema import CodeBase

    if not isinstance(current.question, CodeBase):
        return []
    from grader.grading.report import example_lines

    try:
        return ["", *example_lines(current.question)]
    except Exception:  # a broken reference is the bank's problem; the question is still shown
        return []


def summary_text(summary: Summary, *, interrupted: bool = False) -> str:
    from grader.bank.syllabus import topic_name

    lines = ["", _("=== 結果 ==="), summary_head(summary)]
    if summary.errors:
        lines.append(_("採点エラー {n} 問 (成績に数えません)").format(n=summary.errors))
    for topic, t in summary.by_topic.items():
        if t["answered"]:
            lines.append(f"  {topic:5} {t['right']}/{t['answered']}  {topic_name(topic)}")
    if summary.to_review:
        lines.append(_("復習する問題: ") + ", ".join(f"{r['id']} ({review_reason(r['reason'])})" for r in summary.to_review))
    if summary.remaining:
        lines.append(remaining_text(summary, interrupted))
    return "\n".join(lines)


def summary_head(summary: Summary) -> str:
    pct = f" ({summary.right / summary.answered:.0%})" if summary.answered else ""
    return _("正解 {right}/{graded}{pct}   部分正解 {partial}   スキップ {skipped}   時間 {time}").format(
        right=summary.right, graded=summary.answered, pct=pct, partial=summary.partial, skipped=summary.skipped, time=format_seconds(summary.seconds))


def review_reason(reason: str) -> str:
    reasons = {"wrong": _("不正解"), "partial": _("部分正解"), "skipped": _("スキップ"), "error": _("採点エラー"), "hint or slow": _("ヒント/時間")}
    return reasons.get(reason, reason)


def remaining_text(summary: Summary, interrupted: bool) -> str:
    if interrupted:
        return _("中断しました: 残り {n} 問は `eshikaku quiz --resume` で続けられます").format(n=summary.remaining)
    return _("終了しました (残り {n} 問は解いていません)").format(n=summary.remaining)
