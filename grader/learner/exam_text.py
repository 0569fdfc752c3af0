"""The mock exam without a terminal, and what both front ends share: the commands typed during the exam,
the status line, the question map, and the results and mistakes as text."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, Any

from grader.grading.answers import InvalidAnswer
from grader.i18n import _
from grader.learner.exam import Exam, ExamItemResult, ExamResult
from grader.learner.plain import format_seconds

_GOTO = re.compile(r"^(?:g\s*|#)(\d+)$", re.I)


def parse_command(text: str) -> tuple[str, int | None] | None:
    """A navigation command, or None when ``text`` is an answer.

    ``n``/Enter next · ``p`` previous · ``g 12``/``#12`` go to · ``f`` flag · ``c`` clear · ``l`` list ·
    ``submit``/``S`` submit · ``q`` stop for now (resume later).
    """
    word = text.strip()
    simple = {"": "next", "n": "next", "p": "prev", "f": "flag", "F": "flag", "c": "clear", "l": "list", "L": "list",
              "S": "submit", "submit": "submit", "提出": "submit", "q": "quit"}  # fmt: skip
    if word in simple:
        return (simple[word], None)
    m = _GOTO.match(word)
    if m:
        return ("goto", int(m.group(1)) - 1)
    return None


def status_line(exam: Exam, *, clock: bool = True) -> str:
    parts = [_("問 {n}/{total}").format(n=exam.position + 1, total=len(exam.items)),
             _("回答 {n}/{total}").format(n=exam.answered, total=len(exam.items)), f"⚑ {exam.flagged}"]  # fmt: skip
    if clock:
        parts.insert(0, _("残り {time}").format(time=format_seconds(exam.remaining)))
    return " │ ".join(parts)


def toolbar_text(exam: Exam, columns: int) -> str:
    """The live bottom line: the clock and the keys, shortened to fit ``columns`` cells (80 included)."""
    from grader.learner.mathbox import cell_width

    keys_long = _("n 次 · p 前 · g N 移動 · f フラグ · l 一覧 · S 提出 · q 中断")
    keys_short = _("n次 p前 gN移動 fフラグ l一覧 S提出 q中断")
    for keys in (keys_long, keys_short, ""):
        text = f" {status_line(exam)} │ {keys} " if keys else f" {status_line(exam)} "
        if cell_width(text) <= columns:
            return text
    return f" {_('残り {time}').format(time=format_seconds(exam.remaining))} "


def question_map(exam: Exam) -> list[str]:
    """One cell per question: ``12✓`` answered, ``12·`` not, ``⚑`` flagged, ``▶`` current."""
    cells = []
    for i, item in enumerate(exam.items):
        mark = "✓" if item.response else "·"
        flag = "⚑" if item.flagged else ""
        here = "▶" if i == exam.position else ""
        cells.append(f"{here}{i + 1}{mark}{flag}")
    return cells


def navigate(exam: Exam, kind: str, arg: int | None, say: Callable[[str], Any]) -> None:
    """Carries out a navigation command (next, prev, goto, flag, clear, list); ``say`` shows feedback."""
    if kind == "next":
        exam.goto(exam.position + 1)
    elif kind == "prev":
        exam.goto(exam.position - 1)
    elif kind == "goto" and arg is not None:
        if not 0 <= arg < len(exam.items):
            say(_("問 {n} はありません (1–{total})").format(n=arg + 1, total=len(exam.items)))
        else:
            exam.goto(arg)
    elif kind == "flag":
        n = exam.position + 1
        say(_("⚑ 問 {n} にフラグを付けました").format(n=n) if exam.toggle_flag() else _("問 {n} のフラグを外しました").format(n=n))
    elif kind == "clear":
        exam.clear_answer()
        say(_("問 {n} の回答を消しました").format(n=exam.position + 1))
    elif kind == "list":
        say("  ".join(question_map(exam)))


def submit_question(exam: Exam) -> str | None:
    """The confirmation to ask before submitting (unanswered and flagged questions), or None when none is needed."""
    left = len(exam.items) - exam.answered
    flagged = exam.flagged_positions()
    if not left and not flagged:
        return None
    parts = []
    if left:
        parts.append(_("未回答が {n} 問あります").format(n=left))
    if flagged:
        parts.append(_("フラグ付き: 問 {list}").format(list=", ".join(map(str, flagged))))
    return "。".join(parts) + _("。提出しますか? [y/N] ")


def suspended_text(exam: Exam) -> str:
    return _("中断しました: `eshikaku exam --resume` で続けられます。時計は止まりません ({status})").format(status=status_line(exam))


def run_exam_plain(exam: Exam, reader: Any, out: IO[str]) -> ExamResult | None:
    """The exam without a terminal: each input line answers the current question (then moves on) or is a
    command. The end of the input submits the exam; so does the time running out.

    Returns the result, or None when the learner stopped with ``q`` (the exam stays open).
    """
    from grader.learner.plain import question_text

    def say(text: str = "") -> None:
        out.write(text + "\n")
        out.flush()

    for qid in exam.dropped:
        say(_("注意: {id} は問題集にもうありません: 除きます").format(id=qid))
    shown = -1
    while not exam.time_up:
        if shown != exam.position:
            item = exam.current
            say(f"\n=== {exam.position + 1}/{len(exam.items)} ===  {status_line(exam)}")
            say(question_text(exam.attempt(item)))
            if item.response:
                say(_("(現在の回答: {response})").format(response=exam.response_shown(item)))
            shown = exam.position
        try:
            line = reader.readline(timeout=exam.remaining)
        except TimeoutError:
            break
        except KeyboardInterrupt:
            exam.suspend()
            say("\n" + suspended_text(exam))
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
            say(suspended_text(exam))
            return None
        if kind == "submit":
            break
        navigate(exam, kind, arg, say)
    if exam.time_up:
        say(_("時間切れ: 提出しました"))
    return exam.submit()


def _rate(t: dict[str, int]) -> str:
    return f"{t['right'] / t['total']:.0%}" if t["total"] else "-"


def result_head(result: ExamResult) -> str:
    return _("得点 {score:.0%}   正解 {right}/{total}   回答 {answered}/{total}   時間 {time} / {limit}").format(
        score=result.score, right=result.right, total=result.total, answered=result.answered, time=format_seconds(result.seconds),
        limit=format_seconds(result.time_limit))  # fmt: skip


def result_tables(result: ExamResult) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """The results by the exam's four areas, then by sub-section: (title, rows of (name, right/total, rate))."""
    from grader.bank.syllabus import edition, topic_name

    names = {a.key: a.name for a in edition().areas}
    return [(_("分野 (試験の 4 分野)"), [(names.get(k, k), f"{t['right']}/{t['total']}", _rate(t)) for k, t in result.by_area.items()]),
            (_("小項目"), [(f"{k} {topic_name(k)}", f"{t['right']}/{t['total']}", _rate(t)) for k, t in result.by_topic.items()])]  # fmt: skip


def result_text(result: ExamResult) -> str:
    lines = ["", _("=== 模擬試験 結果 ===")]
    if result.time_up:
        lines.append(_("時間切れで提出されました"))
    lines.append(result_head(result))
    for title, rows in result_tables(result):
        lines.append(f"{title}:")
        lines += [f"  {name:24} {count:>7}  {rate:>4}" for name, count, rate in rows]
    return "\n".join(lines)


def mistake_text(item: ExamItemResult, index: int, total: int) -> str:
    from grader.learner import verdict
    from grader.learner.plain import question_text

    return "\n".join([_("--- 見直し {index}/{total} ---").format(index=index, total=total), question_text(item.attempt), "",
                      verdict.text(verdict.of_exam_item(item))])  # fmt: skip
