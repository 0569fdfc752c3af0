"""Loss functions (誤差関数 / 損失関数).

Conventions (DLFS ``common/functions.py``):

* argument order is **(prediction, target)** = ``(y, t)``. The Rabbit
  Challenge course code uses ``(d, y)`` (teacher first); questions written in
  that style must show their signature.
* losses over a batch return the **mean over the batch** (N = number of
  samples, the first axis), as a 0-d NumPy float; a 1-D ``y`` is one sample.
* inputs are never modified.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "sum_squared_error",
    "mean_squared_error",
    "course_mean_squared_error",
    "cross_entropy_error",
    "binary_cross_entropy",
]


def _batch_size(y: NDArray) -> int:
    """Number of samples: 1 for a 0-d or 1-D prediction, else the first axis."""
    return 1 if y.ndim <= 1 else y.shape[0]


def sum_squared_error(y: ArrayLike, t: ArrayLike) -> np.floating:
    """Sum of squared errors with the ½ (二乗和誤差), exactly DLFS ``sum_squared_error``.

    Parameters
    ----------
    y : ndarray of shape (K,) or (N, K)
        Prediction.
    t : ndarray of the same shape as ``y``
        Target.

    Returns
    -------
    float
        ::

            E = 0.5 * Σ (y - t)^2        (summed over every element, no 1/N)

    The ½ cancels the 2 of the derivative: ∂E/∂y = y - t.
    """
    y = np.asarray(y)
    t = np.asarray(t)
    return 0.5 * np.sum((y - t) ** 2)


def mean_squared_error(y: ArrayLike, t: ArrayLike) -> np.floating:
    """Squared error with the ½, averaged over the batch (平均二乗誤差).

    Parameters
    ----------
    y : ndarray of shape (K,) or (N, K)
        Prediction; a 1-D ``y`` is one sample (N = 1).
    t : ndarray of the same shape as ``y``
        Target.

    Returns
    -------
    float
        ::

            E = 0.5 * Σ_n Σ_k (y_nk - t_nk)^2 / N
            ∂E/∂y = (y - t) / N

    Notes
    -----
    This is :func:`sum_squared_error` divided by the batch size N (samples,
    not elements). The Rabbit course's ``mean_squared_error`` is instead
    ``np.mean((d - y)**2) / 2`` (a mean over all N*K elements) while its
    derivative is ``(y - d) / N``; the two agree only when K = 1. Say which
    one a question means.
    """
    y = np.asarray(y)
    t = np.asarray(t)
    return 0.5 * np.sum((y - t) ** 2) / _batch_size(y)


def course_mean_squared_error(d: ArrayLike, y: ArrayLike) -> np.floating:
    """The Rabbit Challenge course's ``mean_squared_error(d, y)``: half the mean over **all elements**.

    Parameters
    ----------
    d : ndarray of any shape
        Target (teacher first, as the course writes it).
    y : ndarray of the same shape as ``d``
        Prediction.

    Returns
    -------
    float (0-d)
        ::

            E = mean((d - y)^2) / 2        (divided by N*K for a (N, K) batch)

    Notes
    -----
    The loss is symmetric in ``d`` and ``y``, so the argument order does not
    change its value. The course's derivative ``(y - d) / N`` is the gradient
    of Σ(y - d)² / (2N), not of this mean over N*K elements (they agree when
    K = 1): see :func:`mean_squared_error`.
    """
    d = np.asarray(d)
    y = np.asarray(y)
    return np.mean(np.square(d - y)) / 2


def cross_entropy_error(y: ArrayLike, t: ArrayLike, eps: float = 1e-7) -> np.floating:
    """Cross-entropy error (交差エントロピー誤差), DLFS conventions.

    Parameters
    ----------
    y : ndarray of shape (K,) or (N, K)
        Predicted probabilities (softmax output). **Prediction first.**
    t : ndarray
        Either one-hot, same shape as ``y``; or class indices of shape
        (N,) (a scalar index for a 1-D ``y``). As in DLFS, ``t`` is read as
        one-hot exactly when ``t.size == y.size`` and is then reduced to
        its ``argmax``.
    eps : float, default 1e-7
        Added inside the log so that y = 0 gives a large finite loss, not inf.

    Returns
    -------
    float (0-d)
        Mean over the batch::

            E = -(1/N) Σ_n log(y[n, t_n] + eps)
              = -(1/N) Σ_n Σ_k t_nk log(y_nk + eps)     (one-hot t)
    """
    y = np.asarray(y)
    t = np.asarray(t)
    if y.ndim == 1:  # one sample -> a batch of one
        y = y.reshape(1, -1)
        t = t.reshape(1, -1)
    if t.size == y.size:  # one-hot -> class index
        t = t.reshape(y.shape).argmax(axis=-1)
    t = t.reshape(-1).astype(np.intp, copy=False)
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + eps)) / n


def binary_cross_entropy(y: ArrayLike, t: ArrayLike, eps: float = 1e-7) -> np.floating:
    """Binary cross-entropy (2 値交差エントロピー), for a sigmoid output.

    Parameters
    ----------
    y : ndarray of shape (N,) or (N, K)
        Predicted probabilities in [0, 1] (sigmoid output); each element is
        one independent yes/no prediction. A 0-d ``y`` is one prediction.
    t : ndarray of the same shape as ``y``
        Targets in {0, 1} (soft targets in [0, 1] are allowed).
    eps : float, default 1e-7
        Added inside both logs, as DLFS2 does, so 0 and 1 stay finite.

    Returns
    -------
    float (0-d)
        Summed over the outputs of a sample, averaged over the batch::

            E = -(1/N) Σ_n Σ_k [ t log(y + eps) + (1 - t) log(1 - y + eps) ]

        For y of shape (N,) this is the mean over the N predictions.
    """
    y = np.asarray(y)
    t = np.asarray(t)
    n = y.shape[0] if y.ndim >= 1 else 1
    total = np.sum(t * np.log(y + eps) + (1 - t) * np.log(1 - y + eps))
    return -total / n
