"""Linear regression by gradient descent (最急降下法) and its closed form (最小二乗法).

The model is ``u = X w`` (no separate bias: add a column of ones to ``X`` for
an intercept) and the loss is the mean squared error with the ½ of the
course::

    E(w) = 1/(2n) ‖X w - y‖²,     ∇E(w) = Xᵀ (X w - y) / n

Gradient descent from ``w = 0`` with a small enough step converges to the
least-squares solution ``np.linalg.lstsq(X, y)``; the normal equation
``w = (XᵀX)⁻¹ Xᵀ y`` is that solution in closed form, not a descent step
(seed 004 Q7 mixes the two and fits a sigmoid instead, E33).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["gradient_descent", "least_squares"]


def gradient_descent(X: NDArray, y: NDArray, max_iter: int, eta: float) -> NDArray[np.floating]:
    """Minimise 1/(2n) ‖X w - y‖² by ``max_iter`` steps of gradient descent from w = 0.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,) or (n, 1)
    max_iter : int
        Number of updates (every one is made: no early stop).
    eta : float
        Learning rate η.

    Returns
    -------
    w : ndarray of shape (d,) when y is (n,), (d, 1) when y is (n, 1)
        ::

            w <- 0
            repeat max_iter times:  w <- w - eta * Xᵀ (X w - y) / n

    Notes
    -----
    Neither ``X`` nor ``y`` is modified. Without the 1/n the step is n times
    larger and diverges for the usual η; with ``w`` of shape (d,) and ``y``
    of shape (n, 1), ``X @ w - y`` broadcasts to (n, n) — the shapes must
    agree.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    w = np.zeros((X.shape[1],) + y.shape[1:])
    for _ in range(max_iter):
        grad = X.T @ (X @ w - y) / n
        w = w - eta * grad
    return w


def least_squares(X: NDArray, y: NDArray) -> NDArray[np.floating]:
    """The least-squares solution (what gradient descent converges to).

    Parameters
    ----------
    X : ndarray of shape (n, d)
    y : ndarray of shape (n,) or (n, 1)

    Returns
    -------
    w : ndarray of shape (d,) or (d, 1)
        ``np.linalg.lstsq(X, y, rcond=None)[0]``; equals (XᵀX)⁻¹ Xᵀ y when
        XᵀX is invertible.
    """
    return np.linalg.lstsq(np.asarray(X, dtype=float), np.asarray(y, dtype=float), rcond=None)[0]
