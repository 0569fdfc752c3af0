"""One time step of the recurrent layers of 「ゼロから作る Deep Learning ❷」 (``common/time_layers.py``):
``RNN``, ``LSTM`` and ``GRU``, forward and backward.

Conventions of that book:

* row-vector layout, ``x (N, D) @ Wx``, ``h (N, H) @ Wh``;
* ``RNN`` and ``LSTM`` hold ``params = [Wx, Wh, b]`` (the caller's arrays) and
  ``grads = [dWx, dWh, db]``, created once with ``np.zeros_like`` and written in place by every
  backward (``grads[0][...] = dWx``);
* LSTM packs its four affine maps side by side, ``Wx (D, 4H)``, in the order **f, g, i, o**
  (forget, candidate, input, output; PyTorch packs i, f, g, o);
* the book's ``GRU(Wx, Wh)`` has **no bias**, packs ``Wx (D, 3H)`` as **z, r, h̃**, applies the
  reset gate before the product (``(r * h_prev) @ Wh_h``), mixes ``(1 - z) * h_prev + z * h̃``
  (Cho et al. (2014) and PyTorch give z the other role), and keeps its gradients as the
  attributes ``dWx``, ``dWh`` instead of ``grads``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reference.activations import sigmoid

__all__ = ["RNN", "LSTM", "GRU"]

Array = NDArray[np.floating]


class RNN:
    """One step of a simple (Elman) RNN.

    Parameters
    ----------
    Wx : ndarray of shape (D, H)
    Wh : ndarray of shape (H, H)
    b : ndarray of shape (H,)

    Notes
    -----
    ::

        forward(x (N, D), h_prev (N, H)) -> h_next = tanh(h_prev @ Wh + x @ Wx + b)   (N, H)
        backward(dh_next) -> (dx (N, D), dh_prev (N, H)), with dt = dh_next * (1 - h_next²):
            grads = [x.T @ dt, h_prev.T @ dt, Σ_n dt];  dx = dt @ Wx.T;  dh_prev = dt @ Wh.T

    ``dWx``, ``dWh`` and ``db`` name the same arrays as ``grads``, for code that reads them by name.
    """

    def __init__(self, Wx: Array, Wh: Array, b: Array) -> None:
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache: tuple[Array, Array, Array] | None = None

    dWx = property(lambda self: self.grads[0])
    dWh = property(lambda self: self.grads[1])
    db = property(lambda self: self.grads[2])

    def forward(self, x: Array, h_prev: Array) -> Array:
        Wx, Wh, b = self.params
        h_next = np.tanh(h_prev @ Wh + x @ Wx + b)
        self.cache = (x, h_prev, h_next)
        return h_next

    def backward(self, dh_next: Array) -> tuple[Array, Array]:
        Wx, Wh, _ = self.params
        assert self.cache is not None, "forward first"
        x, h_prev, h_next = self.cache
        dt = dh_next * (1 - h_next**2)  # tanh'(u) written with the output
        self.grads[0][...] = x.T @ dt
        self.grads[1][...] = h_prev.T @ dt
        self.grads[2][...] = dt.sum(axis=0)
        return dt @ Wx.T, dt @ Wh.T


class LSTM:
    """One LSTM step; gates packed f, g, i, o.

    Parameters
    ----------
    Wx : ndarray of shape (D, 4H)
    Wh : ndarray of shape (H, 4H)
    b : ndarray of shape (4H,)
        Columns [0:H] forget gate f, [H:2H] candidate g, [2H:3H] input gate i, [3H:4H] output gate o.

    Notes
    -----
    ::

        A = x @ Wx + h_prev @ Wh + b;  f, i, o = σ(A_f), σ(A_i), σ(A_o);  g = tanh(A_g)
        c_next = f * c_prev + g * i;   h_next = o * tanh(c_next)
        backward(dh_next, dc_next) -> (dx, dh_prev, dc_prev), with
            ds = dc_next + dh_next * o * (1 - tanh(c_next)²),   dc_prev = ds * f
            dA = [ds c_prev f(1-f), ds i (1-g²), ds g i(1-i), dh_next tanh(c_next) o(1-o)]
            grads = [x.T @ dA, h_prev.T @ dA, Σ_n dA];  dx = dA @ Wx.T;  dh_prev = dA @ Wh.T
    """

    def __init__(self, Wx: Array, Wh: Array, b: Array) -> None:
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache: tuple[Array, ...] | None = None

    def forward(self, x: Array, h_prev: Array, c_prev: Array) -> tuple[Array, Array]:
        Wx, Wh, b = self.params
        hidden = h_prev.shape[1]
        a = x @ Wx + h_prev @ Wh + b
        f = sigmoid(a[:, :hidden])
        g = np.tanh(a[:, hidden:2 * hidden])
        i = sigmoid(a[:, 2 * hidden:3 * hidden])
        o = sigmoid(a[:, 3 * hidden:])
        c_next = f * c_prev + g * i
        tanh_c = np.tanh(c_next)
        self.cache = (x, h_prev, c_prev, f, g, i, o, tanh_c)
        return o * tanh_c, c_next

    def backward(self, dh_next: Array, dc_next: Array) -> tuple[Array, Array, Array]:
        Wx, Wh, _ = self.params
        assert self.cache is not None, "forward first"
        x, h_prev, c_prev, f, g, i, o, tanh_c = self.cache
        ds = dc_next + dh_next * o * (1 - tanh_c**2)  # the cell state's gradient, from both paths
        dA = np.hstack((
            ds * c_prev * f * (1 - f),
            ds * i * (1 - g**2),
            ds * g * i * (1 - i),
            dh_next * tanh_c * o * (1 - o),
        ))
        self.grads[0][...] = x.T @ dA
        self.grads[1][...] = h_prev.T @ dA
        self.grads[2][...] = dA.sum(axis=0)
        return dA @ Wx.T, dA @ Wh.T, ds * f


class GRU:
    """One GRU step in the book's form (no bias; gates z, r, h̃).

    Parameters
    ----------
    Wx : ndarray of shape (D, 3H)
    Wh : ndarray of shape (H, 3H)
        Columns [0:H] update gate z, [H:2H] reset gate r, [2H:3H] candidate h̃.

    Notes
    -----
    ::

        z = σ(x Wx_z + h_prev Wh_z),  r = σ(x Wx_r + h_prev Wh_r)
        h̃ = tanh(x Wx_h + (r * h_prev) Wh_h)
        h_next = (1 - z) * h_prev + z * h̃
        backward(dh_next) -> (dx (N, D), dh_prev (N, H)); sets dWx (D, 3H), dWh (H, 3H)
    """

    def __init__(self, Wx: Array, Wh: Array) -> None:
        self.Wx, self.Wh = Wx, Wh
        self.dWx: Array | None = None
        self.dWh: Array | None = None
        self.cache: tuple[Array, ...] | None = None

    def _split(self) -> tuple[Array, ...]:
        hidden = self.Wh.shape[0]
        return tuple(w[:, k * hidden:(k + 1) * hidden] for w in (self.Wx, self.Wh) for k in range(3))

    def forward(self, x: Array, h_prev: Array) -> Array:
        Wxz, Wxr, Wxh, Whz, Whr, Whh = self._split()
        z = sigmoid(x @ Wxz + h_prev @ Whz)
        r = sigmoid(x @ Wxr + h_prev @ Whr)
        h_hat = np.tanh(x @ Wxh + (r * h_prev) @ Whh)
        self.cache = (x, h_prev, z, r, h_hat)
        return (1 - z) * h_prev + z * h_hat

    def backward(self, dh_next: Array) -> tuple[Array, Array]:
        Wxz, Wxr, Wxh, Whz, Whr, Whh = self._split()
        assert self.cache is not None, "forward first"
        x, h_prev, z, r, h_hat = self.cache
        dt_h = dh_next * z * (1 - h_hat**2)  # through the candidate's tanh
        d_rh = dt_h @ Whh.T  # gradient reaching r * h_prev
        dt_z = dh_next * (h_hat - h_prev) * z * (1 - z)
        dt_r = d_rh * h_prev * r * (1 - r)
        dh_prev = dh_next * (1 - z) + r * d_rh + dt_z @ Whz.T + dt_r @ Whr.T
        dx = dt_h @ Wxh.T + dt_z @ Wxz.T + dt_r @ Wxr.T
        self.dWx = np.hstack((x.T @ dt_z, x.T @ dt_r, x.T @ dt_h))
        self.dWh = np.hstack((h_prev.T @ dt_z, h_prev.T @ dt_r, (r * h_prev).T @ dt_h))
        return dx, dh_prev
