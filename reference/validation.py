"""2-1-11 検証集合 and 2-1-10 機械学習の課題: k-fold splits, grid-search fit counts, the bias–variance
decomposition and the edge length of the curse of dimensionality.

k-fold convention (scikit-learn's ``KFold`` without shuffling): the samples 0 … n − 1 are cut, in
order, into k contiguous folds; the first ``n % k`` folds hold ``n // k + 1`` samples and the others
``n // k``. In round i fold i is the test (validation) set and the other folds, in increasing
order, are the training set.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "k_fold_indices",
    "fold_size",
    "fold_start",
    "train_size",
    "cv_fit_count",
    "bias_squared_of_four",
    "variance_of_four",
    "expected_squared_error_of_four",
    "hypercube_edge",
]


def k_fold_indices(n: int, k: int) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """The k rounds of k-fold cross-validation (k-分割交差検証) of n samples, without shuffling.

    Parameters
    ----------
    n : int
        Number of samples, indexed 0 … n − 1.
    k : int
        Number of folds, 2 ≤ k ≤ n.

    Returns
    -------
    list of k tuples ``(train_idx, test_idx)``
        int64 arrays in increasing order; the test sets are disjoint, cover 0 … n − 1, and the
        first ``n % k`` of them are one sample larger than the others.
    """
    if not 2 <= k <= n:
        raise ValueError("k-fold cross-validation needs 2 <= k <= n")
    sizes = np.full(k, n // k, dtype=np.int64)
    sizes[: n % k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    every = np.arange(n, dtype=np.int64)
    rounds = []
    for i in range(k):
        test = every[bounds[i]: bounds[i + 1]]
        train = np.concatenate([every[: bounds[i]], every[bounds[i + 1]:]])
        rounds.append((train, test))
    return rounds


def fold_size(n: int, k: int, i: int) -> int:
    """Size of fold i (0-based) of :func:`k_fold_indices`."""
    return n // k + (1 if i < n % k else 0)


def fold_start(n: int, k: int, i: int) -> int:
    """First sample index of fold i (0-based)."""
    return i * (n // k) + min(i, n % k)


def train_size(n: int, k: int, i: int) -> int:
    """Training-set size in round i: every sample not in fold i."""
    return n - fold_size(n, k, i)


def cv_fit_count(k: int, n_candidates: int, refit: int = 1) -> int:
    """Models trained by a grid search with k-fold cross-validation over ``n_candidates`` settings,
    plus ``refit`` final fits on all the data with the best setting (scikit-learn's ``refit=True``)."""
    return k * n_candidates + refit


def _mean4(a: float, b: float, c: float, d: float) -> float:
    return (a + b + c + d) / 4


def bias_squared_of_four(f: float, g1: float, g2: float, g3: float, g4: float) -> float:
    """Squared bias (E[ĝ] − f)² at one input, from four models' predictions g1…g4 (each trained on
    another training set) and the true value f."""
    return (_mean4(g1, g2, g3, g4) - f) ** 2


def variance_of_four(g1: float, g2: float, g3: float, g4: float) -> float:
    """Variance E[(ĝ − E[ĝ])²] of the four predictions (divided by 4, the population variance)."""
    m = _mean4(g1, g2, g3, g4)
    return _mean4((g1 - m) ** 2, (g2 - m) ** 2, (g3 - m) ** 2, (g4 - m) ** 2)


def expected_squared_error_of_four(f: float, g1: float, g2: float, g3: float, g4: float, noise: float) -> float:
    """Expected squared error against a noisy target y = f + ε (Var ε = noise): bias² + variance + noise."""
    return bias_squared_of_four(f, g1, g2, g3, g4) + variance_of_four(g1, g2, g3, g4) + noise


def hypercube_edge(fraction: float, d: int) -> float:
    """Edge length of the sub-cube that holds ``fraction`` of points uniform in the unit cube [0, 1]^d:
    fraction^(1/d) (ESL 2.5: capturing 10 % of the data in 10 dimensions needs 80 % of each axis)."""
    return float(fraction ** (1.0 / d))
