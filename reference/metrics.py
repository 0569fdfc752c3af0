"""2-1-12 性能指標: confusion matrix, accuracy / precision / recall / F1 with micro and macro averaging,
RMSE and perplexity.

Conventions (those of the scikit-learn User Guide, "Metrics and scoring"):

* arguments are ``(y_true, y_pred)``: the target first;
* the confusion matrix has **true classes on the rows and predicted classes on the columns**
  (``cm[i, j]`` = samples of class i predicted as j);
* a ratio whose denominator is 0 (a class never predicted, so its precision is 0/0) counts as 0;
* macro F1 is the mean of the per-class F1 values (not the harmonic mean of macro precision and
  macro recall, a second convention found in the literature);
* perplexity uses the natural logarithm: ``exp(mean cross-entropy in nats)``, which equals
  ``2 ** (mean cross-entropy in bits)``.

The array functions have the signatures of the code questions. The functions of scalars at the end
let a parameterised question pass its drawn numbers straight in
(``answer: {function: reference.metrics:<name>, args: {...}}``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "confusion_matrix",
    "scores_from_confusion",
    "precision_recall_f1",
    "rmse",
    "perplexity",
    "accuracy_from_counts",
    "precision_from_counts",
    "recall_from_counts",
    "f1_from_counts",
    "macro_recall_3x3",
    "rmse_of_four",
    "mae_of_four",
    "perplexity_of_four",
    "perplexity_from_cross_entropy",
]


def _ratio(num: NDArray[np.floating] | float, den: NDArray[np.floating] | float) -> NDArray[np.float64]:
    """num / den elementwise, with 0 where den == 0 (scikit-learn's zero_division=0)."""
    num_a = np.asarray(num, dtype=np.float64)
    den_a = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num_a, den_a).shape)
    np.divide(num_a, den_a, out=out, where=den_a != 0)
    return out


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int) -> NDArray[np.int64]:
    """Confusion matrix (混同行列) of class labels 0 … n_classes − 1.

    Parameters
    ----------
    y_true : ndarray of shape (N,), int
        True labels.
    y_pred : ndarray of shape (N,), int
        Predicted labels.
    n_classes : int
        Number of classes K (labels are 0 … K − 1).

    Returns
    -------
    ndarray of shape (K, K), int64
        ``cm[i, j]`` = number of samples whose true class is i and predicted class is j
        (rows: truth, columns: prediction). The diagonal holds the correct predictions.
    """
    t = np.asarray(y_true, dtype=np.int64).ravel()
    p = np.asarray(y_pred, dtype=np.int64).ravel()
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(cm, (t, p), 1)  # repeated (i, j) pairs accumulate; cm[t, p] += 1 would count each pair once
    return cm


def scores_from_confusion(cm: ArrayLike, average: str = "macro") -> tuple[float, float, float]:
    """Precision, recall and F1 of a K-class confusion matrix (rows truth, columns prediction).

    Parameters
    ----------
    cm : ndarray of shape (K, K)
    average : {"macro", "micro"}
        macro: the unweighted mean of the per-class scores; micro: the scores of the summed
        TP, FP and FN over the classes.

    Returns
    -------
    (precision, recall, f1) : tuple of float
    """
    m = np.asarray(cm, dtype=np.float64)
    tp = np.diag(m)
    fp = m.sum(axis=0) - tp  # predicted as the class, but another class in truth
    fn = m.sum(axis=1) - tp  # of the class in truth, but predicted as another
    if average == "micro":
        p = float(_ratio(tp.sum(), tp.sum() + fp.sum()))
        r = float(_ratio(tp.sum(), tp.sum() + fn.sum()))
        return p, r, float(_ratio(2 * p * r, p + r))
    per_p = _ratio(tp, tp + fp)
    per_r = _ratio(tp, tp + fn)
    per_f = _ratio(2 * per_p * per_r, per_p + per_r)
    if average == "macro":
        return float(per_p.mean()), float(per_r.mean()), float(per_f.mean())
    raise ValueError(f"average must be 'macro' or 'micro', not {average!r}")


def precision_recall_f1(y_true: ArrayLike, y_pred: ArrayLike, average: str = "macro") -> tuple[float, float, float]:
    """Precision (適合率), recall (再現率) and F1 (F値) of multi-class labels, micro or macro averaged.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,), int
        True and predicted labels (any non-negative integers).
    average : {"macro", "micro"}
        See :func:`scores_from_confusion`.

    Returns
    -------
    (precision, recall, f1) : tuple of float
        The classes are those that occur in ``y_true`` or in ``y_pred`` (as scikit-learn's
        ``labels=None``); a 0/0 score counts as 0. For single-label data the three micro scores
        all equal the accuracy.
    """
    t = np.asarray(y_true, dtype=np.int64).ravel()
    p = np.asarray(y_pred, dtype=np.int64).ravel()
    classes, codes = np.unique(np.concatenate([t, p]), return_inverse=True)
    cm = confusion_matrix(codes[: t.size], codes[t.size:], classes.size)
    return scores_from_confusion(cm, average)


def rmse(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """Root mean squared error ``sqrt(mean((y_pred − y_true)²))`` over every element."""
    d = np.asarray(y_pred, dtype=np.float64) - np.asarray(y_true, dtype=np.float64)
    return float(np.sqrt(np.mean(d**2)))


def perplexity(y: ArrayLike, t: ArrayLike) -> float:
    """Perplexity (パープレキシティ) of a language model on one token sequence.

    Parameters
    ----------
    y : ndarray of shape (T, V)
        Predicted distribution over the V tokens of the vocabulary at each of the T positions
        (each row sums to 1, e.g. a softmax output).
    t : ndarray of shape (T,), int
        The token that actually comes at each position.

    Returns
    -------
    float
        ``exp(−(1/T) Σ_t log y[t, t_t])``: e to the mean cross-entropy (nats per token), the
        geometric mean of ``1 / y[t, t_t]``. A uniform model over V tokens scores exactly V.
    """
    probs = np.asarray(y, dtype=np.float64)
    idx = np.asarray(t, dtype=np.int64).ravel()
    chosen = probs[np.arange(idx.size), idx]
    return float(np.exp(-np.mean(np.log(chosen))))


# --------------------------------------------------------------------------- scalar forms


def accuracy_from_counts(tp: float, fp: float, fn: float, tn: float) -> float:
    """Accuracy (正解率) (TP + TN) / (TP + FP + FN + TN)."""
    return (tp + tn) / (tp + fp + fn + tn)


def precision_from_counts(tp: float, fp: float) -> float:
    """Precision (適合率) TP / (TP + FP): of the predicted positives, the share that are positive."""
    return float(_ratio(tp, tp + fp))


def recall_from_counts(tp: float, fn: float) -> float:
    """Recall (再現率) TP / (TP + FN): of the true positives, the share predicted positive."""
    return float(_ratio(tp, tp + fn))


def f1_from_counts(tp: float, fp: float, fn: float) -> float:
    """F1 (F値), the harmonic mean of precision and recall: 2TP / (2TP + FP + FN)."""
    return float(_ratio(2 * tp, 2 * tp + fp + fn))


def macro_recall_3x3(m00: float, m01: float, m02: float, m10: float, m11: float, m12: float, m20: float, m21: float, m22: float) -> float:
    """Macro-averaged recall of a 3-class confusion matrix given by its nine counts m<true><pred>."""
    return scores_from_confusion([[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]], "macro")[1]


def rmse_of_four(y1: float, y2: float, y3: float, y4: float, p1: float, p2: float, p3: float, p4: float) -> float:
    """RMSE of four targets y1…y4 and predictions p1…p4."""
    return rmse([y1, y2, y3, y4], [p1, p2, p3, p4])


def mae_of_four(y1: float, y2: float, y3: float, y4: float, p1: float, p2: float, p3: float, p4: float) -> float:
    """Mean absolute error of four targets and predictions (the usual confusion with RMSE)."""
    return float(np.mean(np.abs(np.subtract([p1, p2, p3, p4], [y1, y2, y3, y4]))))


def perplexity_of_four(p1: float, p2: float, p3: float, p4: float) -> float:
    """Perplexity of a 4-token sequence whose tokens got the probabilities p1…p4: (p1 p2 p3 p4)^(−1/4)."""
    return float(np.exp(-np.mean(np.log([p1, p2, p3, p4]))))


def perplexity_from_cross_entropy(h: float, base: float = math.e) -> float:
    """Perplexity from the mean cross-entropy per token ``h`` measured with logarithms to ``base``: base**h."""
    return float(base**h)
