"""Layers with forward/backward (誤差逆伝播法), batch normalisation and dropout.

Conventions (DLFS ``common/layers.py``):

* row-vector layout: ``x (N, D) @ W (D, M) + b (M,)``;
* ``forward`` caches what ``backward`` needs; ``backward(dout)`` returns the
  gradient with respect to the layer input and stores parameter gradients
  as attributes (``dW``, ``db``, ``dgamma``, ``dbeta``);
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
    "BatchNormalization",
    "batchnorm_forward",
    "batchnorm_backward",
    "Dropout",
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


# ----------------------------------------------------------------- batch norm


def batchnorm_forward(
    x: NDArray[np.floating],
    gamma: NDArray[np.floating],
    beta: NDArray[np.floating],
    running_mean: NDArray[np.floating] | None,
    running_var: NDArray[np.floating] | None,
    momentum: float = 0.9,
    eps: float = 1e-7,
    train: bool = True,
) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[np.floating]]:
    """Batch normalisation forward pass (バッチ正規化), training or inference.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    gamma, beta : ndarray of shape (D,)
        Scale and shift.
    running_mean, running_var : ndarray of shape (D,), or None for zeros
        Moving averages used at inference; never modified (new arrays are
        returned).
    momentum : float, default 0.9
    eps : float, default 1e-7
        DLFS's class writes ``10e-7`` (= 1e-6); pass it explicitly.
    train : bool, default True

    Returns
    -------
    out : ndarray of shape (N, D)
    running_mean, running_var : ndarray of shape (D,)
        Updated in training, unchanged (the inputs) at inference.

    Notes
    -----
    Per feature (axis 0), with the biased variance (divide by N)::

        train:      μ = mean_n x,  σ² = mean_n (x - μ)²
                    running = momentum * running + (1 - momentum) * batch value
        inference:  μ, σ² = running_mean, running_var
        x̂ = (x - μ) / sqrt(σ² + eps)
        out = gamma * x̂ + beta
    """
    if running_mean is None:
        running_mean = np.zeros(x.shape[1], dtype=x.dtype)
    if running_var is None:
        running_var = np.zeros(x.shape[1], dtype=x.dtype)
    if train:
        mu = x.mean(axis=0)
        var = x.var(axis=0)  # ddof=0: biased, as DLFS
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        mu, var = running_mean, running_var
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, running_mean, running_var


def batchnorm_backward(
    dout: NDArray[np.floating],
    x: NDArray[np.floating],
    gamma: NDArray[np.floating],
    eps: float = 1e-7,
) -> tuple[NDArray[np.floating], NDArray[np.floating], NDArray[np.floating]]:
    """Batch normalisation backward pass (training mode).

    Parameters
    ----------
    dout : ndarray of shape (N, D)
        Gradient with respect to ``out``.
    x : ndarray of shape (N, D)
        The forward input; mean and variance are recomputed from it.
    gamma : ndarray of shape (D,)
    eps : float, default 1e-7

    Returns
    -------
    dx : ndarray of shape (N, D)
    dgamma, dbeta : ndarray of shape (D,)

    Notes
    -----
    μ and σ² depend on every x in the batch, hence the two correction terms
    (mean over the batch axis)::

        dbeta  = Σ_n dout
        dgamma = Σ_n dout * x̂
        dx     = gamma / sqrt(σ² + eps) * (dout - mean(dout) - x̂ * mean(dout * x̂))
    """
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - mu) / std
    dbeta = np.sum(dout, axis=0)
    dgamma = np.sum(dout * x_hat, axis=0)
    dx = (gamma / std) * (dout - dout.mean(axis=0) - x_hat * (dout * x_hat).mean(axis=0))
    return dx, dgamma, dbeta


class BatchNormalization:
    """Batch normalisation layer, DLFS interface.

    Parameters
    ----------
    gamma, beta : ndarray of shape (D,)
        Kept by reference.
    momentum : float, default 0.9
    running_mean, running_var : ndarray of shape (D,) or None
        None starts them at zeros on the first forward call (as DLFS).
    eps : float, default 1e-6
        DLFS writes ``10e-7``, which is 1e-6 (not 1e-7).

    Notes
    -----
    A 4-D input (N, C, H, W) is flattened to (N, C*H*W) as in DLFS, so the
    statistics are per (c, h, w) element — **not** the per-channel spatial
    BN of PyTorch's ``BatchNorm2d``. Equations: :func:`batchnorm_forward`,
    :func:`batchnorm_backward`. Running statistics are rebound to new arrays
    (never written into the arrays passed in).
    """

    def __init__(
        self,
        gamma: NDArray[np.floating],
        beta: NDArray[np.floating],
        momentum: float = 0.9,
        running_mean: NDArray[np.floating] | None = None,
        running_var: NDArray[np.floating] | None = None,
        eps: float = 1e-6,
    ) -> None:
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var
        self.eps = eps
        self.input_shape: tuple[int, ...] | None = None
        self.x: NDArray | None = None
        self.train_flg = True
        self.dgamma: NDArray | None = None
        self.dbeta: NDArray | None = None

    def forward(self, x: NDArray[np.floating], train_flg: bool = True) -> NDArray[np.floating]:
        """x : (N, D) or (N, C, H, W) -> out : same shape."""
        self.input_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        self.train_flg = train_flg
        out, self.running_mean, self.running_var = batchnorm_forward(
            self.x, self.gamma, self.beta, self.running_mean, self.running_var,
            momentum=self.momentum, eps=self.eps, train=train_flg)
        return out.reshape(self.input_shape)

    def backward(self, dout: NDArray[np.floating]) -> NDArray[np.floating]:
        """dout : shaped like x -> dx : same shape; sets dgamma, dbeta."""
        dout2 = dout.reshape(dout.shape[0], -1)
        if self.train_flg:
            dx, self.dgamma, self.dbeta = batchnorm_backward(dout2, self.x, self.gamma, eps=self.eps)
        else:  # inference: μ and σ² are constants, so BN is an affine map
            std = np.sqrt(self.running_var + self.eps)
            x_hat = (self.x - self.running_mean) / std
            self.dbeta = np.sum(dout2, axis=0)
            self.dgamma = np.sum(dout2 * x_hat, axis=0)
            dx = self.gamma / std * dout2
        return dx.reshape(self.input_shape)


# -------------------------------------------------------------------- dropout


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
