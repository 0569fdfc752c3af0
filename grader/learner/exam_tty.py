"""The mock exam on a terminal: one screen per question under a live countdown in the bottom toolbar,
the results by the exam's four areas and by sub-section, then a review of every mistake.

The countdown lives only in the toolbar of the exam's own prompt (the header shows no clock that could
stand still), and that prompt is never reused once the exam is submitted, so no toolbar is left ticking
under the results.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, RenderableType
from rich.rule import Rule
from rich.text import Text

from grader.grading.answers import InvalidAnswer
from grader.i18n import _
from grader.learner.exam import Exam, ExamResult
from grader.learner.exam_text import navigate, parse_command, result_head, result_tables, status_line, submit_question, suspended_text, toolbar_text
from grader.learner.richtext import STYLES
from grader.learner.screens import question_renderables
from grader.learner.terminal import PromptReader, page


class ExamPrompt:
    """The exam's input line: a prompt session of its own with the countdown toolbar; raises
    :class:`grader.learner.exam.TimeUp` when the time runs out while the learner is typing."""

    def __init__(self, reader: PromptReader, exam: Exam) -> None:
        self.session = reader.new_session()
        self.exam = exam

    def ask(self, message: str) -> str:
        import asyncio

        from prompt_toolkit.application.current import get_app

        from grader.learner.exam import TimeUp

        exam = self.exam

        def toolbar() -> Any:
            import shutil

            return [("class:bottom-toolbar", toolbar_text(exam, shutil.get_terminal_size().columns))]

        def start_watchdog() -> None:
            app = get_app()

            async def watchdog() -> None:
                while True:
                    remaining = exam.remaining
                    if remaining <= 0:
                        app.exit(exception=TimeUp())
                        return
                    await asyncio.sleep(min(remaining, 1.0))
                    exam.checkpoint(force=False)

            app.create_background_task(watchdog())

        return str(self.session.prompt(message, bottom_toolbar=toolbar, refresh_interval=1.0, pre_run=start_watchdog))


def run_exam_tty(exam: Exam, console: Console, reader: PromptReader) -> ExamResult | None:
    """The interactive mock exam; returns the result, or None when the learner stopped for now."""
    from grader.learner.exam import TimeUp

    prompt = ExamPrompt(reader, exam)
    message: Text | None = None
    for qid in exam.dropped:
        console.print(Text(_("注意: {id} は問題集にもうありません: 除きます").format(id=qid), style=STYLES["dim"]))
    try:
        while not exam.time_up:
            item = exam.current
            console.clear()
            console.print(Text(status_line(exam, clock=False), style="bold"))
            header = f"{exam.position + 1}/{len(exam.items)}"
            for renderable in question_renderables(exam.attempt(item), header, response=exam.response_shown(item), flagged=item.flagged,
                                                   examples=False):  # fmt: skip
                console.print(renderable)
            if message is not None:
                console.print(message)
                message = None
            line = prompt.ask(_("回答 > "))
            command = parse_command(line)
            if command is None:
                try:
                    exam.answer_and_advance(line)
                except InvalidAnswer as exc:
                    message = Text(f"? {exc}", style=STYLES["partial"])
                continue
            kind, arg = command
            if kind == "quit":
                raise KeyboardInterrupt
            if kind == "submit":
                question = submit_question(exam)
                if question is not None and prompt.ask(question).strip().lower() not in ("y", "yes", "はい"):
                    continue
                break
            said: list[str] = []
            navigate(exam, kind, arg, said.append)
            if said:
                message = Text("  ".join(said))
    except TimeUp:
        pass
    except (KeyboardInterrupt, EOFError):
        exam.suspend()
        console.print(Text("\n" + suspended_text(exam), style=STYLES["partial"]))
        return None
    time_up = exam.time_up
    with console.status(_("採点中…")):
        result = exam.submit()
    if time_up:
        console.print(Text(_("\n時間切れ: 提出しました"), style=STYLES["wrong"]))
    return result


def exam_result_renderables(result: ExamResult) -> list[RenderableType]:
    from rich.table import Table

    out: list[RenderableType] = [Text(""), Rule(Text(_(" 模擬試験 結果 "), style="bold"), style="blue")]
    if result.time_up:
        out.append(Text(_("時間切れで提出されました"), style=STYLES["wrong"]))
    out.append(Text(result_head(result), style="bold"))
    for title, rows in result_tables(result):
        table = Table(box=None, padding=(0, 2), header_style="bold")
        table.add_column(title)
        table.add_column(_("正解"), justify="right")
        table.add_column(_("正答率"), justify="right")
        for row in rows:
            table.add_row(*row)
        out.append(table)
    return out


def review_mistakes_tty(result: ExamResult, console: Console, reader: PromptReader) -> None:
    """Goes through each mistake with the right answer and its 解説 (Enter next, q stop)."""
    from grader.learner import verdict

    mistakes = result.mistakes
    if not mistakes:
        console.print(Text(_("全問正解です。"), style=STYLES["right"]))
        return
    try:
        answer = reader.line(_("間違えた {n} 問を見直しますか? [Y/n] ").format(n=len(mistakes)))
    except (KeyboardInterrupt, EOFError):
        return
    if answer.strip().lower() in ("n", "no", "q"):
        return
    for n, item in enumerate(mistakes, 1):
        console.print()
        header = _("見直し {n}/{total} · 問 {pos}").format(n=n, total=len(mistakes), pos=item.pos + 1)
        page(console, question_renderables(item.attempt, header, examples=False) + verdict.renderables(verdict.of_exam_item(item)), reader.line)
        if n < len(mistakes):
            try:
                if reader.pause(rated=False).strip().lower() in ("q", ":q"):
                    return
            except (KeyboardInterrupt, EOFError):
                return
