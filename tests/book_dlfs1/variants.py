"""Learners' submissions written for the purpose: buggy ones, and ones right in another published convention.

Each is a whole submission as a learner would write it (not the misconception's own code), with what the
feedback must say about it: the misconception it behaves like and/or fragments of the feedback text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    question: str
    name: str
    source: str
    misconception: str | None = None  # the misconception the feedback names (None: a convention variant that passes)
    named_by: tuple[str, ...] = ()  # fragments the feedback text must contain


BUGGY: list[Variant] = [
    Variant("step_function", "ge_zero", """\
import numpy as np

def step_function(x):
    y = x >= 0
    return y.astype(np.int64)
""", "ge_zero"),
    Variant("step_function", "scalar_if", """\
def step_function(x):
    if x > 0:
        return 1
    return 0
""", "scalar_if"),
    Variant("sigmoid_function", "sign_flipped", """\
import numpy as np

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(x))
""", "sign_flipped"),
    Variant("sigmoid_function", "precedence", """\
import numpy as np

def sigmoid(x):
    return 1/1 + np.exp(-x)
""", "precedence"),
    Variant("stable_sigmoid", "books_sigmoid_warns", """\
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))
""", "overflow_in_exp"),
    Variant("sum_squared_error_function", "no_half", """\
import numpy as np

def sum_squared_error(y, t):
    return np.square(y - t).sum()
""", "no_half"),
    Variant("mean_squared_error_function", "divides_by_batch", """\
import numpy as np

def mean_squared_error(d, y):
    batch_size = d.shape[0] if d.ndim > 1 else 1
    return 0.5 * np.sum((d - y) ** 2) / batch_size
""", "batch_size_mean"),
    Variant("cross_entropy_error_function", "no_delta", """\
import numpy as np

def cross_entropy_error(y, t):
    if y.ndim == 1:
        y = y.reshape(1, -1)
        t = t.reshape(1, -1)
    if t.size == y.size:
        t = np.argmax(t, axis=1)
    batch = y.shape[0]
    return -np.log(y[np.arange(batch), t]).sum() / batch
""", "no_delta"),
    Variant("cross_entropy_error_function", "one_hot_only", """\
import numpy as np

def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size
""", "one_hot_only"),
    Variant("sigmoid_grad_function", "output_passed", """\
import numpy as np

def sigmoid_grad(y):
    return (1.0 - y) * y
""", "output_as_input"),
    Variant("relu_grad_function", "relu_value", """\
import numpy as np

def relu_grad(x):
    return np.where(x > 0, x, 0)
""", "returns_relu"),
    Variant("numerical_gradient_central", "one_element", """\
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        v = x[idx]
        grad[idx] = (f(v + h) - f(v - h)) / (2 * h)
    return grad
""", "element_passed_to_f"),
    Variant("numerical_gradient_central", "copies_x", """\
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=['multi_index'])
    while not it.finished:
        i = it.multi_index
        plus = x.copy()
        plus[i] = plus[i] + h
        minus = x.copy()
        minus[i] = minus[i] - h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
        it.iternext()
    return grad
""", "perturbs_a_copy"),
    Variant("numerical_gradient_central", "forward_difference", """\
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    base = f(x)
    for idx in np.ndindex(*x.shape):
        keep = x[idx]
        x[idx] = keep + h
        grad[idx] = (f(x) - base) / h
        x[idx] = keep
    return grad
""", "forward_difference"),
    Variant("relu_layer", "dout_sign", """\
import numpy as np

class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout):
        dx = dout.copy()
        dx[dx < 0] = 0
        return dx
""", "mask_from_dout"),
    Variant("sigmoid_layer", "input_not_output", """\
import numpy as np

class Sigmoid:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return 1 / (1 + np.exp(-x))

    def backward(self, dout):
        return dout * self.x * (1 - self.x)
""", "uses_input"),
    Variant("sigmoid_layer", "sigmoid_twice", """\
import numpy as np

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def sigmoid_grad(x):
    return (1.0 - sigmoid(x)) * sigmoid(x)

class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * sigmoid_grad(self.out)
""", "sigmoid_of_output"),
    Variant("affine_layer", "db_mean", """\
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(len(x), -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.mean(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.shape)
""", "db_mean"),
    Variant("affine_layer", "copies_weights", """\
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W = np.array(W)
        self.b = np.array(b)

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(len(x), -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(self.shape)
""", "weights_copied"),
    Variant("softmax_with_loss", "aliased_y", """\
import numpy as np

class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        c = np.max(x, axis=1, keepdims=True)
        e = np.exp(x - c)
        self.y = e / np.sum(e, axis=1, keepdims=True)
        n = x.shape[0]
        idx = t if t.ndim == 1 else np.argmax(t, axis=1)
        return -np.sum(np.log(self.y[np.arange(n), idx] + 1e-7)) / n

    def backward(self, dout=1):
        n = self.y.shape[0]
        if self.t.ndim == 2:
            return (self.y - self.t) / n
        grad = self.y
        grad[np.arange(n), self.t] -= 1
        return grad / n
""", "aliases_y"),
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
""", named_by=("updated in place", "params[key] -= self.lr * grads[key]")),
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
    Variant("im2col_function", "reshape_without_transpose", """\
import numpy as np

def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    oh = (H + 2 * pad - filter_h) // stride + 1
    ow = (W + 2 * pad - filter_w) // stride + 1
    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((N, C, filter_h, filter_w, oh, ow))
    for y in range(filter_h):
        for x in range(filter_w):
            col[:, :, y, x] = img[:, :, y:y + stride * oh:stride, x:x + stride * ow:stride]
    return col.reshape(N * oh * ow, -1)
""", "no_transpose"),
    Variant("im2col_function", "padding_twice", """\
import numpy as np

def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    p = 2 * pad
    img = np.pad(input_data, ((0, 0), (0, 0), (p, p), (p, p)), "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
    for y in range(filter_h):
        for x in range(filter_w):
            col[:, :, y, x, :, :] = img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)
""", "double_padding"),
    Variant("col2im_function", "assigns", """\
import numpy as np

def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(filter_h):
        for x in range(filter_w):
            img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] = col[:, :, y, x, :, :]
    return img[:, :, pad:H + pad, pad:W + pad]
""", "assigns_instead_of_adding"),
    Variant("convolution_forward", "filter_reshaped_wrongly", """\
class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h = 1 + (H + 2 * self.pad - FH) // self.stride
        out_w = 1 + (W + 2 * self.pad - FW) // self.stride
        self.x = x
        self.col = im2col(x, FH, FW, self.stride, self.pad)
        self.col_W = self.W.reshape(-1, FN)
        out = self.col.dot(self.col_W) + self.b
        return out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        FN, C, FH, FW = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)
        self.db = dout.sum(axis=0)
        self.dW = self.col.T.dot(dout).reshape(FN, C, FH, FW)
        return col2im(dout.dot(self.col_W.T), self.x.shape, FH, FW, self.stride, self.pad)
""", "filter_not_transposed"),
    Variant("max_pool", "overlap_overwritten", """\
import numpy as np

class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        s = self.stride
        oh = (H - self.pool_h) // s + 1
        ow = (W - self.pool_w) // s + 1
        self.x_shape = x.shape
        out = np.zeros((N, C, oh, ow))
        self.argmax = np.zeros((N, C, oh, ow), dtype=int)
        for i in range(oh):
            for j in range(ow):
                window = x[:, :, i * s:i * s + self.pool_h, j * s:j * s + self.pool_w].reshape(N, C, -1)
                out[:, :, i, j] = window.max(axis=-1)
                self.argmax[:, :, i, j] = window.argmax(axis=-1)
        return out

    def backward(self, dout):
        N, C = self.x_shape[:2]
        s = self.stride
        dx = np.zeros(self.x_shape)
        for n in range(N):
            for c in range(C):
                for i in range(dout.shape[2]):
                    for j in range(dout.shape[3]):
                        r, q = divmod(self.argmax[n, c, i, j], self.pool_w)
                        dx[n, c, i * s + r, j * s + q] = dout[n, c, i, j]
        return dx
""", "overlaps_assigned"),
    Variant("dropout_layer", "mask_at_inference", """\
import numpy as np

class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        self.mask = np.random.rand(*x.shape) > self.dropout_ratio
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask
""", "train_flg_ignored"),
    Variant("batch_norm_forward", "sample_variance", """\
import numpy as np

class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var

    def forward(self, x, train_flg=True):
        shape = x.shape
        x = x.reshape(shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu = np.mean(x, axis=0)
            var = np.var(x, axis=0, ddof=1)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            mu, var = self.running_mean, self.running_var
        xn = (x - mu) / np.sqrt(var + 10e-7)
        return (self.gamma * xn + self.beta).reshape(shape)
""", "unbiased_variance"),
    Variant("batchnorm_backward", "treats_statistics_as_constants", """\
import numpy as np

class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma, self.beta = gamma, beta

    def forward(self, x, train_flg=True):
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.std = np.sqrt(x.var(axis=0) + 10e-7)
        self.xn = (x - x.mean(axis=0)) / self.std
        return (self.gamma * self.xn + self.beta).reshape(self.input_shape)

    def backward(self, dout):
        dout = dout.reshape(dout.shape[0], -1)
        self.dbeta = np.sum(dout, axis=0)
        self.dgamma = np.sum(dout * self.xn, axis=0)
        dx = self.gamma / self.std * dout
        return dx.reshape(self.input_shape)
""", "statistics_as_constants"),
    Variant("softmax_function", "global_constant", """\
import numpy as np

def softmax(a):
    c = np.max(a)
    exp_a = np.exp(a - c)
    return exp_a / np.sum(exp_a, axis=-1, keepdims=True)
""", "global_max"),
    Variant("softmax_function", "shift_in_place", """\
import numpy as np

def softmax(x):
    x -= x.max(axis=-1, keepdims=True)
    np.exp(x, out=x)
    return x / x.sum(axis=-1, keepdims=True)
""", named_by=('the input `x` was modified',)),
    Variant("softmax_function", "unguarded_exp", """\
import numpy as np

def softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
""", "no_max_shift"),
    Variant("relu_function", "np_max", """\
import numpy as np

def relu(x):
    return np.max(0, x)
""", "np_max_instead_of_maximum"),
    Variant("relu_function", "zeroes_in_place", """\
import numpy as np

def relu(x):
    x[x < 0] = 0
    return x
""", named_by=('the input `x` was modified',)),
    Variant("step_function", "threshold", """\
import numpy as np

def step_function(x):
    return (x > 1e-7).astype(int)
""", "threshold_not_zero"),
    Variant("sigmoid_function", "math_module", """\
import math

def sigmoid(x):
    return 1 / (1 + math.exp(-x))
""", "math_exp"),
    Variant("sigmoid_grad_function", "exp_form", """\
import numpy as np

def sigmoid_grad(x):
    e = np.exp(x)
    return e / (1 + e) ** 2
""", "exp_ratio_overflow"),
    Variant("relu_grad_function", "reversed", """\
import numpy as np

def relu_grad(x):
    grad = np.ones_like(x)
    grad[x > 0] = 0
    return grad
""", "reversed"),
    Variant("relu_layer", "mask_multiplied", """\
import numpy as np

class Relu:
    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        return dout * self.mask
""", "mask_reversed"),
    Variant("sigmoid_layer", "without_one_minus", """\
import numpy as np

class Sigmoid:
    def forward(self, x):
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out
""", "missing_one_minus"),
    Variant("affine_layer", "dw_wrong_order", """\
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(dout.T, self.x)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(*self.original_x_shape)
""", "dw_transposed"),
    Variant("affine_layer", "flat_dx", """\
import numpy as np

class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
""", "dx_not_reshaped"),
    Variant("softmax_with_loss", "gradient_not_averaged", """\
import numpy as np

class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        e = np.exp(x - x.max(axis=1, keepdims=True))
        self.y = e / e.sum(axis=1, keepdims=True)
        n = len(x)
        labels = t if t.ndim == 1 else t.argmax(axis=1)
        return -np.log(self.y[np.arange(n), labels] + 1e-7).sum() / n

    def backward(self, dout=1):
        n = len(self.y)
        if self.t.size == self.y.size:
            return self.y - self.t
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx
""", "not_divided_by_n"),
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
    Variant("dropout_layer", "keeps_with_probability_p", """\
import numpy as np

class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) < self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
""", named_by=('the mask keeps units with probability dropout_ratio instead',)),
    Variant("col2im_function", "crops_the_wrong_corner", """\
import numpy as np

def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    out_h = (H + 2 * pad - filter_h) // stride + 1
    out_w = (W + 2 * pad - filter_w) // stride + 1
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1))
    for y in range(filter_h):
        for x in range(filter_w):
            img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] += col[:, :, y, x, :, :]
    return img[:, :, :H, :W]
""", "padding_not_cropped"),
    Variant("max_pool", "all_maxima_get_the_gradient", """\
import numpy as np

class Pooling:
    def __init__(self, pool_h, pool_w, stride=1, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        N, C, H, W = x.shape
        ph, pw, s = self.pool_h, self.pool_w, self.stride
        oh, ow = (H - ph) // s + 1, (W - pw) // s + 1
        self.x = x
        self.out = np.zeros((N, C, oh, ow))
        for i in range(oh):
            for j in range(ow):
                self.out[:, :, i, j] = np.max(x[:, :, i*s:i*s+ph, j*s:j*s+pw], axis=(2, 3))
        return self.out

    def backward(self, dout):
        ph, pw, s = self.pool_h, self.pool_w, self.stride
        dx = np.zeros_like(self.x)
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                window = self.x[:, :, i*s:i*s+ph, j*s:j*s+pw]
                peak = self.out[:, :, i, j][:, :, None, None]
                dx[:, :, i*s:i*s+ph, j*s:j*s+pw] += (window == peak) * dout[:, :, i, j][:, :, None, None]
        return dx
""", "gradient_to_every_tie"),
    Variant("batch_norm_forward", "layer_norm_axis", """\
import numpy as np

class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean = running_mean
        self.running_var = running_var

    def forward(self, x, train_flg=True):
        shape = x.shape
        x = x.reshape(shape[0], -1)
        mean = np.mean(x, axis=1, keepdims=True)
        var = np.var(x, axis=1, keepdims=True)
        return (self.gamma * (x - mean) / np.sqrt(var + 1e-6) + self.beta).reshape(shape)
""", "per_sample_statistics"),
    Variant("cross_entropy_error_function", "summed_over_batch", """\
import numpy as np

def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    return -np.sum(np.log(y[np.arange(y.shape[0]), t] + 1e-7))
""", "batch_sum"),
    Variant("sum_squared_error_function", "averaged", """\
import numpy as np

def sum_squared_error(y, t):
    return 0.5 * np.mean((y - t) ** 2)
""", "mean_not_sum"),
    Variant("numerical_gradient_central", "h_rounds_away", """\
import numpy as np

def numerical_gradient(f, x):
    h = 1e-50
    grad = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        tmp = x[idx]
        x[idx] = tmp + h
        a = f(x)
        x[idx] = tmp - h
        b = f(x)
        x[idx] = tmp
        grad[idx] = (a - b) / (2 * h)
    return grad
""", "h_too_small"),
]

CONVENTIONS: list[Variant] = [
    Variant("step_function", "where_float", """\
import numpy as np

def step_function(x):
    return np.where(x > 0, 1.0, 0.0)
"""),
    Variant("sum_squared_error_function", "target_first", """\
import numpy as np

def sum_squared_error(t, y):
    return 0.5 * np.sum((t - y) ** 2)
"""),
    Variant("mean_squared_error_function", "prediction_first", """\
import numpy as np

def mean_squared_error(y, t):
    return 0.5 * np.mean((y - t) ** 2)
"""),
    Variant("cross_entropy_error_function", "rabbit_teacher_first", """\
import numpy as np

def cross_entropy_error(d, y):
    if y.ndim == 1:
        d = d.reshape(1, d.size)
        y = y.reshape(1, y.size)
    # 教師データが one-hot-vector の場合、正解ラベルのインデックスに変換
    if d.size == y.size:
        d = d.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), d] + 1e-7)) / batch_size
""", "teacher_first"),
    Variant("cross_entropy_error_function", "clip_instead_of_delta", """\
import numpy as np

def cross_entropy_error(y, t):
    y = np.atleast_2d(y)
    if t.size == y.size:
        t = t.reshape(y.shape).argmax(axis=-1)
    t = np.asarray(t).reshape(-1)
    picked = np.clip(y[np.arange(len(y)), t], 1e-7, 1.0)
    return -np.mean(np.log(picked))
"""),
    Variant("relu_grad_function", "course_d_relu", """\
import numpy as np

def relu_grad(x):
    return np.where(x > 0, 1, 0)
"""),
    Variant("affine_layer", "matmul_operator", """\
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(0)
        return (dout @ self.W.T).reshape(self.x_shape)
"""),
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
    Variant("dropout_layer", "inverted_dropout", """\
import numpy as np

class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.p = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if not train_flg:
            return x
        self.mask = (np.random.rand(*x.shape) >= self.p) / (1 - self.p)
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask
""", "inference_not_scaled"),
    Variant("dropout_inverted", "books_non_inverted", """\
import numpy as np

class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
""", "non_inverted_inference"),
    Variant("dropout_layer", "train_flag_spelling", """\
import numpy as np

class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flag=True):
        if train_flag:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask
""", "train_flag_name"),
    Variant("max_pool", "pytorch_default_stride", """\
import numpy as np

class Pooling:
    # PyTorch's MaxPool2d: the stride defaults to the window size
    def __init__(self, pool_h, pool_w, stride=None, pad=0):
        self.pool_h, self.pool_w, self.pad = pool_h, pool_w, pad
        self.stride = pool_h if stride is None else stride

    def forward(self, x):
        N, C, H, W = x.shape
        s, ph, pw = self.stride, self.pool_h, self.pool_w
        oh, ow = (H - ph) // s + 1, (W - pw) // s + 1
        self.x_shape = x.shape
        self.arg = np.zeros((N, C, oh, ow), dtype=int)
        out = np.zeros((N, C, oh, ow))
        for i in range(oh):
            for j in range(ow):
                win = x[:, :, i*s:i*s+ph, j*s:j*s+pw].reshape(N, C, -1)
                out[:, :, i, j] = win.max(axis=2)
                self.arg[:, :, i, j] = win.argmax(axis=2)
        return out

    def backward(self, dout):
        N, C = self.x_shape[:2]
        s, pw = self.stride, self.pool_w
        dx = np.zeros(self.x_shape)
        n, c = np.meshgrid(np.arange(N), np.arange(C), indexing="ij")
        for i in range(dout.shape[2]):
            for j in range(dout.shape[3]):
                a = self.arg[:, :, i, j]
                np.add.at(dx, (n, c, i*s + a // pw, j*s + a % pw), dout[:, :, i, j])
        return dx
""", "default_stride_two"),
    Variant("batch_norm_forward", "pytorch_eps", """\
import numpy as np

class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None, eps=1e-5):
        self.gamma, self.beta, self.momentum, self.eps = gamma, beta, momentum, eps
        self.running_mean, self.running_var = running_mean, running_var

    def forward(self, x, train_flg=True):
        flat = x.reshape(len(x), -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(flat.shape[1])
            self.running_var = np.zeros(flat.shape[1])
        if train_flg:
            mu, var = flat.mean(0), flat.var(0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            mu, var = self.running_mean, self.running_var
        return (self.gamma * (flat - mu) / np.sqrt(var + self.eps) + self.beta).reshape(x.shape)
"""),
    Variant("batch_norm_forward", "train_flag_spelling", """\
import numpy as np

class BatchNormalization:
    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma, self.beta, self.momentum = gamma, beta, momentum
        self.running_mean, self.running_var = running_mean, running_var

    def forward(self, x, train_flag=True):
        flat = x.reshape(len(x), -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(flat.shape[1])
            self.running_var = np.zeros(flat.shape[1])
        if train_flag:
            mu, var = flat.mean(0), flat.var(0)
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            mu, var = self.running_mean, self.running_var
        return (self.gamma * (flat - mu) / np.sqrt(var + 1e-6) + self.beta).reshape(x.shape)
""", "train_flag_name"),
    Variant("softmax_function", "columns_are_samples", """\
import numpy as np

def softmax(x):
    # one sample per column, classes on axis 0
    e = np.exp(x - x.max(axis=0))
    return e / e.sum(axis=0)
""", "classes_on_axis_0"),
    Variant("softmax_function", "old_transpose_version", """\
import numpy as np

def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))
"""),
    Variant("numerical_gradient_central", "course_1d_only", """\
import numpy as np

def numerical_gradient(f, x):
    h = 1e-4
    grad = np.zeros_like(x)
    for idx in range(x.size):
        tmp_val = x[idx]
        x[idx] = tmp_val + h
        fxh1 = f(x)
        x[idx] = tmp_val - h
        fxh2 = f(x)
        grad[idx] = (fxh1 - fxh2) / (2 * h)
        x[idx] = tmp_val
    return grad
""", "one_dimensional_only_no_float"),
]
