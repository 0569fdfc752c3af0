"""4-2 物体検出: IoU, NMS, anchors and detector output shapes.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.detection:<name>, args: {...}}``.

Boxes are corner coordinates ``(x1, y1, x2, y2)`` with ``x1 < x2`` and ``y1 < y2`` and areas
``(x2 - x1)(y2 - y1)`` (continuous coordinates, no "+1" pixel convention).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "iou",
    "iou_boxes",
    "nms",
    "anchor_count",
    "yolo_output_shape",
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
