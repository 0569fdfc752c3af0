# expect: misconception grads_accumulated
import numpy as np


class MatMul:
    def __init__(self, W):
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.x = None

    def forward(self, x):
        self.x = x
        return x.dot(self.params[0])

    def backward(self, dout):
        dW, = self.grads
        dW += self.x.T.dot(dout)
        return dout.dot(self.params[0].T)
