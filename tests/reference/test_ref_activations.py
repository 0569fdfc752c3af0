"""Tests for reference.activations: closed forms, numerical derivatives, dtypes, no mutation."""

import warnings

import numpy as np
import pytest

from reference.activations import (
    identity,
    leaky_relu,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    step_function,
    tanh,
    tanh_grad,
)
from reference.gradient import numerical_diff

RNG = np.random.default_rng(0)


def test_step_function_is_zero_at_zero_and_int():
    y = step_function(np.array([-1.0, 0.0, 0.5, 3.0]))
    np.testing.assert_array_equal(y, [0, 0, 1, 1])
    assert y.dtype.kind == "i"


def test_sigmoid_extremes_without_overflow_warning():
    x = np.array([-1000.0, -20.0, 0.0, 20.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the DLFS one-liner warns here
        y = sigmoid(x)
    np.testing.assert_allclose(y, [0.0, 2.0611536e-9, 0.5, 1 - 2.0611536e-9, 1.0], rtol=1e-7, atol=1e-15)


def test_sigmoid_matches_closed_form_and_symmetry():
    x = RNG.normal(size=(3, 4)) * 5
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-13)
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-15)


def test_sigmoid_dtype_and_0d():
    assert sigmoid(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert sigmoid(np.array([1, 2])).dtype == np.float64
    assert float(sigmoid(np.float64(0.0))) == 0.5


@pytest.mark.parametrize("fn", [sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu, softmax])
def test_inputs_not_mutated(fn):
    x = RNG.normal(size=(2, 5))
    saved = x.copy()
    fn(x)
    np.testing.assert_array_equal(x, saved)


@pytest.mark.parametrize(
    "f, df",
    [
        (sigmoid, sigmoid_grad),
        (tanh, tanh_grad),
        (lambda v: leaky_relu(v, alpha=0.1), None),
    ],
)
def test_derivatives_match_central_difference(f, df):
    # avoid 0 (ReLU-type kink); the grad functions take the pre-activation
    for x0 in [-2.3, -0.4, 0.7, 1.9]:
        numeric = numerical_diff(lambda v: float(f(np.array(v))), x0)
        if df is None:
            expected = 1.0 if x0 > 0 else 0.1
        else:
            expected = float(df(np.array(x0)))
        assert numeric == pytest.approx(expected, abs=1e-7)


def test_sigmoid_grad_maximum_is_quarter_at_zero():
    x = np.linspace(-5, 5, 1001)
    g = sigmoid_grad(x)
    assert g.max() == pytest.approx(0.25)
    assert x[g.argmax()] == pytest.approx(0.0)


def test_sigmoid_grad_takes_preactivation_not_output():
    # the course bug computes σ'(σ(u)): 0.2055 instead of 0.09 for σ(u) = 0.9
    u = np.log(9.0)  # σ(u) = 0.9
    assert float(sigmoid_grad(u)) == pytest.approx(0.09)
    assert float(sigmoid_grad(sigmoid(u))) == pytest.approx(0.2055, abs=1e-4)


def test_relu_and_relu_grad():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(x), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu_grad(x), [0.0, 1.0, 1.0])  # DLFS: 1 at 0
    assert relu(x.astype(np.float32)).dtype == np.float32


def test_leaky_relu_default_slope():
    np.testing.assert_allclose(leaky_relu(np.array([-2.0, 3.0])), [-0.02, 3.0])


def test_identity_returns_input():
    x = np.arange(3.0)
    assert identity(x) is x


def test_softmax_values_and_overflow():
    expected = [0.09003057, 0.24472847, 0.66524096]
    np.testing.assert_allclose(softmax(np.array([1.0, 2.0, 3.0])), expected, rtol=1e-7)
    np.testing.assert_allclose(softmax(np.array([1000.0, 1001.0, 1002.0])), expected, rtol=1e-7)
    rows = softmax(np.array([[0.0, 1.0], [1000.0, 1001.0]]))
    np.testing.assert_allclose(rows, [[0.26894142, 0.73105858]] * 2, rtol=1e-7)


def test_softmax_any_ndim_rows_sum_to_one():
    x = RNG.normal(size=(2, 3, 4)) * 100
    y = softmax(x)
    assert y.shape == x.shape
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-12)
    # each slice is its own softmax
    np.testing.assert_allclose(y[1, 2], softmax(x[1, 2]), rtol=1e-12)


def test_softmax_float32_and_neg_inf():
    assert softmax(np.ones((2, 3), dtype=np.float32)).dtype == np.float32
    y = softmax(np.array([0.0, -np.inf, np.log(3.0)]))
    np.testing.assert_allclose(y, [0.25, 0.0, 0.75], rtol=1e-12)
