"""How a question is presented: its options relabelled in the order shown, and its source text (prompt,
options, the line saying how to answer) for the learner's side to render.

An attempt with a seed shows shuffled options relabelled 1, 2, 3 … in the order drawn, so nothing is
learnt from a label ("it's 3"); :func:`present` gives that attempt (graded in the shown labels) and the
map back to the original keys, which are what is stored. An attempt without a seed (``eshikaku show ID``)
shows the options in file order under their own keys.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from grader.bank.params import Attempt, display_order
from grader.bank.schema import (
    Choice,
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
from grader.grading.answers import InvalidAnswer, blank_keys, matching_pairs, number_text, numbers_match, split_keys
from grader.i18n import _

TYPE_LABELS = {
    "choice": "選択",
    "numeric": "数値",
    "numeric_parts": "数値 (小問)",
    "shape": "形状",
    "expression": "式",
    "matching": "対応付け",
    "code_blank": "コード穴埋め",
    "code_function": "コード記述",
    "self_graded": "記述 (自己採点)",
}
OPTIONS_FROM_WRONG_ANSWERS = 3  # a numeric question with this many wrong answers has a four-choice form


# --------------------------------------------------------------------------- presentation: labels in the order shown


@dataclass(frozen=True)
class Shown:
    """An attempt as the learner sees it (options reordered and relabelled) and the way back to the keys."""

    attempt: Attempt  # displayed and graded with the shown labels
    original: Attempt
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # option group → shown label → original key

    @property
    def question(self) -> Any:
        return self.attempt.question

    def stored(self, response: str) -> str:
        """``response`` (in shown labels) in its canonical form with the original keys, as recorded.

        Raises:
            InvalidAnswer: Not an answer in this question's form.
        """
        q = self.attempt.question
        if isinstance(q, ChoiceQuestion):
            shown_labels = [c.key for c in q.choices]
            picked = list(dict.fromkeys(split_keys(response)))
            if not picked or any(k not in shown_labels for k in picked):
                raise InvalidAnswer(_("選択肢の番号で答えてください: {keys}").format(keys=", ".join(shown_labels)))
            back = self.labels.get("", {})
            return ",".join(back.get(k, k) for k in picked)
        if isinstance(q, CodeBlankQuestion):
            chosen = blank_keys(q, response)
            keys = {name: self.labels.get(name, {}).get(label, label) for name, label in chosen.items()}
            if len(q.blanks) == 1:
                return keys[q.blanks[0].name]
            return ", ".join(f"{b.name}={keys[b.name]}" for b in q.blanks)
        if isinstance(q, MatchingQuestion):
            pairs = matching_pairs(q, response)
            back = self.labels.get("right", {})
            return ", ".join(f"{left}-{back.get(right, right)}" for left, right in pairs.items())
        return str(response)

    def displayed(self, stored: str) -> str:
        """A stored answer (original keys) written in this attempt's shown labels."""
        q = self.attempt.question
        if isinstance(q, ChoiceQuestion):
            to_label = {key: label for label, key in self.labels.get("", {}).items()}
            return ",".join(to_label.get(k, k) for k in split_keys(stored))
        if isinstance(q, CodeBlankQuestion):
            original = self.original.question
            chosen = blank_keys(original, stored) if isinstance(original, CodeBlankQuestion) else {}
            labels = {name: {k: l for l, k in self.labels.get(name, {}).items()}.get(key, key) for name, key in chosen.items()}
            return " ".join(labels[b.name] for b in q.blanks) if labels else stored
        if isinstance(q, MatchingQuestion):
            to_label = {key: label for label, key in self.labels.get("right", {}).items()}
            original = self.original.question
            pairs = matching_pairs(original, stored) if isinstance(original, MatchingQuestion) else {}
            return ", ".join(f"{left}-{to_label.get(right, right)}" for left, right in pairs.items()) or stored
        return stored


def _relabel(choices: list[Choice], order: list[str]) -> tuple[list[Choice], dict[str, str]]:
    by_key = {c.key: c for c in choices}
    labels = {str(n): key for n, key in enumerate(order, 1)}
    return [by_key[key].model_copy(update={"key": label}) for label, key in labels.items()], labels


def present(attempt: Attempt, *, numeric_choices: bool = False) -> Shown:
    """``attempt`` as shown: with a seed, shuffled options relabelled 1… in the order drawn.

    ``numeric_choices`` turns a numeric question with three or more wrong answers into its four-choice
    form (the mock exam's): the right value and three wrong ones, shuffled; the stored key is the value.
    """
    q = attempt.question
    seed = attempt.seed
    if numeric_choices and isinstance(q, NumericQuestion) and has_choice_form(q):
        return _numeric_as_choices(attempt, q)
    if seed is None:
        return Shown(attempt, attempt)
    if isinstance(q, ChoiceQuestion) and q.shuffle:
        choices, labels = _relabel(q.choices, display_order([c.key for c in q.choices], seed, q.id))
        back = {key: label for label, key in labels.items()}
        shown = q.model_copy(update={"choices": choices, "answer": [back[a] for a in q.answer], "shuffle": False})
        return Shown(_with_question(attempt, shown), attempt, {"": labels})
    if isinstance(q, CodeBlankQuestion) and any(b.choices for b in q.blanks):
        blanks, groups = [], {}
        for blank in q.blanks:
            if not blank.choices:
                blanks.append(blank)
                continue
            choices, labels = _relabel(blank.choices, display_order([c.key for c in blank.choices], seed, f"{q.id}:{blank.name}"))
            back = {key: label for label, key in labels.items()}
            blanks.append(blank.model_copy(update={"choices": choices, "answer": back.get(blank.answer or "", blank.answer)}))
            groups[blank.name] = labels
        return Shown(_with_question(attempt, q.model_copy(update={"blanks": blanks})), attempt, groups)
    if isinstance(q, MatchingQuestion):
        order = display_order([i.key for i in q.right], seed, f"{q.id}:right")
        by_key = {i.key: i for i in q.right}
        labels = {str(n): key for n, key in enumerate(order, 1)}
        back = {key: label for label, key in labels.items()}
        right = [by_key[key].model_copy(update={"key": label}) for label, key in labels.items()]
        matching = q.model_copy(update={"right": right, "pairs": {left: back[r] for left, r in q.pairs.items()}})
        return Shown(_with_question(attempt, matching), attempt, {"right": labels})
    return Shown(attempt, attempt)


def has_choice_form(q: NumericQuestion) -> bool:
    return len(q.wrong_answers) >= OPTIONS_FROM_WRONG_ANSWERS


def _with_question(attempt: Attempt, question: Any) -> Attempt:
    return Attempt(question=question, seed=attempt.seed, values=attempt.values, prompt=attempt.prompt, explanation=attempt.explanation,
                   hints=attempt.hints, answer=attempt.answer, wrong=attempt.wrong)  # fmt: skip


def value_key(value: Any) -> str:
    """The stored key of a numeric option: the value itself, to 12 significant digits."""
    return f"{float(value):.12g}"


def _numeric_as_choices(attempt: Attempt, q: NumericQuestion) -> Shown:
    right = float(attempt.answer)
    wrong: list[tuple[float, str]] = []
    for value, says in attempt.wrong:
        v = float(value)
        if not numbers_match(q, v, right) and all(not numbers_match(q, v, w) for w, _ in wrong):
            wrong.append((v, says))
    rng = random.Random(f"{q.id}:numeric-options:{attempt.seed}")
    picked = rng.sample(wrong, min(OPTIONS_FROM_WRONG_ANSWERS, len(wrong)))
    options = [(right, "")] + picked
    rng.shuffle(options)
    labels = {str(n): value_key(v) for n, (v, _) in enumerate(options, 1)}
    choices = [Choice(key=str(n), text=number_text(q, v), why=says) for n, (v, says) in enumerate(options, 1)]
    answer = next(label for label, key in labels.items() if key == value_key(right))
    fields = q.model_dump(include={"id", "topic", "syllabus", "keywords", "tags", "difficulty", "title", "prompt", "explanation", "hints", "source",
                                   "points", "related"})  # fmt: skip
    shown = ChoiceQuestion.model_validate({**fields, "type": "choice", "choices": [c.model_dump() for c in choices], "answer": [answer],
                                           "shuffle": False})  # fmt: skip
    return Shown(_with_question(attempt, shown), attempt, {"": labels})


# --------------------------------------------------------------------------- plain text


def choice_lines(attempt: Attempt) -> list[str]:
    """The options in the order they are shown, each with its label."""
    q = attempt.question
    lines: list[str] = []
    if isinstance(q, ChoiceQuestion):
        for choice in q.choices:
            text = choice.text or "  ".join(f"({k}) {v}" for k, v in choice.parts.items())
            lines.append(f"  ({choice.key}) {text}")
    elif isinstance(q, CodeBlankQuestion):
        for blank in q.blanks:
            if not blank.choices:
                continue
            lines.append(f"  [{blank.name}]")
            lines += [f"    ({c.key}) {c.text}" for c in blank.choices]
    elif isinstance(q, NumericPartsQuestion):
        lines += [f"  ({p.name}) {p.label}{f' [{p.unit}]' if p.unit else ''}".rstrip() for p in q.parts]
    elif isinstance(q, MatchingQuestion):
        lines += [f"  {i.key}. {i.text}" for i in q.left]
        lines.append("")
        lines += [f"  {i.key}) {i.text}" for i in q.right]
    return lines


def answer_help(attempt: Attempt) -> str:
    """One line telling the learner how to type the answer."""
    q = attempt.question
    if isinstance(q, ChoiceQuestion):
        return _("番号で答える (例: 2)") + (_("。複数選ぶときは 1,3") if len(q.answer) > 1 else "")
    if isinstance(q, NumericQuestion):
        return _("数値で答える (例: 0.25, 1/4)") + (_(" 単位: {unit}").format(unit=q.unit) if q.unit else "")
    if isinstance(q, NumericPartsQuestion):
        return _("小問 {names} の数値を順にスペースで区切って答える (例: {example}、または {pairs})").format(
            names=", ".join(p.name for p in q.parts), example=" ".join(["12"] * len(q.parts)), pairs=" ".join(f"{p.name}=12" for p in q.parts))
    if isinstance(q, ShapeQuestion):
        return _("形状で答える (例: 7x7, (7, 7))")
    if isinstance(q, ExpressionQuestion):
        names = ", ".join(v.name for v in q.variable_specs)
        return _("{names} の式で答える (例: 2(x+y), x^2)").format(names=names)
    if isinstance(q, MatchingQuestion):
        return _("左の記号-右の番号 を並べて答える (例: {example})").format(example=", ".join(f"{i.key}-?" for i in q.left))
    if isinstance(q, CodeBlankQuestion):
        if all(b.choices for b in q.blanks):
            if len(q.blanks) == 1:
                return _("番号で答える (例: {key})").format(key=q.blanks[0].choices[0].key)
            names = "、".join(b.name for b in q.blanks)
            return _("空欄 {names} の番号を順にスペースで区切って答える (例: {example})").format(
                names=names, example=" ".join(b.choices[0].key for b in q.blanks))
        return _("空欄のコードを書いて提出する: eshikaku submit {id} FILE").format(id=q.id)
    if isinstance(q, CodeFunctionQuestion):
        return _("関数を書いて提出する: eshikaku submit {id} FILE").format(id=q.id)
    if isinstance(q, SelfGradedQuestion):
        return _("自分の答えを書く (または考える)。模範解答と採点ポイントを見て、満たした番号を答える (例: 1,3 / all / none)")
    return ""


def question_text(attempt: Attempt, *, show_template: bool = True) -> str:
    q = attempt.question
    head = f"[{q.id}] {q.title or ''}".rstrip()
    meta = _("topic {topic} · {type} · 難易度 {stars}").format(topic=q.topic, type=TYPE_LABELS[q.type], stars="★" * q.difficulty)
    parts = [head, meta, "", attempt.prompt.rstrip()]
    if show_template and isinstance(q, (CodeBlankQuestion, CodeFunctionQuestion)):
        parts += ["", "```python", q.template.rstrip(), "```"]
    choices = choice_lines(attempt)
    if choices:
        parts += ["", *choices]
    parts += ["", answer_help(attempt)]
    return "\n".join(parts)
