"""Learners' submissions written for the purpose: buggy ones, and ones right in another published convention.

Each is a whole submission as a learner would write it (not the misconception's own code), with what the
feedback must say about it: the misconception it behaves like and/or fragments of the feedback text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    question: str
    name: str
    source: str
    misconception: str | None = None  # the misconception the feedback names (None: a convention variant that passes)
    named_by: tuple[str, ...] = ()  # fragments the feedback text must contain


BUGGY: list[Variant] = [
    Variant("step_function", "ge_zero", """\
import numpy as np

def step_function(x):
    y = x >= 0
    return y.astype(np.int64)
""", "ge_zero"),
    Variant("step_function", "scalar_if", """\
def step_function(x):
    if x > 0:
        return 1
    return 0
""", "scalar_if"),
]

CONVENTIONS: list[Variant] = [
    Variant("step_function", "where_float", """\
import numpy as np

def step_function(x):
    return np.where(x > 0, 1.0, 0.0)
"""),
]
