"""Tests for reference.rnn: BPTT and LSTM backward vs numerical gradients, gate conventions, clipping."""

import numpy as np
import pytest

from reference.gradient import numerical_gradient
from reference.rnn import (
    clip_grads,
    gru_cell_forward,
    gru_params,
    lstm_cell_forward,
    lstm_params,
    rnn_backward,
    rnn_cell_forward,
    rnn_forward,
    rnn_params,
)
from reference.rnn_layers import LSTM, RNN

RNG = np.random.default_rng(6)


def sig(v):
    return 1 / (1 + np.exp(-v))


def rnn_arrays(n=3, d=2, h=5):
    return (RNG.normal(size=(n, d)), RNG.normal(size=(n, h)),
            RNG.normal(size=(d, h)) * 0.5, RNG.normal(size=(h, h)) * 0.5, RNG.normal(size=h))


# -------------------------------------------------------------------- RNN


def test_rnn_cell_closed_form():
    x, h, Wx, Wh, b = rnn_arrays()
    np.testing.assert_allclose(rnn_cell_forward(x, h, Wx, Wh, b), np.tanh(x @ Wx + h @ Wh + b))


def test_rnn_backward_hand_value_q35():
    # h_next = tanh([0.5, -1.2]), dh_next = 1 -> dt = 1 - h_next² = [0.78644773, 0.30502]
    layer = RNN(np.zeros((1, 2)), np.zeros((2, 2)), np.array([0.5, -1.2]))
    layer.forward(np.zeros((1, 1)), np.zeros((1, 2)))
    layer.backward(np.ones((1, 2)))
    np.testing.assert_allclose(layer.db, [0.78644773, 0.30502], atol=1e-5)


def test_rnn_layer_backward_against_numerical_gradient():
    x, h, Wx, Wh, b = rnn_arrays()
    layer = RNN(Wx, Wh, b)
    R = RNG.normal(size=(3, 5))
    layer.forward(x, h)
    dx, dh_prev = layer.backward(R)
    loss = lambda _: np.sum(rnn_cell_forward(x, h, Wx, Wh, b) * R)
    for analytic, arr in [(dx, x), (dh_prev, h), (layer.dWx, Wx), (layer.dWh, Wh), (layer.db, b)]:
        np.testing.assert_allclose(analytic, numerical_gradient(loss, arr), atol=1e-7)


def test_rnn_forward_sequence_shapes_and_recurrence():
    N, T, D, H = 3, 4, 2, 5
    xs = RNG.normal(size=(N, T, D))
    _, h0, Wx, Wh, b = rnn_arrays(N, D, H)
    hs = rnn_forward(xs, h0, Wx, Wh, b)
    assert hs.shape == (N, T, H)
    h = h0
    for t in range(T):
        h = np.tanh(xs[:, t] @ Wx + h @ Wh + b)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12)
    np.testing.assert_allclose(rnn_forward(xs[:, :1], h0, Wx, Wh, b)[:, 0], rnn_cell_forward(xs[:, 0], h0, Wx, Wh, b))
    assert not np.allclose(rnn_forward(xs, np.zeros_like(h0), Wx, Wh, b), hs)  # h0 is used


def test_rnn_backward_bptt_against_numerical_gradient():
    N, T, D, H = 2, 4, 3, 4
    xs = RNG.normal(size=(N, T, D))
    h0 = RNG.normal(size=(N, H))
    Wx, Wh, b = RNG.normal(size=(D, H)) * 0.5, RNG.normal(size=(H, H)) * 0.5, RNG.normal(size=H)
    R = RNG.normal(size=(N, T, H))
    saved = [a.copy() for a in (xs, h0, Wx, Wh, b, R)]
    grads = rnn_backward(R, xs, h0, Wx, Wh, b)
    for a, s in zip((xs, h0, Wx, Wh, b, R), saved, strict=True):
        np.testing.assert_array_equal(a, s)
    loss = lambda _: np.sum(rnn_forward(xs, h0, Wx, Wh, b) * R)
    for analytic, arr in zip(grads, (xs, h0, Wx, Wh, b), strict=True):
        assert analytic.shape == arr.shape
        np.testing.assert_allclose(analytic, numerical_gradient(loss, arr), atol=1e-7)


# ------------------------------------------------------------------- LSTM


def lstm_arrays(n=2, d=3, h=4):
    return (RNG.normal(size=(n, d)), RNG.normal(size=(n, h)), RNG.normal(size=(n, h)),
            RNG.normal(size=(d, 4 * h)) * 0.5, RNG.normal(size=(h, 4 * h)) * 0.5, RNG.normal(size=4 * h))


def test_lstm_cell_gate_order_f_g_i_o_q36():
    x, h, c, Wx, Wh, b = lstm_arrays()
    H = 4
    A = x @ Wx + h @ Wh + b
    f, g, i, o = sig(A[:, :H]), np.tanh(A[:, H:2 * H]), sig(A[:, 2 * H:3 * H]), sig(A[:, 3 * H:])
    h_next, c_next = lstm_cell_forward(x, h, c, Wx, Wh, b)
    np.testing.assert_allclose(c_next, f * c + g * i, rtol=1e-12)
    np.testing.assert_allclose(h_next, o * np.tanh(f * c + g * i), rtol=1e-12)
    # distractors of Q36 give other values
    assert not np.allclose(c_next, f * c + o * g)
    assert not np.allclose(c_next, i * c + f * g)


def test_lstm_forget_gate_is_the_first_block():
    H = 2
    b = np.zeros(4 * H)
    b[:H] = -50.0  # f ≈ 0: the old memory is forgotten
    b[2 * H:3 * H] = 50.0  # i ≈ 1
    zeros = np.zeros((1, 1))
    _, c_next = lstm_cell_forward(zeros, np.zeros((1, H)), np.array([[5.0, -5.0]]),
                                  np.zeros((1, 4 * H)), np.zeros((H, 4 * H)), b)
    np.testing.assert_allclose(c_next, 0.0, atol=1e-12)  # g = tanh(0) = 0


def test_lstm_layer_backward_against_numerical_gradient():
    x, h, c, Wx, Wh, b = lstm_arrays()
    layer = LSTM(Wx, Wh, b)
    h_next, c_next = layer.forward(x, h, c)
    np.testing.assert_allclose((h_next, c_next), lstm_cell_forward(x, h, c, Wx, Wh, b))
    R1, R2 = RNG.normal(size=h.shape), RNG.normal(size=c.shape)
    dx, dh, dc = layer.backward(R1, R2)

    def loss(_):
        hn, cn = lstm_cell_forward(x, h, c, Wx, Wh, b)
        return np.sum(hn * R1) + np.sum(cn * R2)

    for analytic, arr in [(dx, x), (dh, h), (dc, c), (layer.grads[0], Wx), (layer.grads[1], Wh), (layer.grads[2], b)]:
        np.testing.assert_allclose(analytic, numerical_gradient(loss, arr), atol=1e-7)


# -------------------------------------------------------------------- GRU


def test_gru_cell_formula_dlfs2_convention():
    n, d, H = 2, 3, 4
    x, h = RNG.normal(size=(n, d)), RNG.normal(size=(n, H))
    Wx, Wh, b = RNG.normal(size=(d, 3 * H)), RNG.normal(size=(H, 3 * H)), RNG.normal(size=3 * H)
    z = sig(x @ Wx[:, :H] + h @ Wh[:, :H] + b[:H])
    r = sig(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H] + b[H:2 * H])
    h_hat = np.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:] + b[2 * H:])
    np.testing.assert_allclose(gru_cell_forward(x, h, Wx, Wh, b), (1 - z) * h + z * h_hat, rtol=1e-12)


def test_gru_z_near_zero_keeps_the_old_state():
    H = 2
    b = np.zeros(3 * H)
    b[:H] = -50.0  # z ≈ 0 -> h_next ≈ h_prev in the DLFS2 form (PyTorch would give the candidate)
    b[2 * H:] = 3.0
    h_prev = np.array([[0.3, -0.7]])
    out = gru_cell_forward(np.ones((1, 1)), h_prev, np.zeros((1, 3 * H)), np.zeros((H, 3 * H)), b)
    np.testing.assert_allclose(out, h_prev, atol=1e-12)


def test_parameter_counts_q37():
    assert gru_params(10, 20) == 1860
    assert lstm_params(10, 20) == 2480
    assert rnn_params(10, 20) == 620
    # equal to the sizes of the packed arrays
    D, H = 7, 3
    assert lstm_params(D, H) == np.zeros((D, 4 * H)).size + np.zeros((H, 4 * H)).size + 4 * H


# --------------------------------------------------------------- clipping


def test_clip_grads_global_norm_in_place_q38():
    a, b = np.array([3.0, 4.0]), np.array([[12.0]])
    grads = [a, b]
    assert clip_grads(grads, 6.5) is None
    assert grads[0] is a and grads[1] is b
    np.testing.assert_allclose(a, [1.5, 2.0], rtol=1e-6)  # one rate for all: direction kept
    np.testing.assert_allclose(b, [[6.0]], rtol=1e-6)
    total = np.sqrt(np.sum(a ** 2) + np.sum(b ** 2))
    assert total == pytest.approx(6.5, rel=1e-6)


def test_clip_grads_below_threshold_untouched_and_zeros_and_dict():
    a = np.array([0.3, 0.4])
    saved = a.copy()
    clip_grads([a], 1.0)
    assert a.tobytes() == saved.tobytes()
    z = np.zeros(3)
    clip_grads([z], 1.0)
    assert np.all(z == 0)
    d = {"W": np.array([30.0, 40.0], dtype=np.float32)}
    clip_grads(d, 5.0)
    assert d["W"].dtype == np.float32
    np.testing.assert_allclose(d["W"], [3.0, 4.0], rtol=1e-6)


def test_clip_rate_matches_clip_grads():
    from reference.rnn import clip_rate

    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]
    clip_grads(grads, 6.5)
    assert np.allclose(grads[0], np.array([3.0, 4.0]) * clip_rate(13.0, 6.5))
    assert clip_rate(13.0, 6.5, eps=0.0) == 0.5
    assert clip_rate(5.0, 6.5) == 1.0
