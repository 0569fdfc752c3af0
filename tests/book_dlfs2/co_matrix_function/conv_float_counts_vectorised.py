# expect: pass
# Counts kept in a float matrix, filled pair-distance by pair-distance.
import numpy as np


def create_co_matrix(corpus, vocab_size, window_size=1):
    corpus = np.asarray(corpus)
    C = np.zeros((vocab_size, vocab_size))
    for d in range(1, min(window_size, len(corpus) - 1) + 1):
        np.add.at(C, (corpus[:-d], corpus[d:]), 1)
        np.add.at(C, (corpus[d:], corpus[:-d]), 1)
    return C
