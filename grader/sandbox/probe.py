"""Small sandbox entries for ``doctor`` and the tests: run a snippet, or try forbidden things and report.

Entries (run in a sandboxed child, signature ``(request: bytes, send) -> None``):

* ``grader.sandbox.probe:noop_main`` does nothing (used to start a zygote just to read its layer status);
* ``grader.sandbox.probe:exec_main`` execs the source in a JSON request, optionally calls a function on
  JSON arguments (lists become arrays), once or once per case, and sends one ``b"R" + .npy`` frame
  per call (saved with ``allow_pickle=False``), or ``b"E" + "Type: message"`` if something raised;
* ``grader.sandbox.probe:layers_main`` tries what a hostile submission would and sends one JSON frame
  saying, for each attempt, whether it was blocked.

:func:`check_isolation` runs ``layers_main`` in a real child and returns the verdicts, for ``doctor``.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import io
import json
import os
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

from grader.sandbox.isolation import protected_paths, seal_imports

Send = Callable[[bytes], None]


def noop_main(request: bytes, send: Send) -> None:
    """Do nothing."""


def make_request(source: str, func: str | None = None, args: Sequence[Any] = (), *, seal: bool = True,
                 cases: Sequence[Sequence[Any]] | None = None) -> bytes:
    """Request for :func:`exec_main`: call ``func(*args)``, or ``func(*case)`` for each of ``cases``."""
    return json.dumps({"source": source, "func": func, "args": list(args), "seal": seal,
                       "cases": [list(c) for c in cases] if cases is not None else None}).encode()


def decode_frame(frame: bytes) -> tuple[str, Any]:
    """``("R", ndarray)`` or ``("E", "Type: message")``; never unpickles."""
    kind, body = frame[:1].decode(), frame[1:]
    if kind == "R":
        return kind, np.load(io.BytesIO(body), allow_pickle=False)
    return kind, body.decode(errors="replace")


def exec_main(request: bytes, send: Send) -> None:
    """Exec a snippet and send the result of one call as .npy, or the exception's type and message."""
    spec = json.loads(request)
    if spec.get("seal", True):
        seal_imports()
    namespace: dict[str, Any] = {"__name__": "__submission__"}
    try:
        exec(compile(spec["source"], "<submission>", "exec"), namespace)
        func = spec.get("func")
        if func:
            for case in spec.get("cases") or [spec.get("args", [])]:
                args = [np.asarray(a) if isinstance(a, list) else a for a in case]
                result = np.asarray(namespace[func](*args))
                buffer = io.BytesIO()
                np.save(buffer, result, allow_pickle=False)
                send(b"R" + buffer.getvalue())
    except Exception as exc:
        send(b"E" + f"{type(exc).__name__}: {exc}".encode(errors="replace")[:4000])
        if isinstance(exc, MemoryError):
            raise


# --------------------------------------------------------------------------------------------
# layers_main: each check returns (blocked, detail)


def _errno_name(exc: OSError) -> str:
    return errno.errorcode.get(exc.errno or 0, str(exc.errno))


def _read_byte(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(1)


def _attempt(action: Callable[[], object], blocked_errnos: tuple[int, ...] = (errno.EPERM, errno.EACCES)
             ) -> tuple[bool, str]:
    try:
        action()
    except OSError as exc:
        return (exc.errno in blocked_errnos), _errno_name(exc)
    except ImportError as exc:
        return True, f"ImportError: {exc}"
    return False, "allowed"


def _libc_call(name: str, *args: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    result: int = getattr(libc, name)(*args)
    if result == -1:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def _checks(spec: dict[str, Any]) -> list[tuple[str, Callable[[], tuple[bool, str]]]]:
    # In the sandbox's PID namespace the zygote has no pid (getppid() is 0): aim at the namespace's
    # init instead, another process outside the child's own group.
    parent = os.getppid() or 1
    protected = spec.get("protected") or protected_paths()
    outside = spec.get("outside_dir") or "/tmp"

    def read_protected() -> tuple[bool, str]:
        results = []
        for path in protected:
            if os.path.isdir(path):
                results.append(_attempt(functools.partial(os.listdir, path)))
            else:
                results.append(_attempt(functools.partial(_read_byte, path)))
        blocked = all(r[0] for r in results)
        return blocked, ", ".join(f"{p}: {d}" for p, (_, d) in zip(protected, results))

    def write_outside() -> tuple[bool, str]:
        target = os.path.join(outside, f"eshikaku-probe-{os.getpid()}")

        def write() -> None:
            with open(target, "w") as f:
                f.write("x")
            os.unlink(target)

        return _attempt(write)

    def execve() -> tuple[bool, str]:
        # A path that does not exist: ENOENT means execve itself was allowed, EPERM that seccomp said no.
        return _attempt(lambda: os.execv("/nonexistent-eshikaku-probe", ["x"]))

    def fork() -> tuple[bool, str]:
        def attempt() -> None:
            pid = os.fork()
            if pid == 0:
                os._exit(0)
            os.waitpid(pid, 0)

        return _attempt(attempt, (errno.EPERM, errno.EAGAIN))

    def tcp() -> tuple[bool, str]:
        port = spec.get("tcp_port")

        def connect() -> None:
            with socket.create_connection(("127.0.0.1", port or 9), timeout=1):
                pass

        if port:
            return _attempt(connect, (errno.EPERM, errno.EACCES, errno.ENETUNREACH))
        return _attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())

    def signal_parent() -> tuple[bool, str]:
        return _attempt(lambda: os.kill(parent, 0))

    def ptrace_parent() -> tuple[bool, str]:
        return _attempt(lambda: _libc_call("ptrace", 16, parent, 0, 0))  # PTRACE_ATTACH

    def prlimit_parent() -> tuple[bool, str]:
        return _attempt(lambda: resource.prlimit(parent, resource.RLIMIT_CORE))

    def unshare() -> tuple[bool, str]:
        return _attempt(lambda: _libc_call("unshare", 0x10000000))

    def proc_of_parent() -> tuple[bool, str]:
        return _attempt(lambda: open(f"/proc/{parent}/environ", "rb").read(1), (errno.EACCES, errno.EPERM))

    def chmod_protected() -> tuple[bool, str]:
        path = protected[0]
        mode = os.stat(path).st_mode & 0o7777
        return _attempt(lambda: os.chmod(path, mode))  # same mode: harmless if it is allowed

    def sysv_shm() -> tuple[bool, str]:
        return _attempt(lambda: _libc_call("shmget", 0, 4096, 0o1600))  # IPC_PRIVATE | IPC_CREAT | 0600

    def import_grader() -> tuple[bool, str]:
        seal_imports()
        try:
            __import__("grader.sandbox.sandbox")
        except ImportError as exc:
            return True, f"ImportError: {exc}"
        return False, "imported"

    def scratch_writable() -> tuple[bool, str]:  # control: must NOT be blocked
        blocked, detail = _attempt(lambda: open("probe.txt", "w").write("ok"))
        return blocked, detail

    def numpy_works() -> tuple[bool, str]:  # control: must NOT be blocked
        try:
            value = float(np.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]])).sum())
            np.fft.fft(np.ones(8))
        except Exception as exc:
            return True, f"{type(exc).__name__}: {exc}"
        return False, f"inv/fft ok ({value})"

    return [
        ("read_project_files", read_protected),
        ("write_outside_scratch", write_outside),
        ("chmod_project_file", chmod_protected),
        ("network", tcp),
        ("execve", execve),
        ("fork", fork),
        ("signal_parent", signal_parent),
        ("ptrace_parent", ptrace_parent),
        ("prlimit_parent", prlimit_parent),
        ("unshare", unshare),
        ("read_parent_proc", proc_of_parent),
        ("sysv_shared_memory", sysv_shm),
        ("import_grader", import_grader),
        ("write_scratch", scratch_writable),
        ("numpy", numpy_works),
    ]


def layers_main(request: bytes, send: Send) -> None:
    """Try forbidden things from inside the child; send ``{"checks": [...], "rlimit_as": ...}``."""
    spec = json.loads(request or b"{}")
    results = []
    for name, check in _checks(spec):
        try:
            blocked, detail = check()
        except Exception as exc:
            blocked, detail = False, f"probe error {type(exc).__name__}: {exc}"
        results.append({"name": name, "blocked": blocked, "detail": detail})
    rlimit_as = resource.getrlimit(resource.RLIMIT_AS)[0] if resource is not None else None
    send(json.dumps({"checks": results, "rlimit_as": rlimit_as,
                     "pid": os.getpid(), "uid": os.getuid()}).encode())


# The checks whose right answer is "allowed".
CONTROLS = ("write_scratch", "numpy")


@dataclass(frozen=True)
class ProbeCheck:
    name: str
    blocked: bool
    expected_blocked: bool
    detail: str

    @property
    def ok(self) -> bool:
        return self.blocked == self.expected_blocked


def check_isolation(sandbox: Any = None, **spec: Any) -> list[ProbeCheck]:
    """Run :func:`layers_main` in a real sandboxed child and return one verdict per attempt."""
    from grader.sandbox.sandbox import Sandbox

    own = sandbox is None
    box = Sandbox("grader.sandbox.probe:layers_main") if own else sandbox
    try:
        result = box.run(json.dumps(spec).encode())
    finally:
        if own:
            box.close()
    if result.outcome != "ok" or not result.frames:
        raise RuntimeError(f"probe child ended with {result.outcome}: {result.stderr[-2000:]}")
    report = json.loads(result.frames[0])
    return [ProbeCheck(c["name"], c["blocked"], c["name"] not in CONTROLS, c["detail"]) for c in report["checks"]]


if __name__ == "__main__":  # python -m grader.sandbox.probe: a quick manual check
    from grader.sandbox.sandbox import layer_status

    for status in layer_status():
        print(f"{'on ' if status.active else 'off'}  {status.name:<14} {status.detail}")
    for check in check_isolation():
        mark = "ok  " if check.ok else "FAIL"
        print(f"{mark} {check.name:<22} {'blocked' if check.blocked else 'allowed':<8} {check.detail}")
    sys.exit(0)
