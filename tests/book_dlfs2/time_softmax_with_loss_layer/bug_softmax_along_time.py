# expect: misconception softmax_over_time
import numpy as np


class TimeSoftmaxWithLoss:
    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None
        self.ignore_label = -1

    def forward(self, xs, ts):
        N, T, V = xs.shape
        if ts.ndim == 3:
            ts = ts.argmax(axis=2)
        shifted = xs - xs.max(axis=1, keepdims=True)
        ys = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        ys = ys.reshape(N * T, V)
        ts = ts.reshape(N * T)
        mask = ts != self.ignore_label
        loss = -np.sum(np.log(ys[np.arange(N * T), ts]) * mask) / mask.sum()
        self.cache = (ts, ys, mask, (N, T, V))
        return loss

    def backward(self, dout=1):
        ts, ys, mask, (N, T, V) = self.cache
        dx = ys.copy()
        dx[np.arange(N * T), ts] -= 1
        dx = dx * dout / mask.sum() * mask[:, None]
        return dx.reshape(N, T, V)
