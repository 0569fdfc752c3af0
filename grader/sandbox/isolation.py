"""The isolation layers of one zygote: which ones this machine supports, each proved by a self-test child.

The layers themselves live in their own modules (:mod:`~grader.sandbox.rlimits`,
:mod:`~grader.sandbox.capabilities`, :mod:`~grader.sandbox.namespaces`, :mod:`~grader.sandbox.landlock`,
:mod:`~grader.sandbox.seccomp`, :mod:`~grader.sandbox.allowlist`, :mod:`~grader.sandbox.importseal`);
this module decides which of them a zygote applies and re-exports the names callers use.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from grader.sandbox.allowlist import PROTECTED_NAMES, project_dir, protected_paths, protected_paths_for, readonly_paths
from grader.sandbox.capabilities import drop_capabilities, prepare
from grader.sandbox.child import read_exact
from grader.sandbox.importseal import prepare_seal, seal_imports
from grader.sandbox.landlock import LandlockRuleset, landlock_abi
from grader.sandbox.namespaces import TASK_UID, SharedNamespaces, enter_user_net_namespace, switch_to_task_id
from grader.sandbox.pidns import PidNamespace
from grader.sandbox.rlimits import apply_rlimits, count_user_processes
from grader.sandbox.scratchfs import SCRATCH_BYTES, SCRATCH_INODES, mount_private_scratch
from grader.sandbox.seccomp import SeccompFilter
from grader.sandbox.syscalls import CLONE_NEWPID, check, libc, seccomp_arch, set_child_subreaper, set_no_new_privs, set_pdeathsig

if TYPE_CHECKING:
    from types import FrameType

    SignalHandler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None

__all__ = [
    "LayerStatus",
    "Plan",
    "LandlockRuleset",
    "SeccompFilter",
    "PROTECTED_NAMES",
    "project_dir",
    "protected_paths",
    "protected_paths_for",
    "readonly_paths",
    "landlock_abi",
    "seccomp_arch",
    "apply_rlimits",
    "drop_capabilities",
    "prepare",
    "prepare_seal",
    "set_no_new_privs",
    "set_pdeathsig",
    "set_child_subreaper",
    "enter_user_net_namespace",
    "SharedNamespaces",
    "seal_imports",
]


@dataclass(frozen=True)
class LayerStatus:
    """One isolation layer: its name, whether it is active here, and what it does or why it is missing."""

    name: str
    active: bool
    detail: str


# Tasks (processes and threads) of the children's uid at once, the waiting standby included.
TASK_LIMIT = 64
LAYER_ORDER = ("fork", "rlimits", "taskcap", "nocaps", "userns+netns", "pidns", "scratchfs", "landlock", "seccomp")


class Plan:
    """Which layers this zygote applies, each measured by a self-test child at start-up."""

    def __init__(self, scratch_root: str, disabled: set[str]) -> None:
        self.zygote_pid = os.getpid()
        self.uid, self.gid = os.getuid(), os.getgid()
        self.scratch_root = scratch_root
        self.status: dict[str, tuple[bool, str]] = {}
        self.ruleset = None
        self.seccomp = None
        self.userns = False
        self.namespaces: SharedNamespaces | None = None
        self.pidns: PidNamespace | None = None
        self.private_scratch = False
        self.fresh_proc = False
        self.task_id: int | None = None  # the uid and gid children switch to (root graders only)
        self.nproc: int | None = None
        linux = sys.platform.startswith("linux")
        self.status["fork"] = (True, "fresh child forked from a warm, secret-free zygote per submission")

        if linux:
            self.status["rlimits"] = (True, "RLIMIT_CPU (soft; hard = soft + 1 s), RLIMIT_AS, RLIMIT_FSIZE, "
                                            "RLIMIT_NOFILE 64, RLIMIT_CORE 0")
            self.status["nocaps"] = (True, "all capabilities dropped and no_new_privs set before learner code")
        else:  # pragma: no cover - the zygote path is Linux-only
            self.status["rlimits"] = (False, "not Linux")
            self.status["nocaps"] = (False, "not Linux")

        # user + network namespace
        if "userns" in disabled:
            self.status["userns+netns"] = (False, "disabled by configuration")
        elif not linux:  # pragma: no cover
            self.status["userns+netns"] = (False, "not Linux")
        else:
            try:
                try:  # as root, also map the unprivileged uid children switch to (see taskcap)
                    shared = SharedNamespaces(self.uid, self.gid, TASK_UID if self.uid == 0 else None)
                except OSError:
                    if self.uid != 0:
                        raise
                    shared = SharedNamespaces(self.uid, self.gid)
            except OSError as exc:
                ok, why = False, str(exc)
            else:
                host_net = os.readlink("/proc/self/ns/net")

                def join_test() -> None:
                    SharedNamespaces.join(shared.user_fd, shared.net_fd)
                    if os.readlink("/proc/self/ns/net") == host_net:
                        raise RuntimeError("still in the host's network namespace after setns")

                ok, why = self._try_in_child(join_test)
                if ok:
                    self.namespaces = shared
                else:
                    os.close(shared.user_fd)
                    os.close(shared.net_fd)
            self.userns = ok
            self.status["userns+netns"] = (
                (True, "user and network namespace of the sandbox (made once per zygote, joined with setns): "
                       "loopback down, no route to any host, not even the host's 127.0.0.1")
                if ok else (False, f"unshare(CLONE_NEWUSER|CLONE_NEWNET) failed: {why} (e.g. Ubuntu >= 23.10 "
                                   "restricts unprivileged user namespaces via AppArmor)"))

        if linux:
            self._plan_pidns(disabled)
        else:  # pragma: no cover
            self.status["pidns"] = (False, "not Linux")

        # Landlock
        abi, why = landlock_abi() if linux else (0, "not Linux")
        if "landlock" in disabled:
            self.status["landlock"] = (False, "disabled by configuration")
        elif abi < 1:
            self.status["landlock"] = (False, why)
        else:
            try:
                ruleset = LandlockRuleset(abi, readonly_paths(), [scratch_root])
            except OSError as exc:
                self.status["landlock"] = (False, f"building the ruleset failed: {exc}")
            else:
                probe = protected_paths()[0]

                def landlock_test() -> None:
                    set_no_new_privs()
                    LandlockRuleset.restrict_self(ruleset.fd)
                    try:
                        os.listdir(probe)
                    except PermissionError:
                        return
                    raise RuntimeError(f"{probe} still readable after landlock_restrict_self")

                ok, why = self._try_in_child(landlock_test)
                if ok:
                    self.ruleset = ruleset
                    self.status["landlock"] = (True, ruleset.features())
                else:
                    os.close(ruleset.fd)
                    self.status["landlock"] = (False, f"restrict_self failed: {why}")

        if linux:
            self._plan_scratch(disabled)
        else:  # pragma: no cover
            self.status["scratchfs"] = (False, "not Linux")
            self.status["taskcap"] = (False, "not Linux")

        # seccomp
        if "seccomp" in disabled:
            self.status["seccomp"] = (False, "disabled by configuration")
        elif not linux:  # pragma: no cover
            self.status["seccomp"] = (False, "not Linux")
        elif seccomp_arch() is None:
            self.status["seccomp"] = (False, f"no syscall table for architecture {os.uname().machine}")
        else:
            # Landlock covers truncate(2) on paths only from ABI 3; below that, seccomp refuses it.
            extra = ("truncate",) if self.ruleset is None or self.ruleset.abi < 3 else ()
            try:
                filt = SeccompFilter(extra)
            except OSError as exc:
                self.status["seccomp"] = (False, f"building the filter failed: {exc}")
            else:
                import socket as _socket

                def seccomp_test() -> None:
                    set_no_new_privs()
                    filt.load()
                    try:
                        _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
                    except PermissionError:
                        return
                    raise RuntimeError("socket() still allowed after loading the filter")

                ok, why = self._try_in_child(seccomp_test)
                if ok:
                    self.seccomp = filt
                    self.status["seccomp"] = (True, f"deny-list of {len(filt.denied)} syscalls -> EPERM "
                                                    f"(sockets, exec, fork, signals, ptrace, namespaces, "
                                                    f"chmod/chown ...), clone only for threads, clone3 -> "
                                                    f"ENOSYS ({filt.instructions} BPF instructions)")
                else:
                    self.status["seccomp"] = (False, f"loading the filter failed: {why}")
        self.ready_frame = json.dumps({"ready": True, "layers": self.layers()}).encode()
        # Signal dispositions a child must not inherit: SIGINT (ignored by the zygote) goes back to
        # KeyboardInterrupt, and anything the entry module installed goes back to the default.
        self.signal_resets: list[tuple[int, SignalHandler]] = [(signal.SIGINT, signal.default_int_handler)]
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD, signal.SIGUSR1,
                    signal.SIGUSR2, signal.SIGALRM, signal.SIGXCPU):
            if signal.getsignal(sig) not in (signal.SIG_DFL, None):
                self.signal_resets.append((sig, signal.SIG_DFL))
        if signal.getsignal(signal.SIGXFSZ) is not signal.SIG_IGN:
            # a too-big file must become OSError(EFBIG), not a kill (Python ignores SIGXFSZ already)
            self.signal_resets.append((signal.SIGXFSZ, signal.SIG_IGN))

    def join_namespaces(self) -> None:
        """Enter the sandbox's user and network namespace (a forked, single-threaded caller)."""
        if self.namespaces is not None:
            SharedNamespaces.join(self.namespaces.user_fd, self.namespaces.net_fd)

    def _plan_pidns(self, disabled: set[str]) -> None:
        """One PID namespace per zygote; the zygote's later children are born in it."""
        if "pidns" in disabled:
            self.status["pidns"] = (False, "disabled by configuration")
            return
        try:
            pidns = PidNamespace(self.namespaces.user_fd if self.namespaces is not None else None)
        except OSError as exc:
            self.status["pidns"] = (False, f"creating the PID namespace failed: {exc}")
            return
        own = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
        try:
            try:
                pidns.enter_for_children()
            except OSError as exc:
                ok, why = False, f"setns(CLONE_NEWPID) failed: {exc} (it needs CAP_SYS_ADMIN, i.e. a grader running as root)"
            else:
                def pid_test() -> None:
                    if os.getppid() != 0:  # the zygote is outside the namespace, so it has no pid here
                        raise RuntimeError(f"the parent is visible as pid {os.getppid()}")

                ok, why = self._try_in_child(pid_test)
                if not ok:
                    check(libc().setns(own, CLONE_NEWPID))  # children are born outside it again
            if ok:
                self.pidns = pidns
                self.status["pidns"] = (True, "PID namespace of the sandbox (one per zygote, joined at fork): no host "
                                              "process can be seen or signalled, and every process left in it dies "
                                              "with the zygote")
            else:
                pidns.close()
                self.status["pidns"] = (False, why)
        finally:
            os.close(own)

    def _plan_scratch(self, disabled: set[str]) -> None:
        """A capped tmpfs per child in its own mount namespace, and (root) the switch to the task uid."""
        task_id = self.namespaces.task_id if self.namespaces is not None else None
        if "scratchfs" in disabled:
            self.status["scratchfs"] = (False, "disabled by configuration")
        else:
            owner = (task_id, task_id) if task_id is not None else (self.uid, self.gid)
            fresh_proc = self.pidns is not None and self.ruleset is None  # Landlock denies all of /proc
            run_dir = os.path.join(self.scratch_root, "run")
            ruleset = self.ruleset

            def scratch_test() -> None:
                self.join_namespaces()
                mount_private_scratch(self.scratch_root, owner[0], owner[1], fresh_proc)
                if task_id is not None:
                    switch_to_task_id(task_id)
                os.mkdir(run_dir, 0o700)
                if ruleset is not None:
                    set_no_new_privs()
                    ruleset.restrict_with_dir(self.scratch_root)
                with open(os.path.join(run_dir, "probe"), "wb") as f:
                    f.write(b"x")

            ok, why = self._try_in_child(scratch_test)
            if ok and os.path.exists(os.path.join(run_dir, "probe")):
                os.unlink(os.path.join(run_dir, "probe"))
                ok, why = False, "the tmpfs was not private: the host saw its file"
            if ok:
                self.private_scratch, self.fresh_proc = True, fresh_proc
                self.status["scratchfs"] = (True, f"private tmpfs per child on the scratch root: {SCRATCH_BYTES >> 20} MiB, "
                                                  f"{SCRATCH_INODES} inodes, gone with the child's mount namespace")
            else:
                self.status["scratchfs"] = (False, f"mounting a private tmpfs failed: {why}")
        if self.uid != 0:
            self.nproc = count_user_processes(self.uid) + TASK_LIMIT
            self.status["taskcap"] = (True, f"RLIMIT_NPROC {self.nproc} (tasks of uid {self.uid})")
        elif task_id is not None and self.private_scratch:
            self.task_id, self.nproc = task_id, TASK_LIMIT
            self.status["taskcap"] = (True, f"children switch to uid {task_id} inside the sandbox's user namespace, so "
                                            f"RLIMIT_NPROC {TASK_LIMIT} caps the tasks (threads included) of the running "
                                            f"child and the waiting standby together")
        else:
            self.status["taskcap"] = (False, "uid 0 without the sandbox's user namespace and private scratch: the kernel "
                                             "ignores RLIMIT_NPROC for root (seccomp still stops forks)")

    @staticmethod
    def _try_in_child(func: Callable[[], None]) -> tuple[bool, str]:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the test child
            os.close(r)
            message = b""
            try:
                func()
            except BaseException as exc:
                message = f"{type(exc).__name__}: {exc}".encode()[:1000] or b"failed"
            try:
                os.write(w, message)
            finally:
                os._exit(0)
        os.close(w)
        message = read_exact(r, 4096)
        os.close(r)
        os.waitpid(pid, 0)
        return (not message), message.decode(errors="replace")

    def layers(self) -> list[str]:
        names = []
        for name in LAYER_ORDER:
            active, _ = self.status[name]
            if active:
                names.append(f"landlock-abi{self.ruleset.abi}" if name == "landlock" and self.ruleset else name)
        return names

    def status_list(self) -> list[dict[str, object]]:
        out = []
        order = {name: i for i, name in enumerate(LAYER_ORDER)}
        for name, (active, detail) in sorted(self.status.items(), key=lambda item: order.get(item[0], len(order))):
            if name == "landlock" and active and self.ruleset is not None:
                name = f"landlock-abi{self.ruleset.abi}"
            out.append({"name": name, "active": active, "detail": detail})
        return out
