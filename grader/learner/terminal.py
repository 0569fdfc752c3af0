"""The interactive terminal: the rich view of the practice loop and prompt_toolkit input (history, editing,
multi-line code, paste).

The question is drawn with rich first; prompt_toolkit (≈70 ms to import) is loaded only when the first
answer is read, so the first question appears as soon as the bank is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from rich.console import Console, RenderableType
from rich.text import Text

from grader.bank.params import Attempt
from grader.i18n import _
from grader.learner.drafts import Drafts
from grader.learner.practice import Outcome, Practice, Summary
from grader.learner.richtext import STYLES, labelled, prose
from grader.learner.screens import question_renderables, summary_renderables, verdict_renderables
from grader.learner.storage import ItemRow


def make_console(**kwargs: Any) -> Console:
    return Console(highlight=False, emoji=False, **kwargs)


def page(console: Console, items: Iterable[RenderableType], ask: Callable[[str], str] = input) -> None:
    """Prints ``items``; on a terminal, taller output stops each screenful (the first lines, the verdict,
    stay in view until the learner goes on)."""
    with console.capture() as captured:
        for item in items:
            console.print(item)
    lines = captured.get().split("\n")
    height = max(5, console.height - 2)
    if not console.is_terminal or len(lines) <= height:
        console.file.write("\n".join(lines))
        console.file.flush()
        return
    for start in range(0, len(lines), height):
        console.file.write("\n".join(lines[start : start + height]) + "\n")
        console.file.flush()
        if start + height < len(lines):
            try:
                if ask(_("-- 続き: Enter · q で残りをとばす -- ")).strip().lower() == "q":
                    return
            except EOFError:
                return


class RichView:
    """Questions, hints and verdicts drawn with rich."""

    def __init__(self, console: Console | None = None, ask: Callable[[str], str] = input) -> None:
        self.console = console or make_console()
        self.ask = ask

    def notice(self, text: str) -> None:
        self.console.print(Text(_("注意: {text}").format(text=text), style=STYLES["dim"]))

    def question(self, practice: Practice, item: ItemRow, current: Attempt) -> None:
        self.console.print()
        for renderable in question_renderables(current, f"{practice.index_of(item)}/{len(practice.items)}"):
            self.console.print(renderable)
        self.console.print(Text(_("h ヒント · s スキップ · q 終了"), style=STYLES["dim"]))
        self.console.file.flush()

    def hint(self, text: str, tier: int, total: int) -> None:
        label = _("ヒント {tier}/{total}: ").format(tier=tier, total=total)
        if "\n" in text.strip() or "```" in text:
            self.console.print(Text(label, style=STYLES["hint"]), prose(text))
        else:
            self.console.print(labelled(label, text.strip(), style=STYLES["hint"]))

    def invalid(self, message: str) -> None:
        self.console.print(Text(f"? {message}", style=STYLES["partial"]))

    def rubric(self, current: Attempt) -> None:
        """A self-graded question's model answer and numbered rubric, shown after the learner's own answer."""
        question: Any = current.question
        self.console.print()
        self.console.print(labelled(_("模範解答: "), question.model_answer.strip() + "\n"))
        self.console.print(Text(_("採点ポイント (あなたの答えが満たしたものを選ぶ):"), style="bold"))
        for number, item in enumerate(question.rubric, 1):
            self.console.print(labelled(f"  {number}. ", item.point))

    def grading(self, current: Attempt) -> Any:
        from grader.bank.schema import CodeBase

        if isinstance(current.question, CodeBase):
            return self.console.status(_("採点中… (コードを実行しています)"))
        return nullcontext()

    def outcome(self, outcome: Outcome) -> None:
        page(self.console, verdict_renderables(outcome), self.ask)

    def summary(self, summary: Summary, *, interrupted: bool) -> None:
        for renderable in summary_renderables(summary, interrupted=interrupted):
            self.console.print(renderable)


class PromptReader:
    """The line editor: history, Emacs keys, multi-line code with highlighting, bracketed paste."""

    interactive = True

    def __init__(self, history_path: Path | None = None, drafts: Drafts | None = None) -> None:
        self.history_path = history_path
        self.drafts = drafts
        self._session: Any = None
        self._code_session: Any = None

    @property
    def session(self) -> Any:
        """The answer line's PromptSession, created (and prompt_toolkit imported) on first use."""
        if self._session is None:
            self._session = self.new_session()
        return self._session

    def new_session(self) -> Any:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        history: Any = InMemoryHistory()
        if self.history_path is not None:
            try:
                self.history_path.parent.mkdir(parents=True, exist_ok=True)
                history = FileHistory(str(self.history_path))
            except OSError:
                pass
        return PromptSession(history=history)

    def line(self, message: str) -> str:
        return str(self.session.prompt([("class:prompt", message)]))

    def answer(self, current: Attempt, index: int, total: int) -> str:
        return self.line(_("回答 {index}/{total} > ").format(index=index, total=total))

    def marks(self, current: Attempt) -> str:
        return self.line(_("満たしたポイント (例: 1,3 / all / none) > "))

    def code(self, current: Attempt, index: int, total: int, draft: str) -> str:
        from grader.learner.loop import command_of

        first = self.line(_("コード {index}/{total} (Enter で編集) > ").format(index=index, total=total))
        if command_of(first, current):
            return first
        return self.code_editor(first if first.strip() else draft, current.question.id)

    def code_editor(self, default: str, qid: str = "") -> str:
        """A multi-line editor: Esc Enter (or a line with only ``.``) finishes; Enter keeps the indentation.
        Ctrl-C keeps the text typed so far as the question's draft."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.lexers import PygmentsLexer
        from pygments.lexers.python import PythonLexer  # type: ignore[import-untyped]

        if self._code_session is None:
            bindings = KeyBindings()

            @bindings.add("enter")
            def _enter(event: Any) -> None:
                buf = event.current_buffer
                doc = buf.document
                if doc.current_line.strip() == ".":
                    lines = doc.text.split("\n")
                    del lines[doc.cursor_position_row]
                    buf.text = "\n".join(lines)
                    buf.validate_and_handle()
                    return
                match = re.match(r"[ \t]*", doc.current_line_before_cursor)
                indent = match.group(0) if match else ""
                if doc.current_line_before_cursor.rstrip().endswith(":"):
                    indent += "    "
                buf.insert_text("\n" + indent)

            self._code_session = PromptSession(multiline=True, lexer=PygmentsLexer(PythonLexer), key_bindings=bindings,
                                               prompt_continuation=lambda width, line, wrap: "… ".rjust(width))  # fmt: skip
        toolbar = _("Esc Enter または . だけの行で確定 · Ctrl-C で中断 (書いたものは下書きに残ります)")
        try:
            text = str(self._code_session.prompt("コード> ", default=default, bottom_toolbar=toolbar))
        except (KeyboardInterrupt, EOFError):
            if self.drafts is not None and qid:
                self.drafts.save(qid, self._code_session.default_buffer.text)
            raise
        return text + "\n"

    def edit(self, text: str) -> str | None:
        import click

        edited = click.edit(text, extension=".py", require_save=False)
        return str(edited) if edited is not None else None

    def pause(self, *, rated: bool) -> str:
        if rated:
            return self.line(_("Enter で次へ · 評価 1 もう一度 2 難しい 3 普通 4 簡単 · g 当てずっぽう · u 取り消し · q 終了 > "))
        return self.line(_("Enter で次の問題へ (q で終了) "))
