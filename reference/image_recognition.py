"""4-1 画像認識: residual blocks, ViT patches and embeddings, windowed attention, and the cost of (separable) convolutions.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.image_recognition:<name>, args: {...}}``.
"""

from __future__ import annotations

__all__ = [
    "patch_count",
    "vit_sequence_length",
    "vit_token_shape",
    "patch_embedding_params",
    "standard_conv_mult_adds",
    "separable_conv_mult_adds",
    "separable_conv_cost_ratio",
    "compound_scaling_flops_ratio",
    "basic_block_params",
    "bottleneck_block_params",
    "residual_chain_gradient",
    "vit_embedding_params",
    "global_attention_score_mult_adds",
    "window_attention_score_mult_adds",
]


def patch_count(image_size: int, patch_size: int) -> int:
    """Number of patches a Vision Transformer cuts a square image into (パッチ数).

    Parameters
    ----------
    image_size : int
        Height = width of the input image, in pixels.
    patch_size : int
        Side P of a square patch; must divide ``image_size``.

    Returns
    -------
    int
        ::

            N = (H / P) * (W / P) = H W / P^2

        e.g. 224 x 224 with 16 x 16 patches -> 14 * 14 = 196.

    Raises
    ------
    ValueError
        If ``patch_size`` does not divide ``image_size``.
    """
    if patch_size <= 0 or image_size % patch_size:
        raise ValueError(f"patch size {patch_size} does not divide image size {image_size}")
    side = image_size // patch_size
    return side * side


def vit_sequence_length(image_size: int, patch_size: int, class_token: bool = True) -> int:
    """Length of the token sequence fed to a ViT encoder (系列長).

    Parameters
    ----------
    image_size, patch_size : int
        As in :func:`patch_count`.
    class_token : bool, default True
        Whether a learnable [class] token is prepended (ViT does).

    Returns
    -------
    int
        ``N + 1`` with the class token, ``N`` without; e.g. 224 / 16 -> 197.
    """
    return patch_count(image_size, patch_size) + (1 if class_token else 0)


def vit_token_shape(image_size: int, patch_size: int, hidden_dim: int) -> tuple[int, int]:
    """Shape of one image's input to the Transformer encoder of ViT.

    Parameters
    ----------
    image_size, patch_size : int
        As in :func:`patch_count`.
    hidden_dim : int
        D, the width every patch is linearly projected to.

    Returns
    -------
    (int, int)
        ``(N + 1, D)``: N patch embeddings plus the class token, each of width D (the position
        embeddings are added, so they do not change the shape); e.g. ViT-Base/16 at 224 -> (197, 768).
    """
    return vit_sequence_length(image_size, patch_size), hidden_dim


def patch_embedding_params(patch_size: int, channels: int, hidden_dim: int, bias: bool = True) -> int:
    """Learnable parameters of ViT's patch embedding (one linear map shared by all patches).

    Parameters
    ----------
    patch_size : int
        P.
    channels : int
        C of the image (3 for RGB).
    hidden_dim : int
        D.
    bias : bool, default True

    Returns
    -------
    int
        ::

            (P^2 C) * D (+ D)

        The same count as a P x P convolution with stride P and D filters.
    """
    return patch_size * patch_size * channels * hidden_dim + (hidden_dim if bias else 0)


def standard_conv_mult_adds(feature_size: int, kernel_size: int, in_channels: int, out_channels: int) -> int:
    """Multiply-adds of a standard convolution with 'same' output size (MobileNet's notation).

    Parameters
    ----------
    feature_size : int
        D_F, height = width of the output feature map.
    kernel_size : int
        D_K.
    in_channels, out_channels : int
        M and N.

    Returns
    -------
    int
        ``D_K^2 * M * N * D_F^2``.
    """
    return kernel_size**2 * in_channels * out_channels * feature_size**2


def separable_conv_mult_adds(feature_size: int, kernel_size: int, in_channels: int, out_channels: int) -> int:
    """Multiply-adds of a depthwise separable convolution (depthwise + pointwise).

    Parameters
    ----------
    feature_size, kernel_size, in_channels, out_channels : int
        D_F, D_K, M, N as in :func:`standard_conv_mult_adds`.

    Returns
    -------
    int
        ::

            D_K^2 M D_F^2        (depthwise: one D_K x D_K filter per input channel)
          + M N D_F^2            (pointwise: 1 x 1 convolution mixing the channels)
    """
    return kernel_size**2 * in_channels * feature_size**2 + in_channels * out_channels * feature_size**2


def separable_conv_cost_ratio(kernel_size: int, out_channels: int) -> float:
    """Cost of a depthwise separable convolution relative to a standard one.

    Parameters
    ----------
    kernel_size : int
        D_K.
    out_channels : int
        N.

    Returns
    -------
    float
        ::

            separable / standard = 1/N + 1/D_K^2

        independent of M and D_F; e.g. D_K = 3, N = 64 -> 0.1267 (about 8 times cheaper).
    """
    return 1.0 / out_channels + 1.0 / kernel_size**2


def compound_scaling_flops_ratio(depth_mult: float, width_mult: float, resolution_mult: float) -> float:
    """FLOPs growth of a ConvNet scaled in depth, width and resolution (EfficientNet).

    Parameters
    ----------
    depth_mult : float
        d: factor on the number of layers.
    width_mult : float
        w: factor on the number of channels.
    resolution_mult : float
        r: factor on the input height and width.

    Returns
    -------
    float
        ``d * w^2 * r^2``: FLOPs are linear in depth and quadratic in width and resolution. With
        d = α^φ, w = β^φ, r = γ^φ and α β² γ² ≈ 2 this is about 2^φ.
    """
    return depth_mult * width_mult**2 * resolution_mult**2


def basic_block_params(channels: int, kernel_size: int = 3) -> int:
    """Weights of a ResNet basic block: two K x K convolutions C -> C (no bias, BN not counted).

    Parameters
    ----------
    channels : int
        C, the width of the block (input = output).
    kernel_size : int, default 3

    Returns
    -------
    int
        ``2 K^2 C^2``; e.g. C = 64 -> 73,728 (He et al., 2015, Fig. 5 left).
    """
    return 2 * kernel_size**2 * channels**2


def bottleneck_block_params(in_channels: int, mid_channels: int, kernel_size: int = 3) -> int:
    """Weights of a ResNet bottleneck block 1x1 (reduce) -> K x K -> 1x1 (restore), no bias.

    Parameters
    ----------
    in_channels : int
        Width of the block's input and output (4d in ResNet-50/101/152).
    mid_channels : int
        Width d of the reduced middle layer.
    kernel_size : int, default 3

    Returns
    -------
    int
        ::

            in * d  +  K^2 d^2  +  d * in

        e.g. in = 256, d = 64 -> 69,632, about the cost of a 64-d basic block (He et al., 2015, Fig. 5).
    """
    return in_channels * mid_channels + kernel_size**2 * mid_channels**2 + mid_channels * in_channels


def residual_chain_gradient(d1: float, d2: float, d3: float) -> float:
    """dy/dx through three scalar residual blocks h_i(u) = u + F_i(u), with F_i'(u) = d_i at their inputs.

    Parameters
    ----------
    d1, d2, d3 : float
        The derivative of each residual branch F_i at the point the block is evaluated.

    Returns
    -------
    float
        ``(1 + d1)(1 + d2)(1 + d3)`` by the chain rule; the plain chain F3(F2(F1(x))) would give d1 d2 d3.
    """
    return (1.0 + d1) * (1.0 + d2) * (1.0 + d3)


def vit_embedding_params(image_size: int, patch_size: int, channels: int, hidden_dim: int) -> int:
    """Learnable parameters of ViT's input stage: patch embedding (weights + bias), class token, position embeddings.

    Parameters
    ----------
    image_size, patch_size : int
        As in :func:`patch_count`.
    channels : int
        C of the image (3 for RGB).
    hidden_dim : int
        D.

    Returns
    -------
    int
        ::

            P^2 C D + D      (patch embedding)
          + D                (the learnable [class] token)
          + (N + 1) D        (one learnable 1-D position embedding per token, class token included)
    """
    tokens = vit_sequence_length(image_size, patch_size)
    return patch_embedding_params(patch_size, channels, hidden_dim) + hidden_dim + tokens * hidden_dim


def global_attention_score_mult_adds(height: int, width: int, dim: int) -> int:
    """Multiply-adds of the scores Q K^T of one self-attention over all h w tokens of a feature map.

    Returns
    -------
    int
        ``(h w)^2 C``: one C-dimensional dot product for every pair of tokens.
    """
    tokens = height * width
    return tokens * tokens * dim


def window_attention_score_mult_adds(height: int, width: int, window: int, dim: int) -> int:
    """Multiply-adds of Q K^T when attention is restricted to non-overlapping M x M windows (Swin's W-MSA).

    Parameters
    ----------
    height, width : int
        h, w: the feature map in tokens; both must be multiples of ``window``.
    window : int
        M, the side of a window in tokens (7 in Swin Transformer).
    dim : int
        C.

    Returns
    -------
    int
        ::

            (h w / M^2) windows x (M^2)^2 pairs x C  =  h w M^2 C

        linear in h w, against ``(h w)^2 C`` for global attention (:func:`global_attention_score_mult_adds`).

    Raises
    ------
    ValueError
        If the window does not tile the map.
    """
    if window <= 0 or height % window or width % window:
        raise ValueError(f"a {window} x {window} window does not tile a {height} x {width} map")
    return height * width * window * window * dim
