"""Layers of word2vec (CBOW with negative sampling) in the interface of 「ゼロから作る Deep Learning ❷」:
``MatMul`` and ``SigmoidWithLoss`` (``common/layers.py``), ``Embedding`` (``common/layers.py``) and
``EmbeddingDot`` (``ch04/negative_sampling_layer.py``).

Conventions of that book's layers:

* ``params`` and ``grads`` are lists of arrays. ``params`` holds the caller's arrays themselves
  (several layers may share one weight matrix, and an optimizer updates ``params[i]`` in place);
  ``grads[i]`` is created once with ``np.zeros_like`` and each backward **writes into it**
  (``grads[0][...] = dW``), so a model that gathered the gradient arrays of its layers once sees
  every new gradient;
* ``forward`` caches what ``backward`` needs; ``backward`` never modifies ``dout``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reference.activations import sigmoid

__all__ = ["MatMul", "SigmoidWithLoss", "Embedding", "EmbeddingDot", "sigmoid_with_loss", "sigmoid_with_loss_grad"]

Array = NDArray[np.floating]


class MatMul:
    """Matrix product without bias, ``out = x @ W`` (the MatMul node).

    Parameters
    ----------
    W : ndarray of shape (D, H)
        Kept by reference in ``params``.

    Notes
    -----
    ::

        forward(x (N, D)) -> x @ W               (N, H)
        backward(dout (N, H)) -> dout @ W.T       (N, D);   grads[0][...] = x.T @ dout   (D, H)
    """

    def __init__(self, W: Array) -> None:
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x: Array | None = None

    def forward(self, x: Array) -> Array:
        (W,) = self.params
        self.x = x
        return x @ W

    def backward(self, dout: Array) -> Array:
        (W,) = self.params
        assert self.x is not None, "forward first"
        self.grads[0][...] = self.x.T @ dout
        return dout @ W.T


def sigmoid_with_loss(x: Array, t: NDArray[np.integer], eps: float = 1e-7) -> float:
    """The loss of :class:`SigmoidWithLoss`: mean cross-entropy of the labels under [1 - σ(x), σ(x)].

    ::

        p_n = σ(x_n) if t_n = 1 else 1 - σ(x_n)
        loss = -(1/N) Σ_n log(p_n + eps)
    """
    y = sigmoid(np.asarray(x, dtype=float))
    labels = np.asarray(t)
    p = np.where(labels == 1, y, 1 - y)
    return float(-np.sum(np.log(p + eps)) / y.shape[0])


def sigmoid_with_loss_grad(x: float, t: int, batch_size: int, dout: float = 1.0) -> float:
    """One entry of :meth:`SigmoidWithLoss.backward`: ``(σ(x) - t) * dout / N`` (for numeric questions)."""
    return float((sigmoid(np.asarray(x, dtype=float)) - t) * dout / batch_size)


class SigmoidWithLoss:
    """Sigmoid + binary cross-entropy, the book's form (the loss of negative sampling).

    Notes
    -----
    ``forward(x, t)``: scores ``x`` (N,) and integer labels ``t`` (N,) in {0, 1}; the book builds
    the two-class probabilities ``np.c_[1 - y, y]`` and takes its ``cross_entropy_error`` (mean over
    the batch, ``+ 1e-7`` inside the log), see :func:`sigmoid_with_loss`.
    ``backward(dout=1)`` returns ``(y - t) * dout / N``.
    """

    def __init__(self) -> None:
        self.params: list[Array] = []
        self.grads: list[Array] = []
        self.loss: float | None = None
        self.y: Array | None = None
        self.t: NDArray[np.integer] | None = None

    def forward(self, x: Array, t: NDArray[np.integer]) -> float:
        self.t = t
        self.y = sigmoid(x)
        self.loss = sigmoid_with_loss(x, t)
        return self.loss

    def backward(self, dout: float = 1) -> Array:
        assert self.y is not None and self.t is not None, "forward first"
        return (self.y - self.t) * dout / self.t.shape[0]


class Embedding:
    """Row lookup ``W[idx]`` (Embedding レイヤ).

    Parameters
    ----------
    W : ndarray of shape (V, D)
        Kept by reference in ``params``.

    Notes
    -----
    ``forward(idx)``: ``idx`` (N,) int -> ``W[idx]`` (N, D).
    ``backward(dout)``: ``dout`` (N, D); zeroes ``grads[0]`` and adds each row of ``dout`` into
    the row of its word, **adding** when a word id occurs more than once in ``idx``
    (``np.add.at``; ``dW[idx] = dout`` or ``dW[idx] += dout`` keep only one of the repeats).
    Returns None.
    """

    def __init__(self, W: Array) -> None:
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx: NDArray[np.integer] | None = None

    def forward(self, idx: NDArray[np.integer]) -> Array:
        (W,) = self.params
        self.idx = idx
        return W[idx]

    def backward(self, dout: Array) -> None:
        (dW,) = self.grads
        dW[...] = 0
        np.add.at(dW, self.idx, dout)


class EmbeddingDot:
    """Score of each target word for its hidden vector: ``Σ_d W[idx_n, d] h_n,d`` (negative sampling).

    Parameters
    ----------
    W : ndarray of shape (V, D)
        Output-side word vectors, held through an :class:`Embedding`; ``params`` and ``grads``
        are the Embedding's own lists.

    Notes
    -----
    ::

        forward(h (N, D), idx (N,)) -> out (N,),  out_n = W[idx_n] · h_n
        backward(dout (N,)) -> dh = dout[:, None] * W[idx]   (N, D);
                               the Embedding receives dout[:, None] * h (added per word)
    """

    def __init__(self, W: Array) -> None:
        self.embed = Embedding(W)
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache: tuple[Array, Array] | None = None

    def forward(self, h: Array, idx: NDArray[np.integer]) -> Array:
        target_W = self.embed.forward(idx)
        self.cache = (h, target_W)
        return np.sum(target_W * h, axis=1)

    def backward(self, dout: Array) -> Array:
        assert self.cache is not None, "forward first"
        h, target_W = self.cache
        column = dout.reshape(dout.shape[0], 1)
        self.embed.backward(column * h)
        return column * target_W
