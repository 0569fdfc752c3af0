# expect: pass
# Rows of an identity matrix: float one-hot vectors for any number of dimensions.
import numpy as np


def convert_one_hot(corpus, vocab_size):
    return np.eye(vocab_size)[corpus]
