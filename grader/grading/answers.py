"""Grading a typed answer for every question type that needs no code execution.

:func:`grade` turns a learner's response string into a :class:`Verdict`. A response that cannot be
read at all (``7by7`` for a shape, Python code for an expression) raises :class:`InvalidAnswer`, so
the quiz can ask again instead of counting it wrong.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from grader.bank.expression import ExpressionError, equivalent, evaluate, parse
from grader.bank.params import Attempt
from grader.bank.schema import (
    ChoiceQuestion,
    CodeBlankQuestion,
    CodeFunctionQuestion,
    ExpressionQuestion,
    MatchingQuestion,
    NumericPartsQuestion,
    NumericQuestion,
    SelfGradedQuestion,
    ShapeQuestion,
)
from grader.bank.schema_numeric import Tolerance
from grader.i18n import _


class InvalidAnswer(ValueError):
    """The response is not in a form this question accepts; the message shows the accepted form."""


@dataclass(frozen=True)
class Verdict:
    """The result of grading one response."""

    correct: bool
    score: float  # 0..1, partial credit where the type allows it
    response: str
    expected: str  # the right answer, as shown to the learner
    feedback: tuple[str, ...] = field(default_factory=tuple)


def normalize(text: str) -> str:
    """Full-width digits and letters to ASCII, trimmed (NFKC keeps あ/い/う as they are)."""
    return unicodedata.normalize("NFKC", text).strip()


def _key(token: str) -> str:
    """``(2)`` / ``２`` / `` 2 `` → ``2``; ``(a)`` → ``a``."""
    token = normalize(token)
    return token[1:-1].strip() if len(token) > 2 and token[0] in "([" and token[-1] in ")]" else token


def split_keys(response: str) -> list[str]:
    return [_key(t) for t in re.split(r"[,、\s]+", normalize(response)) if t.strip()]


def _choice(q: ChoiceQuestion, response: str) -> Verdict:
    keys = {c.key: c for c in q.choices}
    chosen = split_keys(response)
    unknown = [k for k in chosen if k not in keys]
    if not chosen or unknown:
        raise InvalidAnswer(_("選択肢の番号で答えてください: {keys}").format(keys=", ".join(keys)))
    right = set(q.answer)
    correct = set(chosen) == right
    feedback = tuple(f"({k}) {keys[k].why}" for k in dict.fromkeys(chosen) if keys[k].why and k not in right)
    return Verdict(correct, 1.0 if correct else 0.0, response, _choice_expected(q), feedback)


def _choice_text(choice: Any) -> str:
    return str(choice.text or "  ".join(f"({k}) {v}" for k, v in choice.parts.items()))


def _choice_expected(q: ChoiceQuestion) -> str:
    keys = {c.key: c for c in q.choices}
    return ", ".join(f"({k}) {_choice_text(keys[k])}".rstrip() for k in q.answer)


def parse_number(text: str) -> float:
    """A number as a learner types it: ``0.25``, ``1/4``, ``2.5e-3``, ``1,050,624``, ``25%``."""
    text = normalize(text).replace("−", "-")
    percent = text.endswith("%")
    text = text.rstrip("%").strip()
    if re.fullmatch(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?", text):
        text = text.replace(",", "")
    try:
        value = float(evaluate(parse(text, []), {}))
    except (ExpressionError, ArithmeticError):
        raise InvalidAnswer(_("数値で答えてください (例: 0.25, 1/4, 2.5e-3)")) from None
    return value / 100 if percent else value


def numbers_match(q: Tolerance, value: float, expected: float) -> bool:
    """Whether ``value`` is graded as ``expected`` under the question's tolerances."""
    return math.isfinite(value) and abs(value - expected) <= max(q.abs_tol, q.rel_tol * abs(expected))


def _numeric(q: NumericQuestion, response: str, expected: float, wrong: tuple[tuple[Any, str], ...]) -> Verdict:
    text = normalize(response)
    if q.unit and text.endswith(q.unit):
        text = text[: -len(q.unit)]
    value = parse_number(text)
    correct = numbers_match(q, value, expected)
    shown = number_text(q, expected)
    feedback = () if correct else tuple(says for w, says in wrong if numbers_match(q, value, float(w)))[:1]
    return Verdict(correct, 1.0 if correct else 0.0, response, shown, feedback)


def number_text(q: Tolerance, value: Any) -> str:
    """A number as shown to the learner, with the question's unit."""
    # 12 significant digits: `:g` alone shows 1,050,624 as 1.05062e+06, which reads as a different number
    text = f"{float(value):.12g}" if isinstance(value, (float, int)) else str(value)
    return f"{text}{q.unit}"


def part_values(q: NumericPartsQuestion, response: str) -> dict[str, str]:
    """``12 3.5 0.25`` (the parts in order), ``a=12, b=3.5`` (by name) or ``12; 3.5`` → part name → the text given.

    Raises:
        InvalidAnswer: Not one number per part.
    """
    names = [p.name for p in q.parts]
    text = re.sub(r"\s*([=:])\s*", r"\1", normalize(response))
    tokens = [t for chunk in re.split(r"[\s;、，；]+", text) for t in re.split(r",(?=[^,=:]+[=:])", chunk) if t.strip(",")]
    tokens = [t.strip(",") for t in tokens]
    if tokens and all(re.search("[=:]", t) for t in tokens):
        given = dict(re.split("[=:]", t, maxsplit=1) for t in tokens)
        if sorted(given) != sorted(names):
            raise InvalidAnswer(_("小問 {names} の値を一つずつ答えてください (例: {pairs})").format(
                names=", ".join(names), pairs=", ".join(f"{n}=12" for n in names)))
        return {name: given[name] for name in names}
    if len(tokens) == 1 and len(names) > 1:
        tokens = [t for t in tokens[0].split(",") if t]
    if len(tokens) != len(names):
        raise InvalidAnswer(_("小問 {names} の値を順にスペースで区切って答えてください (例: {example})").format(
            names=", ".join(names), example=" ".join(["12"] * len(names))))
    return dict(zip(names, tokens))


def _numeric_parts(q: NumericPartsQuestion, response: str, expected: dict[str, Any], wrong: tuple[tuple[Any, str], ...]) -> Verdict:
    given = part_values(q, response)
    total = sum(p.weight for p in q.parts)
    earned = 0.0
    feedback: list[str] = []
    for part in q.parts:
        text = given[part.name]
        if part.unit and text.endswith(part.unit):
            text = text[: -len(part.unit)]
        value = parse_number(text)
        right = float(expected[part.name])
        if numbers_match(part, value, right):
            earned += part.weight
            continue
        says = next((s for (name, w), s in wrong if name == part.name and numbers_match(part, value, float(w))), None)
        shown = given[part.name]
        feedback.append(f"({part.name}) {shown}: {says}" if says else _("({name}) {value} は正しくない").format(name=part.name, value=shown))
    return Verdict(earned == total, earned / total, response, parts_expected(q, expected), tuple(feedback))


def parts_expected(q: NumericPartsQuestion, expected: dict[str, Any]) -> str:
    return ", ".join(f"{p.name} = {number_text(p, expected[p.name])}" for p in q.parts)


def parse_shape(text: str) -> tuple[int, ...]:
    """``7x7``, ``7×7``, ``(7, 7)``, ``7, 7``, ``[10240, 75]`` → a tuple of ints."""
    text = normalize(text).strip("()[] ")
    parts = [p for p in re.split(r"\s*(?:[x×X*,]|\s)\s*", text) if p]
    if not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
        raise InvalidAnswer(_("形状で答えてください (例: 7x7, (7, 7), 7, 7)"))
    return tuple(int(p) for p in parts)


def _shape(response: str, expected: list[int], wrong: tuple[tuple[Any, str], ...]) -> Verdict:
    got = parse_shape(response)
    want = tuple(expected)
    correct = got == want
    feedback: tuple[str, ...] = ()
    if not correct:
        feedback = tuple(says for w, says in wrong if tuple(int(d) for d in w) == got)[:1]
    if not correct and not feedback and len(got) != len(want):
        feedback = (_("正しい形状は {want} 次元ですが、答えは {got} 次元です").format(want=len(want), got=len(got)),)
    return Verdict(correct, 1.0 if correct else 0.0, response, " × ".join(map(str, want)), feedback)


def _expression(q: ExpressionQuestion, response: str) -> Verdict:
    domains = {v.name: (v.low, v.high) for v in q.variable_specs}
    try:
        correct = equivalent(response, q.answer, domains)
    except ExpressionError as exc:
        message = _("式として読めません: {error}。{names}、数、+ - * / ^ と ( ) で書いてください")
        raise InvalidAnswer(message.format(error=exc, names=", ".join(domains))) from None
    feedback = () if correct else tuple(w.says for w in q.wrong_answers if equivalent(response, w.answer, domains))[:1]
    return Verdict(correct, 1.0 if correct else 0.0, response, q.answer, feedback)


def matching_pairs(q: MatchingQuestion, response: str) -> dict[str, str]:
    """``A-2, B-1`` or ``A2 B1`` (left key, right key) or ``2,1,…`` (right keys in left order) → left → right.

    Raises:
        InvalidAnswer: Not pairs of this question's keys.
    """
    left = [i.key for i in q.left]
    right = {i.key for i in q.right}
    text = normalize(response)
    pairs: dict[str, str] = {}
    tokens = [t for t in re.split(r"[,、\s]+", text) if t]
    if tokens and all(_key(t) in right for t in tokens) and len(tokens) == len(left):
        pairs = dict(zip(left, (_key(t) for t in tokens)))
    else:
        for token in tokens:
            m = re.fullmatch(r"\(?([^-=:→>()]+?)\)?\s*(?:-|=|:|→|->)?\s*\(?([^-=:→>()]+?)\)?", token)
            if not m or m.group(1) not in left or m.group(2) not in right:
                raise InvalidAnswer(_("左の記号-右の記号 の組で、左の各項目 ({left}) に一つずつ答えてください (例: {example})").format(
                    left=", ".join(left), example=f"{left[0]}-{q.pairs[left[0]]}"))
            pairs[m.group(1)] = m.group(2)
    return pairs


def _matching(q: MatchingQuestion, response: str) -> Verdict:
    left = [i.key for i in q.left]
    pairs = matching_pairs(q, response)
    hits = sum(pairs.get(k) == v for k, v in q.pairs.items())
    feedback = tuple(_("{left}: {got} ではない").format(left=k, got=pairs[k]) for k in left if k in pairs and pairs[k] != q.pairs[k])
    return Verdict(hits == len(left), hits / len(left), response, _matching_expected(q), feedback)


def _matching_expected(q: MatchingQuestion) -> str:
    return ", ".join(f"{k}-{v}" for k, v in q.pairs.items())


def _self_graded(q: SelfGradedQuestion, response: str) -> Verdict:
    """The learner names the rubric points their answer covered: ``1,3``, ``all`` or ``none``."""
    text = normalize(response).lower()
    n = len(q.rubric)
    if text in ("all", "a", "全部"):
        met = set(range(n))
    elif text in ("none", "0", "なし", ""):
        met = set()
    else:
        try:
            met = {int(t) - 1 for t in re.split(r"[,、\s]+", text) if t}
        except ValueError:
            raise InvalidAnswer(_("満たした採点ポイントの番号を並べてください (例: 1,3、1–{n})、または all / none").format(n=n)) from None
        if any(not 0 <= i < n for i in met):
            raise InvalidAnswer(_("採点ポイントの番号は 1–{n} です").format(n=n))
    total = sum(r.weight for r in q.rubric)
    score = sum(q.rubric[i].weight for i in met) / total
    expected = q.model_answer.strip()
    missed = tuple(_("満たしていない: {point}").format(point=q.rubric[i].point) for i in range(n) if i not in met)
    return Verdict(len(met) == n, score, response, expected, missed)


def blank_keys(q: CodeBlankQuestion, response: str) -> dict[str, str]:
    """``4`` (one blank), ``え=4, お=3`` or ``4,3`` (blanks in order) → blank name → choice key."""
    tokens = [t for t in re.split(r"[,、\s]+", normalize(response)) if t]
    names = [b.name for b in q.blanks]
    chosen: dict[str, str] = {}
    if tokens and all("=" not in t and ":" not in t for t in tokens) and len(tokens) == len(names):
        chosen = dict(zip(names, (_key(t) for t in tokens)))
    else:
        for token in tokens:
            name, sep, key = re.split(r"([=:])", token, maxsplit=1) if re.search("[=:]", token) else (token, "", "")
            chosen[_key(name)] = _key(key)
    for blank in q.blanks:
        keys = [c.key for c in blank.choices]
        if not keys:
            raise InvalidAnswer(_("空欄 {name} には選択肢がありません: コードを `eshikaku submit {id}` で提出してください").format(name=blank.name, id=q.id))
        if chosen.get(blank.name) not in keys:
            example = " ".join(b.choices[0].key for b in q.blanks) if len(q.blanks) > 1 else q.blanks[0].choices[0].key
            named = ", ".join(f"{b.name}={b.choices[0].key}" for b in q.blanks)
            raise InvalidAnswer(_("各空欄の選択肢の番号を空欄の順に答えてください (例: {example}、または {named})").format(example=example, named=named))
    return chosen


def blank_expected(q: CodeBlankQuestion) -> str:
    parts = []
    for b in q.blanks:
        text = next((c.text for c in b.choices if c.key == b.answer), b.solution)
        parts.append(f"({b.name}) {b.answer}: {text}" if b.answer else f"({b.name}) {b.solution}")
    return "; ".join(parts)


def _code_blank_by_key(q: CodeBlankQuestion, response: str) -> Verdict:
    chosen = blank_keys(q, response)
    hits = sum(chosen[b.name] == b.answer for b in q.blanks)
    feedback = tuple(
        f"({b.name}) {c.key}: {c.why}" for b in q.blanks for c in b.choices if c.key == chosen[b.name] and c.key != b.answer and c.why
    )
    return Verdict(hits == len(q.blanks), hits / len(q.blanks), response, blank_expected(q), feedback)


def grade(attempt: Attempt, response: str) -> Verdict:
    """Grades a typed response to ``attempt`` (code is graded by :mod:`grader.grading.codegrade`).

    Raises:
        InvalidAnswer: The response is not in an accepted form (nothing is counted).
    """
    q = attempt.question
    if isinstance(q, ChoiceQuestion):
        return _choice(q, response)
    if isinstance(q, NumericQuestion):
        return _numeric(q, response, float(attempt.answer), attempt.wrong)
    if isinstance(q, NumericPartsQuestion):
        return _numeric_parts(q, response, attempt.answer, attempt.wrong)
    if isinstance(q, ShapeQuestion):
        return _shape(response, list(attempt.answer), attempt.wrong)
    if isinstance(q, ExpressionQuestion):
        return _expression(q, response)
    if isinstance(q, MatchingQuestion):
        return _matching(q, response)
    if isinstance(q, SelfGradedQuestion):
        return _self_graded(q, response)
    if isinstance(q, CodeBlankQuestion):
        return _code_blank_by_key(q, response)
    if isinstance(q, CodeFunctionQuestion):
        raise InvalidAnswer(_("コードをファイルに書いて提出してください: eshikaku submit {id} FILE").format(id=q.id))
    raise InvalidAnswer(_("未知の問題形式 {type}").format(type=q.type))  # pragma: no cover - the schema forbids it


def expected(attempt: Attempt) -> str:
    """The right answer of ``attempt`` as a verdict shows it (also for a skipped or unanswered question)."""
    from grader.bank.schema import CodeBase

    q = attempt.question
    if isinstance(q, ChoiceQuestion):
        return _choice_expected(q)
    if isinstance(q, NumericQuestion):
        return number_text(q, attempt.answer)
    if isinstance(q, NumericPartsQuestion):
        return parts_expected(q, attempt.answer)
    if isinstance(q, ShapeQuestion):
        return " × ".join(str(a) for a in attempt.answer)
    if isinstance(q, ExpressionQuestion):
        return q.answer
    if isinstance(q, MatchingQuestion):
        return _matching_expected(q)
    if isinstance(q, SelfGradedQuestion):
        points = "\n".join(f"  {i}. {r.point}" for i, r in enumerate(q.rubric, 1))
        return _("{model}\n採点ポイント:\n{points}").format(model=q.model_answer.strip(), points=points)
    if isinstance(q, CodeBlankQuestion):
        return blank_expected(q)
    if isinstance(q, CodeBase):
        return model_solution(q)
    return ""  # pragma: no cover - every type is handled above


def model_solution(q: Any) -> str:
    """A code_function's model solution as a fenced block (with its key idea), else the key idea alone."""
    solution = getattr(q, "solution", "") or ""
    note = getattr(q, "solution_note", "") or ""
    if solution.strip():
        block = f"```python\n{solution.rstrip()}\n```"
        return f"{block}\n{note}".rstrip() if note else block
    return note or _("解説を参照")
