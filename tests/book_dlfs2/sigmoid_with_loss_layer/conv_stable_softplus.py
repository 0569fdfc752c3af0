# expect: misconception stable_log_sigmoid
# Right in the PyTorch BCEWithLogitsLoss convention (no 1e-7): -log σ(x) = log(1 + exp(-x)).
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
        z = (2 * t - 1) * x  # +x for label 1, -x for label 0
        self.loss = np.mean(np.maximum(-z, 0) + np.log1p(np.exp(-np.abs(z))))
        return self.loss

    def backward(self, dout=1):
        return (self.y - self.t) * dout / self.t.shape[0]
