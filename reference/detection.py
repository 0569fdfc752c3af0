"""4-2 物体検出: IoU, NMS, anchors and their box encoding, RoI Align bins, SSD default boxes and hard negatives,
YOLO scores, and FCOS targets (centerness, FPN level).

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.detection:<name>, args: {...}}``.

Boxes are corner coordinates ``(x1, y1, x2, y2)`` with ``x1 < x2`` and ``y1 < y2`` and areas
``(x2 - x1)(y2 - y1)`` (continuous coordinates, no "+1" pixel convention).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "iou",
    "iou_boxes",
    "nms",
    "anchor_count",
    "yolo_output_shape",
    "decoded_box_x1",
    "roi_align_bin_width",
    "ssd300_default_box_count",
    "ssd_default_box_width",
    "hard_negative_total",
    "yolo_class_confidence",
    "fcos_targets",
    "fcos_centerness",
    "fcos_level",
    "average_precision",
    "average_precision_6",
]


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


def decoded_box_x1(anchor_cx: float, anchor_w: float, tx: float, tw: float) -> float:
    """Left edge of the box a Faster R-CNN regression output (tx, tw) decodes to, from its anchor.

    Parameters
    ----------
    anchor_cx, anchor_w : float
        Centre x and width of the anchor.
    tx, tw : float
        Predicted offsets in the paper's parameterisation ``tx = (x - x_a) / w_a``, ``tw = log(w / w_a)``.

    Returns
    -------
    float
        ``x - w / 2`` with ``x = x_a + tx w_a`` and ``w = w_a exp(tw)`` (Ren et al., 2015, eq. 2).
    """
    centre = anchor_cx + tx * anchor_w
    width = anchor_w * math.exp(tw)
    return centre - width / 2.0


def roi_align_bin_width(x1: float, x2: float, stride: int, bins: int) -> float:
    """Width of one RoI Align bin on the feature map (continuous: no rounding of the RoI or the bins).

    Parameters
    ----------
    x1, x2 : float
        The RoI's horizontal extent in input-image pixels.
    stride : int
        Feature stride (16 for a conv5 map of VGG16 / ResNet C4).
    bins : int
        Output bins per side (7 for the box head, 14 for Mask R-CNN's mask head).

    Returns
    -------
    float
        ``(x2 - x1) / stride / bins``; RoI Pooling would first round ``x1 / stride`` and ``x2 / stride``.
    """
    return (x2 - x1) / stride / bins


SSD300_MAP_SIZES = (38, 19, 10, 5, 3, 1)  # conv4_3, conv7, conv8_2, conv9_2, conv10_2, conv11_2


def ssd300_default_box_count(k1: int, k2: int, k3: int, k4: int, k5: int, k6: int) -> int:
    """Default boxes of SSD300 with k_i boxes per location on its six prediction maps (38, 19, 10, 5, 3, 1).

    Returns
    -------
    int
        ``sum(m_i^2 k_i)``; with (4, 6, 6, 6, 4, 4) this is the paper's 8732 (Liu et al., 2016).
    """
    return sum(size * size * k for size, k in zip(SSD300_MAP_SIZES, (k1, k2, k3, k4, k5, k6), strict=True))


def ssd_default_box_width(k: int, aspect_ratio: float, num_maps: int = 6, image_size: int = 300,
                          s_min: float = 0.2, s_max: float = 0.9) -> float:
    """Width in pixels of an SSD default box on the k-th prediction map (k = 1 … num_maps).

    Returns
    -------
    float
        ``image_size * s_k * sqrt(a)`` with the scale ``s_k = s_min + (s_max - s_min)(k - 1)/(m - 1)``;
        the height is ``image_size * s_k / sqrt(a)`` (Liu et al., 2016, section 2.2).
    """
    if not 1 <= k <= num_maps:
        raise ValueError(f"k must be in 1..{num_maps}")
    scale = s_min + (s_max - s_min) * (k - 1) / (num_maps - 1)
    return image_size * scale * math.sqrt(aspect_ratio)


def hard_negative_total(num_positive: int, num_boxes: int, ratio: int = 3) -> int:
    """Default boxes that enter SSD's confidence loss after hard negative mining.

    Parameters
    ----------
    num_positive : int
        Default boxes matched to a ground-truth box.
    num_boxes : int
        All default boxes of the image; the rest are negatives.
    ratio : int, default 3
        At most ``ratio`` negatives (those with the highest confidence loss) per positive.

    Returns
    -------
    int
        ``P + min(ratio P, num_boxes - P)``.
    """
    return num_positive + min(ratio * num_positive, num_boxes - num_positive)


def yolo_class_confidence(class_prob: float, box_confidence: float) -> float:
    """YOLO (v1) class-specific confidence of one box at test time.

    Returns
    -------
    float
        ``Pr(Class_i | Object) * (Pr(Object) * IoU)``: the cell's conditional class probability times the box's
        predicted confidence (Redmon et al., 2016, eq. 1).
    """
    return class_prob * box_confidence


def fcos_targets(x: float, y: float, x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
    """FCOS regression targets (l, t, r, b) of a location inside a ground-truth box.

    Parameters
    ----------
    x, y : float
        The location, in image coordinates.
    x0, y0, x1, y1 : float
        The box's top-left and bottom-right corners.

    Returns
    -------
    (float, float, float, float)
        Distances to the left, top, right and bottom sides.

    Raises
    ------
    ValueError
        If the location is not strictly inside the box (it is then a negative sample).
    """
    targets = (x - x0, y - y0, x1 - x, y1 - y)
    if min(targets) <= 0:
        raise ValueError("the location is not inside the box")
    return targets


def fcos_centerness(x: float, y: float, x0: float, y0: float, x1: float, y1: float) -> float:
    """FCOS centerness of a location inside a box (1 at the centre, towards 0 at the sides).

    Returns
    -------
    float
        ``sqrt( min(l, r)/max(l, r) * min(t, b)/max(t, b) )`` (Tian et al., 2019, eq. 3).
    """
    left, top, right, bottom = fcos_targets(x, y, x0, y0, x1, y1)
    return math.sqrt(min(left, right) / max(left, right) * min(top, bottom) / max(top, bottom))


FCOS_LEVEL_BOUNDS = (64, 128, 256, 512)  # m_4 … m_7: P3 takes max(l, t, r, b) <= 64, …, P7 anything above 512


def fcos_level(x: float, y: float, x0: float, y0: float, x1: float, y1: float) -> int:
    """The FPN level (3 … 7) FCOS assigns a location of a box to, by the size of its regression targets.

    Returns
    -------
    int
        ``3 + number of bounds below max(l, t, r, b)``: P3 for at most 64, P4 for (64, 128], P5 (128, 256],
        P6 (256, 512], P7 beyond (Tian et al., 2019, section 3.2).
    """
    largest = max(fcos_targets(x, y, x0, y0, x1, y1))
    return 3 + sum(largest > bound for bound in FCOS_LEVEL_BOUNDS)


def average_precision(tp_flags: Sequence[int], num_gt: int) -> float:
    """Non-interpolated average precision of one class from detections sorted by descending score.

    Parameters
    ----------
    tp_flags : sequence of 0/1
        For each detection, in order of decreasing score, 1 if it matched an unmatched ground-truth box (TP).
    num_gt : int
        Number of ground-truth boxes of the class (missed ones lower the AP).

    Returns
    -------
    float
        ``(1 / G) * sum over TP ranks k of precision@k``, the area under the step precision-recall curve.
    """
    if num_gt <= 0 or sum(tp_flags) > num_gt:
        raise ValueError("need at least as many ground-truth boxes as true positives")
    hits, total = 0, 0.0
    for rank, flag in enumerate(tp_flags, start=1):
        if flag:
            hits += 1
            total += hits / rank
    return total / num_gt


def average_precision_6(d1: int, d2: int, d3: int, d4: int, d5: int, d6: int, num_gt: int) -> float:
    """:func:`average_precision` of six ranked detections given as 0/1 flags."""
    return average_precision([d1, d2, d3, d4, d5, d6], num_gt)
