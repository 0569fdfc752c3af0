# expect: misconception one_dimensional_only
import numpy as np


def convert_one_hot(corpus, vocab_size):
    out = np.zeros((len(corpus), vocab_size), dtype=np.int32)
    for i in range(len(corpus)):
        out[i, corpus[i]] = 1
    return out
