"""The four pipes of one run on the fork path: made (the result pipe enlarged), the request written
without blocking, and what a finished child left in them read once it is gone."""

from __future__ import annotations

import itertools
import os
import time

from grader.sandbox.results import FrameReader, OutputCapture


def run_pipes(request_bytes: int, mine: list[int]) -> list[int]:
    """Make the request, result, stdout and stderr pipes: our ends go into ``mine`` (request write end
    first, then the three read ends), the child's ends are returned in the same order."""
    theirs = []
    for index in range(4):
        read, write = os.pipe()
        mine.append(write if index == 0 else read)
        theirs.append(read if index == 0 else write)
    try:
        import fcntl

        fcntl.fcntl(mine[1], fcntl.F_SETPIPE_SZ, 1 << 20)
        if request_bytes > 1 << 16:  # so that the whole request is written before the caller's own work
            fcntl.fcntl(mine[0], fcntl.F_SETPIPE_SZ, min(request_bytes, 1 << 20))
    except (OSError, AttributeError, ImportError):
        pass
    return theirs


def write_some(fd: int, data: memoryview) -> memoryview:
    """Write what the pipe takes now, without blocking; return the rest."""
    os.set_blocking(fd, False)
    try:
        while data:
            data = data[os.write(fd, data[:1 << 20]):]
    except BlockingIOError:
        pass
    except OSError:  # the child is gone or closed its end
        data = data[:0]
    return data


def drain(streams: dict[int, int], frames: FrameReader, output: OutputCapture, result_fd: int, *, once: bool, patient: bool) -> None:
    """Read what the (now dead) child left in each pipe of ``streams`` (fd → 0 result, 1 stdout, 2 stderr).

    ``once``: one read of each pipe (the child wrote everything before its last frame). ``patient``:
    the zygote was lost, so a writer may still be dying; keep reading for up to a second.
    """
    until = time.monotonic() + (1.0 if patient else 0.5)
    for fd in streams:
        for _ in range(1) if once else itertools.count():
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                if not patient or time.monotonic() > until:
                    break
                time.sleep(0.005)
                continue
            except OSError:
                break
            if not data:
                break
            if fd == result_fd:
                frames.feed(data)
            else:
                output.feed(streams[fd], data)
