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
    backend = box._backend
    root = backend.scratch_root
    return root, sorted(os.listdir(root)), sorted(os.listdir(backend.scratch))


def test_a_deep_tree_with_locked_directories_is_cleaned_and_the_sandbox_serves_on():
    # shutil.rmtree recursed once per level: 1,500 levels raised RecursionError into grading
    from grader.grading.codegrade import shared_sandbox

    result = attack(DEEP_TREE)
    assert result.status == "graded" and result.score == 0.0
    root, entries, run = scratch_of(shared_sandbox())
    assert (entries, run) == (["run"], []), f"left in {root}: {entries} {run}"


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
