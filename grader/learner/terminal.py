"""The interactive terminal: rich rendering of questions (Japanese, Markdown, formulas, highlighted code)
and prompt_toolkit input (history, editing, multi-line code, paste, the exam countdown).

The question is drawn with rich first; prompt_toolkit (≈70 ms to import) is loaded only when the
first answer is read, so the first question appears as soon as the bank is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from grader.bank.params import Attempt
from grader.bank.syllabus import topic_name
from grader.learner.mathtext import Box, cell_width, hjoin, segments
from grader.learner.quiz import Outcome, Practice, Summary, code_template, format_seconds, is_code_entry
from grader.learner.storage import ItemRow

STYLES = {
    "code": "bold cyan",
    "math": "",
    "key": "bold yellow",
    "dim": "dim",
    "right": "bold green",
    "wrong": "bold red",
    "partial": "bold yellow",
    "hint": "magenta",
}
MARKS = {
    "right": ("✓ 正解", "right"),
    "partial": ("△ 部分正解", "partial"),
    "wrong": ("✗ 不正解", "wrong"),
    "skipped": ("→ スキップ", "dim"),
    "error": ("! 採点できませんでした (成績に数えません)", "partial"),
}
_INLINE = re.compile(r"(\*\*.+?\*\*|`[^`]+`)")


def make_console(**kwargs: Any) -> Console:
    return Console(highlight=False, emoji=False, **kwargs)


# --------------------------------------------------------------------------- Japanese line breaking

# A line may not start with these (closing brackets, punctuation, small kana) nor end with the openers.
_NO_START = set("、。，．・：；？！）］｝」』〕〉》】ー…‥ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々)]},.:;!?%")
_NO_END = set("（［｛「『〔〈《【([{")


def _units(plain: str) -> list[tuple[int, int, bool]]:
    """Break units of ``plain`` as (start, end, is_space): a run of narrow characters (an English word,
    a formula) stays whole; each wide character (漢字, かな) is a unit of its own; kinsoku pairs stick."""
    import unicodedata

    units: list[list[Any]] = []
    for i, ch in enumerate(plain):
        space = ch.isspace() and ch != "\u00a0"
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        prev = units[-1] if units else None
        if prev is not None and (
            (space and prev[2])
            or (not space and not wide and not prev[2] and not prev[3])  # narrow run continues
            or (not space and ch in _NO_START and not prev[2])  # never start a line with 、。）
            or (not prev[2] and plain[prev[1] - 1] in _NO_END)  # never end a line with （「
        ):
            prev[1] = i + 1
            prev[3] = prev[3] and wide
            continue
        units.append([i, i + 1, space, wide])
    return [(u[0], u[1], u[2]) for u in units]


def cjk_wrap(text: Text, width: int, indent: int = 0) -> Text:
    """``text`` broken into lines of at most ``width`` cells, between any two Japanese characters or at
    spaces (never inside an English word or a formula unless it alone is too long); later lines are
    indented by ``indent`` cells."""
    from rich.cells import cell_len

    plain = text.plain
    width = max(8, width)
    if cell_len(plain) <= width:
        return text
    breaks: list[int] = []
    used = 0
    for start, end, space in _units(plain):
        piece = cell_len(plain[start:end])
        limit = width - (indent if breaks else 0)
        if space:
            if used + piece > limit:
                breaks.append(start)  # the next line starts with the space, which is dropped
                used = 0
            else:
                used += piece
            continue
        if used and used + piece > limit:
            breaks.append(start)
            used = 0
            limit = width - indent
        while piece > limit:  # one unit wider than the line: fold it by characters
            cut, cells = start, 0
            while cut < end and cells + cell_len(plain[cut]) <= limit:
                cells += cell_len(plain[cut])
                cut += 1
            cut = max(cut, start + 1)
            breaks.append(cut)
            start, piece, limit = cut, cell_len(plain[cut:end]), width - indent
        used += piece
    lines = text.divide(breaks)
    out = Text(style=text.style, no_wrap=True, overflow="fold")
    for n, line in enumerate(lines):
        if n:
            out.append("\n" + " " * indent)
        if n and line.plain[:1].isspace():
            line = line[len(line.plain) - len(line.plain.lstrip()) :]
        line.rstrip()
        out.append_text(line)
    return out


class Para:
    """A paragraph line drawn with Japanese line breaking at the width available when it is printed."""

    def __init__(self, text: Text, indent: int = 0) -> None:
        self.text = text
        self.indent = indent

    @property
    def plain(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: Any) -> Any:
        yield cjk_wrap(self.text, options.max_width, self.indent)


# --------------------------------------------------------------------------- prose: Markdown-ish text with formulas


def _inline(text: str, base: str = "") -> Text:
    """``**bold**`` and ```code``` spans of one line of prose (formulas handled by the caller)."""
    out = Text(style=base)
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            out.append(part[2:-2], style="bold")
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            out.append(part[1:-1], style=STYLES["code"])
        else:
            out.append(part)
    return out


def prose_line(line: str) -> RenderableType:
    """One line: formulas become Unicode; a line holding a 2-D formula is laid out without rewrapping."""
    bullet = re.match(r"^(\s*)([-*+]|\d+\.)\s+", line)
    prefix = ""
    hanging = len(line) - len(line.lstrip(" "))  # an indented line keeps its indent when it wraps
    if bullet:
        prefix = bullet.group(1) + ("• " if bullet.group(2) in "-*+" else bullet.group(2) + " ")
        line = line[bullet.end() :]
    heading = re.match(r"^#{1,6}\s+", line)
    base = "bold" if heading else ""
    if heading:
        line = line[heading.end() :]
    parts = segments(line) if ("$" in line or "\\(" in line or "\\[" in line) else [(line, None, False)]
    if all(box is None or box.flat for _, box, _ in parts):
        text = Text(prefix, style=base)
        for source, box, _display in parts:
            if box is None:
                text.append_text(_inline(source, base))
            else:
                text.append(box.lines[0], style=STYLES["math"] or base)
        return Para(text, indent=cell_width(prefix) if bullet else hanging)
    boxes = [Box.text(prefix)] + [Box.text(_plain_inline(s)) if b is None else b for s, b, _ in parts]
    laid = hjoin(boxes)
    return Text("\n".join(row.rstrip() for row in laid.lines), no_wrap=True, overflow="ignore", style=base)


def labelled(label: str, text: str, style: str = "bold") -> RenderableType:
    """``label`` in bold followed by ``text`` (formulas converted), wrapped with a hanging indent."""
    if "\n" in text.strip():  # a model answer or several blanks: the label on its own line, the text as a block
        return Group(Text(label.rstrip(), style=style), Padding(prose(text.strip("\n")), (0, 0, 0, 2)))
    head = Text(label, style=style)
    rendered = prose_line(text)
    if isinstance(rendered, Para):
        head.append_text(rendered.text)
        return Para(head, indent=cell_width(label))
    return Group(head, Padding(rendered, (0, 0, 0, 2)))


def _plain_inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", re.sub(r"`([^`]+)`", r"\1", text))


def prose(text: str) -> RenderableType:
    """Question or explanation text: line breaks kept (Japanese authors break lines on purpose),
    fenced code highlighted, ``$…$`` as Unicode."""
    from grader.learner.mathtext import _display_lines

    blocks: list[RenderableType] = []
    lines = _display_lines(text.rstrip("\n"))
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^\s*```\s*(\w*)", line)
        if fence:
            lang = fence.group(1) or "python"
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                body.append(lines[i])
                i += 1
            blocks.append(code_block("\n".join(body), lang))
        else:
            blocks.append(prose_line(line))
        i += 1
    return Group(*blocks)


def code_block(code: str, lang: str = "python") -> RenderableType:
    from rich.syntax import Syntax

    return Padding(Syntax(code.rstrip("\n"), lang, theme="ansi_dark", background_color="default", word_wrap=True), (0, 0, 0, 2))


# --------------------------------------------------------------------------- questions and verdicts


def question_renderables(current: Attempt, header: str, *, response: str | None = None, flagged: bool = False) -> list[RenderableType]:
    from grader.bank.schema import CodeBlankQuestion, CodeFunctionQuestion
    from grader.grading.render import TYPE_LABELS, answer_help, choice_lines

    q = current.question
    meta = f"{q.id} · {q.topic} · {TYPE_LABELS[q.type]} · {'★' * q.difficulty}"
    out: list[RenderableType] = [Rule(Text(f" {header} ", style="bold"), align="left", style="blue")]
    title = Text(q.title or "", style="bold")
    title.append(f"   {meta}", style=STYLES["dim"])
    if flagged:
        title.append("  ⚑", style="bold yellow")
    out += [Para(title), Text(""), prose(current.prompt)]
    if isinstance(q, (CodeBlankQuestion, CodeFunctionQuestion)):
        out += [Text(""), code_block(q.template)]
    choices = choice_lines(current)
    if choices:
        out.append(Text(""))
        for line in choices:
            m = re.match(r"^(\s*)(\(.+?\)|\[.+?\]|\S+\.|\S+\))\s?(.*)$", line)
            if m:
                text = Text(m.group(1))
                text.append(m.group(2), style=STYLES["key"])
                text.append(" ")
                rendered = prose_line(m.group(3))
                if isinstance(rendered, Para):
                    text.append_text(rendered.text)
                    out.append(Para(text, indent=cell_width(text.plain[: len(text.plain) - len(rendered.plain)])))
                else:
                    out += [text, Padding(rendered, (0, 0, 0, len(m.group(1)) + 4))]
            else:
                out.append(prose_line(line))
    out.append(Text(""))
    help_line = Text(answer_help(current), style=STYLES["dim"])
    if is_code_entry(q):
        help_line = Text("コードで答える: Enter で編集開始 (Esc Enter または . だけの行で確定) · e でエディタ", style=STYLES["dim"])
    out.append(help_line)
    if response:
        out.append(Text(f"現在の回答: {response}", style="bold"))
    return out


def verdict_renderables(outcome: Outcome) -> list[RenderableType]:
    from grader.grading.render import expected_text

    current = outcome.attempt
    label, style = MARKS[outcome.status]
    out: list[RenderableType] = [Text("")]
    head = Text(label, style=STYLES[style])
    if outcome.verdict is not None and 0 < outcome.verdict.score < 1:
        head.append(f"  ({outcome.verdict.score:.0%})", style=STYLES[style])
    if outcome.hints:
        head.append(f"  ヒント {outcome.hints} 回", style=STYLES["dim"])
    head.append(f"  {format_seconds(outcome.seconds)}", style=STYLES["dim"])
    out.append(head)
    expected = outcome.verdict.expected if outcome.verdict is not None and outcome.verdict.expected else expected_text(current)
    if current.question.type != "self_graded":  # its model answer was shown before the learner marked it
        out.append(labelled("正解: ", expected))
    if outcome.verdict is not None and outcome.code is None:
        out += [prose_line(f"  - {f}") for f in outcome.verdict.feedback]
    if outcome.code is not None:
        out += case_renderables(outcome.code)
    out += [Text(f"note: {n}", style=STYLES["dim"]) for n in outcome.notes]
    out += [Text(""), Text("解説", style="bold underline"), prose(current.explanation)]
    return out


def case_renderables(result: Any) -> list[RenderableType]:
    from grader.grading.report import case_lines

    out: list[RenderableType] = [Text("テストケース:", style="bold")]
    for line in case_lines(result):
        style = STYLES["right"] if line.startswith("✓") else (STYLES["wrong"] if line.startswith("✗") else "")
        out.append(Text("  " + line, style=style))
    return out


def summary_renderables(summary: Summary, *, interrupted: bool) -> list[RenderableType]:
    from rich.table import Table

    out: list[RenderableType] = [Text(""), Rule(Text(" 結果 ", style="bold"), style="blue")]
    graded = summary.answered
    pct = f" ({summary.right / graded:.0%})" if graded else ""
    line = Text(f"正解 {summary.right}/{graded}{pct}", style="bold")
    line.append(f"   部分正解 {summary.partial}   スキップ {summary.skipped}   時間 {format_seconds(summary.seconds)}")
    out.append(line)
    if summary.errors:
        out.append(Text(f"採点エラー {summary.errors} 問 (成績に数えません)", style=STYLES["partial"]))
    topics = [(t, v) for t, v in summary.by_topic.items() if v["answered"]]
    if topics:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column("分野 (topic)")
        table.add_column("正解", justify="right")
        table.add_column("正答率", justify="right")
        for topic, v in topics:
            table.add_row(f"{topic} {topic_name(topic)}", f"{v['right']}/{v['answered']}", f"{v['right'] / v['answered']:.0%}")
        out.append(table)
    if summary.to_review:
        out.append(Text("復習する問題:", style="bold"))
        reasons = {"wrong": "不正解", "partial": "部分正解", "skipped": "スキップ", "error": "採点エラー", "hint or slow": "ヒント/時間"}
        out += [Text(f"  {r['id']}  ({reasons.get(r['reason'], r['reason'])})") for r in summary.to_review]
    if summary.remaining:
        why = "中断しました" if interrupted else "未回答が残っています"
        out.append(Text(f"{why}: 残り {summary.remaining} 問は `eshikaku quiz --resume` で続けられます", style=STYLES["partial"]))
    return out


class RichView:
    """Questions, hints and verdicts drawn with rich."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or make_console()

    def _print(self, items: Iterable[RenderableType]) -> None:
        for item in items:
            self.console.print(item)

    def notice(self, text: str) -> None:
        self.console.print(Text(f"note: {text}", style=STYLES["dim"]))

    def question(self, practice: Practice, item: ItemRow, current: Attempt) -> None:
        header = f"{practice.index_of(item)}/{len(practice.items)}"
        self.console.print()
        self._print(question_renderables(current, header))
        self.console.print(Text("h ヒント · s スキップ · q 終了", style=STYLES["dim"]))
        self.console.file.flush()

    def hint(self, text: str, tier: int, total: int) -> None:
        label = f"ヒント {tier}/{total}: "
        if "\n" in text.strip() or "```" in text:
            self.console.print(Text(label, style=STYLES["hint"]), prose(text))
        else:
            self.console.print(labelled(label, text.strip(), style=STYLES["hint"]))

    def invalid(self, message: str) -> None:
        self.console.print(Text(f"? {message}", style=STYLES["partial"]))

    def rubric(self, current: Attempt) -> None:
        """A self-graded question's model answer and numbered rubric, shown after the learner's own answer."""
        question = current.question
        self.console.print()
        self.console.print(labelled("模範解答: ", question.model_answer.strip() + "\n"))
        self.console.print(Text("採点ポイント (あなたの答えが満たしたものを選ぶ):", style="bold"))
        for number, item in enumerate(question.rubric, 1):
            self.console.print(labelled(f"  {number}. ", item.point))

    def grading(self, current: Attempt) -> Any:
        from grader.bank.schema import CodeBlankQuestion, CodeFunctionQuestion

        if isinstance(current.question, (CodeBlankQuestion, CodeFunctionQuestion)):
            return self.console.status("採点中… (コードを実行しています)")
        return nullcontext()

    def outcome(self, outcome: Outcome) -> None:
        self._print(verdict_renderables(outcome))

    def summary(self, summary: Summary, *, interrupted: bool) -> None:
        self._print(summary_renderables(summary, interrupted=interrupted))


# --------------------------------------------------------------------------- input: prompt_toolkit


class PromptReader:
    """The line editor: history, Emacs keys, multi-line code with highlighting, bracketed paste."""

    interactive = True

    def __init__(self, history_path: Path | None = None) -> None:
        self.history_path = history_path
        self._session: Any = None
        self._code_session: Any = None

    @property
    def session(self) -> Any:
        """The answer line's PromptSession, created (and prompt_toolkit imported) on first use."""
        if self._session is None:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import FileHistory, InMemoryHistory

            history: Any = InMemoryHistory()
            if self.history_path is not None:
                try:
                    self.history_path.parent.mkdir(parents=True, exist_ok=True)
                    history = FileHistory(str(self.history_path))
                except OSError:
                    pass
            self._session = PromptSession(history=history)
        return self._session

    def answer(self, current: Attempt, index: int, total: int) -> str:
        return self.session.prompt([("class:prompt", f"回答 {index}/{total} > ")])

    def marks(self, current: Attempt) -> str:
        return self.session.prompt([("class:prompt", "満たしたポイント (例: 1,3 / all / none) > ")])

    def code(self, current: Attempt, index: int, total: int) -> str:
        first = self.session.prompt([("class:prompt", f"コード {index}/{total} (Enter で編集) > ")])
        from grader.learner.quiz import command_of

        if command_of(first, current):
            return first
        template = code_template(current.question)
        return self.code_editor(first if first.strip() else template)

    def code_editor(self, default: str) -> str:
        """A multi-line editor: Esc Enter (or a line with only ``.``) finishes; Enter keeps the indentation."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.key_binding import KeyBindings
        from prompt_toolkit.lexers import PygmentsLexer
        from pygments.lexers.python import PythonLexer

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
                indent = re.match(r"[ \t]*", doc.current_line_before_cursor).group(0)
                if doc.current_line_before_cursor.rstrip().endswith(":"):
                    indent += "    "
                buf.insert_text("\n" + indent)

            self._code_session = PromptSession(
                multiline=True,
                lexer=PygmentsLexer(PythonLexer),
                key_bindings=bindings,
                prompt_continuation=lambda width, line, wrap: "… ".rjust(width),
            )
        toolbar = "Esc Enter または . だけの行で確定 · Ctrl-C で中断"
        return self._code_session.prompt("コード> ", default=default, bottom_toolbar=toolbar) + "\n"

    def edit(self, text: str) -> str | None:
        import click

        return click.edit(text, extension=".py", require_save=False)

    def pause(self) -> str:
        text = self.session.prompt([("class:prompt", "Enter で次の問題へ (q で終了) ")])
        return "quit" if text.strip().lower() in ("q", ":q") else ""

    # ----------------------------------------------------------------- exam

    def exam_line(self, exam: Any, message: str, default: str = "") -> str:
        """One line of exam input under a live countdown; raises :class:`grader.learner.exam.TimeUp` at zero."""
        import asyncio

        from prompt_toolkit.application.current import get_app

        from grader.learner.exam import TimeUp, status_line

        def toolbar() -> Any:
            return [("class:bottom-toolbar", f" {status_line(exam)} │ n 次 · p 前 · g N 移動 · f フラグ · l 一覧 · S 提出 · q 中断 ")]

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

        return self.session.prompt(message, default=default, bottom_toolbar=toolbar, refresh_interval=1.0, pre_run=start_watchdog)


# --------------------------------------------------------------------------- the exam on a terminal


def run_exam_tty(exam: Any, console: Console, reader: PromptReader) -> Any:
    """The interactive mock exam; returns the result, or None when the learner stopped for now."""
    from grader.grading.answers import InvalidAnswer
    from grader.learner.exam import TimeUp, navigate, parse_command, status_line

    message: Text | None = None
    for qid in exam.dropped:
        console.print(Text(f"note: {qid} is no longer in the bank: left out", style=STYLES["dim"]))
    try:
        while not exam.time_up:
            item = exam.current
            console.clear()
            console.print(Text(status_line(exam), style="bold"))
            for renderable in question_renderables(exam.attempt(item), f"{exam.position + 1}/{len(exam.items)}", response=item.response, flagged=item.flagged):
                console.print(renderable)
            if message is not None:
                console.print(message)
                message = None
            line = reader.exam_line(exam, "回答 > ")
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
                left = len(exam.items) - exam.answered
                if left:
                    sure = reader.exam_line(exam, f"未回答が {left} 問あります。提出しますか? [y/N] ")
                    if sure.strip().lower() not in ("y", "yes", "はい"):
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
        console.print(Text(f"\n中断しました: `eshikaku exam --resume` で続けられます ({status_line(exam)})", style=STYLES["partial"]))
        return None
    time_up = exam.time_up
    with console.status("採点中…"):
        result = exam.submit()
    if time_up:
        console.print(Text("\n時間切れ: 提出しました (time is up: submitted as it stands)", style=STYLES["wrong"]))
    return result


def exam_result_renderables(result: Any) -> list[RenderableType]:
    from rich.table import Table

    out: list[RenderableType] = [Text(""), Rule(Text(" 模擬試験 結果 ", style="bold"), style="blue")]
    if result.time_up:
        out.append(Text("時間切れで提出されました", style=STYLES["wrong"]))
    head = Text(f"得点 {result.score:.0%}", style="bold")
    head.append(f"   正解 {result.right}/{result.total}   回答 {result.answered}/{result.total}   時間 {format_seconds(result.seconds)} / "
        f"{format_seconds(result.time_limit)}")
    out.append(head)
    table = Table(box=None, padding=(0, 2), header_style="bold")
    table.add_column("分野 (topic)")
    table.add_column("正解", justify="right")
    table.add_column("正答率", justify="right")
    for topic, t in result.by_topic.items():
        table.add_row(f"{topic} {topic_name(topic)}", f"{t['right']}/{t['total']}", f"{t['right'] / t['total']:.0%}" if t["total"] else "-")
    out.append(table)
    return out


def review_mistakes_tty(result: Any, console: Console, reader: PromptReader) -> None:
    """Goes through each mistake with the right answer and its 解説 (Enter next, q stop)."""
    mistakes = result.mistakes
    if not mistakes:
        console.print(Text("全問正解です。", style=STYLES["right"]))
        return
    try:
        answer = reader.session.prompt(f"間違えた {len(mistakes)} 問を見直しますか? [Y/n] ")
    except (KeyboardInterrupt, EOFError):
        return
    if answer.strip().lower() in ("n", "no", "q"):
        return
    for n, item in enumerate(mistakes, 1):
        console.print()
        for renderable in question_renderables(item.attempt, f"見直し {n}/{len(mistakes)} · 問 {item.pos + 1}"):
            console.print(renderable)
        console.print(Text(f"あなたの回答: {item.response or '(未回答)'}", style=STYLES["wrong"]))
        expected = item.verdict.expected if item.verdict else ""
        if not expected:
            from grader.grading.render import expected_text

            expected = expected_text(item.attempt)
        console.print(labelled("正解: ", expected))
        if item.verdict is not None:
            for f in item.verdict.feedback:
                console.print(prose_line(f"  - {f}"))
        console.print(Text("解説", style="bold underline"))
        console.print(prose(item.attempt.explanation))
        if n < len(mistakes):
            try:
                if reader.pause() == "quit":
                    return
            except (KeyboardInterrupt, EOFError):
                return


# --------------------------------------------------------------------------- statistics


def _bar(rate: float | None, width: int = 12) -> Text:
    if rate is None:
        return Text("未回答", style=STYLES["dim"])
    filled = round(rate * width)
    style = "green" if rate >= 0.8 else ("yellow" if rate >= 0.6 else "red")
    bar = Text("█" * filled, style=style)
    bar.append("░" * (width - filled), style=STYLES["dim"])
    bar.append(f" {rate:4.0%}")
    return bar


def stats_renderables(data: dict[str, Any]) -> list[RenderableType]:
    from rich.table import Table

    t, b, s = data["totals"], data["bank"], data["schedule"]
    out: list[RenderableType] = [Rule(Text(" 学習状況 ", style="bold"), style="blue", align="left")]
    head = Text(f"回答 {t['attempts']} 回", style="bold")
    acc = f"{t['accuracy']:.0%}" if t["accuracy"] is not None else "-"
    head.append(f"   正答率 {acc}   スキップ {t['skipped']}   学習時間 {format_seconds(t['seconds'])}")
    out.append(head)
    out.append(Text(f"問題集 {b['questions']} 問のうち 回答済み {b['answered']} ({(b['coverage'] or 0):.0%}) · 正解済み {b['answered_right']} "
        f"({(b['mastery'] or 0):.0%})"))
    for title, key, label in (("分野別 (弱い順)", "by_topic", "topic"), ("形式別 (弱い順)", "by_type", "type")):
        table = Table(title=title, title_justify="left", title_style="bold", box=None, padding=(0, 2), header_style="dim")
        table.add_column(label)
        table.add_column("正答率")
        table.add_column("正解/採点", justify="right")
        table.add_column("問題", justify="right")
        for g in data[key]:
            name = f"{g[label]} {g['name']}" if label == "topic" else g[label]
            table.add_row(name, _bar(g["accuracy"]), f"{g['right']}/{g['graded']}", f"{g['questions_answered']}/{g['questions_in_bank']}")
        out += [Text(""), table]
    days = data["recent_days"]
    peak = max((d["attempts"] for d in days), default=0) or 1
    spark = "".join(" ▁▂▃▄▅▆▇█"[min(8, round(d["attempts"] / peak * 8))] for d in days)
    out += [Text(""), Text(f"最近 {len(days)} 日 ", style="bold") + Text(spark, style="cyan") + Text(f"  (合計 {sum(d['attempts'] for d in days)} "
        "回)", style=STYLES["dim"])]
    line = Text("復習 ", style="bold")
    line.append(f"今すぐ {s['due_now']} 問 · 今日中 {s['due_today']} 問" + (f" · 次は {s['next_due']}" if s["next_due"] else ""))
    out.append(line)
    if "exam_date" in s:
        out.append(Text(f"試験日 {s['exam_date']} (あと {s['days_to_exam']} 日) · 試験日の想定正答率 {s['predicted_exam_recall']:.0%}", style="bold"))
    return out
