# expect: misconception per_array_norm
import numpy as np


def clip_grads(grads, max_norm):
    for g in grads:
        norm = np.linalg.norm(g)
        if norm > max_norm:
            g *= max_norm / (norm + 1e-6)
