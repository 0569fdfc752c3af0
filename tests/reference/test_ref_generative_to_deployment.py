"""Tests for the 4-6 to 5 references: every formula against values worked out by hand."""

import math
from itertools import combinations

import numpy as np
import pytest

from reference.explainability import grad_cam, grad_cam_pixel, integrated_gradients, lime_kernel_weight, shapley_value_two_features, shapley_values
from reference.generative import (
    ddpm_alpha_bar,
    ddpm_forward_constant_beta,
    ddpm_noisy_sample,
    gan_discriminator_loss,
    gan_generator_loss,
    kl_gaussian_standard,
    optimal_discriminator,
    reparameterize,
)
from reference.lightweight import (
    dequantize,
    int8_scale,
    int8_zero_point,
    linear_scaling_lr,
    model_size_mb,
    quantize,
    quantize_from_range,
    round_half_away,
    temperature_softmax,
    temperature_softmax_prob,
)
from reference.metric_learning import contrastive_loss, info_nce_loss, maml_adapted_param, maml_meta_gradient_quadratic, nt_xent_two_negatives, triplet_loss
from reference.reinforcement import discounted_return, discounted_return_3, greedy_action_probability, q_learning_update, sarsa_update, td_error, td_target

# --------------------------------------------------------------------------- 4-6


def test_kl_gaussian_standard_hand_values():
    assert kl_gaussian_standard(0.0, 1.0) == pytest.approx(0.0, abs=1e-15)
    assert kl_gaussian_standard(1.0, 1.0) == pytest.approx(0.5)
    # ½ (0 + 4 − 1 − ln 4)
    assert kl_gaussian_standard(0.0, 2.0) == pytest.approx(0.5 * (3 - math.log(4)))
    # ½ (1 + 0.25 − 1 − ln 0.25) = ½ (0.25 + 1.3862944)
    assert kl_gaussian_standard(1.0, 0.5) == pytest.approx(0.8181472, rel=1e-7)
    with pytest.raises(ValueError):
        kl_gaussian_standard(0.0, 0.0)


def test_kl_gaussian_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mu, sigma = 0.7, 0.6
    z = mu + sigma * rng.standard_normal(400_000)
    log_q = -0.5 * ((z - mu) / sigma) ** 2 - math.log(sigma)
    log_p = -0.5 * z**2
    assert np.mean(log_q - log_p) == pytest.approx(kl_gaussian_standard(mu, sigma), abs=5e-3)


def test_reparameterize():
    assert reparameterize(1.0, 2.0, 0.5) == pytest.approx(2.0)
    z = reparameterize(np.array([0.0, 1.0]), np.array([1.0, 3.0]), np.array([-1.0, 1.0]))
    np.testing.assert_allclose(z, [-1.0, 4.0])


def test_gan_losses_and_optimal_discriminator():
    assert gan_discriminator_loss(0.5, 0.5) == pytest.approx(2 * math.log(2))
    assert gan_discriminator_loss(0.9, 0.2) == pytest.approx(-math.log(0.9) - math.log(0.8))
    assert gan_generator_loss(0.1) == pytest.approx(math.log(10))
    assert gan_generator_loss(0.1, non_saturating=False) == pytest.approx(math.log(0.9))
    assert optimal_discriminator(0.3, 0.1) == pytest.approx(0.75)
    assert optimal_discriminator(0.2, 0.2) == pytest.approx(0.5)


def test_ddpm_forward():
    assert ddpm_alpha_bar(0.1, 2) == pytest.approx(0.81)
    assert ddpm_alpha_bar(0.3, 0) == 1.0
    # √0.81 · 1 + √0.19 · 0.5 = 0.9 + 0.2179449
    assert ddpm_forward_constant_beta(1.0, 0.5, 0.1, 2) == pytest.approx(1.1179449, rel=1e-7)
    x = ddpm_noisy_sample(np.array([1.0, -1.0]), np.array([0.0, 2.0]), 0.64)
    np.testing.assert_allclose(x, [0.8, -0.8 + 1.2])


# --------------------------------------------------------------------------- 4-7


def test_returns_and_td():
    assert discounted_return([1, 2, 3], 0.9) == pytest.approx(1 + 1.8 + 2.43)
    assert discounted_return_3(1, 2, 3, 0.9) == pytest.approx(5.23)
    assert discounted_return([], 0.9) == 0.0
    assert td_target(1.0, 0.9, 2.0) == pytest.approx(2.8)
    assert td_target(1.0, 0.9, 2.0, done=True) == pytest.approx(1.0)
    assert td_error(1.0, 0.9, 2.0, 1.5) == pytest.approx(1.3)


def test_q_learning_and_sarsa_updates():
    # 1 + 0.5 (1 + 0.9·2 − 1) = 1.9
    assert q_learning_update(1.0, 1.0, 0.9, 2.0, 0.5) == pytest.approx(1.9)
    assert q_learning_update(3.0, 0.0, 0.9, 0.0, 1.0) == pytest.approx(0.0)
    assert sarsa_update(1.0, 1.0, 0.9, 0.0, 0.5) == pytest.approx(1.0)


def test_greedy_action_probability():
    assert greedy_action_probability(0.1, 4) == pytest.approx(0.925)
    assert greedy_action_probability(0.0, 3) == pytest.approx(1.0)
    assert greedy_action_probability(1.0, 5) == pytest.approx(0.2)


# --------------------------------------------------------------------------- 4-8


def test_triplet_and_contrastive():
    assert triplet_loss(1.0, 1.5, 0.2) == 0.0
    assert triplet_loss(1.0, 1.1, 0.2) == pytest.approx(0.1)
    assert contrastive_loss(2.0, 1, 1.0) == pytest.approx(2.0)
    assert contrastive_loss(0.5, 0, 1.0) == pytest.approx(0.125)
    assert contrastive_loss(2.0, False, 1.0) == 0.0


def test_info_nce():
    # −ln(e / (e + 2)) = ln(1 + 2/e)
    assert info_nce_loss(1.0, [0.0, 0.0], 1.0) == pytest.approx(math.log(1 + 2 / math.e))
    assert nt_xent_two_negatives(1.0, 0.0, 0.0, 1.0) == pytest.approx(math.log(1 + 2 / math.e))
    # a lower temperature sharpens: the loss falls when the positive is the most similar
    assert info_nce_loss(0.9, [0.1, 0.2], 0.1) < info_nce_loss(0.9, [0.1, 0.2], 1.0)
    # stable for large logits
    assert info_nce_loss(1.0, [1.0], 1e-3) == pytest.approx(math.log(2))


def test_maml_quadratic_meta_gradient():
    # θ' = 0 − 0.1·2·(0 − 1) = 0.2; L'(θ') = 2(0.2 − 1) = −1.6; × (1 − 0.2)
    assert maml_adapted_param(0.0, -2.0, 0.1) == pytest.approx(0.2)
    assert maml_meta_gradient_quadratic(0.0, 1.0, 2.0, 0.1) == pytest.approx(-1.28)
    assert maml_meta_gradient_quadratic(0.0, 1.0, 2.0, 0.1, first_order=True) == pytest.approx(-1.6)

    def meta_loss(theta, c=1.0, a=2.0, alpha=0.1):
        adapted = theta - alpha * a * (theta - c)
        return 0.5 * a * (adapted - c) ** 2

    h = 1e-6
    numeric = (meta_loss(0.3 + h) - meta_loss(0.3 - h)) / (2 * h)
    assert maml_meta_gradient_quadratic(0.3, 1.0, 2.0, 0.1) == pytest.approx(numeric, rel=1e-6)


# --------------------------------------------------------------------------- 4-9


def test_grad_cam_map_and_pixel():
    acts = np.array([[[1.0, 2.0], [0.0, 1.0]], [[3.0, 0.0], [1.0, 1.0]]])
    grads = np.array([[[1.0, 1.0], [1.0, 1.0]], [[-2.0, 0.0], [0.0, 0.0]]])
    # α = (1, −0.5); 1·A¹ − 0.5·A² = [[−0.5, 2], [−0.5, 0.5]] → ReLU
    np.testing.assert_allclose(grad_cam(acts, grads), [[0.0, 2.0], [0.0, 0.5]])
    assert grad_cam_pixel(1.0, -0.5, 1.0, 3.0) == 0.0
    assert grad_cam_pixel(1.0, -0.5, 2.0, 0.0) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        grad_cam(acts[0], grads[0])


def test_integrated_gradients_closed_form_and_completeness():
    # F = x1² x2 at (2, 3), baseline 0: IG = (2/3 x1² x2, 1/3 x1² x2) = (8, 4)
    def grad(v):
        return np.array([2 * v[0] * v[1], v[0] ** 2])

    ig = integrated_gradients(grad, [2.0, 3.0], steps=400)
    np.testing.assert_allclose(ig, [8.0, 4.0], rtol=1e-4)
    assert ig.sum() == pytest.approx(12.0, rel=1e-4)
    # with a non-zero baseline, the sum is F(x) − F(x')
    ig = integrated_gradients(grad, [2.0, 3.0], baseline=[1.0, 1.0], steps=400)
    assert ig.sum() == pytest.approx(12.0 - 1.0, rel=1e-4)


def test_lime_kernel_weight():
    assert lime_kernel_weight(0.0, 0.75) == 1.0
    assert lime_kernel_weight(1.0, 1.0) == pytest.approx(math.exp(-1))
    assert lime_kernel_weight(0.5, 1.0) == pytest.approx(math.exp(-0.25))


def test_shapley_values():
    # v(∅)=0, v(1)=1, v(2)=2, v(12)=5: φ1 = ½(1 + 3) = 2, φ2 = ½(2 + 4) = 3
    assert shapley_value_two_features(0.0, 1.0, 2.0, 5.0) == pytest.approx(2.0)
    v = {frozenset(): 0.0, frozenset({0}): 1.0, frozenset({1}): 2.0, frozenset({0, 1}): 5.0}
    assert shapley_values(v, 2) == pytest.approx([2.0, 3.0])
    # three players: additive game → each φ is its own contribution; sum = v(F) − v(∅)
    w = {0: 1.0, 1: -2.0, 2: 0.5}
    game = {frozenset(s): 10 + sum(w[i] for i in s) for n in range(4) for s in combinations(range(3), n)}
    assert shapley_values(game, 3) == pytest.approx([1.0, -2.0, 0.5])


# --------------------------------------------------------------------------- 5


def test_temperature_softmax():
    assert temperature_softmax_prob(2.0, 0.0, 1.0) == pytest.approx(1 / (1 + math.exp(-2)))
    assert temperature_softmax_prob(2.0, 0.0, 2.0) == pytest.approx(1 / (1 + math.exp(-1)))
    p = temperature_softmax(np.array([[1000.0, 0.0, -1000.0]]), 1.0)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(temperature_softmax([1.0, 2.0, 3.0], 1e6), [1 / 3] * 3, rtol=1e-5)


def test_rounding_and_quantization():
    assert round_half_away(2.5) == 3
    assert round_half_away(-2.5) == -3
    assert round_half_away(2.4) == 2
    assert round_half_away(-0.4) == 0
    assert int8_scale(-1.0, 1.55) == pytest.approx(0.01)
    assert int8_zero_point(-1.0, 1.55) == -28
    assert quantize(0.5, 0.01, -28) == 22
    assert quantize(10.0, 0.01, -28) == 127  # clipped
    assert quantize(-10.0, 0.01, -28) == -128
    assert dequantize(22, 0.01, -28) == pytest.approx(0.5)
    assert quantize_from_range(0.5, -1.0, 1.55) == 22
    # uint8: range [0, 2.55] → S = 0.01, Z = 0
    assert int8_zero_point(0.0, 2.55, 0, 255) == 0
    assert quantize(1.234, 0.01, 0, 0, 255) == 123
    # real 0 is represented exactly
    z = int8_zero_point(-0.7, 2.3)
    assert dequantize(quantize(0.0, int8_scale(-0.7, 2.3), z), int8_scale(-0.7, 2.3), z) == 0.0


def test_model_size_and_linear_scaling():
    assert model_size_mb(25e6, 32) == pytest.approx(100.0)
    assert model_size_mb(25e6, 8) == pytest.approx(25.0)
    assert linear_scaling_lr(0.1, 256, 8192) == pytest.approx(3.2)
