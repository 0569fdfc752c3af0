"""Hidden and public test cases: concrete inputs built from a question's case specs and a seed.

The same seed always builds the same inputs, so an attempt can be regraded exactly; a new seed per
attempt gives new random inputs, which is what keeps hidden cases useful when the bank is public.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.bank.expression import author_value
from grader.bank.schema import (
    ArrayValue,
    Case,
    CodeBase,
    Compare,
    ExprValue,
    FuncValue,
    MappingValue,
    RandomValue,
    RefValue,
    SequenceValue,
)


class CaseSpecError(ValueError):
    """A case spec cannot be built (a bank error, reported with the question and case)."""


@dataclass(frozen=True)
class CaseInstance:
    """One concrete run of a case: what the harness executes and how the result is judged."""

    spec: Case
    index: int  # which repeat of the spec
    program: dict[str, Any]  # plain data sent to the harness (inputs only)
    compare: Compare

    @property
    def label(self) -> str:
        return self.spec.name if self.spec.repeat == 1 else f"{self.spec.name}#{self.index + 1}"

    @property
    def weight(self) -> float:
        return self.spec.weight / self.spec.repeat


def _rng(seed: int, name: str, index: int) -> np.random.Generator:
    return np.random.default_rng([seed & 0xFFFFFFFF, zlib.crc32(name.encode()), index])


def _dim(size: int | str, dims: dict[str, int]) -> int:
    if isinstance(size, int):
        return size
    value = author_value(size, dims)
    if not isinstance(value, int) or value < 0:
        raise CaseSpecError(f"shape entry {size!r} is not a non-negative integer")
    return value


def build_value(spec: Any, dims: dict[str, int], lets: dict[str, Any], rng: np.random.Generator) -> Any:
    """A value spec → plain data; ``{ref: x}`` becomes ``{"$ref": "x"}`` for the harness to bind."""
    if isinstance(spec, ArrayValue):
        return np.array(spec.array, dtype=spec.dtype)
    if isinstance(spec, RandomValue):
        shape = tuple(_dim(s, dims) for s in spec.shape)
        data: np.ndarray[Any, Any]
        if spec.random == "uniform":
            data = rng.uniform(spec.low, spec.high, size=shape)
        elif spec.random == "normal":
            data = rng.normal(0.0, spec.scale, size=shape)
        elif spec.random == "integers":
            data = rng.integers(int(spec.low), int(spec.high), size=shape, endpoint=True)
        else:
            data = rng.permutation(shape[0] if shape else 1)
        return np.asarray(data).astype(spec.dtype)
    if isinstance(spec, MappingValue):
        return {k: build_value(v, dims, lets, rng) for k, v in spec.mapping.items()}
    if isinstance(spec, SequenceValue):
        return [build_value(v, dims, lets, rng) for v in spec.sequence]
    if isinstance(spec, RefValue):
        if spec.ref not in lets:
            raise CaseSpecError(f"{{ref: {spec.ref}}} names nothing defined in `let` before it")
        return {"$ref": spec.ref}
    if isinstance(spec, FuncValue):
        return {"$func": spec.func}
    if isinstance(spec, ExprValue):
        return author_value(spec.expr, dims | _numbers(lets))
    return spec  # a plain number, string, bool or None


def _numbers(lets: dict[str, Any]) -> dict[str, int | float]:
    """The earlier lets an ``expr`` may use: the plain numbers (an array has no single value to compute with)."""
    out: dict[str, int | float] = {}
    for name, value in lets.items():
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = value
    return out


def _steps(question: CodeBase, case: Case, dims: dict[str, int], lets: dict[str, Any], rng: np.random.Generator) -> list[dict[str, Any]]:
    if case.args is not None:
        return [{
            "call": question.entry,
            "args": [build_value(a, dims, lets, rng) for a in case.args],
            "kwargs": {k: build_value(v, dims, lets, rng) for k, v in case.kwargs.items()},
            "check": True,
        }]  # fmt: skip
    steps = []
    bound = set(lets)
    for step in case.steps:
        out: dict[str, Any] = {"check": step.check}
        if step.get is not None:
            out["get"] = step.get
        else:
            out["call"] = step.call
            out["args"] = [build_value(a, dims, lets | {b: None for b in bound}, rng) for a in step.args]
            out["kwargs"] = {k: build_value(v, dims, lets | {b: None for b in bound}, rng) for k, v in step.kwargs.items()}
        if step.bind:
            out["bind"] = step.bind
            bound.add(step.bind)
        if step.seed is not None:
            out["seed"] = step.seed
        steps.append(out)
    return steps


def build_cases(question: CodeBase, seed: int) -> list[CaseInstance]:
    """Every case instance of ``question`` for ``seed`` (public cases first, as written)."""
    instances = []
    for case in question.cases:
        for index in range(case.repeat):
            rng = _rng(seed, case.name, index)
            try:
                dims = {name: (int(rng.integers(r[0], r[1], endpoint=True)) if isinstance(r, tuple) else r) for name, r in case.dims.items()}
                lets: dict[str, Any] = {}
                for name, spec in case.let.items():
                    value = build_value(spec, dims, lets, rng)
                    if isinstance(value, dict) and set(value) == {"$ref"}:
                        raise CaseSpecError("a `let` value cannot be a bare {ref: …}; use the earlier name directly")
                    lets[name] = value
                steps = _steps(question, case, dims, lets, rng)
            except (ArithmeticError, ValueError, TypeError, KeyError) as exc:
                raise CaseSpecError(f"{question.id}: case {case.name}: {exc}") from None
            program = {
                "name": case.name,
                "let": lets,
                "steps": steps,
                "modifies": list(case.modifies),
                "warnings_as_errors": case.warnings_as_errors,
                "runs": case.property.runs if case.property else 1,
                "seed": int(rng.integers(0, 2**31 - 1)),
            }
            instances.append(CaseInstance(case, index, program, case.compare or question.compare))
    return instances
