"""Tests for reference.validation: k-fold splits (scikit-learn's KFold convention), bias–variance, curse of dimensionality."""

import numpy as np
import pytest

from reference.validation import (
    bias_squared_of_four,
    cv_fit_count,
    expected_squared_error_of_four,
    fold_size,
    fold_start,
    hypercube_edge,
    k_fold_indices,
    train_size,
    variance_of_four,
)


def test_ten_samples_three_folds_by_hand():
    rounds = k_fold_indices(10, 3)
    tests = [t.tolist() for _, t in rounds]
    assert tests == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert rounds[1][0].tolist() == [0, 1, 2, 3, 7, 8, 9]
    assert rounds[0][0].dtype == np.int64


@pytest.mark.parametrize("n,k", [(7, 2), (12, 4), (13, 5), (5, 5), (31, 6)])
def test_folds_partition_the_samples(n, k):
    rounds = k_fold_indices(n, k)
    assert len(rounds) == k
    tests = np.concatenate([t for _, t in rounds])
    np.testing.assert_array_equal(tests, np.arange(n))
    for i, (train, test) in enumerate(rounds):
        assert len(test) == fold_size(n, k, i)
        assert test[0] == fold_start(n, k, i)
        assert len(train) == train_size(n, k, i)
        assert set(train.tolist()) | set(test.tolist()) == set(range(n))
        assert not set(train.tolist()) & set(test.tolist())
        assert np.all(np.diff(train) > 0)
    sizes = [len(t) for _, t in rounds]
    assert max(sizes) - min(sizes) <= 1 and sizes == sorted(sizes, reverse=True)


def test_bad_k_is_refused():
    with pytest.raises(ValueError):
        k_fold_indices(3, 4)
    with pytest.raises(ValueError):
        k_fold_indices(3, 1)


def test_fit_count():
    assert cv_fit_count(5, 12) == 61
    assert cv_fit_count(5, 12, refit=0) == 60


def test_bias_variance_decomposition_matches_direct_mean():
    f, g, noise = 2.0, [1.0, 2.5, 3.0, 1.5], 0.3
    assert bias_squared_of_four(f, *g) == pytest.approx((2.0 - 2.0) ** 2)
    assert variance_of_four(*g) == pytest.approx(np.var(g))
    # E[(y − ĝ)²] over models and noise = mean over models of (f − ĝ)² + noise
    direct = np.mean([(f - v) ** 2 for v in g]) + noise
    assert expected_squared_error_of_four(f, *g, noise) == pytest.approx(direct)
    assert bias_squared_of_four(1.0, 2, 2, 2, 2) == pytest.approx(1.0)


def test_hypercube_edge_esl_values():
    assert hypercube_edge(0.1, 10) == pytest.approx(0.794, abs=1e-3)
    assert hypercube_edge(0.01, 10) == pytest.approx(0.631, abs=1e-3)
    assert hypercube_edge(0.3, 1) == pytest.approx(0.3)
