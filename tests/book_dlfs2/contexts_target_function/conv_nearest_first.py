# expect: misconception nearest_first
# Contexts ordered by distance (as some word2vec code does): fine for CBOW, not the book's order.
import numpy as np


def create_contexts_target(corpus, window_size=1):
    contexts = []
    for idx in range(window_size, len(corpus) - window_size):
        contexts.append([corpus[idx + s * d] for d in range(1, window_size + 1) for s in (-1, 1)])
    return np.array(contexts), np.array(corpus[window_size:len(corpus) - window_size])
