"""Mini-batch training loop (ミニバッチ学習) and its property checker.

One epoch visits every sample exactly once: permute the indices once, then
slice the permutation into batches (DLFS2 ``Trainer``; the corrected blanks
of seed 004 Q14). DLFS's ``np.random.choice(train_size, batch_size)`` draws
with replacement instead, so an "epoch" may repeat or skip samples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reference._propcheck import FailureLog, describe, too_few

__all__ = ["iterate_minibatches", "train_epoch", "record_epoch", "check_minibatches"]


def iterate_minibatches(
    data_x: NDArray,
    data_t: NDArray,
    batch_size: int,
    shuffle: bool = True,
) -> Iterator[tuple[NDArray, NDArray]]:
    """Yield the mini-batches of one epoch.

    Parameters
    ----------
    data_x : ndarray of shape (n, ...)
        Features.
    data_t : ndarray of shape (n, ...)
        Labels, aligned with ``data_x``.
    batch_size : int
    shuffle : bool, default True
        Draw one ``np.random.permutation(n)`` per call (so ``np.random.seed``
        controls it); False keeps the stored order.

    Yields
    ------
    batch_x : ndarray of shape (b, ...)
    batch_t : ndarray of shape (b, ...)
        b = batch_size, except for a shorter last batch when batch_size does
        not divide n::

            shuffle_idx = permutation(n)
            batch i:  data_x[shuffle_idx[i:i + batch_size]],
                      data_t[shuffle_idx[i:i + batch_size]]   (same indices: aligned)
    """
    n = len(data_x)
    shuffle_idx = np.random.permutation(n) if shuffle else np.arange(n)
    for i in range(0, n, batch_size):
        batch_idx = shuffle_idx[i:i + batch_size]
        yield data_x[batch_idx], data_t[batch_idx]


def train_epoch(
    data_x: NDArray,
    data_t: NDArray,
    batch_size: int,
    update: Callable[[NDArray, NDArray], Any],
) -> None:
    """Run one epoch: call ``update(batch_x, batch_t)`` for each shuffled batch.

    Parameters
    ----------
    data_x : ndarray of shape (n, ...)
    data_t : ndarray of shape (n, ...)
    batch_size : int
    update : callable (batch_x, batch_t) -> Any
        One parameter update (forward, backward, optimiser step).

    See :func:`iterate_minibatches` for the batches.
    """
    for batch_x, batch_t in iterate_minibatches(data_x, data_t, batch_size):
        update(batch_x, batch_t)


def record_epoch(data_x: NDArray, data_t: NDArray, batch_size: int) -> NDArray:
    """The record of one epoch in the form :func:`check_minibatches` judges.

    Parameters
    ----------
    data_x : 1-D ndarray of n values
    data_t : 1-D ndarray of n values, aligned with ``data_x``
    batch_size : int

    Returns
    -------
    ndarray of shape (2, n)
        Row 0: the ``batch_x`` of every batch of :func:`train_epoch`,
        concatenated in the order the batches are passed to ``update``;
        row 1: the ``batch_t`` concatenated the same way. Uses one
        ``np.random.permutation(n)``, so ``np.random.seed`` controls it.
    """
    xs: list[NDArray] = []
    ts: list[NDArray] = []
    train_epoch(data_x, data_t, batch_size, lambda bx, bt: (xs.append(np.asarray(bx)), ts.append(np.asarray(bt))))
    return np.array([np.concatenate(xs), np.concatenate(ts)])


def check_minibatches(values: dict[str, Any], results: list[Any]) -> list[str]:
    """Check the batches that a learner's training loop produced in many runs.

    Parameters
    ----------
    values : dict
        ``data_x`` : 1-D ndarray of n distinct values (e.g. ``np.arange(n)``);
        ``data_t`` : 1-D ndarray of n values aligned with it (e.g.
        ``10 * np.arange(n)``); ``batch_size`` : int (informational).
    results : list
        ``results[r]`` is the record of one epoch in run r: an ndarray of
        shape (2, n) whose row 0 is the ``batch_x`` of every batch
        concatenated in the order the batches were passed to ``update``, and
        row 1 the ``batch_t`` concatenated the same way.

    Returns
    -------
    list of str
        Empty when every rule holds:

        1. each result is an ndarray of shape (2, n);
        2. row 0 is a permutation of ``data_x`` (each sample exactly once);
        3. row 1 is aligned: ``row1[j] == data_t[k]`` where ``data_x[k] == row0[j]``;
        4. the order is the stored order in at most half of the runs (a
           correct shuffle gives it with probability 1/n!);
        5. the first sample is not the same in every run (checked only when
           a shuffle could not do that by chance: (1/n)^(R-1) < 1e-9).

    Raises
    ------
    ValueError
        If ``data_x`` has repeated values or ``data_t`` a different length.
    """
    data_x = np.asarray(values["data_x"]).reshape(-1)
    data_t = np.asarray(values["data_t"]).reshape(-1)
    n = data_x.size
    if data_t.size != n:
        raise ValueError("data_x and data_t must have the same length")
    label_of = dict(zip(data_x.tolist(), data_t.tolist()))
    if len(label_of) != n:
        raise ValueError("data_x must hold distinct values so that each sample is identifiable")

    short = too_few(results, 2)
    if short:
        return short
    log = FailureLog()
    orders: list[NDArray] = []
    for r, res in enumerate(results):
        if not isinstance(res, np.ndarray) or res.ndim != 2 or res.shape[0] != 2:
            log.add("type", f"run {r}: expected the epoch record as an ndarray of shape (2, {n}), "
                            f"got {describe(res)}")
            continue
        if res.shape[1] != n:
            log.add("count", f"run {r}: the batches hold {res.shape[1]} samples in total, expected "
                             f"{n}: one epoch must visit every sample exactly once")
            continue
        batch_x, batch_t = res
        try:
            is_permutation = np.array_equal(np.sort(batch_x), np.sort(data_x))
        except Exception:
            is_permutation = False
        if not is_permutation:
            log.add("permutation", f"run {r}: batch_x is not a permutation of data_x (some samples are "
                                   "repeated or missing): slice one np.random.permutation(n) instead "
                                   "of drawing indices with replacement (np.random.choice)")
            continue
        expected_t = np.array([label_of[v] for v in batch_x.tolist()])
        if not np.array_equal(batch_t, expected_t):
            log.add("aligned", f"run {r}: batch_t does not belong to batch_x: index data_x and data_t "
                               "with the same indices, data_x[shuffle_idx[i:i_end]] and "
                               "data_t[shuffle_idx[i:i_end]]")
            continue
        orders.append(batch_x)

    messages = log.messages()
    if orders and n >= 2:
        n_stored = sum(np.array_equal(o, data_x) for o in orders)
        if 2 * n_stored > len(orders):
            messages.append(f"in {n_stored} of {len(orders)} runs the batches follow the stored order: "
                            "the shuffle is computed but not used (data_x[i:i_end] instead of "
                            "data_x[shuffle_idx[i:i_end]])")
        elif (1.0 / n) ** (len(orders) - 1) < 1e-9 and len({o[0].item() for o in orders}) == 1:
            messages.append(f"the first sample is the same in all {len(orders)} runs although each run "
                            "is seeded differently: draw a new permutation on each call "
                            "(do not call np.random.seed inside the function)")
    return messages
