# expect: misconception wraps_around
import numpy as np


def create_co_matrix(corpus, vocab_size, window_size=1):
    co = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    n = len(corpus)
    for idx in range(n):
        w = corpus[idx]
        for i in range(1, window_size + 1):
            co[w, corpus[idx - i]] += 1  # the left neighbour
            if idx + i <= n - 1:
                co[w, corpus[idx + i]] += 1
    return co
