# expect: misconception pytorch_gate_order
# The book's equations with the weights packed r, z, candidate (PyTorch's order).
import numpy as np


class GRU:
    def __init__(self, Wx, Wh):
        self.Wx, self.Wh = Wx, Wh
        self.dWx, self.dWh = None, None
        self.cache = None

    def forward(self, x, h_prev):
        H = self.Wh.shape[0]
        r = sigmoid(x @ self.Wx[:, :H] + h_prev @ self.Wh[:, :H])  # noqa: F821 (given)
        z = sigmoid(x @ self.Wx[:, H : 2 * H] + h_prev @ self.Wh[:, H : 2 * H])  # noqa: F821
        c = np.tanh(x @ self.Wx[:, 2 * H :] + (r * h_prev) @ self.Wh[:, 2 * H :])
        self.cache = (x, h_prev, z, r, c)
        return (1 - z) * h_prev + z * c

    def backward(self, dh_next):
        H = self.Wh.shape[0]
        x, h_prev, z, r, c = self.cache
        Whr, Whz, Whc = self.Wh[:, :H], self.Wh[:, H : 2 * H], self.Wh[:, 2 * H :]
        g_c = dh_next * z * (1 - c**2)
        g_rh = g_c @ Whc.T
        g_z = dh_next * (c - h_prev) * z * (1 - z)
        g_r = g_rh * h_prev * r * (1 - r)
        g = np.hstack((g_r, g_z, g_c))
        self.dWx = x.T @ g
        self.dWh = np.hstack((h_prev.T @ g_r, h_prev.T @ g_z, (r * h_prev).T @ g_c))
        dh_prev = dh_next * (1 - z) + r * g_rh + g_r @ Whr.T + g_z @ Whz.T
        return g @ self.Wx.T, dh_prev
