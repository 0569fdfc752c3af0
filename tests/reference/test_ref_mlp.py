"""Tests for reference.mlp: seed 002 printouts, gradients against numerical ones, in-place SGD."""

import numpy as np

from reference.gradient import numerical_gradient
from reference.mlp import affine_forward, sgd_update, two_layer_backward, two_layer_forward


def test_affine_forward_seed_002_printouts():
    # 順伝播 (単層・単ユニット): x = [2, 3], W = [[0.1], [0.2]], b = 0.5 -> [1.3]
    np.testing.assert_allclose(affine_forward(np.array([2.0, 3.0]), np.array([[0.1], [0.2]]), 0.5), [1.3])
    # 2-3-4 network, x = [1, 2]: 総入力1 = [0.6, 1.3, 2.0]
    W1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
    np.testing.assert_allclose(affine_forward(np.array([1.0, 2.0]), W1, np.array([0.1, 0.2, 0.3])), [0.6, 1.3, 2.0])
    x = np.random.default_rng(0).normal(size=(4, 2))
    np.testing.assert_allclose(affine_forward(x, W1, np.zeros(3))[1], x[1] @ W1)


def _net(rng, D=3, H=5, K=2):
    return {"W1": rng.normal(size=(D, H)), "b1": rng.normal(size=H), "W2": rng.normal(size=(H, K)), "b2": rng.normal(size=K)}


def test_two_layer_forward_relu_identity():
    rng = np.random.default_rng(1)
    net, x = _net(rng), rng.normal(size=(4, 3))
    z1, y = two_layer_forward(net, x)
    np.testing.assert_allclose(z1, np.maximum(0, x @ net["W1"] + net["b1"]))
    np.testing.assert_allclose(y, z1 @ net["W2"] + net["b2"])


def test_two_layer_backward_matches_numerical_gradient():
    rng = np.random.default_rng(2)
    net, x, d = _net(rng), rng.normal(size=(6, 3)), rng.normal(size=(6, 2))

    def loss(_):
        _, y = two_layer_forward(net, x)
        return 0.5 * np.sum((y - d) ** 2) / x.shape[0]

    z1, y = two_layer_forward(net, x)
    grad = two_layer_backward(net, x, d, z1, y)
    for key in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(grad[key], numerical_gradient(loss, net[key]), atol=1e-7)


def test_sgd_update_in_place():
    net = {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])}
    W = net["W"]
    grad = {"W": np.array([[0.5, -1.0]]), "b": np.array([2.0])}
    assert sgd_update(net, grad, 0.1) is None
    assert net["W"] is W
    np.testing.assert_allclose(net["W"], [[0.95, 2.1]])
    np.testing.assert_allclose(net["b"], [0.3])
    np.testing.assert_array_equal(grad["W"], [[0.5, -1.0]])
