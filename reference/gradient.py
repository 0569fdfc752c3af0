"""Numerical differentiation (数値微分) by central differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

__all__ = ["numerical_diff", "numerical_gradient"]


def numerical_diff(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """Derivative of a scalar function by the central difference (中心差分).

    Parameters
    ----------
    f : callable, float -> float
    x : float
        Point at which to differentiate.
    h : float, default 1e-4
        Step. Much smaller steps lose digits to rounding (丸め誤差).

    Returns
    -------
    float
        ::

            f'(x) ≈ (f(x + h) - f(x - h)) / (2h)       error O(h^2)

        The forward difference (f(x + h) - f(x)) / h has error O(h).
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(
    f: Callable[[NDArray[np.floating]], float],
    x: NDArray[np.floating],
    h: float = 1e-4,
) -> NDArray[np.float64]:
    """Gradient of a scalar function of an array, by central differences.

    Parameters
    ----------
    f : callable
        Takes an array shaped like ``x`` and returns a scalar. It may ignore
        its argument and read ``x`` through a closure (DLFS's
        ``lambda W: net.loss(x_batch, t_batch)``), which works because ``x``
        is perturbed **in place**.
    x : ndarray of any shape (0-d allowed), floating dtype
        Perturbed element by element and restored bit-for-bit before
        returning. Must be a float array: ``x[i] += h`` on an integer array
        would truncate.
    h : float, default 1e-4

    Returns
    -------
    ndarray of shape x.shape, float64
        A new array (it never aliases ``x``)::

            grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)

    Raises
    ------
    TypeError
        If ``x`` is not a floating-point ndarray.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError("numerical_gradient needs a floating-point ndarray x "
                        "(it perturbs x in place; an integer array would truncate x + h)")
    grad = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(x.shape):
        original = x[idx].copy()  # a NumPy scalar: restoring it is exact
        x[idx] = original + h
        f_plus = f(x)
        x[idx] = original - h
        f_minus = f(x)
        x[idx] = original  # restore before the next element is touched
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
