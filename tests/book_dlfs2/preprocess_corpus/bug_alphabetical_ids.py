# expect: misconception sorted_vocabulary
import numpy as np


def preprocess(text):
    words = text.lower().replace(".", " .").split(" ")
    word_to_id = {}
    for word in sorted(set(words)):
        word_to_id[word] = len(word_to_id)
    id_to_word = {i: w for w, i in word_to_id.items()}
    return np.array([word_to_id[w] for w in words]), word_to_id, id_to_word
