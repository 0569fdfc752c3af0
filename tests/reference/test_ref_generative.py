"""Generative classifiers, autoregressive and flow likelihoods, autoencoders, WGAN, DCGAN and CycleGAN (4-6)."""

import itertools
import math

import numpy as np

from reference.generative import (
    affine_flow_log_likelihood,
    autoencoder_params,
    cycle_consistency_loss,
    dcgan_generator_size,
    generative_posterior,
    logistic_autoregressive_params,
    reconstruction_sse,
    reparameterize,
    reparameterize_logvar,
    tabular_autoregressive_params,
    wgan_critic_estimate,
)


def test_generative_posterior_is_bayes_rule():
    assert math.isclose(generative_posterior(0.2, 0.5, 0.2, 0.5), 0.5)
    assert math.isclose(generative_posterior(0.3, 0.4, 0.1, 0.6), 0.12 / (0.12 + 0.06))


def test_autoregressive_parameter_counts():
    # logistic conditionals: 1 + 2 + ... + n; tables: one number per configuration of the earlier variables
    for n in (1, 3, 8):
        assert logistic_autoregressive_params(n) == sum(range(1, n + 1))
        table = sum(len(list(itertools.product((0, 1), repeat=i))) for i in range(n))
        assert tabular_autoregressive_params(n) == table == 2**n - 1


def test_affine_flow_density_integrates_to_one():
    xs = np.linspace(-40, 40, 200_001)
    dens = np.exp([affine_flow_log_likelihood(float(x), 3.0, 1.5) for x in xs])
    assert math.isclose(float(np.trapezoid(dens, xs)), 1.0, rel_tol=1e-6)
    # it is the N(shift, scale^2) density
    x, a, b = 2.0, 2.0, 0.5
    gauss = math.exp(-((x - b) ** 2) / (2 * a * a)) / math.sqrt(2 * math.pi * a * a)
    assert math.isclose(affine_flow_log_likelihood(x, a, b), math.log(gauss))


def test_autoencoder_params():
    assert autoencoder_params(784, 32) == 2 * 784 * 32 + 32 + 784
    assert autoencoder_params(784, 32, tied=True) == 784 * 32 + 32 + 784


def test_reparameterize_logvar_matches_sigma_form():
    assert math.isclose(reparameterize_logvar(0.5, math.log(4.0), -1.0), float(reparameterize(0.5, 2.0, -1.0)))


def test_wgan_estimate():
    assert wgan_critic_estimate(2.0, 1.0, -1.0, 0.0) == 2.0


def test_dcgan_sizes():
    # Radford et al. (2016), Fig. 1: 4 -> 8 -> 16 -> 32 -> 64
    assert [dcgan_generator_size(4, n) for n in range(5)] == [4, 8, 16, 32, 64]
    assert dcgan_generator_size(4, 2, kernel_size=4, stride=2, pad=0) == 22  # (4-1)*2+4 = 10, then 22


def test_cycle_consistency_loss():
    assert math.isclose(cycle_consistency_loss(0.0, 1.0, 0.2, 0.6, 1.0, 1.0, 1.0, 0.0, 10.0), 10 * (0.3 + 0.5))
    assert cycle_consistency_loss(1, 2, 1, 2, 3, 4, 3, 4, 10.0) == 0.0



def test_reconstruction_sse():
    assert reconstruction_sse(1.0, 2.0, 3.0, 1.0, 2.0, 3.0) == 0.0
    assert reconstruction_sse(0.0, 0.0, 0.0, 1.0, -2.0, 2.0) == 9.0
