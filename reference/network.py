"""The sigmoid variant of the course's two-layer network (Rabbit Challenge
``1_3_stochastic_gradient_descent.ipynb`` 「試してみよう」; seed 004 Q9/Q10).
:mod:`reference.mlp` has the ReLU network the notebook ships with.

Layout: ``x (N, D) @ W1 (D, H) + b1`` → sigmoid → ``@ W2 (H, M) + b2`` →
identity output ``y``; loss E = 1/(2N) Σ (y - d)² (sum over the M outputs,
mean over the batch), so ∂E/∂y = (y - d) / N.

The backward pass must evaluate the activation's derivative at the
**pre-activation** u1: σ'(u1) = z1 (1 - z1). The course line
``functions.d_sigmoid(z1)`` feeds the activation z1 = σ(u1) to a function that
expects u1 and computes σ'(σ(u1)) (C01/E34).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reference.activations import sigmoid

__all__ = ["two_layer_sigmoid_backward"]


def two_layer_sigmoid_backward(network: dict[str, NDArray], x: NDArray, d: NDArray) -> dict[str, NDArray]:
    """Forward and backward pass of the sigmoid two-layer regression network.

    Parameters
    ----------
    network : dict
        ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, M)``, ``b2 (M,)``; not modified.
    x : ndarray of shape (N, D)
    d : ndarray of shape (N, M)
        Targets (教師データ).

    Returns
    -------
    grad : dict with keys ``W1, b1, W2, b2`` (shapes as the parameters)
        ::

            u1 = x W1 + b1;  z1 = σ(u1);  y = z1 W2 + b2
            delta2 = (y - d) / N
            grad[b2] = Σ_n delta2,        grad[W2] = z1ᵀ delta2
            delta1 = (delta2 W2ᵀ) * z1 (1 - z1)
            grad[b1] = Σ_n delta1,        grad[W1] = xᵀ delta1
    """
    W1, b1, W2, b2 = (np.asarray(network[k], dtype=float) for k in ("W1", "b1", "W2", "b2"))
    x = np.asarray(x, dtype=float)
    d = np.asarray(d, dtype=float)
    u1 = x @ W1 + b1
    z1 = sigmoid(u1)
    y = z1 @ W2 + b2
    delta2 = (y - d) / y.shape[0]
    delta1 = (delta2 @ W2.T) * z1 * (1 - z1)
    return {
        "W1": x.T @ delta1,
        "b1": delta1.sum(axis=0),
        "W2": z1.T @ delta2,
        "b2": delta2.sum(axis=0),
    }
