"""4-9 深層学習の説明性: Grad-CAM, Integrated Gradients, LIME and Shapley values.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.explainability:<name>, args: {...}}``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "grad_cam",
    "grad_cam_pixel",
    "integrated_gradients",
    "lime_kernel_weight",
    "shapley_values",
    "shapley_value_two_features",
    "grad_cam_channel_weight",
    "ig_quadratic_feature_1",
    "shapley_value_three_features",
]


def grad_cam(activations: ArrayLike, gradients: ArrayLike) -> NDArray[np.floating]:
    """Grad-CAM heat map of one image (Selvaraju et al., 2017).

    Parameters
    ----------
    activations : array_like, shape (K, H, W)
        Feature maps A^k of the chosen convolutional layer.
    gradients : array_like, shape (K, H, W)
        ∂y^c/∂A^k, the gradient of the class score (before softmax).

    Returns
    -------
    ndarray, shape (H, W)
        ::

            α_k = (1/Z) Σ_ij ∂y^c/∂A^k_ij          (global average pooling of the gradients)
            L   = ReLU(Σ_k α_k A^k)
    """
    a = np.asarray(activations, dtype=float)
    g = np.asarray(gradients, dtype=float)
    if a.shape != g.shape or a.ndim != 3:
        raise ValueError("activations and gradients must both have shape (K, H, W)")
    alpha = g.mean(axis=(1, 2))
    return np.maximum(np.tensordot(alpha, a, axes=1), 0.0)


def grad_cam_pixel(alpha_1: float, alpha_2: float, act_1: float, act_2: float) -> float:
    """Grad-CAM value at one position for two channels: ReLU(α₁ A¹ + α₂ A²)."""
    return max(0.0, alpha_1 * act_1 + alpha_2 * act_2)


def integrated_gradients(
    grad_fn: Callable[[NDArray[np.floating]], NDArray[np.floating]],
    x: ArrayLike,
    baseline: ArrayLike | None = None,
    steps: int = 200,
) -> NDArray[np.floating]:
    """Integrated Gradients (Sundararajan et al., 2017) by the midpoint Riemann sum.

    Parameters
    ----------
    grad_fn : callable
        ∇F: maps an input array to the gradient of the scalar output F (same shape).
    x : array_like
        The input to explain.
    baseline : array_like, optional
        x' (default: zeros, e.g. a black image).
    steps : int, default 200
        m, the number of points on the straight path from x' to x.

    Returns
    -------
    ndarray
        ::

            IG_i = (x_i − x'_i) ∫₀¹ ∂F(x' + α (x − x'))/∂x_i dα

        whose sum is F(x) − F(x') (completeness), up to the Riemann-sum error.
    """
    x = np.asarray(x, dtype=float)
    base = np.zeros_like(x) if baseline is None else np.asarray(baseline, dtype=float)
    total = np.zeros_like(x)
    for k in range(steps):
        alpha = (k + 0.5) / steps
        total += np.asarray(grad_fn(base + alpha * (x - base)), dtype=float)
    attributions: NDArray[np.floating] = (x - base) * total / steps
    return attributions


def lime_kernel_weight(distance: float, width: float) -> float:
    """LIME's proximity weight π_x(z) = exp(−D(x, z)² / σ²) (Ribeiro et al., 2016).

    Parameters
    ----------
    distance : float
        D(x, z) between the instance and the perturbed sample.
    width : float
        Kernel width σ > 0.

    Returns
    -------
    float
    """
    return math.exp(-(distance * distance) / (width * width))


def shapley_values(value: Mapping[frozenset[int], float], n_features: int) -> list[float]:
    """Exact Shapley values (シャープレイ値) by enumerating every coalition.

    Parameters
    ----------
    value : mapping frozenset -> float
        v(S), the model's output when only the features in S are known, for every subset S of
        ``range(n_features)`` (including the empty set).
    n_features : int
        M.

    Returns
    -------
    list of float
        φ_i = Σ_{S ⊆ F∖{i}} |S|! (M − |S| − 1)! / M! · (v(S ∪ {i}) − v(S)); they sum to
        v(F) − v(∅) (local accuracy / efficiency).
    """
    players = range(n_features)
    phis = []
    for i in players:
        others = [j for j in players if j != i]
        phi = 0.0
        for size in range(n_features):
            w = math.factorial(size) * math.factorial(n_features - size - 1) / math.factorial(n_features)
            for subset in combinations(others, size):
                s = frozenset(subset)
                phi += w * (value[s | {i}] - value[s])
        phis.append(phi)
    return phis


def shapley_value_two_features(v_empty: float, v_1: float, v_2: float, v_12: float) -> float:
    """Shapley value of feature 1 in a two-feature game.

    Parameters
    ----------
    v_empty, v_1, v_2, v_12 : float
        v(∅), v({1}), v({2}), v({1, 2}).

    Returns
    -------
    float
        ``φ₁ = ½ [(v({1}) − v(∅)) + (v({1,2}) − v({2}))]``.
    """
    return 0.5 * ((v_1 - v_empty) + (v_12 - v_2))


def grad_cam_channel_weight(g11: float, g12: float, g13: float, g21: float, g22: float, g23: float,
                            g31: float, g32: float, g33: float) -> float:
    """Grad-CAM's weight alpha_k^c of one channel: the spatial mean of dy^c/dA^k over a 3 x 3 map.

    Returns
    -------
    float
        ``(1/Z) sum_ij dy^c/dA^k_ij`` with Z = 9 (Selvaraju et al., 2017, eq. 1).
    """
    return (g11 + g12 + g13 + g21 + g22 + g23 + g31 + g32 + g33) / 9.0


def ig_quadratic_feature_1(a: float, b: float, x1: float, x2: float) -> float:
    """IG_1 of F(x1, x2) = a x1^2 + b x1 x2 with the baseline (0, 0), in closed form.

    Returns
    -------
    float
        ``x1 * integral_0^1 (2 a alpha x1 + b alpha x2) d alpha = a x1^2 + b x1 x2 / 2``; with
        IG_2 = b x1 x2 / 2 the two sum to F(x) (completeness).
    """
    return a * x1 * x1 + b * x1 * x2 / 2.0


def shapley_value_three_features(v0: float, v1: float, v2: float, v3: float,
                                 v12: float, v13: float, v23: float, v123: float) -> float:
    """phi_1 of feature 1 in a three-player game given the value of every coalition (see :func:`shapley_values`)."""
    value = {
        frozenset(): v0, frozenset({0}): v1, frozenset({1}): v2, frozenset({2}): v3,
        frozenset({0, 1}): v12, frozenset({0, 2}): v13, frozenset({1, 2}): v23, frozenset({0, 1, 2}): v123,
    }
    return shapley_values(value, 3)[0]
