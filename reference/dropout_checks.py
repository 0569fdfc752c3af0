"""Property checks of dropout layers' training mode over many seeded runs (forward mask and backward).

Split from :mod:`reference.augmentation`, which re-exports both checkers under their old names.
The backward check judges the mask from the forward output on the grader's own ``x`` (zeros, the
scaling and a dropped fraction near ``p``), never from a mask the layer reports.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reference._propcheck import FailureLog, describe, too_few

__all__ = ["check_dropout_mask", "check_dropout_backward"]


def check_dropout_mask(
    values: dict[str, Any],
    results: list[Any],
    *,
    inverted: bool = False,
    n_sigma: float = 6.0,
) -> list[str]:
    """Check training-mode dropout outputs over many seeded runs.

    Parameters
    ----------
    values : dict
        ``x`` : ndarray (any shape; use many non-zero elements, e.g.
        ``2 * np.ones((100, 100))``); ``dropout_ratio`` : float p, the
        probability of dropping a unit.
    results : list
        ``results[r]`` is the forward output (train mode) in run r.
    inverted : bool, default False
        False: kept units equal x (DLFS). True: kept units equal x / (1 - p).
    n_sigma : float, default 6.0
        Width of the binomial bound on the dropped fraction.

    Returns
    -------
    list of str
        Empty when every rule holds:

        1. each result is an ndarray of x's shape;
        2. each element is 0 or the kept value (x, or x / (1 - p) if
           inverted; rtol 1e-5);
        3. over all runs, among elements with x != 0, the dropped fraction f
           satisfies |f - p| <= n_sigma * sqrt(p (1 - p) / n);
        4. the mask is not identical in every run (checked only when that
           could not happen by chance, probability < 1e-9).
    """
    x = np.asarray(values["x"])
    p = float(values["dropout_ratio"])
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout_ratio must be in [0, 1), got {p}")
    kept = x / (1.0 - p) if inverted else x
    other = x if inverted else x / (1.0 - p)  # what the other convention would give
    observable = x != 0  # a zero input cannot show whether it was dropped

    short = too_few(results, 1)
    if short:
        return short
    log = FailureLog()
    masks: list[NDArray[np.bool_]] = []
    n_dropped = n_seen = 0
    for r, res in enumerate(results):
        if not isinstance(res, np.ndarray):
            log.add("type", f"run {r}: expected an ndarray of shape {x.shape}, got {describe(res)}")
            continue
        if res.shape != x.shape:
            log.add("shape", f"run {r}: output shape {res.shape}, expected the input's shape {x.shape}")
            continue
        try:
            is_zero = res == 0
            is_kept = np.isclose(res, kept, rtol=1e-5, atol=0)
            bad = ~(is_zero | is_kept)
        except Exception:
            log.add("values", f"run {r}: the output could not be compared with x ({describe(res)})")
            continue
        if bad.any():
            if p > 0 and np.all(np.isclose(res[bad], other[bad], rtol=1e-5, atol=0)):
                if inverted:
                    log.add("scale", f"run {r}: kept units equal x; inverted dropout must scale them "
                                     "by 1/(1 - dropout_ratio) during training")
                else:
                    log.add("scale", f"run {r}: kept units are scaled by 1/(1 - dropout_ratio); "
                                     "this question asks for non-inverted dropout (DLFS): out = x * mask")
            else:
                log.add("values", f"run {r}: {int(bad.sum())} of {bad.size} elements are neither 0 "
                                  f"(dropped) nor {'x / (1 - dropout_ratio)' if inverted else 'x'} (kept)")
            continue
        dropped = is_zero & observable
        n_dropped += int(dropped.sum())
        n_seen += int(observable.sum())
        masks.append(dropped[observable])

    messages = log.messages()
    if n_seen:
        frac = n_dropped / n_seen
        bound = n_sigma * math.sqrt(p * (1 - p) / n_seen)
        if abs(frac - p) > bound:
            msg = (f"dropped fraction {frac:.4f} over {n_seen} units, expected dropout_ratio = {p:g} "
                   f"(± {bound:.4f}); dropout_ratio is the probability of dropping a unit (消去確率): "
                   "keep a unit where np.random.rand(*x.shape) > dropout_ratio")
            if abs(frac - (1 - p)) <= bound and p != 0.5:
                msg += " — the mask keeps units with probability dropout_ratio instead"
            messages.append(msg)
    if len(masks) >= 2 and 0 < p < 1:
        same_by_chance = (p * p + (1 - p) ** 2) ** (masks[0].size * (len(masks) - 1))
        if same_by_chance < 1e-9 and all(np.array_equal(m, masks[0]) for m in masks[1:]):
            messages.append(f"the mask is identical in all {len(masks)} runs although each run is seeded "
                            "differently: draw a new random mask on every forward call "
                            "(do not call np.random.seed inside the layer)")
    return messages


def check_dropout_backward(values: dict[str, Any], results: list[Any], *, inverted: bool = False) -> list[str]:
    """Check that a dropout layer's backward pass reuses the mask of its forward pass.

    Parameters
    ----------
    values : dict
        ``x`` : ndarray with no zero elements; ``dout`` : ndarray of x's shape with no zeros;
        ``dropout_ratio`` : float p.
    results : list
        ``results[r]`` is the pair ``(out, dx)`` of run r: the training-mode forward output and
        the backward output for ``dout``.
    inverted : bool, default False
        Whether kept gradients are scaled by 1/(1 - p).

    Returns
    -------
    list of str
        Empty when, in every run, ``dx`` is 0 exactly where the forward output was 0 (dropped) and
        ``dout`` (or ``dout / (1 - p)`` when inverted) where the unit was kept::

            dx = dout * mask            (non-inverted)
            dx = dout * mask / (1 - p)  (inverted)
    """
    x = np.asarray(values["x"])
    dout = np.asarray(values["dout"])
    p = float(values["dropout_ratio"])
    scale = 1.0 / (1.0 - p) if inverted else 1.0
    short = too_few(results, 1)
    if short:
        return short
    # The mask is judged from the forward output on the parent's x (zeros and scaling, and a dropped
    # fraction near p), never from what the layer reports: a forward that keeps or drops everything
    # would make any backward look consistent.
    forward = [res[0] if isinstance(res, tuple) and len(res) == 2 else res for res in results]
    problems = check_dropout_mask({"x": x, "dropout_ratio": p}, forward, inverted=inverted)
    if problems:
        return [f"forward: {m}" for m in problems]
    log = FailureLog()
    for r, res in enumerate(results):
        if not (isinstance(res, tuple) and len(res) == 2 and all(isinstance(a, np.ndarray) for a in res)):
            log.add("type", f"run {r}: expected the forward output and the backward output, got {describe(res)}")
            continue
        out, dx = res
        if out.shape != x.shape or dx.shape != x.shape:
            log.add("shape", f"run {r}: forward {out.shape} and backward {dx.shape}, expected both {x.shape}")
            continue
        kept = out != 0
        expected = np.where(kept, dout * scale, 0.0)
        if not np.allclose(dx, expected, rtol=1e-5, atol=1e-12):
            if np.allclose(np.where(kept, dx, 0.0), np.where(kept, dout, 0.0), rtol=1e-5) and inverted:
                log.add("scale", f"run {r}: kept gradients equal dout; inverted dropout scales them by 1/(1 - dropout_ratio) in backward too")
            else:
                mismatched = int(((dx == 0) != ~kept).sum())
                log.add("mask", f"run {r}: the gradient is zero at {mismatched} places where the forward pass kept the unit or the reverse: "
                                "backward must reuse the forward mask (store it as self.mask; do not draw a new one)")
    return log.messages()
