"""4-4 自然言語処理: negative sampling and causal masks.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.nlp:<name>, args: {...}}``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "negative_sampling_probability",
    "causal_mask",
    "causal_masked_count",
]


def negative_sampling_probability(count: float, count_b: float, count_c: float, count_d: float = 0.0,
                                  power: float = 0.75) -> float:
    """Probability that word2vec's negative sampling draws a word as a noise word.

    Parameters
    ----------
    count : float
        Corpus frequency of the word asked about.
    count_b, count_c, count_d : float
        Frequencies of the other words of a (tiny) vocabulary; ``count_d = 0`` leaves it out.
    power : float, default 0.75
        Exponent of the unigram distribution (3/4 in Mikolov et al., 2013).

    Returns
    -------
    float
        ::

            P(w) = f(w)^power / Σ_v f(v)^power

        The 3/4 power moves probability from frequent words to rare ones compared with f / Σ f.
    """
    counts = [c for c in (count, count_b, count_c, count_d) if c > 0]
    if count <= 0:
        raise ValueError("the word asked about must have a positive count")
    return count**power / sum(c**power for c in counts)


def causal_mask(seq_len: int) -> NDArray[np.bool_]:
    """The causal (look-ahead) mask of a decoder's self-attention.

    Parameters
    ----------
    seq_len : int
        T.

    Returns
    -------
    ndarray of shape (T, T), bool
        ``mask[i, j]`` is True where query i **may** attend to key j, i.e. ``j <= i`` (lower triangle
        with the diagonal). The other entries get -inf before the softmax.
    """
    return np.tril(np.ones((seq_len, seq_len), dtype=bool))


def causal_masked_count(seq_len: int, num_heads: int = 1) -> int:
    """Attention scores hidden by the causal mask (set to -inf) in one layer.

    Parameters
    ----------
    seq_len : int
        T.
    num_heads : int, default 1
        Every head has its own T x T score matrix with the same mask.

    Returns
    -------
    int
        ``num_heads * T (T - 1) / 2`` (the strictly upper triangle); the allowed entries are
        ``T (T + 1) / 2`` per head.
    """
    return num_heads * seq_len * (seq_len - 1) // 2
