# expect: misconception grads_rebound
import numpy as np


class Embedding:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.idx = None

    def forward(self, idx):
        self.idx = idx
        return self.params[0][idx]

    def backward(self, dout):
        W = self.params[0]
        dW = np.zeros(W.shape, dtype=W.dtype)
        for i, word_id in enumerate(self.idx):
            dW[word_id] += dout[i]
        self.grads[0] = dW
