"""The grader's side of one zygote: start it, take its standby children, run one submission in each.

Linux only. The zygote (:mod:`grader.sandbox.zygote`) forks the children; this side sends each child
its run and pipes directly, collects frames and output until the zygote reports the child's end,
and leaves the scratch directory empty for the next child.
"""

from __future__ import annotations

import json
import math
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Callable
from typing import Any

from grader.sandbox.allowlist import project_dir
from grader.sandbox.child import EXIT_SETUP, stage_message
from grader.sandbox.interpreter import BOOT, child_env
from grader.sandbox.pipes import drain, run_pipes, write_some
from grader.sandbox.results import FrameReader, Limits, OutputCapture, RunResult, SandboxError, Stage, limits_message, outcome_of
from grader.sandbox.scratch import empty_scratch, rmtree

_ZYGOTE_START_TIMEOUT = 120.0

_KILL_GRACE = 5.0  # how long the zygote may take to kill and reap a child before we give up on it


class _ZygoteLost(Exception):
    pass


class ZygoteBackend:
    """Talks to one zygote. Per run: take the standby child the zygote announced, send it the run and
    the child's pipe ends directly, collect its output until the zygote reports that it has ended (or
    until every frame the caller's plan asked for is in: then the end is awaited before the next run)."""

    def __init__(self, entry: str, disable: tuple[str, ...], rehearse: bool) -> None:
        self.entry = entry
        self.disable = disable
        self.rehearse = rehearse
        self.base = tempfile.mkdtemp(prefix="eshikaku-sandbox-")
        # Children of a root grader run as an unprivileged uid: they must be able to pass through (not
        # list) the base to reach their scratch root; the log stays the grader's.
        os.chmod(self.base, 0o711)
        self.scratch_root = os.path.join(self.base, "scratch")  # granted read-write by Landlock
        os.mkdir(self.scratch_root, 0o711)  # passable by a child's unprivileged uid, listable only by us
        os.chmod(self.scratch_root, 0o711)  # whatever the umask
        self.scratch = os.path.join(self.scratch_root, "run")  # each child's working directory
        os.mkdir(self.scratch, 0o700)
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.standbys: list[tuple[int, socket.socket]] = []  # announced by the zygote, used in order
        self.unsettled: int | None = None  # a child stopped once its results were in, until the zygote reports its end
        self.hello: dict[str, Any] = {}
        self._finalizer = weakref.finalize(self, ZygoteBackend._cleanup, self.__dict__)
        self._start()

    # -- zygote lifecycle

    def _start(self) -> None:
        os.makedirs(self.scratch, mode=0o700, exist_ok=True)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd = [sys.executable, "-I", "-B", "-c", BOOT, json.dumps([str(project_dir())]),
               "--entry", self.entry, "--sock-fd", str(child.fileno()),
               "--scratch-root", self.scratch_root, "--disable", ",".join(self.disable)] + ["--rehearse"] * self.rehearse
        with open(os.open(os.path.join(self.base, "zygote.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as log:
            self.proc = subprocess.Popen[bytes](cmd, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=log, cwd="/",
                                         env=child_env(self.base), start_new_session=True)
        child.close()
        self.sock = parent
        try:
            hello, _ = self._recv(_ZYGOTE_START_TIMEOUT)
        except _ZygoteLost:
            hello = {"error": "the zygote exited before saying hello"}
        if hello.get("op") != "hello" or "error" in hello:
            self._stop()
            raise SandboxError(f"sandbox zygote failed to start: {hello.get('error', hello)}\n"
                               f"{self._log_tail()}".rstrip())
        self.hello = hello

    def _stop(self) -> None:
        ZygoteBackend._cleanup(self.__dict__, remove_base=False)

    @staticmethod
    def _cleanup(state: dict[str, Any], remove_base: bool = True) -> None:
        for _, ctl in state.get("standbys", ()):
            ctl.close()  # the standby sees EOF and exits
        state["standbys"] = []
        state["unsettled"] = None
        sock, proc = state.get("sock"), state.get("proc")
        if sock is not None:
            sock.close()  # the zygote sees EOF, kills its current child (if any) and exits
            state["sock"] = None
        if proc is not None:
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            state["proc"] = None
        if remove_base and state.get("base"):
            rmtree(state["base"])

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.sock is not None

    def kill_zygote(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # its child dies too (PR_SET_PDEATHSIG)
        self._stop()

    def close(self) -> None:
        self._finalizer()

    def abandon(self) -> None:
        """In a forked copy of the grader: let go of this zygote without touching it. Only this process's
        copies of the descriptors close (the zygote sees its grader's end only when the real one closes);
        nothing is killed, waited for or removed."""
        self._finalizer.detach()
        for _, ctl in self.standbys:
            ctl.close()
        if self.sock is not None:
            self.sock.close()
        self.standbys, self.sock, self.proc = [], None, None

    # -- messages from the zygote

    def _recv(self, timeout: float | None) -> tuple[dict[str, Any], list[int]]:
        """One message and the descriptors that came with it."""
        assert self.sock is not None
        ready, _, _ = select.select([self.sock], [], [], timeout)
        if not ready:
            raise _ZygoteLost("no answer from the zygote")
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, 65536, 1)
        except OSError as exc:
            raise _ZygoteLost(str(exc)) from exc
        if not data:
            raise _ZygoteLost("the zygote closed the connection")
        return json.loads(data), fds

    def _take(self, message: dict[str, Any], fds: list[int]) -> None:
        """Keep a standby announcement; forget a standby that died before it was used."""
        if message.get("op") == "standby" and len(fds) == 1:
            self.standbys.append((int(message["pid"]), socket.socket(fileno=fds[0])))
            return
        for fd in fds:
            os.close(fd)
        if message.get("op") == "exit":
            for standby in [s for s in self.standbys if s[0] == message.get("pid")]:
                standby[1].close()  # e.g. killed from outside while it waited
                self.standbys.remove(standby)

    def _next_standby(self) -> tuple[int, socket.socket]:
        while not self.standbys:
            self._take(*self._recv(_ZYGOTE_START_TIMEOUT))
        return self.standbys.pop(0)

    def _send_kill(self, pid: int) -> bool:
        return self._send({"op": "kill", "pid": pid})

    def _send(self, message: dict[str, Any]) -> bool:
        try:
            self.sock.send(json.dumps(message).encode())  # type: ignore[union-attr]
            return True
        except OSError:
            return False

    # -- one run

    def run(self, request: bytes, limits: Limits, frames: int | None = None,
            meanwhile: Callable[[], object] | None = None, stage: Stage | None = None) -> RunResult:
        message = limits_message(request, limits)
        for attempt in range(3):
            if not self.alive():
                self._stop()
                self._start()
            try:
                self._settle()
                return self._run(request, limits, message, frames, meanwhile, stage)
            except _ZygoteLost as exc:  # lost before the child got its run: safe to retry
                self.kill_zygote()
                if attempt == 2:
                    raise SandboxError(f"sandbox zygote keeps failing: {exc}\n{self._log_tail()}") from exc
        raise AssertionError("unreachable")

    def _settle(self) -> None:
        """Wait until the child stopped early has ended, and clean up after it: only one child of a
        zygote ever runs learner code at a time, and the next one finds an empty scratch directory."""
        pid, self.unsettled = self.unsettled, None
        if pid is None:
            return
        deadline = time.monotonic() + _KILL_GRACE
        try:
            while True:
                message, fds = self._recv(max(0.0, deadline - time.monotonic()))
                self._take(message, fds)
                if message.get("op") == "exit" and message.get("pid") == pid:
                    break
        except _ZygoteLost:
            self.kill_zygote()  # the child dies with it (PR_SET_PDEATHSIG), before the clean-up below
            raise
        finally:
            self._clean_scratch()

    def _run(self, request: bytes, limits: Limits, message: dict[str, Any], complete_after: int | None,
             meanwhile: Callable[[], object] | None, stage: Stage | None) -> RunResult:
        t0 = time.monotonic()
        scratch = self.scratch
        mine: list[int] = []
        try:
            theirs = run_pipes(len(request), mine)
            req_w, res_r, out_r, err_r = mine
            run = json.dumps({"scratch": scratch, **message}).encode()
            try:
                for _ in range(3):
                    pid, ctl = self._next_standby()
                    try:
                        socket.send_fds(ctl, [run], theirs)
                        break
                    except OSError:
                        continue  # it died while waiting; the zygote reports that and forks another
                    finally:
                        ctl.close()
                else:
                    raise _ZygoteLost("standby children keep dying before their run")
            finally:
                for fd in theirs:
                    os.close(fd)
            if limits.cpu_seconds != math.ceil(limits.cpu_seconds):  # finer than RLIMIT_CPU: the zygote watches it
                self._send({"op": "budget", "pid": pid, "cpu_seconds": limits.cpu_seconds})
            pending = write_some(req_w, memoryview(request))
            failure: BaseException | None = None
            if meanwhile is not None:  # the child is running: do the caller's work that does not need its results
                try:
                    meanwhile()
                except BaseException as exc:  # the child must still be stopped and collected
                    failure = exc
                    self._send_kill(pid)
            result = self._collect(pending, limits, t0, pid, req_w, res_r, out_r, err_r, mine,
                                   None if failure else complete_after, None if failure else stage)
            if failure is not None:
                raise failure
            return result
        finally:
            for fd in mine:
                try:
                    os.close(fd)
                except OSError:
                    pass
            if self.unsettled is None:  # else once the child has ended (_settle)
                self._clean_scratch()

    def _collect(self, pending: memoryview, limits: Limits, t0: float, pid: int, req_w: int, res_r: int,
                 out_r: int, err_r: int, mine: list[int], complete_after: int | None, stage: Stage | None) -> RunResult:
        """Collect the child's frames and output until the zygote reports its end, or, with
        ``complete_after``, until that many frames are in: then the child is stopped and the run
        returns without waiting for its exit (the caller's plan has every result it asked for).
        ``stage`` is written to the request pipe, kept open for it, once ``stage.after`` frames are in."""
        assert self.sock is not None
        frames = FrameReader(limits)
        output = OutputCapture(limits.output_bytes)
        deadline = time.monotonic() + limits.wall_seconds
        poller = select.poll()
        streams = {res_r: 0, out_r: 1, err_r: 2}
        for fd in streams:
            os.set_blocking(fd, False)
            poller.register(fd, select.POLLIN)
        sock_fd = self.sock.fileno()
        poller.register(sock_fd, select.POLLIN)
        if pending:
            poller.register(req_w, select.POLLOUT)
        elif stage is None:
            self._close_request(req_w, mine)
        killed: str | None = None
        kill_time = 0.0
        exit_msg: dict[str, Any] | None = None
        lost = complete = False

        def consume(fd: int) -> bool:
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                return True
            if not data:
                return False
            if fd == res_r:
                frames.feed(data)
            else:
                output.feed(streams[fd], data)
            return True

        while exit_msg is None and not lost and not complete:
            now = time.monotonic()
            if killed is None and (now >= deadline or frames.over):
                killed = "result_limit" if frames.over else "timeout"
                kill_time = now
                if not self._send_kill(pid):
                    lost = True
                    break
            if killed is not None and now - kill_time > _KILL_GRACE:
                lost = True
                break
            wait = (deadline - now) if killed is None else (kill_time + _KILL_GRACE - now)
            for fd, _event in poller.poll(max(0.0, wait) * 1000):
                if fd == sock_fd:
                    try:
                        msg, fds = self._recv(0)
                    except _ZygoteLost:
                        lost = True
                        break
                    if msg.get("op") == "exit" and msg.get("pid") == pid:
                        exit_msg = msg
                    self._take(msg, fds)
                elif fd == req_w:
                    try:
                        pending = pending[os.write(req_w, pending[:1 << 20]):]
                    except BlockingIOError:
                        continue
                    except OSError:  # the child is gone or closed its end
                        pending = pending[:0]
                    if not pending:
                        poller.unregister(req_w)
                        if stage is None:
                            self._close_request(req_w, mine)
                else:
                    if not consume(fd):
                        poller.unregister(fd)
                    elif fd == res_r and complete_after is not None and not frames.over and len(frames.frames) >= complete_after:
                        complete = self._send_kill(pid)
                        lost = not complete
                    elif fd == res_r and stage is not None and killed is None and not frames.over and len(frames.frames) >= stage.after:
                        if not pending:
                            poller.register(req_w, select.POLLOUT)
                        pending = memoryview(bytes(pending) + stage_message(stage.data))
                        stage = None  # sent once; the pipe closes when it is written
        if lost:
            self.kill_zygote()  # PR_SET_PDEATHSIG takes the child down with it
        elif complete and exit_msg is None:
            self.unsettled = pid  # its end is awaited before the next run
        # A child stopped once complete wrote its output before its last frame: one read of each pipe takes it.
        drain(streams, frames, output, res_r, once=complete, patient=lost)
        if frames.over and killed is None:
            killed = "result_limit"  # the child exceeded the limits but exited before we could kill it
        code = sig = cpu = None
        if exit_msg is not None:
            code, sig, cpu = exit_msg.get("code"), exit_msg.get("signal"), exit_msg.get("cpu")
            if exit_msg.get("over_budget") and killed is None:
                killed = "cpu_limit"
        ready = frames.ready
        if ready is None and code == EXIT_SETUP:
            # No ready frame: learner code never ran, so this exit code is ours and means a grader fault.
            raise SandboxError("the sandbox could not isolate the child:\n" + output.text(2) + self._log_tail())
        if lost and not killed:
            outcome = "crashed"
        elif complete:
            outcome = "ok"
        else:
            outcome = outcome_of(killed, code, sig, cpu, limits)
        layers = tuple(ready.get("layers", ())) if ready else tuple(self.hello.get("layers", ()))
        return RunResult(outcome=outcome, frames=frames.frames, stdout=output.text(1), stderr=output.text(2),
                         output_truncated=output.any_truncated, exit_code=code, signal=sig,
                         wall_seconds=time.monotonic() - t0, layers=layers, cpu_seconds=cpu)

    @staticmethod
    def _close_request(req_w: int, mine: list[int]) -> None:
        os.close(req_w)
        mine.remove(req_w)

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self.base, "zygote.log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def _clean_scratch(self) -> None:
        """Leave the scratch root as the next child must find it: only an empty ``run`` directory.

        The child is dead and swept by now, but it may have left traps: ``run`` replaced by a
        symlink to somewhere else, unwritable directories, trees deeper than any recursion limit.
        Nothing here follows a symlink or raises. The working directory is emptied rather than
        removed and re-created: that is usually two listdir calls, while an rmdir costs
        milliseconds on some filesystems (ext4 with discard).
        """
        try:
            clean = empty_scratch(self.scratch_root, self.scratch)
        except Exception:  # a trap nobody foresaw must cost this zygote, never the grading
            clean = False
        if not clean:
            # Something could not be removed: never let the next child see it. The old root stays
            # aside in the sandbox directory (removed at close); the next zygote, whose Landlock
            # ruleset names its directory, gets a brand-new one.
            self.kill_zygote()
            self.scratch_root = tempfile.mkdtemp(prefix="scratch-", dir=self.base)
            os.chmod(self.scratch_root, 0o711)
            self.scratch = os.path.join(self.scratch_root, "run")
            os.mkdir(self.scratch, 0o700)

