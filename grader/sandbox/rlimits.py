"""Resource limits of a child (CPU, address space, file size, descriptors, core, tasks)."""

from __future__ import annotations

import math
import os
import sys

try:  # POSIX only; Windows has neither.
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


def apply_rlimits(cpu_seconds: float, memory_bytes: int | None, file_bytes: int, nofile: int = 64,
                  nproc: int | None = None) -> list[str]:
    """Set the child's resource limits; return the names of those the OS accepted.

    CPU: soft = ceil(cpu_seconds) sends SIGXCPU, hard = soft + 1 s sends SIGKILL (a learner can ignore
    SIGXCPU but not SIGKILL). AS is skipped where the OS does not honour it (macOS).
    """
    if resource is None:
        return []
    applied: list[str] = []

    def setlim(name: str, which: int, soft: int, hard: int | None = None) -> None:
        hard = soft if hard is None else hard
        _, cur_hard = resource.getrlimit(which)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)
            soft = min(soft, hard)
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            return
        applied.append(name)

    cpu = max(1, math.ceil(cpu_seconds))
    setlim("cpu", resource.RLIMIT_CPU, cpu, cpu + 1)
    if memory_bytes is not None and sys.platform != "darwin":
        setlim("as", resource.RLIMIT_AS, int(memory_bytes))
    setlim("fsize", resource.RLIMIT_FSIZE, int(file_bytes))
    setlim("nofile", resource.RLIMIT_NOFILE, nofile)
    setlim("core", resource.RLIMIT_CORE, 0)
    if nproc is not None and hasattr(resource, "RLIMIT_NPROC"):
        setlim("nproc", resource.RLIMIT_NPROC, nproc)
    return applied


def count_user_processes(uid: int) -> int:
    """Number of tasks (processes and threads) owned by ``uid``; RLIMIT_NPROC counts these."""
    count = 0
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0
    for pid in pids:
        try:
            st = os.stat(f"/proc/{pid}")
            if st.st_uid == uid:
                count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return count
