# expect: misconception grads_rebound
import numpy as np


class MatMul:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.params[0])

    def backward(self, dout):
        dW = np.dot(self.x.T, dout)
        self.grads[0] = dW
        return np.dot(dout, self.params[0].T)
