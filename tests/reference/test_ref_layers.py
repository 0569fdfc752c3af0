"""Tests for reference.layers: every backward against a numerical gradient, hand values, seed 002/003."""

import numpy as np
import pytest

from reference.activations import relu, softmax
from reference.gradient import numerical_gradient
from reference.layers import (
    Affine,
    IdentityWithLoss,
    Relu,
    Sigmoid,
    SigmoidWithLoss,
    SoftmaxWithLoss,
)
from reference.losses import cross_entropy_error

RNG = np.random.default_rng(2)


def weighted_sum_grad(forward, x, out_shape):
    """Numerical d/dx of Σ(forward(x) * R) for a fixed random R, and R itself (= dout)."""
    R = np.random.default_rng(99).normal(size=out_shape)
    return numerical_gradient(lambda _: np.sum(forward() * R), x), R


# ------------------------------------------------------------------ Affine


def test_affine_forward_and_backward_against_numerical_gradient():
    x, W, b = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 2)), RNG.normal(size=2)
    layer = Affine(W, b)
    np.testing.assert_allclose(layer.forward(x), x @ W + b)
    for arr in (x, W, b):
        num, R = weighted_sum_grad(lambda: layer.forward(x), arr, (4, 2))
        layer.forward(x)
        dx = layer.backward(R)
        analytic = {id(x): dx, id(W): layer.dW, id(b): layer.db}[id(arr)]
        np.testing.assert_allclose(analytic, num, atol=1e-7)


def test_affine_4d_input_and_single_sample():
    x = RNG.normal(size=(2, 3, 2, 2))
    W, b = RNG.normal(size=(12, 5)), RNG.normal(size=5)
    layer = Affine(W, b)
    out = layer.forward(x)
    assert out.shape == (2, 5)
    np.testing.assert_allclose(out, x.reshape(2, -1) @ W + b)
    num, R = weighted_sum_grad(lambda: layer.forward(x), x, (2, 5))
    layer.forward(x)
    dx = layer.backward(R)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, num, atol=1e-7)
    one = Affine(W, b)
    one.forward(x[:1])
    one.backward(np.ones((1, 5)))
    assert one.db.shape == (5,)


def test_affine_keeps_references_and_does_not_mutate():
    x, W, b = RNG.normal(size=(2, 3)), RNG.normal(size=(3, 2)), np.zeros(2)
    layer = Affine(W, b)
    xs = x.copy()
    W += 1.0  # an optimiser updating in place must be seen by the layer
    np.testing.assert_allclose(layer.forward(x), x @ W)
    dout = np.ones((2, 2))
    layer.backward(dout)
    np.testing.assert_array_equal(x, xs)
    np.testing.assert_array_equal(dout, np.ones((2, 2)))


# ----------------------------------------------------------- Relu, Sigmoid


def test_relu_layer_backward_and_no_mutation():
    layer = Relu()
    x = np.array([[-1.0, 2.0, 0.0, 3.0]])
    np.testing.assert_array_equal(layer.forward(x), [[0.0, 2.0, 0.0, 3.0]])
    dout = np.array([[5.0, -4.0, 7.0, 2.0]])
    saved = dout.copy()
    np.testing.assert_array_equal(layer.backward(dout), [[0.0, -4.0, 0.0, 2.0]])  # 0 at x = 0
    np.testing.assert_array_equal(dout, saved)  # DLFS's backward would write into dout
    np.testing.assert_array_equal(x, [[-1.0, 2.0, 0.0, 3.0]])


def test_relu_layer_numerical_gradient():
    x = RNG.normal(size=(3, 4))
    x[np.abs(x) < 1e-2] = 0.5  # keep away from the kink
    layer = Relu()
    num, R = weighted_sum_grad(lambda: layer.forward(x), x, x.shape)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(R), num, atol=1e-8)


def test_sigmoid_layer_hand_value_and_numerical_gradient():
    layer = Sigmoid()
    layer.forward(np.array([np.log(9.0)]))  # out = 0.9
    assert layer.backward(np.array([1.0]))[0] == pytest.approx(0.09)
    x = RNG.normal(size=(3, 4))
    num, R = weighted_sum_grad(lambda: layer.forward(x), x, x.shape)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(R), num, atol=1e-8)


# ------------------------------------------------------------ loss layers


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_gradient(one_hot):
    x = RNG.normal(size=(4, 3))
    labels = np.array([0, 2, 1, 2])
    t = np.eye(3)[labels] if one_hot else labels
    layer = SoftmaxWithLoss()
    num = numerical_gradient(lambda v: layer.forward(v, t), x.copy())
    layer.forward(x, t)
    dx = layer.backward()
    np.testing.assert_allclose(dx, num, atol=1e-6)
    np.testing.assert_allclose(dx, (softmax(x) - np.eye(3)[labels]) / 4, atol=1e-15)
    np.testing.assert_allclose(dx.sum(axis=1), 0.0, atol=1e-15)
    np.testing.assert_array_equal(layer.backward(), dx)  # twice: same result
    np.testing.assert_allclose(layer.backward(2.0), 2 * dx)


def test_softmax_with_loss_single_sample_and_large_logits():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([[1000.0, 1001.0, 1002.0]]), np.array([2]))
    assert np.isfinite(loss)
    assert loss == pytest.approx(-np.log(0.66524096), rel=1e-6)
    dx = layer.backward()
    np.testing.assert_allclose(dx, [[0.09003057, 0.24472847, 0.66524096 - 1]], rtol=1e-6)
    one_d = SoftmaxWithLoss()
    one_d.forward(np.array([1000.0, 1001.0, 1002.0]), np.array([0, 0, 1]))
    np.testing.assert_allclose(one_d.backward(), dx[0], atol=1e-15)


def test_sigmoid_with_loss_gradient():
    x = RNG.normal(size=(5,))
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    layer = SigmoidWithLoss()
    num = numerical_gradient(lambda v: layer.forward(v, t), x.copy())
    layer.forward(x, t)
    np.testing.assert_allclose(layer.backward(), num, atol=1e-6)


def test_identity_with_loss_value_and_gradient():
    x = RNG.normal(size=(4, 2))
    t = RNG.normal(size=(4, 2))
    layer = IdentityWithLoss()
    assert layer.forward(x, t) == pytest.approx(0.5 * np.sum((x - t) ** 2) / 4)
    num = numerical_gradient(lambda v: layer.forward(v, t), x.copy())
    layer.forward(x, t)
    np.testing.assert_allclose(layer.backward(), num, atol=1e-8)
    np.testing.assert_allclose(layer.backward(), (x - t) / 4)


# -------------------------------------------------------- seed 003 matrices


def test_seed003_affine_with_squared_error():
    # S003-8: X = [2, -1, 1], W = [[2,0],[1,1],[0,4]], E = ½Σ(y-t)², t = (1, 2)
    X, W, t = np.array([[2.0, -1.0, 1.0]]), np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]]), np.array([[1.0, 2.0]])
    affine, loss = Affine(W, np.zeros(2)), IdentityWithLoss()
    Y = affine.forward(X)
    np.testing.assert_allclose(Y, [[3.0, 3.0]])
    loss.forward(Y, t)
    dX = affine.backward(loss.backward())
    np.testing.assert_allclose(dX, [[4.0, 3.0, 4.0]])
    np.testing.assert_allclose(affine.dW, [[4.0, 2.0], [-2.0, -1.0], [2.0, 1.0]])


def test_seed003_affine_with_softmax_cross_entropy():
    # S003-9: same X, W; softmax-CE with t = (1, 0)
    X, W = np.array([[2.0, -1.0, 1.0]]), np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 4.0]])
    affine, loss = Affine(W, np.zeros(2)), SoftmaxWithLoss()
    loss.forward(affine.forward(X), np.array([[1, 0]]))
    dY = loss.backward()
    np.testing.assert_allclose(dY, [[-0.5, 0.5]])
    np.testing.assert_allclose(affine.backward(dY), [[-1.0, 0.0, 2.0]])
    np.testing.assert_allclose(affine.dW, [[-1.0, 1.0], [0.5, -0.5], [-0.5, 0.5]])


def test_seed003_bias_gradient_sums_over_batch():
    # S003-10: Y = X + b, dY = [[1,0],[0,-1],[1,1]] -> db = [2, 0]
    affine = Affine(np.eye(2), np.zeros(2))
    affine.forward(np.zeros((3, 2)))
    dY = np.array([[1.0, 0.0], [0.0, -1.0], [1.0, 1.0]])
    np.testing.assert_allclose(affine.backward(dY), dY)
    np.testing.assert_allclose(affine.db, [2.0, 0.0])


# --------------------------------------------------- seed 002 printouts


def test_seed002_single_unit_forward():
    # 順伝播(単層・単ユニット): W = [[0.1],[0.2]], b = 0.5, x = [2, 3] -> 総入力 [1.3], ReLU [1.3]
    u = Affine(np.array([[0.1], [0.2]]), np.array([0.5])).forward(np.array([[2.0, 3.0]]))
    np.testing.assert_allclose(u, [[1.3]])
    np.testing.assert_allclose(relu(u), [[1.3]])


def test_seed002_two_three_four_network_loss():
    # 多クラス分類 (2-3-4): x = [1, 2] (implied by 総入力1 = [0.6, 1.3, 2.0]), ReLU, softmax, d = [0,0,0,1]
    W1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
    W2 = np.array([[0.1, 0.4, 0.7, 1.0], [0.2, 0.5, 0.8, 1.1], [0.3, 0.6, 0.9, 1.2]])
    b1, b2 = np.array([0.1, 0.2, 0.3]), np.array([0.1, 0.2, 0.3, 0.4])
    x = np.array([[1.0, 2.0]])
    u1 = Affine(W1, b1).forward(x)
    np.testing.assert_allclose(u1, [[0.6, 1.3, 2.0]])
    u2 = Affine(W2, b2).forward(relu(u1))
    np.testing.assert_allclose(u2, [[1.02, 2.29, 3.56, 4.83]])
    loss_layer = SoftmaxWithLoss()
    loss = loss_layer.forward(u2, np.array([[0, 0, 0, 1]]))
    np.testing.assert_allclose(loss_layer.y, [[0.01602796, 0.05707321, 0.20322929, 0.72366954]], atol=5e-9)
    # printed 0.32342029336019423: equal to within 1 ulp (the learner's libm); the
    # 1e-7 of cross_entropy_error is visible at this precision (without it: 0.32342043)
    assert loss == pytest.approx(0.32342029336019423, rel=1e-15)
    assert cross_entropy_error(loss_layer.y, np.array([3]), eps=0.0) == pytest.approx(0.3234204315, rel=1e-9)


def test_seed002_backprop_true_values():
    # Rabbit 1_2_back_propagation: x = [1, 5], d = [0, 1], ReLU, softmax + CE, lr 0.01
    W1 = np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]])
    W2 = np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]])
    b1, b2 = np.array([0.1, 0.2, 0.3]), np.array([0.1, 0.2])
    a1, r, a2, out = Affine(W1, b1), Relu(), Affine(W2, b2), SoftmaxWithLoss()
    x, d = np.array([[1.0, 5.0]]), np.array([[0, 1]])
    u1 = a1.forward(x)
    u2 = a2.forward(r.forward(u1))
    out.forward(u2, d)
    np.testing.assert_allclose(u1, [[1.2, 2.5, 3.8]])
    np.testing.assert_allclose(u2, [[1.86, 4.21]])  # the seed prints 1.88
    np.testing.assert_allclose(out.y, [[0.08706577, 0.91293423]], atol=5e-9)  # seed: 0.08708577
    delta2 = out.backward()
    delta1 = r.backward(a2.backward(delta2))
    a1.backward(delta1)
    np.testing.assert_allclose(delta1, [[-0.02611973] * 3], atol=5e-9)  # seed: -0.02811973
    assert a1.dW[1, 0] == pytest.approx(-0.13060, abs=1e-5)  # Q10 (seed: -0.13059888)
    np.testing.assert_allclose(a1.dW[1], [-0.13059866] * 3, atol=5e-9)
    np.testing.assert_allclose(a2.dW[:, 0], [0.10447893, 0.21766443, 0.33084994], atol=5e-9)
    assert a2.dW[0, 0] == pytest.approx(0.10448, abs=1e-5)
    # one SGD step, lr 0.01
    np.testing.assert_allclose(W1 - 0.01 * a1.dW, [[0.1002612, 0.3002612, 0.5002612],
                                                  [0.20130599, 0.40130599, 0.60130599]], atol=5e-8)
    np.testing.assert_allclose(b2 - 0.01 * a2.db, [0.09912934, 0.20087066], atol=5e-9)
    # the OCR-garbled seed values are not what this network gives
    assert abs(out.y[0, 0] - 0.08708577) > 1e-5
    assert abs(a2.dW[1, 0] - 0.21788443) > 1e-4
