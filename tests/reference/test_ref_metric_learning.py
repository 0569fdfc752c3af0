"""Covariate-shift weighting, pseudo-label counts and transferred heads (4-8), by hand."""

import math

from reference.metric_learning import (
    confident_count,
    contrastive_loss,
    contrastive_pair_sum,
    importance_weighted_risk,
    new_head_params,
)


def test_importance_weighting_recovers_the_target_risk():
    # source 80% A, target 30% A: the weighted source risk is the target risk 0.3 * 0.2 + 0.7 * 1.0
    assert math.isclose(importance_weighted_risk(0.8, 0.3, 0.2, 1.0), 0.3 * 0.2 + 0.7 * 1.0)
    # no shift: the plain source risk
    assert math.isclose(importance_weighted_risk(0.5, 0.5, 0.4, 0.8), 0.6)


def test_confident_count():
    assert confident_count(0.9, 0.95, 0.9, 0.85, 0.99, 0.5, 0.89) == 3  # >= 0.9: 0.95, 0.9, 0.99
    assert confident_count(0.99, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5) == 0


def test_new_head_params():
    # ResNet-50 features (2048) -> 10 classes
    assert new_head_params(2048, 10) == 20_490


def test_contrastive_pair_sum():
    # similar pair at 0.6: 0.18; dissimilar pair at 0.5 with margin 1: 0.125; beyond the margin: 0
    assert math.isclose(contrastive_pair_sum(0.6, 0.5, 1.0), 0.18 + 0.125)
    assert math.isclose(contrastive_pair_sum(0.6, 1.5, 1.0), contrastive_loss(0.6, 1, 1.0))
