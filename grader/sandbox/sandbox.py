"""Run untrusted learner code in a fresh, isolated worker process per submission.

Linux: a warm, secret-free zygote (:mod:`grader.sandbox.zygote`) forks one child per submission; the child
gets its own session, rlimits, no capabilities, a user + network namespace when the kernel allows,
Landlock and a seccomp deny-list before the entry runs. Elsewhere (or with ``ESHIKAKU_SANDBOX=spawn``)
each submission gets a fresh interpreter with rlimits where the OS honours them and a wall deadline.

The grader and the child talk through pipes only: a request (opaque bytes) in, length-prefixed result
frames (opaque bytes) out, stdout/stderr captured up to a cap. Nothing is ever unpickled or parsed
from the child here except the frame lengths; verdicts are computed by the caller from the frames.

This module is the public API (:class:`Sandbox`, :class:`SandboxPool`, :func:`layer_status`); the fork
path's client is :mod:`grader.sandbox.zygote_client`, the portable path :mod:`grader.sandbox.portable`.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from grader.sandbox.isolation import LayerStatus
from grader.sandbox.portable import SpawnBackend, spawn_status
from grader.sandbox.results import OUTCOMES, Limits, RunResult, SandboxError, Stage
from grader.sandbox.zygote_client import ZygoteBackend

DEFAULT_LIMITS = Limits()

__all__ = ["Limits", "RunResult", "Sandbox", "SandboxPool", "SandboxError", "Stage", "LayerStatus", "layer_status", "doctor_layers",
           "sandbox_mode", "OUTCOMES"]


def sandbox_mode() -> str:
    """"fork" (Linux zygote) or "spawn" (fresh interpreter per run); ``ESHIKAKU_SANDBOX`` overrides."""
    value = os.environ.get("ESHIKAKU_SANDBOX", "auto").strip().lower() or "auto"
    if value == "auto":
        return "fork" if sys.platform.startswith("linux") else "spawn"
    if value not in ("fork", "spawn"):
        raise SandboxError(f"ESHIKAKU_SANDBOX must be auto, fork or spawn, not {value!r}")
    if value == "fork" and not sys.platform.startswith("linux"):
        raise SandboxError("ESHIKAKU_SANDBOX=fork needs Linux")
    return value


class Sandbox:
    """One warm zygote (Linux) or a fresh-interpreter launcher (elsewhere).

    Thread-safe: concurrent ``run`` calls on one Sandbox are serialised (one child at a time per
    zygote); use :class:`SandboxPool` for parallelism. Create it *before* loading hidden cases:
    the zygote is a fresh interpreter either way, but starting it early keeps the first run warm.

    Args:
        entry: ``"module:function"`` imported by the zygote before any learner code; called in the
            child as ``function(request: bytes, send: Callable[[bytes], None])``. It must import at
            module level everything it needs: the project's files are unreadable from the child.
        limits: default limits for :meth:`run`.
        mode: ``"fork"`` or ``"spawn"``; default from ``ESHIKAKU_SANDBOX`` (``auto``).
        disable: layers to leave off (``"userns"``, ``"pidns"``, ``"scratchfs"``, ``"landlock"``,
            ``"seccomp"``); for tests and diagnosis only.
        interactive: someone waits for each verdict (quiz, submit): children waiting for their
            run rehearse one (:func:`grader.sandbox.harness.prepare`), which makes verdicts quicker
            and costs CPU. A batch's pool is not interactive.
    """

    def __init__(self, entry: str = "grader.sandbox.harness:child_main", limits: Limits = DEFAULT_LIMITS, *,
                 mode: str | None = None, disable: Iterable[str] = (), interactive: bool = True) -> None:
        self.entry = entry
        self.limits = limits
        self.mode = mode or sandbox_mode()
        disable = tuple(sorted(set(disable)))
        unknown = set(disable) - {"userns", "pidns", "scratchfs", "landlock", "seccomp"}
        if unknown:
            raise ValueError(f"unknown layers to disable: {sorted(unknown)}")
        self._lock = threading.Lock()
        self._closed = False
        if self.mode == "fork":
            self._backend: ZygoteBackend | SpawnBackend = ZygoteBackend(entry, disable, interactive)
        elif self.mode == "spawn":
            self._backend = SpawnBackend(entry)
        else:
            raise ValueError(f"mode must be 'fork' or 'spawn', not {self.mode!r}")

    def run(self, request: bytes, limits: Limits | None = None, *, frames: int | None = None,
            meanwhile: Callable[[], object] | None = None, stage: Stage | None = None) -> RunResult:
        """Run the entry on ``request`` in a fresh isolated child and return what it sent.

        Args:
            frames: the run is complete once this many result frames are in (the caller's plan): the
                child is then stopped and the result returned without waiting for its exit. A run
                that sends fewer ends as before, when the child ends.
            meanwhile: called once, while the child runs (work of the caller's that does not need
                the results); what it raises is raised after the child has been stopped.
            stage: the rest of the request, written only once ``stage.after`` frames are in (and
                never if the child ends or stops sooner).
        """
        if not isinstance(request, (bytes, bytearray, memoryview)):
            raise TypeError("request must be bytes")
        with self._lock:
            if self._closed:
                raise SandboxError("sandbox is closed")
            return self._backend.run(bytes(request), limits or self.limits, frames, meanwhile, stage)

    def status(self) -> list[LayerStatus]:
        """Each layer of this sandbox, active or not, with what it does or why it is missing."""
        if isinstance(self._backend, ZygoteBackend):
            with self._lock:
                return [LayerStatus(str(s["name"]), bool(s["active"]), str(s["detail"]))
                        for s in self._backend.hello.get("status", ())]
        return spawn_status()

    @property
    def layers(self) -> tuple[str, ...]:
        """Names of the layers each run gets (RunResult.layers reports them per run)."""
        return tuple(s.name for s in self.status() if s.active)

    @property
    def zygote_pid(self) -> int | None:
        backend = self._backend
        if isinstance(backend, ZygoteBackend) and backend.proc is not None:
            return backend.proc.pid
        return None

    def close(self) -> None:
        """Stop the zygote, kill any running child, remove the scratch root. Idempotent."""
        with self._lock:
            self._closed = True
            self._backend.close()

    def abandon(self) -> None:
        """In a forked copy of the grader: never use this sandbox, and leave its zygote to the process
        that started it (see :meth:`ZygoteBackend.abandon`)."""
        self._closed = True
        if isinstance(self._backend, ZygoteBackend):
            self._backend.abandon()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SandboxPool:
    """N sandboxes (default: one per CPU) used from N threads; ``map`` preserves order. Made for
    throughput: its sandboxes are not interactive."""

    def __init__(self, entry: str = "grader.sandbox.harness:child_main", limits: Limits = DEFAULT_LIMITS,
                 workers: int | None = None, **kwargs: object) -> None:
        count = max(1, workers or os.cpu_count() or 1)
        boxes: list[Sandbox | BaseException] = [None] * count  # type: ignore[list-item]

        def start(i: int) -> None:
            try:
                boxes[i] = Sandbox(entry, limits, interactive=False, **kwargs)  # type: ignore[arg-type]
            except BaseException as exc:
                boxes[i] = exc

        starters = [threading.Thread(target=start, args=(i,)) for i in range(count)]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        errors = [b for b in boxes if isinstance(b, BaseException)]
        self.sandboxes: list[Sandbox] = [b for b in boxes if isinstance(b, Sandbox)]
        if errors:
            self.close()
            raise errors[0]
        self._free: queue.SimpleQueue[Sandbox] = queue.SimpleQueue()
        for box in self.sandboxes:
            self._free.put(box)
        self._executor = ThreadPoolExecutor(max_workers=count, thread_name_prefix="eshikaku-sandbox")

    def run(self, request: bytes, limits: Limits | None = None, *, frames: int | None = None,
            meanwhile: Callable[[], object] | None = None, stage: Stage | None = None) -> RunResult:
        box = self._free.get()
        try:
            return box.run(request, limits, frames=frames, meanwhile=meanwhile, stage=stage)
        finally:
            self._free.put(box)

    def map(self, requests: Iterable[bytes], limits: Limits | None = None) -> list[RunResult]:
        return list(self._executor.map(lambda request: self.run(request, limits), requests))

    @property
    def layers(self) -> tuple[str, ...]:
        return self.sandboxes[0].layers if self.sandboxes else ()

    def close(self) -> None:
        executor = getattr(self, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=True)
        for box in self.sandboxes:
            box.close()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_status_cache: list[LayerStatus] | None = None


def layer_status() -> list[LayerStatus]:
    """Which isolation layers submissions get on this machine, and why any is missing (for ``doctor``).

    On the fork path this starts a real zygote once (about 0.2 s) and reports what its self-test
    child could apply; the answer is cached for the process.
    """
    global _status_cache
    if _status_cache is None:
        if sandbox_mode() == "spawn":
            _status_cache = spawn_status()
        else:
            with Sandbox("grader.sandbox.probe:noop_main") as box:
                _status_cache = box.status()
    return list(_status_cache)


def doctor_layers() -> tuple[str, ...]:
    """Names of the layers ``eshikaku doctor`` reports as active here: what every run should get.

    A run whose ``RunResult.layers`` lacks one of them ran with weaker isolation (for instance a
    zygote restarted after a layer failed its self-test).
    """
    return tuple(s.name for s in layer_status() if s.active)
