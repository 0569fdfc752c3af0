# expect: misconception reset_after_product
# PyTorch / cuDNN: the reset gate multiplies h_prev @ Wh_h, with the matching backward.
import numpy as np


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


class GRU:
    def __init__(self, Wx, Wh):
        self.Wx, self.Wh = Wx, Wh
        self.dWx, self.dWh = None, None
        self.cache = None

    def forward(self, x, h_prev):
        H = self.Wh.shape[0]
        gx, gh = x @ self.Wx, h_prev @ self.Wh
        z = _sig(gx[:, :H] + gh[:, :H])
        r = _sig(gx[:, H : 2 * H] + gh[:, H : 2 * H])
        n = np.tanh(gx[:, 2 * H :] + r * gh[:, 2 * H :])
        self.cache = (x, h_prev, z, r, n, gh[:, 2 * H :])
        return (1 - z) * h_prev + z * n

    def backward(self, dh_next):
        x, h_prev, z, r, n, hn = self.cache
        a_n = dh_next * z * (1 - n**2)
        a_z = dh_next * (n - h_prev) * z * (1 - z)
        a_r = a_n * hn * r * (1 - r)
        a_x = np.concatenate([a_z, a_r, a_n], axis=1)  # gradients of x @ Wx
        a_h = np.concatenate([a_z, a_r, a_n * r], axis=1)  # gradients of h_prev @ Wh
        self.dWx = x.T @ a_x
        self.dWh = h_prev.T @ a_h
        return a_x @ self.Wx.T, dh_next * (1 - z) + a_h @ self.Wh.T
