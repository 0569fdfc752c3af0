# expect: pass
# str.split() instead of split(' '): the same words for single-spaced text.
import numpy as np


def preprocess(text):
    words = text.lower().replace(".", " .").split()
    word_to_id = {}
    for w in words:
        word_to_id.setdefault(w, len(word_to_id))
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array([word_to_id[w] for w in words]), word_to_id, id_to_word
