"""Probability and statistics (確率・統計): Bayes' rule, distributions, and parameter estimation (MLE, MAP).

Conventions (PRML (Bishop 2006) 1.2, 2.1-2.3; 「深層学習」(Goodfellow ほか, 邦訳 2018) 3章, 5.5-5.6):

* a Gaussian is written with its **variance**: ``gaussian_pdf(x, mean, var)``;
* maximum-likelihood variances and covariances divide by **N** (biased); ``t_statistic`` uses the
  unbiased ``N - 1`` standard deviation, as the t-test does;
* Beta(a, b) priors on a Bernoulli parameter use PRML 2.1.1's parametrisation
  (``Beta(μ | a, b) ∝ μ^(a-1) (1-μ)^(b-1)``);
* inputs are never modified.
"""

from __future__ import annotations

from math import comb, factorial, prod

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]

__all__ = [
    "bayes_posterior",
    "positive_predictive_value",
    "naive_bayes_posterior",
    "gaussian_mle",
    "mle_variance",
    "noise_variance_mle",
    "bernoulli_mle",
    "bernoulli_map",
    "bernoulli_posterior_mean",
    "gaussian_pdf",
    "gaussian_mixture_pdf",
    "binomial_pmf",
    "binomial_cdf",
    "multinomial_pmf",
    "covariance_from_joint",
    "t_statistic",
    "sample_mean_std",
]


def bayes_posterior(prior: ArrayLike, likelihood: ArrayLike) -> Floats:
    """Posterior ``P(k | x) = P(x | k) P(k) / Σ_j P(x | j) P(j)`` over K hypotheses (ベイズ則).

    Parameters
    ----------
    prior : ndarray of shape (K,)
        ``P(k)``, summing to 1.
    likelihood : ndarray of shape (K,) or (N, K)
        ``P(x | k)`` for one observation, or one row per observation ``x_n`` (rows need not sum to 1).

    Returns
    -------
    ndarray of the shape of ``likelihood``
        Each row sums to 1 (normalised by the evidence ``P(x)`` of that row).
    """
    prior = np.asarray(prior, dtype=float)
    joint: Floats = np.asarray(likelihood, dtype=float) * prior
    posterior: Floats = joint / joint.sum(axis=-1, keepdims=True)
    return posterior


def positive_predictive_value(prevalence: float, sensitivity: float, specificity: float) -> float:
    """``P(病気 | 陽性)`` of a test, by Bayes' rule.

    ``P(D | +) = s π / (s π + (1 - c)(1 - π))`` with prevalence ``π = P(D)``, sensitivity
    ``s = P(+ | D)`` and specificity ``c = P(- | not D)``.
    """
    true_positive = sensitivity * prevalence
    false_positive = (1 - specificity) * (1 - prevalence)
    return float(true_positive / (true_positive + false_positive))


def naive_bayes_posterior(prior1: float, a1: float, b1: float, a0: float, b0: float) -> float:
    """Naive-Bayes posterior of class 1 for two binary features both observed as 1.

    ``P(C=1 | x1=1, x2=1) ∝ P(C=1) P(x1=1 | C=1) P(x2=1 | C=1)`` with the features conditionally
    independent given the class: ``a1 = P(x1=1 | C=1)``, ``b1 = P(x2=1 | C=1)``, ``a0``, ``b0`` the same
    for class 0, and ``prior1 = P(C=1)``.
    """
    likelihood = np.array([[a0 * b0, a1 * b1]])
    return float(bayes_posterior([1 - prior1, prior1], likelihood)[0, 1])


def gaussian_mle(x: ArrayLike) -> tuple[Floats, Floats]:
    """Maximum-likelihood mean and covariance of a multivariate Gaussian (PRML 2.3.4).

    Parameters
    ----------
    x : ndarray of shape (N, D)
        N samples (rows) of dimension D.

    Returns
    -------
    mu : ndarray of shape (D,)
        ``(1/N) Σ_n x_n``.
    sigma : ndarray of shape (D, D)
        ``(1/N) Σ_n (x_n - mu)(x_n - mu)^T``: divided by N, not N - 1 (the MLE is biased).
    """
    data: Floats = np.asarray(x, dtype=float)
    mu: Floats = data.mean(axis=0)
    centred = data - mu
    return mu, centred.T @ centred / data.shape[0]


def mle_variance(x1: float, x2: float, x3: float, x4: float, x5: float) -> float:
    """The maximum-likelihood (1/N) variance of five observations."""
    return float(gaussian_mle(np.array([[x1], [x2], [x3], [x4], [x5]]))[1][0, 0])


def noise_variance_mle(r1: float, r2: float, r3: float, r4: float, r5: float) -> float:
    """ML noise variance of a regression with Gaussian noise: the mean squared residual (PRML 1.2.5, 3.1.1).

    ``r_n = y_n - f(x_n; w_ML)`` are the residuals of the fitted model; they are not re-centred.
    """
    return float(np.mean(np.square([r1, r2, r3, r4, r5])))


def bernoulli_mle(k: int, n: int) -> float:
    """MLE ``μ = k / n`` of a Bernoulli parameter from ``k`` successes in ``n`` trials."""
    return k / n


def bernoulli_map(k: int, n: int, a: float, b: float) -> float:
    """MAP estimate (posterior mode) of a Bernoulli parameter under a Beta(a, b) prior.

    The posterior is Beta(k + a, n - k + b) (PRML 2.1.1), whose mode is ``(k + a - 1) / (n + a + b - 2)``
    (for ``a, b > 1``).
    """
    return (k + a - 1) / (n + a + b - 2)


def bernoulli_posterior_mean(k: int, n: int, a: float, b: float) -> float:
    """Posterior mean ``(k + a) / (n + a + b)`` of a Bernoulli parameter under a Beta(a, b) prior (PRML (2.20))."""
    return (k + a) / (n + a + b)


def gaussian_pdf(x: ArrayLike, mean: float, var: float) -> Floats | float:
    """Density ``N(x | mean, var) = exp(-(x - mean)^2 / (2 var)) / sqrt(2π var)`` (``var`` is the variance)."""
    points: Floats = np.asarray(x, dtype=float)
    value: Floats = np.exp(-((points - mean) ** 2) / (2 * var)) / np.sqrt(2 * np.pi * var)
    return float(value) if value.ndim == 0 else value


def gaussian_mixture_pdf(x: float, w1: float, m1: float, v1: float, m2: float, v2: float) -> float:
    """Density of the two-component mixture ``w1 N(x | m1, v1) + (1 - w1) N(x | m2, v2)``."""
    return float(w1 * gaussian_pdf(x, m1, v1) + (1 - w1) * gaussian_pdf(x, m2, v2))


def binomial_pmf(k: int, n: int, p: float) -> float:
    """``P(X = k) = C(n, k) p^k (1 - p)^(n - k)`` for ``X ~ Bin(n, p)``."""
    return comb(n, k) * p**k * (1 - p) ** (n - k)


def binomial_cdf(k: int, n: int, p: float) -> float:
    """``P(X <= k)`` for ``X ~ Bin(n, p)``."""
    return sum(binomial_pmf(j, n, p) for j in range(k + 1))


def multinomial_pmf(n1: int, n2: int, n3: int, p1: float, p2: float, p3: float) -> float:
    """``P(n1, n2, n3) = N! / (n1! n2! n3!) p1^n1 p2^n2 p3^n3`` for ``N = n1 + n2 + n3`` trials of three categories."""
    counts, probs = (n1, n2, n3), (p1, p2, p3)
    coefficient = factorial(sum(counts)) // prod(factorial(c) for c in counts)
    return coefficient * prod(p**c for p, c in zip(probs, counts))


def covariance_from_joint(p00: float, p01: float, p10: float, p11: float) -> float:
    """``Cov(X, Y) = E[XY] - E[X] E[Y]`` for binary X, Y with ``P(X=i, Y=j) = p_ij``."""
    table = np.array([[p00, p01], [p10, p11]], dtype=float)
    values = np.array([0.0, 1.0])
    ex = table.sum(axis=1) @ values
    ey = table.sum(axis=0) @ values
    exy = values @ table @ values
    return float(exy - ex * ey)


def t_statistic(x1: float, x2: float, x3: float, x4: float, x5: float, mu0: float) -> float:
    """One-sample t statistic ``(x̄ - μ0) / (s / sqrt(n))`` of five observations, ``s`` with ``n - 1``.

    Under the null hypothesis it follows a t distribution with ``n - 1`` degrees of freedom.
    """
    x = np.array([x1, x2, x3, x4, x5], dtype=float)
    return float((x.mean() - mu0) / (x.std(ddof=1) / np.sqrt(x.size)))


def sample_mean_std(p: float, n: int) -> float:
    """Standard deviation ``sqrt(p (1 - p) / n)`` of the mean of ``n`` Bernoulli(p) draws.

    By the central limit theorem the mean is approximately ``N(p, p (1 - p) / n)`` for large n.
    """
    return float(np.sqrt(p * (1 - p) / n))
