"""4-4-1 Word Embedding, count-based part: corpus, co-occurrence matrix, cosine similarity, PPMI,
and the training data of word2vec (contexts and targets, one-hot vectors).

Conventions (「ゼロから作る Deep Learning ❷」 ``common/util.py``, chapters 2 and 3):

* a corpus is a 1-D integer array of word ids, ids given in order of first appearance;
* the window is symmetric: ``window_size`` words on each side;
* the co-occurrence matrix counts, for every position, each neighbour within the window (so it is
  symmetric and the sum of a row is the number of neighbours the word had);
* none of these functions modifies its arguments.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "preprocess",
    "create_co_matrix",
    "cos_similarity",
    "ppmi",
    "create_contexts_target",
    "convert_one_hot",
    "co_occurrence_total",
    "ppmi_value",
    "cos_similarity_2d",
]

IntArray = NDArray[np.integer]


def preprocess(text: str) -> tuple[IntArray, dict[str, int], dict[int, str]]:
    """Split an English text into word ids (コーパスの下準備).

    Parameters
    ----------
    text : str
        Words separated by single spaces; sentences end with ``.``.

    Returns
    -------
    corpus : ndarray of shape (number of words,), int
    word_to_id : dict str -> int
    id_to_word : dict int -> str
        ::

            text -> lower case, "." -> " ." (the period becomes a word of its own), split on " "
            ids 0, 1, 2, ... in order of first appearance
    """
    words = text.lower().replace(".", " .").split(" ")
    word_to_id: dict[str, int] = {}
    for word in words:
        word_to_id.setdefault(word, len(word_to_id))
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array([word_to_id[w] for w in words]), word_to_id, id_to_word


def create_co_matrix(corpus: ArrayLike, vocab_size: int, window_size: int = 1) -> NDArray[np.int32]:
    """Co-occurrence matrix (共起行列) of a corpus.

    Parameters
    ----------
    corpus : ndarray of shape (L,), int
    vocab_size : int
        V; ids are 0 .. V-1 (a word of the vocabulary may be absent from the corpus).
    window_size : int, default 1
        Neighbours counted on each side.

    Returns
    -------
    ndarray of shape (V, V), int32
        ``C[w, c]`` = number of positions where word w has word c within ``window_size`` on
        either side. Positions outside the corpus are skipped (no wrap-around at the edges).
    """
    ids = np.asarray(corpus)
    matrix = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for offset in range(1, window_size + 1):
        if offset >= ids.size:
            break
        left, right = ids[:-offset], ids[offset:]  # every pair at this distance, once
        np.add.at(matrix, (left, right), 1)
        np.add.at(matrix, (right, left), 1)
    return matrix


def cos_similarity(x: ArrayLike, y: ArrayLike, eps: float = 1e-8) -> np.floating:
    """Cosine similarity (コサイン類似度) of two vectors, as DLFS2.

    Parameters
    ----------
    x, y : ndarray of shape (D,)
    eps : float, default 1e-8
        Added to each norm, so a zero vector gives 0 instead of 0/0.

    Returns
    -------
    0-d float
        ::

            (x / (‖x‖ + eps)) · (y / (‖y‖ + eps))
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return np.dot(x / (np.sqrt(np.sum(x**2)) + eps), y / (np.sqrt(np.sum(y**2)) + eps))


def ppmi(C: ArrayLike, verbose: bool = False, eps: float = 1e-8) -> NDArray[np.float32]:
    """Positive pointwise mutual information (正の相互情報量, PPMI) of a co-occurrence matrix.

    Parameters
    ----------
    C : ndarray of shape (V, V), counts
    verbose : bool, default False
        Accepted for the book's signature; nothing is printed.
    eps : float, default 1e-8
        Added inside the logarithm, so a zero count gives log2(eps) < 0, clipped to 0.

    Returns
    -------
    ndarray of shape (V, V), float32
        ::

            N = Σ_ij C_ij,  S_j = Σ_i C_ij
            PMI_ij = log2(C_ij · N / (S_i · S_j) + eps),  PPMI_ij = max(0, PMI_ij)

        A word that co-occurs with nothing (S_i = 0) gets 0, as the book's loop does
        (``max(0, nan)`` is 0).
    """
    del verbose
    counts = np.asarray(C, dtype=np.float64)
    total = counts.sum()
    s = counts.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(counts * total / np.outer(s, s) + eps)
    return np.where(pmi > 0, pmi, 0.0).astype(np.float32)


def create_contexts_target(corpus: ArrayLike, window_size: int = 1) -> tuple[IntArray, IntArray]:
    """Contexts and targets for word2vec's CBOW (コンテキストとターゲット).

    Parameters
    ----------
    corpus : ndarray of shape (L,), int
    window_size : int, default 1
        w; the corpus must have more than 2w words.

    Returns
    -------
    contexts : ndarray of shape (L - 2w, 2w), int
        Row k holds the neighbours of position k + w from left to right:
        ``corpus[k], …, corpus[k+w-1], corpus[k+w+1], …, corpus[k+2w]``.
    target : ndarray of shape (L - 2w,), int
        ``corpus[w : L-w]``: positions with a full window on both sides.
    """
    ids = np.asarray(corpus)
    length = ids.size
    offsets = [t for t in range(-window_size, window_size + 1) if t != 0]
    positions = np.arange(window_size, length - window_size)
    contexts = ids[positions[:, None] + np.array(offsets)[None, :]]
    return contexts, ids[window_size:length - window_size].copy()


def convert_one_hot(corpus: ArrayLike, vocab_size: int) -> NDArray[np.int32]:
    """One-hot vectors (one-hot 表現) of word ids.

    Parameters
    ----------
    corpus : ndarray of shape (N,) or (N, C), int
    vocab_size : int
        V.

    Returns
    -------
    ndarray of shape (N, V) or (N, C, V), int32
        ``one_hot[..., corpus[...]] = 1``, all else 0.
    """
    ids = np.asarray(corpus)
    return (ids[..., None] == np.arange(vocab_size)).astype(np.int32)


# --------------------------------------------------------------- numbers for exam-style questions


def co_occurrence_total(corpus_size: int, window_size: int) -> int:
    """Sum of all entries of :func:`create_co_matrix` for a corpus of ``corpus_size`` words.

    Every pair of positions at distance d (1 <= d <= w) adds 2 (one count for each word), and there
    are L - d such pairs::

        Σ_{d=1}^{min(w, L-1)} 2 (L - d)
    """
    return sum(2 * (corpus_size - d) for d in range(1, min(window_size, corpus_size - 1) + 1))


def ppmi_value(count_xy: float, count_x: float, count_y: float, total: float, eps: float = 0.0) -> float:
    """PPMI of one pair from its co-occurrence count, the words' counts (row sums) and the total.

    ::

        max(0, log2(C(x, y) · N / (C(x) · C(y)) + eps))
    """
    return max(0.0, math.log2(count_xy * total / (count_x * count_y) + eps))


def cos_similarity_2d(x1: float, x2: float, y1: float, y2: float, eps: float = 1e-8) -> float:
    """:func:`cos_similarity` of (x1, x2) and (y1, y2), for parameterised questions."""
    return float(cos_similarity(np.array([x1, x2]), np.array([y1, y2]), eps))

