"""5 開発・運用環境: distillation (temperature softmax, the soft-target loss), quantisation, pruned storage, model size
and the data-parallel learning rate.

Pure functions of scalars (unless a docstring says otherwise), so that a parameterised question can pass its
drawn numbers straight in: ``answer: {function: reference.lightweight:<name>, args: {...}}``.

Conventions
-----------
* ``log`` is the natural logarithm.
* Rounding to an integer (量子化, ゼロ点) is 四捨五入: halves are rounded away from zero
  (``2.5 -> 3``, ``-2.5 -> -3``). NumPy and PyTorch round halves to even; the questions avoid
  exact halves, so both conventions give the same answers there.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
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
    "sparse_storage_mb",
    "distillation_soft_loss",
]


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
    probs: NDArray[np.floating] = e / e.sum(axis=-1, keepdims=True)
    return probs


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


def sparse_storage_mb(n_params: float, keep_fraction: float, value_bits: int, index_bits: int) -> float:
    """Megabytes (10^6 bytes) to store a pruned weight matrix in a sparse format.

    Parameters
    ----------
    n_params : float
        Weights before pruning.
    keep_fraction : float
        Share of the weights kept (not pruned).
    value_bits, index_bits : int
        Bits stored per kept weight for its value and for its position (index).

    Returns
    -------
    float
        ``n_params * keep_fraction * (value_bits + index_bits) / 8 / 1e6``.
    """
    return n_params * keep_fraction * (value_bits + index_bits) / 8 / 1e6


def distillation_soft_loss(teacher_a: float, teacher_b: float, student_a: float, student_b: float,
                           temperature: float) -> float:
    """Soft-target term of knowledge distillation for two classes, scaled by T^2 (Hinton et al., 2015).

    Parameters
    ----------
    teacher_a, teacher_b, student_a, student_b : float
        Logits of the teacher and of the student.
    temperature : float
        T, used for both softmaxes.

    Returns
    -------
    float
        ``T^2 * ( - sum_i p_i log q_i )`` with ``p = softmax(z_teacher / T)`` and ``q = softmax(z_student / T)``.
    """
    p = temperature_softmax([teacher_a, teacher_b], temperature)
    q = temperature_softmax([student_a, student_b], temperature)
    return float(temperature**2 * -np.sum(p * np.log(q)))
