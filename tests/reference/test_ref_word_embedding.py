"""Tests for reference.word_embedding against values worked out by hand and brute-force counting."""

import math

import numpy as np
import pytest

from reference.word_embedding import (
    co_occurrence_total,
    convert_one_hot,
    cos_similarity,
    cos_similarity_2d,
    create_co_matrix,
    create_contexts_target,
    ppmi,
    ppmi_value,
    preprocess,
)

RNG = np.random.default_rng(44)
SENTENCE = "You say goodbye and I say hello."


def test_preprocess_the_books_sentence():
    corpus, word_to_id, id_to_word = preprocess(SENTENCE)
    np.testing.assert_array_equal(corpus, [0, 1, 2, 3, 4, 1, 5, 6])
    assert word_to_id == {"you": 0, "say": 1, "goodbye": 2, "and": 3, "i": 4, "hello": 5, ".": 6}
    assert id_to_word == {v: k for k, v in word_to_id.items()}


def test_preprocess_two_sentences_reuse_the_period():
    corpus, word_to_id, _ = preprocess("A b. B a.")
    np.testing.assert_array_equal(corpus, [0, 1, 2, 1, 0, 2])
    assert word_to_id == {"a": 0, "b": 1, ".": 2}


def test_co_matrix_of_the_books_sentence_by_hand():
    corpus, _, _ = preprocess(SENTENCE)
    expected = np.array([
        [0, 1, 0, 0, 0, 0, 0],
        [1, 0, 1, 0, 1, 1, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 0, 1, 0, 1, 0, 0],
        [0, 1, 0, 1, 0, 0, 0],
        [0, 1, 0, 0, 0, 0, 1],
        [0, 0, 0, 0, 0, 1, 0],
    ])
    got = create_co_matrix(corpus, 7)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, expected)


def brute_co_matrix(corpus, vocab, window):
    out = np.zeros((vocab, vocab), dtype=int)
    for i, w in enumerate(corpus):
        for j, c in enumerate(corpus):
            if i != j and abs(i - j) <= window:
                out[w, c] += 1
    return out


@pytest.mark.parametrize("window", [1, 2, 3, 9])
def test_co_matrix_against_brute_force_and_total(window):
    corpus = RNG.integers(0, 5, size=8)
    got = create_co_matrix(corpus, 6, window)
    np.testing.assert_array_equal(got, brute_co_matrix(corpus, 6, window))
    assert got.sum() == co_occurrence_total(8, window)
    assert not got[5].any()  # id 5 never occurs


def test_cos_similarity_values():
    assert cos_similarity(np.array([1.0, 0.0]), np.array([0.0, 2.0])) == pytest.approx(0.0)
    assert cos_similarity(np.array([3.0, 4.0]), np.array([6.0, 8.0])) == pytest.approx(1.0, rel=1e-7)
    assert cos_similarity(np.array([1.0, 1.0]), np.array([-1.0, -1.0])) == pytest.approx(-1.0, rel=1e-7)
    assert cos_similarity(np.zeros(3), np.array([1.0, 2.0, 3.0])) == 0.0  # eps: no 0/0
    # eps is added to each norm: for ‖x‖ = ‖y‖ = 1 the value is 1/(1+eps)^2
    assert cos_similarity(np.array([1.0, 0.0]), np.array([1.0, 0.0]), eps=0.5) == pytest.approx(1 / 2.25)
    assert cos_similarity_2d(1.0, 2.0, 2.0, 1.0) == pytest.approx(0.8, rel=1e-7)


def test_ppmi_by_hand():
    # N = 8, S = [2, 4, 2]; PMI(0, 1) = log2(2·8/(2·4)) = 1; zero counts give log2(1e-8) < 0 -> 0
    C = np.array([[0, 2, 0], [2, 0, 2], [0, 2, 0]])
    got = ppmi(C)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, [[0, 1, 0], [1, 0, 1], [0, 1, 0]], atol=1e-6)
    assert ppmi_value(2, 2, 4, 8) == pytest.approx(1.0)
    assert ppmi_value(1, 4, 4, 8) == 0.0  # log2(0.5) < 0 is clipped


def test_ppmi_matches_the_pmi_formula_and_zero_rows_give_zero():
    corpus = RNG.integers(0, 6, size=30)
    C = create_co_matrix(corpus, 7, 2)  # id 6 never occurs: a zero row and column
    got = ppmi(C)
    N, S = C.sum(), C.sum(axis=0)
    present = [i for i in range(6) if S[i]]
    for i in present:
        for j in present:
            pmi = math.log2(C[i, j] * N / (S[i] * S[j]) + 1e-8)
            assert got[i, j] == pytest.approx(max(0.0, pmi), abs=1e-5)
    assert not got[6].any() and not got[:, 6].any()
    assert np.isfinite(got).all()


def test_contexts_and_target_window_1_and_2():
    corpus = np.array([0, 1, 2, 3, 4, 1, 5, 6])
    contexts, target = create_contexts_target(corpus, 1)
    np.testing.assert_array_equal(target, [1, 2, 3, 4, 1, 5])
    np.testing.assert_array_equal(contexts, [[0, 2], [1, 3], [2, 4], [3, 1], [4, 5], [1, 6]])
    contexts, target = create_contexts_target(corpus, 2)
    np.testing.assert_array_equal(target, [2, 3, 4, 1])
    np.testing.assert_array_equal(contexts[0], [0, 1, 3, 4])  # left to right, the target left out
    assert contexts.shape == (8 - 2 * 2, 4)


def test_one_hot_1d_and_2d():
    got = convert_one_hot(np.array([2, 0, 2]), 4)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0]])
    contexts = np.array([[0, 2], [1, 3]])
    got = convert_one_hot(contexts, 5)
    assert got.shape == (2, 2, 5)
    np.testing.assert_array_equal(got.argmax(axis=2), contexts)
    assert got.sum() == 4
