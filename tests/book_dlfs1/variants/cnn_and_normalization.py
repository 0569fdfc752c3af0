"""Learner submissions for the questions on the book's CNN layers, dropout and batch normalisation (3-3, 3-4, 3-7)."""

from tests.book_dlfs1.variants.kinds import Variant

BUGGY: list[Variant] = [
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
]

CONVENTIONS: list[Variant] = [
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
]
