"""TD(0), n-step advantages and the softmax policy gradient (4-7), by hand and by finite differences."""

import math

import pytest

from reference.reinforcement import discounted_return, nstep_advantage_3, softmax_log_policy_grad, td0_update


def test_td0_update():
    assert math.isclose(td0_update(1.0, 2.0, 0.9, 3.0, 0.1), 1.0 + 0.1 * (2.0 + 2.7 - 1.0))
    assert td0_update(5.0, 0.0, 0.9, 5.0, 1.0) == 4.5  # alpha = 1 jumps to the target


def test_nstep_advantage_uses_the_discounted_return():
    rewards, gamma, v_end, v_start = [1.0, -0.5, 2.0], 0.9, 4.0, 3.0
    expected = discounted_return(rewards + [v_end], gamma) - v_start
    assert math.isclose(nstep_advantage_3(*rewards, gamma, v_end, v_start), expected)


@pytest.mark.parametrize("chosen, wrt", [(1, 1), (1, 2), (2, 3), (3, 3)])
def test_softmax_policy_gradient_matches_finite_differences(chosen, wrt):
    logits = [0.3, -1.2, 0.8]

    def log_pi(values):
        return values[chosen - 1] - math.log(sum(math.exp(v) for v in values))

    eps = 1e-6
    up, down = list(logits), list(logits)
    up[wrt - 1] += eps
    down[wrt - 1] -= eps
    numeric = (log_pi(up) - log_pi(down)) / (2 * eps)
    assert math.isclose(softmax_log_policy_grad(*logits, chosen, wrt), numeric, rel_tol=1e-6)
