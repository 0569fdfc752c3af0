# expect: misconception update_gradient_sign
import numpy as np


class GRU:
    def __init__(self, Wx, Wh):
        self.Wx, self.Wh = Wx, Wh
        self.dWx, self.dWh = None, None
        self.cache = None

    def forward(self, x, h_prev):
        H, H3 = self.Wh.shape
        Wxz, Wxr, Wx = self.Wx[:, :H], self.Wx[:, H : 2 * H], self.Wx[:, 2 * H :]
        Whz, Whr, Wh = self.Wh[:, :H], self.Wh[:, H : 2 * H], self.Wh[:, 2 * H :]

        z = sigmoid(np.dot(x, Wxz) + np.dot(h_prev, Whz))  # noqa: F821 (given)
        r = sigmoid(np.dot(x, Wxr) + np.dot(h_prev, Whr))  # noqa: F821
        h_hat = np.tanh(np.dot(x, Wx) + np.dot(r * h_prev, Wh))
        h_next = (1 - z) * h_prev + z * h_hat

        self.cache = (x, h_prev, z, r, h_hat)

        return h_next

    def backward(self, dh_next):
        H, H3 = self.Wh.shape
        Wxz, Wxr, Wx = self.Wx[:, :H], self.Wx[:, H : 2 * H], self.Wx[:, 2 * H :]
        Whz, Whr, Wh = self.Wh[:, :H], self.Wh[:, H : 2 * H], self.Wh[:, 2 * H :]
        x, h_prev, z, r, h_hat = self.cache

        dh_hat = dh_next * z
        dh_prev = dh_next * (1 - z)

        # tanh
        dt = dh_hat * (1 - h_hat**2)
        dWh = np.dot((r * h_prev).T, dt)
        dhr = np.dot(dt, Wh.T)
        dWx = np.dot(x.T, dt)
        dx = np.dot(dt, Wx.T)
        dh_prev += r * dhr

        # update gate (z)
        dz = dh_next * (h_prev - h_hat)
        dt = dz * z * (1 - z)
        dWhz = np.dot(h_prev.T, dt)
        dh_prev += np.dot(dt, Whz.T)
        dWxz = np.dot(x.T, dt)
        dx += np.dot(dt, Wxz.T)

        # reset gate (r)
        dr = dhr * h_prev
        dt = dr * r * (1 - r)
        dWhr = np.dot(h_prev.T, dt)
        dh_prev += np.dot(dt, Whr.T)
        dWxr = np.dot(x.T, dt)
        dx += np.dot(dt, Wxr.T)

        self.dWx = np.hstack((dWxz, dWxr, dWx))
        self.dWh = np.hstack((dWhz, dWhr, dWh))

        return dx, dh_prev
