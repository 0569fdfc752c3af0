"""Applied deep learning (深層学習の応用) and deployment (開発・運用環境): small closed-form formulas.

The functions back the numeric questions of topics 4-6 (生成モデル), 4-7 (深層強化学習),
4-8 (様々な学習方法), 4-9 (説明性) and 5 (軽量化・高速化). Each one is pure (no state, inputs are
never modified) and takes scalars unless its docstring says otherwise, so that a question's
``answer: {function: reference.advanced:<name>, args: {...}}`` can pass the drawn parameters
directly. Scalar functions return a Python ``float`` (or ``int`` for quantised values).

Conventions
-----------
* ``log`` is the natural logarithm.
* Rounding to an integer (量子化, ゼロ点) is 四捨五入: halves are rounded away from zero
  (``2.5 -> 3``, ``-2.5 -> -3``). NumPy and PyTorch round halves to even; the questions avoid
  exact halves, so both conventions give the same answers there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    # 4-6 generative models
    "kl_gaussian_standard",
    "reparameterize",
    "gan_discriminator_loss",
    "gan_generator_loss",
    "optimal_discriminator",
    "ddpm_alpha_bar",
    "ddpm_noisy_sample",
    "ddpm_forward_constant_beta",
    # 4-7 reinforcement learning
    "discounted_return",
    "discounted_return_3",
    "td_target",
    "td_error",
    "q_learning_update",
    "sarsa_update",
    "greedy_action_probability",
    # 4-8 learning methods
    "triplet_loss",
    "contrastive_loss",
    "info_nce_loss",
    "nt_xent_two_negatives",
    "maml_adapted_param",
    "maml_meta_gradient_quadratic",
    # 4-9 explainability
    "grad_cam",
    "grad_cam_pixel",
    "integrated_gradients",
    "lime_kernel_weight",
    "shapley_values",
    "shapley_value_two_features",
    # 5 deployment
    "temperature_softmax",
    "temperature_softmax_prob",
    "round_half_away",
    "int8_scale",
    "int8_zero_point",
    "quantize",
    "dequantize",
    "quantize_from_range",
    "model_size_mb",
    "linear_scaling_lr",
]


# =========================================================================== 4-6 生成モデル


def kl_gaussian_standard(mu: float, sigma: float) -> float:
    """KL divergence of a 1-D Gaussian from the standard normal (VAE の KL 項).

    Parameters
    ----------
    mu : float
        Mean μ of the encoder's distribution q(z|x) = N(μ, σ²).
    sigma : float
        Standard deviation σ > 0 (not the variance).

    Returns
    -------
    float
        ::

            KL(N(μ, σ²) || N(0, 1)) = ½ (μ² + σ² − 1 − log σ²)

        Zero exactly when μ = 0 and σ = 1. For a d-dimensional diagonal Gaussian the KL is
        the sum of this term over the dimensions (Kingma & Welling, 2013, Appendix B).
    """
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    return 0.5 * (mu * mu + sigma * sigma - 1.0 - math.log(sigma * sigma))


def reparameterize(mu: ArrayLike, sigma: ArrayLike, eps: ArrayLike) -> NDArray[np.floating] | float:
    """The reparameterisation trick (再パラメータ化トリック): z = μ + σ ⊙ ε.

    Parameters
    ----------
    mu, sigma : array_like
        Encoder outputs (σ is the standard deviation).
    eps : array_like
        Noise drawn from N(0, I), independent of the parameters.

    Returns
    -------
    ndarray or float
        A sample of N(μ, σ²) that is a differentiable function of μ and σ.
    """
    z = np.asarray(mu, dtype=float) + np.asarray(sigma, dtype=float) * np.asarray(eps, dtype=float)
    return float(z) if z.ndim == 0 else z


def gan_discriminator_loss(d_real: float, d_fake: float) -> float:
    """The discriminator's loss for one real and one generated sample (識別器の損失).

    Parameters
    ----------
    d_real : float
        D(x), the probability D gives a real sample (0 < d_real < 1).
    d_fake : float
        D(G(z)), the probability D gives a generated sample (0 < d_fake < 1).

    Returns
    -------
    float
        ::

            −log D(x) − log(1 − D(G(z)))

        i.e. binary cross-entropy with label 1 for the real and 0 for the fake sample; minimising
        it is maximising V(D, G) = E[log D(x)] + E[log(1 − D(G(z)))] (Goodfellow et al., 2014).
    """
    return -math.log(d_real) - math.log(1.0 - d_fake)


def gan_generator_loss(d_fake: float, non_saturating: bool = True) -> float:
    """The generator's loss for one generated sample (生成器の損失).

    Parameters
    ----------
    d_fake : float
        D(G(z)), in (0, 1).
    non_saturating : bool, default True
        True: −log D(G(z)) (the variant recommended in Goodfellow et al., 2014, strong gradients
        early in training). False: the minimax form log(1 − D(G(z))), which saturates when D
        rejects the samples confidently (D(G(z)) ≈ 0).

    Returns
    -------
    float
    """
    return -math.log(d_fake) if non_saturating else math.log(1.0 - d_fake)


def optimal_discriminator(p_data: float, p_g: float) -> float:
    """The optimal discriminator for a fixed generator (最適な識別器).

    Parameters
    ----------
    p_data, p_g : float
        Densities of the data and of the generator at the same point x (not both 0).

    Returns
    -------
    float
        ``D*(x) = p_data(x) / (p_data(x) + p_g(x))``; 0.5 everywhere when p_g = p_data.
    """
    return p_data / (p_data + p_g)


def ddpm_alpha_bar(beta: float, t: int) -> float:
    """ᾱ_t = Π_{s=1..t} (1 − β_s) for a constant noise schedule β_s = β (DDPM).

    Parameters
    ----------
    beta : float
        The variance added at each step, 0 < β < 1.
    t : int
        Number of forward (noising) steps, t ≥ 0.

    Returns
    -------
    float
        ``(1 − β) ** t``.
    """
    return (1.0 - beta) ** t


def ddpm_noisy_sample(x0: ArrayLike, eps: ArrayLike, alpha_bar: float) -> NDArray[np.floating] | float:
    """Sample x_t of q(x_t | x_0) in closed form (拡散過程の一括サンプリング).

    Parameters
    ----------
    x0 : array_like
        Clean data.
    eps : array_like
        Noise ε ~ N(0, I), same shape as x0.
    alpha_bar : float
        ᾱ_t.

    Returns
    -------
    ndarray or float
        ::

            x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε        (Ho et al., 2020)
    """
    x = math.sqrt(alpha_bar) * np.asarray(x0, dtype=float) + math.sqrt(1.0 - alpha_bar) * np.asarray(eps, dtype=float)
    return float(x) if x.ndim == 0 else x


def ddpm_forward_constant_beta(x0: float, eps: float, beta: float, t: int) -> float:
    """x_t after t noising steps with a constant β, from x_0 and the noise ε (scalar case).

    Parameters
    ----------
    x0, eps : float
    beta : float
    t : int

    Returns
    -------
    float
        ``√ᾱ x0 + √(1 − ᾱ) ε`` with ``ᾱ = (1 − β) ** t``.
    """
    return float(ddpm_noisy_sample(x0, eps, ddpm_alpha_bar(beta, t)))


# =========================================================================== 4-7 深層強化学習


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


# =========================================================================== 4-8 様々な学習方法


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


# =========================================================================== 4-9 説明性


def grad_cam(activations: ArrayLike, gradients: ArrayLike) -> NDArray[np.floating]:
    """Grad-CAM heat map of one image (Selvaraju et al., 2017).

    Parameters
    ----------
    activations : array_like, shape (K, H, W)
        Feature maps A^k of the chosen convolutional layer.
    gradients : array_like, shape (K, H, W)
        ∂y^c/∂A^k, the gradient of the class score (before softmax).

    Returns
    -------
    ndarray, shape (H, W)
        ::

            α_k = (1/Z) Σ_ij ∂y^c/∂A^k_ij          (global average pooling of the gradients)
            L   = ReLU(Σ_k α_k A^k)
    """
    a = np.asarray(activations, dtype=float)
    g = np.asarray(gradients, dtype=float)
    if a.shape != g.shape or a.ndim != 3:
        raise ValueError("activations and gradients must both have shape (K, H, W)")
    alpha = g.mean(axis=(1, 2))
    return np.maximum(np.tensordot(alpha, a, axes=1), 0.0)


def grad_cam_pixel(alpha_1: float, alpha_2: float, act_1: float, act_2: float) -> float:
    """Grad-CAM value at one position for two channels: ReLU(α₁ A¹ + α₂ A²)."""
    return max(0.0, alpha_1 * act_1 + alpha_2 * act_2)


def integrated_gradients(
    grad_fn: Callable[[NDArray[np.floating]], NDArray[np.floating]],
    x: ArrayLike,
    baseline: ArrayLike | None = None,
    steps: int = 200,
) -> NDArray[np.floating]:
    """Integrated Gradients (Sundararajan et al., 2017) by the midpoint Riemann sum.

    Parameters
    ----------
    grad_fn : callable
        ∇F: maps an input array to the gradient of the scalar output F (same shape).
    x : array_like
        The input to explain.
    baseline : array_like, optional
        x' (default: zeros, e.g. a black image).
    steps : int, default 200
        m, the number of points on the straight path from x' to x.

    Returns
    -------
    ndarray
        ::

            IG_i = (x_i − x'_i) ∫₀¹ ∂F(x' + α (x − x'))/∂x_i dα

        whose sum is F(x) − F(x') (completeness), up to the Riemann-sum error.
    """
    x = np.asarray(x, dtype=float)
    base = np.zeros_like(x) if baseline is None else np.asarray(baseline, dtype=float)
    total = np.zeros_like(x)
    for k in range(steps):
        alpha = (k + 0.5) / steps
        total += np.asarray(grad_fn(base + alpha * (x - base)), dtype=float)
    return (x - base) * total / steps


def lime_kernel_weight(distance: float, width: float) -> float:
    """LIME's proximity weight π_x(z) = exp(−D(x, z)² / σ²) (Ribeiro et al., 2016).

    Parameters
    ----------
    distance : float
        D(x, z) between the instance and the perturbed sample.
    width : float
        Kernel width σ > 0.

    Returns
    -------
    float
    """
    return math.exp(-(distance * distance) / (width * width))


def shapley_values(value: Mapping[frozenset[int], float], n_features: int) -> list[float]:
    """Exact Shapley values (シャープレイ値) by enumerating every coalition.

    Parameters
    ----------
    value : mapping frozenset -> float
        v(S), the model's output when only the features in S are known, for every subset S of
        ``range(n_features)`` (including the empty set).
    n_features : int
        M.

    Returns
    -------
    list of float
        φ_i = Σ_{S ⊆ F∖{i}} |S|! (M − |S| − 1)! / M! · (v(S ∪ {i}) − v(S)); they sum to
        v(F) − v(∅) (local accuracy / efficiency).
    """
    players = range(n_features)
    phis = []
    for i in players:
        others = [j for j in players if j != i]
        phi = 0.0
        for size in range(n_features):
            w = math.factorial(size) * math.factorial(n_features - size - 1) / math.factorial(n_features)
            for subset in combinations(others, size):
                s = frozenset(subset)
                phi += w * (value[s | {i}] - value[s])
        phis.append(phi)
    return phis


def shapley_value_two_features(v_empty: float, v_1: float, v_2: float, v_12: float) -> float:
    """Shapley value of feature 1 in a two-feature game.

    Parameters
    ----------
    v_empty, v_1, v_2, v_12 : float
        v(∅), v({1}), v({2}), v({1, 2}).

    Returns
    -------
    float
        ``φ₁ = ½ [(v({1}) − v(∅)) + (v({1,2}) − v({2}))]``.
    """
    return 0.5 * ((v_1 - v_empty) + (v_12 - v_2))


# =========================================================================== 5 開発・運用環境


def temperature_softmax(logits: ArrayLike, temperature: float) -> NDArray[np.floating]:
    """Softmax with temperature (温度付きソフトマックス): softmax(z / T) over the last axis.

    Parameters
    ----------
    logits : array_like
        z.
    temperature : float
        T > 0; T = 1 is the ordinary softmax, larger T gives softer distributions.

    Returns
    -------
    ndarray
    """
    z = np.asarray(logits, dtype=float) / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def temperature_softmax_prob(logit_a: float, logit_b: float, temperature: float) -> float:
    """Probability of class a in a two-class temperature softmax.

    Returns
    -------
    float
        ``exp(z_a/T) / (exp(z_a/T) + exp(z_b/T)) = 1 / (1 + exp(−(z_a − z_b)/T))``.
    """
    return float(temperature_softmax([logit_a, logit_b], temperature)[0])


def round_half_away(x: float) -> int:
    """四捨五入 to an integer: halves go away from zero (2.5 -> 3, -2.5 -> -3)."""
    return int(math.copysign(math.floor(abs(x) + 0.5), x))


def int8_scale(x_min: float, x_max: float, qmin: int = -128, qmax: int = 127) -> float:
    """Scale S of asymmetric (affine) quantisation: the real width of one integer step.

    Parameters
    ----------
    x_min, x_max : float
        The real range to represent (x_min < x_max).
    qmin, qmax : int, default -128, 127
        The integer range (int8; use 0, 255 for uint8).

    Returns
    -------
    float
        ``(x_max − x_min) / (qmax − qmin)``.
    """
    return (x_max - x_min) / (qmax - qmin)


def int8_zero_point(x_min: float, x_max: float, qmin: int = -128, qmax: int = 127) -> int:
    """Zero point Z: the integer that represents the real value 0 exactly.

    Returns
    -------
    int
        ``clip(round(qmin − x_min / S), qmin, qmax)`` (四捨五入).
    """
    scale = int8_scale(x_min, x_max, qmin, qmax)
    return min(qmax, max(qmin, round_half_away(qmin - x_min / scale)))


def quantize(x: float, scale: float, zero_point: int, qmin: int = -128, qmax: int = 127) -> int:
    """Affine quantisation of one value (量子化): q = clip(round(x / S) + Z, qmin, qmax).

    Parameters
    ----------
    x : float
    scale : float
        S > 0.
    zero_point : int
        Z.
    qmin, qmax : int, default -128, 127

    Returns
    -------
    int
    """
    return min(qmax, max(qmin, round_half_away(x / scale) + int(zero_point)))


def dequantize(q: int, scale: float, zero_point: int) -> float:
    """Back to a real value (逆量子化): x̂ = S (q − Z) (Jacob et al., 2018: r = S(q − Z))."""
    return scale * (q - zero_point)


def quantize_from_range(x: float, x_min: float, x_max: float, qmin: int = -128, qmax: int = 127) -> int:
    """Quantise x with the scale and zero point computed from the range [x_min, x_max]."""
    return quantize(x, int8_scale(x_min, x_max, qmin, qmax), int8_zero_point(x_min, x_max, qmin, qmax), qmin, qmax)


def model_size_mb(n_params: float, bits: int) -> float:
    """Memory for the weights alone, in MB (1 MB = 10⁶ bytes).

    Parameters
    ----------
    n_params : float
        Number of parameters.
    bits : int
        Bits per parameter (32 for FP32, 16 for FP16/BF16, 8 for INT8).

    Returns
    -------
    float
        ``n_params * bits / 8 / 1e6``.
    """
    return n_params * bits / 8 / 1e6


def linear_scaling_lr(base_lr: float, base_batch: int, batch: int) -> float:
    """Linear scaling rule (Goyal et al., 2017): multiply the learning rate by the batch-size ratio.

    Parameters
    ----------
    base_lr : float
        Learning rate tuned for ``base_batch``.
    base_batch : int
    batch : int
        The new total (global) mini-batch size, e.g. per-GPU batch × number of GPUs in
        synchronous data parallelism.

    Returns
    -------
    float
        ``base_lr * batch / base_batch``.
    """
    return base_lr * batch / base_batch
