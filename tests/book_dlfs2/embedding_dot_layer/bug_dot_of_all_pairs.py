# expect: misconception matrix_of_scores
import numpy as np


class EmbeddingDot:
    def __init__(self, W):
        self.embed = Embedding(W)  # noqa: F821
        self.params = self.embed.params
        self.grads = self.embed.grads
        self.cache = None

    def forward(self, h, idx):
        target_W = self.embed.forward(idx)
        self.cache = (h, target_W)
        return target_W @ h.T

    def backward(self, dout):
        h, target_W = self.cache
        d = dout[:, np.newaxis]
        self.embed.backward(d * h)
        return d * target_W
