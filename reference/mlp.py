"""The course's small fully connected network (Rabbit Challenge day1 notebooks, DLFS layout).

Row-vector layout as in the course code: ``x (N, D) @ W1 (D, H) + b1 (H,)``. The
network is a dict ``{'W1', 'b1', 'W2', 'b2'}``; the hidden layer uses ReLU and the
output layer is the identity (regression, as ``1_3_stochastic_gradient_descent``),
with the loss

    E = 1/(2N) Σ_n ‖y_n - d_n‖²      (one output unit: the course's ``mean_squared_error``)

whose gradient with respect to y is ``(y - d) / N`` (the course's
``d_mean_squared_error(d, y)``). Functions never modify their arguments, except
:func:`sgd_update`, which updates the parameter arrays **in place**.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

import numpy as np
from numpy.typing import NDArray

__all__ = ["affine_forward", "two_layer_forward", "two_layer_backward", "sgd_update"]

Network = MutableMapping[str, NDArray[np.floating]]


def affine_forward(x: NDArray[np.floating], W: NDArray[np.floating], b: NDArray[np.floating] | float) -> NDArray[np.floating]:
    """Total input (総入力) of a fully connected layer.

    Parameters
    ----------
    x : ndarray of shape (D,) or (N, D)
    W : ndarray of shape (D, M)
    b : ndarray of shape (M,), or a scalar

    Returns
    -------
    ndarray of shape (M,) or (N, M)
        ::

            u = x W + b        (np.dot(x, W) + b; u_j = Σ_i x_i w_ij + b_j)

        In column-vector notation this is u = Wᵀx + b; the course writes
        "u = Wx + b" and stores W as (n_in, n_out).
    """
    return np.dot(x, W) + b


def two_layer_forward(network: Network, x: NDArray[np.floating]) -> tuple[NDArray[np.floating], NDArray[np.floating]]:
    """Forward pass: ReLU hidden layer, identity output.

    Parameters
    ----------
    network : dict with W1 (D, H), b1 (H,), W2 (H, K), b2 (K,)
    x : ndarray of shape (N, D)

    Returns
    -------
    z1 : ndarray of shape (N, H)
        Hidden-layer output (中間層の出力)::

            u1 = x W1 + b1,   z1 = relu(u1)
    y : ndarray of shape (N, K)
        ::

            y = u2 = z1 W2 + b2
    """
    u1 = np.dot(x, network["W1"]) + network["b1"]
    z1 = np.maximum(0, u1)
    y = np.dot(z1, network["W2"]) + network["b2"]
    return z1, y


def two_layer_backward(
    network: Network,
    x: NDArray[np.floating],
    d: NDArray[np.floating],
    z1: NDArray[np.floating],
    y: NDArray[np.floating],
) -> dict[str, NDArray[np.floating]]:
    """Backward pass of :func:`two_layer_forward` for E = 1/(2N) Σ‖y - d‖².

    Parameters
    ----------
    network : dict with W1, b1, W2, b2 (only W2 is read)
    x : ndarray of shape (N, D)
    d : ndarray of shape (N, K)
        Targets (教師データ).
    z1 : ndarray of shape (N, H)
        Hidden output from the forward pass.
    y : ndarray of shape (N, K)
        Network output from the forward pass.

    Returns
    -------
    dict with keys W1, b1, W2, b2 (shapes of the parameters)
        ::

            delta2 = (y - d) / N                   ∂E/∂y = ∂E/∂u2 (identity output)
            grad['W2'] = z1ᵀ delta2,  grad['b2'] = Σ_n delta2
            delta1 = (delta2 W2ᵀ) * [z1 > 0]       ReLU: z1 > 0 ⇔ u1 > 0
            grad['W1'] = xᵀ delta1,   grad['b1'] = Σ_n delta1
    """
    n = d.shape[0]
    delta2 = (y - d) / n
    grad = {"W2": np.dot(z1.T, delta2), "b2": np.sum(delta2, axis=0)}
    delta1 = np.dot(delta2, network["W2"].T) * (z1 > 0)
    grad["W1"] = np.dot(x.T, delta1)
    grad["b1"] = np.sum(delta1, axis=0)
    return grad


def sgd_update(network: Network, grad: Network, learning_rate: float, keys: Iterable[str] | None = None) -> None:
    """One gradient-descent step, updating the parameter arrays in place.

    Parameters
    ----------
    network : dict of ndarrays (float)
        Modified in place: each array object stays the same.
    grad : dict of ndarrays with the same keys and shapes
        Not modified.
    learning_rate : float
        ε.
    keys : iterable of str, optional
        The keys to update (default: every key of ``network``).

    Notes
    -----
    ::

        w <- w - ε ∇E        network[key] -= learning_rate * grad[key]
    """
    for key in network.keys() if keys is None else keys:
        network[key] -= learning_rate * grad[key]
