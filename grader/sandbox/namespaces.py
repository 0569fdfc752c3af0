"""The sandbox's user + network namespace: made once per zygote, joined by every child."""

from __future__ import annotations

import errno
import os

from grader.sandbox.syscalls import CLONE_NEWNET, CLONE_NEWUSER, check, libc


def enter_user_net_namespace(uid: int, gid: int) -> None:
    """Move into a new user and network namespace; map our uid/gid onto themselves.

    The new network namespace has only a loopback interface that is down, so even the host's
    127.0.0.1 is unreachable. The identity map keeps file ownership in the scratch directory sane
    (unmapped ids make file creation fail with EOVERFLOW).
    """
    check(libc().unshare(CLONE_NEWUSER | CLONE_NEWNET))
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


def _setns(fd: int, nstype: int) -> None:
    check(libc().setns(fd, nstype))


class SharedNamespaces:
    """One user + network namespace made once (in the zygote) and joined by every child with setns().

    Joining costs about 0.15 ms per child instead of about 0.9 ms for a fresh pair (plus the kernel's
    asynchronous teardown of every network namespace). Children of one zygote never run at the same
    time, hold no capabilities, and so cannot bring the namespace's loopback up or leave state in it.
    """

    def __init__(self, uid: int, gid: int) -> None:
        import signal as _signal

        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the holder: enter the namespaces, then wait to be killed
            os.close(r)
            try:
                enter_user_net_namespace(uid, gid)
                os.write(w, b"1")
            except BaseException as exc:
                os.write(w, f"0{type(exc).__name__}: {exc}".encode())
            finally:
                os.close(w)
                while True:
                    _signal.pause()
        os.close(w)
        try:
            answer = os.read(r, 1000)
            if answer != b"1":
                raise OSError(errno.EPERM, answer[1:].decode(errors="replace") or "namespace holder died")
            self.user_fd = os.open(f"/proc/{pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
            self.net_fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            os.close(r)
            try:
                os.kill(pid, _signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)

    @staticmethod
    def join(user_fd: int, net_fd: int) -> None:
        """Enter the namespaces referred to by the two descriptors (single-threaded caller)."""
        _setns(user_fd, CLONE_NEWUSER)
        _setns(net_fd, CLONE_NEWNET)
