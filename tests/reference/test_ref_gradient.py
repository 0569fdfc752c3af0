"""Tests for reference.gradient against closed forms (it is the gold for the other tests)."""

import numpy as np
import pytest

from reference.gradient import numerical_diff, numerical_gradient


def test_numerical_diff_central_difference_is_second_order():
    # d/dx x^3 at 2 = 12; the central difference error is h^2 = 1e-8 exactly for x^3
    assert numerical_diff(lambda x: x ** 3, 2.0) == pytest.approx(12.0, abs=2e-8)
    # a forward difference would be off by 3*x*h = 6e-4
    assert abs(numerical_diff(lambda x: x ** 3, 2.0) - 12.0) < 1e-6


def test_numerical_diff_of_exp():
    assert numerical_diff(np.exp, 1.0) == pytest.approx(np.e, rel=1e-8)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 2, 2), ()])
def test_numerical_gradient_sum_of_squares_any_shape(shape):
    x = np.random.default_rng(0).normal(size=shape)
    g = numerical_gradient(lambda v: np.sum(v ** 2), x)
    assert g.shape == x.shape
    np.testing.assert_allclose(g, 2 * x, atol=1e-8)


def test_numerical_gradient_closure_ignoring_argument():
    W = np.random.default_rng(1).normal(size=(2, 3))
    g = numerical_gradient(lambda _: np.sum(W ** 3), W)  # reads W through the closure
    np.testing.assert_allclose(g, 3 * W ** 2, atol=1e-7)


def test_numerical_gradient_restores_x_bit_for_bit_and_does_not_alias():
    x = np.random.default_rng(2).normal(size=(3, 4))
    saved = x.copy()
    g = numerical_gradient(lambda v: np.sum(np.sin(v)), x)
    assert np.array_equal(x, saved) and x.tobytes() == saved.tobytes()
    assert g is not x and not np.shares_memory(g, x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, np.cos(saved), atol=1e-8)


def test_numerical_gradient_float32_input():
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    g = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x, h=1e-2)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-2)
    assert x.dtype == np.float32


def test_numerical_gradient_rejects_integer_arrays():
    with pytest.raises(TypeError, match="floating-point"):
        numerical_gradient(lambda v: np.sum(v), np.arange(3))
