"""Dropping every capability, built once in the zygote so that each child pays one syscall."""

from __future__ import annotations

import ctypes
import functools
import sys

from grader.sandbox.syscalls import PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, libc, prctl, seccomp_arch, syscall, syscall_nr


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


CAP_DAC_READ_SEARCH = 2


@functools.lru_cache(maxsize=2)
def _capset_args(keep: int = 0) -> tuple[int, object, object]:
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()
    data[0].effective = data[0].permitted = keep
    return syscall_nr("capset"), ctypes.byref(header), ctypes.byref(data)


def drop_capabilities(keep_read_search: bool = False) -> None:
    """Clear the effective, permitted, inheritable and ambient capability sets (irreversible without exec).

    ``keep_read_search``: keep CAP_DAC_READ_SEARCH alone, for a child switched to the task uid inside
    the sandbox's user namespace: it lets that uid read (never write) the interpreter's files where
    they sit under a root-only directory such as /root/.pyenv; it counts only for files owned by ids
    mapped in that namespace (root's), and Landlock still decides what may be read at all.
    The ctypes arguments are built once (in the zygote, by :func:`prepare`), not in every child.
    """
    syscall(*_capset_args(1 << CAP_DAC_READ_SEARCH if keep_read_search else 0))
    try:
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass  # kernels before 4.3 have no ambient set


def prepare() -> None:
    """Build the ctypes objects the per-child calls need, once, before forking children."""
    if sys.platform.startswith("linux"):
        libc()
        if seccomp_arch() is not None:
            _capset_args()
            _capset_args(1 << CAP_DAC_READ_SEARCH)
