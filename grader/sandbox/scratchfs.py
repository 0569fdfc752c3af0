"""A private, size-capped scratch directory per child: a fresh tmpfs in the child's own mount namespace.

Mounted in phase 1 of each child (before its run exists, off the critical path), over the scratch root
the Landlock ruleset names. Its size and its number of inodes are capped, so many files cannot fill the
disk (or, on a RAM-backed /tmp, the memory) that RLIMIT_FSIZE caps only file by file. It vanishes with
the child's mount namespace: nothing written there reaches the host or the next child. A fresh /proc of
the sandbox's PID namespace is mounted as well when asked (Landlock, where active, denies /proc anyway).
"""

from __future__ import annotations

import ctypes

from grader.sandbox.syscalls import CLONE_NEWNS, check, libc

SCRATCH_BYTES = 64 << 20  # total size of everything a child may write
SCRATCH_INODES = 4096  # files, directories and links together

MS_NOSUID = 0x2
MS_NODEV = 0x4
MS_NOEXEC = 0x8
MS_REC = 0x4000
MS_SLAVE = 1 << 19


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    lib = libc()
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    check(lib.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                    flags, data.encode() if data else None))


def mount_private_scratch(scratch_root: str, uid: int, gid: int, fresh_proc: bool) -> None:
    """Enter a new mount namespace (nothing mounted in it reaches the host) and mount the capped
    tmpfs, owned by ``uid``/``gid``, on ``scratch_root``; then ``/proc`` of the caller's PID namespace."""
    check(libc().unshare(CLONE_NEWNS))
    _mount(None, "/", None, MS_REC | MS_SLAVE, None)
    _mount("eshikaku-scratch", scratch_root, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
           f"size={SCRATCH_BYTES},nr_inodes={SCRATCH_INODES},mode=0700,uid={uid},gid={gid}")
    if fresh_proc:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
