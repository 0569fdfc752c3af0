"""4-6 生成モデル: VAE, GAN and diffusion formulas.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.generative:<name>, args: {...}}``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "kl_gaussian_standard",
    "reparameterize",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "optimal_discriminator",
    "ddpm_alpha_bar",
    "ddpm_noisy_sample",
    "ddpm_forward_constant_beta",
]


def kl_gaussian_standard(mu: float, sigma: float) -> float:
    """KL divergence of a 1-D Gaussian from the standard normal (VAE の KL 項).

    Parameters
    ----------
    mu : float
        Mean μ of the encoder's distribution q(z|x) = N(μ, σ²).
    sigma : float
        Standard deviation σ > 0 (not the variance).

    Returns
    -------
    float
        ::

            KL(N(μ, σ²) || N(0, 1)) = ½ (μ² + σ² − 1 − log σ²)

        Zero exactly when μ = 0 and σ = 1. For a d-dimensional diagonal Gaussian the KL is
        the sum of this term over the dimensions (Kingma & Welling, 2013, Appendix B).
    """
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    return 0.5 * (mu * mu + sigma * sigma - 1.0 - math.log(sigma * sigma))


def reparameterize(mu: ArrayLike, sigma: ArrayLike, eps: ArrayLike) -> NDArray[np.floating] | float:
    """The reparameterisation trick (再パラメータ化トリック): z = μ + σ ⊙ ε.

    Parameters
    ----------
    mu, sigma : array_like
        Encoder outputs (σ is the standard deviation).
    eps : array_like
        Noise drawn from N(0, I), independent of the parameters.

    Returns
    -------
    ndarray or float
        A sample of N(μ, σ²) that is a differentiable function of μ and σ.
    """
    z = np.asarray(mu, dtype=float) + np.asarray(sigma, dtype=float) * np.asarray(eps, dtype=float)
    return float(z) if z.ndim == 0 else z


def gan_discriminator_loss(d_real: float, d_fake: float) -> float:
    """The discriminator's loss for one real and one generated sample (識別器の損失).

    Parameters
    ----------
    d_real : float
        D(x), the probability D gives a real sample (0 < d_real < 1).
    d_fake : float
        D(G(z)), the probability D gives a generated sample (0 < d_fake < 1).

    Returns
    -------
    float
        ::

            −log D(x) − log(1 − D(G(z)))

        i.e. binary cross-entropy with label 1 for the real and 0 for the fake sample; minimising
        it is maximising V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))] (Goodfellow et al., 2014).
    """
    return -math.log(d_real) - math.log(1.0 - d_fake)


def gan_generator_loss(d_fake: float, non_saturating: bool = True) -> float:
    """The generator's loss for one generated sample (生成器の損失).

    Parameters
    ----------
    d_fake : float
        D(G(z)), in (0, 1).
    non_saturating : bool, default True
        True: −log D(G(z)) (the variant recommended in Goodfellow et al., 2014, strong gradients
        early in training). False: the minimax form log(1 − D(G(z))), which saturates when D
        rejects the samples confidently (D(G(z)) ≈ 0).

    Returns
    -------
    float
    """
    return -math.log(d_fake) if non_saturating else math.log(1.0 - d_fake)


def optimal_discriminator(p_data: float, p_g: float) -> float:
    """The optimal discriminator for a fixed generator (最適な識別器).

    Parameters
    ----------
    p_data, p_g : float
        Densities of the data and of the generator at the same point x (not both 0).

    Returns
    -------
    float
        ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``; 0.5 everywhere when p_g = p_data.
    """
    return p_data / (p_data + p_g)


def ddpm_alpha_bar(beta: float, t: int) -> float:
    """ᾱ_t = Π_{s=1..t} (1 − β_s) for a constant noise schedule β_s = β (DDPM).

    Parameters
    ----------
    beta : float
        The variance added at each step, 0 < β < 1.
    t : int
        Number of forward (noising) steps, t ≥ 0.

    Returns
    -------
    float
        ``(1 − β) ** t``.
    """
    return (1.0 - beta) ** t


def ddpm_noisy_sample(x0: ArrayLike, eps: ArrayLike, alpha_bar: float) -> NDArray[np.floating] | float:
    """Sample x_t of q(x_t | x_0) in closed form (拡散過程の一括サンプリング).

    Parameters
    ----------
    x0 : array_like
        Clean data.
    eps : array_like
        Noise ε ~ N(0, I), same shape as x0.
    alpha_bar : float
        ᾱ_t.

    Returns
    -------
    ndarray or float
        ::

            x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε        (Ho et al., 2020)
    """
    x = math.sqrt(alpha_bar) * np.asarray(x0, dtype=float) + math.sqrt(1.0 - alpha_bar) * np.asarray(eps, dtype=float)
    return float(x) if x.ndim == 0 else x


def ddpm_forward_constant_beta(x0: float, eps: float, beta: float, t: int) -> float:
    """x_t after t noising steps with a constant β, from x_0 and the noise ε (scalar case).

    Parameters
    ----------
    x0, eps : float
    beta : float
    t : int

    Returns
    -------
    float
        ``√ᾱ x0 + √(1 − ᾱ) ε`` with ``ᾱ = (1 − β) ** t``.
    """
    return float(ddpm_noisy_sample(x0, eps, ddpm_alpha_bar(beta, t)))
