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
* grader -> zygote ``{"op": "kill", "pid"}`` at any time (wall deadline, result limit);
* grader -> zygote ``{"op": "budget", "pid", "cpu_seconds"}`` for a run whose CPU limit is not a whole
  number of seconds (RLIMIT_CPU's unit): the zygote stops the child once its CPU time reaches it, and
  says so in the exit message (``"over_budget": true``).

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
import functools  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from grader.sandbox.child import hard_exit, load_entry, run_standby  # noqa: E402
from grader.sandbox.isolation import Plan  # noqa: E402
from grader.sandbox.scratch import rmtree  # noqa: E402

if TYPE_CHECKING:
    import resource
    import socket

    from grader.sandbox.child import Entry


def _send(sock: socket.socket, obj: dict[str, Any]) -> None:
    sock.send(json.dumps(obj).encode())


def _children(pid: int) -> list[int]:
    # os-level calls, not open(): the zygote runs this after every child, and each object the io stack
    # touches is a page to copy again after the next fork.
    try:
        fd = os.open(f"/proc/{pid}/task/{pid}/children", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return []
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return [int(p) for p in b"".join(chunks).split()]
    except OSError:
        return []
    finally:
        os.close(fd)


_init_pid: int | None = None  # host pid of the PID namespace's init, when there is one


def _sweep(zygote_pid: int, keep: Sequence[int] = (), final: bool = False) -> None:
    """Kill and reap every remaining descendant except the waiting standbys in ``keep`` (as a
    subreaper, the zygote adopts whatever a child left behind; inside the PID namespace, orphans go
    to its init, which reaps them). ``final``: the init too, reaped last, since an init being killed
    waits for every zombie of its namespace, and those are the zygote's to reap."""
    init = _init_pid
    for _ in range(1000):
        pids = [p for p in _children(zygote_pid) if p not in keep and p != init]
        orphans = _children(init) if init is not None else []
        if not pids and not orphans:
            break
        for pid in pids + orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        if orphans:
            time.sleep(0.001)  # the init reaps them
    if final and init is not None and init in _children(zygote_pid):
        try:
            os.kill(init, signal.SIGKILL)
            os.waitpid(init, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _hold_mount_namespace(pid: int, own: int) -> int | None:
    """A reference to the child's private mount namespace, or None if it has none yet.

    Held while the child runs, so that the namespace and its tmpfs are torn down when the zygote
    lets go after reporting the exit, not in the child's exit, which the grader is waiting for.
    """
    try:
        fd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    if os.fstat(fd).st_ino == own:
        os.close(fd)
        return None
    return fd


def _fork_standby(plan: Plan, entry: Entry, prepare: Callable[[], None] | None) -> tuple[int, socket.socket]:
    import socket

    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - covered through the sandbox tests
        run_standby(plan, entry, child_end, prepare)
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
        rmtree(_sandbox_dir)


def _cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and all its threads so far (0 when it cannot be read)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rpartition(b")")[2].split()  # the name before it may hold anything, ")" too
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return 0.0


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
_BUDGET_TICK = 0.01  # seconds between two looks at the CPU time of a child with a budget


def _wait_child(sock: socket.socket, pid: int) -> tuple[int, resource.struct_rusage, bool]:
    """Wait for the child's end; returns its status, its rusage and whether its CPU budget stopped it.

    RLIMIT_CPU counts whole seconds; a run with a finer CPU budget (``{"op": "budget"}`` from the grader)
    is watched here, where the child's pid cannot have been reused yet (it is not reaped).
    """
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
    budget: float | None = None
    over_budget = False

    def reap() -> tuple[int, resource.struct_rusage, bool]:
        # The child is a zombie now, so its pid (and process-group id) cannot have been reused:
        # kill whatever is left in its group first, then reap.
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        _, status, usage = os.wait4(pid, 0)
        return status, usage, over_budget

    try:
        while True:
            if pidfd is None:
                if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                    return reap()
            timeout = _BUDGET_TICK if budget is not None and not over_budget else (None if pidfd is not None else 0.005)
            events = poller.poll(None if timeout is None else timeout * 1000)
            if budget is not None and not over_budget and _cpu_seconds(pid) >= budget:
                over_budget = True
                kill()
            for fd, _ in events:
                if fd == sock.fileno():
                    try:
                        data = sock.recv(65536)
                    except OSError:
                        data = b""
                    if not data:  # the grader closed us or died: take the child with us
                        kill()
                        os.waitpid(pid, 0)
                        _sweep(os.getpid(), final=True)
                        _remove_sandbox_dir()
                        hard_exit(0)
                    message = json.loads(data)
                    if message.get("pid") != pid:
                        continue
                    if message.get("op") == "kill":
                        kill()
                    elif message.get("op") == "budget" and isinstance(message.get("cpu_seconds"), (int, float)):
                        budget = float(message["cpu_seconds"])
                elif fd == pidfd:
                    return reap()
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _warm_up(warm: Callable[[], None] | None) -> None:
    """Run what nearly every child runs, so that children start with it initialised: the entry module's
    own ``warm()`` when it has one, else a frame round trip and a compile."""
    from grader.sandbox.importseal import prepare_seal

    prepare_seal()
    if warm is not None:
        warm()
        return
    try:
        import numpy as np

        from grader.sandbox.wire import decode, pack
    except ImportError:  # NumPy missing: the children will say so
        return
    decode(pack({"a": [1.0, 2], "b": np.arange(6.0).reshape(2, 3)}))  # the frame format every result goes through
    compile("def f(x):\n    return x\n", "<warm-up>", "exec")


def _quiet_threading_after_fork() -> None:
    """Make ``threading``'s after-fork hook (registered with ``os.register_at_fork``) do nothing here.

    The hook rebuilds the module's bookkeeping for a child forked while other threads ran: new locks, the
    list of live threads. The zygote has no other thread (it must stay single-threaded to fork safely), so
    in its children there is nothing to rebuild, yet the hook cost each of them ~120 copy-on-write faults
    (of ~870), about 0.25 ms of CPU. Threads a child starts are unaffected: they register as usual.
    """
    import threading

    hook = getattr(threading, "_after_fork", None)
    if hook is not None and threading.active_count() == 1 and threading.current_thread() is threading.main_thread():
        hook.__code__ = (lambda: None).__code__


def serve(sock_fd: int, entry_spec: str, scratch_root: str, disabled: set[str], rehearse: bool) -> None:
    import socket

    global _sandbox_dir, _init_pid
    _sandbox_dir = os.path.dirname(os.path.abspath(scratch_root))

    sock = socket.socket(fileno=sock_fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader decides when we stop
    try:
        import fcntl  # noqa: F401  (used by every child; import it once here)
        import select  # noqa: F401

        from grader.sandbox.capabilities import prepare as prepare_capabilities
        from grader.sandbox.syscalls import set_child_subreaper, set_process_name

        set_process_name("eshikaku-zygote")
        set_child_subreaper()
        prepare_capabilities()
        try:
            import numpy
            import numpy.random  # noqa: F401  (lazy in NumPy 2; import once here, not per child)
        except ImportError:
            pass
        entry = load_entry(entry_spec)
        # The entry module's hooks, looked up now: its own warm() may seal imports, which takes the
        # module out of sys.modules.
        module = sys.modules.get(getattr(entry, "__module__", ""))
        warm, prepare_child = getattr(module, "warm", None), getattr(module, "prepare", None)
        prepare_standby = None if prepare_child is None else functools.partial(prepare_child, rehearse)
        leaked = sorted(m for m in sys.modules if m.partition(".")[0] in ("reference", "questions", "cli"))
        if leaked:
            raise RuntimeError(f"the entry imported {leaked}: the zygote must stay free of reference code "
                               "and question data")
        plan = Plan(scratch_root, disabled)
        if plan.pidns is not None:
            _init_pid = plan.pidns.init_pid
        _warm_up(warm)
        _quiet_threading_after_fork()
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
        pid, ctl = _fork_standby(plan, entry, prepare_standby)
        try:
            socket.send_fds(sock, [json.dumps({"op": "standby", "pid": pid}).encode()], [ctl.fileno()])
        except OSError:
            _discard((pid, ctl))
            return False
        ctl.close()
        announced.append(pid)
        return True

    if not (announce() and announce()):
        _sweep(os.getpid(), final=True)
        _remove_sandbox_dir()
        return
    own_mounts = os.stat("/proc/self/ns/mnt").st_ino
    while True:
        pid = announced[0]
        held = _hold_mount_namespace(pid, own_mounts) if plan.private_scratch else None
        status, usage, over_budget = _wait_child(sock, pid)
        announced.pop(0)
        _sweep(os.getpid(), keep=announced)
        _send(sock, {
            "op": "exit",
            "pid": pid,
            "code": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
            "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
            "cpu": usage.ru_utime + usage.ru_stime,
            "maxrss_kb": usage.ru_maxrss,
            "over_budget": over_budget,
        })
        if held is not None:
            os.close(held)  # the child's tmpfs and mount namespace go now, after the grader has its answer
        if not announce():
            _sweep(os.getpid(), final=True)
            _remove_sandbox_dir()
            return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="grader.sandbox.zygote")
    parser.add_argument("--entry", required=True)
    parser.add_argument("--sock-fd", type=int)
    parser.add_argument("--scratch-root")
    parser.add_argument("--disable", default="")
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--rehearse", action="store_true", help="standby children rehearse a run (quicker verdicts, more CPU)")
    parser.add_argument("--limits", default="{}")
    parser.add_argument("--result-fd", type=int)
    parser.add_argument("--result-handle", type=int)
    args = parser.parse_args(argv)
    if args.once:
        from grader.sandbox.portable import once

        once(args.entry, json.loads(args.limits), args.result_fd, args.result_handle)
    serve(args.sock_fd, args.entry, args.scratch_root, {d for d in args.disable.split(",") if d}, args.rehearse)


if __name__ == "__main__":
    main()
