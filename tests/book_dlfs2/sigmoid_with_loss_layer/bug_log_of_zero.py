# expect: misconception log_without_eps
import numpy as np


class SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        y = 1 / (1 + np.exp(-x))
        self.y = y
        self.loss = -np.mean(t * np.log(y) + (1 - t) * np.log(1 - y))
        return self.loss

    def backward(self, dout=1):
        return (self.y - self.t) * dout / len(self.t)
