"""The sandbox's PID namespace: children of the zygote see only each other, never a host process.

Made once per zygote: a short-lived helper joins the sandbox's user namespace (so that the new PID
namespace belongs to it, and children may mount a /proc that shows it), creates the PID namespace and
forks its init, then exits. The zygote then points its own ``pid_for_children`` at that namespace with
one setns(), so every child it forks afterwards is inside, at no cost per run. The init does nothing
but reap orphans; it exits when the zygote does (its pipe closes), and the kernel then kills every
process left in the namespace.
"""

from __future__ import annotations

import errno
import os
import signal

from grader.sandbox.syscalls import CLONE_NEWPID, CLONE_NEWUSER, check, libc


class PidNamespace:
    """The namespace, its init's host pid, and the pipe whose closing (the zygote's exit) ends it."""

    def __init__(self, user_fd: int | None) -> None:
        death_r, self.death_w = os.pipe()
        r, w = os.pipe()
        helper = os.fork()
        if helper == 0:  # pragma: no cover - the helper, then the init
            os.close(r)
            os.close(self.death_w)
            try:
                if user_fd is not None:
                    check(libc().setns(user_fd, CLONE_NEWUSER))
                check(libc().unshare(CLONE_NEWPID))
                init = os.fork()
                if init == 0:
                    os.close(w)
                    _init_loop(death_r)
                os.write(w, b"1" + str(init).encode())
            except BaseException as exc:
                os.write(w, f"0{type(exc).__name__}: {exc}".encode())
            finally:
                os._exit(0)
        os.close(w)
        os.close(death_r)
        try:
            answer = os.read(r, 1000)
        finally:
            os.close(r)
            os.waitpid(helper, 0)
        if answer[:1] != b"1":
            os.close(self.death_w)
            raise OSError(errno.EPERM, answer[1:].decode(errors="replace") or "the PID namespace helper died")
        self.init_pid = int(answer[1:])  # a child of the zygote (its subreaper) once the helper is gone
        try:
            self.fd = os.open(f"/proc/{self.init_pid}/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            self.close()
            raise

    def enter_for_children(self) -> None:
        """Make every process the caller forks from now on a member of the namespace."""
        check(libc().setns(self.fd, CLONE_NEWPID))

    def close(self) -> None:
        os.close(self.death_w)  # the init exits, and the kernel kills the namespace's processes
        try:
            os.waitpid(self.init_pid, 0)
        except ChildProcessError:
            pass


def _init_loop(death_r: int) -> None:  # pragma: no cover - runs as PID 1 of the namespace
    def reap(signum: int, frame: object) -> None:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass

    signal.signal(signal.SIGCHLD, reap)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    os.closerange(3, death_r)
    os.closerange(death_r + 1, 1 << 16)
    while os.read(death_r, 1):
        pass
    os._exit(0)
