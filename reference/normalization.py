"""Group Normalization (syllabus 3-7-3), the normalisation that interpolates between Layer and
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

__all__ = ["group_norm"]


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
