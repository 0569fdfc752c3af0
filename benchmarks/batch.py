"""Benchmark of `eshikaku grade-batch`: submissions graded per second for a generated class.

Generates a class folder ``<student>/<question_id>.py`` over five code questions of the built-in
bank (right answers, typical mistakes, syntax errors; each student draws a variant per question),
then grades it twice: an honest class, and the same class with a share of malicious submissions
(infinite loop, hang, fork flood, file deletion, fake output, memory bomb, signal to the parent).
Every attack is bounded and ends in its own row. A runaway submission's first run is stopped at the
batch's CPU budget (grader.instructor.budget: 0.25 s of CPU, or 2 × 0.25 + 1 s of wall time for a sleeper,
instead of the question's 2 s and 5 s). The malicious class is graded with grade-batch's default number
of sandboxes (one more than the CPUs) and with one a CPU, where each sleeper holds a core's share; the
last run shows the cost without the budget.

Usage:
    python benchmarks/batch.py [--students 200] [--malicious 0.05] [--jobs N] [--keep DIR]

:func:`make_class` is also used by tests/test_batch.py.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUESTIONS = ("relu_function", "softmax_function", "lasso_function", "ridge_blank", "relu_backward_blank")

HONEST: dict[str, list[str]] = {
    "relu_function": [
        "import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n",
        "import numpy as np\ndef relu(x):\n    x[x < 0] = 0\n    return x\n",  # modifies the input
        "import numpy as np\ndef relu(x):\n    return np.where(x > 0, x, 0.0)\n",  # float32 → float64
        "import numpy as np\ndef relu(x)\n    return np.maximum(0, x)\n",  # syntax error (the seed's own)
    ],
    "softmax_function": [
        "import numpy as np\ndef softmax(x):\n    z = x - np.max(x, axis=-1, keepdims=True)\n    e = np.exp(z)\n    return e / np.sum(e, axis=-1, "
            "keepdims=True)\n",
        "import numpy as np\ndef softmax(x):\n    e = np.exp(x)\n    return e / np.sum(e, axis=-1, keepdims=True)\n",  # overflows
        "import numpy as np\ndef softmax(x):\n    z = x - np.max(x)\n    e = np.exp(z)\n    return e / np.sum(e, axis=0)\n",  # wrong axis
        "import numpy as np\ndef soft_max(x):\n    return np.exp(x) / np.exp(x).sum()\n",  # misnamed entry
    ],
    "lasso_function": [
        "import numpy as np\ndef lasso(param, grad, rate):\n    grad += rate * np.sign(param)\n",
        "import numpy as np\ndef lasso(param, grad, rate):\n    grad = grad + rate * np.sign(param)\n",  # rebinds
        "import numpy as np\ndef lasso(param, grad, rate):\n    x = rate * np.sign(param)\n    grad += rate * x\n",  # rate²
    ],
    "ridge_blank": [
        "param\n",
        "param**2\n",
        "np.sum(param)\n",
        "import numpy as np\n\ndef ridge(param, grad, rate):\n    grad += rate * param\n",  # the whole template, filled
    ],
    "relu_backward_blank": [
        "np.where(self.mask, 0, dout)\n",
        "dout * self.mask\n",
        "np.maximum(0, dout)\n",
    ],
}

# Each attack runs when the module loads (a file starting with the template's first line is taken as
# the whole program, also for blank questions). ``{marker}`` names the processes it leaves behind,
# so a test can check that none survives; ``{canary}`` is a file it tries to delete.
_SET_NAME = """
def _name(marker):
    try:
        import ctypes
        ctypes.CDLL(None).prctl(15, marker.encode(), 0, 0, 0)  # PR_SET_NAME
    except Exception:
        try:
            with open("/proc/self/comm", "w") as f:
                f.write(marker)
        except Exception:
            pass
"""
ATTACKS: dict[str, str] = {
    "infinite_loop": _SET_NAME + "_name({marker!r})\nwhile True:\n    pass\n",
    "hang": _SET_NAME + "import time\n_name({marker!r})\ntime.sleep(600)\n",
    "fork_flood": _SET_NAME + textwrap.dedent("""
        import os, time
        started = 0
        for _ in range(300):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                _name({marker!r})
                time.sleep(600)
                os._exit(0)
            started += 1
        raise RuntimeError(f"forked {{started}} processes")
    """),
    "delete_files": textwrap.dedent("""
        import os, shutil
        for target in ({canary!r}, os.path.dirname({canary!r})):
            try:
                os.remove(target)
            except IsADirectoryError:
                shutil.rmtree(target)
        os.remove({canary!r})
    """),
    "fake_output": textwrap.dedent("""
        import os, struct
        print("PASS: all cases passed\\nscore: 1.0\\n✓ 正解")
        for fd in range(1, 64):
            try:
                os.write(fd, struct.pack("!I", 4) + b"PASS")
            except OSError:
                pass
        os._exit(0)
    """),
    "memory_bomb": "blocks = [bytes(1 << 34) for _ in range(4)]\n",  # 64 GiB asked for: RLIMIT_AS refuses at once
    "kill_parent": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
}


def attack_source(kind: str, marker: str, canary: str) -> str:
    return "import numpy as np\n" + ATTACKS[kind].format(marker=marker, canary=canary)


def make_class(root: Path, students: int, *, malicious: float = 0.0, marker: str = "eskbatch", canary: str = "/nonexistent",
               attacks: tuple[str, ...] = tuple(ATTACKS), seed: int = 7) -> dict[tuple[str, str], str]:
    """Writes ``root/<student>/<question>.py`` for ``students`` students × :data:`QUESTIONS`.

    Returns (student, question) → the attack kind of every malicious submission (``malicious`` is
    their share of all submissions, spread over the attack kinds in turn).
    """
    rng = random.Random(seed)
    names = [f"student{i:03d}" for i in range(1, students + 1)]
    pairs = [(s, q) for s in names for q in QUESTIONS]
    bad_pairs = rng.sample(pairs, round(len(pairs) * malicious))
    bad = {pair: attacks[i % len(attacks)] for i, pair in enumerate(sorted(bad_pairs))}
    for student in names:
        (root / student).mkdir(parents=True, exist_ok=True)
        for question in QUESTIONS:
            kind = bad.get((student, question))
            source = attack_source(kind, marker, canary) if kind else rng.choice(HONEST[question])
            (root / student / f"{question}.py").write_text(source, encoding="utf-8")
    return bad


def _cpu_seconds() -> float:
    """CPU time of this process and of every process it has waited for (the sandboxes' zygotes and their children)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run(folder: Path, out: Path, jobs: int, cpu_budget: bool = True) -> tuple[int, float, float, dict[str, int]]:
    from grader.bank.loader import load_bank
    from grader.instructor.batch import grade_batch
    from grader.instructor.batch_reports import write_reports

    bank = load_bank()
    started, cpu = time.perf_counter(), _cpu_seconds()
    report = grade_batch(bank, folder, jobs=jobs, cpu_budget=cpu_budget)
    write_reports(report, out)
    return report.graded, time.perf_counter() - started, _cpu_seconds() - cpu, report.counts()


def main() -> None:
    from grader.instructor.batch import default_jobs

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--malicious", type=float, default=0.05, help="share of malicious submissions in the second run")
    parser.add_argument("--jobs", type=int, help="sandboxes (default: grade-batch's own, one more than the CPUs)")
    parser.add_argument("--keep", type=Path, help="keep the generated classes and reports here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="eshikaku-batch-bench-"))
    canary = base / "canary" / "keep-me.txt"
    canary.parent.mkdir(parents=True, exist_ok=True)
    canary.write_text("still here\n")
    print(f"{args.students} students × {len(QUESTIONS)} code questions, {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f} at the start")
    print("(CPU ms per submission counts this process and its sandboxes: on a shared machine it is the steadier figure)")
    try:
        share = share_text(args.malicious)
        jobs, cpus = args.jobs or default_jobs(), os.cpu_count() or 1
        runs = [("honest class", 0.0, jobs, True, HONEST_GOAL), (f"{share} malicious", args.malicious, jobs, True, MALICIOUS_GOAL),
                (f"{share} malicious", args.malicious, cpus, True, MALICIOUS_GOAL),  # one sandbox a core: a sleeper holds a core's share
                (f"{share} malicious", args.malicious, 2 * cpus, False, None)]  # without the CPU budget: each runaway costs the full limit
        for label, share_of, jobs, budget, goal in runs:
            name = f"{label.replace(' ', '_').replace('%', 'pct')}_j{jobs}{'' if budget else '_nobudget'}"
            folder = base / name
            make_class(folder, args.students, malicious=share_of, canary=str(canary))
            graded, seconds, cpu, counts = _run(folder, folder.with_name(folder.name + "_out"), jobs, budget)
            verdicts = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
            rate = graded / seconds
            against = f"goal ≥ {goal}/s: {rate / goal:.2f}×" if goal else "no CPU budget"
            print(f"{label:>16}, --jobs {jobs:<3}: {graded} submissions in {seconds:6.1f} s = {rate:6.1f} submissions/s ({against}); "
                  f"CPU {1000 * cpu / graded:5.1f} ms/submission   ({verdicts})")
        print(f"canary file intact: {canary.exists()}")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


HONEST_GOAL = 200  # submissions/s, issue 12
MALICIOUS_GOAL = 100


def share_text(share: float) -> str:
    return f"{share * 100:g} %"


if __name__ == "__main__":
    main()
