"""The attention of a seq2seq decoder in the interface of 「ゼロから作る Deep Learning ❷」 8章
(``ch08/attention_layer.py``): ``AttentionWeight``, ``WeightSum`` and ``Attention``.

Conventions of that book:

* ``hs (N, T, H)`` are the encoder's hidden states of all T time steps, ``h (N, H)`` the decoder's
  hidden state at one step, ``a (N, T)`` the attention weights;
* the score of each encoder state is a plain dot product ``hs[n, t] · h[n]`` (no scaling by
  √H, unlike the Transformer's scaled dot-product attention), normalised by a softmax over the
  **time axis** T for every sample;
* the layers have no parameters (``params = grads = []``) and never modify their arguments.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reference.activations import softmax

__all__ = ["AttentionWeight", "WeightSum", "Attention", "weighted_sum_value"]

Array = NDArray[np.floating]


class WeightSum:
    """Context vector: the encoder states weighted by ``a`` and summed over time.

    Notes
    -----
    ::

        forward(hs (N, T, H), a (N, T)) -> c (N, H),  c_n = Σ_t a_nt hs_nt
        backward(dc (N, H)) -> (dhs = a[:, :, None] * dc[:, None, :]   (N, T, H),
                                da_nt = hs_nt · dc_n                      (N, T))
    """

    def __init__(self) -> None:
        self.params: list[Array] = []
        self.grads: list[Array] = []
        self.cache: tuple[Array, Array] | None = None

    def forward(self, hs: Array, a: Array) -> Array:
        n, steps, _ = hs.shape
        ar = a.reshape(n, steps, 1)
        self.cache = (hs, ar)
        return np.sum(hs * ar, axis=1)

    def backward(self, dc: Array) -> tuple[Array, Array]:
        assert self.cache is not None, "forward first"
        hs, ar = self.cache
        dt = dc[:, np.newaxis, :]  # the same dc reaches every time step (sum's backward)
        return dt * ar, np.sum(dt * hs, axis=2)


class AttentionWeight:
    """Attention weights: dot-product scores of each encoder state against ``h``, softmax over T.

    Notes
    -----
    ::

        forward(hs (N, T, H), h (N, H)) -> a (N, T),  s_nt = hs_nt · h_n,  a_n = softmax_t(s_n)
        backward(da (N, T)) -> (dhs (N, T, H), dh (N, H)), through the softmax's backward
            ds = a * (da - Σ_t a da)
    """

    def __init__(self) -> None:
        self.params: list[Array] = []
        self.grads: list[Array] = []
        self.cache: tuple[Array, Array, Array] | None = None

    def forward(self, hs: Array, h: Array) -> Array:
        n, _, hidden = hs.shape
        hr = h.reshape(n, 1, hidden)
        a = softmax(np.sum(hs * hr, axis=2))
        self.cache = (hs, hr, a)
        return a

    def backward(self, da: Array) -> tuple[Array, Array]:
        assert self.cache is not None, "forward first"
        hs, hr, a = self.cache
        ds = a * da
        ds -= a * np.sum(ds, axis=1, keepdims=True)
        dt = ds[:, :, np.newaxis]
        return dt * hr, np.sum(dt * hs, axis=1)


class Attention:
    """AttentionWeight then WeightSum: the context vector for one decoder step.

    Notes
    -----
    ``forward(hs, h)`` -> c (N, H), keeping the weights in ``attention_weight`` (N, T).
    ``backward(dout (N, H))`` -> ``(dhs, dh)``: ``hs`` feeds both layers, so its gradient is the
    **sum** of the two paths (WeightSum's and AttentionWeight's).
    """

    def __init__(self) -> None:
        self.params: list[Array] = []
        self.grads: list[Array] = []
        self.attention_weight_layer = AttentionWeight()
        self.weight_sum_layer = WeightSum()
        self.attention_weight: Array | None = None

    def forward(self, hs: Array, h: Array) -> Array:
        a = self.attention_weight_layer.forward(hs, h)
        self.attention_weight = a
        return self.weight_sum_layer.forward(hs, a)

    def backward(self, dout: Array) -> tuple[Array, Array]:
        dhs_sum, da = self.weight_sum_layer.backward(dout)
        dhs_weight, dh = self.attention_weight_layer.backward(da)
        return dhs_sum + dhs_weight, dh


def weighted_sum_value(h1: float, h2: float, h3: float, s1: float, s2: float, s3: float) -> float:
    """The context of three one-dimensional encoder states h_t with scores s_t: Σ_t softmax(s)_t h_t."""
    weights = softmax(np.array([s1, s2, s3], dtype=float))
    return float(weights @ np.array([h1, h2, h3], dtype=float))
