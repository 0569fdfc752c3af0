"""Tests for reference.regularization: seed 000 例題 values, in place, penalty gradients; dropout."""

import numpy as np
import pytest

from reference.gradient import numerical_gradient
from reference.regularization import Dropout, InvertedDropout, lasso, ridge, sgd_weight_decay_step, weight_decay_loss

RNG = np.random.default_rng(3)


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


# ----------------------------------------------------------------- dropout


def test_dropout_non_inverted_train_and_inference():
    x = 2.0 * np.ones((1000, 100))
    np.random.seed(0)
    layer = Dropout(0.3)
    out = layer.forward(x)
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert abs((out == 0).mean() - 0.3) < 0.01  # ratio is the DROP probability
    np.testing.assert_allclose(layer.forward(x, train_flg=False), 1.4)
    np.testing.assert_array_equal(x, 2.0)


def test_dropout_inverted_scaling_and_backward_mask():
    x = 2.0 * np.ones((1000, 100))
    np.random.seed(1)
    layer = Dropout(0.3, inverted=True)
    out = layer.forward(x)
    assert np.allclose(out[out != 0], 2.0 / 0.7)
    assert abs(out.mean() - 2.0) < 0.02
    dout = RNG.normal(size=x.shape)
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx == 0, out == 0)
    np.testing.assert_allclose(dx[out != 0], dout[out != 0] / 0.7)
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)


def test_dropout_seed_controls_mask_and_masks_differ():
    x = np.ones((20, 20))
    np.random.seed(5)
    a = Dropout(0.5).forward(x)
    np.random.seed(5)
    layer = Dropout(0.5)
    b = layer.forward(x)
    c = layer.forward(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout_backward_matches_numerical_gradient_for_fixed_mask():
    x = RNG.normal(size=(3, 4))
    layer = Dropout(0.4)
    np.random.seed(3)
    layer.forward(x)
    mask = layer.mask.copy()
    R = RNG.normal(size=x.shape)
    num = numerical_gradient(lambda v: np.sum(v * mask * R), x.copy())
    np.testing.assert_allclose(layer.backward(R), num, atol=1e-8)


def test_dropout_zero_ratio_identity_and_float32():
    x = RNG.normal(size=(3, 3)).astype(np.float32)
    out = Dropout(0.0).forward(x)
    np.testing.assert_array_equal(out, x)
    assert out.dtype == np.float32
    assert Dropout(0.5, inverted=True).forward(x).dtype == np.float32
    with pytest.raises(ValueError):
        Dropout(1.0)


def test_inverted_dropout_has_the_dlfs_signature_and_scales_in_training():
    x = 2.0 * np.ones((200, 50))
    np.random.seed(4)
    layer = InvertedDropout(0.2)
    out = layer.forward(x)
    assert set(np.unique(out)) <= {0.0, 2.0 / 0.8}
    assert abs(np.mean(out == 0) - 0.2) < 0.02
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), (out != 0) / 0.8)
    inference = layer.forward(x, train_flg=False)
    np.testing.assert_array_equal(inference, x)
    assert inference is not x
    assert InvertedDropout().dropout_ratio == 0.5
