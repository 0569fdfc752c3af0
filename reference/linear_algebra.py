"""Linear algebra (線形代数): eigen-decomposition, diagonalisation, SVD and low-rank approximation.

Conventions (「深層学習」(Goodfellow ほか, 邦訳 2018) 2.7-2.8; Strang, "Linear Algebra and Its Applications"):

* ``np.linalg.svd`` returns ``U, s, Vt`` with the singular values ``s`` in **descending** order and
  ``Vt`` holding the right singular vectors as its **rows**;
* the 2x2 helpers used by numeric questions take the matrix ``[[a, b], [c, d]]`` entry by entry;
* inputs are never modified.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Floats = NDArray[np.float64]

__all__ = [
    "low_rank_approx",
    "truncation_error",
    "largest_eigenvalue",
    "largest_singular_value",
    "power_entry",
    "hadamard_sum",
]


def low_rank_approx(A: ArrayLike, k: int) -> Floats:
    """Best rank-k approximation ``A_k = U_k Σ_k V_k^T`` by truncated SVD (Eckart-Young).

    Parameters
    ----------
    A : ndarray of shape (M, N)
    k : int, 0 <= k <= min(M, N)
        Number of singular values kept (the k largest).

    Returns
    -------
    ndarray of shape (M, N)
        Minimises ``||A - B||_F`` (and the spectral norm) over every B of rank at most k; for
        ``k = min(M, N)`` it is ``A`` itself.
    """
    A = np.asarray(A, dtype=float)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    approx: Floats = (U[:, :k] * s[:k]) @ Vt[:k, :]
    return approx


def truncation_error(s1: float, s2: float, s3: float, s4: float, k: int) -> float:
    """Frobenius error ``||A - A_k||_F = sqrt(Σ_{i>k} σ_i^2)`` for singular values ``s1 >= … >= s4``."""
    s = np.array([s1, s2, s3, s4], dtype=float)
    return float(np.sqrt(np.sum(s[k:] ** 2)))


def _matrix(a: float, b: float, c: float, d: float) -> Floats:
    return np.array([[a, b], [c, d]], dtype=float)


def largest_eigenvalue(a: float, b: float, c: float, d: float) -> float:
    """The larger eigenvalue of ``[[a, b], [c, d]]`` (assumed real): a root of ``λ² - (a + d)λ + (ad - bc) = 0``."""
    return float(np.max(np.linalg.eigvals(_matrix(a, b, c, d)).real))


def largest_singular_value(a: float, b: float, c: float, d: float) -> float:
    """The largest singular value of ``[[a, b], [c, d]]``: the square root of the largest eigenvalue of ``A^T A``."""
    return float(np.linalg.svd(_matrix(a, b, c, d), compute_uv=False)[0])


def power_entry(a: float, b: float, c: float, d: float, n: int, i: int, j: int) -> float:
    """Entry ``(i, j)`` (0-based) of ``A^n`` for a diagonalisable ``A = [[a, b], [c, d]]``, via ``A^n = P Λ^n P^{-1}``."""
    eigenvalues, P = np.linalg.eig(_matrix(a, b, c, d))
    power = P @ np.diag(eigenvalues**n) @ np.linalg.inv(P)
    return float(np.real(power[i, j]))


def hadamard_sum(a11: float, a12: float, a21: float, a22: float, b11: float, b12: float, b21: float, b22: float) -> float:
    """Sum of the entries of the Hadamard (element-wise) product ``A ⊙ B`` of two 2x2 matrices, ``= tr(A^T B)``."""
    A = _matrix(a11, a12, a21, a22)
    B = _matrix(b11, b12, b21, b22)
    return float(np.sum(A * B))
