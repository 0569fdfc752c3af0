"""Box encoding, RoI Align bins, SSD default boxes, hard negatives, YOLO scores and FCOS targets (4-2), by hand."""

import math

import pytest

from reference.detection import (
    average_precision,
    average_precision_6,
    decoded_box_x1,
    fcos_centerness,
    fcos_level,
    fcos_targets,
    hard_negative_total,
    roi_align_bin_width,
    ssd300_default_box_count,
    ssd_default_box_width,
    yolo_class_confidence,
)


def test_decoded_box_inverts_the_encoding():
    # encode a box against an anchor with the paper's formulas, then decode its left edge
    xa, wa = 200.0, 128.0
    x, w = 215.0, 160.0
    tx, tw = (x - xa) / wa, math.log(w / wa)
    assert math.isclose(decoded_box_x1(xa, wa, tx, tw), x - w / 2)
    assert decoded_box_x1(100.0, 64.0, 0.0, 0.0) == 68.0  # zero offsets give the anchor itself


def test_roi_align_bin_width():
    # a 200-pixel-wide RoI at stride 16 covers 12.5 cells: 7 bins of 1.7857 cells, no rounding
    assert math.isclose(roi_align_bin_width(37, 237, 16, 7), 12.5 / 7)
    assert roi_align_bin_width(0, 224, 32, 7) == 1.0


def test_ssd300_has_8732_default_boxes():
    # Liu et al. (2016): 38^2*4 + 19^2*6 + 10^2*6 + 5^2*6 + 3^2*4 + 1*4
    assert ssd300_default_box_count(4, 6, 6, 6, 4, 4) == 5776 + 2166 + 600 + 150 + 36 + 4 == 8732
    assert ssd300_default_box_count(6, 6, 6, 6, 6, 6) == 6 * 1940


def test_ssd_scales():
    # s_k = 0.2, 0.34, 0.48, 0.62, 0.76, 0.9 for m = 6
    for k, s in enumerate((0.2, 0.34, 0.48, 0.62, 0.76, 0.9), start=1):
        assert math.isclose(ssd_default_box_width(k, 1.0), 300 * s)
    assert math.isclose(ssd_default_box_width(3, 2.0), 300 * 0.48 * math.sqrt(2))
    # width * height = (300 s_k)^2 whatever the ratio
    assert math.isclose(ssd_default_box_width(4, 3.0) * ssd_default_box_width(4, 1 / 3.0), (300 * 0.62) ** 2)
    with pytest.raises(ValueError):
        ssd_default_box_width(7, 1.0)


def test_hard_negative_total():
    assert hard_negative_total(10, 8732) == 40  # 10 positives + 30 negatives
    assert hard_negative_total(30, 100) == 100  # capped: only 70 negatives exist
    assert hard_negative_total(5, 100, ratio=1) == 10


def test_yolo_class_confidence():
    assert math.isclose(yolo_class_confidence(0.6, 0.8), 0.48)


def test_fcos_targets_and_centerness():
    assert fcos_targets(50, 40, 10, 20, 110, 100) == (40, 20, 60, 60)
    # min/max ratios 40/60 and 20/60
    assert math.isclose(fcos_centerness(50, 40, 10, 20, 110, 100), math.sqrt(40 / 60 * 20 / 60))
    assert fcos_centerness(60, 60, 10, 20, 110, 100) == 1.0  # the centre
    with pytest.raises(ValueError):
        fcos_targets(5, 40, 10, 20, 110, 100)  # outside: a negative sample


@pytest.mark.parametrize("largest, level", [(30, 3), (64, 3), (65, 4), (128, 4), (200, 5), (512, 6), (513, 7), (900, 7)])
def test_fcos_levels(largest, level):
    # a location whose farthest side is `largest` away (the other sides 10 away)
    assert fcos_level(100, 100, 90, 90, 100 + largest, 110) == level


def test_average_precision_is_the_area_under_the_step_curve():
    # TP FP TP FP FP TP, 4 ground-truth boxes: precisions 1, 2/3, 3/6 at the hits
    assert math.isclose(average_precision([1, 0, 1, 0, 0, 1], 4), (1 + 2 / 3 + 0.5) / 4)
    assert average_precision([1, 1, 1], 3) == 1.0
    assert math.isclose(average_precision_6(0, 1, 0, 0, 0, 0, 1), 0.5)
    # area under the precision-recall steps, computed independently
    flags, g = [1, 0, 1, 1, 0, 0], 5
    tp = 0
    area, last_recall = 0.0, 0.0
    for k, f in enumerate(flags, start=1):
        tp += f
        recall = tp / g
        area += (recall - last_recall) * (tp / k)
        last_recall = recall
    assert math.isclose(average_precision(flags, g), area)
    with pytest.raises(ValueError):
        average_precision([1, 1], 1)
