"""Tests for reference.information_theory: hand values, the 0 log 0 convention, identities between the quantities."""

import math

import numpy as np
import pytest

from reference.information_theory import (
    conditional_entropy,
    conditional_entropy_of,
    cross_entropy,
    cross_entropy_of,
    entropy,
    entropy_of,
    joint_entropy,
    joint_entropy_of,
    js_divergence,
    js_of,
    kl_divergence,
    kl_of,
    mutual_information,
    mutual_information_of,
    self_information,
)

RNG = np.random.default_rng(7)
LN2 = math.log(2)


def _random_distribution(*shape: int) -> np.ndarray:
    p = RNG.uniform(0.05, 1.0, size=shape)
    normalised: np.ndarray = p / p.sum(axis=-1, keepdims=True)
    return normalised


def test_self_information_hand_values() -> None:
    assert self_information(0.125) == pytest.approx(3.0)  # 1/8 → 3 bits
    assert self_information(0.5, base=math.e) == pytest.approx(LN2)
    assert self_information(1.0) == 0.0


def test_entropy_hand_values_and_zero_convention() -> None:
    assert entropy([0.5, 0.5]) == pytest.approx(LN2)
    assert entropy([0.25] * 4) == pytest.approx(2 * LN2)
    assert entropy([1.0, 0.0, 0.0]) == 0.0  # 0 log 0 = 0, no NaN
    assert entropy_of(0.5, 0.25, 0.25) == pytest.approx(1.5)  # bits
    assert entropy_of(0.5, 0.25, 0.125, 0.125) == pytest.approx(1.75)


def test_entropy_is_row_wise_and_does_not_mutate() -> None:
    p = _random_distribution(4, 5)
    before = p.copy()
    rows = entropy(p)
    assert rows.shape == (4,)
    np.testing.assert_allclose(rows, [-sum(v * math.log(v) for v in row) for row in p])
    np.testing.assert_array_equal(p, before)


def test_uniform_has_the_largest_entropy() -> None:
    for _ in range(20):
        p = _random_distribution(6)
        assert entropy(p) <= math.log(6) + 1e-12


def test_cross_entropy_is_entropy_plus_kl() -> None:
    p, q = _random_distribution(3, 4), _random_distribution(3, 4)
    np.testing.assert_allclose(cross_entropy(p, q), entropy(p) + kl_divergence(p, q))
    # hand value in bits: p = (1/2, 1/4, 1/4), q = (1/4, 1/4, 1/2) → (1/2)·2 + (1/4)·2 + (1/4)·1
    assert cross_entropy_of(0.5, 0.25, 0.25, 0.25, 0.25, 0.5) == pytest.approx(1.75)


def test_kl_hand_values_asymmetry_and_infinity() -> None:
    # KL((1/2,1/2) || (1/4,3/4)) = ½ ln 2 + ½ ln(2/3)
    assert kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.5 * LN2 + 0.5 * math.log(2 / 3))
    assert kl_divergence([0.25, 0.75], [0.5, 0.5]) == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5))
    assert kl_of(0.5, 0.5, 0.0, 0.25, 0.75, 0.0) != pytest.approx(kl_of(0.25, 0.75, 0.0, 0.5, 0.5, 0.0))
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(LN2)  # p = 0 terms vanish
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    p = _random_distribution(5)
    assert kl_divergence(p, p) == pytest.approx(0.0, abs=1e-15)


def test_kl_is_non_negative_row_wise() -> None:
    p, q = _random_distribution(10, 3), _random_distribution(10, 3)
    kl = kl_divergence(p, q)
    assert kl.shape == (10,) and (kl >= 0).all()


def test_js_is_symmetric_bounded_and_log2_for_disjoint_supports() -> None:
    p, q = _random_distribution(8, 4), _random_distribution(8, 4)
    np.testing.assert_allclose(js_divergence(p, q), js_divergence(q, p))
    assert (js_divergence(p, q) <= LN2).all() and (js_divergence(p, q) >= 0).all()
    assert js_divergence([1.0, 0.0], [0.0, 1.0]) == pytest.approx(LN2)
    # by hand: p = (1, 0), q = (1/2, 1/2), m = (3/4, 1/4)
    by_hand = 0.5 * math.log(4 / 3) + 0.5 * (0.5 * math.log(2 / 3) + 0.5 * math.log(2))
    assert js_of(1.0, 0.0, 0.0, 0.5, 0.5, 0.0) == pytest.approx(by_hand)


def test_table_entropies_hand_values_in_bits() -> None:
    # X, Y independent fair bits: H(X,Y) = 2, H(Y|X) = 1, I = 0
    assert joint_entropy_of(0.25, 0.25, 0.25, 0.25) == pytest.approx(2.0)
    assert conditional_entropy_of(0.25, 0.25, 0.25, 0.25) == pytest.approx(1.0)
    assert mutual_information_of(0.25, 0.25, 0.25, 0.25) == pytest.approx(0.0, abs=1e-15)
    # Y = X: I = H(X) = 1 bit, H(Y|X) = 0
    assert mutual_information_of(0.5, 0.0, 0.0, 0.5) == pytest.approx(1.0)
    assert conditional_entropy_of(0.5, 0.0, 0.0, 0.5) == pytest.approx(0.0, abs=1e-15)


def test_chain_rule_and_mutual_information_identities() -> None:
    joint = RNG.uniform(0.0, 1.0, size=(3, 4))
    table = joint / joint.sum()
    hx, hy = entropy(table.sum(axis=1)), entropy(table.sum(axis=0))
    assert joint_entropy(joint) == pytest.approx(hx + conditional_entropy(joint))
    assert mutual_information(joint) == pytest.approx(hx + hy - joint_entropy(joint))
    # counts give the same value as probabilities (the table is normalised)
    assert mutual_information(joint * 37) == pytest.approx(mutual_information(table))
    # mutual information is symmetric: transpose swaps X and Y
    assert mutual_information(joint.T) == pytest.approx(mutual_information(joint))


def test_mutual_information_of_an_independent_table_is_zero_and_zeros_are_fine() -> None:
    px, py = _random_distribution(3), _random_distribution(4)
    assert mutual_information(np.outer(px, py)) == pytest.approx(0.0, abs=1e-14)
    value = mutual_information(np.array([[0.3, 0.0], [0.0, 0.7]]))
    assert value == pytest.approx(entropy([0.3, 0.7]))
