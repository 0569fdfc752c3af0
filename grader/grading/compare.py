"""Comparing a learner's plain results with the reference's, in a fixed order with one message per check.

Order: returned type → shape → dtype kind → finite → values (rtol/atol from the question). Inputs
never appear in a message, so hidden cases stay hidden. Everything compared here is plain data
decoded from the sandbox (ndarrays of numeric dtypes, numbers, lists, tuples, dicts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.bank.schema import Compare
from grader.grading.frames import shown_unconvertible
from grader.i18n import _
from grader.sandbox.wire import Unconvertible

# Translated where they are used (``_(MESSAGES[key])``).
MESSAGES = {
    "none": "{what}が None です: `return` を書き忘れていませんか?",
    "unconvertible": "{what}が {got} で、数値や配列ではありません",
    "type": "{what}が {got} です。期待されるのは {expected} です",
    "length": "{what}の要素数が {got} です。期待されるのは {expected} です",
    "keys": "{what}のキーが {got} です。期待されるのは {expected} です",
    "shape": "{what}: 形状が {got} です。期待されるのは {expected} です",
    "dtype": "{what}: dtype が {got} です。期待されるのは {expected} です",
    "nonfinite": "{what}が、期待される値が有限の {size} 箇所のうち {count} 箇所で NaN か inf です",
    "values": "{what}: {size} 箇所のうち {count} 箇所で値が違います (最大の誤差 {error:.3g})",
    "hidden_values": "{what}: {size} 箇所のうち {count} 箇所で値が違います",
    "scalar": "{what}: {got:.6g} が返されました。期待されるのは {expected:.6g} です",
    "not_none": "{what}は None であるべきです (関数は引数をその場で更新します) が、{got} が返されました",
    "differs": "{what}が期待される値と違います",
}


KINDS = {"none": "type", "unconvertible": "type", "type": "type", "length": "type", "keys": "type", "not_none": "type",
         "shape": "shape", "dtype": "dtype", "nonfinite": "nonfinite", "values": "value", "hidden_values": "value",
         "scalar": "value", "differs": "value"}


@dataclass(frozen=True)
class Problem:
    """Why a case failed: the kind of failure (which diagnosis applies) and the message shown."""

    kind: str  # one of grader.bank.schema.FAILURE_KINDS
    message: str

    def __str__(self) -> str:
        return self.message


def _problem(key: str, **fields: Any) -> Problem:
    return Problem(KINDS[key], _(MESSAGES[key]).format(**fields))


def _type_name(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return "ndarray" if value.ndim else _("数値")
    if isinstance(value, Unconvertible):
        return shown_unconvertible(value)
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float, complex)):
        return _("数値")
    return type(value).__name__


def _numeric(value: Any) -> bool:
    return isinstance(value, np.ndarray) or (isinstance(value, (int, float, complex)) and not isinstance(value, bool))


def _small_shape(shape: tuple[int, ...]) -> bool:
    return len(shape) <= 4 and all(d <= 64 for d in shape)


def compare(got: Any, expected: Any, rule: Compare, what: str = "", *, reveal: bool = True) -> Problem | None:
    """Returns None when ``got`` matches ``expected``, else the first failing check.

    With ``reveal=False`` (hidden cases) a message never quotes what the learner's code produced
    beyond a small shape or a dtype, so that code cannot smuggle hidden inputs out through it.
    """
    what = what or _("結果")
    if isinstance(got, Unconvertible):
        kind = shown_unconvertible(got) if reveal else _("別の値")
        return _problem("unconvertible", what=what, got=kind)
    if expected is None:
        return None if got is None else _problem("not_none", what=what, got=_type_name(got) if reveal else _("値"))
    if got is None:
        return _problem("none", what=what)
    if _numeric(expected):
        if not _numeric(got):
            kind = _type_name(got) if reveal else _("数値でない値")
            return _problem("type", what=what, got=kind, expected=_("NumPy 配列") if isinstance(expected, np.ndarray) and expected.ndim else _("数値"))
        return _compare_arrays(np.asarray(got), np.asarray(expected), rule, what, reveal)
    if isinstance(expected, (list, tuple)):
        if type(got) is not type(expected):
            return _problem("type", what=what, got=_type_name(got) if reveal else _("別の型の値"), expected=type(expected).__name__)
        if len(got) != len(expected):
            return _problem("length", what=what, got=len(got) if reveal else _("別の数"), expected=len(expected))
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, e, rule, f"{what}[{i}]", reveal=reveal)
            if problem:
                return problem
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return _problem("type", what=what, got=_type_name(got) if reveal else _("別の型の値"), expected="dict")
        if set(got) != set(expected):
            return _problem("keys", what=what, got=sorted(got) if reveal else _("別のキー"), expected=sorted(expected))
        for key in expected:
            problem = compare(got[key], expected[key], rule, f"{what}[{key!r}]", reveal=reveal)
            if problem:
                return problem
        return None
    if type(got) is not type(expected) or got != expected:
        if not reveal:
            return _problem("differs", what=what)
        return _problem("type", what=what, got=repr(got)[:40], expected=repr(expected)[:40])
    return None


def _compare_arrays(got: np.ndarray, expected: np.ndarray, rule: Compare, what: str, reveal: bool = True) -> Problem | None:
    if got.shape != expected.shape:  # exact: no broadcasting
        shown = got.shape if reveal or _small_shape(got.shape) else _("別の形状")
        return _problem("shape", what=what, got=shown, expected=expected.shape)
    if rule.dtype == "exact" and got.dtype != expected.dtype:
        return _problem("dtype", what=what, got=got.dtype, expected=expected.dtype)
    if rule.dtype == "kind":
        float_like = {"f", "c"}
        if (got.dtype.kind in float_like) != (expected.dtype.kind in float_like) and expected.dtype.kind != "b":
            return _problem("dtype", what=what, got=got.dtype, expected=f"{expected.dtype} "
                f"({_('浮動小数点') if expected.dtype.kind in float_like else _('整数')})")
    if got.dtype.kind == "c" and expected.dtype.kind != "c":
        return _problem("dtype", what=what, got=got.dtype, expected=expected.dtype)
    if got.dtype == expected.dtype and np.array_equal(got, expected):  # the usual right answer: no tolerance needed
        return None
    g = got.astype(np.complex128 if expected.dtype.kind == "c" else np.float64)
    e = expected.astype(g.dtype)
    finite_e = np.isfinite(e)
    bad_finite = ~np.isfinite(g) & finite_e
    if bad_finite.any():
        return _problem("nonfinite", what=what, count=int(bad_finite.sum()), size=g.size)
    same_special = ~finite_e & ((g == e) | (np.isnan(g) & np.isnan(e)))
    with np.errstate(invalid="ignore", over="ignore"):  # np.isclose's rule, without its per-call overhead
        close = (finite_e & (np.abs(g - e) <= rule.atol + rule.rtol * np.abs(e))) | same_special
    if close.all():
        return None
    if g.size == 1 and reveal:
        return _problem("scalar", what=what, got=float(np.real(g.reshape(-1)[0])), expected=float(np.real(e.reshape(-1)[0])))
    if not reveal:  # the size of the error is a number the learner's code chose
        return _problem("hidden_values", what=what, count=int((~close).sum()), size=g.size)
    error = np.abs(g - e)[~close]
    finite = error[np.isfinite(error)]  # NaN where inf was expected has no size of error: report the others
    largest = float(finite.max()) if finite.size else float("inf")
    return _problem("values", what=what, count=int((~close).sum()), size=g.size, error=largest)


def unchanged(final: Any, initial: Any) -> bool:
    """Whether an input is bit-for-bit what it was (for the must-not-modify check)."""
    if isinstance(initial, np.ndarray):
        same_kind = isinstance(final, np.ndarray) and final.shape == initial.shape and final.dtype == initial.dtype
        return same_kind and np.array_equal(final, initial, equal_nan=True)
    if isinstance(initial, dict):
        return isinstance(final, dict) and set(final) == set(initial) and all(unchanged(final[k], initial[k]) for k in initial)
    if isinstance(initial, (list, tuple)):
        return type(final) is type(initial) and len(final) == len(initial) and all(unchanged(f, i) for f, i in zip(final, initial))
    return bool(final == initial)
