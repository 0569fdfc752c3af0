"""Convolutional networks (畳み込みニューラルネットワーク): output sizes, receptive fields, parameter counts.

The layers themselves (im2col, col2im, Convolution, Pooling) are in :mod:`reference.conv_layers`.

Conventions (DLFS ``common/util.py``):

* feature maps are (N, C, H, W); filters are (FN, C, FH, FW);
* sizes are floored: ⌊(H + 2P - FH) / S⌋ + 1 (DLFS's own
  ``conv_output_size`` uses ``/`` and returns a float such as 3.5).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "conv_output_size",
    "pool_output_size",
    "transposed_conv_output_size",
    "conv_params",
    "depthwise_conv_params",
    "pointwise_conv_params",
    "separable_conv_params",
    "receptive_field",
]

KernelSize = int | tuple[int, int]


def _pair(k: KernelSize) -> tuple[int, int]:
    """3 -> (3, 3); (3, 5) -> (3, 5)."""
    return (k, k) if isinstance(k, int) else (int(k[0]), int(k[1]))


# ------------------------------------------------------------------- sizes


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0,
                     dilation: int = 1) -> int:
    """Output length of a convolution along one axis (出力サイズ).

    Parameters
    ----------
    input_size : int
        H (or W) of the input.
    filter_size : int
        FH (or FW).
    stride : int, default 1
    pad : int, default 0
        Zero padding on each side.
    dilation : int, default 1
        Gap between kernel taps (dilated / atrous convolution).

    Returns
    -------
    int
        ::

            OH = ⌊(H + 2P - D(FH - 1) - 1) / S⌋ + 1
               = ⌊(H + 2P - FH) / S⌋ + 1          for D = 1

        The effective kernel of a dilated convolution is D(FH - 1) + 1.

    Raises
    ------
    ValueError
        If the (effective) kernel is larger than the padded input.
    """
    effective = dilation * (filter_size - 1) + 1
    span = input_size + 2 * pad - effective
    if span < 0:
        raise ValueError(f"kernel {effective} does not fit the padded input {input_size + 2 * pad}")
    return span // stride + 1


def pool_output_size(input_size: int, pool_size: int, stride: int | None = None,
                     pad: int = 0) -> int:
    """Output length of a pooling layer along one axis.

    Parameters
    ----------
    input_size : int
    pool_size : int
    stride : int or None, default None
        None means ``stride = pool_size`` (non-overlapping windows, as
        PyTorch's ``MaxPool2d``). DLFS's and the Rabbit course's ``Pooling``
        default to 1 — give it explicitly.
    pad : int, default 0

    Returns
    -------
    int
        ::

            OH = ⌊(H + 2P - pool) / S⌋ + 1
    """
    return conv_output_size(input_size, pool_size, pool_size if stride is None else stride, pad)


def transposed_conv_output_size(input_size: int, kernel_size: int, stride: int = 1, pad: int = 0,
                                output_padding: int = 0, dilation: int = 1) -> int:
    """Output length of a transposed convolution (転置畳み込み), PyTorch formula.

    Parameters
    ----------
    input_size : int
    kernel_size : int
    stride : int, default 1
    pad : int, default 0
    output_padding : int, default 0
        Extra rows added on one side, to pick among the input sizes that a
        strided convolution maps to the same output size.
    dilation : int, default 1

    Returns
    -------
    int
        ::

            OH = (H - 1) S - 2P + D(K - 1) + output_padding + 1

        e.g. H = 4, K = 4, S = 2, P = 1 -> 8 (the DCGAN ×2 upsampling block).
    """
    return (input_size - 1) * stride - 2 * pad + dilation * (kernel_size - 1) + output_padding + 1


def receptive_field(kernel_sizes: Sequence[int], strides: Sequence[int] | None = None,
                    dilations: Sequence[int] | None = None) -> int:
    """Receptive field (受容野) of a stack of convolutions, along one axis.

    Parameters
    ----------
    kernel_sizes : sequence of int
        K_1, ..., K_L, from the input upwards.
    strides : sequence of int or None
        S_l; None means all 1.
    dilations : sequence of int or None
        D_l; None means all 1.

    Returns
    -------
    int
        Input positions seen by one output unit::

            RF = 1 + Σ_l D_l (K_l - 1) Π_{j<l} S_j

        e.g. two 3x3 convolutions -> 5; kernel 2 with dilations 1, 2, 4, 8
        (WaveNet) -> 16.
    """
    n = len(kernel_sizes)
    strides = [1] * n if strides is None else list(strides)
    dilations = [1] * n if dilations is None else list(dilations)
    if not len(strides) == len(dilations) == n:
        raise ValueError("kernel_sizes, strides and dilations must have the same length")
    rf, jump = 1, 1  # jump: input distance between neighbouring units of the current layer
    for k, s, d in zip(kernel_sizes, strides, dilations):
        rf += d * (k - 1) * jump
        jump *= s
    return rf


# -------------------------------------------------------- parameter counts


def conv_params(in_channels: int, out_channels: int, kernel_size: KernelSize,
                bias: bool = True) -> int:
    """Number of learnable parameters of a standard convolution.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (KH, KW)
    bias : bool, default True

    Returns
    -------
    int
        ::

            KH * KW * C_in * C_out (+ C_out)
    """
    kh, kw = _pair(kernel_size)
    return kh * kw * in_channels * out_channels + (out_channels if bias else 0)


def depthwise_conv_params(channels: int, kernel_size: KernelSize, bias: bool = False) -> int:
    """Parameters of a depthwise convolution (one filter per channel).

    Returns
    -------
    int
        ::

            KH * KW * C (+ C)        = 1/C_out of a standard convolution
    """
    kh, kw = _pair(kernel_size)
    return kh * kw * channels + (channels if bias else 0)


def pointwise_conv_params(in_channels: int, out_channels: int, bias: bool = False) -> int:
    """Parameters of a pointwise (1x1) convolution.

    Returns
    -------
    int
        ::

            C_in * C_out (+ C_out)   = 1/(KH KW) of a standard KH x KW convolution
    """
    return in_channels * out_channels + (out_channels if bias else 0)


def separable_conv_params(in_channels: int, out_channels: int, kernel_size: KernelSize) -> int:
    """Parameters of a depthwise separable convolution (MobileNet), no biases.

    Returns
    -------
    int
        ::

            KH KW C_in + C_in C_out
            ratio to standard = 1/C_out + 1/(KH KW)

        e.g. 32 -> 64 channels, 3x3: 288 + 2048 = 2336 (standard: 18432).
    """
    return (depthwise_conv_params(in_channels, kernel_size)
            + pointwise_conv_params(in_channels, out_channels))
