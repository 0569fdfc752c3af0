"""Activation functions (活性化関数), their derivatives, and softmax.

Conventions (ゼロから作る Deep Learning, ``common/functions.py``):

* every function is element-wise on an array of any shape, except ``softmax``,
  which normalises over the last axis;
* the ``*_grad`` functions take the **pre-activation** ``x``, not the
  activation output (passing the output is the classic course bug: σ'(σ(u)));
* inputs are never modified.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "step_function",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "identity",
    "softmax",
]


def _as_float(x: ArrayLike) -> NDArray[np.floating]:
    """Return ``x`` as a floating array: float dtypes are kept, others become float64."""
    x = np.asarray(x)
    if np.issubdtype(x.dtype, np.floating):
        return x
    return x.astype(np.float64)


def step_function(x: ArrayLike) -> NDArray[np.int_]:
    """Step function (ステップ関数), as in DLFS.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the same shape, dtype int
        ::

            h(x) = 1  if x > 0
                   0  if x <= 0      (so h(0) = 0, as DLFS)
    """
    return np.array(np.asarray(x) > 0, dtype=int)


def sigmoid(x: ArrayLike) -> NDArray[np.floating]:
    """Numerically stable logistic sigmoid (シグモイド関数).

    Parameters
    ----------
    x : ndarray of any shape (0-d allowed)
        float32 input gives float32 output; other non-float input gives float64.

    Returns
    -------
    ndarray of the same shape as ``x``
        ::

            σ(x) = 1 / (1 + exp(-x))
                 = exp(x) / (1 + exp(x))     (same value, used for x < 0)

    Notes
    -----
    The DLFS one-liner ``1 / (1 + np.exp(-x))`` warns about overflow for
    x ≲ -710. Here exp is only ever taken of ``-|x| <= 0``, so it cannot
    overflow (オーバーフロー対策); for x = ±1000 the result is exactly 0 or 1.
    """
    x = _as_float(x)
    z = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x: ArrayLike) -> NDArray[np.floating]:
    """Derivative of the sigmoid, evaluated at the **pre-activation** ``x``.

    Parameters
    ----------
    x : ndarray of any shape
        The input u of the sigmoid, not its output σ(u).

    Returns
    -------
    ndarray of the same shape
        ::

            σ'(x) = σ(x) (1 - σ(x))      (maximum 0.25 at x = 0)

    If you already hold the output ``y = σ(u)``, the derivative is simply
    ``y * (1 - y)``; calling ``sigmoid_grad(y)`` would compute σ'(σ(u)).
    """
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x: ArrayLike) -> NDArray[np.floating]:
    """Hyperbolic tangent (双曲線正接関数).

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the same shape
        ::

            tanh(x) = (e^x - e^-x) / (e^x + e^-x) = 2σ(2x) - 1
    """
    return np.tanh(_as_float(x))


def tanh_grad(x: ArrayLike) -> NDArray[np.floating]:
    """Derivative of tanh, evaluated at the **pre-activation** ``x``.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the same shape
        ::

            tanh'(x) = 1 - tanh(x)^2     (maximum 1 at x = 0)

    With the output ``y = tanh(u)`` at hand, the derivative is ``1 - y**2``.
    """
    y = np.tanh(_as_float(x))
    return 1 - y * y


def relu(x: ArrayLike) -> NDArray:
    """Rectified linear unit (ReLU).

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the same shape and dtype
        ::

            relu(x) = max(0, x)
    """
    x = np.asarray(x)
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def relu_grad(x: ArrayLike) -> NDArray[np.floating]:
    """Derivative of ReLU at the pre-activation ``x`` (DLFS ``relu_grad``).

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ndarray of the same shape, float
        ::

            relu'(x) = 1  if x >= 0
                       0  if x < 0

    Notes
    -----
    The derivative does not exist at 0; DLFS's ``relu_grad`` uses 1 there,
    while its ``Relu`` layer (and :class:`reference.layers.Relu`) uses 0.
    Tests should avoid x == 0 or accept both.
    """
    x = _as_float(x)
    return (x >= 0).astype(x.dtype)


def leaky_relu(x: ArrayLike, alpha: float = 0.01) -> NDArray[np.floating]:
    """Leaky ReLU.

    Parameters
    ----------
    x : ndarray of any shape
    alpha : float, default 0.01
        Slope for negative inputs (frameworks use 0.01; the 東京海洋大学
        lecture, seed 003, uses 0.1 — pass it explicitly).

    Returns
    -------
    ndarray of the same shape
        ::

            f(x) = x          if x > 0
                   alpha * x  if x <= 0
    """
    x = _as_float(x)
    return np.where(x > 0, x, alpha * x)


def identity(x: ArrayLike) -> ArrayLike:
    """Identity function (恒等関数), the output activation for regression.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    ``x`` itself (no copy), as DLFS ``identity_function``.
    """
    return x


def softmax(x: ArrayLike) -> NDArray[np.floating]:
    """Softmax over the last axis (ソフトマックス関数), overflow-safe.

    Parameters
    ----------
    x : ndarray of shape (K,) or (..., K)
        Logits; the last axis holds the classes. Entries may be ``-inf``
        (masked classes).

    Returns
    -------
    ndarray of the same shape as ``x``
        Each slice along the last axis sums to 1::

            y_k = exp(x_k - m) / Σ_j exp(x_j - m),   m = max_j x_j

    Notes
    -----
    Subtracting the row maximum m does not change the result (it cancels
    between numerator and denominator) but keeps every exponent <= 0
    (オーバーフロー対策). The shift builds a new array, so the caller's ``x``
    is never modified (``x -= x.max()`` would). ``-inf`` entries get
    probability exactly 0; a slice that is entirely ``-inf`` has no defined
    softmax and gives NaN.
    """
    x = _as_float(x)
    m = np.max(x, axis=-1, keepdims=True)  # a new array: safe to edit
    m[~np.isfinite(m)] = 0  # an all -inf slice must not compute -inf - (-inf)
    e = np.exp(x - m)
    return e / np.sum(e, axis=-1, keepdims=True)
