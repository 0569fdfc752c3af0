"""Tests for reference.ranking_metrics: ROC points and AUC with ties, average precision, against hand values."""

import numpy as np
import pytest

from reference.ranking_metrics import (
    average_precision,
    average_precision_of_six,
    fpr_at_threshold_of_eight,
    interpolated_ap_of_six,
    interpolated_map_of_two,
    map_of_two,
    rates_at_threshold,
    roc_auc,
    roc_auc_of_eight,
    roc_auc_strict,
    roc_auc_strict_of_eight,
    roc_curve,
    tpr_at_threshold_of_eight,
)

RNG = np.random.default_rng(3)


def _trapezoid(fpr, tpr):
    return float(np.sum((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2))


def test_perfect_and_reversed_rankings():
    assert roc_auc([1, 1, 0, 0], [0.9, 0.8, 0.2, 0.1]) == 1.0
    assert roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]) == 0.0


def test_all_ties_give_one_half():
    assert roc_auc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert roc_auc_strict([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5]) == 0.0


def test_hand_value_with_one_tie():
    # positives 0.9, 0.6, 0.4; negatives 0.6, 0.3: pairs > : 0.9>both (2), 0.6>0.3 (1), 0.4>0.3 (1); tie 0.6=0.6
    y = [1, 1, 1, 0, 0]
    s = [0.9, 0.6, 0.4, 0.6, 0.3]
    assert roc_auc(y, s) == pytest.approx(4.5 / 6)
    assert roc_auc_strict(y, s) == pytest.approx(4 / 6)


def test_roc_curve_points_group_ties():
    fpr, tpr = roc_curve([1, 1, 1, 0, 0], [0.9, 0.6, 0.4, 0.6, 0.3])
    np.testing.assert_allclose(fpr, [0, 0, 0.5, 0.5, 1])
    np.testing.assert_allclose(tpr, [0, 1 / 3, 2 / 3, 1, 1])


def test_auc_is_the_trapezoidal_area_under_the_curve():
    for _ in range(20):
        y = np.r_[np.ones(6), np.zeros(7)]
        s = RNG.integers(0, 5, 13).astype(float)  # many ties
        fpr, tpr = roc_curve(y, s)
        assert roc_auc(y, s) == pytest.approx(_trapezoid(fpr, tpr))


def test_rates_at_threshold():
    assert rates_at_threshold([1, 1, 0, 0], [0.8, 0.4, 0.5, 0.1], 0.5) == (0.5, 0.5)


def test_roc_needs_both_classes():
    with pytest.raises(ValueError):
        roc_auc([1, 1], [0.2, 0.3])


def test_eight_sample_forms():
    args = (0.9, 0.7, 0.7, 0.3, 0.7, 0.5, 0.2, 0.1)
    # pairs: 0.9 beats 4; each 0.7 beats 3 and ties 1; 0.3 beats 2 → 12 wins, 2 ties
    assert roc_auc_of_eight(*args) == pytest.approx(13 / 16)
    assert roc_auc_strict_of_eight(*args) == pytest.approx(12 / 16)
    assert tpr_at_threshold_of_eight(*args, threshold=0.7) == pytest.approx(0.75)
    assert fpr_at_threshold_of_eight(*args, threshold=0.7) == pytest.approx(0.25)


def test_average_precision_by_hand():
    # ranks: TP, FP, TP, TP, FP, FP with 4 objects: precisions at hits 1, 2/3, 3/4; one object missed
    assert average_precision([1, 0, 1, 1, 0, 0], 4) == pytest.approx((1 + 2 / 3 + 3 / 4) / 4)
    assert average_precision_of_six(1, 0, 1, 1, 0, 0, 4) == pytest.approx((1 + 2 / 3 + 3 / 4) / 4)
    # interpolation raises the 2/3 to the 3/4 found later
    assert interpolated_ap_of_six(1, 0, 1, 1, 0, 0, 4) == pytest.approx((1 + 3 / 4 + 3 / 4) / 4)
    assert average_precision([1, 1, 1], 3) == 1.0


def test_map_is_the_mean_of_class_aps():
    assert map_of_two(0.5, 1, 0, 1, 1, 0, 0, 4) == pytest.approx((0.5 + (1 + 2 / 3 + 3 / 4) / 4) / 2)
    assert interpolated_map_of_two(0.5, 1, 0, 1, 1, 0, 0, 4) == pytest.approx((0.5 + (1 + 3 / 4 + 3 / 4) / 4) / 2)
