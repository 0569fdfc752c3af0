# expect: misconception natural_log
import numpy as np


def ppmi(C, verbose=False, eps=1e-8):
    N = np.sum(C)
    row = np.sum(C, axis=1, keepdims=True)
    col = np.sum(C, axis=0, keepdims=True)
    pmi = np.log(C * N / (row * col) + eps)
    pmi[pmi < 0] = 0
    return pmi
