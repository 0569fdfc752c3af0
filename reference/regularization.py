"""Regularisation (正則化): L2 (ridge, 荷重減衰), L1 (lasso) and dropout (ドロップアウト).

``ridge`` and ``lasso`` follow the course 例題 (seed 000): they add the
penalty gradient to ``grad`` **in place** and return None. Writing
``grad = grad + ...`` inside such a function only rebinds a local name and
has no effect on the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from numpy.typing import NDArray

__all__ = ["ridge", "lasso", "weight_decay_loss", "sgd_weight_decay_step", "Dropout", "InvertedDropout"]


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


# -------------------------------------------------------------------- dropout (確率的削除)


class Dropout:
    """Dropout (ドロップアウト), non-inverted as DLFS or inverted as PyTorch.

    Parameters
    ----------
    dropout_ratio : float, default 0.5
        Probability of **dropping** a unit (消去確率), in [0, 1).
    inverted : bool, default False
        False: DLFS — the training output is ``x * mask`` and inference
        scales by (1 - p). True: kept units are scaled by 1/(1 - p) during
        training and inference returns ``x`` unchanged.

    Notes
    -----
    The mask is drawn with ``np.random.rand``, so ``np.random.seed`` controls
    it; a new mask is drawn on every training forward call. ::

        mask = rand(*x.shape) > p            (keep with probability 1 - p)
        non-inverted:  train  out = x * mask            infer  out = x * (1 - p)
        inverted:      train  out = x * mask / (1 - p)  infer  out = x
        backward:      dx = dout * mask   (/ (1 - p) if inverted)
    """

    def __init__(self, dropout_ratio: float = 0.5, inverted: bool = False) -> None:
        if not 0.0 <= dropout_ratio < 1.0:
            raise ValueError(f"dropout_ratio must be in [0, 1), got {dropout_ratio}")
        self.dropout_ratio = dropout_ratio
        self.inverted = inverted
        self.mask: NDArray[np.bool_] | None = None

    def forward(self, x: NDArray[np.floating], train_flg: bool = True) -> NDArray[np.floating]:
        """x : any shape -> out : same shape and dtype."""
        p = self.dropout_ratio
        if train_flg:
            self.mask = np.random.rand(*x.shape) > p
            out = x * self.mask
            return out / (1.0 - p) if self.inverted else out
        return x.copy() if self.inverted else x * (1.0 - p)

    def backward(self, dout: NDArray[np.floating]) -> NDArray[np.floating]:
        """dout : shaped like x -> dx : same shape (same mask as forward)."""
        dx = dout * self.mask
        return dx / (1.0 - self.dropout_ratio) if self.inverted else dx


class InvertedDropout(Dropout):
    """Inverted dropout (反転ドロップアウト, PyTorch's ``nn.Dropout``), with DLFS's signature.

    Parameters
    ----------
    dropout_ratio : float, default 0.5
        Probability of dropping a unit.

    Notes
    -----
    ::

        train:     out = x * mask / (1 - p)      (kept units scaled up)
        inference: out = x                       (a new array equal to x)
        backward:  dx = dout * mask / (1 - p)
    """

    def __init__(self, dropout_ratio: float = 0.5) -> None:
        super().__init__(dropout_ratio, inverted=True)
