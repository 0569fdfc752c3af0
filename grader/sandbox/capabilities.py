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


@functools.lru_cache(maxsize=1)
def _capset_args() -> tuple[int, object, object]:
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()  # all zero
    return syscall_nr("capset"), ctypes.byref(header), ctypes.byref(data)


def drop_capabilities() -> None:
    """Clear the effective, permitted, inheritable and ambient capability sets (irreversible without exec).

    The ctypes arguments are built once (in the zygote, by :func:`prepare`), not in every child.
    """
    syscall(*_capset_args())
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
