"""Tests for reference.normalization: batch norm against numerical gradients; group_norm against a loop over
(sample, group) and its two limits."""

import numpy as np
import pytest

from reference.gradient import numerical_gradient
from reference.normalization import BatchNormalization, batchnorm_backward, batchnorm_forward, group_norm

RNG = np.random.default_rng(2)


def weighted_sum_grad(forward, x, out_shape):
    """Numerical d/dx of Σ(forward(x) * R) for a fixed random R, and R itself (= dout)."""
    R = np.random.default_rng(99).normal(size=out_shape)
    return numerical_gradient(lambda _: np.sum(forward() * R), x), R


# ---------------------------------------------------------- batch norm


def test_batchnorm_forward_normalises_each_feature():
    x = RNG.normal(loc=3.0, scale=2.0, size=(16, 4))
    gamma, beta = np.array([1.0, 2.0, 0.5, 3.0]), np.array([0.0, -1.0, 2.0, 0.5])
    out, rm, rv = batchnorm_forward(x, gamma, beta, np.zeros(4), np.zeros(4), eps=1e-7)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-7)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-5)
    np.testing.assert_allclose(rm, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(rv, 0.1 * x.var(axis=0))  # biased variance (ddof=0)


def test_batchnorm_running_mean_029():
    # from zeros, two training calls whose batch means are 1 and 2 -> 0.9*0.1 + 0.1*2 = 0.29
    rm, rv = np.zeros(1), np.zeros(1)
    for mean in (1.0, 2.0):
        x = np.array([[mean - 1.0], [mean + 1.0]])
        _, rm, rv = batchnorm_forward(x, np.ones(1), np.zeros(1), rm, rv)
    assert rm[0] == pytest.approx(0.29)


def test_batchnorm_inference_edge_cases_and_no_mutation():
    gamma, beta = np.array([2.0, 1.0]), np.array([0.5, -0.5])
    rm, rv = np.array([1.0, -1.0]), np.array([4.0, 0.25])
    x = np.array([[3.0, 0.0]])
    saved = [a.copy() for a in (x, gamma, beta, rm, rv)]
    out, rm2, rv2 = batchnorm_forward(x, gamma, beta, rm, rv, eps=0.0, train=False)
    np.testing.assert_allclose(out, [[2.0 * 1.0 + 0.5, 1.0 * 2.0 - 0.5]])
    assert rm2 is rm and rv2 is rv
    out1, _, _ = batchnorm_forward(x, gamma, beta, rm, rv)  # N = 1 in training: x̂ = 0
    np.testing.assert_allclose(out1, [beta])
    const = np.ones((5, 2))
    assert np.all(np.isfinite(batchnorm_forward(const, gamma, beta, rm, rv)[0]))
    for a, s in zip((x, gamma, beta, rm, rv), saved, strict=True):
        np.testing.assert_array_equal(a, s)


@pytest.mark.parametrize("n", [16, 2])
def test_batchnorm_backward_against_numerical_gradient(n):
    x = RNG.normal(size=(n, 3))
    gamma, beta = RNG.normal(size=3), RNG.normal(size=3)
    R = RNG.normal(size=(n, 3))

    def loss(_):
        return np.sum(batchnorm_forward(x, gamma, beta, None, None, eps=1e-5)[0] * R)

    dx, dgamma, dbeta = batchnorm_backward(R, x, gamma, eps=1e-5)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), atol=1e-6)
    np.testing.assert_allclose(dgamma, numerical_gradient(loss, gamma), atol=1e-6)
    np.testing.assert_allclose(dbeta, numerical_gradient(loss, beta), atol=1e-6)
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-9)


def test_batchnormalization_class_train_and_running_stats():
    gamma, beta = np.ones(3), np.zeros(3)
    layer = BatchNormalization(gamma, beta)
    assert layer.eps == 1e-6 and layer.momentum == 0.9
    x = RNG.normal(size=(8, 3))
    out = layer.forward(x)
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-6))
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(0))  # started at zeros
    num, R = weighted_sum_grad(lambda: BatchNormalization(gamma, beta).forward(x), x, x.shape)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(R), num, atol=1e-6)
    num_g = numerical_gradient(lambda _: np.sum(BatchNormalization(gamma, beta).forward(x) * R), gamma)
    np.testing.assert_allclose(layer.dgamma, num_g, atol=1e-6)
    np.testing.assert_allclose(layer.dbeta, R.sum(axis=0))


def test_batchnormalization_class_4d_input_and_inference_backward():
    x = RNG.normal(size=(4, 2, 2, 2))
    gamma, beta = RNG.normal(size=8), RNG.normal(size=8)
    rm, rv = RNG.normal(size=8), RNG.uniform(0.5, 2.0, size=8)
    layer = BatchNormalization(gamma, beta, running_mean=rm.copy(), running_var=rv.copy())
    out = layer.forward(x, train_flg=False)
    assert out.shape == x.shape
    # statistics per (c, h, w) after flattening, as DLFS
    np.testing.assert_allclose(out.reshape(4, 8), gamma * (x.reshape(4, 8) - rm) / np.sqrt(rv + 1e-6) + beta)
    num, R = weighted_sum_grad(lambda: layer.forward(x, train_flg=False), x, x.shape)
    layer.forward(x, train_flg=False)
    dx = layer.backward(R)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, num, atol=1e-7)


def test_worked_example_one_group_by_hand():
    x = np.array([[[[1.0, 3.0]], [[5.0, 7.0]]]])  # (1, 2, 1, 2): one group of 4 values, mean 4, variance 5
    out = group_norm(x, np.ones(2), np.zeros(2), G=1, eps=0.0)
    np.testing.assert_allclose(out.ravel(), np.array([-3.0, -1.0, 1.0, 3.0]) / np.sqrt(5.0))


def test_matches_a_loop_over_samples_and_groups():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 6, 4, 5)) * 2 + 1
    gamma, beta = rng.normal(size=6), rng.normal(size=6)
    out = group_norm(x, gamma, beta, G=3, eps=1e-5)
    gold = np.empty_like(x)
    for n in range(3):
        for g in range(3):
            block = x[n, 2 * g:2 * g + 2]
            mean = block.sum() / block.size
            var = ((block - mean) ** 2).sum() / block.size
            gold[n, 2 * g:2 * g + 2] = (block - mean) / np.sqrt(var + 1e-5)
    gold = gold * gamma[None, :, None, None] + beta[None, :, None, None]
    np.testing.assert_allclose(out, gold, rtol=1e-12, atol=1e-12)


def test_one_group_is_layer_norm_and_c_groups_is_instance_norm():
    x = np.random.default_rng(4).normal(size=(2, 4, 3, 3))
    ones, zeros = np.ones(4), np.zeros(4)
    layer = (x - x.mean(axis=(1, 2, 3), keepdims=True)) / np.sqrt(x.var(axis=(1, 2, 3), keepdims=True) + 1e-5)
    instance = (x - x.mean(axis=(2, 3), keepdims=True)) / np.sqrt(x.var(axis=(2, 3), keepdims=True) + 1e-5)
    np.testing.assert_allclose(group_norm(x, ones, zeros, G=1), layer, atol=1e-12)
    np.testing.assert_allclose(group_norm(x, ones, zeros, G=4), instance, atol=1e-12)


def test_does_not_mix_samples_and_leaves_input_untouched():
    x = np.random.default_rng(5).normal(size=(2, 4, 2, 2))
    before = x.copy()
    single = group_norm(x[:1], np.ones(4), np.zeros(4), G=2)
    np.testing.assert_allclose(group_norm(x, np.ones(4), np.zeros(4), G=2)[:1], single)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("G, shape", [(3, (1, 4, 2, 2)), (0, (1, 4, 2, 2)), (2, (4, 2, 2))])
def test_rejects_groups_that_do_not_divide_and_non_4d_input(G, shape):
    with pytest.raises(ValueError):
        group_norm(np.zeros(shape), np.ones(4), np.zeros(4), G=G)
