# expect: misconception tanh_applied_twice
import numpy as np


class RNN:
    def __init__(self, Wx, Wh, b):
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.cache = None

    def forward(self, x, h_prev):
        Wx, Wh, b = self.params
        out = np.tanh(h_prev @ Wh + x @ Wx + b)
        self.cache = (x, h_prev, out)
        return out

    def backward(self, dh_next):
        Wx, Wh, b = self.params
        x, h_prev, out = self.cache
        tanh_grad = 1 - np.tanh(out) ** 2
        dt = dh_next * tanh_grad
        for grad, value in zip(self.grads, (x.T @ dt, h_prev.T @ dt, dt.sum(axis=0))):
            grad[...] = value
        return dt @ Wx.T, dt @ Wh.T
