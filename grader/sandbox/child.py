"""The forked child's side: apply the per-child layers, take its run, call the entry, exit with a code.

Runs in a child of the zygote (:mod:`grader.sandbox.zygote`); nothing here runs in the grader except
the exit-code constants and the frame writer, which the portable path shares.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import struct
import sys
import tempfile
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

from grader.sandbox.capabilities import drop_capabilities
from grader.sandbox.landlock import LandlockRuleset
from grader.sandbox.namespaces import switch_to_task_id
from grader.sandbox.rlimits import apply_rlimits
from grader.sandbox.scratchfs import mount_private_scratch
from grader.sandbox.syscalls import set_no_new_privs, set_pdeathsig, set_process_name

if TYPE_CHECKING:
    import socket

    from grader.sandbox.isolation import Plan

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
hard_exit = os._exit  # captured before any learner code can replace it

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
    """``send(frame)``: write one length-prefixed frame to the result descriptor (header and body in one
    system call when the pipe has room: the grader wakes once per frame)."""
    write, writev = os.write, os.writev
    pack = _FRAME_HEADER.pack

    def send(data: bytes) -> None:
        view = memoryview(data).cast("B")
        if view.nbytes > 0xFFFFFFFF:
            raise ValueError("frame too large")
        header = pack(view.nbytes)
        written = writev(fd, [header, view])
        if written < len(header):
            _write_all(fd, header[written:], write)
            written = len(header)
        _write_all(fd, view[written - len(header):], write)

    return send


def _write_all(fd: int, data: bytes | memoryview, write: Callable[[int, bytes | memoryview], int]) -> None:
    view = memoryview(data)
    while view:
        view = view[write(fd, view):]


_STAGE_HEADER = struct.Struct("!Q")
_stage_fd: int | None = None  # where the next part of a request comes from (set before the entry is called)


def stage_source(fd: int) -> None:
    """Where :func:`read_stage` reads: the request's own descriptor, kept open after its first part."""
    global _stage_fd
    _stage_fd = fd


def read_stage() -> bytes:
    """The next part of the request: cases the grader sends once the first frames are in (8-byte length,
    then the bytes). Empty when the grader sent none or the request pipe is closed."""
    if _stage_fd is None:
        return b""
    header = read_exact(_stage_fd, _STAGE_HEADER.size)
    if len(header) != _STAGE_HEADER.size:
        return b""
    return read_exact(_stage_fd, _STAGE_HEADER.unpack(header)[0])


def stage_message(data: bytes) -> bytes:
    """``data`` as the grader writes a later part of a request (see :func:`read_stage`)."""
    return _STAGE_HEADER.pack(len(data)) + data


def read_exact(fd: int, size: int) -> bytes:
    chunks = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def call_entry(entry: Entry, request: bytes, send: Callable[[bytes], None]) -> NoReturn:
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
        hard_exit(code)
    hard_exit(code)  # unreachable; keeps type checkers honest


def _relayout(sources: list[int]) -> None:
    """Make ``sources[i]`` available as descriptor ``i`` and close every other descriptor."""
    import fcntl  # already in sys.modules: imported by serve()

    floor = max(sources + [len(sources)]) + 1
    temps = [fcntl.fcntl(fd, fcntl.F_DUPFD, floor) for fd in sources]
    for target, fd in enumerate(temps):
        os.dup2(fd, target)
    os.closerange(len(sources), 1 << 20)  # the temporaries and everything else of the zygote


def run_standby(plan: Plan, entry: Entry, ctl: socket.socket, prepare: Callable[[], None] | None) -> NoReturn:
    """A child forked ahead of its submission.

    Phase 1 (before any run exists) applies every layer that does not depend on the run: own
    session and process group, parent-death signal, the sandbox's namespaces, no capabilities,
    Landlock, seccomp; then ``prepare``, the entry module's own work before a run, if it has any. Phase 2 starts
    when the grader sends one run on ``ctl`` (the zygote handed the other end over): the request,
    result and output pipes arrive with it (SCM_RIGHTS), then the child moves into its scratch
    directory, reads the request, sets the run's rlimits, announces the layers and calls the entry.
    """
    import socket

    try:
        os.setsid()  # own session and process group: killpg reaches everything it starts
        set_process_name("eshikaku-run")
        set_pdeathsig(signal.SIGKILL)
        # The zygote died before PDEATHSIG was set? In the PID namespace the zygote has no pid (0), and
        # its death ends the namespace anyway.
        if os.getppid() != (0 if plan.pidns is not None else plan.zygote_pid):
            hard_exit(EXIT_SETUP)
        for sig, handler in plan.signal_resets:
            signal.signal(sig, handler)

        plan.join_namespaces()
        if plan.private_scratch:
            task_id = plan.task_id
            owner = (task_id, task_id) if task_id is not None else (plan.uid, plan.gid)
            mount_private_scratch(os.path.join(plan.scratch_root, "run"), owner[0], owner[1], plan.fresh_proc,
                                  plan.namespaces is not None)
            if task_id is not None:
                switch_to_task_id(task_id)
        set_no_new_privs()
        drop_capabilities(keep_read_search=plan.task_id is not None)
        if plan.ruleset is not None:
            LandlockRuleset.restrict_self(plan.ruleset.fd)
        # While waiting: 0 /dev/null, 1-2 the zygote's (replaced in phase 2), 3 the control socket;
        # every other descriptor of the zygote is closed.
        _relayout([os.open(os.devnull, os.O_RDWR), 1, 2, ctl.detach()])
        if plan.seccomp is not None:
            plan.seccomp.load()
        ctl = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=3)
        if prepare is not None:  # e.g. grader.sandbox.harness.prepare
            prepare()
    except BaseException:
        try:
            os.write(2, traceback.format_exc().encode()[-4000:])
        finally:
            hard_exit(EXIT_SETUP)

    try:
        msg, fds, _, _ = socket.recv_fds(ctl, 65536, 4)
    except BaseException:
        hard_exit(EXIT_SETUP)
    if not msg or len(fds) != 4:
        hard_exit(0)  # discarded by the zygote
    try:
        run = json.loads(msg)
        req_r, res_w, out_w, err_w = fds
        # fd layout for the submission: 0 /dev/null, 1 stdout pipe, 2 stderr pipe, 3 result pipe,
        # 4 request pipe (the rest of a request may follow); the control socket is gone.
        ctl.detach()
        _relayout([0, out_w, err_w, res_w, req_r])
        scratch = run["scratch"]
        os.chdir(scratch)
        request = read_exact(_REQUEST_FD, int(run["req_len"]))
        if len(request) != int(run["req_len"]):
            raise RuntimeError("short request")
        stage_source(_REQUEST_FD)  # kept open: the hidden cases of a grading come later on it
        apply_rlimits(run["cpu_seconds"], run["memory_bytes"], run["file_bytes"], nproc=plan.nproc)
        os.environ["HOME"] = os.environ["TMPDIR"] = scratch
        tempfile.tempdir = scratch
        send = make_send(RESULT_FD)
        # First frame, written before any learner code runs: the layers actually in force.
        send(plan.ready_frame)
    except BaseException:
        try:
            os.write(2, traceback.format_exc().encode()[-4000:])
        finally:
            hard_exit(EXIT_SETUP)
    call_entry(entry, request, send)
