"""Tests for reference.cnn: size formulas (Q27-Q33), receptive fields, parameter counts."""

import pytest

from reference.cnn import (
    conv_output_size,
    conv_params,
    depthwise_conv_params,
    pointwise_conv_params,
    pool_output_size,
    receptive_field,
    separable_conv_params,
    transposed_conv_output_size,
)

# ------------------------------------------------------------------ sizes


@pytest.mark.parametrize(
    "args, kwargs, expected",
    [
        ((8, 3, 2), {}, 3),  # Q27: floor of 3.5
        ((6, 2, 1, 1), {}, 7),  # S001-8 / S004-Q19
        ((32, 5, 1, 2), {}, 32),  # Q28
        ((32, 3), {"dilation": 2}, 28),  # Q32: effective kernel 5
        ((227, 11, 4), {}, 55),  # AlexNet conv1
    ],
)
def test_conv_output_size(args, kwargs, expected):
    out = conv_output_size(*args, **kwargs)
    assert out == expected and isinstance(out, int)


def test_conv_output_size_rejects_oversized_kernel():
    with pytest.raises(ValueError):
        conv_output_size(4, 5)


def test_pool_output_size():
    assert pool_output_size(4, 2) == 2  # stride defaults to the window
    assert pool_output_size(5, 2, 2) == 2
    assert pool_output_size(55, 3, 2) == 27  # AlexNet overlapping pooling
    assert pool_output_size(4, 2, 1) == 3


def test_transposed_conv_output_size_q33_and_inverse_of_conv():
    assert transposed_conv_output_size(4, 4, 2, 1) == 8  # Q33
    assert transposed_conv_output_size(7, 3, 2, 1, output_padding=1) == 14
    assert transposed_conv_output_size(4, 3, dilation=2) == 8  # effective kernel 5
    for h in range(7, 14):
        for k, s, p, d in [(3, 2, 1, 1), (4, 2, 1, 1), (5, 1, 2, 1), (3, 2, 0, 2), (3, 1, 1, 3)]:
            oh = conv_output_size(h, k, s, p, dilation=d)
            op = (h + 2 * p - d * (k - 1) - 1) % s  # the rows the strided convolution dropped
            assert transposed_conv_output_size(oh, k, s, p, output_padding=op, dilation=d) == h


def test_parameter_counts_q31():
    assert separable_conv_params(32, 64, 3) == 2336
    assert conv_params(32, 64, 3, bias=False) == 18432
    assert separable_conv_params(32, 64, 3) / conv_params(32, 64, 3, bias=False) == pytest.approx(1 / 64 + 1 / 9)
    assert depthwise_conv_params(32, 3) == 288 and depthwise_conv_params(32, 3, bias=True) == 320
    assert pointwise_conv_params(32, 64) == 2048 and pointwise_conv_params(32, 64, bias=True) == 2112
    assert conv_params(3, 16, 5) == 5 * 5 * 3 * 16 + 16
    assert conv_params(3, 16, (3, 5)) == 3 * 5 * 3 * 16 + 16


def brute_receptive_field(kernels, strides, dilations):
    """Gold: follow output unit 0 down through the layers and count the input positions."""
    positions = {0}
    for k, s, d in reversed(list(zip(kernels, strides, dilations))):
        positions = {o * s + d * j for o in positions for j in range(k)}
    return max(positions) - min(positions) + 1


@pytest.mark.parametrize(
    "kernels, strides, dilations, expected",
    [
        ([3, 3], None, None, 5),
        ([3, 3, 3], None, None, 7),
        ([2, 2, 2, 2], None, [1, 2, 4, 8], 16),  # Q32 variant (WaveNet)
        ([3, 3], [2, 1], None, 7),
        ([7, 3, 3], [2, 2, 1], [1, 1, 2], None),
    ],
)
def test_receptive_field(kernels, strides, dilations, expected):
    n = len(kernels)
    gold = brute_receptive_field(kernels, strides or [1] * n, dilations or [1] * n)
    assert receptive_field(kernels, strides, dilations) == gold
    if expected is not None:
        assert gold == expected
