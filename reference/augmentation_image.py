"""Image data augmentation by noise injection (ノイズ付与, syllabus 3-7-1), and the property check of
a learner's noisy output over many seeded runs.

Adding independent Gaussian noise to every input value is the simplest augmentation by noise; for a
squared error it acts like a penalty on the size of the weights (Bishop, 1995, "Training with noise
is equivalent to Tikhonov regularization"; Goodfellow et al., Deep Learning, 7.5).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from reference._propcheck import FailureLog, describe, too_few

__all__ = ["add_gaussian_noise", "check_gaussian_noise"]


def add_gaussian_noise(x: NDArray[np.floating], sigma: float) -> NDArray[np.float64]:
    """Add independent zero-mean Gaussian noise of standard deviation ``sigma`` to every element.

    Parameters
    ----------
    x : ndarray of any shape
        The input (an image, a batch of images, …). Not modified.
    sigma : float
        Standard deviation of the noise (not its variance), ``sigma >= 0``.

    Returns
    -------
    ndarray of x's shape, float64
        ``x + ε`` with every ``ε`` drawn from N(0, sigma²) independently, by
        ``np.random.normal`` (so ``np.random.seed`` reproduces it).
    """
    x = np.asarray(x, dtype=float)
    return x + np.random.normal(0.0, sigma, size=x.shape)


def check_gaussian_noise(values: dict[str, Any], results: list[Any], *, n_sigma: float = 6.0) -> list[str]:
    """Check a learner's ``add_gaussian_noise`` over many seeded runs.

    Parameters
    ----------
    values : dict
        ``x`` : ndarray (use many elements, e.g. 8×8×3); ``sigma`` : float > 0.
    results : list
        ``results[r]`` is the learner's return value in run r.
    n_sigma : float, default 6.0
        Width of the bounds on the pooled mean and standard deviation, in standard errors.

    Returns
    -------
    list of str
        Messages for the learner (Japanese), empty when every rule holds:

        1. each result is a float ndarray of x's shape;
        2. within each run the noise ``result - x`` is not the same number for every element
           (one draw per element, not one per image);
        3. pooled over all runs and elements (n values), the noise has mean within
           ``n_sigma * sigma / sqrt(n)`` of 0 and standard deviation within
           ``n_sigma * sigma / sqrt(2 n)`` of ``sigma`` (the standard error of a sample
           standard deviation of a Gaussian);
        4. the noise is not identical in every run.
    """
    x = np.asarray(values["x"], dtype=float)
    sigma = float(values["sigma"])
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    short = too_few(results, 2)
    if short:
        return short
    log = FailureLog()
    noises: list[NDArray[np.float64]] = []
    for r, res in enumerate(results):
        if not isinstance(res, np.ndarray) or res.shape != x.shape:
            log.add("shape", f"run {r}: 入力 x と同じ形 {x.shape} の配列を返す (返り値は {describe(res)})")
            continue
        if not np.issubdtype(res.dtype, np.floating):
            log.add("dtype", f"run {r}: 返り値の dtype が {res.dtype}: ノイズを加えた値は浮動小数点数の配列にする")
            continue
        noise = res - x
        if x.size > 1 and np.ptp(noise) <= 1e-9 * (1.0 + float(np.abs(res).max())):  # one draw for all (up to rounding)
            log.add("constant", f"run {r}: 全要素に同じ値のノイズが加わっている: np.random.normal に size=x.shape を渡し、"
                                "要素ごとに独立な乱数を引く")
            continue
        noises.append(noise)
    messages = log.messages()
    if not noises:
        return messages
    pooled = np.concatenate([n.ravel() for n in noises])
    n = pooled.size
    mean, std = float(pooled.mean()), float(pooled.std())
    if abs(mean) > n_sigma * sigma / np.sqrt(n):
        messages.append(f"ノイズの平均が {mean:.3g} で 0 から離れている: 平均 0 の正規分布 N(0, σ²) から引く")
    if abs(std - sigma) > n_sigma * sigma / np.sqrt(2 * n):
        hint = " (σ² を標準偏差として渡していないか)" if abs(std - sigma ** 2) < abs(std - sigma) else ""
        messages.append(f"ノイズの標準偏差が {std:.3g} で、指定の σ = {sigma:g} と違う{hint}: "
                        "np.random.normal の 2 番目の引数は標準偏差")
    if len(noises) > 1 and all(np.array_equal(noises[0], other) for other in noises[1:]):
        messages.append("どの実行でも同じノイズになっている: 関数の中で乱数のシードを固定しない")
    return messages
