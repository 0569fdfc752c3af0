"""Tests for the layers in the interface of DLFS2 (reference.word2vec_layers, rnn_layers, time_layers,
attention_layers): every backward against a numerical gradient of its forward, hand values, and the
in-place and stateful rules of the book."""

import numpy as np
import pytest

from reference.attention_layers import Attention, AttentionWeight, WeightSum, weighted_sum_value
from reference.gradient import numerical_gradient
from reference.rnn_layers import GRU, LSTM, RNN
from reference.time_layers import TimeLSTM, TimeRNN, TimeSoftmaxWithLoss, time_softmax_loss
from reference.word2vec_layers import Embedding, EmbeddingDot, MatMul, SigmoidWithLoss, sigmoid_with_loss

RNG = np.random.default_rng(1234)


def normal(*shape, scale=1.0):
    return RNG.normal(size=shape) * scale


def check_grad(analytic, loss, arr, atol=1e-6):
    np.testing.assert_allclose(analytic, numerical_gradient(loss, arr), atol=atol)


# ----------------------------------------------------------------- word2vec


def test_matmul_backward_writes_into_the_same_array():
    W, x, dout = normal(3, 4), normal(2, 3), normal(2, 4)
    layer = MatMul(W)
    held = layer.grads[0]
    np.testing.assert_allclose(layer.forward(x), x @ W)
    dx = layer.backward(dout)
    assert layer.params[0] is W and layer.grads[0] is held
    loss = lambda _: np.sum(x @ W * dout)
    check_grad(dx, loss, x)
    check_grad(held, loss, W)


def test_sigmoid_with_loss_by_hand_and_gradient():
    x = np.array([0.0, 2.0])
    t = np.array([1, 0])
    # p = [σ(0), 1 - σ(2)] = [0.5, 0.11920292]
    expected = -(np.log(0.5 + 1e-7) + np.log(0.11920292202 + 1e-7)) / 2
    layer = SigmoidWithLoss()
    assert layer.forward(x, t) == pytest.approx(expected, rel=1e-9)
    dx = layer.backward(3.0)
    xs = x.copy()
    check_grad(dx, lambda _: 3.0 * sigmoid_with_loss(xs, t, eps=0.0), xs)


def test_embedding_adds_repeated_rows():
    W = normal(5, 3)
    idx = np.array([1, 3, 1, 1])
    layer = Embedding(W)
    np.testing.assert_array_equal(layer.forward(idx), W[idx])
    dout = normal(4, 3)
    held = layer.grads[0]
    assert layer.backward(dout) is None
    assert layer.grads[0] is held
    np.testing.assert_allclose(held[1], dout[0] + dout[2] + dout[3])
    np.testing.assert_allclose(held[3], dout[1])
    assert not held[[0, 2, 4]].any()
    layer.backward(dout)  # zeroed first: a second call does not accumulate
    np.testing.assert_allclose(held[1], dout[0] + dout[2] + dout[3])


def test_embedding_dot_against_numerical_gradient():
    W, h, idx, dout = normal(6, 4), normal(5, 4), np.array([0, 2, 2, 5, 0]), normal(5)
    layer = EmbeddingDot(W)
    out = layer.forward(h, idx)
    np.testing.assert_allclose(out, np.einsum("nd,nd->n", W[idx], h))
    dh = layer.backward(dout)
    assert layer.params[0] is W and layer.grads is layer.embed.grads
    loss = lambda _: np.sum(np.einsum("nd,nd->n", W[idx], h) * dout)
    check_grad(dh, loss, h)
    check_grad(layer.grads[0], loss, W)


# -------------------------------------------------------------- recurrent


def test_rnn_step_gradients_and_aliases():
    Wx, Wh, b, x, h = normal(3, 4), normal(4, 4, scale=0.5), normal(4), normal(2, 3), normal(2, 4)
    layer = RNN(Wx, Wh, b)
    R = normal(2, 4)
    layer.forward(x, h)
    dx, dh = layer.backward(R)
    loss = lambda _: np.sum(np.tanh(h @ Wh + x @ Wx + b) * R)
    for analytic, arr in [(dx, x), (dh, h), *zip(layer.grads, (Wx, Wh, b))]:
        check_grad(analytic, loss, arr)
    assert layer.dWx is layer.grads[0] and layer.db is layer.grads[2]


def lstm_forward(x, h, c, Wx, Wh, b):
    H = h.shape[1]
    A = x @ Wx + h @ Wh + b
    sig = lambda v: 1 / (1 + np.exp(-v))
    f, g, i, o = sig(A[:, :H]), np.tanh(A[:, H:2 * H]), sig(A[:, 2 * H:3 * H]), sig(A[:, 3 * H:])
    c2 = f * c + g * i
    return o * np.tanh(c2), c2


def test_lstm_step_gate_order_and_gradients():
    D, H = 3, 2
    Wx, Wh, b = normal(D, 4 * H, scale=0.5), normal(H, 4 * H, scale=0.5), normal(4 * H)
    x, h, c = normal(2, D), normal(2, H), normal(2, H)
    layer = LSTM(Wx, Wh, b)
    hn, cn = layer.forward(x, h, c)
    np.testing.assert_allclose((hn, cn), lstm_forward(x, h, c, Wx, Wh, b))
    R1, R2 = normal(2, H), normal(2, H)
    dx, dh, dc = layer.backward(R1, R2)

    def loss(_):
        a, b2 = lstm_forward(x, h, c, Wx, Wh, b)
        return np.sum(a * R1) + np.sum(b2 * R2)

    for analytic, arr in [(dx, x), (dh, h), (dc, c), *zip(layer.grads, (Wx, Wh, b))]:
        check_grad(analytic, loss, arr)


def test_gru_book_form_and_gradients():
    D, H = 3, 4
    Wx, Wh, x, h = normal(D, 3 * H, scale=0.5), normal(H, 3 * H, scale=0.5), normal(2, D), normal(2, H)
    layer = GRU(Wx, Wh)
    sig = lambda v: 1 / (1 + np.exp(-v))

    def forward(_=None):
        z = sig(x @ Wx[:, :H] + h @ Wh[:, :H])
        r = sig(x @ Wx[:, H:2 * H] + h @ Wh[:, H:2 * H])
        hh = np.tanh(x @ Wx[:, 2 * H:] + (r * h) @ Wh[:, 2 * H:])
        return (1 - z) * h + z * hh

    np.testing.assert_allclose(layer.forward(x, h), forward())
    R = normal(2, H)
    dx, dh = layer.backward(R)
    loss = lambda _: np.sum(forward() * R)
    for analytic, arr in [(dx, x), (dh, h), (layer.dWx, Wx), (layer.dWh, Wh)]:
        check_grad(analytic, loss, arr)


def time_rnn_loss(xs, Wx, Wh, b, R, h0=None):
    N, T, _ = xs.shape
    h = np.zeros((N, Wh.shape[0])) if h0 is None else h0
    total = 0.0
    for t in range(T):
        h = np.tanh(h @ Wh + xs[:, t] @ Wx + b)
        total += np.sum(h * R[:, t])
    return total


def test_time_rnn_bptt_against_numerical_gradient():
    N, T, D, H = 2, 4, 3, 3
    xs, Wx, Wh, b, R = normal(N, T, D), normal(D, H, scale=0.5), normal(H, H, scale=0.5), normal(H), normal(N, T, H)
    layer = TimeRNN(Wx, Wh, b)
    held = list(layer.grads)
    layer.forward(xs)
    dxs = layer.backward(R)
    loss = lambda _: time_rnn_loss(xs, Wx, Wh, b, R)
    for analytic, arr in [(dxs, xs), *zip(held, (Wx, Wh, b))]:
        check_grad(analytic, loss, arr)
    assert all(a is g for a, g in zip(held, layer.grads))


def test_time_rnn_stateful_keeps_h_and_dh_is_the_initial_state_gradient():
    N, T, D, H = 2, 3, 2, 3
    Wx, Wh, b = normal(D, H), normal(H, H, scale=0.5), normal(H)
    first, second = normal(N, T, D), normal(N, T, D)
    whole = TimeRNN(Wx, Wh, b).forward(np.concatenate([first, second], axis=1))
    stateful = TimeRNN(Wx, Wh, b, stateful=True)
    stateful.forward(first)
    np.testing.assert_allclose(stateful.forward(second), whole[:, T:])
    stateless = TimeRNN(Wx, Wh, b)
    stateless.forward(first)
    np.testing.assert_allclose(stateless.forward(second), TimeRNN(Wx, Wh, b).forward(second))
    h0 = normal(N, H)
    layer = TimeRNN(Wx, Wh, b, stateful=True)
    layer.set_state(h0)
    layer.forward(first)
    R = normal(N, T, H)
    layer.backward(R)
    check_grad(layer.dh, lambda _: time_rnn_loss(first, Wx, Wh, b, R, h0), h0)


def test_time_lstm_bptt_and_state():
    N, T, D, H = 2, 3, 2, 2
    Wx, Wh, b = normal(D, 4 * H, scale=0.5), normal(H, 4 * H, scale=0.5), normal(4 * H)
    xs, R = normal(N, T, D), normal(N, T, H)

    def loss(_=None):
        h = c = np.zeros((N, H))
        total = 0.0
        for t in range(T):
            h, c = lstm_forward(xs[:, t], h, c, Wx, Wh, b)
            total += np.sum(h * R[:, t])
        return total

    layer = TimeLSTM(Wx, Wh, b)
    layer.forward(xs)
    dxs = layer.backward(R)
    for analytic, arr in [(dxs, xs), *zip(layer.grads, (Wx, Wh, b))]:
        check_grad(analytic, loss, arr)
    stateful = TimeLSTM(Wx, Wh, b, stateful=True)
    stateful.forward(xs[:, :1])
    np.testing.assert_allclose(stateful.forward(xs[:, 1:]), TimeLSTM(Wx, Wh, b).forward(xs)[:, 1:])


def test_time_softmax_with_loss_ignore_label_and_gradient():
    N, T, V = 2, 3, 4
    xs = normal(N, T, V)
    ts = RNG.integers(0, V, size=(N, T))
    ts[1, 2] = -1
    layer = TimeSoftmaxWithLoss()
    loss = layer.forward(xs, ts)
    ys = np.exp(xs) / np.exp(xs).sum(axis=2, keepdims=True)
    by_hand = -sum(np.log(ys[n, t, ts[n, t]]) for n in range(N) for t in range(T) if ts[n, t] >= 0) / 5
    assert loss == pytest.approx(by_hand, rel=1e-10)
    dx = layer.backward(2.0)
    check_grad(dx, lambda _: 2.0 * time_softmax_loss(xs, ts), xs)
    assert not dx[1, 2].any()
    np.testing.assert_allclose(layer.backward(2.0), dx)  # no state is consumed
    one_hot = np.eye(V)[np.where(ts < 0, 0, ts)]
    assert TimeSoftmaxWithLoss().forward(xs, one_hot) == pytest.approx(time_softmax_loss(xs, np.where(ts < 0, 0, ts)))


# -------------------------------------------------------------- attention


def test_attention_layers_against_numerical_gradient():
    N, T, H = 2, 4, 3
    hs, h, dc = normal(N, T, H), normal(N, H), normal(N, H)

    def weights(hs_, h_):
        s = np.einsum("nth,nh->nt", hs_, h_)
        e = np.exp(s - s.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    a = AttentionWeight().forward(hs, h)
    np.testing.assert_allclose(a, weights(hs, h))
    np.testing.assert_allclose(a.sum(axis=1), 1.0)

    ws = WeightSum()
    np.testing.assert_allclose(ws.forward(hs, a), np.einsum("nth,nt->nh", hs, a))
    dhs, da = ws.backward(dc)
    a_copy = a.copy()
    check_grad(dhs, lambda _: np.sum(np.einsum("nth,nt->nh", hs, a_copy) * dc), hs)
    check_grad(da, lambda _: np.sum(np.einsum("nth,nt->nh", hs, a_copy) * dc), a_copy)

    aw = AttentionWeight()
    aw.forward(hs, h)
    da = normal(N, T)
    dhs, dh = aw.backward(da)
    check_grad(dhs, lambda _: np.sum(weights(hs, h) * da), hs)
    check_grad(dh, lambda _: np.sum(weights(hs, h) * da), h)

    layer = Attention()
    layer.forward(hs, h)
    np.testing.assert_allclose(layer.attention_weight, weights(hs, h))
    dhs, dh = layer.backward(dc)
    loss = lambda _: np.sum(np.einsum("nth,nt->nh", hs, weights(hs, h)) * dc)
    check_grad(dhs, loss, hs)
    check_grad(dh, loss, h)


def test_weighted_sum_value_by_hand():
    # equal scores: the mean of the states
    assert weighted_sum_value(1.0, 2.0, 6.0, 0.5, 0.5, 0.5) == pytest.approx(3.0)
    e = np.exp([0.0, 1.0, 2.0])
    assert weighted_sum_value(1.0, 0.0, 0.0, 0.0, 1.0, 2.0) == pytest.approx(e[0] / e.sum())
