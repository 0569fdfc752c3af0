"""Tests for reference.optimizers: hand values (content.md Q11-Q17), in place, dict and list containers."""

import numpy as np
import pytest

from reference.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop, check_nesterov

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam]


def run_scalar(opt, grads, w0=1.0):
    """Apply ``opt`` to one scalar parameter with the given gradient sequence; return w."""
    params = {"w": np.array(w0)}
    for g in grads:
        opt.update(params, {"w": np.array(g)})
    return float(params["w"])


def test_sgd_step():
    assert run_scalar(SGD(lr=0.1), [0.5]) == pytest.approx(0.95)


def test_momentum_two_steps_q11():
    assert run_scalar(Momentum(lr=0.1, momentum=0.9), [0.5, 0.5]) == pytest.approx(0.855, abs=1e-12)


def test_adagrad_two_steps_q13():
    # h: 1 then 10 -> w = 1 - 0.1*1/1 - 0.1*3/sqrt(10)
    assert run_scalar(AdaGrad(lr=0.1), [1.0, 3.0]) == pytest.approx(0.8051317, abs=1e-7)


def test_rmsprop_first_step_q14():
    # |Δw| = lr / sqrt(1 - ρ), independent of g
    for g in (2.0, 0.3):
        step = run_scalar(RMSprop(lr=0.01, decay_rate=0.9), [g], w0=0.0)
        assert step == pytest.approx(-0.031623, abs=1e-6)
    assert run_scalar(RMSprop(lr=0.01), [2.0], w0=0.0) == pytest.approx(-0.1, abs=1e-6)  # ρ = 0.99


def test_adam_constant_gradient_every_step_is_lr_q15_q16():
    opt, params = Adam(), {"w": np.array([1.0])}
    previous = 1.0
    for _ in range(5):
        opt.update(params, {"w": np.array([0.5])})
        assert params["w"][0] - previous == pytest.approx(-0.001, abs=1e-7)
        previous = params["w"][0]
    assert opt.iter == 5


def test_adam_counts_calls_not_keys_q15():
    # a per-key t += 1 moves the second parameter by 0.000744 instead of 0.001
    params = {"a": np.array([0.0]), "b": np.array([0.0])}
    Adam().update(params, {"a": np.array([0.5]), "b": np.array([-0.5])})
    assert params["a"][0] == pytest.approx(-0.001, abs=1e-9)
    assert params["b"][0] == pytest.approx(0.001, abs=1e-9)


def test_adam_matches_plain_formula_over_several_steps():
    rng = np.random.default_rng(3)
    grads = [rng.uniform(0.3, 2.4, size=3) * rng.choice([-1, 1], size=3) for _ in range(5)]
    params = {"w": np.ones(3)}
    opt = Adam(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-8)
    w, m, v = np.ones(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(grads, start=1):
        opt.update(params, {"w": g})
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        w = w - 0.01 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.99 ** t)) + 1e-8)
    np.testing.assert_allclose(params["w"], w, rtol=1e-12)


def test_nesterov_is_true_nag_lookahead_q17():
    # f = x² + 10y² from (1, 1), lr 0.01, μ 0.9, 5 steps
    grad = lambda p: np.array([2 * p[0], 20 * p[1]])
    params = {"p": np.array([1.0, 1.0])}
    opt = Nesterov(lr=0.01, momentum=0.9)
    for _ in range(5):
        opt.update(params, {"p": grad(params["p"])})
    np.testing.assert_allclose(params["p"], [0.68990601, -0.41571758], atol=1e-8)
    # independent gold: NAG with the gradient at θ + μv; the stored point is θ + μv
    theta, v = np.array([1.0, 1.0]), np.zeros(2)
    for _ in range(5):
        v = 0.9 * v - 0.01 * grad(theta + 0.9 * v)
        theta = theta + v
    np.testing.assert_allclose(params["p"], theta + 0.9 * v, rtol=1e-12)
    # DLFS's and the Rabbit DNN_code's order (v updated first) is a different algorithm
    p, v = np.array([1.0, 1.0]), np.zeros(2)
    for _ in range(5):
        g = grad(p)
        v = 0.9 * v - 0.01 * g
        p = p + 0.81 * v - 1.9 * 0.01 * g
    np.testing.assert_allclose(p, [0.64028822, -0.26544663], atol=1e-8)
    assert not np.allclose(params["p"], p, atol=1e-2)


@pytest.mark.parametrize("cls", ALL)
def test_update_is_in_place_and_grads_untouched(cls):
    W, b = np.ones((2, 2)), np.zeros(2)
    params = {"W": W, "b": b}
    grads = {"W": np.full((2, 2), 0.5), "b": np.array([1.0, -1.0])}
    saved = {k: g.copy() for k, g in grads.items()}
    opt = cls()
    for _ in range(3):
        opt.update(params, grads)
    assert params["W"] is W and params["b"] is b  # same objects, changed
    assert not np.allclose(W, 1.0) and not np.allclose(b, 0.0)
    for k in grads:
        np.testing.assert_array_equal(grads[k], saved[k])


@pytest.mark.parametrize("cls", ALL)
def test_list_params_give_the_same_result_as_dicts(cls):
    rng = np.random.default_rng(4)
    gs = [(rng.normal(size=(2, 3)), rng.normal(size=3)) for _ in range(3)]
    as_dict = {"W": np.ones((2, 3)), "b": np.zeros(3)}
    as_list = [np.ones((2, 3)), np.zeros(3)]
    W_list = as_list[0]
    opt_d, opt_l = cls(), cls()
    for gW, gb in gs:
        opt_d.update(as_dict, {"W": gW, "b": gb})
        opt_l.update(as_list, [gW, gb])
    assert as_list[0] is W_list
    np.testing.assert_allclose(as_list[0], as_dict["W"], rtol=1e-15)
    np.testing.assert_allclose(as_list[1], as_dict["b"], rtol=1e-15)


def test_defaults_are_dlfs():
    assert SGD().lr == 0.01
    assert (Momentum().lr, Momentum().momentum) == (0.01, 0.9)
    assert (Nesterov().lr, Nesterov().momentum) == (0.01, 0.9)
    assert (AdaGrad().lr, AdaGrad().eps) == (0.01, 1e-7)
    assert (RMSprop().lr, RMSprop().decay_rate, RMSprop().eps) == (0.01, 0.99, 1e-7)
    a = Adam()
    assert (a.lr, a.beta1, a.beta2, a.eps) == (0.001, 0.9, 0.999, 1e-8)


def test_state_is_created_lazily_with_zeros():
    opt = Momentum(lr=0.1, momentum=0.9)
    assert opt.v is None
    params = {"w": np.array([1.0])}
    opt.update(params, {"w": np.array([1.0])})
    np.testing.assert_allclose(params["w"], [0.9])  # v0 = 0: first step is plain SGD


def _nesterov_run(lr, mu, grads, w0, velocity_first):
    """An independent loop over one scalar parameter, in either order of the two Nesterov lines."""
    w, v = w0, 0.0
    for g in grads:
        if velocity_first:
            v = mu * v - lr * g
            w = w + mu * mu * v - (1 + mu) * lr * g
        else:
            w = w + mu * mu * v - (1 + mu) * lr * g
            v = mu * v - lr * g
    return w


def test_check_nesterov_accepts_both_published_orders_and_names_the_usual_slips():
    values = {"params": {"w": np.array([1.0, -2.0])}, "g1": {"w": np.array([0.5, 1.0])}, "g2": {"w": np.array([-1.0, 0.3])}}
    grads = [values["g1"]["w"], values["g2"]["w"], values["g1"]["w"]]

    def result(**kind):
        w = np.array([_nesterov_run(0.1, 0.9, [g[i] for g in grads], values["params"]["w"][i], **kind) for i in range(2)])
        return [{"w": w}]

    check = lambda got: check_nesterov(values, got, sequence=["g1", "g2", "g1"], lr=0.1, momentum=0.9)
    assert check(result(velocity_first=False)) == []
    assert check(result(velocity_first=True)) == []
    momentum = values["params"]["w"].copy()
    v = np.zeros(2)
    for g in grads:
        v = 0.9 * v - 0.1 * g
        momentum = momentum + v
    assert "plain momentum" in check([{"w": momentum}])[0]
    restarted = values["params"]["w"] - 1.9 * 0.1 * sum(grads)
    assert "not kept between calls" in check([{"w": restarted}])[0]
    assert "differ from Nesterov" in check([{"w": np.zeros(2)}])[0]
    assert "keys" in check([{"W": np.zeros(2)}])[0]
    assert "shape" in check([{"w": np.zeros(3)}])[0]
