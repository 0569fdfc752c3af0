"""A verdict as the learner sees it, built in one place and drawn two ways: as rich renderables on a terminal
and as plain text for pipes and ``--plain``. The quiz, ``answer``, the exam's review of mistakes and the
plain front ends all show the same mark, the right answer (the model solution for code, also after a
skip), the feedback or the code's cases, notes, and the 解説."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from grader.bank.params import Attempt
from grader.grading.answers import Verdict
from grader.i18n import _

if TYPE_CHECKING:
    from rich.console import RenderableType

    from grader.learner.exam import ExamItemResult
    from grader.learner.practice import Outcome


def marks() -> dict[str, tuple[str, str]]:
    """Each status's mark and the style it is drawn in."""
    return {
        "right": (_("✓ 正解"), "right"),
        "partial": (_("△ 部分正解"), "partial"),
        "wrong": (_("✗ 不正解"), "wrong"),
        "skipped": (_("→ スキップ"), "dim"),
        "unanswered": (_("→ 未回答"), "dim"),
        "error": (_("! 採点できませんでした (成績に数えません)"), "partial"),
    }


@dataclass(frozen=True)
class VerdictView:
    """Everything one verdict shows, already worded."""

    status: str
    head: str
    expected: str | None  # None: not repeated (a self-graded answer's model answer was shown before marking)
    feedback: tuple[str, ...]  # what the answer matched (prose bullets)
    cases: tuple[str, ...]  # a code answer's cases and diagnosis
    notes: tuple[str, ...]
    explanation: str
    response: str | None = None  # the learner's answer, when it is not on screen any more (the exam's review)
    hints: int = 0
    seconds: float | None = None


def _head(status: str, verdict: Verdict | None, code: Any) -> str:
    if code is not None and status != "error":
        from grader.grading.report import headline  # NumPy: only once code was run

        return headline(code)
    label = marks()[status][0]
    if status == "partial" and verdict is not None:
        label += f" {verdict.score:.0%}"
    return label


def _expected(current: Attempt, verdict: Verdict | None) -> str:
    from grader.grading.answers import expected

    return verdict.expected if verdict is not None and verdict.expected else expected(current)


def of_outcome(outcome: Outcome) -> VerdictView:
    """The verdict of a quiz answer (or skip)."""
    current, verdict = outcome.attempt, outcome.verdict
    marked = current.question.type == "self_graded" and verdict is not None
    return VerdictView(
        status=outcome.status,
        head=_head(outcome.status, verdict, outcome.code),
        expected=None if marked else _expected(current, verdict),
        feedback=verdict.feedback if verdict is not None and outcome.code is None else (),
        cases=tuple(_case_lines(outcome.code)) if outcome.code is not None else (),
        notes=outcome.notes,
        explanation=current.explanation,
        hints=outcome.hints,
        seconds=outcome.seconds,
    )


def of_answer(current: Attempt, verdict: Verdict, notes: tuple[str, ...] = ()) -> VerdictView:
    """The verdict of ``eshikaku answer``."""
    from grader.learner.practice import status_for

    status = status_for(verdict.correct, verdict.score)
    return VerdictView(status, _head(status, verdict, None), _expected(current, verdict), verdict.feedback, (), notes, current.explanation)


def of_exam_item(item: ExamItemResult) -> VerdictView:
    """A mistake of a submitted mock exam (its code cases, if any, are summed up in the mark)."""
    status = "unanswered" if item.status == "skipped" else item.status
    feedback = tuple(f for f in item.verdict.feedback if not f.startswith(("✓", "✗"))) if item.verdict is not None else ()
    return VerdictView(status, _head(status, item.verdict, None), _expected(item.attempt, item.verdict), feedback, (), item.notes,
                 item.attempt.explanation, response=item.shown_response or _("(未回答)"))  # fmt: skip


def _case_lines(code: Any) -> list[str]:
    from grader.grading.report import case_lines

    return case_lines(code)


# --------------------------------------------------------------------------- drawn


def text(shown: VerdictView) -> str:
    """Plain text (formulas as Unicode)."""
    from grader.learner.mathtext import convert

    lines = [shown.head]
    if shown.response is not None:
        lines.append(_("あなたの回答: {answer}").format(answer=shown.response))
    if shown.expected is not None:
        lines.append(_("正解: {expected}").format(expected=shown.expected) if "\n" not in shown.expected else _("正解:") + "\n" + shown.expected)
    lines += [f"  - {f}" for f in shown.feedback]
    if shown.cases:
        lines += ["", _("テストケース:"), *[f"  {line}" for line in shown.cases]]
    lines += [_("注意: {note}").format(note=n) for n in shown.notes]
    lines += ["", _("解説:"), shown.explanation.rstrip()]
    return convert("\n".join(lines))


def renderables(shown: VerdictView) -> list[RenderableType]:
    """Rich renderables for the terminal (prose reflowed, formulas as Unicode, code highlighted)."""
    from rich.text import Text

    from grader.learner.plain import format_seconds
    from grader.learner.richtext import STYLES, labelled, prose, prose_line

    head = Text(shown.head, style=STYLES[marks()[shown.status][1]])
    if shown.hints:
        head.append(_("  ヒント {n} 回").format(n=shown.hints), style=STYLES["dim"])
    if shown.seconds is not None:
        head.append(f"  {format_seconds(shown.seconds)}", style=STYLES["dim"])
    out: list[RenderableType] = [Text(""), head]
    if shown.response is not None:
        out.append(Text(_("あなたの回答: {answer}").format(answer=shown.response), style=STYLES["wrong"]))
    if shown.expected is not None:
        out.append(labelled(_("正解: "), shown.expected))
    out += [prose_line(f"  - {f}") for f in shown.feedback]
    if shown.cases:
        out.append(Text(_("テストケース:"), style="bold"))
        for line in shown.cases:
            style = STYLES["right"] if line.startswith("✓") else (STYLES["wrong"] if line.startswith("✗") else "")
            out.append(Text("  " + line, style=style))
    out += [Text(_("注意: {note}").format(note=n), style=STYLES["dim"]) for n in shown.notes]
    out += [Text(""), Text(_("解説"), style="bold underline"), prose(shown.explanation)]
    return out
