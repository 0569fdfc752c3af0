"""Finding processes and threads a test run must not leave behind (shared by the sandbox, attack and batch tests)."""

from __future__ import annotations

import os
import time


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
