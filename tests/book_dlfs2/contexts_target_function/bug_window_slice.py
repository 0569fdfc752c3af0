# expect: misconception target_in_contexts
import numpy as np


def create_contexts_target(corpus, window_size=1):
    w = window_size
    contexts, target = [], []
    for i in range(w, len(corpus) - w):
        contexts.append(corpus[i - w:i + w + 1])
        target.append(corpus[i])
    return np.array(contexts), np.array(target)
