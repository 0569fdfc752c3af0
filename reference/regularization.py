"""Weight regularisation (正則化): L2 (ridge, 荷重減衰) and L1 (lasso).

``ridge`` and ``lasso`` follow the course 例題 (seed 000): they add the
penalty gradient to ``grad`` **in place** and return None. Writing
``grad = grad + ...`` inside such a function only rebinds a local name and
has no effect on the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

__all__ = ["ridge", "lasso", "weight_decay_loss", "sgd_weight_decay_step"]


def ridge(param: NDArray[np.floating], grad: NDArray[np.floating], rate: float) -> None:
    """Add the L2 (ridge) penalty gradient to ``grad`` in place.

    Parameters
    ----------
    param : ndarray of any shape
        Not modified.
    grad : ndarray of the same shape, float
        Modified in place.
    rate : float
        Regularisation coefficient λ.

    Notes
    -----
    Penalty (λ/2) ‖param‖², whose gradient is λ param (the 2 of the
    derivative is absorbed by the ½)::

        grad <- grad + rate * param
    """
    grad += rate * param


def lasso(param: NDArray[np.floating], grad: NDArray[np.floating], rate: float) -> None:
    """Add the L1 (lasso) penalty (sub)gradient to ``grad`` in place.

    Parameters
    ----------
    param : ndarray of any shape
        Not modified.
    grad : ndarray of the same shape, float
        Modified in place.
    rate : float
        Regularisation coefficient λ.

    Notes
    -----
    Penalty λ ‖param‖₁ = λ Σ |param|. |w| has no derivative at 0; sign(0) = 0
    is one valid subgradient::

        grad <- grad + rate * sign(param)
    """
    grad += rate * np.sign(param)


def weight_decay_loss(
    weights: Iterable[NDArray[np.floating]] | Mapping[object, NDArray[np.floating]] | NDArray,
    lam: float,
) -> float:
    """L2 penalty term added to the loss (荷重減衰), as DLFS ``MultiLayerNet``.

    Parameters
    ----------
    weights : ndarray, or an iterable (list, dict values) of ndarrays
        The weight matrices W1, W2, ... (usually not the biases).
    lam : float
        λ.

    Returns
    -------
    float
        ::

            0.5 * lam * Σ_l ‖W_l‖²        ‖W‖² = Σ_ij w_ij² = np.sum(W * W)

        Its gradient with respect to each W is lam * W. (The norm itself,
        sqrt(Σ w²), would be the wrong quantity: its gradient is not lam * W.)
    """
    if isinstance(weights, np.ndarray):
        weights = [weights]
    elif isinstance(weights, Mapping):
        weights = weights.values()
    return 0.5 * lam * float(sum(np.sum(np.square(W)) for W in weights))


def sgd_weight_decay_step(
    w: NDArray[np.floating] | float,
    grad: NDArray[np.floating] | float,
    lr: float,
    lam: float,
) -> NDArray[np.floating] | float:
    """One SGD step on L = E + (λ/2) ‖w‖² (pure: returns the new w).

    Parameters
    ----------
    w : ndarray or float
        Current weights (not modified).
    grad : ndarray or float, same shape as ``w``
        ∂E/∂w of the data loss only.
    lr : float
        Learning rate η.
    lam : float
        λ.

    Returns
    -------
    ndarray or float, same shape as ``w``
        ::

            w_new = w - lr * (grad + lam * w) = (1 - lr * lam) * w - lr * grad

        The factor (1 - lr λ) shrinks the weights every step, hence 荷重減衰.
    """
    return w - lr * (grad + lam * w)
