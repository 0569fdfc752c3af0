# expect: misconception not_divided_by_batch
import numpy as np


class SigmoidWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = sigmoid(x)  # noqa: F821
        self.loss = cross_entropy_error(np.c_[1 - self.y, self.y], t)  # noqa: F821
        return self.loss

    def backward(self, dout=1):
        dx = dout * (self.y - self.t)
        return dx
