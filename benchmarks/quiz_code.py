"""Time from Enter to the verdict on screen for a code answer in `eshikaku quiz`, in a real pseudo-terminal.

The quiz runs as the installed console script with `--plain` (answers read line by line, typed code ends
with a line holding only `.`). Each run starts a fresh quiz on one code question, waits while the
learner "reads" the question (the sandbox warms meanwhile), types the code, and measures from the
Enter after the final `.` to the verdict line. Two reading times are measured: the default (a learner
reading the task) and none at all (the code arrives with the question, so nothing had time to warm).

The floor is the same grading in this process with a warm sandbox (`grade_code`, as
`benchmarks/grading.py` (c) measures it): what Enter cannot beat.

    python benchmarks/quiz_code.py                 # 9 runs per case, 2 s of reading
    python benchmarks/quiz_code.py --runs 5 --read 3

Goal: Enter → verdict ≤ 50 ms (issue 12).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pexpect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GOAL = 0.050
RIGHT = """import numpy as np
def softmax(x):
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
"""
VERDICT = "ケース通過"


def command() -> str:
    script = Path(sysconfig.get_path("scripts")) / "eshikaku"
    return str(script) if script.exists() else (shutil.which("eshikaku") or "eshikaku")


def one_run(question: str, reading: float, env: dict[str, str], program: list[str]) -> float:
    child = pexpect.spawn(program[0], [*program[1:], "quiz", question, "--plain"], env=env, encoding="utf-8", dimensions=(40, 120), timeout=60)
    child.delaybeforesend = None  # pexpect otherwise sleeps 50 ms before each send, inside the timed Enter
    try:
        child.expect("コードで答える")
        time.sleep(reading)
        for line in RIGHT.splitlines():
            child.sendline(line)
        time.sleep(0.2)  # the lines typed so far are read; only the final Enter is timed
        child.expect(r"np\.sum\(e, axis=-1, keepdims=True\)\r?\n")  # the terminal's echo of the last line
        child.send(".")
        time.sleep(0.05)
        started = time.perf_counter()
        child.send("\r")
        child.expect(VERDICT)
        elapsed = time.perf_counter() - started
        child.expect(pexpect.EOF)
        return elapsed
    finally:
        child.close(force=True)


def floor(question_id: str, runs: int) -> float:
    """Median in-process grading with a warm sandbox: the verdict's own cost, without the quiz."""
    from grader.bank.loader import load_question
    from grader.grading.codegrade import grade_code
    from grader.sandbox.sandbox import Sandbox

    question = load_question(question_id)
    assert question is not None
    with Sandbox() as box:
        grade_code(question, RIGHT, 0, sandbox=box)  # type: ignore[arg-type]
        samples = []
        for i in range(runs):
            started = time.perf_counter()
            grade_code(question, RIGHT, i + 1, sandbox=box)  # type: ignore[arg-type]
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _line(label: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"{label:38} median {statistics.median(ms):7.1f} ms   min {ms[0]:6.1f}   max {ms[-1]:7.1f}   (n={len(ms)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--read", type=float, default=2.0, help="seconds the learner reads the question before typing")
    parser.add_argument("--question", default="softmax_function")
    parser.add_argument("--command", default=None, help="another eshikaku command to measure (default: the installed console script)")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eshikaku-bench-") as tmp:
        root = Path(tmp)
        # Bytecode caches are written, as on a learner's machine (the warm start this measures); a set
        # PYTHONDONTWRITEBYTECODE would make every start compile the grader's modules again (~50 ms).
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="")
        env.update({"XDG_CACHE_HOME": str(root / "cache"), "XDG_DATA_HOME": str(root / "data"), "ESHIKAKU_DB": str(root / "progress.sqlite3"),
                    "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})  # fmt: skip
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} (before), {opts.runs} runs per case, "
              f"command {opts.command or command()}")  # fmt: skip
        program = shlex.split(opts.command) if opts.command else [command()]
        one_run(opts.question, 0.0, env, program)  # fills the parsed-bank cache
        warm = [one_run(opts.question, opts.read, env, program) for _ in range(opts.runs)]
        cold = [one_run(opts.question, 0.0, env, program) for _ in range(opts.runs)]
        base = floor(opts.question, max(20, opts.runs * 3))
        print(_line(f"Enter → verdict, {opts.read:g} s of reading", warm))
        print(_line("Enter → verdict, typed at once", cold))
        print(f"{'floor: grade_code, warm sandbox':38} median {base * 1000:7.1f} ms")
        median = statistics.median(warm)
        print(f"Enter → verdict after reading: {median / GOAL:.2f} of the {GOAL * 1000:.0f} ms goal ({'met' if median <= GOAL else 'NOT met'}), "
              f"{median / base:.1f}x the in-process floor")  # fmt: skip
        print(f"load {os.getloadavg()[0]:.2f} (after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
