"""Exports of the bank for other tools: JSON with parameters resolved (here), and an Anki package
(:mod:`grader.instructor.anki`).

JSON (:func:`bank_json`): every question's fields as validated, plus for parameterised or computed
questions the prompt, 解説, hints and answer resolved for one seed.
"""

from __future__ import annotations

from typing import Any

from grader.bank.loader import Bank
from grader.bank.params import ParameterError, attempt
from grader.bank.schema import ComputedAnswer, Question

JSON_FORMAT = "eshikaku-bank/1"



def _has_computed(question: Question) -> bool:
    answers = [getattr(question, "answer", None), *(p.answer for p in getattr(question, "parts", ()))]
    return any(isinstance(a, ComputedAnswer) or (isinstance(a, list) and any(isinstance(x, ComputedAnswer) for x in a)) for a in answers)


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def question_json(bank: Bank, question: Question, seed: int) -> tuple[dict[str, Any], str | None]:
    """A question's fields, where it lives, and (parameterised or computed) its version for ``seed``;
    the second item is the bank error met while resolving it, if any."""
    data = type(question).model_validate(question.model_dump()).model_dump(mode="json")  # every field, defaults included
    path = bank.paths.get(question.id)
    root = next((r for r in bank.roots if path is not None and path.is_relative_to(r)), None)
    data["path"] = str(path.relative_to(root)) if path is not None and root is not None else (str(path) if path else None)
    data["resolved"] = None
    if question.parameters is None and not _has_computed(question):
        return data, None
    try:
        current = attempt(question, seed)
    except (ParameterError, ArithmeticError, ValueError, TypeError) as exc:
        data["resolved"] = {"seed": seed, "error": str(exc)}
        return data, f"{question.id}: {exc}"
    data["resolved"] = {
        "seed": current.seed,
        "values": _plain(current.values),
        "prompt": current.prompt,
        "explanation": current.explanation,
        "hints": list(current.hints),
        "answer": _plain(current.answer),
    }
    return data, None


def bank_json(bank: Bank, questions: list[Question], seed: int) -> tuple[dict[str, Any], list[str]]:
    """The whole export document, and the bank errors met while resolving parameters."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        eshikaku_version = version("eshikaku")
    except PackageNotFoundError:  # pragma: no cover
        eshikaku_version = "unknown"
    items, problems = [], []
    for q in questions:
        data, problem = question_json(bank, q, seed)
        items.append(data)
        if problem:
            problems.append(problem)
    document = {"format": JSON_FORMAT, "eshikaku_version": eshikaku_version, "seed": seed, "count": len(items), "questions": items}
    return document, problems
