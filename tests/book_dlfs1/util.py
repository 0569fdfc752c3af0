import numpy as np


def _out_size(size, filter_size, stride, pad):
    return (size + 2 * pad - filter_size) // stride + 1


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_data.shape
    oh, ow = _out_size(H, filter_h, stride, pad), _out_size(W, filter_w, stride, pad)
    padded = np.pad(input_data, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    col = np.zeros((N, oh, ow, C, filter_h, filter_w))  # float64, whatever the input
    for i in range(oh):
        for j in range(ow):
            col[:, i, j] = padded[:, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w]
    return col.reshape(N * oh * ow, C * filter_h * filter_w)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    N, C, H, W = input_shape
    oh, ow = _out_size(H, filter_h, stride, pad), _out_size(W, filter_w, stride, pad)
    windows = col.reshape(N, oh, ow, C, filter_h, filter_w)
    img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
    for i in range(oh):
        for j in range(ow):  # overlapping windows add up
            img[:, :, i * stride:i * stride + filter_h, j * stride:j * stride + filter_w] += windows[:, i, j]
    return img[:, :, pad:pad + H, pad:pad + W]
