"""Normalisation layers (3-7-3): batch normalisation (forward and backward as functions, and the DLFS
layer) and group normalisation.

Batch normalisation follows DLFS ``common/layers.py``: statistics per feature over the batch axis,
biased variance (divide by N), running averages ``momentum * old + (1 - momentum) * batch``.

Group Normalization (syllabus 3-7-3), the normalisation that interpolates between Layer and
Instance Normalization.

Wu & He (2018), "Group Normalization": for a feature map (N, C, H, W), split the C channels into G
groups of C/G consecutive channels and normalise each (sample, group) over its C/G·H·W values; then
apply a per-channel scale γ and shift β. G = 1 is Layer Normalization over (C, H, W), G = C is
Instance Normalization. No statistic crosses the batch axis, so training and inference compute the
same thing and the batch size does not matter.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["batchnorm_forward", "batchnorm_backward", "BatchNormalization", "group_norm"]


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


def group_norm(
    x: NDArray[np.floating],
    gamma: NDArray[np.floating],
    beta: NDArray[np.floating],
    G: int,
    eps: float = 1e-5,
) -> NDArray[np.float64]:
    """Group Normalization of a 4-D feature map.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
        Not modified.
    gamma, beta : ndarray of shape (C,)
        Per-channel scale and shift.
    G : int
        Number of groups; must divide C. Group g holds channels ``g*C/G .. (g+1)*C/G - 1``.
    eps : float, default 1e-5
        Added to the variance inside the square root.

    Returns
    -------
    ndarray of shape (N, C, H, W)
        ``gamma * (x - mu) / sqrt(var + eps) + beta`` with ``mu`` and ``var`` (biased, divided
        by the count) taken per sample and per group over (C/G, H, W).

    Raises
    ------
    ValueError
        If x is not 4-D or G does not divide C.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError(f"x must be (N, C, H, W), got shape {x.shape}")
    N, C, H, W = x.shape
    if G <= 0 or C % G:
        raise ValueError(f"G = {G} must divide the {C} channels")
    xg = x.reshape(N, G, C // G, H, W)
    mu = xg.mean(axis=(2, 3, 4), keepdims=True)
    var = xg.var(axis=(2, 3, 4), keepdims=True)
    x_hat = ((xg - mu) / np.sqrt(var + eps)).reshape(N, C, H, W)
    out: NDArray[np.float64] = np.asarray(gamma).reshape(1, C, 1, 1) * x_hat + np.asarray(beta).reshape(1, C, 1, 1)
    return out
