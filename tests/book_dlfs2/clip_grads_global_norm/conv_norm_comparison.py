# expect: pass
# Compares the norm with the threshold instead of the rate with 1 (no eps needed then).
import numpy as np


def clip_grads(grads, max_norm):
    flat = np.concatenate([g.ravel() for g in grads])
    norm = np.linalg.norm(flat)
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
