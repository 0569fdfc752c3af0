"""Checking the questions of a bank on every core: forked workers, each with its own sandbox.

The proofs of one question depend on nothing of another's, and most of their cost is pure Python
(formulas evaluated over every parameter draw, cases built and judged), which threads cannot share
out. Workers are forked from the validating process, so they start with the bank it has loaded; each
checks every n-th question and sends back what it found (plain data between processes of ours), and
the results are put back in the bank's order, so the report is the same for any number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS_PER_WORKER = 20  # below this, starting a worker and its sandbox costs more than it saves

_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # what forked workers inherit


def worker_count(items: int) -> int:
    """How many workers ``items`` questions are worth on this machine (1: check them here)."""
    return max(1, min(os.cpu_count() or 1, items // MIN_ITEMS_PER_WORKER))


def can_fork() -> bool:
    """Forking is safe here: POSIX fork, and no other thread (whose locks a child would inherit held).
    A sandbox already started stays its parent's (:func:`grader.grading.codegrade.shared_sandbox`)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _run_share(share: int, workers: int) -> list[Any]:
    from grader.grading.codegrade import close_shared_sandbox

    assert _task is not None
    func, items = _task
    try:
        return [func(item) for item in items[share::workers]]
    finally:
        close_shared_sandbox()  # this worker's own, started by its first code question


def map_in_workers(func: Callable[[Item], Result], items: Sequence[Item], workers: int) -> list[Result]:
    """``[func(item) for item in items]``, computed by ``workers`` forked processes when that is safe
    and worth it, else here. ``func`` and ``items`` are inherited, not sent; each result is pickled back."""
    global _task
    if workers > 1 and can_fork():
        _task = (func, items)
        try:  # an executor, not a Pool: a worker that dies breaks it at once instead of leaving a task unanswered
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as executor:
                shares = list(executor.map(_run_share, range(workers), [workers] * workers))
        except BrokenProcessPool:  # a worker crashed (in C code of the bank's): check here, as without workers
            shares = []
        finally:
            _task = None
        if shares:
            results: list[Any] = [None] * len(items)
            for share, found in enumerate(shares):
                results[share::workers] = found
            return results
    return [func(item) for item in items]
