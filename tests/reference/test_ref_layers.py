"""Tests for reference.layers: every backward against a numerical gradient, hand values, seed 002/003."""

import numpy as np
import pytest

from reference.activations import relu, softmax
from reference.gradient import numerical_gradient
from reference.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    IdentityWithLoss,
    Relu,
    Sigmoid,
    SigmoidWithLoss,
    SoftmaxWithLoss,
    batchnorm_backward,
    batchnorm_forward,
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


# ---------------------------------------------------------- batch norm


def test_batchnorm_forward_normalises_each_feature():
    x = RNG.normal(loc=3.0, scale=2.0, size=(16, 4))
    gamma, beta = np.array([1.0, 2.0, 0.5, 3.0]), np.array([0.0, -1.0, 2.0, 0.5])
    out, rm, rv = batchnorm_forward(x, gamma, beta, np.zeros(4), np.zeros(4), eps=1e-7)
    np.testing.assert_allclose(out.mean(axis=0), beta, atol=1e-7)
    np.testing.assert_allclose(out.std(axis=0), gamma, rtol=1e-5)
    np.testing.assert_allclose(rm, 0.1 * x.mean(axis=0))
    np.testing.assert_allclose(rv, 0.1 * x.var(axis=0))  # biased variance (ddof=0)


def test_batchnorm_running_mean_029():
    # from zeros, two training calls whose batch means are 1 and 2 -> 0.9*0.1 + 0.1*2 = 0.29
    rm, rv = np.zeros(1), np.zeros(1)
    for mean in (1.0, 2.0):
        x = np.array([[mean - 1.0], [mean + 1.0]])
        _, rm, rv = batchnorm_forward(x, np.ones(1), np.zeros(1), rm, rv)
    assert rm[0] == pytest.approx(0.29)


def test_batchnorm_inference_edge_cases_and_no_mutation():
    gamma, beta = np.array([2.0, 1.0]), np.array([0.5, -0.5])
    rm, rv = np.array([1.0, -1.0]), np.array([4.0, 0.25])
    x = np.array([[3.0, 0.0]])
    saved = [a.copy() for a in (x, gamma, beta, rm, rv)]
    out, rm2, rv2 = batchnorm_forward(x, gamma, beta, rm, rv, eps=0.0, train=False)
    np.testing.assert_allclose(out, [[2.0 * 1.0 + 0.5, 1.0 * 2.0 - 0.5]])
    assert rm2 is rm and rv2 is rv
    out1, _, _ = batchnorm_forward(x, gamma, beta, rm, rv)  # N = 1 in training: x̂ = 0
    np.testing.assert_allclose(out1, [beta])
    const = np.ones((5, 2))
    assert np.all(np.isfinite(batchnorm_forward(const, gamma, beta, rm, rv)[0]))
    for a, s in zip((x, gamma, beta, rm, rv), saved, strict=True):
        np.testing.assert_array_equal(a, s)


@pytest.mark.parametrize("n", [16, 2])
def test_batchnorm_backward_against_numerical_gradient(n):
    x = RNG.normal(size=(n, 3))
    gamma, beta = RNG.normal(size=3), RNG.normal(size=3)
    R = RNG.normal(size=(n, 3))

    def loss(_):
        return np.sum(batchnorm_forward(x, gamma, beta, None, None, eps=1e-5)[0] * R)

    dx, dgamma, dbeta = batchnorm_backward(R, x, gamma, eps=1e-5)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), atol=1e-6)
    np.testing.assert_allclose(dgamma, numerical_gradient(loss, gamma), atol=1e-6)
    np.testing.assert_allclose(dbeta, numerical_gradient(loss, beta), atol=1e-6)
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, atol=1e-9)


def test_batchnormalization_class_train_and_running_stats():
    gamma, beta = np.ones(3), np.zeros(3)
    layer = BatchNormalization(gamma, beta)
    assert layer.eps == 1e-6 and layer.momentum == 0.9
    x = RNG.normal(size=(8, 3))
    out = layer.forward(x)
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-6))
    np.testing.assert_allclose(layer.running_mean, 0.1 * x.mean(0))  # started at zeros
    num, R = weighted_sum_grad(lambda: BatchNormalization(gamma, beta).forward(x), x, x.shape)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(R), num, atol=1e-6)
    num_g = numerical_gradient(lambda _: np.sum(BatchNormalization(gamma, beta).forward(x) * R), gamma)
    np.testing.assert_allclose(layer.dgamma, num_g, atol=1e-6)
    np.testing.assert_allclose(layer.dbeta, R.sum(axis=0))


def test_batchnormalization_class_4d_input_and_inference_backward():
    x = RNG.normal(size=(4, 2, 2, 2))
    gamma, beta = RNG.normal(size=8), RNG.normal(size=8)
    rm, rv = RNG.normal(size=8), RNG.uniform(0.5, 2.0, size=8)
    layer = BatchNormalization(gamma, beta, running_mean=rm.copy(), running_var=rv.copy())
    out = layer.forward(x, train_flg=False)
    assert out.shape == x.shape
    # statistics per (c, h, w) after flattening, as DLFS
    np.testing.assert_allclose(out.reshape(4, 8), gamma * (x.reshape(4, 8) - rm) / np.sqrt(rv + 1e-6) + beta)
    num, R = weighted_sum_grad(lambda: layer.forward(x, train_flg=False), x, x.shape)
    layer.forward(x, train_flg=False)
    dx = layer.backward(R)
    assert dx.shape == x.shape
    np.testing.assert_allclose(dx, num, atol=1e-7)


# ----------------------------------------------------------------- dropout


def test_dropout_non_inverted_train_and_inference():
    x = 2.0 * np.ones((1000, 100))
    np.random.seed(0)
    layer = Dropout(0.3)
    out = layer.forward(x)
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert abs((out == 0).mean() - 0.3) < 0.01  # ratio is the DROP probability
    np.testing.assert_allclose(layer.forward(x, train_flg=False), 1.4)
    np.testing.assert_array_equal(x, 2.0)


def test_dropout_inverted_scaling_and_backward_mask():
    x = 2.0 * np.ones((1000, 100))
    np.random.seed(1)
    layer = Dropout(0.3, inverted=True)
    out = layer.forward(x)
    assert np.allclose(out[out != 0], 2.0 / 0.7)
    assert abs(out.mean() - 2.0) < 0.02
    dout = RNG.normal(size=x.shape)
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx == 0, out == 0)
    np.testing.assert_allclose(dx[out != 0], dout[out != 0] / 0.7)
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)


def test_dropout_seed_controls_mask_and_masks_differ():
    x = np.ones((20, 20))
    np.random.seed(5)
    a = Dropout(0.5).forward(x)
    np.random.seed(5)
    layer = Dropout(0.5)
    b = layer.forward(x)
    c = layer.forward(x)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout_backward_matches_numerical_gradient_for_fixed_mask():
    x = RNG.normal(size=(3, 4))
    layer = Dropout(0.4)
    np.random.seed(3)
    layer.forward(x)
    mask = layer.mask.copy()
    R = RNG.normal(size=x.shape)
    num = numerical_gradient(lambda v: np.sum(v * mask * R), x.copy())
    np.testing.assert_allclose(layer.backward(R), num, atol=1e-8)


def test_dropout_zero_ratio_identity_and_float32():
    x = RNG.normal(size=(3, 3)).astype(np.float32)
    out = Dropout(0.0).forward(x)
    np.testing.assert_array_equal(out, x)
    assert out.dtype == np.float32
    assert Dropout(0.5, inverted=True).forward(x).dtype == np.float32
    with pytest.raises(ValueError):
        Dropout(1.0)
