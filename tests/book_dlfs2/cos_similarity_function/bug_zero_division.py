# expect: misconception no_eps
import numpy as np


def cos_similarity(x, y, eps=1e-8):
    return (x @ y) / (np.sqrt(x @ x) * np.sqrt(y @ y))
