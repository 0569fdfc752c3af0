"""2-1-12 性能指標 from scores: ROC curve, AUC (ties count 1/2) and average precision / mAP.

Conventions:

* a sample is predicted positive when its score is **at or above** the threshold, so every distinct
  score is one threshold and samples with equal scores always move together (Fawcett 2006,
  "An introduction to ROC analysis", on equally scored instances);
* AUC is the area under that ROC curve with straight segments between its points, which equals the
  probability that a random positive scores above a random negative, a tie counting 1/2
  (the Mann–Whitney statistic);
* average precision is the non-interpolated ``AP = Σ_k (R_k − R_{k−1}) P_k`` over the ranked
  detections (scikit-learn's ``average_precision_score``), where a detection is a true positive
  when it matches a not yet matched ground-truth object (e.g. IoU ≥ 0.5); mAP is the mean of the
  per-class APs.

The functions of scalars at the end serve parameterised questions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "roc_curve",
    "roc_auc",
    "roc_auc_strict",
    "rates_at_threshold",
    "average_precision",
    "roc_auc_of_eight",
    "roc_auc_strict_of_eight",
    "fpr_at_threshold_of_eight",
    "tpr_at_threshold_of_eight",
    "average_precision_of_six",
    "interpolated_ap_of_six",
    "map_of_two",
    "interpolated_map_of_two",
]


def _labels_scores(y_true: ArrayLike, scores: ArrayLike) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    y = np.asarray(y_true).ravel().astype(bool)
    s = np.asarray(scores, dtype=np.float64).ravel()
    if not y.any() or y.all():
        raise ValueError("ROC needs at least one positive and one negative sample")
    return y, s


def roc_curve(y_true: ArrayLike, scores: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Points of the ROC curve (ROC曲線), from (0, 0) to (1, 1).

    Parameters
    ----------
    y_true : ndarray of shape (N,)
        1 (or True) for positive samples, 0 for negative ones; both must occur.
    scores : ndarray of shape (N,)
        Higher means more likely positive.

    Returns
    -------
    (fpr, tpr) : two ndarrays of shape (M + 1,)
        One point per distinct score (threshold = that score, "score ≥ threshold" is positive),
        from the highest score down, after the starting point (0, 0).
    """
    y, s = _labels_scores(y_true, scores)
    thresholds = np.unique(s)[::-1]
    tpr = [0.0] + [float(np.mean(s[y] >= th)) for th in thresholds]
    fpr = [0.0] + [float(np.mean(s[~y] >= th)) for th in thresholds]
    return np.array(fpr), np.array(tpr)


def roc_auc(y_true: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve (AUC), a tie between a positive and a negative counting 1/2.

    Parameters
    ----------
    y_true : ndarray of shape (N,)
        1 for positive samples, 0 for negative ones; both must occur.
    scores : ndarray of shape (N,)

    Returns
    -------
    float
        ``(#{s_pos > s_neg} + ½ #{s_pos = s_neg}) / (n_pos · n_neg)`` over all positive–negative pairs:
        the trapezoidal area under :func:`roc_curve`.
    """
    y, s = _labels_scores(y_true, scores)
    diff = s[y][:, None] - s[~y][None, :]
    return float((np.sum(diff > 0) + 0.5 * np.sum(diff == 0)) / diff.size)


def roc_auc_strict(y_true: ArrayLike, scores: ArrayLike) -> float:
    """The usual slip: pairs with equal scores counted as wrong (0) instead of 1/2."""
    y, s = _labels_scores(y_true, scores)
    diff = s[y][:, None] - s[~y][None, :]
    return float(np.sum(diff > 0) / diff.size)


def rates_at_threshold(y_true: ArrayLike, scores: ArrayLike, threshold: float) -> tuple[float, float]:
    """(FPR, TPR) when samples scoring at least ``threshold`` are predicted positive."""
    y, s = _labels_scores(y_true, scores)
    return float(np.mean(s[~y] >= threshold)), float(np.mean(s[y] >= threshold))


def average_precision(hits: ArrayLike, n_positives: int) -> float:
    """Non-interpolated average precision (AP) of a ranked list of detections of one class.

    Parameters
    ----------
    hits : ndarray of shape (M,)
        The detections sorted by confidence, highest first: 1 for a true positive, 0 for a false one.
    n_positives : int
        Number of ground-truth objects of the class (the recall denominator; objects never
        detected lower the AP).

    Returns
    -------
    float
        ``Σ_k (R_k − R_{k−1}) P_k`` = the mean, over the ground-truth objects, of the precision at
        the rank where each was found (0 for those never found).
    """
    h = np.asarray(hits, dtype=np.float64).ravel()
    precision = np.cumsum(h) / np.arange(1, h.size + 1)
    return float(np.sum(precision * h) / n_positives)


def _interpolated_ap(hits: ArrayLike, n_positives: int) -> float:
    """All-point interpolated AP (PASCAL VOC 2010 onwards): precision replaced by its maximum to the right."""
    h = np.asarray(hits, dtype=np.float64).ravel()
    precision = np.cumsum(h) / np.arange(1, h.size + 1)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    return float(np.sum(envelope * h) / n_positives)


# --------------------------------------------------------------------------- scalar forms: positives p1…p4, negatives n1…n4


def _eight(p1: float, p2: float, p3: float, p4: float, n1: float, n2: float, n3: float, n4: float) -> tuple[list[int], list[float]]:
    return [1, 1, 1, 1, 0, 0, 0, 0], [p1, p2, p3, p4, n1, n2, n3, n4]


def roc_auc_of_eight(p1: float, p2: float, p3: float, p4: float, n1: float, n2: float, n3: float, n4: float) -> float:
    """AUC of four positives scoring p1…p4 and four negatives scoring n1…n4 (ties count 1/2)."""
    return roc_auc(*_eight(p1, p2, p3, p4, n1, n2, n3, n4))


def roc_auc_strict_of_eight(p1: float, p2: float, p3: float, p4: float, n1: float, n2: float, n3: float, n4: float) -> float:
    """The same AUC with ties counted as 0 (the slip that forgets ties)."""
    return roc_auc_strict(*_eight(p1, p2, p3, p4, n1, n2, n3, n4))


def fpr_at_threshold_of_eight(p1: float, p2: float, p3: float, p4: float, n1: float, n2: float, n3: float, n4: float, threshold: float) -> float:
    """False positive rate FP / (FP + TN) of the eight samples at ``threshold`` (score ≥ threshold is positive)."""
    return rates_at_threshold(*_eight(p1, p2, p3, p4, n1, n2, n3, n4), threshold)[0]


def tpr_at_threshold_of_eight(p1: float, p2: float, p3: float, p4: float, n1: float, n2: float, n3: float, n4: float, threshold: float) -> float:
    """True positive rate TP / (TP + FN) of the eight samples at ``threshold``."""
    return rates_at_threshold(*_eight(p1, p2, p3, p4, n1, n2, n3, n4), threshold)[1]


def average_precision_of_six(h1: int, h2: int, h3: int, h4: int, h5: int, h6: int, n_positives: int) -> float:
    """Non-interpolated AP of six ranked detections (h = 1 true positive, 0 false) of a class with n_positives objects."""
    return average_precision([h1, h2, h3, h4, h5, h6], n_positives)


def interpolated_ap_of_six(h1: int, h2: int, h3: int, h4: int, h5: int, h6: int, n_positives: int) -> float:
    """All-point interpolated AP (VOC 2010+) of the same six detections, for comparison."""
    return _interpolated_ap([h1, h2, h3, h4, h5, h6], n_positives)


def map_of_two(ap_first: float, h1: int, h2: int, h3: int, h4: int, h5: int, h6: int, n_positives: int) -> float:
    """mAP of two classes: the first class's AP ``ap_first`` and the AP of six ranked detections of the second."""
    return (ap_first + average_precision_of_six(h1, h2, h3, h4, h5, h6, n_positives)) / 2


def interpolated_map_of_two(ap_first: float, h1: int, h2: int, h3: int, h4: int, h5: int, h6: int, n_positives: int) -> float:
    """The same mAP with the second class's AP all-point interpolated (VOC 2010+)."""
    return (ap_first + interpolated_ap_of_six(h1, h2, h3, h4, h5, h6, n_positives)) / 2
