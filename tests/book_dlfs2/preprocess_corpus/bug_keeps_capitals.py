# expect: misconception case_kept
import numpy as np


def preprocess(text):
    words = text.replace(".", " .").split(" ")
    word_to_id = {}
    id_to_word = {}
    for w in words:
        if w in word_to_id:
            continue
        word_to_id[w] = len(id_to_word)
        id_to_word[len(id_to_word)] = w
    corpus = np.array([word_to_id[w] for w in words])
    return corpus, word_to_id, id_to_word
