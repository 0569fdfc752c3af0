"""Recurrent networks (再帰型ニューラルネットワーク) as plain functions: RNN over a sequence and BPTT,
one LSTM and GRU step, gradient clipping, parameter counts. The book's layer classes are in
:mod:`reference.rnn_layers` (one step) and :mod:`reference.time_layers` (whole sequences).

Conventions (DLFS2 ``common/time_layers.py``):

* row-vector layout: ``x (N, D) @ Wx (D, H)``, ``h (N, H) @ Wh (H, H)``;
  the Rabbit course's ``3_12_rnn_np.ipynb`` stores (H, D) weights and
  multiplies by ``.T`` instead;
* sequences are batch-first: ``xs (N, T, D)``, ``hs (N, T, H)``;
* gates are packed side by side in one weight matrix, one bias per gate:
  LSTM ``Wx (D, 4H)`` in the order **f, g, i, o**; GRU ``Wx (D, 3H)`` in the
  order **z, r, h̃** (PyTorch packs LSTM as i, f, g, o).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from reference.activations import sigmoid

__all__ = [
    "rnn_cell_forward",
    "rnn_forward",
    "rnn_backward",
    "lstm_cell_forward",
    "gru_cell_forward",
    "clip_grads",
    "clip_rate",
    "rnn_params",
    "lstm_params",
    "gru_params",
]

Array = NDArray[np.floating]


# --------------------------------------------------------------------- RNN


def rnn_cell_forward(x: Array, h_prev: Array, Wx: Array, Wh: Array, b: Array) -> Array:
    """One time step of a simple (Elman) RNN.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev : ndarray of shape (N, H)
    Wx : ndarray of shape (D, H)
    Wh : ndarray of shape (H, H)
    b : ndarray of shape (H,)

    Returns
    -------
    h_next : ndarray of shape (N, H)
        ::

            h_next = tanh(h_prev @ Wh + x @ Wx + b)
    """
    return np.tanh(h_prev @ Wh + x @ Wx + b)


def rnn_forward(xs: Array, h0: Array, Wx: Array, Wh: Array, b: Array) -> Array:
    """Run an RNN over a whole sequence (DLFS2 ``TimeRNN`` shapes).

    Parameters
    ----------
    xs : ndarray of shape (N, T, D)
    h0 : ndarray of shape (N, H)
        Initial hidden state.
    Wx, Wh, b : as :func:`rnn_cell_forward`

    Returns
    -------
    hs : ndarray of shape (N, T, H)
        ::

            h_t = tanh(h_{t-1} @ Wh + x_t @ Wx + b),   t = 0 .. T-1,  h_{-1} = h0
    """
    n, t_len, _ = xs.shape
    hs = np.empty((n, t_len, Wh.shape[0]), dtype=np.result_type(xs, h0, Wx, Wh, b))
    h = h0
    for t in range(t_len):
        h = rnn_cell_forward(xs[:, t, :], h, Wx, Wh, b)
        hs[:, t, :] = h
    return hs


def rnn_backward(
    dhs: Array, xs: Array, h0: Array, Wx: Array, Wh: Array, b: Array,
) -> tuple[Array, Array, Array, Array, Array]:
    """Backpropagation through time (BPTT) for :func:`rnn_forward`.

    Parameters
    ----------
    dhs : ndarray of shape (N, T, H)
        ∂L/∂h_t for every time step (every hidden state feeds the loss, as
        in DLFS2 ``TimeRNN.backward``).
    xs, h0, Wx, Wh, b :
        The forward inputs; the hidden states are recomputed from them.

    Returns
    -------
    dxs : ndarray of shape (N, T, D)
    dh0 : ndarray of shape (N, H)
    dWx : ndarray of shape (D, H)
    dWh : ndarray of shape (H, H)
    db : ndarray of shape (H,)
        Going backwards in time, the gradient reaching h_t is its own
        dhs[:, t] plus what flows back from step t+1; weight gradients are
        summed over all steps::

            dh = dhs[:, t] + dh_from_t+1
            dt = dh * (1 - h_t²)
            dWx += x_t.T @ dt,  dWh += h_{t-1}.T @ dt,  db += Σ_n dt
            dxs[:, t] = dt @ Wx.T,  dh_from_t = dt @ Wh.T
    """
    hs = rnn_forward(xs, h0, Wx, Wh, b)
    n, t_len, _ = xs.shape
    dxs = np.empty(xs.shape, dtype=np.result_type(dhs, Wx))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dh = np.zeros_like(h0, dtype=np.result_type(dhs, h0))
    for t in reversed(range(t_len)):
        h_prev = h0 if t == 0 else hs[:, t - 1, :]
        dt = (dhs[:, t, :] + dh) * (1 - hs[:, t, :] ** 2)
        dWx += xs[:, t, :].T @ dt
        dWh += h_prev.T @ dt
        db += dt.sum(axis=0)
        dxs[:, t, :] = dt @ Wx.T
        dh = dt @ Wh.T
    return dxs, dh, dWx, dWh, db


# -------------------------------------------------------------------- LSTM


def _lstm_gates(x: Array, h_prev: Array, Wx: Array, Wh: Array, b: Array) -> tuple[Array, ...]:
    """Activated gates (f, g, i, o), each (N, H), in the DLFS2 order."""
    hidden = h_prev.shape[1]
    a = x @ Wx + h_prev @ Wh + b  # (N, 4H)
    f = sigmoid(a[:, :hidden])
    g = np.tanh(a[:, hidden:2 * hidden])
    i = sigmoid(a[:, 2 * hidden:3 * hidden])
    o = sigmoid(a[:, 3 * hidden:])
    return f, g, i, o


def lstm_cell_forward(x: Array, h_prev: Array, c_prev: Array, Wx: Array, Wh: Array,
                      b: Array) -> tuple[Array, Array]:
    """One LSTM time step; gate order f, g, i, o (DLFS2).

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev, c_prev : ndarray of shape (N, H)
        Hidden state and cell state (記憶セル).
    Wx : ndarray of shape (D, 4H)
    Wh : ndarray of shape (H, 4H)
    b : ndarray of shape (4H,)
        Columns [0:H] forget gate f, [H:2H] candidate g, [2H:3H] input
        gate i, [3H:4H] output gate o.

    Returns
    -------
    h_next, c_next : ndarray of shape (N, H)
        ::

            A = x @ Wx + h_prev @ Wh + b,  split into A_f, A_g, A_i, A_o
            f = σ(A_f),  g = tanh(A_g),  i = σ(A_i),  o = σ(A_o)
            c_next = f * c_prev + g * i
            h_next = o * tanh(c_next)
    """
    f, g, i, o = _lstm_gates(x, h_prev, Wx, Wh, b)
    c_next = f * c_prev + g * i
    h_next = o * np.tanh(c_next)
    return h_next, c_next


# --------------------------------------------------------------------- GRU


def gru_cell_forward(x: Array, h_prev: Array, Wx: Array, Wh: Array, b: Array) -> Array:
    """One GRU time step, DLFS2 convention (gate order z, r, h̃).

    Parameters
    ----------
    x : ndarray of shape (N, D)
    h_prev : ndarray of shape (N, H)
    Wx : ndarray of shape (D, 3H)
    Wh : ndarray of shape (H, 3H)
    b : ndarray of shape (3H,)
        Columns [0:H] update gate z, [H:2H] reset gate r, [2H:3H]
        candidate h̃; one bias per gate.

    Returns
    -------
    h_next : ndarray of shape (N, H)
        ::

            z  = σ(x @ Wx_z + h_prev @ Wh_z + b_z)
            r  = σ(x @ Wx_r + h_prev @ Wh_r + b_r)
            h̃ = tanh(x @ Wx_h + (r * h_prev) @ Wh_h + b_h)
            h_next = (1 - z) * h_prev + z * h̃

    Notes
    -----
    PyTorch's ``nn.GRU`` gives z the **opposite** role,
    h' = (1 - z) * n + z * h (z keeps the old state), applies r after the
    matrix product, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), and has two
    bias vectors per gate. A question must show which form it means.
    """
    hidden = h_prev.shape[1]
    zr = x @ Wx[:, :2 * hidden] + h_prev @ Wh[:, :2 * hidden] + b[:2 * hidden]
    z = sigmoid(zr[:, :hidden])
    r = sigmoid(zr[:, hidden:])
    h_hat = np.tanh(x @ Wx[:, 2 * hidden:] + (r * h_prev) @ Wh[:, 2 * hidden:] + b[2 * hidden:])
    return (1 - z) * h_prev + z * h_hat


# -------------------------------------------------------- gradient clipping


def clip_grads(grads: Sequence[Array] | Mapping[object, Array], max_norm: float,
               eps: float = 1e-6) -> None:
    """Gradient clipping by the global L2 norm (勾配クリッピング), in place.

    Parameters
    ----------
    grads : list of ndarrays, or dict whose values are ndarrays
        Every array is scaled in place (same objects); nothing is returned.
    max_norm : float
        Threshold for the norm of all gradients taken together.
    eps : float, default 1e-6
        Keeps the rate finite when every gradient is zero.

    Notes
    -----
    One common rate for all arrays keeps the direction of the whole
    gradient (clipping each array separately, or each element with
    ``np.clip``, changes it)::

        total = sqrt(Σ_arrays Σ_elements g²)
        rate  = max_norm / (total + eps)
        if rate < 1:  g <- g * rate   for every array g
    """
    arrays = list(grads.values()) if isinstance(grads, Mapping) else list(grads)
    total = np.sqrt(sum(float(np.sum(np.square(g))) for g in arrays))
    rate = max_norm / (total + eps)
    if rate < 1:
        for g in arrays:
            g *= rate


def clip_rate(total_norm: float, max_norm: float, eps: float = 1e-6) -> float:
    """The factor :func:`clip_grads` multiplies every gradient by (for numeric questions).

    Parameters
    ----------
    total_norm : float
        Global L2 norm of all gradients taken together.
    max_norm : float
        Clipping threshold.
    eps : float, default 1e-6
        As in :func:`clip_grads`; pass 0 for the textbook value max_norm / total_norm.

    Returns
    -------
    float
        ``max_norm / (total_norm + eps)`` when that is below 1, else 1.0 (no clipping).
    """
    rate = max_norm / (total_norm + eps)
    return float(rate) if rate < 1 else 1.0


# -------------------------------------------------------- parameter counts


def rnn_params(input_size: int, hidden_size: int) -> int:
    """Parameters of a simple RNN layer: D*H + H*H + H."""
    return input_size * hidden_size + hidden_size * hidden_size + hidden_size


def lstm_params(input_size: int, hidden_size: int) -> int:
    """Parameters of an LSTM layer, Wx (D, 4H), Wh (H, 4H), b (4H,).

    Returns
    -------
    int
        ::

            4 (D H + H² + H)      (PyTorch, with two biases per gate: 4 (D H + H² + 2H))
    """
    return 4 * rnn_params(input_size, hidden_size)


def gru_params(input_size: int, hidden_size: int) -> int:
    """Parameters of a GRU layer, Wx (D, 3H), Wh (H, 3H), b (3H,).

    Returns
    -------
    int
        ::

            3 (D H + H² + H)      e.g. D = 10, H = 20 -> 1860
                                  (PyTorch, two biases per gate: 3 (D H + H² + 2H) = 1920)
    """
    return 3 * rnn_params(input_size, hidden_size)
