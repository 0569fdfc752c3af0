"""What a run is given and what it returns: limits, results and outcomes, and the readers of the child's
frames and output (the only bytes of a child the grader looks at, by length alone)."""

from __future__ import annotations

import json
import math
import signal
import struct
from dataclasses import dataclass, field
from typing import Any

from grader.sandbox.child import EXIT_MEMORY, EXIT_RETURNED

OUTCOMES = ("ok", "timeout", "cpu_limit", "memory", "crashed", "exited", "result_limit")
MAX_REQUEST_BYTES = 256 << 20
_TRUNCATION_NOTE = "\n[eshikaku: output truncated at {cap} bytes; the rest was dropped]\n"
_HEADER = struct.Struct("!I")
_READY_FRAME_MAX = 64 << 10


class SandboxError(RuntimeError):
    """The sandbox itself failed (zygote cannot start, isolation cannot be applied): a grader fault."""


@dataclass(frozen=True)
class Limits:
    """Per-submission limits. Defaults suit one NumPy function on a few small hidden cases."""

    cpu_seconds: float = 2.0  # RLIMIT_CPU soft (rounded up to whole seconds); hard = soft + 1
    wall_seconds: float = 5.0  # parent deadline, then SIGKILL of the whole child process group
    memory_bytes: int = 1 << 30  # RLIMIT_AS of the child (NumPy itself reserves ~100 MB)
    output_bytes: int = 64 * 1024  # stdout+stderr captured; the rest is dropped and flagged
    file_bytes: int = 1 << 20  # RLIMIT_FSIZE
    result_bytes: int = 64 << 20  # total size of result frames accepted
    max_frames: int = 10_000


@dataclass(frozen=True)
class Stage:
    """A later part of a request: written to the child once ``after`` result frames are in, so that
    the child has sent those frames before it can read ``data`` (grader.sandbox.child.read_stage)."""

    after: int
    data: bytes


@dataclass(frozen=True)
class RunResult:
    """What happened to one submission. ``frames`` are the only data to grade; ``outcome`` says how it ended."""

    outcome: str  # one of OUTCOMES
    frames: list[bytes]  # complete length-prefixed frames, in order (also when the child was killed)
    stdout: str
    stderr: str
    output_truncated: bool
    exit_code: int | None
    signal: int | None
    wall_seconds: float
    layers: tuple[str, ...]  # isolation layers that were active for this run
    cpu_seconds: float | None = field(default=None, compare=False)


class FrameReader:
    """Incremental parser of ``!I``-length-prefixed frames with size and count caps.

    The first frame is the child's "ready" note (written before any learner code runs) and is not
    part of the result.
    """

    def __init__(self, limits: Limits) -> None:
        self.max_bytes = limits.result_bytes
        self.max_frames = limits.max_frames
        self.buf = bytearray()
        self.frames: list[bytes] = []
        self.total = 0
        self.over = False
        self.ready: dict[str, Any] | None = None

    def feed(self, data: bytes) -> None:
        if self.over:
            return
        buf = self.buf
        buf += data
        pos = 0
        while len(buf) - pos >= 4:
            (size,) = _HEADER.unpack_from(buf, pos)
            if self.ready is None:
                if size > _READY_FRAME_MAX:
                    self.over = True
                    break
            elif self.total + size > self.max_bytes or len(self.frames) >= self.max_frames:
                self.over = True
                break
            if len(buf) - pos - 4 < size:
                break
            frame = bytes(buf[pos + 4:pos + 4 + size])
            pos += 4 + size
            if self.ready is None:
                try:
                    self.ready = json.loads(frame)
                except ValueError:
                    self.ready = {}
            else:
                self.frames.append(frame)
                self.total += size
        if self.over:
            buf.clear()
        elif pos:
            del buf[:pos]


class OutputCapture:
    """stdout + stderr with one shared byte budget; the excess is read and dropped."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0
        self.data = {1: bytearray(), 2: bytearray()}
        self.truncated = {1: False, 2: False}

    def feed(self, stream: int, chunk: bytes) -> None:
        room = self.cap - self.used
        if room > 0:
            take = chunk[:room]
            self.data[stream] += take
            self.used += len(take)
        if len(chunk) > max(room, 0):
            self.truncated[stream] = True

    def text(self, stream: int) -> str:
        out = self.data[stream].decode("utf-8", "replace")
        if self.truncated[stream]:
            out += _TRUNCATION_NOTE.format(cap=self.cap)
        return out

    @property
    def any_truncated(self) -> bool:
        return self.truncated[1] or self.truncated[2]


def outcome_of(killed: str | None, code: int | None, sig: int | None, cpu: float | None,
             limits: Limits) -> str:
    if killed:
        return killed
    if sig is not None:
        if sig == getattr(signal, "SIGXCPU", -1):
            return "cpu_limit"
        # The hard RLIMIT_CPU (soft + 1 s) ends a child that ignores SIGXCPU with SIGKILL.
        # (rusage can read a little under the kernel's own CPU accounting, hence the margin)
        if sig == getattr(signal, "SIGKILL", -1) and cpu is not None and cpu >= math.ceil(limits.cpu_seconds) - 0.25:
            return "cpu_limit"
        return "crashed"
    if code == EXIT_RETURNED:
        return "ok"
    if code == EXIT_MEMORY:
        return "memory"
    return "exited"


def limits_message(request: bytes, limits: Limits) -> dict[str, Any]:
    if len(request) > MAX_REQUEST_BYTES:
        raise ValueError(f"request of {len(request)} bytes exceeds {MAX_REQUEST_BYTES}")
    return {
        "req_len": len(request),
        "cpu_seconds": limits.cpu_seconds,
        "memory_bytes": limits.memory_bytes,
        "file_bytes": limits.file_bytes,
    }
