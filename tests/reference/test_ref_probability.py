"""Tests for reference.probability: Bayes' rule, estimators and distributions against hand values and sampling."""

import math

import numpy as np
import pytest

from reference.probability import (
    bayes_posterior,
    bernoulli_map,
    bernoulli_mle,
    bernoulli_posterior_mean,
    binomial_cdf,
    binomial_pmf,
    covariance_from_joint,
    gaussian_mixture_pdf,
    gaussian_mle,
    gaussian_pdf,
    mle_variance,
    multinomial_pmf,
    naive_bayes_posterior,
    noise_variance_mle,
    positive_predictive_value,
    sample_mean_std,
    t_statistic,
)

RNG = np.random.default_rng(3)


def test_bayes_posterior_hand_value_and_rows() -> None:
    # prior (0.5, 0.3, 0.2), likelihood (0.1, 0.4, 0.2): joint (0.05, 0.12, 0.04), evidence 0.21
    post = bayes_posterior([0.5, 0.3, 0.2], [0.1, 0.4, 0.2])
    np.testing.assert_allclose(post, [0.05 / 0.21, 0.12 / 0.21, 0.04 / 0.21])
    likelihood = RNG.uniform(0.01, 1.0, size=(6, 3))
    before = likelihood.copy()
    rows = bayes_posterior([0.2, 0.3, 0.5], likelihood)
    assert rows.shape == (6, 3)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
    np.testing.assert_allclose(rows[2], bayes_posterior([0.2, 0.3, 0.5], likelihood[2]))
    np.testing.assert_array_equal(likelihood, before)


def test_positive_predictive_value_classic_example() -> None:
    # prevalence 1 %, sensitivity 90 %, specificity 91 %: 0.009 / (0.009 + 0.0891)
    assert positive_predictive_value(0.01, 0.9, 0.91) == pytest.approx(0.009 / 0.0981)


def test_positive_predictive_value_matches_counting_a_population() -> None:
    population = 1_000_000
    sick = round(population * 0.02)
    true_pos = sick * 0.95
    false_pos = (population - sick) * (1 - 0.97)
    assert positive_predictive_value(0.02, 0.95, 0.97) == pytest.approx(true_pos / (true_pos + false_pos))


def test_naive_bayes_multiplies_conditionally_independent_features() -> None:
    value = naive_bayes_posterior(0.3, 0.8, 0.6, 0.2, 0.5)
    assert value == pytest.approx(0.3 * 0.8 * 0.6 / (0.3 * 0.8 * 0.6 + 0.7 * 0.2 * 0.5))


def test_gaussian_mle_divides_by_n() -> None:
    x = np.array([[1.0, 2.0], [3.0, 0.0], [5.0, 4.0]])
    mu, sigma = gaussian_mle(x)
    np.testing.assert_allclose(mu, [3.0, 2.0])
    # deviations (-2, 0), (0, -2), (2, 2): Σ d dᵀ = [[8, 4], [4, 8]], / 3
    np.testing.assert_allclose(sigma, np.array([[8.0, 4.0], [4.0, 8.0]]) / 3)
    np.testing.assert_allclose(sigma, np.cov(x, rowvar=False, ddof=0))
    assert mle_variance(1, 2, 3, 4, 5) == pytest.approx(2.0)


def test_gaussian_mle_converges_on_samples() -> None:
    cov = np.array([[2.0, 0.6], [0.6, 1.0]])
    x = RNG.multivariate_normal([1.0, -2.0], cov, size=200_000)
    mu, sigma = gaussian_mle(x)
    np.testing.assert_allclose(mu, [1.0, -2.0], atol=0.02)
    np.testing.assert_allclose(sigma, cov, atol=0.03)


def test_noise_variance_is_the_mean_squared_residual() -> None:
    assert noise_variance_mle(1, -1, 2, 0, -2) == pytest.approx(2.0)
    # residuals with a non-zero mean are not re-centred (unlike a sample variance)
    assert noise_variance_mle(1, 1, 1, 1, 1) == pytest.approx(1.0)
    assert noise_variance_mle(1, 1, 1, 1, 1) != pytest.approx(mle_variance(1, 1, 1, 1, 1))


def test_bernoulli_estimators() -> None:
    assert bernoulli_mle(3, 10) == pytest.approx(0.3)
    # Beta(2, 2) prior adds one pseudo-success and one pseudo-failure to the mode
    assert bernoulli_map(3, 10, 2, 2) == pytest.approx(4 / 12)
    assert bernoulli_map(3, 10, 1, 1) == pytest.approx(bernoulli_mle(3, 10))  # uniform prior: MAP = MLE
    assert bernoulli_posterior_mean(3, 10, 2, 2) == pytest.approx(5 / 14)


def test_bernoulli_map_is_the_mode_of_the_posterior() -> None:
    k, n, a, b = 7, 12, 3.0, 2.0
    mu = np.linspace(1e-4, 1 - 1e-4, 200_001)
    log_post = (k + a - 1) * np.log(mu) + (n - k + b - 1) * np.log(1 - mu)
    assert mu[np.argmax(log_post)] == pytest.approx(bernoulli_map(k, n, a, b), abs=1e-4)


def test_gaussian_pdf_hand_values_and_normalisation() -> None:
    assert gaussian_pdf(0.0, 0.0, 1.0) == pytest.approx(1 / math.sqrt(2 * math.pi))
    assert gaussian_pdf(3.0, 1.0, 4.0) == pytest.approx(math.exp(-0.5) / math.sqrt(8 * math.pi))
    grid = np.linspace(-30, 30, 600_001)
    assert np.trapezoid(gaussian_pdf(grid, 2.0, 3.0), grid) == pytest.approx(1.0, abs=1e-9)
    assert gaussian_pdf(0.0, 0.0, 0.01) > 1  # a density may exceed 1


def test_gaussian_mixture_is_the_weighted_sum() -> None:
    assert gaussian_mixture_pdf(0.5, 0.3, 0.0, 1.0, 2.0, 0.5) == pytest.approx(
        0.3 * gaussian_pdf(0.5, 0.0, 1.0) + 0.7 * gaussian_pdf(0.5, 2.0, 0.5))


def test_binomial_and_multinomial_pmfs() -> None:
    assert binomial_pmf(2, 4, 0.5) == pytest.approx(6 / 16)
    assert sum(binomial_pmf(k, 7, 0.3) for k in range(8)) == pytest.approx(1.0)
    assert binomial_cdf(1, 3, 0.5) == pytest.approx(0.5)  # (1 + 3) / 8
    assert binomial_cdf(7, 7, 0.3) == pytest.approx(1.0)
    assert multinomial_pmf(1, 1, 1, 1 / 3, 1 / 3, 1 / 3) == pytest.approx(6 / 27)
    assert multinomial_pmf(2, 0, 0, 0.5, 0.3, 0.2) == pytest.approx(0.25)
    total = sum(multinomial_pmf(a, b, 4 - a - b, 0.2, 0.5, 0.3) for a in range(5) for b in range(5 - a))
    assert total == pytest.approx(1.0)


def test_covariance_from_joint() -> None:
    assert covariance_from_joint(0.25, 0.25, 0.25, 0.25) == pytest.approx(0.0)
    assert covariance_from_joint(0.5, 0.0, 0.0, 0.5) == pytest.approx(0.25)  # Y = X: Var = 1/4
    table = np.array([0.1, 0.2, 0.3, 0.4])
    draws = RNG.choice(4, size=400_000, p=table)
    x, y = draws // 2, draws % 2
    assert covariance_from_joint(*table) == pytest.approx(np.mean(x * y) - x.mean() * y.mean(), abs=3e-3)


def test_t_statistic_uses_the_unbiased_deviation() -> None:
    # x̄ = 3, s² = 10/4 → t = (3 - 2) / sqrt(2.5 / 5)
    assert t_statistic(1, 2, 3, 4, 5, 2) == pytest.approx(1 / math.sqrt(0.5))


def test_sample_mean_std_matches_simulation() -> None:
    means = RNG.binomial(50, 0.3, size=200_000) / 50
    assert sample_mean_std(0.3, 50) == pytest.approx(means.std(), rel=0.01)
