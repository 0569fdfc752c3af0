# expect: misconception every_row_every_word
import numpy as np


def convert_one_hot(corpus, vocab_size):
    if corpus.ndim == 1:
        one_hot = np.zeros((corpus.shape[0], vocab_size), dtype=np.int32)
        one_hot[:, corpus] = 1
        return one_hot
    return np.stack([convert_one_hot(row, vocab_size) for row in corpus])
