"""Attempts: a question with its parameters drawn from a seed, its text filled in and its answer computed.

A parameterised question gets new numbers on every attempt; the attempt records its seed so the
same numbers, prompt and answer can be reproduced exactly.
"""

from __future__ import annotations

import importlib
import itertools
import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from grader.bank.expression import ExpressionError, Number, author_value
from grader.bank.schema import ComputedAnswer, FloatRange, Formula, IntRange, NumericPartsQuestion, OneOf, Question

MAX_DRAWS = 1000
_PLACEHOLDER = re.compile(r"\{\{\s*(.+?)\s*\}\}")


class ParameterError(ValueError):
    """The question's parameters cannot be drawn or its answer cannot be computed (a bank error)."""


@dataclass(frozen=True)
class Attempt:
    """One concrete version of a question, as shown to a learner."""

    question: Question
    seed: int | None
    values: dict[str, Number] = field(default_factory=dict)
    prompt: str = ""
    explanation: str = ""
    hints: tuple[str, ...] = ()
    answer: Any = None
    wrong: tuple[tuple[Any, str], ...] = ()  # (wrong answer, what it shows) for numeric, shape and expression

    @property
    def id(self) -> str:
        return self.question.id


def load_callable(target: str) -> Any:
    """Imports ``reference.module:name`` and returns the object."""
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ParameterError(f"cannot import {target}: {exc}") from None


def _draw(spec: IntRange | OneOf | FloatRange, rng: random.Random) -> Number | str:
    if isinstance(spec, IntRange):
        low, high = spec.range
        return rng.randrange(low, high + 1, spec.step)
    if isinstance(spec, OneOf):
        return rng.choice(spec.choice)
    return round(rng.uniform(*spec.uniform), spec.digits)


def complete(question: Question, given: dict[str, Any]) -> dict[str, Number] | None:
    """``given`` parameter values with the derived names added, or None when the draw is rejected: a `where`
    condition fails, or a formula cannot be computed for it (a division by zero, a logarithm of 0), which
    `where` could not have excluded since it is checked after `derived`."""
    params = question.parameters
    if params is None:
        return {}
    values: dict[str, Any] = dict(given)
    try:
        for name, formula in params.derived.items():
            values[name] = author_value(formula, values)
        return values if all(author_value(cond, values) for cond in params.where) else None
    except (ArithmeticError, ValueError) as exc:
        if isinstance(exc, ExpressionError):
            raise ParameterError(f"{question.id}: parameter formula failed: {exc}") from None
        return None
    except KeyError as exc:
        raise ParameterError(f"{question.id}: parameter formula failed: {exc}") from None


def draw_values(question: Question, seed: int) -> dict[str, Number]:
    """Draws the parameters (and their derived names) for ``seed``, honouring ``where``."""
    params = question.parameters
    if params is None:
        return {}
    rng = random.Random(f"{question.id}:{seed}")
    for _ in range(MAX_DRAWS):
        values = complete(question, {name: _draw(spec, rng) for name, spec in params.values.items()})
        if values is not None:
            return values
    raise ParameterError(f"{question.id}: no draw satisfied `where` in {MAX_DRAWS} tries; widen the ranges")


def _support(spec: IntRange | OneOf | FloatRange, limit: int) -> list[Any] | None:
    """Every value ``spec`` can draw, or None when there are more than ``limit``."""
    if isinstance(spec, IntRange):
        low, high = spec.range
        count = (high - low) // spec.step + 1
        return list(range(low, high + 1, spec.step)) if count <= limit else None
    if isinstance(spec, OneOf):
        return list(dict.fromkeys(spec.choice))
    scale = 10**spec.digits
    low, high = math.ceil(spec.uniform[0] * scale), math.floor(spec.uniform[1] * scale)
    return [round(k / scale, spec.digits) for k in range(low, high + 1)] if high - low + 1 <= limit else None


def every_draw(question: Question, limit: int) -> list[dict[str, Number]] | None:
    """Every parameter draw the question can make (derived names included, `where` applied), or None when
    there are more than ``limit`` combinations to try."""
    params = question.parameters
    if params is None:
        return [{}]
    supports = {}
    total = 1
    for name, spec in params.values.items():
        support = _support(spec, limit)
        if support is None or total * len(support) > limit:
            return None
        supports[name] = support
        total *= len(support)
    draws = (complete(question, dict(zip(supports, combo))) for combo in itertools.product(*supports.values()))
    return [d for d in draws if d is not None]


def corner_draws(question: Question, limit: int = 256) -> list[dict[str, Number]]:
    """The draws with every parameter at an end of its range (where the `where` conditions allow), at most ``limit``."""
    params = question.parameters
    if params is None:
        return [{}]
    ends: dict[str, list[Any]] = {}
    for name, spec in params.values.items():
        if isinstance(spec, IntRange):
            low, high = spec.range
            ends[name] = sorted({low, low + (high - low) // spec.step * spec.step})
        elif isinstance(spec, OneOf):
            ends[name] = list(dict.fromkeys([spec.choice[0], spec.choice[-1]]))
        else:
            ends[name] = sorted({round(v, spec.digits) for v in spec.uniform})
    draws = []
    for combo in itertools.islice(itertools.product(*ends.values()), limit):
        values = complete(question, dict(zip(ends, combo)))
        if values is not None:
            draws.append(values)
    return draws


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}" if abs(value) >= 1e-4 or value == 0 else f"{value:.3e}"
    return str(value)


def fill(text: str, values: dict[str, Number]) -> str:
    """Replaces ``{{ expr }}`` placeholders with their values; text without placeholders is unchanged."""
    if not values or "{{" not in text:
        return text
    try:
        return _PLACEHOLDER.sub(lambda m: _format(author_value(m.group(1), values)), text)
    except (ExpressionError, ArithmeticError, KeyError) as exc:
        raise ParameterError(f"placeholder failed: {exc}") from None


def compute_answer(answer: ComputedAnswer, values: dict[str, Number]) -> Any:
    function = load_callable(answer.function)
    try:
        kwargs = {name: author_value(formula, values) for name, formula in answer.args.items()}
    except (ExpressionError, ArithmeticError, KeyError) as exc:
        raise ParameterError(f"answer argument failed: {exc}") from None
    result = function(**kwargs)
    if hasattr(result, "tolist"):  # NumPy scalars and arrays → plain Python
        result = result.tolist()
    return result


def resolve(spec: Any, values: dict[str, Number]) -> Any:
    """An answer as written in the bank (a value, a reference call, a formula, or a list of those) for these values."""
    if isinstance(spec, ComputedAnswer):
        return compute_answer(spec, values)
    if isinstance(spec, Formula):
        try:
            return author_value(spec.formula, values)
        except (ExpressionError, ArithmeticError, KeyError) as exc:
            raise ParameterError(f"formula {spec.formula!r} failed: {exc}") from None
    if isinstance(spec, list):
        return [resolve(item, values) for item in spec]
    return spec


def answers_for(question: Question, values: dict[str, Number]) -> tuple[Any, tuple[tuple[Any, str], ...]]:
    """The right answer and the wrong answers (with what each shows) for these parameter values.

    A multi-part question's answer is a mapping of part name → value, and each of its wrong answers is
    ``((part name, value), says)``.
    """
    if isinstance(question, NumericPartsQuestion):
        answer = {p.name: resolve(p.answer, values) for p in question.parts}
        wrong = tuple(((p.name, resolve(w.answer, values)), fill(w.says, values)) for p in question.parts for w in p.wrong_answers)
        return answer, wrong
    answer = resolve(getattr(question, "answer", None), values)
    return answer, tuple((resolve(w.answer, values), fill(w.says, values)) for w in getattr(question, "wrong_answers", ()))


def attempt(question: Question, seed: int | None = None, *, values: dict[str, Number] | None = None) -> Attempt:
    """The concrete attempt for ``seed`` (a fresh seed is drawn when a parameterised question gets None),
    or for parameter ``values`` given outright (complete, derived names included)."""
    if question.parameters is not None and seed is None and values is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    if values is None:
        values = draw_values(question, seed) if question.parameters is not None and seed is not None else {}
    answer, wrong = answers_for(question, values)
    return Attempt(
        question=question,
        seed=seed,
        values=values,
        prompt=fill(question.prompt, values),
        explanation=fill(question.explanation, values),
        hints=tuple(fill(h, values) for h in question.hints),
        answer=answer,
        wrong=wrong,
    )


def display_order(keys: list[str], seed: int | None, salt: str) -> list[str]:
    """A shuffled order of choice keys, stable for one attempt (same seed → same order)."""
    order = list(keys)
    random.Random(f"{salt}:order:{seed}").shuffle(order)
    return order
