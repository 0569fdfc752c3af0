"""Tests for reference.attention: batched attention with masks, per-head loop gold, PE, LayerNorm, Q40."""

import numpy as np
import pytest

from reference.attention import (
    layer_norm,
    mha_params,
    multi_head_attention,
    positional_encoding,
    scaled_dot_product_attention,
)

RNG = np.random.default_rng(7)


def attention_loop(Q, K, V, mask=None):
    """Gold for 2-D inputs: one query at a time, softmax written out."""
    out = np.zeros((Q.shape[0], V.shape[1]))
    w_all = np.zeros((Q.shape[0], K.shape[0]))
    for q in range(Q.shape[0]):
        s = np.array([Q[q] @ K[k] for k in range(K.shape[0])]) / np.sqrt(Q.shape[1])
        allowed = np.ones(K.shape[0], bool) if mask is None else ~mask[q]
        e = np.where(allowed, np.exp(s - s[allowed].max()), 0.0)
        w_all[q] = e / e.sum()
        out[q] = w_all[q] @ V
    return out, w_all


def test_attention_2d_matches_loop():
    Q, K, V = RNG.normal(size=(3, 5)), RNG.normal(size=(4, 5)), RNG.normal(size=(4, 2))
    out, w = scaled_dot_product_attention(Q, K, V)
    gold_out, gold_w = attention_loop(Q, K, V)
    np.testing.assert_allclose(w, gold_w, rtol=1e-12)
    np.testing.assert_allclose(out, gold_out, rtol=1e-12)


def test_attention_batched_3d_and_4d():
    # B, T, d_k all different so that a K.T bug cannot pass
    Q, K, V = RNG.normal(size=(2, 4, 3)), RNG.normal(size=(2, 5, 3)), RNG.normal(size=(2, 5, 6))
    out, w = scaled_dot_product_attention(Q, K, V)
    assert out.shape == (2, 4, 6) and w.shape == (2, 4, 5)
    for i in range(2):
        np.testing.assert_allclose(out[i], attention_loop(Q[i], K[i], V[i])[0], rtol=1e-12)
    Q4, K4, V4 = (RNG.normal(size=(2, 3, 4, 8)) for _ in range(3))
    out4, w4 = scaled_dot_product_attention(Q4, K4, V4)
    np.testing.assert_allclose(out4[1, 2], attention_loop(Q4[1, 2], K4[1, 2], V4[1, 2])[0], rtol=1e-12)


def test_attention_large_scores_and_causal_mask():
    Q, K, V = (RNG.normal(size=(4, 3)) * 100 for _ in range(3))
    out, w = scaled_dot_product_attention(Q, K, V)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(w.sum(axis=-1), 1.0)
    causal = np.triu(np.ones((4, 4), bool), k=1)
    out, w = scaled_dot_product_attention(Q / 100, K / 100, V, mask=causal)
    assert np.all(w[causal] == 0.0)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0)
    np.testing.assert_allclose(out, attention_loop(Q / 100, K / 100, V, causal)[0], rtol=1e-12)
    np.testing.assert_allclose(out[0], V[0])  # the first query sees only the first key


def test_attention_fully_masked_row_and_no_mutation():
    Q, K, V = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3)), RNG.normal(size=(2, 2))
    saved = [a.copy() for a in (Q, K, V)]
    mask = np.array([[True, True], [False, True]])
    out, w = scaled_dot_product_attention(Q, K, V, mask)
    np.testing.assert_array_equal(w, [[0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_array_equal(out[0], [0.0, 0.0])
    for a, s in zip((Q, K, V), saved, strict=True):
        np.testing.assert_array_equal(a, s)


def test_attention_scaling_is_sqrt_dk():
    # one query, two keys: scores (q·k)/sqrt(d_k) with d_k = 4 -> [2, 0]
    Q = np.array([[1.0, 1.0, 1.0, 1.0]])
    K = np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]])
    _, w = scaled_dot_product_attention(Q, K, np.eye(2))
    np.testing.assert_allclose(w, [[np.exp(2) / (np.exp(2) + 1), 1 / (np.exp(2) + 1)]])


def test_multi_head_attention_matches_per_head_loop():
    N, T, d_model, h = 2, 5, 8, 2
    x = RNG.normal(size=(N, T, d_model))
    Wq, Wk, Wv, Wo = (RNG.normal(size=(d_model, d_model)) / np.sqrt(d_model) for _ in range(4))
    causal = np.triu(np.ones((T, T), bool), k=1)
    out, w = multi_head_attention(x, Wq, Wk, Wv, Wo, h, mask=causal)
    assert out.shape == (N, T, d_model) and w.shape == (N, h, T, T)
    d_k = d_model // h
    for n in range(N):
        heads = []
        for i in range(h):
            cols = slice(i * d_k, (i + 1) * d_k)
            o, wi = attention_loop(x[n] @ Wq[:, cols], x[n] @ Wk[:, cols], x[n] @ Wv[:, cols], causal)
            heads.append(o)
            np.testing.assert_allclose(w[n, i], wi, rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(out[n], np.concatenate(heads, axis=1) @ Wo, rtol=1e-10)
    out2d, _ = multi_head_attention(x[1], Wq, Wk, Wv, Wo, h, mask=causal)
    np.testing.assert_allclose(out2d, out[1], rtol=1e-12)
    with pytest.raises(ValueError):
        multi_head_attention(x, Wq, Wk, Wv, Wo, 3)


def test_positional_encoding_values():
    pe = positional_encoding(50, 6)
    assert pe.shape == (50, 6)
    pos = 7
    for i in range(3):
        freq = 1 / 10000 ** (2 * i / 6)
        assert pe[pos, 2 * i] == pytest.approx(np.sin(pos * freq))
        assert pe[pos, 2 * i + 1] == pytest.approx(np.cos(pos * freq))
    np.testing.assert_array_equal(pe[0], [0, 1, 0, 1, 0, 1])
    odd = positional_encoding(4, 5)
    assert odd.shape == (4, 5)
    assert odd[3, 3] == pytest.approx(np.cos(3 / 10000 ** (2 / 5)))
    assert odd[3, 4] == pytest.approx(np.sin(3 / 10000 ** (4 / 5)))


def test_layer_norm_last_axis():
    x = RNG.normal(loc=2.0, scale=3.0, size=(2, 3, 6))
    gamma, beta = RNG.normal(size=6), RNG.normal(size=6)
    out = layer_norm(x, gamma, beta)
    x_hat = (out - beta) / gamma
    np.testing.assert_allclose(x_hat.mean(axis=-1), 0.0, atol=1e-12)
    np.testing.assert_allclose(x_hat.var(axis=-1), 1.0, rtol=1e-5)
    row = x[1, 2]
    np.testing.assert_allclose(out[1, 2], gamma * (row - row.mean()) / np.sqrt(row.var() + 1e-5) + beta)


def test_mha_params_q40():
    assert mha_params(512, 8) == 1_050_624
    assert mha_params(512, 8, bias=False) == 1_048_576
    assert mha_params(512, 1) == mha_params(512, 8)  # heads do not change the count
    with pytest.raises(ValueError):
        mha_params(512, 7)


def test_positional_encoding_value_and_attention_weight():
    from reference.attention import attention_weight, positional_encoding_value

    assert np.isclose(positional_encoding_value(3, 0, 8), np.sin(3))
    assert np.isclose(positional_encoding_value(3, 3, 8), np.cos(3 / 10000 ** (2 / 8)))
    assert np.isclose(attention_weight(3, 1, 4), 1 / (1 + np.exp(-1)))
    e = np.exp(np.array([3, 1, 0]) / 2)
    assert np.isclose(attention_weight(3, 1, 4, 0), e[0] / e.sum())
