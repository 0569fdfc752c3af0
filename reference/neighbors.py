"""2-1-1 k近傍法 and 2-1-2 距離計算: distances (Euclidean, Manhattan, Lp, cosine, Mahalanobis) and the
k-nearest-neighbour classifier and regressor.

Conventions of :func:`knn_predict`: Euclidean distance; among equally distant training points the one
listed first wins (a stable sort); a tied vote goes to the smallest label (``np.argmax`` of the vote
counts, as scikit-learn's ``KNeighborsClassifier`` with uniform weights).

The functions of scalars at the end serve parameterised questions (3-D vectors a = (a1, a2, a3) and
b = (b1, b2, b3), 2-D points for the Mahalanobis distance).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "minkowski_distance",
    "cosine_distance",
    "mahalanobis_distance",
    "knn_predict",
    "knn_regress",
    "euclidean_3d",
    "manhattan_3d",
    "chebyshev_3d",
    "minkowski_3d",
    "cosine_distance_3d",
    "mahalanobis_2d",
    "knn_regress_1d_six",
]


def minkowski_distance(a: ArrayLike, b: ArrayLike, p: float = 2.0) -> float:
    """Lp (Minkowski) distance ``(Σ |a_i − b_i|^p)^(1/p)``.

    Parameters
    ----------
    a, b : ndarray of shape (D,)
    p : float, ≥ 1, or ``math.inf``
        1: Manhattan (マンハッタン距離), 2: Euclidean (ユークリッド距離), inf: Chebyshev (max |a_i − b_i|).
    """
    d = np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))
    if math.isinf(p):
        return float(d.max())
    return float(np.sum(d**p) ** (1.0 / p))


def cosine_distance(a: ArrayLike, b: ArrayLike) -> float:
    """Cosine distance (コサイン距離) ``1 − a·b / (‖a‖ ‖b‖)``, in [0, 2]; undefined for a zero vector."""
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    return float(1.0 - x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def mahalanobis_distance(x: ArrayLike, mean: ArrayLike, cov: ArrayLike) -> NDArray[np.float64] | float:
    """Mahalanobis distance (マハラノビス距離) ``sqrt((x − μ)ᵀ Σ⁻¹ (x − μ))``.

    Parameters
    ----------
    x : ndarray of shape (D,) or (N, D)
        One point, or N points (one per row).
    mean : ndarray of shape (D,)
        μ, the mean of the distribution.
    cov : ndarray of shape (D, D)
        Σ, a symmetric positive definite covariance matrix.

    Returns
    -------
    float for a (D,) point, ndarray of shape (N,) for (N, D) points.
        With Σ = I this is the Euclidean distance to μ.
    """
    pts = np.asarray(x, dtype=np.float64)
    diff = np.atleast_2d(pts) - np.asarray(mean, dtype=np.float64)
    solved = np.linalg.solve(np.asarray(cov, dtype=np.float64), diff.T).T  # Σ⁻¹ (x − μ) without forming Σ⁻¹
    dist = np.sqrt(np.maximum(np.sum(diff * solved, axis=1), 0.0))
    return float(dist[0]) if pts.ndim == 1 else dist


def _neighbours(X_train: NDArray[np.float64], X_test: NDArray[np.float64], k: int) -> NDArray[np.intp]:
    """Indices (M, k) of the k training points nearest to each test point, nearest first."""
    d2 = np.sum((X_test[:, None, :] - X_train[None, :, :]) ** 2, axis=2)
    return np.argsort(d2, axis=1, kind="stable")[:, :k]


def knn_predict(X_train: ArrayLike, y_train: ArrayLike, X_test: ArrayLike, k: int) -> NDArray[np.int64]:
    """k-nearest-neighbour classification (k近傍法) by majority vote.

    Parameters
    ----------
    X_train : ndarray of shape (N, D)
        Training points.
    y_train : ndarray of shape (N,), int
        Their labels (non-negative integers).
    X_test : ndarray of shape (M, D)
        Points to classify.
    k : int
        Number of neighbours, 1 ≤ k ≤ N (k = 1 is the nearest-neighbour rule, 最近傍法).

    Returns
    -------
    ndarray of shape (M,), int64
        The label most frequent among the k nearest training points (Euclidean distance); a tie
        goes to the smallest label.
    """
    Xtr = np.asarray(X_train, dtype=np.float64)
    Xte = np.asarray(X_test, dtype=np.float64)
    labels = np.asarray(y_train, dtype=np.int64)
    near = labels[_neighbours(Xtr, Xte, k)]
    n_labels = int(labels.max()) + 1
    votes = np.stack([np.bincount(row, minlength=n_labels) for row in near])
    winners: NDArray[np.int64] = np.argmax(votes, axis=1).astype(np.int64)
    return winners


def knn_regress(X_train: ArrayLike, y_train: ArrayLike, X_test: ArrayLike, k: int) -> NDArray[np.float64]:
    """k-nearest-neighbour regression: the mean target of the k nearest training points, shape (M,)."""
    Xtr = np.asarray(X_train, dtype=np.float64)
    Xte = np.asarray(X_test, dtype=np.float64)
    targets = np.asarray(y_train, dtype=np.float64)
    means: NDArray[np.float64] = targets[_neighbours(Xtr, Xte, k)].mean(axis=1)
    return means


# --------------------------------------------------------------------------- scalar forms


def euclidean_3d(a1: float, a2: float, a3: float, b1: float, b2: float, b3: float) -> float:
    """Euclidean distance of a = (a1, a2, a3) and b = (b1, b2, b3)."""
    return minkowski_distance([a1, a2, a3], [b1, b2, b3], 2.0)


def manhattan_3d(a1: float, a2: float, a3: float, b1: float, b2: float, b3: float) -> float:
    """Manhattan (L1) distance Σ |a_i − b_i|."""
    return minkowski_distance([a1, a2, a3], [b1, b2, b3], 1.0)


def chebyshev_3d(a1: float, a2: float, a3: float, b1: float, b2: float, b3: float) -> float:
    """Chebyshev (L∞) distance max |a_i − b_i|."""
    return minkowski_distance([a1, a2, a3], [b1, b2, b3], math.inf)


def minkowski_3d(a1: float, a2: float, a3: float, b1: float, b2: float, b3: float, p: float) -> float:
    """Lp distance of two 3-D vectors."""
    return minkowski_distance([a1, a2, a3], [b1, b2, b3], p)


def cosine_distance_3d(a1: float, a2: float, a3: float, b1: float, b2: float, b3: float) -> float:
    """Cosine distance 1 − cos θ of two 3-D vectors."""
    return cosine_distance([a1, a2, a3], [b1, b2, b3])


def mahalanobis_2d(x1: float, x2: float, m1: float, m2: float, s11: float, s12: float, s22: float) -> float:
    """Mahalanobis distance of x = (x1, x2) from μ = (m1, m2) under Σ = [[s11, s12], [s12, s22]]."""
    return float(mahalanobis_distance([x1, x2], [m1, m2], [[s11, s12], [s12, s22]]))


def knn_regress_1d_six(x1: float, x2: float, x3: float, x4: float, x5: float, x6: float,
                       y1: float, y2: float, y3: float, y4: float, y5: float, y6: float, q: float, k: int) -> float:
    """k-NN regression at the point q from six 1-D training points x1…x6 with targets y1…y6."""
    xs = [[x1], [x2], [x3], [x4], [x5], [x6]]
    return float(knn_regress(xs, [y1, y2, y3, y4, y5, y6], [[q]], int(k))[0])
