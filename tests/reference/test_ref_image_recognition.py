"""Residual blocks, ViT embeddings and windowed attention (4-1) against hand counts and the papers' figures."""

import math

import pytest

from reference.cnn import conv_params
from reference.image_recognition import (
    basic_block_params,
    bottleneck_block_params,
    global_attention_score_mult_adds,
    patch_embedding_params,
    residual_chain_gradient,
    vit_embedding_params,
    window_attention_score_mult_adds,
)


def test_resnet_blocks_of_the_paper():
    # He et al. (2015), Fig. 5: a 64-d basic block and a 256-d bottleneck block have similar cost
    assert basic_block_params(64) == 2 * 3 * 3 * 64 * 64 == 73_728
    assert bottleneck_block_params(256, 64) == 256 * 64 + 9 * 64 * 64 + 64 * 256 == 69_632
    # counted layer by layer with the generic convolution count (no bias)
    layers = conv_params(256, 64, 1, bias=False) + conv_params(64, 64, 3, bias=False) + conv_params(64, 256, 1, bias=False)
    assert bottleneck_block_params(256, 64) == layers
    # 17 d^2 for in = 4d
    for d in (32, 128, 512):
        assert bottleneck_block_params(4 * d, d) == 17 * d * d


def test_residual_chain_gradient_by_chain_rule():
    assert residual_chain_gradient(0, 0, 0) == 1.0  # identity branches: the gradient passes unchanged
    assert math.isclose(residual_chain_gradient(0.5, -0.5, 0.2), 1.5 * 0.5 * 1.2)
    # numerical derivative of h(u) = u + a u^2 composed three times, at x = 0.3
    a = 0.7

    def h(u: float) -> float:
        return u + a * u * u

    x, eps = 0.3, 1e-6
    u1, u2 = h(x), h(h(x))
    numeric = (h(h(h(x + eps))) - h(h(h(x - eps)))) / (2 * eps)
    assert math.isclose(residual_chain_gradient(2 * a * x, 2 * a * u1, 2 * a * u2), numeric, rel_tol=1e-7)


def test_vit_embedding_params_vit_base_16():
    # ViT-B/16 at 224: 196 patches; patch embedding 768*768 + 768, [class] 768, positions 197 * 768
    assert vit_embedding_params(224, 16, 3, 768) == 768 * 768 + 768 + 768 + 197 * 768 == 742_656
    assert vit_embedding_params(224, 16, 3, 768) - patch_embedding_params(16, 3, 768) == 198 * 768


def test_window_attention_is_linear_in_the_map():
    # Liu et al. (2021): 56 x 56 tokens, M = 7, C = 96 at stage 1
    glob = global_attention_score_mult_adds(56, 56, 96)
    win = window_attention_score_mult_adds(56, 56, 7, 96)
    assert glob == (56 * 56) ** 2 * 96
    assert win == 64 * 49 * 49 * 96  # 64 windows of 49 tokens
    assert glob // win == 56 * 56 // 49 == 64
    # doubling the side of the map multiplies the windowed cost by 4, the global one by 16
    assert window_attention_score_mult_adds(112, 112, 7, 96) == 4 * win
    assert global_attention_score_mult_adds(112, 112, 96) == 16 * glob
    # one window covering the whole map is global attention
    assert window_attention_score_mult_adds(7, 7, 7, 32) == global_attention_score_mult_adds(7, 7, 32)


def test_window_must_tile_the_map():
    with pytest.raises(ValueError):
        window_attention_score_mult_adds(30, 28, 7, 96)
