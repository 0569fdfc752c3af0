"""Tests for reference.conv_layers: im2col printouts (seeds 000/002), col2im as the adjoint, layers vs loops."""

import numpy as np
import pytest

from reference.cnn import conv_output_size
from reference.conv_layers import Convolution, Pooling, col2im, im2col, max_pool_backward, max_pool_forward
from reference.gradient import numerical_gradient

RNG = np.random.default_rng(5)


def direct_conv(x, W, b, stride, pad):
    """Gold: cross-correlation by explicit loops."""
    n, c, h, w = x.shape
    fn, _, fh, fw = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    out = np.zeros((n, fn, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
            out[:, :, i, j] = np.tensordot(patch, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def direct_maxpool(x, ph, pw, stride):
    n, c, h, w = x.shape
    oh, ow = (h - ph) // stride + 1, (w - pw) // stride + 1
    out = np.zeros((n, c, oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[:, :, i, j] = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].max(axis=(2, 3))
    return out


# ----------------------------------------------------------------- im2col

SEED000_INPUT = np.array([[[[4, 61, 35, 29], [63, 38, 23, 53], [32, 39, 12, 94], [78, 47, 38, 29]]],
                          [[[31, 60, 57, 74], [29, 84, 16, 9], [57, 77, 10, 8], [11, 49, 67, 60]]]], dtype=float)
SEED000_COL = np.array([
    [4, 61, 35, 63, 38, 23, 32, 39, 12],
    [61, 35, 29, 38, 23, 53, 39, 12, 94],
    [63, 38, 23, 32, 39, 12, 78, 47, 38],
    [38, 23, 53, 39, 12, 94, 47, 38, 29],
    [31, 60, 57, 29, 84, 16, 57, 77, 10],
    [60, 57, 74, 84, 16, 9, 77, 10, 8],
    [29, 84, 16, 57, 77, 10, 11, 49, 67],
    [84, 16, 9, 77, 10, 8, 49, 67, 60],
], dtype=float)


def test_im2col_reproduces_seed000_printout_exactly():
    col = im2col(SEED000_INPUT, 3, 3)
    assert col.shape == (8, 9) and col.dtype == np.float64
    np.testing.assert_array_equal(col, SEED000_COL)


def test_im2col_reproduces_seed002_printouts():
    x = np.array([[[[48, 2, 74, 50], [60, 0, 56, 22], [62, 44, 0, 95], [70, 60, 21, 76]]],
                  [[[56, 96, 73, 30], [80, 67, 13, 1], [62, 24, 85, 17], [69, 32, 60, 93]]]], dtype=float)
    np.testing.assert_array_equal(im2col(x, 3, 3), [
        [48, 2, 74, 60, 0, 56, 62, 44, 0], [2, 74, 50, 0, 56, 22, 44, 0, 95],
        [60, 0, 56, 62, 44, 0, 70, 60, 21], [0, 56, 22, 44, 0, 95, 60, 21, 76],
        [56, 96, 73, 80, 67, 13, 62, 24, 85], [96, 73, 30, 67, 13, 1, 24, 85, 17],
        [80, 67, 13, 62, 24, 85, 69, 32, 60], [67, 13, 1, 24, 85, 17, 32, 60, 93]])
    # 「transpose なし」: reshaping the (N, C, FH, FW, OH, OW) buffer directly gives the
    # second printout, which is not im2col's layout
    x2 = np.array([[[[14, 76, 97, 14], [44, 48, 34, 61], [2, 88, 9, 53], [35, 91, 1, 31]]],
                   [[[96, 41, 66, 64], [56, 57, 67, 31], [22, 75, 63, 49], [9, 30, 23, 17]]]], dtype=float)
    printed = np.array([
        [14, 76, 44, 48, 76, 97, 48, 34, 97], [14, 34, 61, 44, 48, 2, 88, 48, 34],
        [88, 9, 34, 61, 9, 53, 2, 88, 35], [91, 88, 9, 91, 1, 9, 53, 1, 31],
        [96, 41, 56, 57, 41, 66, 57, 67, 66], [64, 67, 31, 56, 57, 22, 75, 57, 67],
        [75, 63, 67, 31, 63, 49, 22, 75, 9], [30, 75, 63, 30, 23, 63, 49, 23, 17]], dtype=float)
    col6 = im2col(x2, 3, 3).reshape(2, 2, 2, 1, 3, 3).transpose(0, 3, 4, 5, 1, 2)  # (N, C, FH, FW, OH, OW)
    np.testing.assert_array_equal(col6.reshape(8, 9), printed)
    assert not np.array_equal(im2col(x2, 3, 3), printed)


def test_im2col_matches_loop_definition_with_stride_and_pad():
    x = RNG.normal(size=(2, 3, 5, 7))
    fh, fw, s, p = 3, 2, 2, 1
    col = im2col(x, fh, fw, s, p)
    oh, ow = conv_output_size(5, fh, s, p), conv_output_size(7, fw, s, p)
    assert col.shape == (2 * oh * ow, 3 * fh * fw)
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    for n in range(2):
        for i in range(oh):
            for j in range(ow):
                row = col[(n * oh + i) * ow + j]
                np.testing.assert_array_equal(row, xp[n, :, i * s:i * s + fh, j * s:j * s + fw].reshape(-1))


def test_im2col_shape_q28_int_input_and_no_mutation():
    assert im2col(np.zeros((10, 3, 32, 32)), 5, 5, 1, 2).shape == (10240, 75)
    x = np.arange(2 * 1 * 8 * 8).reshape(2, 1, 8, 8)
    saved = x.copy()
    col = im2col(x, 3, 3, 2)  # H = 8, k = 3, s = 2 -> OH = 3
    assert col.shape == (2 * 3 * 3, 9) and col.dtype.kind == "f"
    np.testing.assert_array_equal(x, saved)


def test_col2im_is_the_adjoint_of_im2col():
    x = RNG.normal(size=(2, 3, 6, 5))
    for fh, fw, s, p in [(3, 3, 1, 1), (2, 3, 2, 0), (3, 2, 2, 1)]:
        col = im2col(x, fh, fw, s, p)
        G = RNG.normal(size=col.shape)
        back = col2im(G, x.shape, fh, fw, s, p)
        assert back.shape == x.shape
        assert np.sum(col * G) == pytest.approx(np.sum(x * back), rel=1e-12)


def test_col2im_sums_overlaps_and_inverts_only_without_overlap():
    x = RNG.normal(size=(1, 1, 4, 4))
    np.testing.assert_allclose(col2im(im2col(x, 2, 2, 2), x.shape, 2, 2, 2), x)  # no overlap
    counts = col2im(im2col(np.ones((1, 1, 3, 3)), 2, 2), (1, 1, 3, 3), 2, 2)
    np.testing.assert_array_equal(counts[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


# ----------------------------------------------------------------- layers


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1)])
def test_convolution_forward_and_backward(stride, pad):
    x = RNG.normal(size=(2, 3, 5, 5))
    W, b = RNG.normal(size=(4, 3, 3, 3)), RNG.normal(size=4)
    layer = Convolution(W, b, stride, pad)
    out = layer.forward(x)
    np.testing.assert_allclose(out, direct_conv(x, W, b, stride, pad), atol=1e-12)
    R = RNG.normal(size=out.shape)
    dx = layer.backward(R)
    loss = lambda _: np.sum(direct_conv(x, W, b, stride, pad) * R)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), atol=1e-6)
    np.testing.assert_allclose(layer.dW, numerical_gradient(loss, W), atol=1e-6)
    np.testing.assert_allclose(layer.db, numerical_gradient(loss, b), atol=1e-6)


def test_pooling_layer_forward_backward_and_default_stride():
    x = RNG.normal(size=(2, 3, 4, 4))
    assert Pooling(2, 2).stride == 1  # the DLFS default
    layer = Pooling(2, 2, stride=2)
    out = layer.forward(x)
    np.testing.assert_array_equal(out, direct_maxpool(x, 2, 2, 2))
    R = RNG.normal(size=out.shape)
    dx = layer.backward(R)
    np.testing.assert_allclose(dx, numerical_gradient(lambda _: np.sum(direct_maxpool(x, 2, 2, 2) * R), x), atol=1e-8)


def test_max_pool_functions_match_layer_and_loop():
    x = RNG.normal(size=(2, 3, 4, 4))
    out, cache = max_pool_forward(x, 2, 2, 2)
    np.testing.assert_array_equal(out, direct_maxpool(x, 2, 2, 2))
    R = RNG.normal(size=out.shape)
    layer = Pooling(2, 2, 2)
    layer.forward(x)
    np.testing.assert_allclose(max_pool_backward(R, cache), layer.backward(R))


def test_max_pool_overlapping_windows_accumulate():
    x = RNG.normal(size=(2, 2, 7, 7))  # continuous data: no ties
    saved = x.copy()
    out, cache = max_pool_forward(x, 3, 3, 2)  # AlexNet style
    assert out.shape == (2, 2, 3, 3)
    R = RNG.normal(size=out.shape)
    dx = max_pool_backward(R, cache)
    np.testing.assert_allclose(dx, numerical_gradient(lambda _: np.sum(direct_maxpool(x, 3, 3, 2) * R), x), atol=1e-8)
    assert dx.sum() == pytest.approx(R.sum())
    layer = Pooling(3, 3, 2)
    layer.forward(x)
    np.testing.assert_allclose(layer.backward(R), dx)
    np.testing.assert_array_equal(x, saved)


def test_max_pool_tie_goes_to_first_position_and_odd_size():
    x = np.array([[[[1.0, 1.0], [0.0, 0.0]]]])
    _, cache = max_pool_forward(x, 2, 2, 2)
    np.testing.assert_array_equal(max_pool_backward(np.ones((1, 1, 1, 1)), cache)[0, 0], [[1, 0], [0, 0]])
    out, _ = max_pool_forward(RNG.normal(size=(1, 1, 5, 5)), 2, 2, 2)
    assert out.shape == (1, 1, 2, 2)
