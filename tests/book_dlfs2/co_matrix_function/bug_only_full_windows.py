# expect: misconception edges_skipped
import numpy as np


def create_co_matrix(corpus, vocab_size, window_size=1):
    co = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for idx in range(window_size, len(corpus) - window_size):
        for t in range(-window_size, window_size + 1):
            if t != 0:
                co[corpus[idx], corpus[idx + t]] += 1
    return co
