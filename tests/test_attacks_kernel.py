"""Attacks on the kernel side of the sandbox: signals and processes, covert channels, disk, clean-up, reads.

Each attack is a learner submission graded through ``grade_code`` (the path of ``eshikaku submit``).
Where another layer would also stop it on this machine (Landlock ABI >= 6 scopes signals, and so on),
the attack runs in a sandbox with that layer turned off, so that the test shows the layer under test
holding by itself, as it must on every kernel the sandbox accepts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from test_attacks import ROOT, SEED, SOFTMAX, attack, grade_right_softmax, reported

from grader.grading.codegrade import grade_code
from grader.sandbox.sandbox import Sandbox

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the attacks target the Linux sandbox")


@pytest.fixture(scope="module")
def without_landlock() -> Iterator[Sandbox]:
    with Sandbox(disable=("landlock",)) as box:
        yield box


@pytest.fixture
def victim() -> Iterator[subprocess.Popen[bytes]]:
    """A sacrificial host process that the attacks try to signal."""
    proc = subprocess.Popen(["sleep", "60"])
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def graded(source: str, box: Sandbox) -> dict[str, str]:
    result = grade_code(SOFTMAX, source, SEED, sandbox=box)
    assert not result.passed
    return reported(result)


# --------------------------------------------------------------------------- class 7: signals and processes


FCNTL_OWNER = """
import fcntl, json, os, signal
def softmax(x):
    victim, report = VICTIM, {}
    r, w = os.pipe()
    for name, action in [
        ("F_SETOWN", lambda: fcntl.fcntl(r, fcntl.F_SETOWN, victim)),
        ("F_SETOWN_EX", lambda: fcntl.fcntl(r, 15, (1).to_bytes(4, "little") + victim.to_bytes(4, "little"))),
        ("F_SETSIG", lambda: fcntl.fcntl(r, 10, signal.SIGKILL)),
        ("O_ASYNC", lambda: fcntl.fcntl(r, fcntl.F_SETFL, fcntl.fcntl(r, fcntl.F_GETFL) | os.O_ASYNC)),
    ]:
        try:
            action()
            report[name] = "allowed"
        except OSError as exc:
            report[name] = type(exc).__name__
    os.write(w, b"x")  # with an owner and a signal set, this I/O event signals the owner
    raise RuntimeError(json.dumps(report))
"""


def test_fcntl_owner_signals_cannot_reach_a_host_process(victim, without_landlock):
    # F_SETOWN + F_SETSIG(SIGKILL) + O_ASYNC on the child's own pipe: each write would SIGKILL the
    # victim. Landlock ABI >= 6 scopes these signals; older kernels rely on seccomp alone, so Landlock is off.
    outcome = graded(FCNTL_OWNER.replace("VICTIM", str(victim.pid)), without_landlock)
    time.sleep(0.2)
    assert victim.poll() is None, "the host process was killed through F_SETOWN/F_SETSIG"
    assert outcome["F_SETOWN"] == outcome["F_SETOWN_EX"] == outcome["F_SETSIG"] == "PermissionError", outcome
    assert outcome["O_ASYNC"] == "allowed", outcome  # harmless without an owner


def test_fcntl_owner_through_the_default_sandbox(victim):
    attack(FCNTL_OWNER.replace("VICTIM", str(victim.pid)))
    time.sleep(0.2)
    assert victim.poll() is None


PID_VIEW = """
import json, os, signal
def softmax(x):
    victim, report = VICTIM, {}
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
        report["listed"] = str(victim) in pids
        report["visible"] = len(pids)
    except OSError as exc:
        report["listed"] = type(exc).__name__
    for name, action in [("probe", lambda: os.kill(victim, 0)), ("kill", lambda: os.kill(victim, signal.SIGKILL))]:
        try:
            action()
            report[name] = "allowed"
        except OSError as exc:
            report[name] = type(exc).__name__
    raise RuntimeError(json.dumps(report))
"""


@pytest.fixture(scope="module")
def only_namespaces() -> Iterator[Sandbox]:
    # no Landlock (which hides /proc and scopes signals) and no seccomp (which denies kill)
    with Sandbox(disable=("landlock", "seccomp")) as box:
        yield box


def test_host_processes_are_invisible_and_unsignallable_in_the_pid_namespace(victim, only_namespaces):
    outcome = graded(PID_VIEW.replace("VICTIM", str(victim.pid)), only_namespaces)
    time.sleep(0.2)
    assert victim.poll() is None, "the host process was killed from the sandbox"
    assert outcome["listed"] is False and outcome["visible"] <= 8, outcome  # the init, the standbys, itself
    assert outcome["probe"] == outcome["kill"] == "ProcessLookupError", outcome
    assert "pidns" in only_namespaces.layers


def test_host_processes_through_the_default_sandbox(victim):
    outcome = reported(attack(PID_VIEW.replace("VICTIM", str(victim.pid))))
    time.sleep(0.2)
    assert victim.poll() is None
    assert outcome["listed"] == "PermissionError" and outcome["kill"] in ("PermissionError", "ProcessLookupError"), outcome


THREAD_FLOOD = """
import json, threading
def softmax(x):
    threading.stack_size(32768)  # small stacks: memory alone would allow thousands
    stop, threads, error = threading.Event(), [], None
    try:
        for _ in range(3000):
            thread = threading.Thread(target=stop.wait)
            thread.start()
            threads.append(thread)
    except RuntimeError as exc:
        error = type(exc).__name__
    stop.set()
    for thread in threads:
        thread.join()
    raise RuntimeError(json.dumps({"started": len(threads), "error": error}))
"""


DOCUMENTED_TASK_CAP = 64  # docs/security.md: tasks of a child, its threads and the waiting standby together


def test_a_thread_flood_with_small_stacks_is_capped_even_as_root():
    outcome = reported(attack(THREAD_FLOOD))
    assert outcome["error"] == "RuntimeError" and outcome["started"] < DOCUMENTED_TASK_CAP, outcome


# --------------------------------------------------------------------------- class 8: covert channel


PAGE_CACHE_PROBES = """
import ctypes, json, mmap, os
import numpy as np
def softmax(x):
    libc = ctypes.CDLL(None, use_errno=True)
    path = np.__file__  # a library file every submission can read: its page cache is shared
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    report = {}

    def errno_of(call):
        ctypes.set_errno(0)
        try:
            result = call()
        except OSError as exc:
            return exc.errno
        return ctypes.get_errno() if result == -1 else 0

    cache_range = (ctypes.c_uint64 * 2)(0, 0)
    cache_stat = (ctypes.c_uint64 * 8)()
    report["cachestat"] = errno_of(lambda: libc.syscall(451, fd, ctypes.byref(cache_range), ctypes.byref(cache_stat), 0))
    area = mmap.mmap(fd, size, prot=mmap.PROT_READ)
    pages = (ctypes.c_ubyte * ((size + 4095) // 4096))()
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
    arr = np.frombuffer(area, dtype=np.uint8)  # its data pointer is the mapping's address
    report["mincore"] = errno_of(lambda: libc.mincore(arr.ctypes.data, size, pages))
    del arr
    report["posix_fadvise"] = errno_of(lambda: os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED))
    libc.readahead.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_size_t]
    report["readahead"] = errno_of(lambda: libc.readahead(fd, 0, 4096))
    report["preadv2_nowait"] = errno_of(lambda: os.preadv(fd, [bytearray(16)], 0, os.RWF_NOWAIT))
    report["plain_read"] = errno_of(lambda: len(os.pread(fd, 16, 0)) - 16)
    raise RuntimeError(json.dumps(report))
"""


def test_page_cache_probes_are_refused():
    # cachestat / mincore tell which pages of a shared library file are cached, and fadvise / readahead
    # (or a read) put them there: one submission can leave a word for the next. Each probe is EPERM.
    outcome = reported(attack(PAGE_CACHE_PROBES))
    eperm = 1
    assert outcome == {"cachestat": eperm, "mincore": eperm, "posix_fadvise": eperm, "readahead": eperm,
                       "preadv2_nowait": eperm, "plain_read": 0}, outcome
    assert grade_right_softmax().passed



# --------------------------------------------------------------------------- class 4: clean-up


DEEP_TREE = """
import os
def softmax(x):
    os.mkdir("locked", 0)  # a directory nobody may enter or list
    for _ in range(1500):  # deeper than any recursion limit, and longer than PATH_MAX from the root
        os.mkdir("level-dddddddd")
        os.chdir("level-dddddddd")
    os.mkdir("locked", 0)
    with open("leaf", "w") as f:
        f.write("x")
    return x
"""


def scratch_of(box: Sandbox) -> tuple[str, list[str], list[str]]:
    """The scratch directory as the next child will find it: a run that returned once its results
    were in is cleaned up after when its child has ended, before the next run starts."""
    backend = box._backend
    backend._settle()
    root = backend.scratch_root
    return root, sorted(os.listdir(root)), sorted(os.listdir(backend.scratch))


def test_a_deep_tree_with_locked_directories_is_cleaned_and_the_sandbox_serves_on():
    # shutil.rmtree recursed once per level: 1,500 levels raised RecursionError into grading
    from grader.grading.codegrade import shared_sandbox

    result = attack(DEEP_TREE)
    assert result.status == "graded" and result.score == 0.0
    root, entries, run = scratch_of(shared_sandbox())
    assert (entries, run) == (["run"], []), f"left in {root}: {entries} {run}"


def test_the_grader_side_clean_up_removes_a_deep_tree_too():
    # without a private tmpfs (kernels or setups where it cannot be mounted) the grader empties the
    # scratch directory itself, iteratively
    from test_attacks import RIGHT_SOFTMAX

    with Sandbox(disable=("scratchfs",)) as box:
        zygote = box.zygote_pid
        result = grade_code(SOFTMAX, DEEP_TREE, SEED, sandbox=box)
        assert result.status == "graded" and not result.passed
        root, entries, run = scratch_of(box)
        assert (entries, run) == (["run"], []), f"left in {root}: {entries} {run}"
        assert grade_code(SOFTMAX, RIGHT_SOFTMAX, SEED, sandbox=box).passed
        assert box.zygote_pid == zygote


def test_eshikaku_submit_on_a_deep_tree_exits_cleanly_and_leaves_nothing(tmp_path):
    submission = tmp_path / "deep.py"
    submission.write_text(DEEP_TREE, encoding="utf-8")
    private_tmp = tmp_path / "tmp"  # the sandbox directories of this command only, whoever else runs tests
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    env.pop("ESHIKAKU_BANK", None)
    proc = subprocess.run([sys.executable, "cli.py", "submit", "softmax_function", str(submission)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert [p.name for p in private_tmp.iterdir()] == []


# --------------------------------------------------------------------------- class 9: disk


DISK_FILL = """
import json, os
def softmax(x):
    chunk = b"x" * (1 << 20)  # RLIMIT_FSIZE allows 1 MiB per file, so many files it is
    report = {"written": 0, "write_error": None, "files": 0, "file_error": None}
    try:
        for i in range(128):  # twice the size cap
            with open(f"f{i}", "wb") as f:
                f.write(chunk)
            report["written"] += 1
    except OSError as exc:
        report["write_error"] = exc.errno
    try:
        for i in range(8192):  # twice the inode cap
            open(f"e{i}", "wb").close()
            report["files"] += 1
    except OSError as exc:
        report["file_error"] = exc.errno
    raise RuntimeError(json.dumps(report))
"""


def test_many_files_cannot_exceed_the_scratch_caps():
    import errno

    from grader.sandbox.scratchfs import SCRATCH_BYTES, SCRATCH_INODES

    outcome = reported(attack(DISK_FILL))
    assert outcome["write_error"] == errno.ENOSPC and outcome["written"] <= SCRATCH_BYTES >> 20, outcome
    assert outcome["file_error"] == errno.ENOSPC and outcome["files"] <= SCRATCH_INODES, outcome


# --------------------------------------------------------------------------- class 10: weaker isolation


def test_each_run_lists_the_layers_in_force_for_it_and_doctor_lists_the_machines():
    from test_attacks import RIGHT_SOFTMAX

    from grader.sandbox.sandbox import doctor_layers

    full = doctor_layers()
    assert {"fork", "rlimits", "nocaps", "seccomp"} <= set(full)
    with Sandbox(disable=("seccomp", "scratchfs")) as weaker:
        run = grade_code(SOFTMAX, RIGHT_SOFTMAX, SEED, sandbox=weaker)
        assert run.passed
        assert "seccomp" not in run.layers and "scratchfs" not in run.layers
        assert set(run.layers) < set(full), (run.layers, full)
    assert set(grade_right_softmax().layers) == set(full)


# --------------------------------------------------------------------------- what a child can read


READS = """
import json, os
def softmax(x):
    report = {}
    for path in PATHS:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").read(16)
            report[path] = "read"
        except OSError as exc:
            report[path] = type(exc).__name__
    raise RuntimeError(json.dumps(report))
"""


def test_a_copy_of_the_references_elsewhere_and_another_python_are_unreadable():
    # the base interpreter's site-packages sits inside its standard library, which children read: a
    # second install of the project there (or a private bank's references) must stay unreadable, and so
    # must another Python's library
    import glob
    import secrets
    import shutil
    import sysconfig

    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    copy = os.path.join(stdlib, "site-packages", f"eshikaku-copy-{secrets.token_hex(4)}")
    shutil.copytree(ROOT / "reference", os.path.join(copy, "reference"))
    others = [p for p in glob.glob("/usr/lib/python3*") if os.path.realpath(p) != stdlib and os.path.isdir(p)]
    try:
        paths = [os.path.join(copy, "reference", "activations.py"), os.path.join(copy, "reference"), *others]
        outcome = reported(attack(READS.replace("PATHS", repr(paths))))
    finally:
        shutil.rmtree(copy)
    assert set(outcome.values()) == {"PermissionError"}, outcome
    assert grade_right_softmax().passed  # the standard library and NumPy are still there


# --------------------------------------------------------------------------- the same attacks from the command line


@pytest.mark.parametrize("name", ["fcntl-owner", "pid-view", "thread-flood", "disk-fill", "page-cache"])
def test_eshikaku_submit_on_each_kernel_attack_exits_0_or_1_and_leaves_nothing(name, tmp_path, victim):
    source = {"fcntl-owner": FCNTL_OWNER, "pid-view": PID_VIEW, "thread-flood": THREAD_FLOOD,
              "disk-fill": DISK_FILL, "page-cache": PAGE_CACHE_PROBES}[name].replace("VICTIM", str(victim.pid))
    submission = tmp_path / f"{name}.py"
    submission.write_text(source, encoding="utf-8")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(private_tmp)}
    env.pop("ESHIKAKU_BANK", None)
    proc = subprocess.run([sys.executable, "cli.py", "submit", "softmax_function", str(submission)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # a wrong answer, never a usage error or a fault
    assert "Traceback" not in proc.stdout + proc.stderr
    assert [p.name for p in private_tmp.iterdir()] == []
    assert victim.poll() is None
