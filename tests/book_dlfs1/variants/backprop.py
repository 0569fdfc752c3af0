"""Learner submissions for the questions on the book's layers, derivatives and the numerical gradient (3-2)."""

from tests.book_dlfs1.variants.kinds import Variant

BUGGY: list[Variant] = [
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
