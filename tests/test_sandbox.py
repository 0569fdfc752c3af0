"""The sandbox against real attacks: each one must be contained, leave nothing behind, and stay bounded.

Every attack is bounded so that a broken sandbox fails the test instead of hurting the machine:
at most a few hundred fork attempts, memory bombs that stop at 4 GiB, 100 MB of output, limits of
1-2 s. After each attack we check the outcome *and* that nothing leaked or survived.
"""

from __future__ import annotations

import os
import resource
import secrets
import signal
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from survivors import local_listener, processes_named, wait_until_gone

from grader.sandbox.allowlist import _grant_minus, project_dir, protected_paths, protected_paths_for
from grader.sandbox.child import EXIT_RETURNED
from grader.sandbox.landlock import landlock_abi
from grader.sandbox.probe import check_isolation, decode_frame, make_request
from grader.sandbox.sandbox import Limits, RunResult, Sandbox, SandboxPool, layer_status

LINUX = sys.platform.startswith("linux")
pytestmark = pytest.mark.skipif(not LINUX, reason="the fork path and its kernel layers are Linux-only")

ROOT = project_dir()
FAST = Limits(cpu_seconds=1, wall_seconds=3, memory_bytes=512 << 20)
# CPU-bound attacks get a generous wall deadline so that the CPU limit, not the wall clock, ends
# them even when other jobs share the machine's cores.
CPU_BOUND = Limits(cpu_seconds=1, wall_seconds=15, memory_bytes=512 << 20)
SOFTMAX = """
import numpy as np
def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
# Held by the grader process only: no child may ever see it.
GRADER_SECRET = "grader-secret-" + secrets.token_hex(8)


SET_NAME = """
import ctypes
def set_name(name):
    ctypes.CDLL(None).prctl(15, name.encode(), 0, 0, 0)   # PR_SET_NAME
"""


@pytest.fixture(scope="module")
def box():
    with Sandbox("grader.sandbox.probe:exec_main", FAST) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def box_no_seccomp():
    """seccomp off: the remaining layers must still hold (defence in depth)."""
    with Sandbox("grader.sandbox.probe:exec_main", FAST, disable=("seccomp",)) as sandbox:
        yield sandbox


def run(sandbox: Sandbox, source: str, func: str | None = "main", args=(), limits: Limits | None = None,
        seal: bool = True) -> tuple[RunResult, list]:
    if source.startswith(SET_NAME):
        source = SET_NAME + textwrap.dedent(source[len(SET_NAME):])
    result = sandbox.run(make_request(textwrap.dedent(source), func, args, seal=seal), limits)
    return result, [decode_frame(f) for f in result.frames]


def value(frames: list):
    assert frames and frames[0][0] == "R", frames
    return frames[0][1].tolist()


def marker() -> str:
    return "esk" + secrets.token_hex(5)  # fits the 15-character comm name


def assert_gone(name: str, within: float = 2.0) -> None:
    assert wait_until_gone(lambda: processes_named(name), within) == [], f"tasks named {name} survived the run"


# --------------------------------------------------------------------------- layers and the happy path


def test_every_available_layer_is_on_and_reported(box):
    result, frames = run(box, SOFTMAX, "softmax", [[[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]])
    assert result.outcome == "ok" and result.exit_code == EXIT_RETURNED
    expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(value(frames)[0], expected)
    assert {"fork", "rlimits", "nocaps", "seccomp"} <= set(result.layers)
    abi, _ = landlock_abi()
    if abi:
        assert f"landlock-abi{abi}" in result.layers
    status = {s.name: s for s in box.status()}
    assert status["userns+netns"].active == ("userns+netns" in result.layers)
    assert result.layers == box.layers


def test_layer_status_explains_every_layer():
    statuses = layer_status()
    names = [s.name for s in statuses]
    assert names[0] == "fork" and "seccomp" in names and any(n.startswith("landlock") for n in names)
    assert all(s.detail for s in statuses)


def test_probe_finds_everything_blocked(box):
    with Sandbox("grader.sandbox.probe:layers_main", FAST) as probe_box:
        checks = check_isolation(probe_box)
    assert [c for c in checks if not c.ok] == []


def test_a_checkout_is_protected_whole_and_other_installed_copies_too():
    paths = protected_paths()
    for name in ("grader", "reference", "questions", "tests", "cli.py"):
        assert any(os.path.realpath(ROOT / name).startswith(p) for p in paths), name
    for entry in sys.path:  # e.g. an older release installed into site-packages next to this checkout
        for name in ("grader", "reference", "questions", "cli.py"):
            if entry and os.path.isabs(entry) and os.path.exists(os.path.join(entry, name)):
                assert any(os.path.realpath(os.path.join(entry, name)).startswith(p) for p in paths)


def test_a_virtualenv_inside_the_checkout_stays_readable(tmp_path, monkeypatch):
    # The README's first command makes .venv inside the checkout: everything else stays protected.
    checkout = tmp_path / "checkout"
    for name in ("grader", "questions", ".venv/lib/python3.11/site-packages/numpy", ".git"):
        (checkout / name).mkdir(parents=True)
    (checkout / "cli.py").write_text("")
    monkeypatch.setattr(sys, "prefix", str(checkout / ".venv"))
    protected = protected_paths_for(checkout)
    assert sorted(os.path.relpath(p, checkout) for p in protected) == [".git", "cli.py", "grader", "questions"]
    granted = _grant_minus(str(checkout / ".venv/lib/python3.11/site-packages"), protected)
    assert granted == [os.path.realpath(checkout / ".venv/lib/python3.11/site-packages")]


def test_an_install_into_site_packages_is_granted_entry_by_entry(tmp_path):
    site = tmp_path / "lib" / "site-packages"
    for name in ("numpy", "grader", "reference", "questions", "__pycache__"):
        (site / name).mkdir(parents=True)
    for name in ("cli.py", "six.py", "__pycache__/cli.cpython-311.pyc", "__pycache__/six.cpython-311.pyc"):
        (site / name).write_text("")
    (site / "sneaky").symlink_to(site / "reference")  # a link into a protected dir is not a way in
    granted = _grant_minus(str(tmp_path / "lib"), protected_paths_for(site))
    assert sorted(os.path.relpath(p, site) for p in granted) == [
        "__pycache__/six.cpython-311.pyc", "numpy", "six.py"]


# --------------------------------------------------------------------------- time


def test_infinite_loop_hits_the_cpu_limit(box):
    result, _ = run(box, "while True:\n    pass\n", None, limits=CPU_BOUND)
    assert result.outcome == "cpu_limit" and result.signal == signal.SIGXCPU
    assert 0.5 < result.cpu_seconds < 1.5


def test_busy_numpy_loop_on_huge_arrays_is_stopped(box):
    result, _ = run(box, """
        import numpy as np
        a = np.ones((1500, 1500))
        while True:
            a = np.sin(a) @ a
    """, None, limits=CPU_BOUND)
    assert result.outcome == "cpu_limit"


def test_ignoring_sigxcpu_still_ends_at_the_hard_limit(box):
    result, _ = run(box, """
        import signal
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        while True:
            pass
    """, None, limits=CPU_BOUND)
    assert result.outcome == "cpu_limit" and result.signal == signal.SIGKILL


def test_a_cpu_limit_finer_than_a_second_stops_a_loop_and_its_threads_at_that_limit(box):
    budget = replace(CPU_BOUND, cpu_seconds=0.3)
    for source in ("while True:\n    pass\n", """
        import signal, threading
        signal.signal(signal.SIGXCPU, signal.SIG_IGN)
        def spin():
            while True:
                pass
        for _ in range(3):
            threading.Thread(target=spin, daemon=True).start()
        spin()
    """):
        result, _ = run(box, source, None, limits=budget)
        assert result.outcome == "cpu_limit" and result.signal == signal.SIGKILL
        assert 0.3 <= result.cpu_seconds < 0.6  # RLIMIT_CPU alone would have let it run a whole second
    result, frames = run(box, "import time\ndef main():\n    t = time.process_time() + 0.1\n    while time.process_time() < t:\n        pass\n"
                         "    return 1\n", limits=budget)
    assert result.outcome == "ok" and value(frames) == 1  # under the limit: untouched


def test_sleeping_and_ignoring_sigterm_times_out(box):
    name = marker()
    result, _ = run(box, SET_NAME + f"""
        import signal, time
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):
            signal.signal(sig, signal.SIG_IGN)
        set_name({name!r})
        time.sleep(60)
    """, None, limits=Limits(cpu_seconds=1, wall_seconds=1))
    assert result.outcome == "timeout" and result.signal == signal.SIGKILL
    assert result.wall_seconds >= 1.0 and result.wall_seconds < 3.0
    assert_gone(name)


def test_deep_recursion_is_contained(box):
    result, _ = run(box, """
        import sys
        sys.setrecursionlimit(10**8)
        def f(n):
            return f(n + 1) + 1
        f(0)
    """, None, limits=CPU_BOUND)
    assert result.outcome in ("cpu_limit", "memory", "crashed", "exited")
    again, frames = run(box, "def main():\n    return 7\n")
    assert again.outcome == "ok" and value(frames) == 7


# --------------------------------------------------------------------------- memory, files, output


def test_memory_bomb_stops_at_the_address_space_limit(box):
    result, frames = run(box, """
        chunks = []
        for _ in range(40):                      # would be 4 GiB
            chunks.append(bytearray(100 << 20))
    """, None)
    assert result.outcome == "memory"
    assert frames[0][0] == "E" and frames[0][1].startswith("MemoryError")


def test_numpy_allocation_bomb_is_a_memory_error_not_a_crash(box):
    result, frames = run(box, "import numpy as np\nx = np.ones((1 << 31,))\n", None)
    assert result.outcome == "memory" and frames[0][1].startswith("MemoryError")


def test_100_mb_of_stdout_is_truncated_and_does_not_grow_the_grader(box):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result, frames = run(box, """
        import sys
        def main():
            block = "x" * (1 << 20)
            for _ in range(100):
                sys.stdout.write(block)
            sys.stderr.write("e" * (1 << 20))
            return 1
    """)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert result.outcome == "ok" and value(frames) == 1
    assert result.output_truncated
    assert len(result.stdout) + len(result.stderr) < FAST.output_bytes + 500
    assert "output truncated" in result.stdout
    assert grown_kb < 30 * 1024


def test_file_size_limit(box):
    result, frames = run(box, """
        def main():
            with open("big.bin", "wb") as f:
                f.write(b"x" * (2 << 20))
    """, limits=Limits(cpu_seconds=1, wall_seconds=3, file_bytes=1 << 20))
    assert result.outcome == "ok"
    assert frames[0][0] == "E" and "File too large" in frames[0][1]


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    (tmp_path / "keep.txt").write_text("precious")
    return tmp_path


FILE_ATTACKS = """
import os
def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return type(exc).__name__
def write(path):
    with open(path, "w") as f:
        f.write("pwned")
def main(canary, project):
    keep = os.path.join(canary, "keep.txt")
    results = {
        "create": attempt(lambda: write(os.path.join(canary, "new.txt"))),
        "overwrite": attempt(lambda: write(keep)),
        "append": attempt(lambda: open(keep, "a").write("x")),
        "truncate": attempt(lambda: os.truncate(keep, 0)),
        "delete": attempt(lambda: os.remove(keep)),
        "rename": attempt(lambda: os.rename(keep, os.path.join(canary, "moved.txt"))),
        "chmod": attempt(lambda: os.chmod(keep, 0)),
        "mkdir": attempt(lambda: os.mkdir(os.path.join(canary, "d"))),
        "hardlink_into_scratch": attempt(lambda: os.link(keep, "stolen.txt")),
        "project_write": attempt(lambda: write(os.path.join(project, "pwned.txt"))),
        "project_delete": attempt(lambda: os.remove(os.path.join(project, "pyproject.toml"))),
        "tmp_write": attempt(lambda: write("/tmp/eshikaku-pwned.txt")),
    }
    os.symlink(keep, "link.txt")                       # a link in the scratch dir to the canary
    results["write_through_symlink"] = attempt(lambda: write("link.txt"))
    results["read_through_symlink"] = attempt(lambda: open("link.txt").read())
    results["scratch_write"] = attempt(lambda: write("mine.txt"))   # control: allowed
    return [f"{k}={v}" for k, v in sorted(results.items())]
"""


@pytest.mark.parametrize("which", ["all layers", "no seccomp"])
def test_files_outside_the_scratch_dir_are_untouchable(which, box, box_no_seccomp, canary):
    sandbox = box if which == "all layers" else box_no_seccomp
    result, frames = run(sandbox, FILE_ATTACKS, "main", [str(canary), str(ROOT)])
    assert result.outcome == "ok", result.stderr
    outcomes = dict(item.split("=") for item in value(frames))
    assert outcomes.pop("scratch_write") == "allowed"
    if which == "no seccomp":
        outcomes.pop("chmod")  # Landlock does not cover chmod: without seccomp that one is allowed...
        os.chmod(canary / "keep.txt", 0o644)  # ...so restore it (uid 0 owns the file)
    assert all(v != "allowed" for v in outcomes.values()), outcomes
    assert sorted(p.name for p in canary.iterdir()) == ["keep.txt"]
    assert (canary / "keep.txt").read_text() == "precious"
    assert not (ROOT / "pwned.txt").exists() and (ROOT / "pyproject.toml").exists()
    assert not Path("/tmp/eshikaku-pwned.txt").exists()


@pytest.fixture
def secret_files():
    """Files a submission must not read: real question YAML / reference sources when present, plus canaries."""
    fixtures = ROOT / "tests" / "fixtures"
    made_dir = not fixtures.exists()
    fixtures.mkdir(parents=True, exist_ok=True)
    canary = fixtures / f"_sandbox_canary_{secrets.token_hex(4)}.yaml"
    canary.write_text("hidden: expected_output_42\n")
    paths = [canary]
    paths += sorted((ROOT / "questions").rglob("*.yaml"))[:1]
    paths += sorted((ROOT / "reference").glob("*.py"))[:1]
    yield [str(p) for p in paths]
    canary.unlink()
    if made_dir:
        fixtures.rmdir()


READS = """
import os
def main(paths, project):
    out = []
    for p in paths:
        try:
            out.append(open(p).read()[:20])
        except OSError as exc:
            out.append(type(exc).__name__)
    for d in (project, os.path.join(project, "reference"), os.path.join(project, "questions")):
        try:
            out.append(str(os.listdir(d)))
        except OSError as exc:
            out.append(type(exc).__name__)
    return out
"""


@pytest.mark.parametrize("which", ["all layers", "no seccomp"])
def test_question_files_and_reference_sources_are_unreadable(which, box, box_no_seccomp, secret_files):
    sandbox = box if which == "all layers" else box_no_seccomp
    result, frames = run(sandbox, READS, "main", [secret_files, str(ROOT)])
    assert result.outcome == "ok", result.stderr
    assert value(frames) == ["PermissionError"] * (len(secret_files) + 3)


def test_grader_and_reference_cannot_be_imported_after_sealing(box):
    result, frames = run(box, """
        import importlib, sys
        def main():
            out = [m for m in sys.modules if m.split(".")[0] in ("grader", "reference", "questions", "cli")]
            for name in ("grader", "grader.sandbox.sandbox", "reference", "reference.activations", "questions", "cli"):
                try:
                    importlib.import_module(name)
                    out.append(name + " imported")
                except ImportError:
                    pass
            sys.meta_path[:] = [f for f in sys.meta_path if "Sealed" not in type(f).__name__]
            for name in ("reference", "grader.sandbox.sandbox", "cli"):          # blocker removed: the kernel still says no
                try:
                    importlib.import_module(name)
                    out.append(name + " imported without the blocker")
                except (ImportError, OSError):
                    pass
            return out or ["sealed"]
    """)
    assert result.outcome == "ok", result.stderr
    assert value(frames) == ["sealed"]


def test_unsealed_import_of_reference_is_still_refused_by_the_kernel(box):
    result, frames = run(box, "import reference.activations\n", None, seal=False)
    assert frames and frames[0][0] == "E" and frames[0][1].startswith(("PermissionError", "ModuleNotFoundError"))


# --------------------------------------------------------------------------- network


@pytest.mark.parametrize("disable", [(), ("seccomp",), ("seccomp", "userns")],
                         ids=["all layers", "no seccomp", "landlock only"])
def test_tcp_to_a_local_listener_never_connects(disable, box):
    source = """
        import socket
        def main(port):
            out = []
            for _ in range(3):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).sendall(b"answers")
                    out.append("connected")
                except OSError as exc:
                    out.append(type(exc).__name__)
            return out
    """
    with local_listener() as (port, seen):
        if disable:
            with Sandbox("grader.sandbox.probe:exec_main", FAST, disable=disable) as sandbox:
                result, frames = run(sandbox, source, "main", [port])
        else:
            result, frames = run(box, source, "main", [port])
    assert result.outcome == "ok", result.stderr
    assert "connected" not in value(frames)
    assert seen == []


# --------------------------------------------------------------------------- ways to end


@pytest.mark.parametrize("source, exit_code", [
    ("import sys\nsys.exit(0)\n", 102),
    ("raise SystemExit(0)\n", 102),
    ("raise KeyboardInterrupt\n", 102),
    ("import os\nos._exit(0)\n", 0),
], ids=["sys.exit", "SystemExit", "KeyboardInterrupt", "os._exit"])
def test_exiting_before_sending_gives_no_result(box, source, exit_code):
    result, frames = run(box, source, "missing")
    assert result.outcome == "exited" and result.exit_code == exit_code
    assert frames == []


def test_forging_the_normal_exit_code_still_sends_no_data(box):
    result, frames = run(box, f"import os\nos._exit({EXIT_RETURNED})\n", "missing")
    assert result.outcome == "ok" and frames == []  # the outcome is a convenience; only frames are data


def test_a_crash_does_not_affect_the_next_run(box):
    result, _ = run(box, "import ctypes\nctypes.string_at(0)\n", None)
    assert result.outcome == "crashed" and result.signal == signal.SIGSEGV
    result, frames = run(box, SOFTMAX, "softmax", [[0.0, 0.0]])
    assert result.outcome == "ok" and value(frames) == [0.5, 0.5]


def test_abort_is_a_crash(box):
    result, _ = run(box, "import os\nos.abort()\n", None)
    assert result.outcome == "crashed"


# --------------------------------------------------------------------------- processes and threads


def test_fork_flood_with_setsid_is_denied_and_leaves_nothing(box):
    name = marker()
    result, frames = run(box, SET_NAME + f"""
        import os, subprocess, time, multiprocessing
        def main():
            errors = set()
            for _ in range(300):
                try:
                    if os.fork() == 0:
                        os.setsid()
                        set_name({name!r})
                        time.sleep(60)
                        os._exit(0)
                except OSError as exc:
                    errors.add(type(exc).__name__)
            for attempt in (lambda: subprocess.Popen(["sleep", "60"]),
                            lambda: os.posix_spawn("/bin/sleep", ["sleep", "60"], {{}}),
                            lambda: multiprocessing.Process(target=time.sleep, args=(60,)).start()):
                try:
                    attempt()
                    errors.add("spawned")
                except OSError as exc:
                    errors.add(type(exc).__name__)
            return sorted(errors)
    """)
    assert result.outcome == "ok", result.stderr
    assert value(frames) == ["PermissionError"]
    assert_gone(name)


def test_without_seccomp_forked_and_setsid_children_are_still_swept(box_no_seccomp):
    name = marker()
    result, frames = run(box_no_seccomp, SET_NAME + f"""
        import os, time
        def main():
            made = 0
            for _ in range(20):
                pid = os.fork()
                if pid == 0:
                    os.setsid()                      # escapes killpg of the child's group
                    if os.fork() == 0:               # double fork: re-parented away from the child
                        set_name({name!r})
                        time.sleep(60)
                    os._exit(0)
                made += 1
            set_name({name!r})
            return made
    """)
    assert result.outcome == "ok", result.stderr
    assert value(frames) == 20
    assert_gone(name)


def test_a_non_daemon_thread_left_running_does_not_keep_the_child(box):
    name = marker()
    result, frames = run(box, SET_NAME + f"""
        import threading, time
        def main():
            def linger():
                set_name({name!r})
                time.sleep(60)
            threading.Thread(target=linger).start()
            time.sleep(0.05)
            return threading.active_count()
    """)
    assert result.outcome == "ok" and value(frames) == 2
    assert result.wall_seconds < 5.0  # not the thread's 60 s
    assert_gone(name)


def test_a_childs_threads_work_as_in_any_process(box):
    # The zygote turns threading's after-fork hook off (it has no other thread to forget): threads a child
    # starts, pools, locks and the main thread's identity must behave as in a fresh interpreter.
    result, frames = run(box, """
        import threading
        from concurrent.futures import ThreadPoolExecutor
        def main():
            main_thread = threading.current_thread() is threading.main_thread()
            lock, seen = threading.Lock(), []
            def work(i):
                with lock:
                    seen.append(threading.current_thread() is not threading.main_thread())
                return i * i
            with ThreadPoolExecutor(4) as pool:
                squares = list(pool.map(work, range(8)))
            worker = threading.Thread(target=work, args=(3,))
            worker.start()
            worker.join(5)
            return [int(main_thread), sum(squares), len(seen), int(all(seen)), int(worker.is_alive()), threading.active_count()]
    """)
    assert result.outcome == "ok", result.stderr
    assert value(frames) == [1, 140, 9, 1, 0, 1]


def test_signalling_the_zygote_or_the_grader_is_refused(box, box_no_seccomp):
    received: list = []
    previous = signal.signal(signal.SIGUSR1, lambda *a: received.append(a))
    source = """
        import os, signal
        def main(grader_pid):
            out = []
            # the zygote, or in the PID namespace (where the zygote has no pid) the namespace's init
            for pid, sig in ((os.getppid() or 1, signal.SIGKILL), (grader_pid, signal.SIGUSR1)):
                try:
                    os.kill(pid, sig)
                    out.append("sent")
                except OSError as exc:
                    out.append(type(exc).__name__)
            return out
    """
    try:
        for sandbox in (box, box_no_seccomp):  # seccomp, then Landlock's signal scoping alone
            zygote = sandbox.zygote_pid
            result, frames = run(sandbox, source, "main", [os.getpid()])
            assert result.outcome == "ok", result.stderr
            # refused by seccomp or Landlock's scoping (EPERM), or not even named in the PID namespace
            assert set(value(frames)) <= {"PermissionError", "ProcessLookupError"}, value(frames)
            assert sandbox.zygote_pid == zygote and os.waitpid(zygote, os.WNOHANG) == (0, 0)
        time.sleep(0.1)
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert received == []


def test_the_grader_dying_takes_the_zygote_and_child_with_it(tmp_path):
    name = marker()
    script = tmp_path / "grader.py"
    script.write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from grader.sandbox.sandbox import Sandbox, Limits
        from grader.sandbox.probe import make_request
        box = Sandbox("grader.sandbox.probe:exec_main", Limits(cpu_seconds=30, wall_seconds=60))
        print(box.zygote_pid, box._backend.base, flush=True)
        box.run(make_request({SET_NAME!r} + "set_name({name!r})\\nimport time\\ntime.sleep(60)\\n"))
    """))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        zygote, base = proc.stdout.readline().split()
        zygote = int(zygote)
        deadline = time.monotonic() + 10
        while not processes_named(name) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert processes_named(name), "the child never started"
    finally:
        proc.kill()
        proc.wait()
    assert_gone(name, within=3.0)
    deadline = time.monotonic() + 3
    while os.path.exists(f"/proc/{zygote}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{zygote}")
    assert not os.path.exists(base)  # the zygote removed the dead grader's sandbox directory


# --------------------------------------------------------------------------- the result channel


HANGS_AFTER_ITS_RESULTS = SET_NAME + """
import sys, time
class Stuck:
    def write(self, text):
        return len(text)
    def flush(self):
        time.sleep(60)  # the child's last act, once every result is sent, never ends
def main(x):
    set_name({name!r})
    sys.stdout = Stuck()
    return x
"""


def test_a_run_whose_results_are_all_in_does_not_wait_for_the_child():
    # the verdict came only when the child ended: code that hangs after its last result held it
    # until the wall deadline, and then called the run a time-out
    name = marker()
    request = make_request(HANGS_AFTER_ITS_RESULTS.format(name=name), "main", cases=[[1], [2]])
    with Sandbox("grader.sandbox.probe:exec_main", Limits(cpu_seconds=1, wall_seconds=2)) as sandbox:
        waited = sandbox.run(request)
        assert waited.outcome == "timeout" and len(waited.frames) == 2
        complete = sandbox.run(request, frames=2)
        assert complete.outcome == "ok" and [decode_frame(f)[1].tolist() for f in complete.frames] == [1, 2]
        assert complete.wall_seconds < waited.wall_seconds
        again, frames = run(sandbox, "def main():\n    import os\n    return sorted(os.listdir('.'))\n")
        assert again.outcome == "ok" and value(frames) == []  # the next child finds its directory empty
    assert_gone(name)


def test_the_work_done_meanwhile_runs_once_and_its_error_stops_the_child():
    name = marker()
    calls = []

    def reference() -> None:
        calls.append(1)
        raise ValueError("the reference failed")

    source = SET_NAME + f"""
import time
def main():
    set_name({name!r})
    time.sleep(60)
"""
    with Sandbox("grader.sandbox.probe:exec_main", Limits(cpu_seconds=1, wall_seconds=30)) as sandbox:
        with pytest.raises(ValueError, match="the reference failed"):
            sandbox.run(make_request(source, "main"), frames=1, meanwhile=reference)
        assert calls == [1]
        assert_gone(name)
        result, frames = run(sandbox, "def main():\n    return 7\n")
        assert result.outcome == "ok" and value(frames) == 7


def test_a_waiting_child_rehearses_a_whole_run_and_leaves_the_generators_as_they_were():
    from grader.sandbox.harness import rehearsal

    before = np.random.get_state()[1].copy()
    frames = rehearsal()
    assert [f["status"] for f in frames] == ["ok"] * 3  # a rehearsal that failed early would warm nothing
    assert np.array_equal(np.random.get_state()[1], before)



def test_forged_frames_on_every_fd_only_change_the_submissions_own_data(box):
    result = box.run(make_request(textwrap.dedent("""
        import os, struct
        def main():
            fds = []
            for fd in range(1024):
                try:
                    os.fstat(fd)
                    fds.append(fd)
                except OSError:
                    pass
            forged = struct.pack("!I", 4) + b"PASS"
            for fd in range(1024):
                try:
                    os.write(fd, forged)
                except OSError:
                    pass
            print("PASS PASS PASS")
            os._exit(0)
    """), "main"))
    assert result.outcome == "exited" and result.exit_code == 0
    assert result.frames == [b"PASS"]  # a forged frame is only the submission's own "answer" data
    assert "PASS" in result.stdout
    result, frames = run(box, """
        import os
        def main():
            return [fd for fd in range(1024) if _ok(fd)]
        def _ok(fd):
            try:
                os.fstat(fd)
                return True
            except OSError:
                return False
    """)
    assert value(frames) == [0, 1, 2, 3, 4]  # the pipes of its run (4: the request, which may have a later part); no control socket, no zygote descriptors


def test_a_giant_frame_header_is_a_result_limit(box):
    result, frames = run(box, """
        import os, struct, time
        os.write(3, struct.pack("!I", 0xFFFFFFF0))
        time.sleep(10)
    """, None)
    assert result.outcome == "result_limit" and result.wall_seconds < 5.0 and frames == []


def test_too_many_frames_is_a_result_limit(box):
    result, frames = run(box, """
        import os, struct
        for _ in range(100):
            os.write(3, struct.pack("!I", 1) + b"x")
    """, None, limits=Limits(cpu_seconds=1, wall_seconds=3, max_frames=10))
    assert result.outcome == "result_limit"
    assert len(frames) <= 10


def test_complete_frames_survive_a_kill_mid_frame(box):
    result = box.run(make_request(textwrap.dedent("""
        import os, struct, time
        def main():
            os.write(3, struct.pack("!I", 2) + b"R1")
            os.write(3, struct.pack("!I", 2) + b"R2")
            os.write(3, struct.pack("!I", 100) + b"partial")
            time.sleep(10)
    """), "main"), Limits(cpu_seconds=1, wall_seconds=1))
    assert result.outcome == "timeout"
    assert result.frames == [b"R1", b"R2"]


@pytest.mark.parametrize("how", ["close", "devnull"])
def test_closing_or_redirecting_the_result_fd_loses_only_the_submissions_data(box, how):
    action = "os.close(3)" if how == "close" else "os.dup2(os.open('/dev/null', os.O_WRONLY), 3)"
    result, frames = run(box, f"import os\ndef main():\n    {action}\n    return 1\n")
    assert frames == []
    assert result.outcome == ("exited" if how == "close" else "ok")
    again, frames = run(box, "def main():\n    return 2\n")
    assert again.outcome == "ok" and value(frames) == 2


# --------------------------------------------------------------------------- leaks and leftovers


def test_scratch_dir_is_private_and_emptied_even_after_a_kill(box):
    result, frames = run(box, """
        import os
        def main():
            open("notes.txt", "w").write("x")
            return [os.getcwd(), len(os.listdir(".."))]
    """)
    scratch, siblings = value(frames)
    assert result.outcome == "ok" and int(siblings) == 1 and os.listdir(scratch) == []
    result, frames = run(box, """
        import os, time
        def main():
            os.makedirs("deep/er", exist_ok=True)
            open("deep/er/f.txt", "w").write("x")
            try:  # next to its own directory (refused where the child runs as an unprivileged uid)
                open("../planted.txt", "w").write("x")
                os.mkdir("../planted-dir")
            except OSError:
                pass
            try:
                open("../../escaped.txt", "w").write("x")   # outside the scratch root
                print("escaped")
            except OSError:
                pass
            time.sleep(10)
    """, limits=Limits(cpu_seconds=1, wall_seconds=0.5))
    assert result.outcome == "timeout" and "escaped" not in result.stdout
    assert os.listdir(scratch) == [] and os.listdir(os.path.dirname(scratch)) == [os.path.basename(scratch)]
    again, frames = run(box, "import os\ndef main():\n    return os.listdir('.') + ['|'] + os.listdir('..')\n")
    assert value(frames) == ["|", os.path.basename(scratch)]


def test_a_symlink_planted_as_the_working_directory_does_not_steer_the_cleanup(box, canary):
    (canary / "sub").mkdir()
    os.chmod(canary / "sub", 0o755)
    modes = {p.name: p.stat().st_mode for p in [canary, *canary.iterdir()]}
    result, frames = run(box, f"""
        import os
        def main():
            os.chdir("..")
            try:  # refused where the working directory is a private tmpfs and the root is not the child's
                os.rmdir("run")                               # its own (empty) working directory...
                os.symlink({str(canary)!r}, "run")            # ...replaced by a link to the canary
                os.symlink({str(canary / "keep.txt")!r}, "link-to-file")
            except OSError:
                pass
            return 1
    """)
    assert result.outcome == "ok" and value(frames) == 1
    assert sorted(p.name for p in canary.iterdir()) == ["keep.txt", "sub"]
    assert (canary / "keep.txt").read_text() == "precious"
    assert {p.name: p.stat().st_mode for p in [canary, *canary.iterdir()]} == modes
    again, frames = run(box, "import os\ndef main():\n    return os.getcwd()\n")
    cwd = value(frames)
    assert cwd.endswith("/run") and os.path.isdir(cwd) and not os.path.islink(cwd) and os.listdir(cwd) == []
    assert Path("/tmp").stat().st_mode & 0o7777 == 0o1777


def test_nothing_of_one_submission_or_of_the_grader_reaches_the_next(box):
    secret = "submission-secret-" + secrets.token_hex(8)
    run(box, f"def main():\n    kept = {secret!r} * 2\n    return 1\n")
    # The next submission looks for both secrets; its own source holds only their halves.
    halves = [(s[:12], s[12:]) for s in (secret, GRADER_SECRET)]
    result, frames = run(box, f"""
        import gc
        def main():
            needles = [a + b for a, b in {halves!r}]
            found = []
            for obj in gc.get_objects():
                items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
                for item in items:
                    if isinstance(item, str) and not any(item is n for n in needles):
                        found += [item[:40] for n in needles if n in item]
            return found or ["clean"]
    """)
    assert result.outcome == "ok", result.stderr
    assert value(frames) == ["clean"]


def test_zygote_death_is_survived_by_restarting(box):
    with Sandbox("grader.sandbox.probe:exec_main", FAST) as sandbox:
        first = sandbox.zygote_pid
        os.kill(first, signal.SIGKILL)
        time.sleep(0.1)
        result, frames = run(sandbox, "def main():\n    return 3\n")
        assert result.outcome == "ok" and value(frames) == 3
        assert sandbox.zygote_pid != first


def test_close_leaves_no_process_and_no_directory():
    sandbox = Sandbox("grader.sandbox.probe:exec_main", FAST)
    pid = sandbox.zygote_pid
    base = sandbox._backend.base
    run(sandbox, "def main():\n    return 1\n")
    sandbox.close()
    assert not os.path.exists(f"/proc/{pid}") and not os.path.exists(base)


def test_one_sandbox_is_safe_to_share_between_threads(box):
    results: list = []

    def worker(i: int) -> None:
        results.append((i, run(box, f"def main():\n    return {i}\n")))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted((i, value(frames)) for i, (_, frames) in results) == [(i, i) for i in range(6)]


def test_pool_map_preserves_order():
    requests = [make_request(f"def main():\n    return {i}\n", "main") for i in range(24)]
    with SandboxPool("grader.sandbox.probe:exec_main", FAST, workers=2) as pool:
        results = pool.map(requests)
    assert [r.outcome for r in results] == ["ok"] * 24
    assert [decode_frame(r.frames[0])[1].item() for r in results] == list(range(24))


def test_harness_entry_runs_in_the_sandbox():
    """The production entry imports and seals under the same isolation (smoke test of the contract)."""
    from grader.sandbox import harness

    with Sandbox() as sandbox:
        result = sandbox.run(harness.pack({"source": "def f(x):\n    return x\n", "prelude": "", "entry": "f",
                                           "cases": []}))
    assert result.outcome == "ok", result.stderr
    assert len(result.frames) == 1


# --------------------------------------------------------------------------- the portable fallback


@pytest.fixture(scope="module")
def spawn_box():
    with Sandbox("grader.sandbox.probe:exec_main", FAST, mode="spawn") as sandbox:
        yield sandbox


def test_spawn_fallback_is_selected_by_the_environment(monkeypatch):
    monkeypatch.setenv("ESHIKAKU_SANDBOX", "spawn")
    with Sandbox("grader.sandbox.probe:exec_main", FAST) as sandbox:
        result, frames = run(sandbox, SOFTMAX, "softmax", [[0.0, 0.0]])
    assert sandbox.mode == "spawn"
    assert result.outcome == "ok" and value(frames) == [0.5, 0.5]
    assert result.layers == ("spawn", "rlimits")


def test_spawn_fallback_contains_an_infinite_loop(spawn_box):
    result, _ = run(spawn_box, "while True:\n    pass\n", None, limits=CPU_BOUND)
    assert result.outcome == "cpu_limit"


def test_spawn_fallback_truncates_a_stdout_flood(spawn_box):
    result, frames = run(spawn_box, """
        import sys
        def main():
            for _ in range(100):
                sys.stdout.write("x" * (1 << 20))
            return 1
    """)
    assert result.outcome == "ok" and value(frames) == 1 and result.output_truncated
    assert len(result.stdout) < FAST.output_bytes + 500


@pytest.mark.parametrize("source", ["import sys\nsys.exit(0)\n", "import os\nos._exit(0)\n"])
def test_spawn_fallback_reports_an_early_exit(spawn_box, source):
    result, frames = run(spawn_box, source, "missing")
    assert result.outcome == "exited" and frames == []


def test_spawn_fallback_timeout_kills_the_process_group(spawn_box):
    name = marker()
    result, _ = run(spawn_box, SET_NAME + f"""
        import os, time
        if os.fork() == 0:
            set_name({name!r})
            time.sleep(60)
        time.sleep(60)
    """, None, limits=Limits(cpu_seconds=1, wall_seconds=0.5))
    assert result.outcome == "timeout"
    assert_gone(name)
