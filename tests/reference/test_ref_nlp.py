"""LSI storage, n-grams, skip-gram pairs, CBOW, BERT masking and embeddings, perplexity and RAG (4-4), by hand."""

import math

import numpy as np
import pytest

from reference.nlp import (
    bert_embedding_params,
    bert_mask_token_count,
    bigram_sentence_probability,
    cbow_hidden,
    lsi_stored_values,
    next_token_perplexity,
    rag_sequence_probability,
    skipgram_pair_count,
)


def test_lsi_stored_values_match_a_truncated_svd():
    rng = np.random.default_rng(0)
    x = rng.poisson(1.0, size=(30, 12)).astype(float)
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    k = 4
    assert lsi_stored_values(30, 12, k) == u[:, :k].size + s[:k].size + vt[:k].size == 30 * 4 + 4 + 12 * 4


def test_bigram_sentence_probability():
    # <s> I am </s>: c(<s> I) = 2 of c(<s>) = 3, c(I am) = 2 of c(I) = 3, c(am </s>) = 1 of c(am) = 2
    assert math.isclose(bigram_sentence_probability(2, 3, 2, 3, 1, 2), 2 / 3 * 2 / 3 * 1 / 2)


def _pairs_by_enumeration(length: int, window: int) -> int:
    return sum(1 for t in range(length) for u in range(length) if u != t and abs(u - t) <= window)


@pytest.mark.parametrize("length, window", [(1, 2), (2, 2), (5, 1), (7, 2), (10, 3), (12, 5)])
def test_skipgram_pairs(length, window):
    assert skipgram_pair_count(length, window) == _pairs_by_enumeration(length, window)
    if length >= window:
        assert skipgram_pair_count(length, window) == 2 * window * length - window * (window + 1)


def test_cbow_hidden_is_the_mean():
    assert cbow_hidden(1.0, 2.0, 3.0, 6.0) == 3.0


def test_bert_masking_and_embeddings():
    assert math.isclose(bert_mask_token_count(1000), 120.0)  # 150 chosen, 120 [MASK], 15 random, 15 kept
    # BERT-Base: 30,522 WordPiece tokens, 512 positions, 2 segments, H = 768
    assert bert_embedding_params(30522, 512, 2, 768) == (30522 + 512 + 2) * 768 == 23_835_648


def test_perplexity():
    assert math.isclose(next_token_perplexity(0.5, 0.5, 0.5, 0.5), 2.0)  # uniform over 2 choices
    assert math.isclose(next_token_perplexity(0.25, 0.5, 1.0, 0.5), math.exp(-math.log(0.0625) / 4))
    with pytest.raises(ValueError):
        next_token_perplexity(0.0, 0.5, 0.5, 0.5)


def test_rag_sequence_marginal():
    # equal scores: the plain average of the two generator probabilities
    assert math.isclose(rag_sequence_probability(3.0, 3.0, 0.2, 0.6), 0.4)
    # softmax weights e / (e + 1) and 1 / (e + 1)
    w = math.e / (math.e + 1)
    assert math.isclose(rag_sequence_probability(1.0, 0.0, 0.9, 0.1), w * 0.9 + (1 - w) * 0.1)
    assert math.isclose(rag_sequence_probability(1000.0, 999.0, 0.9, 0.1), w * 0.9 + (1 - w) * 0.1)  # stable
