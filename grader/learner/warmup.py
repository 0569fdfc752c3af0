"""Starting the sandbox before the learner's code exists, so that grading does not wait for it.

The zygote is a fresh interpreter that imports NumPy and builds every isolation layer: about as long as
the rest of a ``submit`` put together. :func:`start` launches it from a background thread, as the first
thing ``submit`` does; :func:`prepare` does that and loads the grading code while the quiz shows a code
question. :func:`sandbox` waits for it when the code is graded. The zygote never sees the grader's
memory (it is exec'ed, not forked), so starting it early changes nothing it can reach.
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any

_lock = threading.Lock()
_thread: threading.Thread | None = None
_box: Any = None


def _start_box(factory: Callable[[], Any]) -> None:
    global _box
    try:
        box = factory()
    except Exception:
        return  # the grading that needs it starts its own and reports the problem there
    _box = box


def _close() -> None:
    # Waits for a start still under way (a command that failed early), so that no zygote outlives us.
    sandbox_ = sandbox()
    if sandbox_ is not None:
        sandbox_.close()


def start() -> None:
    """Starts the sandbox in the background (once per process); returns once the zygote is launching."""
    global _thread
    with _lock:
        if _thread is None:
            # Imported here, not in the thread: there it would share the interpreter with the caller's
            # own imports, and the zygote would be launched a few hundred milliseconds later.
            from grader.sandbox.sandbox import Sandbox

            _thread = threading.Thread(target=_start_box, args=(Sandbox,), name="eshikaku-sandbox-start", daemon=True)
            _thread.start()
            atexit.register(_close)


def sandbox() -> Any:
    """The sandbox started by :func:`start` once it is ready; None when none was started or it failed
    (:func:`grader.grading.codegrade.grade_code` then uses its own shared one)."""
    with _lock:
        thread = _thread
    if thread is None:
        return None
    thread.join()
    return _box


def prepare(practice: Any, item: Any) -> None:
    """While the learner reads a code question: the sandbox, the grading modules, the attempt and its
    reference module, all loaded in the background so that Enter waits only for the grading itself."""

    def work() -> None:
        try:
            start()
            # Everything Enter would otherwise import first: grading, the verdict's text and view, the review scheduler.
            import fsrs  # noqa: F401

            import grader.grading.codegrade
            import grader.grading.judge
            import grader.grading.report
            import grader.learner.srs
            import grader.learner.verdict  # noqa: F401
            from grader.bank.params import load_callable

            question = practice.attempt(item).attempt.question
            load_callable(question.reference)
        except Exception:
            pass  # only a head start: grading does the same work and reports any problem itself

    threading.Thread(target=work, name="eshikaku-grading-warmup", daemon=True).start()
