"""4-3 セマンティックセグメンテーション: dilation, IoU per class, U-Net sizes and skip channels, Mask R-CNN's mask head and
panoptic quality.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.segmentation:<name>, args: {...}}``.
"""

from __future__ import annotations

__all__ = [
    "effective_kernel_size",
    "class_iou",
    "mean_iou_binary",
    "unet_output_size",
    "unet_up_conv_weights",
    "mask_head_outputs",
    "panoptic_quality",
]


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


def unet_up_conv_weights(channels: int, kernel_size: int = 3) -> int:
    """Weights of the first convolution of a U-Net expanding step (no bias).

    The step up-convolves a ``channels``-channel map to ``channels / 2``, concatenates the cropped
    ``channels / 2``-channel map of the contracting path, then convolves the ``channels`` channels down to
    ``channels / 2`` (Ronneberger et al., 2015).

    Returns
    -------
    int
        ``K^2 * channels * channels / 2``; e.g. 1024 -> 3 * 3 * 1024 * 512 = 4,718,592.
    """
    if channels % 2:
        raise ValueError("channels must be even")
    return kernel_size * kernel_size * channels * (channels // 2)


def mask_head_outputs(num_classes: int, mask_size: int) -> int:
    """Values Mask R-CNN's mask branch outputs for one RoI: one m x m binary mask per class.

    Returns
    -------
    int
        ``K m^2`` (He et al., 2017); e.g. 80 COCO classes at 28 x 28 -> 62,720.
    """
    return num_classes * mask_size * mask_size


def panoptic_quality(iou_sum: float, tp: int, fp: int, fn: int) -> float:
    """Panoptic quality of one class (Kirillov et al., 2019).

    Parameters
    ----------
    iou_sum : float
        Sum of the IoUs of the matched (true-positive) segment pairs; a pair matches when IoU > 0.5.
    tp, fp, fn : int
        Matched pairs, unmatched predicted segments, unmatched ground-truth segments.

    Returns
    -------
    float
        ::

            PQ = iou_sum / (TP + FP/2 + FN/2)  =  SQ x RQ,  SQ = iou_sum / TP,  RQ = TP / (TP + FP/2 + FN/2)
    """
    denominator = tp + 0.5 * fp + 0.5 * fn
    if denominator <= 0:
        raise ValueError("no segments")
    return iou_sum / denominator
