# expect: pass
# Vectorised, float64, and log2(0) = -inf clipped to 0 instead of adding eps.
import numpy as np


def ppmi(C, verbose=False, eps=1e-8):
    C = np.asarray(C, dtype=float)
    S = C.sum(axis=0)
    with np.errstate(divide="ignore"):
        pmi = np.log2(C * C.sum() / np.outer(S, S))
    return np.maximum(pmi, 0.0)
