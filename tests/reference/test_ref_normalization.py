"""Tests for reference.normalization: group_norm against a loop over (sample, group) and its two limits."""

import numpy as np
import pytest

from reference.normalization import group_norm


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
