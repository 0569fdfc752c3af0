"""Tests for reference.linear_algebra: SVD truncation (Eckart-Young), eigenvalues, powers by diagonalisation, rank."""

import math

import numpy as np
import pytest

from reference.linear_algebra import (
    hadamard_sum,
    largest_eigenvalue,
    largest_singular_value,
    low_rank_approx,
    power_entry,
    truncation_error,
)

RNG = np.random.default_rng(11)


def test_low_rank_approx_of_a_diagonal_matrix_keeps_the_largest_entries() -> None:
    A = np.diag([1.0, 5.0, 3.0])
    np.testing.assert_allclose(low_rank_approx(A, 1), np.diag([0.0, 5.0, 0.0]), atol=1e-12)
    np.testing.assert_allclose(low_rank_approx(A, 2), np.diag([0.0, 5.0, 3.0]), atol=1e-12)


def test_low_rank_approx_has_rank_k_and_the_eckart_young_error() -> None:
    A = RNG.normal(size=(6, 4))
    before = A.copy()
    s = np.linalg.svd(A, compute_uv=False)
    for k in range(5):
        approx = low_rank_approx(A, k)
        assert approx.shape == (6, 4)
        assert np.linalg.matrix_rank(approx) == k
        assert np.linalg.norm(A - approx) == pytest.approx(math.sqrt(np.sum(s[k:] ** 2)), abs=1e-12)
    np.testing.assert_allclose(low_rank_approx(A, 4), A, atol=1e-12)
    np.testing.assert_array_equal(A, before)


def test_no_random_rank_k_matrix_beats_the_truncated_svd() -> None:
    A = RNG.normal(size=(5, 5))
    best = np.linalg.norm(A - low_rank_approx(A, 2))
    for _ in range(200):
        B = RNG.normal(size=(5, 2)) @ RNG.normal(size=(2, 5))
        assert np.linalg.norm(A - B) >= best


def test_truncation_error_hand_value() -> None:
    assert truncation_error(5, 4, 3, 0, 1) == pytest.approx(5.0)  # sqrt(16 + 9)
    assert truncation_error(5, 4, 3, 0, 3) == 0.0


def test_eigenvalues_hand_values() -> None:
    # [[2, 1], [1, 2]] has eigenvalues 3 and 1; [[4, 1], [2, 3]] has 5 and 2
    assert largest_eigenvalue(2, 1, 1, 2) == pytest.approx(3.0)
    assert largest_eigenvalue(4, 1, 2, 3) == pytest.approx(5.0)


def test_largest_singular_value_is_root_of_ata_eigenvalue() -> None:
    a, b, c, d = 1.0, 2.0, 0.0, 3.0
    ata = np.array([[a, b], [c, d]]).T @ np.array([[a, b], [c, d]])
    assert largest_singular_value(a, b, c, d) == pytest.approx(math.sqrt(np.linalg.eigvalsh(ata).max()))
    assert largest_singular_value(3, 0, 0, -4) == pytest.approx(4.0)


def test_power_entry_matches_repeated_multiplication() -> None:
    A = np.array([[4.0, 1.0], [2.0, 3.0]])
    powered = np.linalg.matrix_power(A, 5)
    for i in range(2):
        for j in range(2):
            assert power_entry(4, 1, 2, 3, 5, i, j) == pytest.approx(powered[i, j])
    # [[a, b], [b, a]]: (A^n)_00 = ((a+b)^n + (a-b)^n) / 2
    assert power_entry(3, 1, 1, 3, 4, 0, 0) == pytest.approx((4**4 + 2**4) / 2)



def test_hadamard_sum_is_trace_of_at_b_not_of_ab() -> None:
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    B = np.array([[5.0, 6.0], [7.0, 8.0]])
    assert hadamard_sum(*A.ravel(), *B.ravel()) == pytest.approx(5 + 12 + 21 + 32)
    assert hadamard_sum(*A.ravel(), *B.ravel()) == pytest.approx(np.trace(A.T @ B))
    assert hadamard_sum(*A.ravel(), *B.ravel()) != pytest.approx(np.trace(A @ B))
