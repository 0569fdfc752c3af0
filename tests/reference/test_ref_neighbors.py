"""Tests for reference.neighbors: distances and k-NN against hand values and brute-force loops."""

import math

import numpy as np
import pytest

from reference.neighbors import (
    chebyshev_3d,
    cosine_distance,
    cosine_distance_3d,
    euclidean_3d,
    knn_predict,
    knn_regress,
    knn_regress_1d_six,
    mahalanobis_2d,
    mahalanobis_distance,
    manhattan_3d,
    minkowski_3d,
    minkowski_distance,
)

RNG = np.random.default_rng(11)


def test_lp_family_hand_values():
    assert euclidean_3d(1, 2, 3, 4, 6, 3) == pytest.approx(5.0)
    assert manhattan_3d(1, 2, 3, 4, 6, 3) == pytest.approx(7.0)
    assert chebyshev_3d(1, 2, 3, 4, 6, 3) == pytest.approx(4.0)
    assert minkowski_3d(1, 2, 3, 4, 6, 3, 3) == pytest.approx((27 + 64) ** (1 / 3))
    assert minkowski_distance([0, 0], [1, 1], math.inf) == 1.0


def test_lp_decreases_with_p():
    a, b = RNG.normal(size=5), RNG.normal(size=5)
    values = [minkowski_distance(a, b, p) for p in (1, 1.5, 2, 3, 10, math.inf)]
    assert all(x >= y - 1e-12 for x, y in zip(values, values[1:]))


def test_cosine_distance():
    assert cosine_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    assert cosine_distance([1, 2], [2, 4]) == pytest.approx(0.0, abs=1e-12)
    assert cosine_distance([1, 0], [-1, 0]) == pytest.approx(2.0)
    assert cosine_distance_3d(1, 2, 2, 2, 1, 2) == pytest.approx(1 - 8 / 9)


def test_mahalanobis_hand_values():
    # diagonal Σ: standardised Euclidean distance
    assert mahalanobis_2d(3, 0, 1, 0, 4, 0, 1) == pytest.approx(1.0)
    # Σ = [[2, 1], [1, 2]], Σ⁻¹ = [[2, -1], [-1, 2]] / 3, x − μ = (1, 1): (2 - 1 - 1 + 2) / 3 = 2/3
    assert mahalanobis_2d(1, 1, 0, 0, 2, 1, 2) == pytest.approx(math.sqrt(2 / 3))


def test_mahalanobis_batch_matches_explicit_inverse():
    A = RNG.normal(size=(3, 3))
    cov = A @ A.T + 0.5 * np.eye(3)
    mu = RNG.normal(size=3)
    x = RNG.normal(size=(6, 3))
    inv = np.linalg.inv(cov)
    gold = np.array([math.sqrt((r - mu) @ inv @ (r - mu)) for r in x])
    np.testing.assert_allclose(mahalanobis_distance(x, mu, cov), gold, rtol=1e-10)
    assert isinstance(mahalanobis_distance(x[0], mu, cov), float)
    assert mahalanobis_distance(x[0], mu, np.eye(3)) == pytest.approx(np.linalg.norm(x[0] - mu))


def test_knn_matches_brute_force_loop():
    X = RNG.normal(size=(20, 2))
    y = RNG.integers(0, 3, 20)
    Q = RNG.normal(size=(8, 2))
    for k in (1, 3, 5):
        got = knn_predict(X, y, Q, k)
        for q, label in zip(Q, got):
            order = sorted(range(20), key=lambda i: (float(np.sum((X[i] - q) ** 2)), i))[:k]
            counts = [sum(1 for i in order if y[i] == c) for c in range(3)]
            assert label == counts.index(max(counts))


def test_knn_tie_goes_to_smallest_label_and_k1_is_nearest():
    X = [[0.0], [1.0], [3.0], [4.0]]
    y = [2, 1, 0, 0]
    assert knn_predict(X, y, [[0.4]], 2).tolist() == [1]  # votes 1 and 2 tie → 1
    assert knn_predict(X, y, [[0.4]], 1).tolist() == [2]
    assert knn_predict(X, y, [[2.0]], 4).tolist() == [0]


def test_knn_regression():
    assert knn_regress([[0.0], [1.0], [5.0]], [1.0, 3.0, 10.0], [[0.2]], 2).tolist() == [2.0]
    assert knn_regress_1d_six(1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60, 3.4, 3) == pytest.approx(30.0)
