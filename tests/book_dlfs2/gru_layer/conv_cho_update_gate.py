# expect: misconception z_keeps_old_state
# Cho et al. (2014) / PyTorch: h_t = z * h_{t-1} + (1 - z) * candidate, with the matching backward.
import numpy as np


def _sig(v):
    return 1.0 / (1.0 + np.exp(-v))


class GRU:
    def __init__(self, Wx, Wh):
        self.Wx, self.Wh = Wx, Wh
        self.dWx, self.dWh = None, None
        self.cache = None

    def _blocks(self, W):
        H = self.Wh.shape[0]
        return W[:, :H], W[:, H : 2 * H], W[:, 2 * H :]

    def forward(self, x, h_prev):
        (xz, xr, xh), (hz, hr, hh) = self._blocks(self.Wx), self._blocks(self.Wh)
        z = _sig(x @ xz + h_prev @ hz)
        r = _sig(x @ xr + h_prev @ hr)
        cand = np.tanh(x @ xh + (r * h_prev) @ hh)
        self.cache = (x, h_prev, z, r, cand)
        return z * h_prev + (1 - z) * cand

    def backward(self, dh_next):
        (xz, xr, xh), (hz, hr, hh) = self._blocks(self.Wx), self._blocks(self.Wh)
        x, h_prev, z, r, cand = self.cache
        a_h = dh_next * (1 - z) * (1 - cand**2)  # through the candidate's tanh
        d_rh = a_h @ hh.T
        a_z = dh_next * (h_prev - cand) * z * (1 - z)
        a_r = d_rh * h_prev * r * (1 - r)
        dh_prev = dh_next * z + d_rh * r + a_z @ hz.T + a_r @ hr.T
        dx = a_h @ xh.T + a_z @ xz.T + a_r @ xr.T
        self.dWx = np.concatenate([x.T @ a_z, x.T @ a_r, x.T @ a_h], axis=1)
        self.dWh = np.concatenate([h_prev.T @ a_z, h_prev.T @ a_r, (r * h_prev).T @ a_h], axis=1)
        return dx, dh_prev
