# expect: misconception dw_transposed
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
        W = self.params[0]
        dW = (self.x.T @ dout).T
        self.grads[0][...] = dW
        return dout @ W.T
