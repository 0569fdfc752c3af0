# expect: misconception integer_result
import numpy as np


def ppmi(C, verbose=False, eps=1e-8):
    M = np.zeros_like(C)
    N = C.sum()
    S = C.sum(axis=0)
    rows, cols = C.shape
    for i in range(rows):
        for j in range(cols):
            value = np.log2(C[i, j] * N / (S[i] * S[j]) + eps)
            M[i, j] = value if value > 0 else 0
    return M
