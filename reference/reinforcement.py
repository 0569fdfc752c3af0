"""4-7 深層強化学習: returns, TD targets and value updates, n-step advantages and the softmax policy gradient.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.reinforcement:<name>, args: {...}}``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "discounted_return",
    "discounted_return_3",
    "td_target",
    "td_error",
    "q_learning_update",
    "sarsa_update",
    "greedy_action_probability",
    "td0_update",
    "nstep_advantage_3",
    "softmax_log_policy_grad",
]


def discounted_return(rewards: Sequence[float], gamma: float) -> float:
    """Discounted return (割引収益) G_t = Σ_k γ^k r_{t+k+1}.

    Parameters
    ----------
    rewards : sequence of float
        r_{t+1}, r_{t+2}, … in time order (the episode ends after the last one).
    gamma : float
        Discount factor 0 ≤ γ ≤ 1.

    Returns
    -------
    float
    """
    g = 0.0
    for r in reversed(list(rewards)):
        g = r + gamma * g
    return g


def discounted_return_3(r1: float, r2: float, r3: float, gamma: float) -> float:
    """G = r1 + γ r2 + γ² r3: the discounted return of a three-step episode."""
    return discounted_return([r1, r2, r3], gamma)


def td_target(reward: float, gamma: float, next_q_max: float, done: bool = False) -> float:
    """The Q-learning / DQN target (TD ターゲット).

    Parameters
    ----------
    reward : float
        r, the reward received after taking the action.
    gamma : float
        Discount factor γ.
    next_q_max : float
        max_a' Q(s', a') (in DQN: computed with the target network).
    done : bool, default False
        True if s' is terminal: the target is then r alone.

    Returns
    -------
    float
        ``r + γ max_a' Q(s', a')``, or ``r`` at a terminal state.
    """
    return float(reward) if done else reward + gamma * next_q_max


def td_error(reward: float, gamma: float, v_next: float, v: float) -> float:
    """TD error (TD 誤差) δ = r + γ V(s') − V(s), the critic's signal in actor-critic.

    Parameters
    ----------
    reward : float
    gamma : float
    v_next : float
        V(s').
    v : float
        V(s).

    Returns
    -------
    float
    """
    return reward + gamma * v_next - v


def q_learning_update(q: float, reward: float, gamma: float, next_q_max: float, alpha: float) -> float:
    """One tabular Q-learning update (Q 学習の更新式).

    Parameters
    ----------
    q : float
        Q(s, a) before the update.
    reward : float
    gamma : float
    next_q_max : float
        max_a' Q(s', a').
    alpha : float
        Learning rate (step size) α.

    Returns
    -------
    float
        ::

            Q(s, a) + α (r + γ max_a' Q(s', a') − Q(s, a))
    """
    return q + alpha * (td_target(reward, gamma, next_q_max) - q)


def sarsa_update(q: float, reward: float, gamma: float, next_q: float, alpha: float) -> float:
    """One SARSA update: like Q-learning but with Q(s', a') of the action a' actually taken next.

    Returns
    -------
    float
        ``Q(s, a) + α (r + γ Q(s', a') − Q(s, a))``.
    """
    return q + alpha * (reward + gamma * next_q - q)


def greedy_action_probability(epsilon: float, n_actions: int) -> float:
    """Probability that ε-greedy picks the greedy action (ε-greedy 方策).

    Parameters
    ----------
    epsilon : float
        With probability ε a uniformly random action among **all** n_actions is taken
        (the greedy one included); otherwise the greedy action.
    n_actions : int

    Returns
    -------
    float
        ``1 − ε + ε / n_actions``.
    """
    return 1.0 - epsilon + epsilon / n_actions


def td0_update(v: float, reward: float, gamma: float, v_next: float, alpha: float) -> float:
    """TD(0) update of a state value: V(s) <- V(s) + alpha (r + gamma V(s') - V(s)) (Sutton & Barto, 2018, 6.1)."""
    return v + alpha * (reward + gamma * v_next - v)


def nstep_advantage_3(r1: float, r2: float, r3: float, gamma: float, v_end: float, v_start: float) -> float:
    """A3C's 3-step advantage estimate of the first action.

    Returns
    -------
    float
        ``r1 + gamma r2 + gamma^2 r3 + gamma^3 V(s_{t+3}) - V(s_t)`` (Mnih et al., 2016).
    """
    return r1 + gamma * r2 + gamma**2 * r3 + gamma**3 * v_end - v_start


def softmax_log_policy_grad(logit_1: float, logit_2: float, logit_3: float, chosen: int, wrt: int) -> float:
    """d log pi(a_chosen) / d logit_wrt for a softmax policy over three actions.

    Parameters
    ----------
    logit_1, logit_2, logit_3 : float
        The policy's preferences (logits) h(s, a) of the three actions.
    chosen : int
        The action taken, 1, 2 or 3.
    wrt : int
        The logit differentiated, 1, 2 or 3.

    Returns
    -------
    float
        ``[wrt == chosen] - pi(wrt)`` with ``pi = softmax(logits)`` (Sutton & Barto, 2018, 13.2).
    """
    logits = (logit_1, logit_2, logit_3)
    top = max(logits)
    weights = [math.exp(h - top) for h in logits]
    prob = weights[wrt - 1] / sum(weights)
    return (1.0 if wrt == chosen else 0.0) - prob
