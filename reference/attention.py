"""Attention and Transformer building blocks (Attention / Transformer).

Conventions: row-vector layout (``x @ W``), batch-first (N, T, d_model),
the last two axes of Q, K, V are (time, features) and any leading axes
(batch, heads) broadcast. A mask is boolean with **True = blocked**
(参照禁止), the PyTorch ``attn_mask`` boolean convention.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from reference.activations import softmax

__all__ = [
    "scaled_dot_product_attention",
    "multi_head_attention",
    "positional_encoding",
    "positional_encoding_value",
    "attention_weight",
    "layer_norm",
    "mha_params",
]

Array = NDArray[np.floating]


def scaled_dot_product_attention(
    Q: Array, K: Array, V: Array, mask: NDArray[np.bool_] | None = None,
) -> tuple[Array, Array]:
    """Scaled dot-product attention.

    Parameters
    ----------
    Q : ndarray of shape (..., Tq, d_k)
    K : ndarray of shape (..., Tk, d_k)
    V : ndarray of shape (..., Tk, d_v)
    mask : bool ndarray broadcastable to (..., Tq, Tk), or None
        True where query q must not attend to key k (e.g. the causal mask
        ``np.triu(np.ones((T, T), bool), k=1)``).

    Returns
    -------
    out : ndarray of shape (..., Tq, d_v)
    weights : ndarray of shape (..., Tq, Tk)
        Rows sum to 1; exactly 0 at blocked positions::

            weights = softmax(Q Kᵀ / sqrt(d_k))      (last axis)
            out = weights V

        A query whose keys are all blocked gets all-zero weights (and out 0).

    Notes
    -----
    ``K.T`` would reverse *all* axes of a batched K; swap only the last two.
    Dividing by sqrt(d_k) keeps the variance of the scores near 1, so the
    softmax does not saturate (where its gradient vanishes).
    """
    d_k = Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d_k)
    if mask is not None:
        mask = np.broadcast_to(mask, scores.shape)
        scores = np.where(mask, -np.inf, scores)
        with np.errstate(invalid="ignore"):  # fully blocked rows: 0/0, cleared below
            weights = softmax(scores)
        weights = np.where(mask, 0.0, weights)
    else:
        weights = softmax(scores)
    return weights @ V, weights


def multi_head_attention(
    x: Array, Wq: Array, Wk: Array, Wv: Array, Wo: Array, num_heads: int,
    mask: NDArray[np.bool_] | None = None,
) -> tuple[Array, Array]:
    """Multi-head self-attention without biases.

    Parameters
    ----------
    x : ndarray of shape (N, T, d_model) or (T, d_model)
    Wq, Wk, Wv, Wo : ndarray of shape (d_model, d_model)
        Projections; head h uses columns [h*d_k, (h+1)*d_k) of Wq, Wk, Wv,
        with d_k = d_model / num_heads.
    num_heads : int
        Must divide d_model.
    mask : bool ndarray broadcastable to (N, num_heads, T, T), or None
        True = blocked, as in :func:`scaled_dot_product_attention`.

    Returns
    -------
    out : ndarray shaped like x
    weights : ndarray of shape (N, num_heads, T, T) (or (num_heads, T, T))
        ::

            Q = x Wq,  K = x Wk,  V = x Wv            (N, T, d_model)
            split each into heads                     (N, h, T, d_k)
            head_i = Attention(Q_i, K_i, V_i)
            out = concat(head_1, ..., head_h) Wo      (N, T, d_model)
    """
    d_model = x.shape[-1]
    if d_model % num_heads:
        raise ValueError(f"num_heads={num_heads} does not divide d_model={d_model}")
    d_k = d_model // num_heads
    lead = x.shape[:-2]  # (N,) or ()
    t_len = x.shape[-2]

    def split_heads(a: Array) -> Array:  # (..., T, d_model) -> (..., h, T, d_k)
        return np.swapaxes(a.reshape(lead + (t_len, num_heads, d_k)), -2, -3)

    q, k, v = (split_heads(x @ W) for W in (Wq, Wk, Wv))
    heads, weights = scaled_dot_product_attention(q, k, v, mask)
    concat = np.swapaxes(heads, -2, -3).reshape(lead + (t_len, d_model))
    return concat @ Wo, weights


def positional_encoding(max_len: int, d_model: int) -> NDArray[np.float64]:
    """Sinusoidal positional encoding (位置エンコーディング, Vaswani et al. 2017).

    Parameters
    ----------
    max_len : int
        Number of positions.
    d_model : int
        Embedding size (odd sizes allowed).

    Returns
    -------
    ndarray of shape (max_len, d_model)
        ::

            PE[pos, 2i]     = sin(pos / 10000^(2i / d_model))
            PE[pos, 2i + 1] = cos(pos / 10000^(2i / d_model))
    """
    pos = np.arange(max_len)[:, None]
    two_i = np.arange(0, d_model, 2)  # 2i for every even column
    angle = pos / np.power(10000.0, two_i / d_model)  # (max_len, ceil(d/2))
    pe = np.empty((max_len, d_model))
    pe[:, 0::2] = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])  # same frequency as the sin to its left
    return pe


def positional_encoding_value(pos: int, index: int, d_model: int) -> float:
    """One entry ``PE[pos, index]`` of :func:`positional_encoding` (for numeric questions).

    Parameters
    ----------
    pos : int
        Position (0-based).
    index : int
        Column, 0 <= index < d_model (even: sin, odd: cos).
    d_model : int
    """
    if not 0 <= index < d_model:
        raise ValueError(f"index={index} is outside 0..{d_model - 1}")
    return float(positional_encoding(pos + 1, d_model)[pos, index])


def attention_weight(score_1: float, score_2: float, d_k: int, score_3: float | None = None) -> float:
    """Attention weight of the first key, from raw dot products q·k_j (for numeric questions).

    Parameters
    ----------
    score_1, score_2 : float
        Dot products q·k_1 and q·k_2 (before scaling).
    d_k : int
        Key dimension; scores are divided by sqrt(d_k).
    score_3 : float, optional
        A third key's dot product.

    Returns
    -------
    float
        ``softmax([s_1, s_2(, s_3)] / sqrt(d_k))[0]``, computed with
        :func:`scaled_dot_product_attention` on one-hot keys.
    """
    scores = [score_1, score_2] + ([] if score_3 is None else [score_3])
    n = len(scores)
    # With K = I_n, Q Kᵀ = Q; scaled_dot_product_attention divides by sqrt(n), so
    # Q = s * sqrt(n) / sqrt(d_k) gives the scores s / sqrt(d_k).
    q = np.asarray(scores, dtype=float)[None, :] * np.sqrt(n) / np.sqrt(d_k)
    k = np.eye(n)
    _, w = scaled_dot_product_attention(q, k, np.eye(n))
    return float(w[0, 0])


def layer_norm(x: Array, gamma: Array, beta: Array, eps: float = 1e-5) -> Array:
    """Layer normalisation over the last axis (レイヤー正規化).

    Parameters
    ----------
    x : ndarray of shape (..., d)
        e.g. (N, T, d_model).
    gamma, beta : ndarray of shape (d,)
    eps : float, default 1e-5
        PyTorch's default.

    Returns
    -------
    ndarray shaped like x
        Statistics per sample and position (not over the batch, unlike
        batch normalisation), biased variance::

            μ = mean(x, axis=-1),  σ² = mean((x - μ)², axis=-1)
            out = gamma * (x - μ) / sqrt(σ² + eps) + beta
    """
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta


def mha_params(d_model: int, num_heads: int, bias: bool = True) -> int:
    """Parameters of a multi-head attention block (Q, K, V and output projections).

    Parameters
    ----------
    d_model : int
    num_heads : int
        Must divide d_model; it does not change the count.
    bias : bool, default True

    Returns
    -------
    int
        ::

            4 (d_model² + d_model)   with biases, 4 d_model² without
            e.g. d_model = 512 -> 1,050,624 (1,048,576 without biases)
    """
    if d_model % num_heads:
        raise ValueError(f"num_heads={num_heads} does not divide d_model={d_model}")
    return 4 * (d_model * d_model + (d_model if bias else 0))
