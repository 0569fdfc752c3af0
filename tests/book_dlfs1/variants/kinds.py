"""What a learner's submission written for the purpose is, and what its feedback must say.

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
