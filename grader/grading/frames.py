"""Reading what the child sent back: every frame decoded under one budget, then checked against the plan.

The parent owns the plan. The child receives the cases, but nothing it says about them is believed:
the number of frames, each case's number of outputs (one per run of a property case, one per checked
step otherwise), the names of the final values and the in-place report must be exactly what the
parent asked for. A frame that is not so is *malformed*, which fails that case (never a pass, never
a grader fault). Names the child reports (exception and type names) are kept only when they name a
built-in type; a learner's own class name could carry anything.
"""

from __future__ import annotations

import builtins
from dataclasses import replace
from typing import Any

import numpy as np

from grader.bank.cases import CaseInstance
from grader.sandbox.wire import Budget, MalformedFrame, Unconvertible, decode

_STATUS_KINDS = {"ok", "undefined", "not_callable", "error"}
# What the harness calls values that are not plain data, besides built-in type names.
_CATEGORIES = {"deeply nested object", "array-like", "int"} | {f"array of dtype {k}" for k in "OSUVMmab"}


def builtin_name(name: Any, *, exception: bool = False) -> str | None:
    """``name`` when it names a built-in type (an exception type when ``exception``), else None."""
    if type(name) is not str or not name.isidentifier():
        return None
    obj = getattr(builtins, name, None)
    if not isinstance(obj, type) or (exception and not issubclass(obj, BaseException)):
        return None
    return name


def shown_unconvertible(value: Unconvertible) -> str:
    """The description of a non-plain value that may be shown: a built-in name or a harness category."""
    name = value.type_name
    return name if name in _CATEGORIES or builtin_name(name) else "object"


def decode_frames(frames: list[bytes]) -> list[Any]:
    """Every frame, decoded under one budget for the submission. Raises MalformedFrame."""
    budget = Budget()
    return [decode(f, budget) for f in frames]


def _error_ok(error: Any) -> bool:
    return (isinstance(error, dict) and type(error.get("type")) is str and type(error.get("message")) is str
            and type(error.get("traceback")) is list and all(type(n) is int for n in error["traceback"]))


def status_ok(frame: Any) -> bool:
    """Whether the first frame (the load report) has the harness's shape."""
    if not isinstance(frame, dict) or frame.get("status") not in _STATUS_KINDS:
        return False
    if frame["status"] == "error":
        return _error_ok(frame.get("error"))
    return frame["status"] != "not_callable" or type(frame.get("type")) is str


def _checked_steps(instance: CaseInstance) -> int:
    return sum(1 for s in instance.program["steps"] if s.get("check", True))


def case_ok(frame: Any, instance: CaseInstance) -> bool:
    """Whether a case frame has the harness's shape and holds exactly what the plan asked for."""
    if not isinstance(frame, dict) or type(frame.get("stdout")) is not str:
        return False
    if frame.get("status") == "error":
        return _error_ok(frame.get("error"))
    if frame.get("status") != "ok":
        return False
    outputs, finals, rebound = frame.get("outputs"), frame.get("finals"), frame.get("rebound")
    if type(outputs) is not list or type(finals) is not dict or type(rebound) is not list:
        return False
    program = instance.program
    steps = _checked_steps(instance)
    runs = program.get("runs", 1)
    if runs > 1:  # a property case: one result per run, a tuple of every checked step when there are several
        if len(outputs) != runs or finals or rebound:
            return False
        return steps == 1 or all(type(o) is tuple and len(o) == steps for o in outputs)
    if len(outputs) != steps or set(finals) != set(program["let"]):
        return False
    return all(type(n) is str and n in program["modifies"] for n in rebound)


def check_sizes(frames: list[Any], instances: list[CaseInstance]) -> None:
    """Raises MalformedFrame when the child sent more case frames than cases (fewer means it stopped)."""
    if len(frames) > len(instances) + 1:
        raise MalformedFrame("more results than cases")


def with_run_seeds(instances: list[CaseInstance]) -> list[CaseInstance]:
    """The plan's seed for every run of a property case. About one run in four repeats an earlier
    run's seed, at places drawn from the case's own seed (so a regrade reproduces them): code whose
    output follows the random state gives the same output there; a counter or a cycle does not."""
    planned = []
    for instance in instances:
        runs = int(instance.program.get("runs", 1))
        if instance.spec.property is None or runs < 2:
            planned.append(instance)
            continue
        rng = np.random.default_rng([int(instance.program.get("seed", 0)), runs])
        seeds = [int(instance.program.get("seed", 0)) + r for r in range(runs)]
        for j in rng.choice(np.arange(1, runs), size=min(runs - 1, max(2, runs // 4)), replace=False):
            seeds[int(j)] = seeds[int(rng.integers(0, j))]
        planned.append(replace(instance, program={**instance.program, "run_seeds": seeds}))
    return planned


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype
                and bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")))
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b) or (isinstance(a, float) and a != a and b != b)


def unrepeated_runs(outputs: list[Any], program: dict[str, Any]) -> int:
    """How many runs gave another output than an earlier run with the same seed."""
    first: dict[int, Any] = {}
    differ = 0
    for seed, output in zip(program.get("run_seeds", ()), outputs):
        if seed in first:
            differ += not _same(first[seed], output)
        else:
            first[seed] = output
    return differ
