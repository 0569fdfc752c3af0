"""reference.linear and reference.network against independent golds: closed forms and numerical gradients."""

from __future__ import annotations

import numpy as np

from reference.gradient import numerical_gradient
from reference.linear import gradient_descent, least_squares
from reference.network import two_layer_sigmoid_backward


def _regression(rng: np.random.Generator, n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.01 * rng.normal(size=n)
    return X, y


def test_gradient_descent_converges_to_the_normal_equations() -> None:
    X, y = _regression(np.random.default_rng(0))
    w = gradient_descent(X, y, max_iter=2000, eta=0.1)
    closed_form = np.linalg.solve(X.T @ X, X.T @ y)
    np.testing.assert_allclose(w, closed_form, rtol=1e-6)
    np.testing.assert_allclose(least_squares(X, y), closed_form, rtol=1e-10)


def test_one_step_by_hand_and_column_targets_keep_their_shape() -> None:
    X = np.array([[1.0, 2.0], [1.0, -1.0]])
    y = np.array([3.0, 0.0])
    # w1 = 0 - 0.5 * Xᵀ(0 - y) / 2 = 0.25 * Xᵀ y = 0.25 * [3, 6]
    np.testing.assert_allclose(gradient_descent(X, y, max_iter=1, eta=0.5), [0.75, 1.5])
    w = gradient_descent(X, y.reshape(-1, 1), max_iter=1, eta=0.5)
    assert w.shape == (2, 1)
    np.testing.assert_allclose(w.ravel(), [0.75, 1.5])


def test_inputs_are_not_modified() -> None:
    X, y = _regression(np.random.default_rng(1), n=10)
    X0, y0 = X.copy(), y.copy()
    gradient_descent(X, y, max_iter=5, eta=0.1)
    assert np.array_equal(X, X0) and np.array_equal(y, y0)


def test_sigmoid_network_gradients_match_a_numerical_gradient() -> None:
    rng = np.random.default_rng(2)
    net = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4), "W2": rng.normal(size=(4, 2)), "b2": rng.normal(size=2)}
    x, d = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))

    def loss(_: np.ndarray) -> float:
        z1 = 1 / (1 + np.exp(-(x @ net["W1"] + net["b1"])))
        y = z1 @ net["W2"] + net["b2"]
        return float(np.sum((y - d) ** 2) / (2 * len(x)))

    grads = two_layer_sigmoid_backward(net, x, d)
    for key in net:
        np.testing.assert_allclose(grads[key], numerical_gradient(loss, net[key]), atol=1e-7)


def test_the_course_bug_of_differentiating_at_the_activation_differs() -> None:
    # σ'(σ(u)) is not σ'(u): the gradient a learner gets from d_sigmoid(z1) is measurably wrong.
    rng = np.random.default_rng(3)
    net = {"W1": rng.normal(size=(2, 3)), "b1": np.zeros(3), "W2": rng.normal(size=(3, 1)), "b2": np.zeros(1)}
    x, d = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    z1 = 1 / (1 + np.exp(-(x @ net["W1"])))
    y = z1 @ net["W2"]
    delta2 = (y - d) / 4
    s = 1 / (1 + np.exp(-z1))
    wrong_W1 = x.T @ ((delta2 @ net["W2"].T) * s * (1 - s))
    assert not np.allclose(wrong_W1, two_layer_sigmoid_backward(net, x, d)["W1"], atol=1e-3)
