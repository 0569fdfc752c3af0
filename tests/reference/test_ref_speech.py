"""CTC's forward algorithm against a brute-force sum over paths, and the CTC frame counts (4-5)."""

import itertools
import math

import numpy as np
import pytest

from reference.speech import (
    ctc_collapse,
    ctc_extended_length,
    ctc_label_probability,
    ctc_min_frames,
    ctc_single_label_probability_3,
    interleaved_blank_length,
    label_length,
)


def _brute_force(probs, label, symbols):
    total = 0.0
    for path in itertools.product(symbols, repeat=len(probs)):
        if ctc_collapse("".join(path)) == label:
            total += math.prod(frame.get(s, 0.0) for frame, s in zip(probs, path))
    return total


@pytest.mark.parametrize("label, frames", [("a", 3), ("ab", 4), ("aa", 4), ("aba", 5), ("b", 1), ("ab", 2)])
def test_forward_algorithm_matches_the_sum_over_paths(label, frames):
    rng = np.random.default_rng(len(label) * 10 + frames)
    probs = []
    for _ in range(frames):
        p = rng.dirichlet([1.0, 1.0, 1.0])
        probs.append({"a": p[0], "b": p[1], "-": p[2]})
    assert math.isclose(ctc_label_probability(probs, label), _brute_force(probs, label, "ab-"), rel_tol=1e-12)


def test_too_few_frames_give_probability_zero():
    probs = [{"a": 0.6, "-": 0.4}] * 2
    assert ctc_label_probability(probs, "aa") == 0.0  # "aa" needs a-a: 3 frames


def test_single_label_three_frames_by_hand():
    a, b = [0.5, 0.6, 0.3], [0.4, 0.3, 0.5]
    paths = (a[0] * b[1] * b[2] + b[0] * a[1] * b[2] + b[0] * b[1] * a[2]
             + a[0] * a[1] * b[2] + b[0] * a[1] * a[2] + a[0] * a[1] * a[2])
    assert math.isclose(ctc_single_label_probability_3(a[0], b[0], a[1], b[1], a[2], b[2]), paths)


def test_label_lengths():
    assert label_length("book") == 4
    assert ctc_min_frames("book") == 5
    assert interleaved_blank_length("book") == 7
    assert ctc_extended_length("book") == 9
