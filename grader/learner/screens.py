"""What the rich terminal draws: a question (with its public examples), a verdict (with the model
solution and the 解説), the cases of a code result, and a session's summary."""

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
from grader.learner.plain import format_seconds, public_examples, remaining_text, review_reason
from grader.learner.practice import Outcome, Summary, is_code_entry
from grader.learner.richtext import STYLES, Para, code_block, labelled, prose, prose_line


def marks() -> dict[str, tuple[str, str]]:
    return {
        "right": (_("✓ 正解"), "right"),
        "partial": (_("△ 部分正解"), "partial"),
        "wrong": (_("✗ 不正解"), "wrong"),
        "skipped": (_("→ スキップ"), "dim"),
        "error": (_("! 採点できませんでした (成績に数えません)"), "partial"),
    }


def question_renderables(current: Attempt, header: str, *, response: str | None = None, flagged: bool = False,
                         examples: bool = True) -> list[RenderableType]:  # fmt: skip
    """A question as the quiz, the exam and ``show`` draw it (options labelled in the order shown)."""
    from grader.bank.schema import CodeBlankQuestion, CodeFunctionQuestion
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
    if examples:
        out += [Text(line, style=STYLES["dim"]) for line in public_examples(current)]
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


def verdict_head(outcome: Outcome) -> Text:
    """The verdict line: for code the same words as ``submit`` (the score and how the cases count)."""
    from grader.grading.report import headline

    label, style = marks()[outcome.status]
    if outcome.code is not None and outcome.status != "error":
        label = headline(outcome.code)
    elif outcome.verdict is not None and 0 < outcome.verdict.score < 1:
        label += f" {outcome.verdict.score:.0%}"
    head = Text(label, style=STYLES[style])
    if outcome.hints:
        head.append(_("  ヒント {n} 回").format(n=outcome.hints), style=STYLES["dim"])
    head.append(f"  {format_seconds(outcome.seconds)}", style=STYLES["dim"])
    return head


def verdict_renderables(outcome: Outcome) -> list[RenderableType]:
    """The verdict, the right answer (the model solution for code; also after a skip), feedback, 解説."""
    from grader.grading.render import expected_text

    current = outcome.attempt
    out: list[RenderableType] = [Text(""), verdict_head(outcome)]
    expected = outcome.verdict.expected if outcome.verdict is not None and outcome.verdict.expected else expected_text(current)
    if current.question.type != "self_graded" or outcome.verdict is None:  # else its model answer was shown before marking
        out.append(labelled(_("正解: "), expected))
    if outcome.verdict is not None and outcome.code is None:
        out += [prose_line(f"  - {f}") for f in outcome.verdict.feedback]
    if outcome.code is not None:
        out += case_renderables(outcome.code)
    out += [Text(_("注意: {note}").format(note=n), style=STYLES["dim"]) for n in outcome.notes]
    out += [Text(""), Text(_("解説"), style="bold underline"), prose(current.explanation)]
    return out


def case_renderables(result: Any) -> list[RenderableType]:
    from grader.grading.report import case_lines

    out: list[RenderableType] = [Text(_("テストケース:"), style="bold")]
    for line in case_lines(result):
        style = STYLES["right"] if line.startswith("✓") else (STYLES["wrong"] if line.startswith("✗") else "")
        out.append(Text("  " + line, style=style))
    return out


def summary_renderables(summary: Summary, *, interrupted: bool) -> list[RenderableType]:
    from rich.table import Table

    out: list[RenderableType] = [Text(""), Rule(Text(_(" 結果 "), style="bold"), style="blue")]
    graded = summary.answered
    pct = f" ({summary.right / graded:.0%})" if graded else ""
    line = Text(_("正解 {right}/{graded}{pct}").format(right=summary.right, graded=graded, pct=pct), style="bold")
    line.append(_("   部分正解 {partial}   スキップ {skipped}   時間 {time}").format(partial=summary.partial, skipped=summary.skipped,
                                                                                 time=format_seconds(summary.seconds)))  # fmt: skip
    out.append(line)
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
