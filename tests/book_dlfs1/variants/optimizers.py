"""Learner submissions for the questions on the book's optimisers (3-2)."""

from tests.book_dlfs1.variants.kinds import Variant

BUGGY: list[Variant] = [
    Variant("sgd_class", "ascent", """\
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for name in params:
            params[name] += self.lr * grads[name]
""", "ascent"),
    Variant("sgd_class", "rebinds", """\
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] = params[key] - self.lr * grads[key]
""", named_by=("その場で更新されていません", "params[key] -= self.lr * grads[key]")),
    Variant("momentum_class", "velocity_local", """\
import numpy as np

class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum

    def update(self, params, grads):
        for key in params:
            v = np.zeros_like(params[key])
            v = self.momentum * v - self.lr * grads[key]
            params[key] += v
""", "velocity_not_kept"),
    Variant("nesterov_class", "plain_momentum", """\
import numpy as np

class Nesterov:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(w) for k, w in params.items()}
        for k in params:
            self.v[k] = self.momentum * self.v[k] - self.lr * grads[k]
            params[k] += self.v[k]
""", named_by=("plain momentum",)),
    Variant("adagrad_class", "eps_in_sqrt", """\
import numpy as np

class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            self.h[key] = self.h[key] + grads[key] ** 2
            params[key] -= self.lr * grads[key] / np.sqrt(self.h[key] + 1e-7)
""", "eps_inside_sqrt"),
    Variant("rmsprop_class", "decay_swapped", """\
import numpy as np

class RMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(v) for k, v in params.items()}
        for k in params:
            self.h[k] *= 1 - self.decay_rate
            self.h[k] += self.decay_rate * grads[k] * grads[k]
            params[k] -= self.lr * grads[k] / (np.sqrt(self.h[k]) + 1e-7)
""", "rho_swapped"),
    Variant("adam_class", "no_bias_correction", """\
import numpy as np

class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(p) for k, p in params.items()}
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        for k in params:
            g = grads[k]
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * g * g
            params[k] -= self.lr * self.m[k] / (np.sqrt(self.v[k]) + 1e-8)
""", "no_bias_correction"),
    Variant("adam_class", "t_in_loop", """\
import numpy as np

class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.iter += 1
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1 ** self.iter)
            v_hat = self.v[key] / (1 - self.beta2 ** self.iter)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-8)
""", "t_per_key"),
    Variant("momentum_class", "uphill", """\
import numpy as np

class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(w) for k, w in params.items()}
        for k in params:
            self.v[k] = self.momentum * self.v[k] + self.lr * grads[k]
            params[k] += self.v[k]
""", "gradient_sign"),
    Variant("adagrad_class", "squared_not_accumulated", """\
import numpy as np

class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            h = grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(h) + 1e-7)
""", "h_overwritten"),
    Variant("rmsprop_class", "accumulates_like_adagrad", """\
import numpy as np

class RMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr, self.decay_rate, self.h = lr, decay_rate, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(v) for k, v in params.items()}
        for k in params:
            self.h[k] += grads[k] ** 2
            params[k] -= self.lr * grads[k] / (np.sqrt(self.h[k]) + 1e-7)
""", "adagrad_sum"),
    Variant("adam_class", "learning_rate_overwritten", """\
import numpy as np

class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter, self.m, self.v = 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        self.lr *= np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= self.lr * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)
""", "lr_overwritten"),
]

CONVENTIONS: list[Variant] = [
    Variant("sgd_class", "single_array_update", """\
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, w, g):
        w -= self.lr * g
""", "single_array_update"),
    Variant("sgd_class", "list_of_params", """\
class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for i in range(len(params)):
            params[i] -= self.lr * grads[i]
""", "list_params"),
    Variant("momentum_class", "pytorch_form", """\
import numpy as np

class Momentum:
    # PyTorch's form: buf = mu * buf + g; p -= lr * buf (the same steps while lr is constant)
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.buf = lr, momentum, {}

    def update(self, params, grads):
        for k in params:
            self.buf[k] = self.momentum * self.buf.get(k, 0.0) + grads[k]
            params[k] -= self.lr * self.buf[k]
"""),
    Variant("momentum_class", "moving_average_form", """\
import numpy as np

class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.beta, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        for k in params:
            self.v[k] = self.beta * self.v[k] + (1 - self.beta) * grads[k]
            params[k] -= self.lr * self.v[k]
""", "moving_average_form"),
    Variant("nesterov_class", "bengio_order", """\
import numpy as np

class Nesterov:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {k: np.zeros_like(w) for k, w in params.items()}
        mu = self.momentum
        for k in params:
            v_prev = self.v[k].copy()
            self.v[k] = mu * self.v[k] - self.lr * grads[k]
            params[k] += -mu * v_prev + (1 + mu) * self.v[k]
"""),
    Variant("adagrad_class", "eps_1e_8", """\
import numpy as np

class AdaGrad:
    def __init__(self, lr=0.01):
        self.lr, self.h = lr, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(v) for k, v in params.items()}
        for k in params:
            self.h[k] += grads[k] ** 2
            params[k] -= self.lr * grads[k] / (np.sqrt(self.h[k]) + 1e-8)
"""),
    Variant("rmsprop_class", "eps_1e_8", """\
import numpy as np

class RMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr, self.rho, self.h = lr, decay_rate, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros_like(v) for k, v in params.items()}
        for k in params:
            self.h[k] = self.rho * self.h[k] + (1 - self.rho) * grads[k] ** 2
            params[k] -= self.lr * grads[k] / (np.sqrt(self.h[k]) + 1e-8)
"""),
    Variant("adam_class", "paper_form_eps_1e_7", """\
import numpy as np

class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.b1, self.b2, self.t = lr, beta1, beta2, 0
        self.m, self.v = {}, {}

    def update(self, params, grads):
        self.t += 1
        for k, g in grads.items():
            self.m[k] = self.b1 * self.m.get(k, 0) + (1 - self.b1) * g
            self.v[k] = self.b2 * self.v.get(k, 0) + (1 - self.b2) * g * g
            m_hat = self.m[k] / (1 - self.b1 ** self.t)
            v_hat = self.v[k] / (1 - self.b2 ** self.t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + 1e-7)
"""),
    Variant("adam_class", "eps_inside_sqrt", """\
import numpy as np

class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.t, self.m, self.v = 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(p) for k, p in params.items()}
            self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self.t += 1
        for k in params:
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            params[k] -= self.lr * m_hat / np.sqrt(v_hat + 1e-8)
""", "eps_inside_sqrt"),
]
