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
from reference.dropout_checks import check_dropout_backward, check_dropout_mask  # questions name them through this module

__all__ = [
    "random_crop",
    "horizontal_flip",
    "random_erasing",
    "mixup",
    "check_random_crop",
    "check_dropout_mask",
    "check_dropout_backward",
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
