"""Tests for reference.losses: hand values, label forms, batch means, gradients."""

import numpy as np
import pytest

from reference.gradient import numerical_gradient
from reference.losses import (
    binary_cross_entropy,
    course_mean_squared_error,
    cross_entropy_error,
    mean_squared_error,
    sum_squared_error,
)

RNG = np.random.default_rng(1)


def test_sum_squared_error_is_dlfs_half_sum():
    y = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]])
    t = np.array([[0, 1, 0], [1, 0, 0]])
    # 0.5 * (0.01 + 0.16 + 0.09 + 0.25 + 0.04 + 0.09)
    assert sum_squared_error(y, t) == pytest.approx(0.32)


def test_mean_squared_error_divides_by_batch_size():
    y = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]])
    t = np.array([[0, 1, 0], [1, 0, 0]])
    assert mean_squared_error(y, t) == pytest.approx(0.16)
    # a 1-D prediction is one sample
    assert mean_squared_error(np.array([1.0, 2.0]), np.array([0.0, 0.0])) == pytest.approx(2.5)


def test_course_mean_squared_error_halves_the_mean_over_all_elements():
    d = np.array([[0, 1, 0], [1, 0, 0]])
    y = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]])
    # (0.01 + 0.16 + 0.09 + 0.25 + 0.04 + 0.09) / 6 / 2, by hand
    assert course_mean_squared_error(d, y) == pytest.approx(0.64 / 12)
    assert course_mean_squared_error(y, d) == pytest.approx(0.64 / 12)  # symmetric
    # with one output unit it equals the batch-mean form Σ/(2N)
    d1, y1 = RNG.normal(size=(5, 1)), RNG.normal(size=(5, 1))
    assert course_mean_squared_error(d1, y1) == pytest.approx(mean_squared_error(y1, d1))


def test_mean_squared_error_gradient_is_diff_over_n():
    y = RNG.normal(size=(4, 3))
    t = RNG.normal(size=(4, 3))
    g = numerical_gradient(lambda v: mean_squared_error(v, t), y.copy())
    np.testing.assert_allclose(g, (y - t) / 4, atol=1e-8)


def test_cross_entropy_hand_values():
    assert cross_entropy_error(np.array([0.1, 0.7, 0.2]), np.array([0, 1, 0])) == pytest.approx(
        0.35667480, rel=1e-6)
    y = np.array([[0.1, 0.7, 0.2], [0.0, 0.5, 0.5]])
    # the exact 0 needs eps: -(log(0.7+1e-7) + log(1e-7)) / 2
    assert cross_entropy_error(y, np.array([1, 0])) == pytest.approx(8.2373852, rel=1e-6)
    assert np.isfinite(cross_entropy_error(y, np.array([1, 0])))


def test_cross_entropy_one_hot_equals_labels_and_is_mean():
    logits = RNG.normal(size=(5, 4))
    y = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[labels]
    ce = cross_entropy_error(y, labels)
    assert cross_entropy_error(y, one_hot) == pytest.approx(ce, rel=1e-14)
    assert ce == pytest.approx(-np.mean(np.log(y[np.arange(5), labels] + 1e-7)), rel=1e-14)
    assert np.ndim(ce) == 0


def test_cross_entropy_eps_is_a_parameter():
    y = np.array([0.0, 1.0])
    assert cross_entropy_error(y, np.array([1, 0]), eps=1e-3) == pytest.approx(-np.log(1e-3))


def test_cross_entropy_does_not_mutate():
    y = np.array([[0.2, 0.8], [0.6, 0.4]])
    t = np.array([[0.0, 1.0], [1.0, 0.0]])
    ys, ts = y.copy(), t.copy()
    cross_entropy_error(y, t)
    np.testing.assert_array_equal(y, ys)
    np.testing.assert_array_equal(t, ts)


def test_binary_cross_entropy_batch_mean_and_gradient():
    y = np.array([0.9, 0.2, 0.6])
    t = np.array([1.0, 0.0, 1.0])
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.6)) / 3
    assert binary_cross_entropy(y, t) == pytest.approx(expected, rel=1e-6)
    # through the sigmoid the gradient is (σ(x) - t) / N (seed 003, 3.3 (2))
    x = np.array([0.3, -1.2, 2.0])
    f = lambda v: binary_cross_entropy(1 / (1 + np.exp(-v)), t)
    np.testing.assert_allclose(numerical_gradient(f, x.copy()), (1 / (1 + np.exp(-x)) - t) / 3, atol=1e-6)


def test_binary_cross_entropy_stays_finite_at_zero_and_one():
    assert np.isfinite(binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])))
