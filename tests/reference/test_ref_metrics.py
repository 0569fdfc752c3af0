"""Tests for reference.metrics: confusion matrices, micro/macro scores, RMSE and perplexity against hand values."""

import math

import numpy as np
import pytest

from reference.metrics import (
    accuracy_from_counts,
    confusion_matrix,
    f1_from_counts,
    macro_recall_3x3,
    mae_of_four,
    perplexity,
    perplexity_from_cross_entropy,
    perplexity_of_four,
    precision_from_counts,
    precision_recall_f1,
    recall_from_counts,
    rmse,
    rmse_of_four,
    scores_from_confusion,
)

RNG = np.random.default_rng(7)


def test_confusion_matrix_rows_are_truth_columns_prediction():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    cm = confusion_matrix(y_true, y_pred, 3)
    assert cm.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert cm.dtype == np.int64


def test_confusion_matrix_counts_repeated_pairs_and_keeps_unseen_classes():
    cm = confusion_matrix([1, 1, 1], [1, 1, 1], 4)
    assert cm[1, 1] == 3 and cm.sum() == 3 and cm.shape == (4, 4)


def test_confusion_matrix_matches_a_loop():
    t = RNG.integers(0, 4, 50)
    p = RNG.integers(0, 4, 50)
    gold = np.zeros((4, 4), dtype=int)
    for a, b in zip(t, p):
        gold[a, b] += 1
    np.testing.assert_array_equal(confusion_matrix(t, p, 4), gold)


def test_binary_counts_hand_values():
    # TP 30, FP 10, FN 20, TN 40
    assert precision_from_counts(30, 10) == pytest.approx(0.75)
    assert recall_from_counts(30, 20) == pytest.approx(0.6)
    assert f1_from_counts(30, 10, 20) == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert accuracy_from_counts(30, 10, 20, 40) == pytest.approx(0.7)
    assert precision_from_counts(0, 0) == 0.0


def test_macro_and_micro_by_hand():
    # per class (TP, FP, FN): A (1, 1, 1), B (1, 1, 0), C (2, 0, 1) from the 6 samples above
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 0, 2]
    p, r, f = precision_recall_f1(y_true, y_pred, "macro")
    assert p == pytest.approx((1 / 2 + 1 / 2 + 1) / 3)
    assert r == pytest.approx((1 / 2 + 1 + 2 / 3) / 3)
    per_f = [0.5, 2 * 0.5 * 1 / 1.5, 2 * 1 * (2 / 3) / (5 / 3)]
    assert f == pytest.approx(sum(per_f) / 3)
    micro = precision_recall_f1(y_true, y_pred, "micro")
    assert micro == pytest.approx((4 / 6, 4 / 6, 4 / 6))


def test_classes_are_the_labels_that_occur():
    # labels 0, 2, 5: three classes, not six
    p, r, _ = precision_recall_f1([0, 2, 5, 5], [0, 2, 5, 2], "macro")
    assert p == pytest.approx((1 + 0.5 + 1) / 3)
    assert r == pytest.approx((1 + 1 + 0.5) / 3)


def test_never_predicted_class_scores_zero_precision():
    p, _, _ = precision_recall_f1([0, 1, 1], [0, 0, 0], "macro")
    assert p == pytest.approx((1 / 3 + 0) / 2)


def test_scores_from_a_3x3_matrix():
    cm = [[5, 1, 0], [2, 3, 1], [0, 4, 4]]
    flat = [v for row in cm for v in row]
    assert macro_recall_3x3(*flat) == pytest.approx((5 / 6 + 3 / 6 + 4 / 8) / 3)
    assert scores_from_confusion(cm, "macro")[0] == pytest.approx((5 / 7 + 3 / 8 + 4 / 5) / 3)
    assert scores_from_confusion(cm, "micro") == pytest.approx((12 / 20, 12 / 20, 12 / 20))
    with pytest.raises(ValueError):
        scores_from_confusion(cm, "weighted")


def test_rmse_and_mae():
    assert rmse([1, 2, 3, 4], [2, 2, 3, 1]) == pytest.approx(math.sqrt((1 + 0 + 0 + 9) / 4))
    assert rmse_of_four(1, 2, 3, 4, 2, 2, 3, 1) == pytest.approx(math.sqrt(2.5))
    assert mae_of_four(1, 2, 3, 4, 2, 2, 3, 1) == pytest.approx(1.0)


def test_perplexity_uniform_model_scores_vocabulary_size():
    y = np.full((5, 8), 1 / 8)
    assert perplexity(y, [0, 3, 7, 1, 1]) == pytest.approx(8.0)


def test_perplexity_is_geometric_mean_of_inverse_probabilities():
    y = np.array([[0.5, 0.5, 0.0], [0.1, 0.2, 0.7], [0.25, 0.25, 0.5]])
    t = [0, 2, 1]
    assert perplexity(y, t) == pytest.approx((1 / (0.5 * 0.7 * 0.25)) ** (1 / 3))
    assert perplexity_of_four(0.5, 0.25, 0.5, 0.125) == pytest.approx((0.5 * 0.25 * 0.5 * 0.125) ** -0.25)


def test_perplexity_from_cross_entropy_bases_agree():
    h_nats = 1.7
    assert perplexity_from_cross_entropy(h_nats) == pytest.approx(math.exp(1.7))
    assert perplexity_from_cross_entropy(h_nats / math.log(2), 2) == pytest.approx(math.exp(1.7))
