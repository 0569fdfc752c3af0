"""Tests for reference.regularization: seed 000 例題 values, in place, penalty gradients."""

import numpy as np
import pytest

from reference.gradient import numerical_gradient
from reference.regularization import lasso, ridge, sgd_weight_decay_step, weight_decay_loss


def test_ridge_adds_rate_times_param_in_place():
    param = np.array([-2.0, 0.0, 3.0])
    grad = np.array([0.1, 0.2, 0.3])
    grad_obj = grad
    assert ridge(param, grad, 0.1) is None
    assert grad is grad_obj
    np.testing.assert_allclose(grad, [-0.1, 0.2, 0.6])
    np.testing.assert_array_equal(param, [-2.0, 0.0, 3.0])


def test_lasso_adds_rate_times_sign_in_place():
    param = np.array([-2.0, 0.0, 0.5])
    grad = np.zeros(3)
    assert lasso(param, grad, 0.1) is None
    np.testing.assert_allclose(grad, [-0.1, 0.0, 0.1])  # not rate² (seed 004 E37)
    np.testing.assert_array_equal(param, [-2.0, 0.0, 0.5])


def test_ridge_and_lasso_are_penalty_gradients():
    W = np.random.default_rng(0).normal(size=(3, 2))
    g = np.zeros_like(W)
    ridge(W, g, 0.3)
    np.testing.assert_allclose(g, numerical_gradient(lambda _: 0.15 * np.sum(W ** 2), W), atol=1e-8)
    g = np.zeros_like(W)
    lasso(W, g, 0.3)
    np.testing.assert_allclose(g, numerical_gradient(lambda _: 0.3 * np.sum(np.abs(W)), W), atol=1e-8)


def test_weight_decay_loss_half_lambda_squared_norm():
    W1, W2 = np.array([[1.0, -2.0]]), np.array([[3.0], [0.5]])
    assert weight_decay_loss([W1, W2], 0.1) == pytest.approx(0.5 * 0.1 * (1 + 4 + 9 + 0.25))
    assert weight_decay_loss({"W1": W1, "W2": W2}, 0.1) == pytest.approx(0.7125)
    assert weight_decay_loss(W1, 2.0) == pytest.approx(5.0)
    # the gradient of the penalty is λW (consistent with ridge)
    np.testing.assert_allclose(numerical_gradient(lambda _: weight_decay_loss([W1], 0.1), W1), 0.1 * W1, atol=1e-8)


def test_sgd_weight_decay_step_q25_and_purity():
    assert sgd_weight_decay_step(2.0, 0.5, 0.1, 0.01) == pytest.approx(1.948, abs=1e-12)
    w = np.array([2.0, -1.0])
    new = sgd_weight_decay_step(w, np.array([0.5, 0.0]), 0.1, 0.01)
    np.testing.assert_allclose(new, [1.948, -0.999])
    np.testing.assert_array_equal(w, [2.0, -1.0])
