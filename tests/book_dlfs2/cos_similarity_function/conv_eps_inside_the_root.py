# expect: pass
# eps inside the square root of each squared norm.
import numpy as np


def cos_similarity(x, y, eps=1e-8):
    nx = x / np.sqrt(np.sum(x * x) + eps)
    ny = y / np.sqrt(np.sum(y * y) + eps)
    return float(np.sum(nx * ny))
