"""Running the bank's own code (references, preludes, misconceptions) in this process, under a time limit.

Trusted code is not sandboxed, but it can still be wrong: a reference that loops must not hang
``validate`` or a grading. In the main thread an interval timer interrupts it after ``TRUSTED_SECONDS``;
other threads (batch workers) rely on validate having run every reference on every case first.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import CodeType, FrameType, TracebackType

from grader.errors import BankFault

TRUSTED_SECONDS = 10.0  # ESHIKAKU_TRUSTED_SECONDS overrides it (a slow machine, or tests)


class TrustedTimeout(BankFault):
    """The bank's own code did not finish within the limit."""


class PreludeError(BankFault):
    """A question's prelude failed; ``lineno`` is the line inside the prelude."""

    def __init__(self, message: str, lineno: int) -> None:
        super().__init__(message)
        self.lineno = lineno


@functools.lru_cache(maxsize=512)
def compiled(source: str, filename: str) -> CodeType:
    """The bank's code compiled once per process (a grading runs the same preludes and misconceptions again)."""
    return compile(source, filename, "exec")


def run_prelude(prelude: str, namespace: dict[str, object]) -> None:
    """Executes a question's prelude into ``namespace``; any failure becomes a :class:`PreludeError`."""
    try:
        with time_limit("the prelude"):
            exec(compiled(prelude, "<prelude>"), namespace)
    except SyntaxError as exc:
        raise PreludeError(f"the prelude does not compile: SyntaxError: {exc.msg}", exc.lineno or 1) from None
    except TrustedTimeout:
        raise
    except Exception as exc:
        lineno = next((tb.tb_lineno for tb in _frames(exc.__traceback__) if tb.tb_frame.f_code.co_filename == "<prelude>"), 1)
        raise PreludeError(f"the prelude raised {type(exc).__name__}: {exc}", lineno) from None


def _frames(tb: TracebackType | None) -> Iterator[TracebackType]:
    while tb is not None:
        yield tb
        tb = tb.tb_next


@contextmanager
def time_limit(what: str, seconds: float | None = None) -> Iterator[None]:
    """Raises :class:`TrustedTimeout` naming ``what`` when the block runs longer than ``seconds``."""
    seconds = seconds or float(os.environ.get("ESHIKAKU_TRUSTED_SECONDS") or TRUSTED_SECONDS)
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise TrustedTimeout(f"{what} did not finish within the {seconds:g} s time limit for the bank's own code: "
                             "look for a loop that never ends (or work far larger than the case needs)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
