"""Data augmentation (データ拡張) and property checkers for randomised answers.

Images are (H, W, C) arrays, as in the course 例題 (seed 000). Randomness
comes from the legacy global generator (``np.random.randint`` / ``rand`` /
``uniform``), so ``np.random.seed`` makes every function reproducible.

The ``check_*`` functions grade code whose output is random. Contract::

    check_xxx(values, results, **params) -> list[str]

``values`` are the case's inputs by name; ``results[r]`` is whatever the
learner's function returned in run r (each run seeded differently). A
result may be None or an array of any shape: it is checked, never trusted,
and a checker never raises because of it. The return value is a list of
English failure messages (empty = pass). Invalid ``values`` are a bank
error and raise ``ValueError``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import ArrayLike, NDArray

from reference._propcheck import FailureLog, describe, too_few

__all__ = [
    "random_crop",
    "horizontal_flip",
    "random_erasing",
    "mixup",
    "check_random_crop",
    "check_dropout_mask",
]


def random_crop(image: NDArray, crop_size: tuple[int, int]) -> NDArray:
    """Crop a random (crop_h, crop_w) window, every position equally likely.

    Parameters
    ----------
    image : ndarray of shape (H, W, C)
    crop_size : (crop_h, crop_w)
        H >= crop_h and W >= crop_w; crop_h == H is allowed.

    Returns
    -------
    ndarray of shape (crop_h, crop_w, C), same dtype (a copy)
        ::

            top  ~ U{0, ..., H - crop_h},  left ~ U{0, ..., W - crop_w}
            out  = image[top:top + crop_h, left:left + crop_w, :]

    Notes
    -----
    ``np.random.randint(low, high)`` draws from [low, high): ``high`` is
    **excluded**, hence the ``+ 1``. Without it the bottom/right-most crop
    is never chosen and crop_h == H raises ``ValueError: high <= 0``.
    """
    h, w = image.shape[:2]
    crop_h, crop_w = crop_size
    top = np.random.randint(0, h - crop_h + 1)  # high は含まれない
    left = np.random.randint(0, w - crop_w + 1)
    return image[top:top + crop_h, left:left + crop_w, ...].copy()


def horizontal_flip(image: NDArray) -> NDArray:
    """Mirror an image left-right (左右反転).

    Parameters
    ----------
    image : ndarray of shape (H, W, C) or (H, W)

    Returns
    -------
    ndarray of the same shape and dtype (a copy)
        ::

            out[i, j] = image[i, W - 1 - j]
    """
    return image[:, ::-1, ...].copy()


def random_erasing(
    image: NDArray,
    area_ratio: tuple[float, float] = (0.02, 0.4),
    aspect: tuple[float, float] = (0.3, 3.3),
    value: float | ArrayLike = 0,
    p: float = 0.5,
    max_attempts: int = 100,
) -> NDArray:
    """Random Erasing (Zhong et al., 2017): blank out a random rectangle.

    Parameters
    ----------
    image : ndarray of shape (H, W, C) or (H, W)
        Not modified.
    area_ratio : (s_l, s_h), default (0.02, 0.4)
        Range of the erased area as a fraction of H * W.
    aspect : (r_1, r_2), default (0.3, 3.3)
        Range of the height / width ratio of the rectangle.
    value : scalar or array broadcastable to (h_e, w_e, C), default 0
        Fill value.
    p : float, default 0.5
        Probability of erasing at all.
    max_attempts : int, default 100
        Rectangles that do not fit are redrawn this many times at most.

    Returns
    -------
    ndarray of the same shape and dtype (always a new array)
        With probability 1 - p (or if no rectangle fits) an unchanged copy;
        otherwise::

            S_e ~ U(s_l, s_h) * H * W,    r_e ~ U(r_1, r_2)
            h_e = round(sqrt(S_e * r_e)),  w_e = round(sqrt(S_e / r_e))
            top ~ U{0..H - h_e}, left ~ U{0..W - w_e}
            out[top:top + h_e, left:left + w_e] = value
    """
    out = image.copy()
    if np.random.rand() >= p:
        return out
    h, w = image.shape[:2]
    for _ in range(max_attempts):
        area = np.random.uniform(*area_ratio) * h * w
        ratio = np.random.uniform(*aspect)
        eh = int(round(math.sqrt(area * ratio)))
        ew = int(round(math.sqrt(area / ratio)))
        if 0 < eh <= h and 0 < ew <= w:
            top = np.random.randint(0, h - eh + 1)
            left = np.random.randint(0, w - ew + 1)
            out[top:top + eh, left:left + ew, ...] = value
            return out
    return out


def mixup(
    x1: NDArray[np.floating],
    t1: NDArray[np.floating],
    x2: NDArray[np.floating],
    t2: NDArray[np.floating],
    lam: float,
) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """Mixup (Zhang et al., 2018): blend two samples and their one-hot labels.

    Parameters
    ----------
    x1, x2 : ndarray of the same shape (e.g. (H, W, C) or (N, D))
    t1, t2 : ndarray of the same shape (one-hot or soft labels, (K,) or (N, K))
    lam : float in [0, 1]
        Mixing weight λ (usually drawn from Beta(α, α) by the caller).

    Returns
    -------
    x : ndarray shaped like x1
    t : ndarray shaped like t1
        ::

            x = λ x1 + (1 - λ) x2
            t = λ t1 + (1 - λ) t2
    """
    return lam * x1 + (1 - lam) * x2, lam * t1 + (1 - lam) * t2


# ------------------------------------------------------------ property checks


def check_random_crop(values: dict[str, Any], results: list[Any]) -> list[str]:
    """Check the outputs of a learner's ``random_crop`` over many seeded runs.

    Parameters
    ----------
    values : dict
        ``image`` : ndarray of shape (H, W, C) whose crop windows are pairwise
        distinct (e.g. ``np.arange(H*W*C).reshape(H, W, C)``), so that each
        crop identifies its offset; ``crop_size`` : (crop_h, crop_w).
    results : list
        ``results[r]`` is the learner's return value in run r.

    Returns
    -------
    list of str
        Empty when every rule holds:

        1. each result is an ndarray of shape (crop_h, crop_w, C);
        2. its dtype is the image's dtype;
        3. it equals ``image[top:top+crop_h, left:left+crop_w]`` for some
           offset (channels untouched);
        4. over all runs every top 0..H-crop_h and every left 0..W-crop_w
           occurs. A uniform offset misses one given value in R runs with
           probability (1 - 1/(H-crop_h+1))^R, so give enough runs (for 4
           offsets, 200 runs: 1e-25);
        5. when every offset occurs, each one's count among the runs whose crop
           names one offset is within 6 binomial deviations of uniform (a
           skewed choice fails; the grader also repeats some runs' seeds, so
           a counter or a cycle instead of np.random fails there).

    At least 2 results are needed: none proves nothing.

    Raises
    ------
    ValueError
        If ``values`` are inconsistent (crop larger than the image).
    """
    image = np.asarray(values["image"])
    crop_h, crop_w = (int(v) for v in values["crop_size"])
    h, w = image.shape[:2]
    if not (0 < crop_h <= h and 0 < crop_w <= w):
        raise ValueError(f"crop_size {(crop_h, crop_w)} does not fit the image {(h, w)}")
    expected_shape = (crop_h, crop_w) + image.shape[2:]
    # windows[top, left, ...channels..., i, j] = image[top + i, left + j, ...]
    windows = sliding_window_view(image, (crop_h, crop_w), axis=(0, 1))
    window_axes = tuple(range(2, windows.ndim))

    short = too_few(results, 2)
    if short:
        return short
    log = FailureLog()
    seen_tops: set[int] = set()
    unique_tops: list[int] = []
    unique_lefts: list[int] = []
    seen_lefts: set[int] = set()
    n_ok = 0
    for r, res in enumerate(results):
        if not isinstance(res, np.ndarray):
            log.add("type", f"run {r}: expected an ndarray of shape {expected_shape}, got {describe(res)}")
            continue
        if res.shape != expected_shape:
            log.add("shape", f"run {r}: the crop has shape {res.shape}, expected {expected_shape} "
                             "= (crop_h, crop_w, C); slice rows and columns, keep all channels: "
                             "image[top:bottom, left:right, :]")
            continue
        if res.dtype != image.dtype:
            log.add("dtype", f"run {r}: dtype {res.dtype}, expected the image's dtype {image.dtype}")
        try:
            target = np.moveaxis(res, (0, 1), (-2, -1))
            match = np.all(windows == target, axis=window_axes)
        except Exception:  # exotic dtypes: treat as "not a crop"
            match = np.zeros(windows.shape[:2], dtype=bool)
        hits = np.argwhere(match)
        if len(hits) == 0:
            log.add("content", f"run {r}: the result is not a window image[top:top+{crop_h}, "
                               f"left:left+{crop_w}] of the input for any offset (切り出し位置)")
            continue
        n_ok += 1
        if len(hits) == 1:  # an offset told apart from every other: counted for the spread check
            unique_tops.append(int(hits[0, 0]))
            unique_lefts.append(int(hits[0, 1]))
        seen_tops.update(int(t) for t in hits[:, 0])
        seen_lefts.update(int(v) for v in hits[:, 1])

    messages = log.messages()
    if n_ok:
        axes = (("top", h - crop_h, seen_tops, "h - crop_h"), ("left", w - crop_w, seen_lefts, "w - crop_w"))
        for name, last, seen, span in axes:
            missing = sorted(set(range(last + 1)) - seen)
            if last in missing:
                messages.append(
                    f"{name} offset {last} (= {span}, the last possible position) never occurred in "
                    f"{n_ok} runs: np.random.randint(low, high) excludes high, so draw the offset with "
                    f"np.random.randint(0, {span} + 1)")
                missing.remove(last)
            if missing:
                messages.append(
                    f"{name} offsets {missing} never occurred in {n_ok} runs: every offset "
                    f"0..{last} must be possible, chosen uniformly at random")
        for name, last, picks, seen in (("top", h - crop_h, unique_tops, seen_tops), ("left", w - crop_w, unique_lefts, seen_lefts)):
            uneven = _uneven(picks, last + 1) if len(seen) == last + 1 else None  # a missing offset is told above
            if uneven is not None:
                messages.append(f"{name} offset {uneven} occurred far more or less often than 1/{last + 1} of the runs: "
                                "draw every offset uniformly, np.random.randint(0, h - crop_h + 1)")
    return messages


def _uneven(picks: list[int], k: int, n_sigma: float = 6.0) -> int | None:
    """An offset whose count in ``picks`` is beyond ``n_sigma`` binomial deviations of uniform over ``k``."""
    n = len(picks)
    if k < 2 or n < 4 * k:
        return None
    counts = np.bincount(np.asarray(picks), minlength=k)
    mean, spread = n / k, n_sigma * math.sqrt(n * (1 / k) * (1 - 1 / k)) + 1
    worst = int(np.argmax(np.abs(counts - mean)))
    return worst if abs(counts[worst] - mean) > spread else None


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
