"""Tests for reference.classical_models: least squares, odds, Gini, PCA ratio and k-means against hand values."""

import math

import numpy as np
import pytest

from reference.classical_models import (
    correlation_of_four,
    gini_impurity,
    gini_split_decrease,
    kmeans_step,
    kmeans_update_1d,
    least_squares_slope_of_four,
    logit,
    odds,
    odds_ratio,
    pca_ratio_2x2,
    ridge_slope_of_four,
    svm_margin_2d,
)

RNG = np.random.default_rng(5)


def test_least_squares_matches_polyfit_and_exact_line():
    x, y = (1.0, 2.0, 4.0, 7.0), (3.0, 2.0, 6.0, 8.0)
    slope, _ = np.polyfit(x, y, 1)
    assert least_squares_slope_of_four(*x, *y) == pytest.approx(slope)
    assert least_squares_slope_of_four(0, 1, 2, 3, 1, 3, 5, 7) == pytest.approx(2.0)
    assert correlation_of_four(*x, *y) == pytest.approx(np.corrcoef(x, y)[0, 1])
    assert correlation_of_four(0, 1, 2, 3, 7, 5, 3, 1) == pytest.approx(-1.0)


def test_odds_and_logit():
    assert odds(0.8) == pytest.approx(4.0)
    assert logit(0.5) == 0.0
    assert math.exp(logit(0.3)) / (1 + math.exp(logit(0.3))) == pytest.approx(0.3)  # the logistic function inverts it
    assert odds_ratio(0.7) == pytest.approx(odds(1 / (1 + math.exp(-1.7))) / odds(1 / (1 + math.exp(-1.0))))


def test_svm_margin():
    assert svm_margin_2d(3, 4) == pytest.approx(0.4)


def test_gini():
    assert gini_impurity([5, 5]) == pytest.approx(0.5)
    assert gini_impurity([10, 0]) == 0.0
    assert gini_impurity([1, 1, 1]) == pytest.approx(2 / 3)
    # parent (5, 5) = 0.5; left (4, 1) = 0.32, right (1, 4) = 0.32 → decrease 0.18
    assert gini_split_decrease(4, 1, 1, 4) == pytest.approx(0.18)


def test_pca_ratio_matches_eigvalsh():
    for _ in range(10):
        A = RNG.normal(size=(2, 2))
        cov = A @ A.T
        eig = np.linalg.eigvalsh(cov)
        assert pca_ratio_2x2(cov[0, 0], cov[0, 1], cov[1, 1]) == pytest.approx(eig[1] / eig.sum())


def test_kmeans_step_by_hand():
    X = [[0.0, 0.0], [1.0, 0.0], [9.0, 9.0], [10.0, 9.0], [2.0, 0.0]]
    C = np.array([[0.0, 0.0], [10.0, 10.0], [50.0, 50.0]])
    labels, new = kmeans_step(X, C)
    assert labels.tolist() == [0, 0, 1, 1, 0]
    np.testing.assert_allclose(new, [[1.0, 0.0], [9.5, 9.0], [50.0, 50.0]])  # empty cluster keeps its centre
    assert C[0, 0] == 0.0  # input not modified
    assert kmeans_update_1d(1, 2, 3, 7, 8, 9, 2, 8) == pytest.approx(2.0)
    assert kmeans_update_1d(1, 2, 5, 7, 8, 9, 1, 8) == pytest.approx(1.5)  # 5 is nearer to 8 than to 1


def test_ridge_slope_minimises_the_penalised_loss():
    x, y, lam = (1.0, -2.0, 3.0, 0.5), (2.0, -3.0, 7.0, 1.0), 2.5
    w = ridge_slope_of_four(*x, *y, lam)
    loss = lambda v: sum((b - v * a) ** 2 for a, b in zip(x, y)) + lam * v * v
    assert loss(w) < loss(w + 1e-4) and loss(w) < loss(w - 1e-4)
    assert ridge_slope_of_four(*x, *y, 0.0) == pytest.approx(np.dot(x, y) / np.dot(x, x))
