"""Convolution and pooling layers: im2col, col2im, Convolution, Pooling (DLFS interface).

Conventions (DLFS ``common/util.py``, ``common/layers.py``):

* feature maps are (N, C, H, W); filters are (FN, C, FH, FW);
* all layers compute cross-correlation (no kernel flip), as every framework;
* im2col rows are ordered (n, oh, ow) and columns (c, fh, fw);
* output sizes are floored (:func:`reference.cnn.conv_output_size`).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from reference.cnn import conv_output_size

__all__ = ["im2col", "col2im", "Convolution", "Pooling", "max_pool_forward", "max_pool_backward"]


# ----------------------------------------------------------- im2col/col2im


def _window_index(size: int, filter_size: int, stride: int) -> NDArray[np.intp]:
    """(out, filter) array: row o holds the input positions of window o."""
    n_out = (size - filter_size) // stride + 1
    return stride * np.arange(n_out)[:, None] + np.arange(filter_size)[None, :]


def im2col(input_data: NDArray, filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> NDArray[np.float64]:
    """Unfold every filter window into one row (DLFS layout).

    Parameters
    ----------
    input_data : ndarray of shape (N, C, H, W)
        Not modified.
    filter_h, filter_w : int
    stride : int, default 1
    pad : int, default 0

    Returns
    -------
    ndarray of shape (N * OH * OW, C * FH * FW), float64
        Rows in (n, oh, ow) order, columns in (c, fh, fw) order::

            col[(n*OH + i)*OW + j, (c*FH + p)*FW + q] = x_pad[n, c, i*S + p, j*S + q]

        so that a convolution is ``col @ W.reshape(FN, -1).T``.
    """
    n, c, h, w = input_data.shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    x = np.pad(input_data.astype(np.float64), ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    rows = _window_index(h + 2 * pad, filter_h, stride)  # (OH, FH)
    cols = _window_index(w + 2 * pad, filter_w, stride)  # (OW, FW)
    # fancy indexing -> (N, C, OH, OW, FH, FW)
    patches = x[:, :, rows[:, None, :, None], cols[None, :, None, :]]
    return patches.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * filter_h * filter_w)


def col2im(col: NDArray, input_shape: tuple[int, int, int, int], filter_h: int, filter_w: int,
           stride: int = 1, pad: int = 0) -> NDArray[np.float64]:
    """Fold rows back into an image, summing overlaps (adjoint of im2col).

    Parameters
    ----------
    col : ndarray of shape (N * OH * OW, C * FH * FW)
    input_shape : (N, C, H, W)
    filter_h, filter_w, stride, pad :
        As given to :func:`im2col`.

    Returns
    -------
    ndarray of shape (N, C, H, W), float64
        Every entry of ``col`` is added to the pixel it was read from;
        padding is cut off::

            <im2col(x), G> = <x, col2im(G)>      for all x, G

        Where windows overlap, ``col2im(im2col(x)) != x`` (pixels are
        counted once per window): col2im is the backward pass of im2col,
        not its inverse.
    """
    n, c, h, w = input_shape
    oh = conv_output_size(h, filter_h, stride, pad)
    ow = conv_output_size(w, filter_w, stride, pad)
    rows = _window_index(h + 2 * pad, filter_h, stride)
    cols = _window_index(w + 2 * pad, filter_w, stride)
    patches = col.reshape(n, oh, ow, c, filter_h, filter_w).transpose(0, 3, 1, 2, 4, 5)
    img = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    # np.add.at accumulates repeated indices (a plain += would keep only one)
    np.add.at(img, (slice(None), slice(None), rows[:, None, :, None], cols[None, :, None, :]), patches)
    return img[:, :, pad:pad + h, pad:pad + w]


# ------------------------------------------------------------------ layers


class Convolution:
    """Convolution layer via im2col.

    Parameters
    ----------
    W : ndarray of shape (FN, C, FH, FW)
    b : ndarray of shape (FN,)
        Both kept by reference.
    stride : int, default 1
    pad : int, default 0

    Notes
    -----
    ::

        forward:   col = im2col(x)                   (N*OH*OW, C*FH*FW)
                   out = col @ W.reshape(FN, -1).T + b  -> (N, FN, OH, OW)
        backward:  dW = (col.T @ dout2).T reshaped to (FN, C, FH, FW)
                   db = Σ dout over (N, OH, OW)
                   dx = col2im(dout2 @ W.reshape(FN, -1))
                   (dout2 = dout as (N*OH*OW, FN))
    """

    def __init__(self, W: NDArray[np.floating], b: NDArray[np.floating], stride: int = 1,
                 pad: int = 0) -> None:
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.x_shape: tuple[int, ...] | None = None
        self.col: NDArray | None = None
        self.dW: NDArray | None = None
        self.db: NDArray | None = None

    def forward(self, x: NDArray[np.floating]) -> NDArray[np.float64]:
        """x : (N, C, H, W) -> out : (N, FN, OH, OW)."""
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh = conv_output_size(h, fh, self.stride, self.pad)
        ow = conv_output_size(w, fw, self.stride, self.pad)
        self.x_shape = x.shape
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        out = self.col @ self.W.reshape(fn, -1).T + self.b  # (N*OH*OW, FN)
        return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)

    def backward(self, dout: NDArray[np.floating]) -> NDArray[np.float64]:
        """dout : (N, FN, OH, OW) -> dx : (N, C, H, W); sets dW, db."""
        fn, c, fh, fw = self.W.shape
        dout2 = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout2.sum(axis=0)
        self.dW = (self.col.T @ dout2).T.reshape(fn, c, fh, fw)
        dcol = dout2 @ self.W.reshape(fn, -1)
        return col2im(dcol, self.x_shape, fh, fw, self.stride, self.pad)


class Pooling:
    """Max pooling layer (最大値プーリング) via im2col, DLFS interface.

    Parameters
    ----------
    pool_h, pool_w : int
    stride : int, default 1
        As DLFS and the Rabbit course (PyTorch's ``MaxPool2d`` defaults to the
        window size instead); the networks of both books pass ``stride=2``.
    pad : int, default 0
        Padded with zeros, as DLFS's im2col (PyTorch pads with -inf).

    Notes
    -----
    ::

        forward:   out[n, c, i, j] = max of the window
        backward:  the gradient goes to the arg-max of each window (the
                   first maximum in row-major order on ties, as np.argmax);
                   overlapping windows add up.
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0) -> None:
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad
        self.x_shape: tuple[int, ...] | None = None
        self.arg_max: NDArray[np.intp] | None = None

    def forward(self, x: NDArray[np.floating]) -> NDArray[np.float64]:
        """x : (N, C, H, W) -> out : (N, C, OH, OW)."""
        n, c, h, w = x.shape
        oh = conv_output_size(h, self.pool_h, self.stride, self.pad)
        ow = conv_output_size(w, self.pool_w, self.stride, self.pad)
        # im2col columns are (c, ph, pw): one row per (n, oh, ow, c) window
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)
        self.x_shape = x.shape
        self.arg_max = np.argmax(col, axis=1)
        out = col[np.arange(col.shape[0]), self.arg_max]
        return out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout: NDArray[np.floating]) -> NDArray[np.float64]:
        """dout : (N, C, OH, OW) -> dx : (N, C, H, W)."""
        n, c, h, w = self.x_shape
        flat = dout.transpose(0, 2, 3, 1).reshape(-1)  # (n, oh, ow, c) order
        dcol = np.zeros((flat.size, self.pool_h * self.pool_w))
        dcol[np.arange(flat.size), self.arg_max] = flat
        dcol = dcol.reshape(-1, c * self.pool_h * self.pool_w)
        return col2im(dcol, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad)


def max_pool_forward(x: NDArray[np.floating], pool_h: int, pool_w: int,
                     stride: int) -> tuple[NDArray[np.floating], tuple]:
    """Max pooling forward pass, returning a cache for the backward pass.

    Parameters
    ----------
    x : ndarray of shape (N, C, H, W)
    pool_h, pool_w : int
    stride : int

    Returns
    -------
    out : ndarray of shape (N, C, OH, OW)
        ``OH = ⌊(H - pool_h) / stride⌋ + 1``; same dtype as ``x``.
    cache : tuple
        Opaque; pass it to :func:`max_pool_backward`.
    """
    n, c, h, w = x.shape
    windows = sliding_window_view(x, (pool_h, pool_w), axis=(2, 3))[:, :, ::stride, ::stride]
    flat = windows.reshape(windows.shape[:4] + (pool_h * pool_w,))  # (N, C, OH, OW, ph*pw)
    arg = np.argmax(flat, axis=-1)  # 同値なら行優先で最初の位置
    out = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    return out, (x.shape, arg, pool_h, pool_w, stride)


def max_pool_backward(dout: NDArray[np.floating], cache: tuple) -> NDArray[np.float64]:
    """Max pooling backward pass.

    Parameters
    ----------
    dout : ndarray of shape (N, C, OH, OW)
    cache : tuple
        From :func:`max_pool_forward`.

    Returns
    -------
    dx : ndarray of shape (N, C, H, W)
        ``dout[n, c, i, j]`` is added at the arg-max of window (i, j) (the
        first maximum in row-major order on ties); where windows overlap
        the contributions are summed, so ``dx.sum() == dout.sum()``.
    """
    x_shape, arg, pool_h, pool_w, stride = cache
    n, c, oh, ow = arg.shape
    rows = stride * np.arange(oh)[:, None] + arg // pool_w  # (N, C, OH, OW) by broadcasting
    cols = stride * np.arange(ow)[None, :] + arg % pool_w
    nn = np.arange(n)[:, None, None, None]
    cc = np.arange(c)[None, :, None, None]
    dx = np.zeros(x_shape)
    np.add.at(dx, (nn, cc, rows, cols), dout)  # 重なった窓の勾配は加算
    return dx
