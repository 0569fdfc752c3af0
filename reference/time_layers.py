"""Layers over whole sequences in the interface of 「ゼロから作る Deep Learning ❷」 (``common/time_layers.py``):
``TimeRNN``, ``TimeLSTM`` (forward, BPTT backward, ``stateful``) and ``TimeSoftmaxWithLoss``.

Conventions of that book:

* sequences are batch-first, ``xs (N, T, D)``, ``hs (N, T, H)``;
* ``params``/``grads`` lists as the one-step layers (:mod:`reference.rnn_layers`); the gradient of
  a weight is the **sum over time** of the steps' gradients, written into ``grads[i]`` in place;
* ``stateful=True`` keeps the last hidden state ``h`` (and LSTM's cell ``c``) from one forward call
  to the next (Truncated BPTT over consecutive blocks of a long sequence); ``stateful=False``
  starts every call from zeros. ``set_state`` / ``reset_state`` set or forget it;
* after backward, ``dh`` is the gradient reaching the initial hidden state;
* the book stores ``hs`` and ``dxs`` as float32 (``dtype='f'``); these references keep the
  dtype of the inputs, and the questions compare with a tolerance that admits both.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reference.activations import softmax
from reference.rnn_layers import LSTM, RNN

__all__ = ["TimeRNN", "TimeLSTM", "TimeSoftmaxWithLoss", "time_softmax_loss"]

Array = NDArray[np.floating]


class TimeRNN:
    """T steps of :class:`reference.rnn_layers.RNN` sharing ``Wx (D, H)``, ``Wh (H, H)``, ``b (H,)``.

    Notes
    -----
    ::

        forward(xs (N, T, D)) -> hs (N, T, H);  h = last hidden state (N, H)
        backward(dhs (N, T, H)) -> dxs (N, T, D); walking t = T-1 .. 0 the step receives
            dhs[:, t] + (gradient flowing back from step t+1);  dh = gradient reaching h0
    """

    def __init__(self, Wx: Array, Wh: Array, b: Array, stateful: bool = False) -> None:
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers: list[RNN] = []
        self.h: Array | None = None
        self.dh: Array | None = None
        self.stateful = stateful

    def forward(self, xs: Array) -> Array:
        Wx, Wh, b = self.params
        n, steps, _ = xs.shape
        hidden = Wx.shape[1]
        if not self.stateful or self.h is None:
            self.h = np.zeros((n, hidden), dtype=np.result_type(xs, Wx))
        hs = np.empty((n, steps, hidden), dtype=np.result_type(xs, Wx))
        self.layers = []
        for t in range(steps):
            layer = RNN(Wx, Wh, b)
            self.h = layer.forward(xs[:, t, :], self.h)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs: Array) -> Array:
        Wx = self.params[0]
        n, steps, _ = dhs.shape
        dxs = np.empty((n, steps, Wx.shape[0]), dtype=np.result_type(dhs, Wx))
        totals = [np.zeros_like(g) for g in self.grads]
        dh: Array | float = 0.0
        for t in reversed(range(steps)):
            layer = self.layers[t]
            dxs[:, t, :], dh = layer.backward(dhs[:, t, :] + dh)
            for total, grad in zip(totals, layer.grads):
                total += grad
        for grad, total in zip(self.grads, totals):
            grad[...] = total
        self.dh = np.asarray(dh)
        return dxs

    def set_state(self, h: Array) -> None:
        self.h = h

    def reset_state(self) -> None:
        self.h = None


class TimeLSTM:
    """T steps of :class:`reference.rnn_layers.LSTM` sharing ``Wx (D, 4H)``, ``Wh (H, 4H)``, ``b (4H,)``.

    Notes
    -----
    As :class:`TimeRNN`, with the cell state ``c`` carried alongside ``h`` (both kept when
    stateful) and its gradient ``dc`` flowing back from step t+1 into step t (0 after the last
    step: the loss sees only the hidden states).
    """

    def __init__(self, Wx: Array, Wh: Array, b: Array, stateful: bool = False) -> None:
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.layers: list[LSTM] = []
        self.h: Array | None = None
        self.c: Array | None = None
        self.dh: Array | None = None
        self.stateful = stateful

    def forward(self, xs: Array) -> Array:
        Wx, Wh, b = self.params
        n, steps, _ = xs.shape
        hidden = Wh.shape[0]
        dtype = np.result_type(xs, Wx)
        if not self.stateful or self.h is None:
            self.h = np.zeros((n, hidden), dtype=dtype)
        if not self.stateful or self.c is None:
            self.c = np.zeros((n, hidden), dtype=dtype)
        hs = np.empty((n, steps, hidden), dtype=dtype)
        self.layers = []
        for t in range(steps):
            layer = LSTM(Wx, Wh, b)
            self.h, self.c = layer.forward(xs[:, t, :], self.h, self.c)
            hs[:, t, :] = self.h
            self.layers.append(layer)
        return hs

    def backward(self, dhs: Array) -> Array:
        Wx = self.params[0]
        n, steps, _ = dhs.shape
        dxs = np.empty((n, steps, Wx.shape[0]), dtype=np.result_type(dhs, Wx))
        totals = [np.zeros_like(g) for g in self.grads]
        dh: Array | float = 0.0
        dc: Array | float = 0.0
        for t in reversed(range(steps)):
            layer = self.layers[t]
            dxs[:, t, :], dh, dc = layer.backward(dhs[:, t, :] + dh, dc)
            for total, grad in zip(totals, layer.grads):
                total += grad
        for grad, total in zip(self.grads, totals):
            grad[...] = total
        self.dh = np.asarray(dh)
        return dxs

    def set_state(self, h: Array, c: Array | None = None) -> None:
        self.h, self.c = h, c

    def reset_state(self) -> None:
        self.h, self.c = None, None


class TimeSoftmaxWithLoss:
    """Softmax + cross-entropy at every time step, averaged over the N·T positions.

    Notes
    -----
    ``forward(xs (N, T, V), ts)``: ``ts`` holds word ids (N, T), or one-hot vectors (N, T, V);
    positions whose label is ``ignore_label`` (-1, e.g. padding) count neither in the loss nor in
    the mean. The log has no ``+ 1e-7`` in the book (the softmax is shifted by the row maximum).
    ``backward(dout=1)`` -> dxs (N, T, V) = (softmax(xs) - one_hot(ts)) * dout / (positions
    counted), 0 at ignored positions.

    The book's backward writes into its cached softmax (``dx = ys``), so a second backward after
    one forward gives another result; this one does not.
    """

    def __init__(self) -> None:
        self.params: list[Array] = []
        self.grads: list[Array] = []
        self.cache: tuple[NDArray[np.integer], Array, NDArray[np.bool_], tuple[int, int, int]] | None = None
        self.ignore_label = -1

    def forward(self, xs: Array, ts: NDArray[np.integer]) -> float:
        n, steps, vocab = xs.shape
        labels = ts.argmax(axis=2) if ts.ndim == 3 else ts
        flat = labels.reshape(n * steps)
        mask = flat != self.ignore_label
        ys = softmax(xs.reshape(n * steps, vocab))
        labels = np.where(mask, flat, 0)  # any valid index at ignored positions: they are masked out
        self.cache = (labels, ys, mask, (n, steps, vocab))
        return float(-np.sum(np.log(ys[np.arange(n * steps), labels][mask])) / mask.sum())

    def backward(self, dout: float = 1) -> Array:
        assert self.cache is not None, "forward first"
        labels, ys, mask, (n, steps, vocab) = self.cache
        dx = ys.copy()
        dx[np.arange(n * steps), labels] -= 1
        dx *= dout / mask.sum()
        dx *= mask[:, np.newaxis]
        return dx.reshape(n, steps, vocab)


def time_softmax_loss(xs: Array, ts: NDArray[np.integer]) -> float:
    """The loss :class:`TimeSoftmaxWithLoss` returns for ``xs`` and ``ts`` (ignore_label -1)."""
    return TimeSoftmaxWithLoss().forward(xs, ts)
