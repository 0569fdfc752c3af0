"""What a sandboxed run must not leave or reach: leftover processes and threads, connections to a
local listener (shared by the sandbox, attack and batch tests)."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterator


def processes_named(name: str) -> list[str]:
    """Tasks (processes or threads) anywhere on the machine whose comm is ``name``, as ``pid/tid``."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/comm") as f:
                    if f.read().strip() == name:
                        found.append(f"{pid}/{tid}")
        except OSError:
            continue
    return found


def wait_until_gone(find, within: float = 2.0) -> list[str]:
    """Polls ``find()`` until it returns nothing or ``within`` seconds pass; returns what is left."""
    deadline = time.monotonic() + within
    while (left := find()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@contextlib.contextmanager
def local_listener() -> Iterator[tuple[int, list]]:
    """A TCP listener on 127.0.0.1 that records every connection it accepts: yields (port, accepted)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    accepted: list = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept())
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
        time.sleep(0.3)  # a late connection still counts
    finally:
        stop.set()
        thread.join()
        listener.close()
