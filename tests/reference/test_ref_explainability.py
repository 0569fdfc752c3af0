"""Grad-CAM channel weights, IG of a quadratic and three-player Shapley values (4-9), against independent golds."""

import itertools
import math

import numpy as np

from reference.explainability import (
    grad_cam,
    grad_cam_channel_weight,
    ig_quadratic_feature_1,
    integrated_gradients,
    shapley_value_three_features,
)


def test_grad_cam_channel_weight_is_the_mean_gradient():
    g = np.arange(9, dtype=float).reshape(3, 3) - 3.0
    assert math.isclose(grad_cam_channel_weight(*g.ravel()), g.mean())
    # consistent with the full Grad-CAM: a single channel with positive weight gives weight * A
    acts = np.ones((1, 3, 3))
    np.testing.assert_allclose(grad_cam(acts, g[None]), np.full((3, 3), max(0.0, g.mean())))


def test_ig_quadratic_matches_the_riemann_sum():
    a, b, x1, x2 = 1.5, -2.0, 2.0, 0.5

    def grad(x):
        return np.array([2 * a * x[0] + b * x[1], b * x[0]])

    ig = integrated_gradients(grad, [x1, x2], steps=400)
    assert math.isclose(ig_quadratic_feature_1(a, b, x1, x2), ig[0], rel_tol=1e-6)
    assert math.isclose(ig.sum(), a * x1 * x1 + b * x1 * x2, rel_tol=1e-6)  # completeness


def _shapley_by_orderings(v):
    players = (1, 2, 3)
    total = 0.0
    for order in itertools.permutations(players):
        before = frozenset(order[: order.index(1)])
        total += v[before | {1}] - v[before]
    return total / 6


def test_three_player_shapley_value_by_orderings():
    v = {frozenset(): 10.0, frozenset({1}): 14.0, frozenset({2}): 11.0, frozenset({3}): 9.0,
         frozenset({1, 2}): 17.0, frozenset({1, 3}): 15.0, frozenset({2, 3}): 10.0, frozenset({1, 2, 3}): 20.0}
    got = shapley_value_three_features(*(v[frozenset(s)] for s in ((), (1,), (2,), (3,), (1, 2), (1, 3), (2, 3), (1, 2, 3))))
    assert math.isclose(got, _shapley_by_orderings(v))
