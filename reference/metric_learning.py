"""4-8 様々な学習方法: metric, contrastive and meta-learning losses, importance weights under covariate shift,
pseudo-label thresholds, and the trainable parameters of a transferred head.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.metric_learning:<name>, args: {...}}``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "triplet_loss",
    "contrastive_loss",
    "info_nce_loss",
    "nt_xent_two_negatives",
    "maml_adapted_param",
    "maml_meta_gradient_quadratic",
    "importance_weighted_risk",
    "confident_count",
    "new_head_params",
    "contrastive_pair_sum",
]


def triplet_loss(d_ap: float, d_an: float, margin: float) -> float:
    """Triplet loss (トリプレット損失) of one (anchor, positive, negative) triple.

    Parameters
    ----------
    d_ap : float
        Distance between the anchor and the positive (same class).
    d_an : float
        Distance between the anchor and the negative (another class).
    margin : float
        α > 0.

    Returns
    -------
    float
        ``max(0, d_ap − d_an + α)``. (FaceNet, Schroff et al., 2015, uses squared Euclidean
        distances as d.)
    """
    return max(0.0, d_ap - d_an + margin)


def contrastive_loss(distance: float, similar: bool | int, margin: float) -> float:
    """Contrastive loss (コントラスティブ損失) of one pair, in the form of Hadsell et al. (2006).

    Parameters
    ----------
    distance : float
        D, the Euclidean distance between the two embeddings.
    similar : bool or int
        1 / True for a similar pair, 0 / False for a dissimilar one.
    margin : float
        m > 0.

    Returns
    -------
    float
        ``½ D²`` for a similar pair, ``½ max(0, m − D)²`` for a dissimilar one.
    """
    if similar:
        return 0.5 * distance * distance
    return 0.5 * max(0.0, margin - distance) ** 2


def info_nce_loss(sim_pos: float, sim_negs: Sequence[float], temperature: float) -> float:
    """InfoNCE / NT-Xent loss of one positive pair (SimCLR の損失).

    Parameters
    ----------
    sim_pos : float
        Similarity (cosine in SimCLR) between the anchor and its positive.
    sim_negs : sequence of float
        Similarities between the anchor and each negative.
    temperature : float
        τ > 0.

    Returns
    -------
    float
        ::

            −log( exp(s⁺/τ) / (exp(s⁺/τ) + Σ_k exp(s⁻_k/τ)) )

        computed stably (log-sum-exp).
    """
    logits = np.array([sim_pos, *sim_negs], dtype=float) / temperature
    m = logits.max()
    return float(-(logits[0] - m) + np.log(np.exp(logits - m).sum()))


def nt_xent_two_negatives(sim_pos: float, sim_neg1: float, sim_neg2: float, temperature: float) -> float:
    """:func:`info_nce_loss` with exactly two negatives (scalar arguments)."""
    return info_nce_loss(sim_pos, [sim_neg1, sim_neg2], temperature)


def maml_adapted_param(theta: float, grad: float, alpha: float) -> float:
    """MAML's inner-loop step θ' = θ − α ∇L_task(θ)."""
    return theta - alpha * grad


def maml_meta_gradient_quadratic(
    theta: float, target: float, curvature: float, alpha: float, first_order: bool = False
) -> float:
    """MAML meta-gradient for one task with the 1-D quadratic loss L(θ) = ½ a (θ − c)².

    Parameters
    ----------
    theta : float
        Current meta-parameter θ.
    target : float
        c, the task's optimum.
    curvature : float
        a > 0 (L'' = a).
    alpha : float
        Inner learning rate α (one inner step).
    first_order : bool, default False
        True: first-order MAML, which drops the second derivative (treats dθ'/dθ as 1).

    Returns
    -------
    float
        With θ' = θ − α a (θ − c)::

            d L(θ') / dθ = L'(θ') · dθ'/dθ = a (θ' − c) · (1 − α a)

        (first order: ``a (θ' − c)``).
    """
    adapted = maml_adapted_param(theta, curvature * (theta - target), alpha)
    outer = curvature * (adapted - target)
    return outer if first_order else outer * (1.0 - alpha * curvature)


def importance_weighted_risk(source_a: float, target_a: float, loss_a: float, loss_b: float) -> float:
    """Importance-weighted risk under covariate shift for an input that is either A or B.

    Parameters
    ----------
    source_a, target_a : float
        p_S(A) and p_T(A) of the source (training) and target (test) domains; B has the rest.
    loss_a, loss_b : float
        The model's mean loss on inputs A and B (p(y | x) is the same in both domains).

    Returns
    -------
    float
        ``sum_x p_S(x) w(x) loss(x)`` with ``w = p_T / p_S``, which equals the target risk (Shimodaira, 2000).
    """
    weight_a = target_a / source_a
    weight_b = (1.0 - target_a) / (1.0 - source_a)
    return source_a * weight_a * loss_a + (1.0 - source_a) * weight_b * loss_b


def confident_count(threshold: float, p1: float, p2: float, p3: float, p4: float, p5: float, p6: float) -> int:
    """How many of six unlabelled examples get a pseudo-label: those whose top class probability is >= threshold."""
    return sum(p >= threshold for p in (p1, p2, p3, p4, p5, p6))


def new_head_params(features: int, classes: int) -> int:
    """Trainable parameters when only a new fully connected output layer features -> classes (with bias) is trained."""
    return features * classes + classes


def contrastive_pair_sum(d_similar: float, d_dissimilar: float, margin: float) -> float:
    """Contrastive loss summed over one similar pair and one dissimilar pair (see :func:`contrastive_loss`)."""
    return contrastive_loss(d_similar, True, margin) + contrastive_loss(d_dissimilar, False, margin)
