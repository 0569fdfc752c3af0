"""4-4 自然言語処理: LSI storage, n-gram probabilities, word2vec training pairs, negative sampling, BERT masking and
embeddings, causal masks, next-token perplexity and the RAG-Sequence marginal.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.nlp:<name>, args: {...}}``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "negative_sampling_probability",
    "causal_mask",
    "causal_masked_count",
    "lsi_stored_values",
    "bigram_sentence_probability",
    "skipgram_pair_count",
    "cbow_hidden",
    "bert_mask_token_count",
    "bert_embedding_params",
    "next_token_perplexity",
    "rag_sequence_probability",
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
    return float(count**power / sum(c**power for c in counts))


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


def lsi_stored_values(num_terms: int, num_docs: int, rank: int) -> int:
    """Numbers stored by a rank-k LSI model of an m x n term-document matrix (X ~ U_k S_k V_k^T).

    Returns
    -------
    int
        ``m k + k + n k``: the term vectors U_k, the k singular values, the document vectors V_k.
    """
    return num_terms * rank + rank + num_docs * rank


def bigram_sentence_probability(c_bos_w1: int, c_bos: int, c_w1_w2: int, c_w1: int, c_w2_eos: int, c_w2: int) -> float:
    """Maximum-likelihood bigram probability of the sentence <s> w1 w2 </s>.

    Returns
    -------
    float
        ``c(<s> w1)/c(<s>) * c(w1 w2)/c(w1) * c(w2 </s>)/c(w2)`` (Jurafsky & Martin, ch. 3).
    """
    return (c_bos_w1 / c_bos) * (c_w1_w2 / c_w1) * (c_w2_eos / c_w2)


def skipgram_pair_count(length: int, window: int) -> int:
    """(centre, context) training pairs skip-gram makes from one sentence of ``length`` words.

    Each word is paired with the up to ``window`` words on each side that exist (the window does not
    cross the sentence boundary).

    Returns
    -------
    int
        ``sum_t min(window, t) + min(window, length - 1 - t)``; ``2 c T - c (c + 1)`` when ``T >= c`` (each word near an end loses the
        missing neighbours).
    """
    return sum(min(window, t) + min(window, length - 1 - t) for t in range(length))


def cbow_hidden(v1: float, v2: float, v3: float, v4: float) -> float:
    """One component of CBOW's hidden layer for four context words: the mean of their input vectors.

    Returns
    -------
    float
        ``(v1 + v2 + v3 + v4) / 4`` (Mikolov et al., 2013, CBOW averages the context embeddings).
    """
    return (v1 + v2 + v3 + v4) / 4.0


def bert_mask_token_count(num_tokens: int, select_rate: float = 0.15, mask_share: float = 0.8) -> float:
    """Expected tokens BERT's MLM replaces by [MASK] in ``num_tokens`` input tokens.

    Returns
    -------
    float
        ``num_tokens * 0.15 * 0.8``: 15% are chosen for prediction, of which 80% become [MASK]
        (10% a random token, 10% unchanged) (Devlin et al., 2019).
    """
    return num_tokens * select_rate * mask_share


def bert_embedding_params(vocab_size: int, max_positions: int, segments: int, hidden: int) -> int:
    """Entries of BERT's three embedding tables (LayerNorm not counted).

    Returns
    -------
    int
        ``(V + P + S) * H``: token (WordPiece), learned position and segment (token type) embeddings, all H wide.
    """
    return (vocab_size + max_positions + segments) * hidden


def next_token_perplexity(p1: float, p2: float, p3: float, p4: float) -> float:
    """Perplexity of a language model on four tokens, from the probabilities it gave each next token.

    Returns
    -------
    float
        ``exp(-(log p1 + log p2 + log p3 + log p4) / 4)``: the exponential of the mean next-token cross-entropy.
    """
    probs = (p1, p2, p3, p4)
    if min(probs) <= 0:
        raise ValueError("probabilities must be positive")
    return math.exp(-sum(math.log(p) for p in probs) / len(probs))


def rag_sequence_probability(score_1: float, score_2: float, gen_1: float, gen_2: float) -> float:
    """RAG-Sequence probability of an answer y with the top-2 retrieved documents (Lewis et al., 2020).

    Parameters
    ----------
    score_1, score_2 : float
        Retrieval scores d(z)^T q(x) of the two documents; p(z | x) is their softmax.
    gen_1, gen_2 : float
        p(y | x, z): the generator's probability of the whole answer given each document.

    Returns
    -------
    float
        ``sum_z p(z | x) p(y | x, z)``.
    """
    top = max(score_1, score_2)
    w1, w2 = math.exp(score_1 - top), math.exp(score_2 - top)
    return (w1 * gen_1 + w2 * gen_2) / (w1 + w2)
