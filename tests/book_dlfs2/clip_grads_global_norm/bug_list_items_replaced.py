# expect: message `grads` が置き換えられ、その場で更新されていません
import numpy as np


def clip_grads(grads, max_norm):
    total_norm = np.sqrt(sum(np.sum(g**2) for g in grads))
    rate = max_norm / (total_norm + 1e-6)
    if rate < 1:
        for i in range(len(grads)):
            grads[i] = grads[i] * rate
