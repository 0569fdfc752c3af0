"""5-2 分散処理: Amdahl's law, ring all-reduce traffic, pipeline bubbles, training memory and Federated Averaging.

Pure functions of scalars, so that a parameterised question can pass its drawn numbers straight in:
``answer: {function: reference.distributed:<name>, args: {...}}``.
"""

from __future__ import annotations

import math

__all__ = [
    "amdahl_speedup",
    "ring_allreduce_sent",
    "pipeline_bubble_fraction",
    "training_state_bytes",
    "gpus_for_training_state",
    "fedavg_weighted",
]


def amdahl_speedup(parallel_fraction: float, workers: int) -> float:
    """Speed-up of a job whose fraction p runs in parallel on N workers (Amdahl, 1967).

    Returns
    -------
    float
        ``1 / ((1 - p) + p / N)``; it never exceeds ``1 / (1 - p)`` however many workers are added.
    """
    if not 0.0 <= parallel_fraction <= 1.0 or workers < 1:
        raise ValueError("need 0 <= p <= 1 and N >= 1")
    return 1.0 / ((1.0 - parallel_fraction) + parallel_fraction / workers)


def ring_allreduce_sent(data_mb: float, workers: int) -> float:
    """Megabytes each worker sends in a ring all-reduce of ``data_mb`` (e.g. the gradients) over N workers.

    Returns
    -------
    float
        ``2 (N - 1) / N * data``: N - 1 steps of reduce-scatter and N - 1 of all-gather, each sending one
        N-th of the data (Patarasuk & Yuan, 2009); almost independent of N for large N.
    """
    if workers < 1:
        raise ValueError("need at least one worker")
    return 2.0 * (workers - 1) / workers * data_mb


def pipeline_bubble_fraction(stages: int, micro_batches: int) -> float:
    """Idle share of a GPipe-style pipeline with K stages and M micro-batches.

    Returns
    -------
    float
        ``(K - 1) / (M + K - 1)`` (Huang et al., 2019).
    """
    if stages < 1 or micro_batches < 1:
        raise ValueError("need K >= 1 and M >= 1")
    return (stages - 1) / (micro_batches + stages - 1)


def training_state_bytes(n_params: float) -> float:
    """Bytes of model state for mixed-precision training with Adam: 16 per parameter.

    Returns
    -------
    float
        ``(2 + 2 + 4 + 4 + 4) * n``: FP16 weights and gradients, and the FP32 master weights, momentum and
        variance (Rajbhandari et al., 2020, "ZeRO"); activations are not counted.
    """
    return 16.0 * n_params


def gpus_for_training_state(n_params: float, gpu_gb: float) -> int:
    """Fewest GPUs of ``gpu_gb`` GB (10^9 bytes) whose memory together holds the training state of n parameters."""
    return math.ceil(training_state_bytes(n_params) / (gpu_gb * 1e9))


def fedavg_weighted(w1: float, n1: int, w2: float, n2: int, w3: float, n3: int) -> float:
    """Federated Averaging of one weight from three clients, weighted by their numbers of samples.

    Returns
    -------
    float
        ``sum_k (n_k / n) w_k`` (McMahan et al., 2017).
    """
    total = n1 + n2 + n3
    return (n1 * w1 + n2 * w2 + n3 * w3) / total
