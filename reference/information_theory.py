"""Information theory (情報理論): self-information, entropies, cross-entropy, KL and JS divergence, mutual information.

Conventions (Cover & Thomas, "Elements of Information Theory", 2nd ed., 2.1-2.3):

* every function taking distributions works in **nats** (natural log); the ``*_of`` helpers used by
  numeric questions take the log base as an argument (2 for bits);
* ``0 log 0 = 0`` and ``0 log (0 / q) = 0``: outcomes with ``p = 0`` contribute nothing;
* ``p log (p / 0) = +inf``: ``kl_divergence(p, q)`` is infinite when ``q`` is 0 where ``p`` is not;
* distributions lie on the **last axis**: ``(K,)`` gives a number, ``(N, K)`` one value per row;
* a joint table ``joint[i, j] = P(X = x_i, Y = y_j)`` has X on the rows and Y on the columns;
* inputs are never modified.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]
PerRow = Floats | np.float64  # a number for one distribution (K,), one value per row for (N, K)

__all__ = [
    "self_information",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "js_divergence",
    "joint_entropy",
    "conditional_entropy",
    "mutual_information",
    "entropy_of",
    "cross_entropy_of",
    "kl_of",
    "js_of",
    "joint_entropy_of",
    "conditional_entropy_of",
    "mutual_information_of",
]


def _xlogy(x: Floats, y: Floats) -> Floats:
    """``x * log(y)`` elementwise with ``0 * log(anything) = 0`` (no NaN from 0 * -inf)."""
    out = np.zeros(np.broadcast(x, y).shape)
    x, y = np.broadcast_to(x, out.shape), np.broadcast_to(y, out.shape)
    mask = x != 0
    with np.errstate(divide="ignore"):
        out[mask] = x[mask] * np.log(y[mask])
    return out


def self_information(p: float, base: float = 2.0) -> float:
    """Self-information (自己情報量) ``I(x) = -log_base P(x)`` of an event of probability ``p``.

    Parameters
    ----------
    p : float in (0, 1]
    base : float
        2 gives bits, ``np.e`` nats.
    """
    return float(-np.log(p) / np.log(base))


def entropy(p: ArrayLike) -> PerRow:
    """Entropy ``H(p) = -Σ_k p_k log p_k`` in nats, with ``0 log 0 = 0``.

    Parameters
    ----------
    p : ndarray of shape (K,) or (N, K)
        Probabilities on the last axis (each row sums to 1).

    Returns
    -------
    float for (K,), ndarray of shape (N,) for (N, K)
    """
    p = np.asarray(p, dtype=float)
    value: PerRow = -np.sum(_xlogy(p, p), axis=-1)
    return value


def cross_entropy(p: ArrayLike, q: ArrayLike) -> PerRow:
    """Cross-entropy between distributions ``H(p, q) = -Σ_k p_k log q_k`` in nats.

    Parameters
    ----------
    p, q : ndarray of shape (K,) or (N, K)
        ``p`` the true (data) distribution, ``q`` the model's; last axis.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    value: PerRow = -np.sum(_xlogy(p, q), axis=-1)
    return value


def kl_divergence(p: ArrayLike, q: ArrayLike) -> PerRow:
    """Kullback-Leibler divergence ``KL(p || q) = Σ_k p_k log(p_k / q_k)`` in nats.

    Parameters
    ----------
    p, q : ndarray of shape (K,) or (N, K)
        Probabilities on the last axis.

    Returns
    -------
    float for (K,), ndarray of shape (N,) for (N, K)
        Terms with ``p_k = 0`` are 0; the value is ``+inf`` when some ``q_k = 0 < p_k``.
        Not symmetric: ``KL(p || q) != KL(q || p)`` in general.
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    value: PerRow = np.sum(_xlogy(p, p) - _xlogy(p, q), axis=-1)
    return value


def js_divergence(p: ArrayLike, q: ArrayLike) -> PerRow:
    """Jensen-Shannon divergence ``JS(p, q) = ½ KL(p || m) + ½ KL(q || m)``, ``m = (p + q) / 2``, in nats.

    Parameters
    ----------
    p, q : ndarray of shape (K,) or (N, K)

    Returns
    -------
    float for (K,), ndarray of shape (N,) for (N, K)
        Symmetric, finite, between 0 and ``log 2`` (reached by distributions with disjoint supports).
    """
    p = np.asarray(p, dtype=float)
    q = np.asarray(q, dtype=float)
    m = (p + q) / 2
    return 0.5 * kl_divergence(p, m) + 0.5 * kl_divergence(q, m)


def _table(joint: ArrayLike) -> Floats:
    table: Floats = np.asarray(joint, dtype=float)
    normalised: Floats = table / table.sum()
    return normalised


def joint_entropy(joint: ArrayLike) -> float:
    """Joint entropy ``H(X, Y) = -Σ_ij P(x_i, y_j) log P(x_i, y_j)`` in nats.

    Parameters
    ----------
    joint : ndarray of shape (Kx, Ky)
        Joint probabilities (or counts: the table is normalised to sum 1).
    """
    return float(entropy(_table(joint).ravel()))


def conditional_entropy(joint: ArrayLike) -> float:
    """Conditional entropy ``H(Y | X) = H(X, Y) - H(X)`` in nats (X on the rows).

    Parameters
    ----------
    joint : ndarray of shape (Kx, Ky)
        Joint probabilities (or counts).
    """
    table = _table(joint)
    return float(entropy(table.ravel()) - entropy(table.sum(axis=1)))


def mutual_information(joint: ArrayLike) -> np.float64:
    """Mutual information ``I(X; Y) = Σ_ij P(x_i, y_j) log(P(x_i, y_j) / (P(x_i) P(y_j)))`` in nats.

    Parameters
    ----------
    joint : ndarray of shape (Kx, Ky)
        A joint table of non-negative probabilities or counts; it is normalised to sum 1 first.
        X indexes the rows, Y the columns.

    Returns
    -------
    float
        ``KL(P(X, Y) || P(X) P(Y)) = H(X) + H(Y) - H(X, Y) >= 0``; 0 exactly when X and Y are independent.
    """
    table = _table(joint)
    independent = np.outer(table.sum(axis=1), table.sum(axis=0))
    value: np.float64 = np.sum(_xlogy(table, table) - _xlogy(table, independent))
    return value


# --------------------------------------------------------------------------- numbers for numeric questions
# Parameter formulas give scalars, so these take the probabilities one by one and the log base.


def _in_base(nats: float, base: float) -> float:
    return float(nats / np.log(base))


def entropy_of(p1: float, p2: float, p3: float = 0.0, p4: float = 0.0, base: float = 2.0) -> float:
    """``H(p)`` of the distribution ``(p1, p2, p3, p4)`` in log base ``base``."""
    return _in_base(float(entropy([p1, p2, p3, p4])), base)


def cross_entropy_of(p1: float, p2: float, p3: float, q1: float, q2: float, q3: float, base: float = 2.0) -> float:
    """``H(p, q)`` for three-outcome distributions ``p`` and ``q``."""
    return _in_base(float(cross_entropy([p1, p2, p3], [q1, q2, q3])), base)


def kl_of(p1: float, p2: float, p3: float, q1: float, q2: float, q3: float, base: float = np.e) -> float:
    """``KL(p || q)`` for three-outcome distributions (set ``p3 = q3 = 0`` for two outcomes)."""
    return _in_base(float(kl_divergence([p1, p2, p3], [q1, q2, q3])), base)


def js_of(p1: float, p2: float, p3: float, q1: float, q2: float, q3: float, base: float = np.e) -> float:
    """``JS(p, q)`` for three-outcome distributions (set ``p3 = q3 = 0`` for two outcomes)."""
    return _in_base(float(js_divergence([p1, p2, p3], [q1, q2, q3])), base)


def _two_by_two(p00: float, p01: float, p10: float, p11: float) -> Floats:
    return np.array([[p00, p01], [p10, p11]], dtype=float)


def joint_entropy_of(p00: float, p01: float, p10: float, p11: float, base: float = 2.0) -> float:
    """``H(X, Y)`` of the 2x2 table ``P(X=i, Y=j) = p_ij``."""
    return _in_base(joint_entropy(_two_by_two(p00, p01, p10, p11)), base)


def conditional_entropy_of(p00: float, p01: float, p10: float, p11: float, base: float = 2.0) -> float:
    """``H(Y | X)`` of the 2x2 table ``P(X=i, Y=j) = p_ij`` (X on the rows)."""
    return _in_base(conditional_entropy(_two_by_two(p00, p01, p10, p11)), base)


def mutual_information_of(p00: float, p01: float, p10: float, p11: float, base: float = 2.0) -> float:
    """``I(X; Y)`` of the 2x2 table ``P(X=i, Y=j) = p_ij``."""
    return _in_base(float(mutual_information(_two_by_two(p00, p01, p10, p11))), base)
