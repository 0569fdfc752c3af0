"""Layers with forward/backward (誤差逆伝播法): Affine, activations and output layers with their loss.

Batch normalisation is in :mod:`reference.normalization`, dropout in :mod:`reference.regularization`.

Conventions (DLFS ``common/layers.py``):

* row-vector layout: ``x (N, D) @ W (D, M) + b (M,)``;
* ``forward`` caches what ``backward`` needs; ``backward(dout)`` returns the
  gradient with respect to the layer input and stores parameter gradients
  as attributes (``dW``, ``db``);
* layers keep **references** to their parameters, so an optimiser that
  updates ``W`` in place is seen by the layer;
* unlike DLFS, no method modifies the caller's ``x``, ``t`` or ``dout``
  (DLFS ``Relu.backward`` writes into ``dout``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.activations import sigmoid, softmax
from reference.losses import binary_cross_entropy, cross_entropy_error, mean_squared_error

__all__ = [
    "Affine",
    "Relu",
    "Sigmoid",
    "SoftmaxWithLoss",
    "SigmoidWithLoss",
    "IdentityWithLoss",
]


def _batch_size(y: NDArray) -> int:
    """Number of samples: 1 for a 0-d or 1-D array, else the first axis."""
    return 1 if y.ndim <= 1 else y.shape[0]


class Affine:
    """Fully connected layer (全結合層 / Affine レイヤ).

    Parameters
    ----------
    W : ndarray of shape (D, M)
    b : ndarray of shape (M,)
        Both kept by reference (not copied).

    Notes
    -----
    ::

        forward:   out = x @ W + b                 x reshaped to (N, D)
        backward:  dx = dout @ W.T                 reshaped back to x's shape
                   dW = x.T @ dout                 (D, M)
                   db = Σ_n dout                   (M,)
    """

    def __init__(self, W: NDArray[np.floating], b: NDArray[np.floating]) -> None:
        self.W = W
        self.b = b
        self.x: NDArray | None = None
        self.original_x_shape: tuple[int, ...] | None = None
        self.dW: NDArray | None = None
        self.db: NDArray | None = None

    def forward(self, x: NDArray[np.floating]) -> NDArray[np.floating]:
        """x : (N, D) or (N, C, H, W) with C*H*W = D  ->  out : (N, M)."""
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)  # テンソル入力は (N, D) に平坦化
        return self.x @ self.W + self.b

    def backward(self, dout: NDArray[np.floating]) -> NDArray[np.floating]:
        """dout : (N, M)  ->  dx : shaped like the forward input; sets dW, db."""
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        dx = dout @ self.W.T
        return dx.reshape(self.original_x_shape)


class Relu:
    """ReLU layer.

    Notes
    -----
    ::

        forward:   out = x  if x > 0,  0 otherwise
        backward:  dx = dout  where x > 0,  0 where x <= 0

    The derivative at x = 0 is taken as 0 here (mask = x <= 0, as the DLFS
    layer); :func:`reference.activations.relu_grad` uses 1, as DLFS.
    """

    def __init__(self) -> None:
        self.mask: NDArray[np.bool_] | None = None

    def forward(self, x: NDArray) -> NDArray:
        """x : any shape -> out : same shape."""
        self.mask = x <= 0
        return np.where(self.mask, 0, x).astype(x.dtype, copy=False)

    def backward(self, dout: NDArray) -> NDArray:
        """dout : shaped like x -> dx : same shape (a new array)."""
        return np.where(self.mask, 0, dout).astype(dout.dtype, copy=False)


class Sigmoid:
    """Sigmoid layer.

    Notes
    -----
    ::

        forward:   out = σ(x)
        backward:  dx = dout * out * (1 - out)       (uses the stored output)
    """

    def __init__(self) -> None:
        self.out: NDArray | None = None

    def forward(self, x: NDArray) -> NDArray:
        """x : any shape -> out : same shape."""
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout: NDArray) -> NDArray:
        """dout : shaped like x -> dx : same shape."""
        return dout * (1.0 - self.out) * self.out


class SoftmaxWithLoss:
    """Softmax output + cross-entropy error (Softmax-with-Loss レイヤ).

    Notes
    -----
    ``t`` is one-hot (same shape as ``x``) or class indices (N,); see
    :func:`reference.losses.cross_entropy_error`. ::

        forward:   y = softmax(x),  loss = -(1/N) Σ_n log(y[n, t_n] + 1e-7)
        backward:  dx = dout * (y - t) / N

    ``backward`` works on a copy of ``y``, so calling it twice gives the same
    result. DLFS ignores ``dout``; with the default ``dout=1`` both agree.
    """

    def __init__(self) -> None:
        self.loss: np.floating | None = None
        self.y: NDArray | None = None
        self.t: NDArray | None = None

    def forward(self, x: NDArray[np.floating], t: ArrayLike) -> np.floating:
        """x : (N, K) or (K,); t : one-hot like x, or labels (N,) -> loss (0-d)."""
        self.t = np.asarray(t)
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> NDArray[np.floating]:
        """-> dx : shaped like x."""
        y = self.y.reshape(-1, self.y.shape[-1])  # (K,) is a batch of one
        n = y.shape[0]
        if self.t.size == self.y.size:  # one-hot
            dx = y - self.t.reshape(y.shape)
        else:  # labels: subtract 1 at the correct class (on a copy!)
            dx = y.copy()
            dx[np.arange(n), self.t.reshape(-1)] -= 1
        return (dout * dx / n).reshape(self.y.shape)


class SigmoidWithLoss:
    """Sigmoid output + binary cross-entropy (2 値分類の出力層).

    Notes
    -----
    ``x`` and ``t`` have shape (N,) or (N, K); ``t`` in {0, 1}. ::

        forward:   y = σ(x),  loss = -(1/N) Σ [t log(y + 1e-7) + (1 - t) log(1 - y + 1e-7)]
        backward:  dx = dout * (y - t) / N
    """

    def __init__(self) -> None:
        self.loss: np.floating | None = None
        self.y: NDArray | None = None
        self.t: NDArray | None = None

    def forward(self, x: NDArray[np.floating], t: ArrayLike) -> np.floating:
        """x : (N,) or (N, K); t : same shape -> loss (0-d)."""
        self.t = np.asarray(t)
        self.y = sigmoid(x)
        self.loss = binary_cross_entropy(self.y, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> NDArray[np.floating]:
        """-> dx : shaped like x."""
        n = self.y.shape[0] if self.y.ndim >= 1 else 1
        return dout * (self.y - self.t) / n


class IdentityWithLoss:
    """Identity output + squared error (回帰の出力層).

    Notes
    -----
    ::

        forward:   y = x,  loss = 0.5 * Σ (y - t)^2 / N     (mean_squared_error)
        backward:  dx = dout * (y - t) / N
    """

    def __init__(self) -> None:
        self.loss: np.floating | None = None
        self.y: NDArray | None = None
        self.t: NDArray | None = None

    def forward(self, x: NDArray[np.floating], t: ArrayLike) -> np.floating:
        """x : (N, K) or (K,); t : same shape -> loss (0-d)."""
        self.t = np.asarray(t)
        self.y = x
        self.loss = mean_squared_error(self.y, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> NDArray[np.floating]:
        """-> dx : shaped like x."""
        return dout * (self.y - self.t) / _batch_size(np.asarray(self.y))
