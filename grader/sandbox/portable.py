"""The portable path (macOS, Windows, or ``ESHIKAKU_SANDBOX=spawn``): a fresh interpreter per submission.

The grader's side (:class:`SpawnBackend`) starts ``python -I -B`` in its own process group with a wall
deadline; the child's side (:func:`once`) sets the rlimits the OS honours and calls the entry.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, NoReturn

from grader.sandbox.allowlist import project_dir
from grader.sandbox.child import EXIT_MEMORY, EXIT_SETUP, call_entry, hard_exit, load_entry, make_send, stage_message, stage_source
from grader.sandbox.interpreter import BOOT, child_env
from grader.sandbox.isolation import LayerStatus
from grader.sandbox.results import FrameReader, Limits, OutputCapture, RunResult, SandboxError, Stage, limits_message, outcome_of
from grader.sandbox.rlimits import apply_rlimits
from grader.sandbox.scratch import rmtree

_SPAWN_START_TIMEOUT = 60.0


def _kill_tree(proc: subprocess.Popen[bytes]) -> None:
    if os.name == "nt":  # pragma: no cover - Windows
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        proc.kill()
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class SpawnBackend:
    def __init__(self, entry: str) -> None:
        self.entry = entry

    def alive(self) -> bool:
        return True

    def close(self) -> None:
        pass

    def run(self, request: bytes, limits: Limits, complete_after: int | None = None,
            meanwhile: Callable[[], object] | None = None, stage: Stage | None = None) -> RunResult:
        """One fresh interpreter; ``complete_after`` is not used (the interpreter's exit ends a run);
        ``stage`` is written to its stdin once ``stage.after`` frames are in."""
        message = limits_message(request, limits)
        t0 = time.monotonic()
        scratch = tempfile.mkdtemp(prefix="eshikaku-run-")
        frames = FrameReader(limits)
        output = OutputCapture(limits.output_bytes)
        lock = threading.Lock()
        ready_event = threading.Event()
        over_event = threading.Event()
        staged_event = threading.Event()  # the frames the stage waits for are in (or there will be no more)
        res_r, res_w = os.pipe()
        cmd = [sys.executable, "-I", "-B", "-c", BOOT, json.dumps([str(project_dir())]), "--once",
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
                                    cwd=scratch, env=child_env(scratch), **kwargs)
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
                        if stage is not None and not frames.over and len(frames.frames) >= stage.after:
                            staged_event.set()
                    else:
                        output.feed(stream, data)
            if stream == 0:
                ready_event.set()
                staged_event.set()  # no more frames: feed_stdin stops waiting (and checks why)

        def feed_stdin() -> None:
            try:
                proc.stdin.write(request)  # type: ignore[union-attr]
                proc.stdin.flush()  # type: ignore[union-attr]
                if stage is not None:
                    staged_event.wait()
                    with lock:
                        due = not frames.over and len(frames.frames) >= stage.after
                    if due:
                        proc.stdin.write(stage_message(stage.data))  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except (OSError, ValueError):
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
        failure: BaseException | None = None
        try:
            if meanwhile is not None:
                try:
                    meanwhile()
                except BaseException as exc:  # raised once the process is stopped
                    failure = exc
            if failure is None:
                ready_event.wait(_SPAWN_START_TIMEOUT)
            deadline = time.monotonic() + limits.wall_seconds
            while failure is None and not done.is_set():
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
            rmtree(scratch)
        if failure is not None:
            raise failure
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
            outcome = outcome_of(killed, code, sig, waited.get("cpu"), limits)
            return RunResult(outcome=outcome, frames=list(frames.frames), stdout=output.text(1),
                             stderr=output.text(2), output_truncated=output.any_truncated, exit_code=code,
                             signal=sig, wall_seconds=time.monotonic() - t0,
                             layers=tuple(ready.get("layers", ("spawn",))) if ready else ("spawn",),
                             cpu_seconds=waited.get("cpu"))


def spawn_status() -> list[LayerStatus]:
    """The layers of the portable path (for ``doctor`` and :meth:`Sandbox.status`)."""
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


# --------------------------------------------------------------------------------------------
# The child's side


def _rss_watchdog(limit_bytes: int) -> None:
    """In-process RSS check for systems where RLIMIT_AS is not honoured (macOS): accident protection only."""
    import resource
    import threading
    import time

    scale = 1 if sys.platform == "darwin" else 1024

    def watch() -> None:
        while True:
            if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale > limit_bytes:
                hard_exit(EXIT_MEMORY)
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
        stage_source(os.dup(0))  # the rest of a request may follow on stdin
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        applied = apply_rlimits(limits["cpu_seconds"], limits["memory_bytes"], limits["file_bytes"])
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
        hard_exit(EXIT_SETUP)
    call_entry(entry, request, send)
