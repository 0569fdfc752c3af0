# expect: misconception extra_sigmoid_derivative
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
        n = len(self.t)
        dloss_dy = (self.y - self.t) / n  # the loss part
        return dloss_dy * self.y * (1.0 - self.y) * dout  # then the sigmoid part
