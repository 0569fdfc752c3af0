"""Learner submissions for the questions on the book's activations and losses (3-1)."""

from tests.book_dlfs1.variants.kinds import Variant

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
""", named_by=('入力 `x` が変更されました',)),
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
""", named_by=('入力 `x` が変更されました',)),
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
]
