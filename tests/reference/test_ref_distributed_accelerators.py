"""Distributed training, accelerators and model compression (5-1 … 5-3) against hand values and the papers' figures."""

import math

import numpy as np
import pytest

from reference.accelerators import simd_instructions, simd_lanes, systolic_peak_tops, warp_divergent_cycles
from reference.distributed import (
    amdahl_speedup,
    fedavg_weighted,
    gpus_for_training_state,
    pipeline_bubble_fraction,
    ring_allreduce_sent,
    training_state_bytes,
)
from reference.lightweight import distillation_soft_loss, sparse_storage_mb, temperature_softmax


def test_amdahl():
    assert math.isclose(amdahl_speedup(0.9, 10), 1 / (0.1 + 0.09))
    assert amdahl_speedup(1.0, 8) == 8.0
    assert amdahl_speedup(0.0, 8) == 1.0
    assert amdahl_speedup(0.95, 10**9) < 20.0  # bounded by 1 / (1 - p)
    with pytest.raises(ValueError):
        amdahl_speedup(1.5, 4)


def test_ring_allreduce_by_simulation():
    # simulate the reduce-scatter and all-gather phases: count the chunks each worker sends
    for n in (2, 4, 7):
        sent = (n - 1) + (n - 1)  # chunks of size data / n
        assert math.isclose(ring_allreduce_sent(100.0, n), sent * 100.0 / n)
    assert ring_allreduce_sent(100.0, 1) == 0.0


def test_pipeline_bubble():
    assert pipeline_bubble_fraction(4, 1) == 3 / 4  # one micro-batch: only one stage busy at a time
    assert math.isclose(pipeline_bubble_fraction(4, 16), 3 / 19)
    assert pipeline_bubble_fraction(1, 8) == 0.0


def test_training_state_zero_paper():
    # Rajbhandari et al. (2020): a 7.5B-parameter model needs 120 GB of model states
    assert training_state_bytes(7.5e9) == 120e9
    assert gpus_for_training_state(7.5e9, 80) == 2
    assert gpus_for_training_state(1.5e9, 24) == 1  # GPT-2 1.5B: 24 GB


def test_fedavg():
    assert math.isclose(fedavg_weighted(1.0, 100, 3.0, 300, 0.0, 600), (100 + 900) / 1000)
    assert fedavg_weighted(2.0, 5, 2.0, 7, 2.0, 1) == 2.0


def test_simd_and_simt():
    assert simd_lanes(256, 32) == 8 and simd_lanes(512, 16) == 32
    assert simd_instructions(1000, 256, 32) == 125
    assert simd_instructions(1001, 256, 32) == 126
    assert warp_divergent_cycles(10, 20, 30) == 50
    assert warp_divergent_cycles(32, 20, 30) == 20  # no divergence
    assert warp_divergent_cycles(0, 20, 30) == 30


def test_tpu_peak():
    assert math.isclose(systolic_peak_tops(256, 256, 700), 2 * 65_536 * 700e6 / 1e12) and round(systolic_peak_tops(256, 256, 700)) == 92


def test_sparse_storage():
    # 1M weights, keep 10%, 8-bit values + 4-bit indices: 100k * 12 bits = 0.15 MB
    assert math.isclose(sparse_storage_mb(1e6, 0.1, 8, 4), 0.15)


def test_distillation_soft_loss_against_the_definition():
    t, s, temp = [3.0, 1.0], [2.0, 2.5], 4.0
    p, q = temperature_softmax(t, temp), temperature_softmax(s, temp)
    assert math.isclose(distillation_soft_loss(*t, *s, temp), temp**2 * -float(np.sum(p * np.log(q))))
    # the soft loss is smallest when the student copies the teacher (cross-entropy >= entropy)
    same = distillation_soft_loss(3.0, 1.0, 3.0, 1.0, temp)
    assert distillation_soft_loss(3.0, 1.0, 2.0, 2.5, temp) > same
