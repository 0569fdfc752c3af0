"""validate's proofs for the answers a learner types: numbers (one, or several parts), shapes and expressions.

Every parameter draw a question can make is tried when there are at most :data:`DRAW_LIMIT` of them
(so "never right" is proved, not sampled); otherwise 40 seeded draws and the draws with every
parameter at an end of its range. At each draw:

- the right answer is a finite number (or a shape of non-negative integers);
- the tolerance cannot accept a wrong power of ten, and accepts the answer rounded as the prompt asks
  (小数第 N 位まで, 有効数字 N 桁);
- every wrong answer is graded wrong, and no two wrong answers are graded alike (they would make a
  four-choice form with one value twice, and the second's feedback would never show);
- every worked example (an answer the author computed by hand) equals the computed answer, so a wrong
  reference or formula is caught.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from grader.bank.expression import ExpressionError, equivalent
from grader.bank.params import ParameterError, complete, corner_draws, draw_values, every_draw, resolve
from grader.bank.positions import Loc
from grader.bank.schema import (
    ComputedAnswer,
    ExpressionQuestion,
    Formula,
    NumericPartsQuestion,
    NumericQuestion,
    Question,
    ShapeQuestion,
)
from grader.bank.schema_numeric import NumberExample, PartsExample, Tolerance, WrongNumber
from grader.grading.answers import numbers_match
from grader.instructor.findings import Findings, values_text

DRAW_LIMIT = 2000  # a question with at most this many parameter combinations is tried at every one
SEEDED_DRAWS = range(1, 41)
ZERO = 1e-12  # an answer this small is 0 computed in floating point (-5.6e-17): it has no power of ten to get wrong
FAILURES = (ParameterError, ArithmeticError, TypeError, ValueError, ExpressionError)
_DECIMALS = re.compile(r"小数第\s*(\d+)\s*位\s*(を四捨五入|まで)")
_SIGNIFICANT = re.compile(r"有効数字\s*(\d+)\s*桁")


@dataclass(frozen=True)
class Draws:
    values: list[dict[str, Any]]
    exhaustive: bool

    def describe(self) -> str:
        if len(self.values) == 1 and self.exhaustive:
            return "graded wrong"
        return f"graded wrong at {'all ' if self.exhaustive else ''}{len(self.values)} parameter draws{'' if self.exhaustive else ' tried'}"


def parameter_draws(question: Question) -> Draws:
    """Every draw when there are few enough, else the seeded draws and the corners of the ranges.

    Raises:
        ParameterError: A parameter formula fails, or no draw satisfies `where`.
    """
    if question.parameters is None:
        return Draws([{}], True)
    every = every_draw(question, DRAW_LIMIT)
    if every is not None:
        if not every:
            raise ParameterError("no parameter draw satisfies `where`: widen the ranges or relax the conditions")
        return Draws(every, True)
    unique: dict[tuple[tuple[str, Any], ...], dict[str, Any]] = {}
    for values in [draw_values(question, seed) for seed in SEEDED_DRAWS] + corner_draws(question):
        unique.setdefault(tuple(sorted(values.items())), values)
    return Draws(list(unique.values()), False)


def _shown(value: float) -> float:
    """The number as a learner reads it in a four-choice form (12 significant digits) and types it back."""
    return float(f"{value:.12g}")


def _number_text(value: float) -> str:
    return f"{value:.12g}"


def _source(spec: Any) -> str:
    """What computes an answer, as a noun: "reference reference.cnn:conv_output_size", "formula 'P2 / P1'", …"""
    if isinstance(spec, list):
        functions = sorted({item.function for item in spec if isinstance(item, ComputedAnswer)})
        if functions:
            return f"reference {' and '.join(functions)}"
        return "formulas" if any(isinstance(item, Formula) for item in spec) else "answer key"
    if isinstance(spec, ComputedAnswer):
        return f"reference {spec.function}"
    if isinstance(spec, Formula):
        return f"formula {spec.formula!r}"
    return "answer key"


@dataclass
class _Target:
    """One number to prove: a numeric question's answer, or one part of a multi-part answer."""

    loc: Loc  # where its answer, tolerances and wrong answers sit: () or ("parts", i)
    name: str  # "" or "part a"
    tol: Tolerance
    answer: Any
    wrong: list[WrongNumber]
    rounding: str  # the text that may ask for a rounding (the prompt, and a part's label)


def _targets(question: NumericQuestion | NumericPartsQuestion) -> list[_Target]:
    if isinstance(question, NumericQuestion):
        return [_Target((), "", question, question.answer, list(question.wrong_answers), question.prompt)]
    return [_Target(("parts", i), f"part {p.name}: ", p, p.answer, list(p.wrong_answers), f"{question.prompt}\n{p.label}")
            for i, p in enumerate(question.parts)]  # fmt: skip


@dataclass
class _Hit:
    """Where a wrong answer is graded right: the first draw's finding, and at how many draws."""

    loc: Loc
    message: str
    draws: int = 0
    always_equal: bool = True  # equal to the answer (not only within the tolerance) at every such draw


def _rounded(text: str, value: float) -> tuple[float, str, float] | None:
    """The answer rounded half up as the text asks (a learner rounds the digits they see), how it asks, and the
    tolerance that accepts it; None when the text asks for no rounding."""
    from decimal import ROUND_HALF_UP, Decimal

    decimals = _DECIMALS.search(text)
    if decimals:
        places = int(decimals.group(1)) - (1 if decimals.group(2) == "を四捨五入" else 0)
        rounded = float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
        return rounded, f"{decimals.group(0)} ({places} decimal(s))", 10.0**-places
    significant = _SIGNIFICANT.search(text)
    if significant and value != 0:
        digits = int(significant.group(1))
        exponent = Decimal(repr(value)).adjusted() - digits + 1
        rounded = float(Decimal(repr(value)).quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP))
        return rounded, significant.group(0), 5 * 10.0**-digits
    return None


def _number_checks(out: Findings, question: Question, target: _Target, draws: Draws) -> None:
    qid = question.id
    names = question.parameters.values if question.parameters else {}
    found: set[tuple[str, int]] = set()  # each kind of problem is reported once, at its first draw

    def once(kind: str, index: int, loc: Loc, message: str) -> None:
        if (kind, index) not in found:
            found.add((kind, index))
            out.error(qid, target.loc + loc, target.name + message)

    hits: dict[int, _Hit] = {}  # wrong answer → where it is graded right

    for values in draws.values:
        at = f" for {values_text(values, names)}" if names else ""
        try:
            right = float(resolve(target.answer, values))
        except FAILURES as exc:
            once("answer", 0, ("answer",), f"the answer cannot be computed{at}: {exc}")
            continue
        if not math.isfinite(right):
            once("answer", 0, ("answer",), f"the answer is {right}{at}: no learner can give it; fix the {_source(target.answer)} or the ranges")
            continue
        width = max(target.tol.abs_tol, target.tol.rel_tol * abs(right))
        if abs(right) > ZERO and width >= 0.9 * abs(right):
            key = "abs_tol" if target.tol.abs_tol >= target.tol.rel_tol * abs(right) else "rel_tol"
            fix = f"make {key} smaller than {0.9 * abs(right):.3g}" + (", or exclude these values with `where:`" if names else "")
            once("exponent", 0, (key,), f"the tolerance (±{width:.3g}) accepts {_number_text(right / 10)}, a wrong power of ten of the answer "
                 f"{_number_text(right)}{at} (and 0 too): {fix}")
        rounding = _rounded(target.rounding, right)
        if rounding and not numbers_match(target.tol, _shown(rounding[0]), right):
            key, fix = ("abs_tol", "set abs_tol to one unit of the last decimal asked") if "decimal" in rounding[1] else \
                ("rel_tol", "set rel_tol to half a unit of the last digit asked")
            once("rounding", 0, (key,), f"the prompt asks for {rounding[1]}, but {_number_text(rounding[0])} (the answer "
                 f"{_number_text(right)} rounded so) is graded wrong{at}: {fix} ({rounding[2]:g})")
        wrong: list[float | None] = []
        for i, w in enumerate(target.wrong):
            try:
                value = float(resolve(w.answer, values))
            except FAILURES as exc:
                once("wrong", i, ("wrong_answers", i), f"wrong answer {i + 1} cannot be computed{at}: {exc}")
                wrong.append(None)
                continue
            wrong.append(value)
            if not math.isfinite(value):
                once("wrong", i, ("wrong_answers", i), f"wrong answer {i + 1} is {value}{at}: fix its formula or the ranges")
            elif numbers_match(target.tol, _shown(value), right):
                suspect_key = value == right and not names and not isinstance(target.answer, (ComputedAnswer, Formula))
                hit = hits.setdefault(i, _Hit(("answer",) if suspect_key else ("wrong_answers", i),
                                              _graded_right(i, value, right, width, at, target.answer, bool(names))))  # fmt: skip
                hit.draws += 1
                hit.always_equal = hit.always_equal and value == right
        for j, wj in enumerate(wrong):
            for i, wi in enumerate(wrong[:j]):
                if wi is not None and wj is not None and (numbers_match(target.tol, _shown(wj), wi) or _number_text(wi) == _number_text(wj)):
                    once("pair", j, ("wrong_answers", j), f"wrong answers {i + 1} and {j + 1} are both {_number_text(wj)}{at}: the four-choice "
                         "form would show one value twice and the second's feedback never shows; exclude these values with `where:` or drop one")
    for i, hit in hits.items():
        if hit.draws == len(draws.values) > 1 and hit.always_equal:
            hit.message = (f"wrong answer {i + 1} equals the answer at all {hit.draws} parameter draws: they compute the same thing, so the "
                           f"answer's {_source(target.answer)} or this wrong answer is wrong")
        once("wrong", i, hit.loc, hit.message)
    for i in range(len(target.wrong)):
        if ("wrong", i) not in found and ("pair", i) not in found:
            out.proved(qid, f"{target.name}wrong answer {i + 1}", draws.describe())


def _graded_right(i: int, value: float, right: float, width: float, at: str, spec: Any, parameterised: bool) -> str:
    if value != right:
        return (f"the tolerance (±{width:.3g}) accepts wrong answer {i + 1} ({_number_text(value)}, the right answer is "
                f"{_number_text(right)}){at}: make abs_tol and rel_tol smaller than {abs(value - right):.3g}")
    if parameterised:
        return f"wrong answer {i + 1} equals the right answer ({_number_text(right)}){at}: exclude these values with `where:`, or drop this wrong answer"
    return (f"wrong answer {i + 1} equals the answer ({_number_text(right)}): is the {_source(spec)} right? If it is, this is no wrong answer: "
            "drop it")


def _disagrees(spec: Any, values: dict[str, Any], computed: str, expected: str) -> str:
    where = f"for {values_text(values)} " if values else ""
    source = _source(spec)
    if source == "answer key":
        return f"the answer key is {computed}, but the worked example says {expected}: one of them is wrong"
    return f"{where}the answer computed by the {source} is {computed}, but the worked example says {expected}: fix the {source} or the example"


def _example_values(out: Findings, question: Question, k: int, given: dict[str, Any]) -> dict[str, Any] | None:
    names = set(question.parameters.values) if question.parameters else set()
    missing, extra = sorted(names - set(given)), sorted(set(given) - names)
    if missing or extra:
        what = "; ".join(filter(None, [f"give {', '.join(missing)}" if missing else "", f"{', '.join(extra)} is no parameter" if extra else ""]))
        out.error(question.id, ("worked_examples", k, "values"), f"a worked example names every parameter and nothing else: {what}")
        return None
    try:
        values = complete(question, given)
    except ParameterError as exc:
        out.error(question.id, ("worked_examples", k, "values"), str(exc))
        return None
    if values is None:
        out.error(question.id, ("worked_examples", k, "values"), "these values break a `where` condition: no learner gets them")
    return values


def _number_examples(out: Findings, question: NumericQuestion | NumericPartsQuestion) -> None:
    parts = isinstance(question, NumericPartsQuestion)
    keys = [p.name for p in question.parts] if isinstance(question, NumericPartsQuestion) else [""]
    examples: list[NumberExample | PartsExample] = list(question.worked_examples)
    for k, example in enumerate(examples):
        values = _example_values(out, question, k, example.values)
        if values is None:
            continue
        given = example.answer if isinstance(example, PartsExample) else {"": example.answer}
        for target, key in zip(_targets(question), keys):
            loc: Loc = ("worked_examples", k, "answer", key) if parts else ("worked_examples", k, "answer")
            try:
                computed = float(resolve(target.answer, values))
            except FAILURES as exc:
                out.error(question.id, loc, f"{target.name}the answer cannot be computed for these values: {exc}")
                continue
            if not numbers_match(target.tol, given[key], computed):
                out.error(question.id, loc, f"{target.name}{_disagrees(target.answer, example.values, _number_text(computed), _number_text(given[key]))}")
            else:
                out.proved(question.id, f"{target.name}worked example {k + 1}", "matches the computed answer")


def _shape(value: Any) -> tuple[int, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    shape = []
    for item in items:
        number = float(item)
        if not number.is_integer() or number < 0:
            raise ValueError(f"{item} is not a size (an integer ≥ 0)")
        shape.append(int(number))
    return tuple(shape)


def _shape_checks(out: Findings, question: ShapeQuestion, draws: Draws) -> None:
    names = question.parameters.values if question.parameters else {}
    found: set[tuple[str, int]] = set()

    def report(kind: str, index: int, loc: Loc, message: str) -> None:
        if (kind, index) not in found:
            found.add((kind, index))
            out.error(question.id, loc, message)

    equal: dict[int, list[Any]] = {}  # wrong answer → [draws where it is the right shape, the message for the first]
    for values in draws.values:
        at = f" for {values_text(values, names)}" if names else ""
        try:
            right = _shape(resolve(question.answer, values))
        except FAILURES as exc:
            report("answer", 0, ("answer",), f"the shape cannot be computed{at}: {exc}")
            continue
        wrong: list[tuple[int, ...] | None] = []
        for i, w in enumerate(question.wrong_answers):
            try:
                wrong.append(_shape(resolve(w.answer, values)))
            except FAILURES as exc:
                wrong.append(None)
                report("wrong", i, ("wrong_answers", i), f"wrong answer {i + 1} cannot be computed{at}: {exc}")
                continue
            if wrong[-1] == right:
                how = "exclude these values with `where:`, or drop this wrong answer" if names else f"is the {_source(question.answer)} right?"
                equal.setdefault(i, [0, f"wrong answer {i + 1} is the right shape {right}{at}: {how}"])[0] += 1
        for j, wj in enumerate(wrong):
            if wj is not None and wj in wrong[:j]:
                report("pair", j, ("wrong_answers", j), f"wrong answers {wrong.index(wj) + 1} and {j + 1} are both {wj}{at}: drop one")
    for i, (count, message) in equal.items():
        if count == len(draws.values) > 1:
            message = (f"wrong answer {i + 1} is the right shape at all {count} parameter draws: they compute the same thing, so the answer's "
                       f"{_source(question.answer)} or this wrong answer is wrong")
        report("wrong", i, ("wrong_answers", i), message)
    for i in range(len(question.wrong_answers)):
        if ("wrong", i) not in found and ("pair", i) not in found:
            out.proved(question.id, f"wrong answer {i + 1}", draws.describe())
    for k, example in enumerate(question.worked_examples):
        shape_values = _example_values(out, question, k, example.values)
        if shape_values is None:
            continue
        try:
            computed = _shape(resolve(question.answer, shape_values))
        except FAILURES as exc:
            out.error(question.id, ("worked_examples", k, "answer"), f"the shape cannot be computed for these values: {exc}")
            continue
        if computed != tuple(example.answer):
            out.error(question.id, ("worked_examples", k, "answer"), _disagrees(question.answer, example.values, str(list(computed)), str(example.answer)))
        else:
            out.proved(question.id, f"worked example {k + 1}", "matches the computed shape")


def _expression_checks(out: Findings, question: ExpressionQuestion) -> None:
    domains = {v.name: (v.low, v.high) for v in question.variable_specs}
    forms = [w.answer for w in question.wrong_answers]
    for k, form in enumerate(question.accepted_forms):
        if not _equivalent(form, question.answer, domains):
            out.error(question.id, ("accepted_forms", k), f"{form!r} is not equal to the answer {question.answer!r}: it is shown as a right form")
    for i, form in enumerate(forms):
        if _equivalent(form, question.answer, domains):
            out.error(question.id, ("wrong_answers", i), f"wrong answer {i + 1} {form!r} equals the answer {question.answer!r} on the variables' "
                      "domains: a learner giving it is graded right; drop it, or fix the answer")
        elif any(_equivalent(form, other, domains) for other in forms[:i]):
            out.error(question.id, ("wrong_answers", i), f"wrong answer {i + 1} {form!r} equals an earlier wrong answer: drop one")
        else:
            out.proved(question.id, f"wrong answer {i + 1}", "not equal to the answer")


def _equivalent(a: str, b: str, domains: dict[str, tuple[float, float]]) -> bool:
    try:
        return equivalent(a, b, domains)
    except ExpressionError:
        return False


def answer_checks(out: Findings, question: Question) -> None:
    """The proofs of a numeric, numeric_parts, shape or expression question (nothing for other types)."""
    if isinstance(question, ExpressionQuestion):
        _expression_checks(out, question)
        return
    if not isinstance(question, (NumericQuestion, NumericPartsQuestion, ShapeQuestion)):
        return
    try:
        draws = parameter_draws(question)
    except ParameterError as exc:
        out.error(question.id, ("parameters",), str(exc))
        return
    if isinstance(question, ShapeQuestion):
        _shape_checks(out, question, draws)
        return
    for target in _targets(question):
        _number_checks(out, question, target, draws)
    _number_examples(out, question)
