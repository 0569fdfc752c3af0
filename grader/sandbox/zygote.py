"""The secret-free zygote: imports NumPy and the entry once, then forks one isolated child per submission.

It is started as a fresh interpreter (``python -I -B -c <boot> ...``) by :mod:`grader.sandbox.sandbox`, so it
never holds the grader's memory (hidden cases, expected outputs, reference code). The request, result
and output pipes go straight between the grader and the child (the grader sends the child's ends
to it over a socket the zygote handed over), so nothing of a submission ever passes through the
zygote's memory for the next child to find.

Protocol on the control socket (SOCK_SEQPACKET, one JSON object per message):

* zygote -> grader ``{"op": "hello", "pid", "layers", "status"}`` once, or ``{"op": "hello", "error"}``;
* zygote -> grader ``{"op": "standby", "pid"}`` with one fd: the control socket of a child forked
  ahead of its submission, already isolated except for the per-run steps. The grader sends it the
  run directly: ``{"scratch", "req_len", "cpu_seconds", "memory_bytes", "file_bytes"}`` with 4 fds
  (request read end, result write end, stdout and stderr write ends). The zygote never sees it;
* zygote -> grader ``{"op": "exit", "pid", "code", "signal", "cpu"}`` when that child has ended,
  been reaped, and every descendant it left has been killed; then the next standby follows. Two
  standbys are announced at any time; the grader uses them in order;
* grader -> zygote ``{"op": "kill", "pid"}`` at any time (wall deadline, result limit).

The zygote, not the grader, signals and reaps the child, so a recycled pid can never be hit.
"""

from __future__ import annotations

import os
import sys

# BLAS must be single-threaded before NumPy is imported: RLIMIT_AS would otherwise break OpenBLAS's
# per-thread reservations, and the zygote has to stay single-threaded to fork safely.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import struct  # noqa: E402
import tempfile  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import TYPE_CHECKING, Any, NoReturn  # noqa: E402

if TYPE_CHECKING:
    import resource
    import socket
    from types import FrameType

    SignalHandler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None

# Exit codes of a child. Only EXIT_RETURNED means "the entry returned"; anything a learner can
# choose to exit with is just "exited". (A learner can call os._exit(EXIT_RETURNED) too: the
# outcome is a convenience, the frames are the only data the grader trusts.)
EXIT_RETURNED = 101
EXIT_ESCAPED = 102  # the entry raised (SystemExit, KeyboardInterrupt, anything)
EXIT_MEMORY = 103  # the entry raised MemoryError
EXIT_SETUP = 104  # isolation could not be applied: learner code never ran

RESULT_FD = 3
_REQUEST_FD = 4
_FRAME_HEADER = struct.Struct("!I")
_os_exit = os._exit  # captured before any learner code can replace it

Entry = Callable[[bytes, Callable[[bytes], None]], None]


def load_entry(spec: str) -> Entry:
    module_name, _, func_name = spec.partition(":")
    if not module_name or not func_name:
        raise ValueError(f"entry must be 'module:function', got {spec!r}")
    module = importlib.import_module(module_name)
    func = getattr(module, func_name)
    if not callable(func):
        raise TypeError(f"{spec} is not callable")
    entry: Entry = func
    return entry


def make_send(fd: int) -> Callable[[bytes], None]:
    """``send(frame)``: write one length-prefixed frame to the result descriptor."""
    write = os.write
    pack = _FRAME_HEADER.pack

    def send(data: bytes) -> None:
        view = memoryview(data).cast("B")
        if view.nbytes > 0xFFFFFFFF:
            raise ValueError("frame too large")
        _write_all(fd, pack(view.nbytes), write)
        _write_all(fd, view, write)

    return send


def _write_all(fd: int, data: bytes | memoryview, write: Callable[[int, bytes | memoryview], int]) -> None:
    view = memoryview(data)
    while view:
        view = view[write(fd, view):]


def _read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _call_entry(entry: Entry, request: bytes, send: Callable[[bytes], None]) -> NoReturn:
    code = EXIT_ESCAPED
    try:
        entry(request, send)
        code = EXIT_RETURNED
    except MemoryError:
        code = EXIT_MEMORY
    except BaseException:  # SystemExit, KeyboardInterrupt, anything: the learner does not pick the code
        try:
            traceback.print_exc()
        except BaseException:
            pass
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                pass
        _os_exit(code)
    _os_exit(code)  # unreachable; keeps type checkers honest


# --------------------------------------------------------------------------------------------
# Plan: which layers this zygote applies, measured by a self-test child at start-up


class Plan:
    def __init__(self, scratch_root: str, disabled: set[str]) -> None:
        from grader.sandbox import isolation as iso

        self.iso = iso
        self.zygote_pid = os.getpid()
        self.uid, self.gid = os.getuid(), os.getgid()
        self.scratch_root = scratch_root
        self.status: dict[str, tuple[bool, str]] = {}
        self.ruleset = None
        self.seccomp = None
        self.userns = False
        self.namespaces = None
        self.nproc = None
        linux = sys.platform.startswith("linux")
        self.status["fork"] = (True, "fresh child forked from a warm, secret-free zygote per submission")

        if linux:
            if self.uid == 0:
                self.nproc = None
                nproc_note = "RLIMIT_NPROC not set: the kernel ignores it for uid 0 (seccomp stops forks)"
            else:
                self.nproc = iso.count_user_processes(self.uid) + 64
                nproc_note = f"RLIMIT_NPROC {self.nproc}"
            self.status["rlimits"] = (True, f"RLIMIT_CPU (soft; hard = soft + 1 s), RLIMIT_AS, RLIMIT_FSIZE, "
                                            f"RLIMIT_NOFILE 64, RLIMIT_CORE 0; {nproc_note}")
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
                shared = iso.SharedNamespaces(self.uid, self.gid)
            except OSError as exc:
                ok, why = False, str(exc)
            else:
                host_net = os.readlink("/proc/self/ns/net")

                def join_test() -> None:
                    iso.SharedNamespaces.join(shared.user_fd, shared.net_fd)
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

        # Landlock
        abi, why = iso.landlock_abi() if linux else (0, "not Linux")
        if "landlock" in disabled:
            self.status["landlock"] = (False, "disabled by configuration")
        elif abi < 1:
            self.status["landlock"] = (False, why)
        else:
            try:
                ruleset = iso.LandlockRuleset(abi, iso.readonly_paths(), [scratch_root])
            except OSError as exc:
                self.status["landlock"] = (False, f"building the ruleset failed: {exc}")
            else:
                probe = iso.protected_paths()[0]

                def landlock_test() -> None:
                    iso.set_no_new_privs()
                    iso.LandlockRuleset.restrict_self(ruleset.fd)
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

        # seccomp
        if "seccomp" in disabled:
            self.status["seccomp"] = (False, "disabled by configuration")
        elif not linux:  # pragma: no cover
            self.status["seccomp"] = (False, "not Linux")
        elif iso.seccomp_arch() is None:
            self.status["seccomp"] = (False, f"no syscall table for architecture {os.uname().machine}")
        else:
            # Landlock covers truncate(2) on paths only from ABI 3; below that, seccomp refuses it.
            extra = ("truncate",) if self.ruleset is None or self.ruleset.abi < 3 else ()
            try:
                filt = iso.SeccompFilter(extra)
            except OSError as exc:
                self.status["seccomp"] = (False, f"building the filter failed: {exc}")
            else:
                import socket as _socket

                def seccomp_test() -> None:
                    iso.set_no_new_privs()
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
                _os_exit(0)
        os.close(w)
        message = _read_exact(r, 4096)
        os.close(r)
        os.waitpid(pid, 0)
        return (not message), message.decode(errors="replace")

    def layers(self) -> list[str]:
        names = []
        for name in ("fork", "rlimits", "nocaps", "userns+netns", "landlock", "seccomp"):
            active, _ = self.status[name]
            if active:
                names.append(f"landlock-abi{self.ruleset.abi}" if name == "landlock" and self.ruleset else name)
        return names

    def status_list(self) -> list[dict[str, object]]:
        out = []
        for name, (active, detail) in self.status.items():
            if name == "landlock" and active and self.ruleset is not None:
                name = f"landlock-abi{self.ruleset.abi}"
            out.append({"name": name, "active": active, "detail": detail})
        return out


# --------------------------------------------------------------------------------------------
# The child


def _relayout(sources: list[int]) -> None:
    """Make ``sources[i]`` available as descriptor ``i`` and close every other descriptor."""
    import fcntl  # already in sys.modules: imported by serve()

    floor = max(sources + [len(sources)]) + 1
    temps = [fcntl.fcntl(fd, fcntl.F_DUPFD, floor) for fd in sources]
    for target, fd in enumerate(temps):
        os.dup2(fd, target)
    os.closerange(len(sources), 1 << 20)  # the temporaries and everything else of the zygote


def _standby(plan: Plan, entry: Entry, ctl: socket.socket) -> NoReturn:
    """A child forked ahead of its submission.

    Phase 1 (before any run exists) applies every layer that does not depend on the run: own
    session and process group, parent-death signal, the sandbox's namespaces, no capabilities,
    Landlock, seccomp. Phase 2 starts when the grader sends one run on ``ctl`` (the zygote handed
    the other end over): the request, result and output pipes arrive with it (SCM_RIGHTS), then
    the child moves into its scratch directory, reads the request, sets the run's rlimits,
    announces the layers and calls the entry.
    """
    import socket

    iso = plan.iso
    try:
        os.setsid()  # own session and process group: killpg reaches everything it starts
        iso.set_pdeathsig(signal.SIGKILL)
        if os.getppid() != plan.zygote_pid:
            _os_exit(EXIT_SETUP)
        for sig, handler in plan.signal_resets:
            signal.signal(sig, handler)

        # While waiting: 0 /dev/null, 1-2 the zygote's (replaced in phase 2), 3 the control socket,
        # then the ruleset and namespace descriptors, closed again as soon as they are used.
        sources = [os.open(os.devnull, os.O_RDWR), 1, 2, ctl.detach()]
        ruleset_fd = ns_fds = None
        if plan.ruleset is not None:
            ruleset_fd = len(sources)
            sources.append(plan.ruleset.fd)
        if plan.namespaces is not None:
            ns_fds = (len(sources), len(sources) + 1)
            sources += [plan.namespaces.user_fd, plan.namespaces.net_fd]
        _relayout(sources)
        if ns_fds is not None:
            iso.SharedNamespaces.join(*ns_fds)
            os.close(ns_fds[0])
            os.close(ns_fds[1])
        iso.set_no_new_privs()
        iso.drop_capabilities()
        if ruleset_fd is not None:
            iso.LandlockRuleset.restrict_self(ruleset_fd)
            os.close(ruleset_fd)
        if plan.seccomp is not None:
            plan.seccomp.load()
        ctl = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=3)
    except BaseException:
        try:
            os.write(2, traceback.format_exc().encode()[-4000:])
        finally:
            _os_exit(EXIT_SETUP)

    try:
        msg, fds, _, _ = socket.recv_fds(ctl, 65536, 4)
    except BaseException:
        _os_exit(EXIT_SETUP)
    if not msg or len(fds) != 4:
        _os_exit(0)  # discarded by the zygote
    try:
        run = json.loads(msg)
        req_r, res_w, out_w, err_w = fds
        # fd layout for the submission: 0 /dev/null, 1 stdout pipe, 2 stderr pipe, 3 result pipe,
        # 4 request pipe (closed once read); the control socket is gone.
        ctl.detach()
        _relayout([0, out_w, err_w, res_w, req_r])
        scratch = run["scratch"]
        os.chdir(scratch)
        request = _read_exact(_REQUEST_FD, int(run["req_len"]))
        os.close(_REQUEST_FD)
        if len(request) != int(run["req_len"]):
            raise RuntimeError("short request")
        iso.apply_rlimits(run["cpu_seconds"], run["memory_bytes"], run["file_bytes"], nproc=plan.nproc)
        os.environ["HOME"] = os.environ["TMPDIR"] = scratch
        tempfile.tempdir = scratch
        send = make_send(RESULT_FD)
        # First frame, written before any learner code runs: the layers actually in force.
        send(plan.ready_frame)
    except BaseException:
        try:
            os.write(2, traceback.format_exc().encode()[-4000:])
        finally:
            _os_exit(EXIT_SETUP)
    _call_entry(entry, request, send)


# --------------------------------------------------------------------------------------------
# The server loop


def _send(sock: socket.socket, obj: dict[str, Any]) -> None:
    sock.send(json.dumps(obj).encode())


def _sweep(zygote_pid: int, keep: list[int] = ()) -> None:  # type: ignore[assignment]
    """Kill and reap every remaining descendant except the waiting standbys in ``keep`` (as a
    subreaper, the zygote adopts whatever a child left behind)."""
    path = f"/proc/{zygote_pid}/task/{zygote_pid}/children"
    for _ in range(1000):
        try:
            with open(path) as f:
                pids = [int(p) for p in f.read().split() if int(p) not in keep]
        except OSError:
            pids = []
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


def _fork_standby(plan: Plan, entry: Entry) -> tuple[int, socket.socket]:
    import socket

    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - covered through the sandbox tests
        _standby(plan, entry, child_end)
    child_end.close()
    return pid, parent_end


def _discard(standby: tuple[int, socket.socket]) -> None:
    pid, ctl = standby
    ctl.close()
    for func in (os.killpg, os.kill):
        try:
            func(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


_sandbox_dir: str | None = None  # the grader's per-sandbox directory (holds the scratch root and our log)


def _remove_sandbox_dir() -> None:
    """Remove the sandbox directory when the grader is gone, so that a grader killed without
    running its clean-up (SIGKILL, os._exit) leaves nothing behind. Harmless after a normal close,
    which removes it too."""
    if _sandbox_dir and os.path.basename(_sandbox_dir).startswith("eshikaku-sandbox-"):
        shutil.rmtree(_sandbox_dir, ignore_errors=True)


def _wait_child(sock: socket.socket, pid: int) -> tuple[int, resource.struct_rusage]:
    import select

    def kill() -> None:
        for func, target in ((os.killpg, pid), (os.kill, pid)):
            try:
                func(target, signal.SIGKILL)
            except ProcessLookupError:
                pass

    pidfd = None
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pass
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    if pidfd is not None:
        poller.register(pidfd, select.POLLIN)

    def reap() -> tuple[int, resource.struct_rusage]:
        # The child is a zombie now, so its pid (and process-group id) cannot have been reused:
        # kill whatever is left in its group first, then reap.
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _, status, usage = os.wait4(pid, 0)
        return status, usage

    try:
        while True:
            if pidfd is None:
                if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                    return reap()
            for fd, _ in poller.poll(None if pidfd is not None else 5):
                if fd == sock.fileno():
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        data = b""
                    if not data:  # the grader closed us or died: take the child with us
                        kill()
                        os.waitpid(pid, 0)
                        _sweep(os.getpid())
                        _remove_sandbox_dir()
                        _os_exit(0)
                    message = json.loads(data)
                    if message.get("op") == "kill" and message.get("pid") == pid:
                        kill()
                elif fd == pidfd:
                    return reap()
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _warm_up() -> None:
    """Run once what nearly every child runs, so that children start with it initialised."""
    import io

    from grader.sandbox import isolation as iso

    iso.prepare_seal()
    try:
        import numpy as np
    except ImportError:
        return
    buffer = io.BytesIO()
    np.save(buffer, np.arange(6.0).reshape(2, 3), allow_pickle=False)
    np.load(io.BytesIO(buffer.getvalue()), allow_pickle=False)
    json.loads(json.dumps({"a": [1.0, 2]}))
    compile("def f(x):\n    return x\n", "<warm-up>", "exec")


def serve(sock_fd: int, entry_spec: str, scratch_root: str, disabled: set[str]) -> None:
    import socket

    global _sandbox_dir
    _sandbox_dir = os.path.dirname(os.path.abspath(scratch_root))

    sock = socket.socket(fileno=sock_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when we stop
    try:
        import fcntl  # noqa: F401  (used by every child; import it once here)
        import select  # noqa: F401

        from grader.sandbox import isolation as iso

        iso.set_child_subreaper()
        iso.prepare()
        try:
            import numpy
            import numpy.random  # noqa: F401  (lazy in NumPy 2; import once here, not per child)
        except ImportError:
            pass
        entry = load_entry(entry_spec)
        leaked = sorted(m for m in sys.modules if m.partition(".")[0] in ("reference", "questions", "cli"))
        if leaked:
            raise RuntimeError(f"the entry imported {leaked}: the zygote must stay free of reference code "
                               "and question data")
        plan = Plan(scratch_root, disabled)
        _warm_up()
        gc.collect()
        gc.freeze()  # keep the warm heap in a permanent generation: fewer copy-on-write faults per child
    except BaseException:
        _send(sock, {"op": "hello", "error": traceback.format_exc()[-4000:]})
        return
    _send(sock, {"op": "hello", "pid": os.getpid(), "layers": plan.layers(), "status": plan.status_list()})

    # Children are forked ahead of their submissions and announced to the grader, which uses them
    # in that order and sends each its run directly. Two are kept announced, so the next one is
    # forked and isolated while the current one runs. Only one ever runs learner code at a time.
    announced: list[int] = []

    def announce() -> bool:
        pid, ctl = _fork_standby(plan, entry)
        try:
            socket.send_fds(sock, [json.dumps({"op": "standby", "pid": pid}).encode()], [ctl.fileno()])
        except OSError:
            _discard((pid, ctl))
            return False
        ctl.close()
        announced.append(pid)
        return True

    if not (announce() and announce()):
        _sweep(os.getpid())
        _remove_sandbox_dir()
        return
    while True:
        pid = announced[0]
        status, usage = _wait_child(sock, pid)
        announced.pop(0)
        _sweep(os.getpid(), keep=announced)
        _send(sock, {
            "op": "exit",
            "pid": pid,
            "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss,
        })
        if not announce():
            _sweep(os.getpid())
            _remove_sandbox_dir()
            return


# --------------------------------------------------------------------------------------------
# Portable single-use mode (macOS, Windows, or ESHIKAKU_SANDBOX=spawn)


def _rss_watchdog(limit_bytes: int) -> None:
    """In-process RSS check for systems where RLIMIT_AS is not honoured (macOS): accident protection only."""
    import resource
    import threading
    import time

    scale = 1 if sys.platform == "darwin" else 1024

    def watch() -> None:
        while True:
            if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale > limit_bytes:
                _os_exit(EXIT_MEMORY)
            time.sleep(0.02)

    threading.Thread(target=watch, name="eshikaku-rss-watchdog", daemon=True).start()


def once(entry_spec: str, limits: dict[str, Any], result_fd: int | None, result_handle: int | None) -> NoReturn:
    try:
        try:
            import numpy  # noqa: F401
        except ImportError:
            pass
        entry = load_entry(entry_spec)
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            if result_handle is not None:
                result_fd = msvcrt.open_osfhandle(result_handle, 0)
        assert result_fd is not None
        stdin = sys.stdin.buffer
        request = stdin.read(int(limits["req_len"]))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        from grader.sandbox import isolation as iso

        applied = iso.apply_rlimits(limits["cpu_seconds"], limits["memory_bytes"], limits["file_bytes"])
        layers = ["spawn"]
        if applied:
            layers.append("rlimits" if {"cpu", "as", "fsize", "nofile", "core"} <= set(applied)
                          else "rlimits(" + ",".join(applied) + ")")
        if "as" not in applied and sys.platform != "win32":
            _rss_watchdog(int(limits["memory_bytes"]))
            layers.append("rss-watchdog")
        if hasattr(signal, "SIGXFSZ"):
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        send = make_send(result_fd)
        # First frame, written before any learner code runs: what was actually applied.
        send(json.dumps({"ready": True, "layers": layers}).encode())
    except BaseException:
        traceback.print_exc()
        _os_exit(EXIT_SETUP)
    _call_entry(entry, request, send)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.sandbox.zygote")
    parser.add_argument("--entry", required=True)
    parser.add_argument("--sock-fd", type=int)
    parser.add_argument("--scratch-root")
    parser.add_argument("--disable", default="")
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--limits", default="{}")
    parser.add_argument("--result-fd", type=int)
    parser.add_argument("--result-handle", type=int)
    args = parser.parse_args(argv)
    if args.once:
        once(args.entry, json.loads(args.limits), args.result_fd, args.result_handle)
    serve(args.sock_fd, args.entry, args.scratch_root, {d for d in args.disable.split(",") if d})


if __name__ == "__main__":
    main()
