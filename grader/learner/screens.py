"""What the rich terminal draws besides a verdict (:mod:`grader.learner.verdict`): a question, with its public
examples, and a session's summary."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.text import Text

from grader.bank.params import Attempt
from grader.bank.syllabus import topic_name
from grader.i18n import _
from grader.learner.mathtext import cell_width
from grader.learner.plain import public_examples, remaining_text, review_reason, summary_head
from grader.learner.practice import Summary, is_code_entry
from grader.learner.richtext import STYLES, Para, code_block, prose, prose_line


def question_renderables(current: Attempt, header: str, *, response: str | None = None, flagged: bool = False,
                         examples: bool = True) -> list[RenderableType]:  # fmt: skip
    """A question as the quiz, the exam and ``show`` draw it (options labelled in the order shown)."""
    from grader.bank.schema import CodeBase, CodeBlankQuestion, CodeFunctionQuestion
    from grader.grading.render import TYPE_LABELS, answer_help, choice_lines

    q = current.question
    meta = f"{q.id} · {q.topic} · {TYPE_LABELS[q.type]} · {'★' * q.difficulty}"
    out: list[RenderableType] = [Rule(Text(f" {header} ", style="bold"), align="left", style="blue")] if header else []
    title = Text(q.title or "", style="bold")
    title.append(f"   {meta}", style=STYLES["dim"])
    if flagged:
        title.append("  ⚑", style="bold yellow")
    out += [Para(title), Text(""), prose(current.prompt)]
    if isinstance(q, (CodeBlankQuestion, CodeFunctionQuestion)):
        out += [Text(""), code_block(q.template)]
    if examples and isinstance(q, CodeBase):
        out.append(_Examples(current))
    choices = choice_lines(current)
    if choices:
        out.append(Text(""))
        out += [_option(line) for line in choices]
    out.append(Text(""))
    help_line = answer_help(current)
    if is_code_entry(q):
        help_line = _("コードで答える: Enter で編集開始 (Esc Enter または . だけの行で確定) · e でエディタ")
    out.append(Text(help_line, style=STYLES["dim"]))
    if response:
        out.append(Text(_("現在の回答: {response}").format(response=response), style="bold"))
    return out


class _Examples:
    """A code question's public examples, computed (by running the reference) only when drawn: the question
    above them is already on the screen while they are worked out."""

    def __init__(self, current: Attempt) -> None:
        self.current = current

    def __rich_console__(self, console: Any, options: Any) -> Any:
        for line in public_examples(self.current):
            yield Text(line, style=STYLES["dim"])


def _option(line: str) -> RenderableType:
    m = re.match(r"^(\s*)(\(.+?\)|\[.+?\]|\S+\.|\S+\))\s?(.*)$", line)
    if not m:
        return prose_line(line)
    text = Text(m.group(1))
    text.append(m.group(2), style=STYLES["key"])
    text.append(" ")
    rendered = prose_line(m.group(3))
    if isinstance(rendered, Para):
        text.append_text(rendered.text)
        return Para(text, indent=cell_width(text.plain[: len(text.plain) - len(rendered.plain)]))
    return Group(text, Padding(rendered, (0, 0, 0, len(m.group(1)) + 4)))


def summary_renderables(summary: Summary, *, interrupted: bool) -> list[RenderableType]:
    from rich.table import Table

    out: list[RenderableType] = [Text(""), Rule(Text(_(" 結果 "), style="bold"), style="blue")]
    out.append(Text(summary_head(summary), style="bold"))
    if summary.errors:
        out.append(Text(_("採点エラー {n} 問 (成績に数えません)").format(n=summary.errors), style=STYLES["partial"]))
    topics = [(t, v) for t, v in summary.by_topic.items() if v["answered"]]
    if topics:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        table.add_column(_("分野"))
        table.add_column(_("正解"), justify="right")
        table.add_column(_("正答率"), justify="right")
        for topic, v in topics:
            table.add_row(f"{topic} {topic_name(topic)}", f"{v['right']}/{v['answered']}", f"{v['right'] / v['answered']:.0%}")
        out.append(table)
    if summary.to_review:
        out.append(Text(_("復習する問題:"), style="bold"))
        out += [Text(f"  {r['id']}  ({review_reason(r['reason'])})") for r in summary.to_review]
    if summary.remaining:
        out.append(Text(remaining_text(summary, interrupted), style=STYLES["partial"]))
    return out
