# expect: pass
# The textbook binary cross-entropy with the same 1e-7 inside each log.
import numpy as np


class SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = 1 / (1 + np.exp(-x))
        y, delta = self.y, 1e-7
        self.loss = -np.sum(t * np.log(y + delta) + (1 - t) * np.log(1 - y + delta)) / len(t)
        return self.loss

    def backward(self, dout=1):
        return dout * (self.y - self.t) / len(self.t)
