"""Plain-text rendering of questions and verdicts (the fallback when no rich terminal is available)."""

from __future__ import annotations

from grader.bank.params import Attempt, display_order
from grader.bank.schema import (
    ChoiceQuestion,
    CodeBlankQuestion,
    CodeFunctionQuestion,
    ExpressionQuestion,
    MatchingQuestion,
    NumericQuestion,
    SelfGradedQuestion,
    ShapeQuestion,
)
from grader.grading.answers import Verdict, blank_expected

TYPE_LABELS = {
    "choice": "選択",
    "numeric": "数値",
    "shape": "形状",
    "expression": "式",
    "matching": "対応付け",
    "code_blank": "コード穴埋め",
    "code_function": "コード記述",
    "self_graded": "記述 (自己採点)",
}


def choice_lines(attempt: Attempt) -> list[str]:
    """The choices in this attempt's shuffled order, each with its stable key."""
    q = attempt.question
    lines: list[str] = []
    if isinstance(q, ChoiceQuestion):
        keys = [c.key for c in q.choices]
        order = display_order(keys, attempt.seed, q.id) if q.shuffle else keys
        by_key = {c.key: c for c in q.choices}
        for key in order:
            choice = by_key[key]
            text = choice.text or "  ".join(f"({k}) {v}" for k, v in choice.parts.items())
            lines.append(f"  ({key}) {text}")
    elif isinstance(q, CodeBlankQuestion):
        for blank in q.blanks:
            if not blank.choices:
                continue
            lines.append(f"  [{blank.name}]")
            keys = [c.key for c in blank.choices]
            by_key = {c.key: c for c in blank.choices}
            for key in display_order(keys, attempt.seed, f"{q.id}:{blank.name}"):
                lines.append(f"    ({key}) {by_key[key].text}")
    elif isinstance(q, MatchingQuestion):
        lines += [f"  {i.key}. {i.text}" for i in q.left]
        lines.append("")
        right = {i.key: i for i in q.right}  # shown shuffled too, so the pairing order gives nothing away
        lines += [f"  {k}) {right[k].text}" for k in display_order(list(right), attempt.seed, f"{q.id}:right")]
    return lines


def answer_help(attempt: Attempt) -> str:
    """One line telling the learner how to type the answer."""
    q = attempt.question
    if isinstance(q, ChoiceQuestion):
        return "記号で答える (例: 2)" + ("。複数選ぶときは 1,3" if len(q.answer) > 1 else "")
    if isinstance(q, NumericQuestion):
        return "数値で答える (例: 0.25, 1/4)" + (f" 単位: {q.unit}" if q.unit else "")
    if isinstance(q, ShapeQuestion):
        return "形状で答える (例: 7x7, (7, 7))"
    if isinstance(q, ExpressionQuestion):
        names = ", ".join(v.name for v in q.variable_specs)
        return f"{names} の式で答える (例: 2(x+y), x^2)"
    if isinstance(q, MatchingQuestion):
        return "左の記号-右の記号 を並べて答える (例: " + ", ".join(f"{i.key}-?" for i in q.left) + ")"
    if isinstance(q, CodeBlankQuestion):
        if all(b.choices for b in q.blanks):
            return "各空欄の記号で答える (例: " + ", ".join(f"{b.name}={b.choices[0].key}" for b in q.blanks) + ")"
        return f"空欄のコードを書いて提出する: eshikaku submit {q.id} FILE"
    if isinstance(q, CodeFunctionQuestion):
        return f"関数を書いて提出する: eshikaku submit {q.id} FILE"
    if isinstance(q, SelfGradedQuestion):
        return "自分の答えを書く (または考える)。模範解答と採点ポイントを見て、満たした番号を答える (例: 1,3 / all / none)"
    return ""


def question_text(attempt: Attempt, *, show_template: bool = True) -> str:
    q = attempt.question
    head = f"[{q.id}] {q.title or ''}".rstrip()
    meta = f"topic {q.topic} · {TYPE_LABELS[q.type]} · 難易度 {'★' * q.difficulty}"
    parts = [head, meta, "", attempt.prompt.rstrip()]
    if show_template and isinstance(q, (CodeBlankQuestion, CodeFunctionQuestion)):
        parts += ["", "```python", q.template.rstrip(), "```"]
    choices = choice_lines(attempt)
    if choices:
        parts += ["", *choices]
    if isinstance(q, SelfGradedQuestion):
        parts += [""]
    parts += ["", answer_help(attempt)]
    return "\n".join(parts)


def expected_text(attempt: Attempt) -> str:
    q = attempt.question
    if isinstance(q, CodeBlankQuestion):
        return blank_expected(q)
    if isinstance(q, SelfGradedQuestion):
        points = "\n".join(f"  {i}. {r.point}" for i, r in enumerate(q.rubric, 1))
        return f"{q.model_answer.strip()}\n採点ポイント:\n{points}"
    if isinstance(q, ShapeQuestion):
        return " × ".join(str(a) for a in attempt.answer)
    return str(attempt.answer)


def verdict_text(attempt: Attempt, verdict: Verdict) -> str:
    mark = "正解 ✓" if verdict.correct else ("部分正解 △" if verdict.score > 0 else "不正解 ✗")
    score = f" ({verdict.score:.0%})" if 0 < verdict.score < 1 else ""
    lines = [f"{mark}{score}", f"正解: {verdict.expected}"]
    lines += [f"  - {f}" for f in verdict.feedback]
    lines += ["", "解説:", attempt.explanation.rstrip()]
    return "\n".join(lines)
