"""4-6 生成モデル: generative classifiers, autoregressive and flow likelihoods, autoencoders, VAE, GAN / WGAN,
DCGAN sizes, CycleGAN and diffusion formulas.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.generative:<name>, args: {...}}``.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reference.cnn import transposed_conv_output_size

__all__ = [
    "kl_gaussian_standard",
    "reparameterize",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "optimal_discriminator",
    "ddpm_alpha_bar",
    "ddpm_noisy_sample",
    "ddpm_forward_constant_beta",
    "generative_posterior",
    "logistic_autoregressive_params",
    "tabular_autoregressive_params",
    "affine_flow_log_likelihood",
    "autoencoder_params",
    "reparameterize_logvar",
    "wgan_critic_estimate",
    "dcgan_generator_size",
    "cycle_consistency_loss",
    "reconstruction_sse",
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


def generative_posterior(likelihood_1: float, prior_1: float, likelihood_2: float, prior_2: float) -> float:
    """p(y = 1 | x) of a two-class generative classifier, by Bayes' rule from p(x | y) and p(y).

    Returns
    -------
    float
        ``p(x|1) p(1) / (p(x|1) p(1) + p(x|2) p(2))``.
    """
    joint_1, joint_2 = likelihood_1 * prior_1, likelihood_2 * prior_2
    return joint_1 / (joint_1 + joint_2)


def logistic_autoregressive_params(num_vars: int) -> int:
    """Parameters of an autoregressive model of n binary variables whose conditionals are logistic regressions.

    Returns
    -------
    int
        ``sum_i i = n (n + 1) / 2``: the i-th conditional has i - 1 weights on the earlier variables and a bias.
    """
    return num_vars * (num_vars + 1) // 2


def tabular_autoregressive_params(num_vars: int) -> int:
    """Parameters of the same model with full tables: one probability per configuration of the earlier variables.

    Returns
    -------
    int
        ``sum_i 2^(i - 1) = 2^n - 1``, as many as a table of the whole joint distribution.
    """
    return int(2**num_vars) - 1


def affine_flow_log_likelihood(x: float, scale: float, shift: float) -> float:
    """log p(x) under the 1-D flow x = scale * z + shift with z ~ N(0, 1) (change of variables).

    Returns
    -------
    float
        ``log N((x - shift) / scale; 0, 1) - log |scale|``.
    """
    z = (x - shift) / scale
    return -0.5 * math.log(2 * math.pi) - 0.5 * z * z - math.log(abs(scale))


def autoencoder_params(inputs: int, hidden: int, tied: bool = False) -> int:
    """Parameters of a one-hidden-layer autoencoder inputs -> hidden -> inputs with biases.

    Returns
    -------
    int
        ``2 D H + H + D``, or ``D H + H + D`` when the decoder reuses the encoder's weights transposed (tied).
    """
    weights = inputs * hidden * (1 if tied else 2)
    return weights + hidden + inputs


def reparameterize_logvar(mu: float, log_var: float, eps: float) -> float:
    """z = mu + exp(log_var / 2) * eps: a VAE sample when the encoder outputs the log-variance.

    Returns
    -------
    float
        The sample; sigma = exp(log_var / 2) is the standard deviation.
    """
    return mu + math.exp(0.5 * log_var) * eps


def wgan_critic_estimate(real_1: float, real_2: float, fake_1: float, fake_2: float) -> float:
    """The critic's estimate of the Wasserstein-1 distance on a batch of two real and two generated samples.

    Returns
    -------
    float
        ``mean f(real) - mean f(fake)``: what the WGAN critic maximises (Arjovsky et al., 2017); the critic's loss is its negative.
    """
    return (real_1 + real_2) / 2.0 - (fake_1 + fake_2) / 2.0


def dcgan_generator_size(start: int, layers: int, kernel_size: int = 4, stride: int = 2, pad: int = 1) -> int:
    """Side of the image a DCGAN-style generator outputs from a ``start`` x ``start`` map after ``layers``
    transposed convolutions (kernel 4, stride 2, padding 1 double the side each time).

    Returns
    -------
    int
        The side after applying :func:`reference.cnn.transposed_conv_output_size` ``layers`` times.
    """
    side = start
    for _ in range(layers):
        side = transposed_conv_output_size(side, kernel_size, stride, pad)
    return side


def cycle_consistency_loss(x1: float, x2: float, rx1: float, rx2: float,
                           y1: float, y2: float, ry1: float, ry2: float, lam: float) -> float:
    """CycleGAN's weighted cycle-consistency loss for one 2-pixel image of each domain.

    Parameters
    ----------
    x1, x2 : float
        An image x of domain X; ``rx1, rx2`` is its reconstruction F(G(x)).
    y1, y2 : float
        An image y of domain Y; ``ry1, ry2`` is its reconstruction G(F(y)).
    lam : float
        The weight lambda of the cycle loss (10 in Zhu et al., 2017).

    Returns
    -------
    float
        ``lam * (mean |F(G(x)) - x| + mean |G(F(y)) - y|)`` with the L1 distance averaged over the pixels.
    """
    forward = (abs(rx1 - x1) + abs(rx2 - x2)) / 2.0
    backward = (abs(ry1 - y1) + abs(ry2 - y2)) / 2.0
    return lam * (forward + backward)


def reconstruction_sse(x1: float, x2: float, x3: float, r1: float, r2: float, r3: float) -> float:
    """Squared reconstruction error of a 3-dimensional input x against its reconstruction r.

    For a denoising autoencoder the target x is the clean input, not the corrupted one fed to the encoder.

    Returns
    -------
    float
        ``sum_i (r_i - x_i)^2``.
    """
    return (r1 - x1) ** 2 + (r2 - x2) ** 2 + (r3 - x3) ** 2
