"""2-1-4 … 2-1-9 (optional in the syllabus; ridge also serves 2-1-10 正則化): least squares, ridge and correlation, odds and logits, the SVM
margin, Gini impurity, PCA's explained variance ratio (寄与率) and one step of k-means.

:func:`kmeans_step` has the signature of the code question; the functions of scalars serve
parameterised questions.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "least_squares_slope_of_four",
    "correlation_of_four",
    "ridge_slope_of_four",
    "odds",
    "logit",
    "odds_ratio",
    "svm_margin_2d",
    "gini_impurity",
    "gini_split_decrease",
    "pca_ratio_2x2",
    "kmeans_step",
    "kmeans_update_1d",
]


def _stats4(x: tuple[float, ...], y: tuple[float, ...]) -> tuple[float, float, float]:
    """(Sxy, Sxx, Syy): sums of centred products of four points."""
    xa, ya = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    dx, dy = xa - xa.mean(), ya - ya.mean()
    return float(dx @ dy), float(dx @ dx), float(dy @ dy)


def least_squares_slope_of_four(x1: float, x2: float, x3: float, x4: float, y1: float, y2: float, y3: float, y4: float) -> float:
    """Slope of the least-squares line y = a x + b through four points: Sxy / Sxx."""
    sxy, sxx, _ = _stats4((x1, x2, x3, x4), (y1, y2, y3, y4))
    return sxy / sxx


def correlation_of_four(x1: float, x2: float, x3: float, x4: float, y1: float, y2: float, y3: float, y4: float) -> float:
    """Pearson correlation coefficient (相関係数) r = Sxy / sqrt(Sxx Syy) of four points."""
    sxy, sxx, syy = _stats4((x1, x2, x3, x4), (y1, y2, y3, y4))
    return sxy / math.sqrt(sxx * syy)


def ridge_slope_of_four(x1: float, x2: float, x3: float, x4: float, y1: float, y2: float, y3: float, y4: float, lam: float) -> float:
    """Ridge estimate of w in y = w x (no intercept) minimising Σ (y_i − w x_i)² + λ w²: Σ x y / (Σ x² + λ)."""
    x = np.array([x1, x2, x3, x4], dtype=np.float64)
    y = np.array([y1, y2, y3, y4], dtype=np.float64)
    return float(x @ y / (x @ x + lam))


def odds(p: float) -> float:
    """Odds (オッズ) p / (1 − p) of a probability 0 < p < 1."""
    return p / (1 - p)


def logit(p: float) -> float:
    """Logit (ロジット), the log-odds log(p / (1 − p)) with the natural logarithm; the inverse of the sigmoid."""
    return math.log(p / (1 - p))


def odds_ratio(coef: float, delta: float = 1.0) -> float:
    """Odds ratio (オッズ比) of a logistic regression when the feature with coefficient ``coef`` grows by ``delta``: exp(coef·delta)."""
    return math.exp(coef * delta)


def svm_margin_2d(w1: float, w2: float) -> float:
    """Width 2 / ‖w‖ of the margin of a canonical hyperplane w·x + b = 0 (support vectors at w·x + b = ±1)."""
    return 2.0 / math.hypot(w1, w2)


def gini_impurity(counts: ArrayLike) -> float:
    """Gini impurity (Gini係数 in the syllabus) 1 − Σ_c p_c² of a node with class counts ``counts``."""
    c = np.asarray(counts, dtype=np.float64)
    p = c / c.sum()
    return float(1.0 - np.sum(p**2))


def gini_split_decrease(l0: int, l1: int, r0: int, r1: int) -> float:
    """Decrease of Gini impurity when a two-class node splits into a left child with class counts
    (l0, l1) and a right child (r0, r1): I(parent) − (n_L/n) I(left) − (n_R/n) I(right) (CART)."""
    n_left, n_right = l0 + l1, r0 + r1
    n = n_left + n_right
    parent = gini_impurity([l0 + r0, l1 + r1])
    return parent - n_left / n * gini_impurity([l0, l1]) - n_right / n * gini_impurity([r0, r1])


def pca_ratio_2x2(s11: float, s12: float, s22: float) -> float:
    """寄与率 of the first principal component for the covariance matrix [[s11, s12], [s12, s22]]:
    λ1 / (λ1 + λ2), λ1,2 = (s11 + s22)/2 ± sqrt(((s11 − s22)/2)² + s12²)."""
    half_trace = (s11 + s22) / 2
    radius = math.hypot((s11 - s22) / 2, s12)
    return (half_trace + radius) / (s11 + s22)


def kmeans_step(X: ArrayLike, centroids: ArrayLike) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """One iteration of k-means (Lloyd's algorithm): assignment, then update.

    Parameters
    ----------
    X : ndarray of shape (N, D)
        Data points.
    centroids : ndarray of shape (K, D)
        Current cluster centres (not modified).

    Returns
    -------
    labels : ndarray of shape (N,), int64
        Index of the nearest centre of each point (squared Euclidean distance; a tie goes to the
        lower index).
    new_centroids : ndarray of shape (K, D), float64
        The mean of the points assigned to each centre; a centre with no point keeps its position.
    """
    data = np.asarray(X, dtype=np.float64)
    old = np.asarray(centroids, dtype=np.float64)
    d2 = np.sum((data[:, None, :] - old[None, :, :]) ** 2, axis=2)
    labels = np.argmin(d2, axis=1).astype(np.int64)
    new = old.copy()
    for j in range(old.shape[0]):
        members = data[labels == j]
        if len(members):
            new[j] = members.mean(axis=0)
    return labels, new


def kmeans_update_1d(x1: float, x2: float, x3: float, x4: float, x5: float, x6: float, c1: float, c2: float) -> float:
    """After one k-means step on six 1-D points with centres c1 < c2, the new position of the first centre."""
    _, new = kmeans_step([[x1], [x2], [x3], [x4], [x5], [x6]], [[c1], [c2]])
    return float(new[0, 0])
