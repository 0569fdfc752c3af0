"""Applications of deep learning (深層学習の応用): the numbers behind image recognition, object detection,
segmentation, NLP and speech questions.

Every function is small and pure and takes plain scalars (or a string) as keyword arguments, so that a
parameterised question can feed its drawn numbers straight into it::

    answer: {function: reference.applications:iou, args: {x1_a: "AX1", ...}}

Conventions:

* boxes are corner coordinates ``(x1, y1, x2, y2)`` with ``x1 < x2`` and ``y1 < y2`` and areas
  ``(x2 - x1)(y2 - y1)`` (continuous coordinates, no "+1" pixel convention);
* images and feature maps are square unless a height and a width are given;
* sizes of convolutions come from :mod:`reference.cnn` (floor division).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from reference.cnn import conv_output_size

__all__ = [
    # 4-1 image recognition
    "patch_count",
    "vit_sequence_length",
    "vit_token_shape",
    "patch_embedding_params",
    "standard_conv_mult_adds",
    "separable_conv_mult_adds",
    "separable_conv_cost_ratio",
    "compound_scaling_flops_ratio",
    # 4-2 object detection
    "iou",
    "iou_boxes",
    "nms",
    "anchor_count",
    "yolo_output_shape",
    # 4-3 segmentation
    "effective_kernel_size",
    "class_iou",
    "mean_iou_binary",
    "unet_output_size",
    # 4-4 NLP
    "negative_sampling_probability",
    "causal_mask",
    "causal_masked_count",
    # 4-5 speech
    "receptive_field_dilated_causal",
    "ctc_collapse",
    "ctc_min_frames",
    "hz_to_mel",
    "mel_to_hz",
    "stft_frame_count",
    "alias_frequency",
]


# ==================================================================== 4-1 image recognition


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


# ==================================================================== 4-2 object detection


def iou(x1_a: float, y1_a: float, x2_a: float, y2_a: float,
        x1_b: float, y1_b: float, x2_b: float, y2_b: float) -> float:
    """Intersection over Union of two axis-aligned boxes (IoU).

    Parameters
    ----------
    x1_a, y1_a, x2_a, y2_a : float
        Box A: top-left and bottom-right corners (x1 < x2, y1 < y2).
    x1_b, y1_b, x2_b, y2_b : float
        Box B.

    Returns
    -------
    float
        ::

            |A ∩ B| / |A ∪ B| = inter / (area_A + area_B - inter)

        in [0, 1]; 0 for disjoint or merely touching boxes.

    Raises
    ------
    ValueError
        If a box has x2 <= x1 or y2 <= y1.
    """
    if x2_a <= x1_a or y2_a <= y1_a or x2_b <= x1_b or y2_b <= y1_b:
        raise ValueError("boxes must satisfy x1 < x2 and y1 < y2")
    inter_w = max(0.0, min(x2_a, x2_b) - max(x1_a, x1_b))
    inter_h = max(0.0, min(y2_a, y2_b) - max(y1_a, y1_b))
    inter = inter_w * inter_h
    area_a = (x2_a - x1_a) * (y2_a - y1_a)
    area_b = (x2_b - x1_b) * (y2_b - y1_b)
    return inter / (area_a + area_b - inter)


def iou_boxes(box_a: Sequence[float], box_b: Sequence[float]) -> float:
    """IoU of two boxes given as ``[x1, y1, x2, y2]`` (arrays or sequences); see :func:`iou`.

    Parameters
    ----------
    box_a, box_b : sequence of 4 floats (or ndarray of shape (4,))
        Top-left (x1, y1) and bottom-right (x2, y2) corners, continuous coordinates
        (the width is x2 - x1, no "+1 pixel").

    Returns
    -------
    float
        ``iou(*box_a, *box_b)``: 0 for disjoint or touching boxes, 1 for identical ones.
    """
    return iou(*(float(v) for v in box_a), *(float(v) for v in box_b))


def nms(boxes: Sequence[Sequence[float]], scores: Sequence[float], iou_threshold: float = 0.5) -> list[int]:
    """Greedy non-maximum suppression (NMS) for one class.

    Parameters
    ----------
    boxes : sequence of (x1, y1, x2, y2)
    scores : sequence of float
        Confidence of each box.
    iou_threshold : float, default 0.5
        A box whose IoU with an already kept box is **greater than** this is suppressed.

    Returns
    -------
    list of int
        Indices of the kept boxes, highest score first::

            repeat: keep the best remaining box; drop every remaining box with IoU > threshold to it

        Ties in score keep the lower index first.
    """
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    kept: list[int] = []
    for i in order:
        if all(iou(*boxes[i], *boxes[j]) <= iou_threshold for j in kept):
            kept.append(i)
    return kept


def anchor_count(feature_h: int, feature_w: int, num_scales: int = 3, num_ratios: int = 3) -> int:
    """Anchors a Faster R-CNN region proposal network places on a feature map.

    Parameters
    ----------
    feature_h, feature_w : int
        Size of the shared convolutional feature map.
    num_scales, num_ratios : int, default 3, 3
        The paper's defaults: scales 128², 256², 512² and aspect ratios 1:1, 1:2, 2:1.

    Returns
    -------
    int
        ``H * W * k`` with ``k = num_scales * num_ratios`` anchors per position (k = 9 by default).
        The RPN's classification layer then outputs 2k scores and its regression layer 4k numbers
        per position.
    """
    return feature_h * feature_w * num_scales * num_ratios


def yolo_output_shape(grid_size: int, boxes_per_cell: int, num_classes: int) -> tuple[int, int, int]:
    """Shape of the output tensor of YOLO (v1).

    Parameters
    ----------
    grid_size : int
        S: the image is divided into S x S cells.
    boxes_per_cell : int
        B: boxes predicted per cell, each as (x, y, w, h, confidence).
    num_classes : int
        C: class probabilities predicted once per cell.

    Returns
    -------
    (int, int, int)
        ``(S, S, 5B + C)``; e.g. S = 7, B = 2, C = 20 (PASCAL VOC) -> (7, 7, 30).
    """
    return grid_size, grid_size, 5 * boxes_per_cell + num_classes


# ==================================================================== 4-3 segmentation


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Span of a dilated (atrous) kernel along one axis.

    Parameters
    ----------
    kernel_size : int
        K, taps of the kernel.
    dilation : int, default 1
        Rate D (gap between taps; 1 = ordinary convolution).

    Returns
    -------
    int
        ``D (K - 1) + 1``; e.g. 3 x 3 with rate 2 covers 5 x 5 with still 9 weights.
    """
    return dilation * (kernel_size - 1) + 1


def class_iou(tp: float, fp: float, fn: float) -> float:
    """IoU of one class in semantic segmentation, from pixel counts.

    Parameters
    ----------
    tp, fp, fn : float
        Pixels correctly labelled as the class, wrongly labelled as it, and of the class but missed.

    Returns
    -------
    float
        ``TP / (TP + FP + FN)`` (true negatives do not count).

    Raises
    ------
    ValueError
        If the class occurs neither in the prediction nor in the ground truth (0 / 0).
    """
    denom = tp + fp + fn
    if denom <= 0:
        raise ValueError("IoU is undefined when TP + FP + FN = 0")
    return tp / denom


def mean_iou_binary(tp: float, fp: float, fn: float, tn: float) -> float:
    """Mean IoU over the two classes of a foreground/background segmentation (mIoU).

    Parameters
    ----------
    tp, fp, fn, tn : float
        Confusion counts for the **foreground** class. For the background the roles swap: its TP is
        ``tn``, its FP is ``fn`` and its FN is ``fp``.

    Returns
    -------
    float
        ::

            ( TP / (TP + FP + FN)  +  TN / (TN + FN + FP) ) / 2
    """
    return (class_iou(tp, fp, fn) + class_iou(tn, fn, fp)) / 2


def unet_output_size(input_size: int, depth: int = 4, kernel_size: int = 3, convs_per_level: int = 2) -> int:
    """Output size of the original U-Net (unpadded convolutions), along one axis.

    Parameters
    ----------
    input_size : int
        Height (or width) of the input tile.
    depth : int, default 4
        Number of 2 x 2 max-pooling steps in the contracting path (4 in Ronneberger et al., 2015).
    kernel_size : int, default 3
        Every convolution is K x K without padding and removes K - 1 pixels.
    convs_per_level : int, default 2

    Returns
    -------
    int
        The size after the contracting path, the bottom level and the expanding path (each
        2 x 2 up-convolution doubles the size); e.g. 572 -> 388 as in the paper's Figure 1.

    Raises
    ------
    ValueError
        If a pooling step meets an odd size or a convolution meets a size smaller than its kernel
        (then the tile size is not valid for this network).
    """
    shrink = convs_per_level * (kernel_size - 1)
    size = input_size
    for _ in range(depth):
        size -= shrink
        if size < 2 or size % 2:
            raise ValueError(f"input {input_size}: the max-pooling would see the odd or too small size {size}")
        size //= 2
    size -= shrink  # bottom level
    if size < 1:
        raise ValueError(f"input {input_size} is too small for depth {depth}")
    for _ in range(depth):
        size = 2 * size - shrink  # 2 x 2 up-convolution, then the unpadded convolutions
    return size


# ==================================================================== 4-4 natural language processing


def negative_sampling_probability(count: float, count_b: float, count_c: float, count_d: float = 0.0,
                                  power: float = 0.75) -> float:
    """Probability that word2vec's negative sampling draws a word as a noise word.

    Parameters
    ----------
    count : float
        Corpus frequency of the word asked about.
    count_b, count_c, count_d : float
        Frequencies of the other words of a (tiny) vocabulary; ``count_d = 0`` leaves it out.
    power : float, default 0.75
        Exponent of the unigram distribution (3/4 in Mikolov et al., 2013).

    Returns
    -------
    float
        ::

            P(w) = f(w)^power / Σ_v f(v)^power

        The 3/4 power moves probability from frequent words to rare ones compared with f / Σ f.
    """
    counts = [c for c in (count, count_b, count_c, count_d) if c > 0]
    if count <= 0:
        raise ValueError("the word asked about must have a positive count")
    return count**power / sum(c**power for c in counts)


def causal_mask(seq_len: int) -> NDArray[np.bool_]:
    """The causal (look-ahead) mask of a decoder's self-attention.

    Parameters
    ----------
    seq_len : int
        T.

    Returns
    -------
    ndarray of shape (T, T), bool
        ``mask[i, j]`` is True where query i **may** attend to key j, i.e. ``j <= i`` (lower triangle
        with the diagonal). The other entries get -inf before the softmax.
    """
    return np.tril(np.ones((seq_len, seq_len), dtype=bool))


def causal_masked_count(seq_len: int, num_heads: int = 1) -> int:
    """Attention scores hidden by the causal mask (set to -inf) in one layer.

    Parameters
    ----------
    seq_len : int
        T.
    num_heads : int, default 1
        Every head has its own T x T score matrix with the same mask.

    Returns
    -------
    int
        ``num_heads * T (T - 1) / 2`` (the strictly upper triangle); the allowed entries are
        ``T (T + 1) / 2`` per head.
    """
    return num_heads * seq_len * (seq_len - 1) // 2


# ==================================================================== 4-5 speech


def receptive_field_dilated_causal(kernel_size: int, num_layers: int, num_stacks: int = 1) -> int:
    """Receptive field (in samples) of WaveNet-style stacks of dilated causal convolutions.

    Parameters
    ----------
    kernel_size : int
        K of every layer (2 in WaveNet).
    num_layers : int
        L layers per stack, with dilations 1, 2, 4, ..., 2^(L-1).
    num_stacks : int, default 1
        How many times the dilation pattern is repeated.

    Returns
    -------
    int
        ::

            1 + num_stacks * (K - 1) * (2^L - 1)

        e.g. K = 2 with dilations 1, ..., 512 (L = 10) -> 1024, the figure given in
        van den Oord et al., 2016. Agrees with :func:`reference.cnn.receptive_field`.
    """
    return 1 + num_stacks * (kernel_size - 1) * (2**num_layers - 1)


def ctc_collapse(path: str, blank: str = "-") -> str:
    """CTC's many-to-one map B from a frame-wise path to a label sequence.

    Parameters
    ----------
    path : str
        One symbol per frame, e.g. ``"hh-e-ll-llo"``.
    blank : str, default "-"
        The blank symbol.

    Returns
    -------
    str
        First merge runs of the same symbol, then delete blanks: ``"hh-e-ll-llo" -> "hello"``.
        (Deleting blanks first would merge the two l's: the order matters.)
    """
    out = []
    prev = None
    for symbol in path:
        if symbol != prev and symbol != blank:
            out.append(symbol)
        prev = symbol
    return "".join(out)


def ctc_min_frames(label: str) -> int:
    """Fewest input frames CTC needs to emit ``label``.

    Parameters
    ----------
    label : str
        The target sequence (one character = one label), without blanks.

    Returns
    -------
    int
        ``len(label) + r`` where r is the number of neighbouring equal labels: each such pair needs a
        blank frame between them, or the two would be merged (``"book"`` -> 4 + 1 = 5).
    """
    repeats = sum(1 for a, b in zip(label, label[1:]) if a == b)
    return len(label) + repeats


def hz_to_mel(frequency: float) -> float:
    """Frequency in Hz to the mel scale (メル尺度), the common HTK formula.

    Parameters
    ----------
    frequency : float
        f in Hz (>= 0).

    Returns
    -------
    float
        ``2595 log10(1 + f / 700)``: about linear below 1 kHz and logarithmic above; 1000 Hz -> about 1000 mel.
    """
    return 2595.0 * float(np.log10(1.0 + frequency / 700.0))


def mel_to_hz(mel: float) -> float:
    """Inverse of :func:`hz_to_mel`: ``700 (10^(m / 2595) - 1)``."""
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def stft_frame_count(num_samples: int, frame_length: int, hop_length: int) -> int:
    """Number of frames of a short-time Fourier transform without padding.

    Parameters
    ----------
    num_samples : int
        Length of the signal in samples.
    frame_length : int
        Window length in samples (e.g. 25 ms at 16 kHz = 400).
    hop_length : int
        Shift between frames in samples (e.g. 10 ms at 16 kHz = 160).

    Returns
    -------
    int
        ``⌊(num_samples - frame_length) / hop_length⌋ + 1`` — the same formula as a 1-D convolution
        with kernel ``frame_length`` and stride ``hop_length``. (librosa's default ``center=True``
        pads the signal and gives ``1 + num_samples // hop_length`` instead.)
    """
    return conv_output_size(num_samples, frame_length, stride=hop_length)


def alias_frequency(frequency: float, sampling_rate: float) -> float:
    """Frequency at which a sampled sinusoid appears (エイリアシング).

    Parameters
    ----------
    frequency : float
        f of the original sinusoid, in Hz.
    sampling_rate : float
        fs, in Hz.

    Returns
    -------
    float
        ``|f - fs * round(f / fs)|`` in [0, fs/2]: frequencies above the Nyquist frequency fs/2
        fold back, e.g. 5 kHz sampled at 8 kHz looks like 3 kHz. Unchanged when f < fs/2
        (sampling theorem: fs > 2 f_max loses nothing).
    """
    k = np.floor(frequency / sampling_rate + 0.5)
    return float(abs(frequency - k * sampling_rate))
