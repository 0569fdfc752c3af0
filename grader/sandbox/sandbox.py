"""Run untrusted learner code in a fresh, isolated worker process per submission.

Linux: a warm, secret-free zygote (:mod:`grader.sandbox.zygote`) forks one child per submission; the child
gets its own session, rlimits, no capabilities, a user + network namespace when the kernel allows,
Landlock and a seccomp deny-list before the entry runs. Elsewhere (or with ``ESHIKAKU_SANDBOX=spawn``)
each submission gets a fresh interpreter with rlimits where the OS honours them and a wall deadline.

The grader and the child talk through pipes only: a request (opaque bytes) in, length-prefixed result
frames (opaque bytes) out, stdout/stderr captured up to a cap. Nothing is ever unpickled or parsed
from the child here except the frame lengths; verdicts are computed by the caller from the frames.
"""

from __future__ import annotations

import json
import math
import os
import queue
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from grader.sandbox.isolation import LayerStatus, project_dir
from grader.sandbox.zygote import EXIT_MEMORY, EXIT_RETURNED, EXIT_SETUP

__all__ = ["Limits", "RunResult", "Sandbox", "SandboxPool", "SandboxError", "LayerStatus", "layer_status",
           "sandbox_mode", "OUTCOMES"]

OUTCOMES = ("ok", "timeout", "cpu_limit", "memory", "crashed", "exited", "result_limit")
MAX_REQUEST_BYTES = 256 << 20
_TRUNCATION_NOTE = "\n[eshikaku: output truncated at {cap} bytes; the rest was dropped]\n"
_HEADER = struct.Struct("!I")
_READY_FRAME_MAX = 64 << 10
_ZYGOTE_START_TIMEOUT = 120.0
_SPAWN_START_TIMEOUT = 60.0
_KILL_GRACE = 5.0  # how long the zygote may take to kill and reap a child before we give up on it
_BOOT = ("import sys, json; sys.path[:0] = json.loads(sys.argv.pop(1)); "
         "from grader.sandbox.zygote import main; main(sys.argv[1:])")


class SandboxError(RuntimeError):
    """The sandbox itself failed (zygote cannot start, isolation cannot be applied): a grader fault."""


@dataclass(frozen=True)
class Limits:
    """Per-submission limits. Defaults suit one NumPy function on a few small hidden cases."""

    cpu_seconds: float = 2.0  # RLIMIT_CPU soft (rounded up to whole seconds); hard = soft + 1
    wall_seconds: float = 5.0  # parent deadline, then SIGKILL of the whole child process group
    memory_bytes: int = 1 << 30  # RLIMIT_AS of the child (NumPy itself reserves ~100 MB)
    output_bytes: int = 64 * 1024  # stdout+stderr captured; the rest is dropped and flagged
    file_bytes: int = 1 << 20  # RLIMIT_FSIZE
    result_bytes: int = 64 << 20  # total size of result frames accepted
    max_frames: int = 10_000


@dataclass(frozen=True)
class RunResult:
    """What happened to one submission. ``frames`` are the only data to grade; ``outcome`` says how it ended."""

    outcome: str  # one of OUTCOMES
    frames: list[bytes]  # complete length-prefixed frames, in order (also when the child was killed)
    stdout: str
    stderr: str
    output_truncated: bool
    exit_code: int | None
    signal: int | None
    wall_seconds: float
    layers: tuple[str, ...]  # isolation layers that were active for this run
    cpu_seconds: float | None = field(default=None, compare=False)


def sandbox_mode() -> str:
    """"fork" (Linux zygote) or "spawn" (fresh interpreter per run); ``ESHIKAKU_SANDBOX`` overrides."""
    value = os.environ.get("ESHIKAKU_SANDBOX", "auto").strip().lower() or "auto"
    if value == "auto":
        return "fork" if sys.platform.startswith("linux") else "spawn"
    if value not in ("fork", "spawn"):
        raise SandboxError(f"ESHIKAKU_SANDBOX must be auto, fork or spawn, not {value!r}")
    if value == "fork" and not sys.platform.startswith("linux"):
        raise SandboxError("ESHIKAKU_SANDBOX=fork needs Linux")
    return value


def _child_env(home: str) -> dict[str, str]:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": home,
        "TMPDIR": home,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
    }
    if os.name == "nt":  # pragma: no cover - Windows needs these to start Python at all
        for key in ("SYSTEMROOT", "SYSTEMDRIVE", "WINDIR", "PATH", "TEMP", "TMP"):
            if key in os.environ:
                env[key] = os.environ[key]
        env["TEMP"] = env["TMP"] = home
    return env


def _is_real_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def _rmtree(path: str) -> None:
    """Remove a directory tree that a learner may have booby-trapped.

    Never follows a symlink, never touches anything outside ``path``, and tolerates entries that
    are already gone. A learner may have made a directory unwritable (when seccomp, which denies
    chmod, is not active): only real directories inside the tree are made writable again.
    """
    root = os.path.abspath(path)
    if not _is_real_dir(root):
        return

    def inside(target: str) -> bool:
        return target == root or target.startswith(root + os.sep)

    def retry(func: Callable[..., object], target: str, exc: object) -> None:
        if isinstance(exc, tuple):  # onerror (Python < 3.12) passes exc_info
            exc = exc[1]
        if isinstance(exc, FileNotFoundError):
            return
        target = os.path.abspath(target)
        try:
            for candidate in (os.path.dirname(target), target):
                if inside(candidate) and _is_real_dir(candidate):
                    os.chmod(candidate, 0o700)
            if inside(target):
                func(target)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=retry)
    else:
        shutil.rmtree(root, onerror=retry)


# --------------------------------------------------------------------------------------------
# Collecting what the child sends


class _Frames:
    """Incremental parser of ``!I``-length-prefixed frames with size and count caps.

    The first frame is the child's "ready" note (written before any learner code runs) and is not
    part of the result.
    """

    def __init__(self, limits: Limits) -> None:
        self.max_bytes = limits.result_bytes
        self.max_frames = limits.max_frames
        self.buf = bytearray()
        self.frames: list[bytes] = []
        self.total = 0
        self.over = False
        self.ready: dict[str, Any] | None = None

    def feed(self, data: bytes) -> None:
        if self.over:
            return
        buf = self.buf
        buf += data
        pos = 0
        while len(buf) - pos >= 4:
            (size,) = _HEADER.unpack_from(buf, pos)
            if self.ready is None:
                if size > _READY_FRAME_MAX:
                    self.over = True
                    break
            elif self.total + size > self.max_bytes or len(self.frames) >= self.max_frames:
                self.over = True
                break
            if len(buf) - pos - 4 < size:
                break
            frame = bytes(buf[pos + 4:pos + 4 + size])
            pos += 4 + size
            if self.ready is None:
                try:
                    self.ready = json.loads(frame)
                except ValueError:
                    self.ready = {}
            else:
                self.frames.append(frame)
                self.total += size
        if self.over:
            buf.clear()
        elif pos:
            del buf[:pos]


class _Output:
    """stdout + stderr with one shared byte budget; the excess is read and dropped."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0
        self.data = {1: bytearray(), 2: bytearray()}
        self.truncated = {1: False, 2: False}

    def feed(self, stream: int, chunk: bytes) -> None:
        room = self.cap - self.used
        if room > 0:
            take = chunk[:room]
            self.data[stream] += take
            self.used += len(take)
        if len(chunk) > max(room, 0):
            self.truncated[stream] = True

    def text(self, stream: int) -> str:
        out = self.data[stream].decode("utf-8", "replace")
        if self.truncated[stream]:
            out += _TRUNCATION_NOTE.format(cap=self.cap)
        return out

    @property
    def any_truncated(self) -> bool:
        return self.truncated[1] or self.truncated[2]


def _outcome(killed: str | None, code: int | None, sig: int | None, cpu: float | None,
             limits: Limits) -> str:
    if killed:
        return killed
    if sig is not None:
        if sig == getattr(signal, "SIGXCPU", -1):
            return "cpu_limit"
        # The hard RLIMIT_CPU (soft + 1 s) ends a child that ignores SIGXCPU with SIGKILL.
        # (rusage can read a little under the kernel's own CPU accounting, hence the margin)
        if sig == getattr(signal, "SIGKILL", -1) and cpu is not None and cpu >= math.ceil(limits.cpu_seconds) - 0.25:
            return "cpu_limit"
        return "crashed"
    if code == EXIT_RETURNED:
        return "ok"
    if code == EXIT_MEMORY:
        return "memory"
    return "exited"


def _limits_message(request: bytes, limits: Limits) -> dict[str, Any]:
    if len(request) > MAX_REQUEST_BYTES:
        raise ValueError(f"request of {len(request)} bytes exceeds {MAX_REQUEST_BYTES}")
    return {
        "req_len": len(request),
        "cpu_seconds": limits.cpu_seconds,
        "memory_bytes": limits.memory_bytes,
        "file_bytes": limits.file_bytes,
    }


# --------------------------------------------------------------------------------------------
# Linux: zygote + fork


class _ZygoteLost(Exception):
    pass


class _ForkBackend:
    """Talks to one zygote. Per run: take the standby child the zygote announced, send it the run and
    the child's pipe ends directly, collect its output until the zygote reports that it has ended."""

    def __init__(self, entry: str, disable: tuple[str, ...]) -> None:
        self.entry = entry
        self.disable = disable
        self.base = tempfile.mkdtemp(prefix="eshikaku-sandbox-")
        self.scratch_root = os.path.join(self.base, "scratch")  # granted read-write by Landlock
        os.mkdir(self.scratch_root, 0o700)
        self.scratch = os.path.join(self.scratch_root, "run")  # each child's working directory
        os.mkdir(self.scratch, 0o700)
        self.proc: subprocess.Popen[bytes] | None = None
        self.sock: socket.socket | None = None
        self.standbys: list[tuple[int, socket.socket]] = []  # announced by the zygote, used in order
        self.hello: dict[str, Any] = {}
        self._finalizer = weakref.finalize(self, _ForkBackend._cleanup, self.__dict__)
        self._start()

    # -- zygote lifecycle

    def _start(self) -> None:
        os.makedirs(self.scratch, mode=0o700, exist_ok=True)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        cmd = [sys.executable, "-I", "-B", "-c", _BOOT, json.dumps([str(project_dir())]),
               "--entry", self.entry, "--sock-fd", str(child.fileno()),
               "--scratch-root", self.scratch_root, "--disable", ",".join(self.disable)]
        with open(os.path.join(self.base, "zygote.log"), "wb") as log:
            self.proc = subprocess.Popen[bytes](cmd, pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=log, cwd="/",
                                         env=_child_env(self.base), start_new_session=True)
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
        _ForkBackend._cleanup(self.__dict__, remove_base=False)

    @staticmethod
    def _cleanup(state: dict[str, Any], remove_base: bool = True) -> None:
        for _, ctl in state.get("standbys", ()):
            ctl.close()  # the standby sees EOF and exits
        state["standbys"] = []
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
            _rmtree(state["base"])

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self.sock is not None

    def kill_zygote(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()  # its child dies too (PR_SET_PDEATHSIG)
        self._stop()

    def close(self) -> None:
        self._finalizer()

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
        try:
            self.sock.send(json.dumps({"op": "kill", "pid": pid}).encode())  # type: ignore[union-attr]
            return True
        except OSError:
            return False

    # -- one run

    def run(self, request: bytes, limits: Limits) -> RunResult:
        message = _limits_message(request, limits)
        for attempt in range(3):
            if not self.alive():
                self._stop()
                self._start()
            try:
                return self._run(request, limits, message)
            except _ZygoteLost as exc:  # lost before the child got its run: safe to retry
                self.kill_zygote()
                if attempt == 2:
                    raise SandboxError(f"sandbox zygote keeps failing: {exc}\n{self._log_tail()}") from exc
        raise AssertionError("unreachable")

    def _run(self, request: bytes, limits: Limits, message: dict[str, Any]) -> RunResult:
        t0 = time.monotonic()
        scratch = self.scratch
        mine: list[int] = []
        try:
            req_r, req_w = os.pipe()
            res_r, res_w = os.pipe()
            out_r, out_w = os.pipe()
            err_r, err_w = os.pipe()
            mine += [req_w, res_r, out_r, err_r]
            theirs = [req_r, res_w, out_w, err_w]
            try:
                import fcntl

                fcntl.fcntl(res_r, fcntl.F_SETPIPE_SZ, 1 << 20)
            except (OSError, AttributeError, ImportError):
                pass
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
            return self._collect(request, limits, t0, pid, req_w, res_r, out_r, err_r, mine)
        finally:
            for fd in mine:
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._clean_scratch()

    def _collect(self, request: bytes, limits: Limits, t0: float, pid: int, req_w: int, res_r: int,
                 out_r: int, err_r: int, mine: list[int]) -> RunResult:
        assert self.sock is not None
        frames = _Frames(limits)
        output = _Output(limits.output_bytes)
        deadline = time.monotonic() + limits.wall_seconds
        poller = select.poll()
        streams = {res_r: 0, out_r: 1, err_r: 2}
        for fd in streams:
            os.set_blocking(fd, False)
            poller.register(fd, select.POLLIN)
        sock_fd = self.sock.fileno()
        poller.register(sock_fd, select.POLLIN)
        pending = memoryview(request)
        if pending:
            os.set_blocking(req_w, False)
            poller.register(req_w, select.POLLOUT)
        killed: str | None = None
        kill_time = 0.0
        exit_msg: dict[str, Any] | None = None
        lost = False

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

        while exit_msg is None and not lost:
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
                        os.close(req_w)
                        mine.remove(req_w)
                else:
                    if not consume(fd):
                        poller.unregister(fd)
        if lost:
            self.kill_zygote()  # PR_SET_PDEATHSIG takes the child down with it
        # Drain what the (now dead) child left in the pipes.
        drain_until = time.monotonic() + (1.0 if lost else 0.5)
        for fd in streams:
            while True:
                try:
                    data = os.read(fd, 1 << 20)
                except BlockingIOError:
                    if not lost or time.monotonic() > drain_until:
                        break
                    time.sleep(0.005)
                    continue
                except OSError:
                    break
                if not data:
                    break
                if fd == res_r:
                    frames.feed(data)
                else:
                    output.feed(streams[fd], data)
        if frames.over and killed is None:
            killed = "result_limit"  # the child exceeded the limits but exited before we could kill it
        code = sig = cpu = None
        if exit_msg is not None:
            code, sig, cpu = exit_msg.get("code"), exit_msg.get("signal"), exit_msg.get("cpu")
        ready = frames.ready
        if ready is None and code == EXIT_SETUP:
            # No ready frame: learner code never ran, so this exit code is ours and means a grader fault.
            raise SandboxError("the sandbox could not isolate the child:\n" + output.text(2) + self._log_tail())
        if lost and not killed:
            outcome = "crashed"
        else:
            outcome = _outcome(killed, code, sig, cpu, limits)
        layers = tuple(ready.get("layers", ())) if ready else tuple(self.hello.get("layers", ()))
        return RunResult(outcome=outcome, frames=frames.frames, stdout=output.text(1), stderr=output.text(2),
                         output_truncated=output.any_truncated, exit_code=code, signal=sig,
                         wall_seconds=time.monotonic() - t0, layers=layers, cpu_seconds=cpu)

    def _log_tail(self) -> str:
        try:
            with open(os.path.join(self.base, "zygote.log"), errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def _clean_scratch(self) -> None:
        """Leave the scratch root as the next child must find it: only an empty ``run`` directory.

        The child is dead and swept by now, but it may have left traps: ``run`` replaced by a
        symlink to somewhere else, unwritable directories. Nothing here follows a symlink. The
        working directory is emptied rather than removed and re-created: that is usually two
        listdir calls, while an rmdir costs milliseconds on some filesystems (ext4 with discard).
        """
        dirty = False
        for directory, keep in ((self.scratch_root, "run"), (self.scratch, None)):
            if not _is_real_dir(directory):
                continue
            try:
                os.chmod(directory, 0o700)
                entries = list(os.scandir(directory))
            except OSError:
                entries = []
            for entry in entries:
                if entry.name == keep and entry.is_dir(follow_symlinks=False):
                    continue
                dirty = True
                if entry.is_dir(follow_symlinks=False):
                    _rmtree(entry.path)
                else:  # files, and symlinks themselves (never their targets)
                    try:
                        os.unlink(entry.path)
                    except FileNotFoundError:
                        pass
        if not _is_real_dir(self.scratch):
            dirty = True
            try:
                os.mkdir(self.scratch, 0o700)
            except OSError:
                pass
        if dirty and (not _is_real_dir(self.scratch) or os.listdir(self.scratch)
                      or os.listdir(self.scratch_root) != ["run"]):
            # Something could not be removed: never let the next child see it. Give the next zygote
            # (its Landlock ruleset names the directory) a brand-new one.
            self.kill_zygote()
            self.scratch_root = tempfile.mkdtemp(prefix="scratch-", dir=self.base)
            self.scratch = os.path.join(self.scratch_root, "run")
            os.mkdir(self.scratch, 0o700)


# --------------------------------------------------------------------------------------------
# Portable: fresh interpreter per run


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        proc.kill()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class _SpawnBackend:
    def __init__(self, entry: str) -> None:
        self.entry = entry

    def alive(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def run(self, request: bytes, limits: Limits) -> RunResult:
        message = _limits_message(request, limits)
        t0 = time.monotonic()
        scratch = tempfile.mkdtemp(prefix="eshikaku-run-")
        frames = _Frames(limits)
        output = _Output(limits.output_bytes)
        lock = threading.Lock()
        ready_event = threading.Event()
        over_event = threading.Event()
        res_r, res_w = os.pipe()
        cmd = [sys.executable, "-I", "-B", "-c", _BOOT, json.dumps([str(project_dir())]), "--once",
               "--entry", self.entry, "--limits", json.dumps(message)]
        kwargs: dict[str, Any] = {}
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            handle = msvcrt.get_osfhandle(res_w)
            os.set_handle_inheritable(handle, True)
            info = subprocess.STARTUPINFO()
            info.lpAttributeList = {"handle_list": [handle]}
            kwargs.update(startupinfo=info, close_fds=True,
                          creationflags=subprocess.CREATE_NEW_PROCESS_GROUP)
            cmd += ["--result-handle", str(handle)]
        else:
            kwargs.update(pass_fds=(res_w,), start_new_session=True)
            cmd += ["--result-fd", str(res_w)]
        try:
            proc = subprocess.Popen[bytes](cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    cwd=scratch, env=_child_env(scratch), **kwargs)
        finally:
            os.close(res_w)

        def pump(fd: int, stream: int) -> None:
            while True:
                try:
                    data = os.read(fd, 1 << 16)
                except OSError:
                    break
                if not data:
                    break
                with lock:
                    if stream == 0:
                        frames.feed(data)
                        if frames.ready is not None:
                            ready_event.set()
                        if frames.over:
                            over_event.set()
                    else:
                        output.feed(stream, data)
            if stream == 0:
                ready_event.set()

        def feed_stdin() -> None:
            try:
                proc.stdin.write(request)  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass

        waited: dict[str, Any] = {}
        done = threading.Event()

        def wait() -> None:
            # Wait without reaping: the process group is killed while its leader's pid is still ours.
            if os.name == "nt":  # pragma: no cover
                proc.wait()
            elif hasattr(os, "waitid"):
                os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            else:  # pragma: no cover - some macOS builds: reap at once (the group is killed anyway)
                _, status, usage = os.wait4(proc.pid, 0)
                waited["status"], waited["cpu"] = status, usage.ru_utime + usage.ru_stime
            done.set()

        threads = [threading.Thread(target=pump, args=(res_r, 0), daemon=True),
                   threading.Thread(target=pump, args=(proc.stdout.fileno(), 1), daemon=True),  # type: ignore[union-attr]
                   threading.Thread(target=pump, args=(proc.stderr.fileno(), 2), daemon=True),  # type: ignore[union-attr]
                   threading.Thread(target=feed_stdin, daemon=True),
                   threading.Thread(target=wait, daemon=True)]
        for thread in threads:
            thread.start()
        killed: str | None = None
        try:
            ready_event.wait(_SPAWN_START_TIMEOUT)
            deadline = time.monotonic() + limits.wall_seconds
            while not done.is_set():
                if over_event.is_set():
                    killed = "result_limit"
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or frames.ready is None and not ready_event.is_set():
                    killed = "timeout"
                    break
                done.wait(min(remaining, 0.05))
        finally:
            _kill_tree(proc)  # also anything it left in its process group
            done.wait(5)
            if os.name == "nt":  # pragma: no cover
                waited["status"] = proc.returncode
            elif done.is_set() and "status" not in waited:
                _, exit_status, usage = os.wait4(proc.pid, 0)
                waited["status"], waited["cpu"] = exit_status, usage.ru_utime + usage.ru_stime
            for thread in threads[:3]:
                thread.join(timeout=1.0)
            os.close(res_r)
            for pipe in (proc.stdout, proc.stderr):
                try:
                    pipe.close()  # type: ignore[union-attr]
                except OSError:
                    pass
            _rmtree(scratch)
        code: int | None = None
        sig: int | None = None
        status = waited.get("status")
        if status is not None:
            if os.name == "nt":  # pragma: no cover
                code = status
            elif os.WIFEXITED(status):
                code = os.WEXITSTATUS(status)
            elif os.WIFSIGNALED(status):
                sig = os.WTERMSIG(status)
            proc.returncode = code if code is not None else -(sig or 0)
        with lock:
            if frames.over and killed is None:
                killed = "result_limit"
            ready = frames.ready
            if ready is None and code == EXIT_SETUP:
                raise SandboxError("the worker could not start:\n" + output.text(2))
            outcome = _outcome(killed, code, sig, waited.get("cpu"), limits)
            return RunResult(outcome=outcome, frames=list(frames.frames), stdout=output.text(1),
                             stderr=output.text(2), output_truncated=output.any_truncated, exit_code=code,
                             signal=sig, wall_seconds=time.monotonic() - t0,
                             layers=tuple(ready.get("layers", ("spawn",))) if ready else ("spawn",),
                             cpu_seconds=waited.get("cpu"))


# --------------------------------------------------------------------------------------------
# Public API


class Sandbox:
    """One warm zygote (Linux) or a fresh-interpreter launcher (elsewhere).

    Thread-safe: concurrent ``run`` calls on one Sandbox are serialised (one child at a time per
    zygote); use :class:`SandboxPool` for parallelism. Create it *before* loading hidden cases:
    the zygote is a fresh interpreter either way, but starting it early keeps the first run warm.

    Args:
        entry: ``"module:function"`` imported by the zygote before any learner code; called in the
            child as ``function(request: bytes, send: Callable[[bytes], None])``. It must import at
            module level everything it needs: the project's files are unreadable from the child.
        limits: default limits for :meth:`run`.
        mode: ``"fork"`` or ``"spawn"``; default from ``ESHIKAKU_SANDBOX`` (``auto``).
        disable: layers to leave off (``"userns"``, ``"landlock"``, ``"seccomp"``); for tests and
            diagnosis only.
    """

    def __init__(self, entry: str = "grader.sandbox.harness:child_main", limits: Limits = Limits(), *,
                 mode: str | None = None, disable: Iterable[str] = ()) -> None:
        self.entry = entry
        self.limits = limits
        self.mode = mode or sandbox_mode()
        disable = tuple(sorted(set(disable)))
        unknown = set(disable) - {"userns", "landlock", "seccomp"}
        if unknown:
            raise ValueError(f"unknown layers to disable: {sorted(unknown)}")
        self._lock = threading.Lock()
        self._closed = False
        if self.mode == "fork":
            self._backend: _ForkBackend | _SpawnBackend = _ForkBackend(entry, disable)
        elif self.mode == "spawn":
            self._backend = _SpawnBackend(entry)
        else:
            raise ValueError(f"mode must be 'fork' or 'spawn', not {self.mode!r}")

    def run(self, request: bytes, limits: Limits | None = None) -> RunResult:
        """Run the entry on ``request`` in a fresh isolated child and return what it sent."""
        if not isinstance(request, (bytes, bytearray, memoryview)):
            raise TypeError("request must be bytes")
        with self._lock:
            if self._closed:
                raise SandboxError("sandbox is closed")
            return self._backend.run(bytes(request), limits or self.limits)

    def status(self) -> list[LayerStatus]:
        """Each layer of this sandbox, active or not, with what it does or why it is missing."""
        if isinstance(self._backend, _ForkBackend):
            with self._lock:
                return [LayerStatus(str(s["name"]), bool(s["active"]), str(s["detail"]))
                        for s in self._backend.hello.get("status", ())]
        return _spawn_status()

    @property
    def layers(self) -> tuple[str, ...]:
        """Names of the layers each run gets (RunResult.layers reports them per run)."""
        return tuple(s.name for s in self.status() if s.active)

    @property
    def zygote_pid(self) -> int | None:
        backend = self._backend
        if isinstance(backend, _ForkBackend) and backend.proc is not None:
            return backend.proc.pid
        return None

    def close(self) -> None:
        """Stop the zygote, kill any running child, remove the scratch root. Idempotent."""
        with self._lock:
            self._closed = True
            self._backend.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SandboxPool:
    """N sandboxes (default: one per CPU) used from N threads; ``map`` preserves order."""

    def __init__(self, entry: str = "grader.sandbox.harness:child_main", limits: Limits = Limits(),
                 workers: int | None = None, **kwargs: object) -> None:
        count = max(1, workers or os.cpu_count() or 1)
        boxes: list[Sandbox | BaseException] = [None] * count  # type: ignore[list-item]

        def start(i: int) -> None:
            try:
                boxes[i] = Sandbox(entry, limits, **kwargs)  # type: ignore[arg-type]
            except BaseException as exc:
                boxes[i] = exc

        starters = [threading.Thread(target=start, args=(i,)) for i in range(count)]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        errors = [b for b in boxes if isinstance(b, BaseException)]
        self.sandboxes: list[Sandbox] = [b for b in boxes if isinstance(b, Sandbox)]
        if errors:
            self.close()
            raise errors[0]
        self._free: queue.SimpleQueue[Sandbox] = queue.SimpleQueue()
        for box in self.sandboxes:
            self._free.put(box)
        self._executor = ThreadPoolExecutor(max_workers=count, thread_name_prefix="eshikaku-sandbox")

    def run(self, request: bytes, limits: Limits | None = None) -> RunResult:
        box = self._free.get()
        try:
            return box.run(request, limits)
        finally:
            self._free.put(box)

    def map(self, requests: Iterable[bytes], limits: Limits | None = None) -> list[RunResult]:
        return list(self._executor.map(lambda request: self.run(request, limits), requests))

    @property
    def layers(self) -> tuple[str, ...]:
        return self.sandboxes[0].layers if self.sandboxes else ()

    def close(self) -> None:
        executor = getattr(self, "_executor", None)
        if executor is not None:
            executor.shutdown(wait=True)
        for box in self.sandboxes:
            box.close()

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _spawn_status() -> list[LayerStatus]:
    forced = sys.platform.startswith("linux")
    why = ("ESHIKAKU_SANDBOX=spawn selects the portable path" if forced
           else f"not available on {sys.platform}")
    if os.name == "nt":
        rl = LayerStatus("rlimits", False, "Windows has no rlimits (a Job Object would be needed)")
    elif sys.platform == "darwin":
        rl = LayerStatus("rlimits", True, "RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CORE; RLIMIT_AS is "
                                          "not honoured by macOS, so an in-process RSS watchdog stands in")
    else:
        rl = LayerStatus("rlimits", True, "RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NOFILE, RLIMIT_CORE")
    return [
        LayerStatus("spawn", True, "fresh interpreter per submission, own process group, wall deadline "
                                   "then SIGKILL of the group"),
        rl,
        LayerStatus("nocaps", False, why),
        LayerStatus("userns+netns", False, why),
        LayerStatus("landlock", False, why),
        LayerStatus("seccomp", False, why),
    ]


_status_cache: list[LayerStatus] | None = None


def layer_status() -> list[LayerStatus]:
    """Which isolation layers submissions get on this machine, and why any is missing (for ``doctor``).

    On the fork path this starts a real zygote once (about 0.2 s) and reports what its self-test
    child could apply; the answer is cached for the process.
    """
    global _status_cache
    if _status_cache is None:
        if sandbox_mode() == "spawn":
            _status_cache = _spawn_status()
        else:
            with Sandbox("grader.sandbox.probe:noop_main") as box:
                _status_cache = box.status()
    return list(_status_cache)
