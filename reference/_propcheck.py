"""Shared bookkeeping for the property checkers of randomised code (private)."""

from __future__ import annotations

from typing import Any

import numpy as np


class FailureLog:
    """Collects failure messages, folding repeats of one kind across runs.

    The first message of each kind is kept verbatim; later ones only count,
    so a bug that shows in all 200 runs gives one line, not 200.
    """

    def __init__(self) -> None:
        self._first: dict[str, str] = {}
        self._count: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        """Record one failure of ``kind``."""
        if kind not in self._first:
            self._first[kind] = message
            self._count[kind] = 0
        self._count[kind] += 1

    def messages(self) -> list[str]:
        """One line per kind, in the order the kinds first appeared."""
        out = []
        for kind, message in self._first.items():
            others = self._count[kind] - 1
            if others:
                message += f" (same problem in {others} other run{'s' if others > 1 else ''})"
            out.append(message)
        return out


def describe(value: Any) -> str:
    """Short description of a learner's return value, never its full contents."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an ndarray of shape {value.shape} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


def too_few(results: Any, least: int) -> list[str]:
    """The failure of a check given fewer results than it needs (none at all proves nothing)."""
    if not isinstance(results, list) or len(results) < max(1, least):
        count = len(results) if isinstance(results, list) else 0
        return [f"only {count} result(s) came back, at least {max(1, least)} are needed: every run must return its result"]
    return []
