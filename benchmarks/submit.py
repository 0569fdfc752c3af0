"""Wall time of `eshikaku submit softmax_function FILE` (a right softmax) against `python -c "import numpy"`.

The two commands alternate, N times each, so that a change of load on the machine touches both alike.
Each submit is a whole command: interpreter start, bank (parsed-bank cache warm, as on every start after
the first), sandbox start, grading, the progress database written. The command is the installed
console script itself (not a shim, which adds its own start-up).

    python benchmarks/submit.py            # 15 runs each
    python benchmarks/submit.py --runs 31

Goal: the submit ≤ 2.5× the NumPy import in wall time (issue 12). The CPU time of each (user + system,
every process it started and waited for) is printed beside it: on a busy machine it moves less than
the wall time, and it shows how much of the submit's work overlaps.

A submit is answered by the grading service the first one started (grader.learner.submit_service); the
first submit's own time (it starts the service) is printed once, and each round also times a submit
that does all its work itself (ESHIKAKU_NO_SERVICE=1), as every submit did before the service. The
benchmark's services use a runtime directory of their own and leave 5 s after the last round.
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 2.5
RIGHT = """import numpy as np


def softmax(x):
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
"""


def command() -> str:
    script = Path(sysconfig.get_path("scripts")) / "eshikaku"
    return str(script) if script.exists() else (shutil.which("eshikaku") or "eshikaku")


def timed(args: list[str], env: dict[str, str], expect: int, cpu: list[float] | None = None) -> float:
    """Wall seconds of one command; its CPU seconds (user + system, every process it waited for) go to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != expect:
        sys.exit(f"{' '.join(args)} exited {done.returncode}, not {expect}:\n{done.stdout.decode()}{done.stderr.decode()}")
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return elapsed


def _line(label: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"{label:46} median {statistics.median(ms):6.0f} ms   min {ms[0]:5.0f} ms   max {ms[-1]:5.0f} ms   (n={len(ms)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--question", default="softmax_function")
    parser.add_argument("--command", action="append", default=[], help="an eshikaku command to measure instead of the installed console script; "
                        "repeat it to compare versions, measured in turn in each round")  # fmt: skip
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eshikaku-bench-") as tmp:
        root = Path(tmp)
        # Bytecode caches are written, as on a learner's machine (the warm start this measures); a set
        # PYTHONDONTWRITEBYTECODE would make every start compile the grader's modules again (~50 ms).
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="")
        env.update({"XDG_CACHE_HOME": str(root / "cache"), "XDG_DATA_HOME": str(root / "data")})
        source = root / "softmax.py"
        source.write_text(RIGHT, encoding="utf-8")
        env.pop("ESHIKAKU_NO_SERVICE", None)
        env.update({"XDG_RUNTIME_DIR": tempfile.mkdtemp(prefix="esk-", dir="/tmp"), "ESHIKAKU_SERVICE_IDLE": "5"})
        versions = [shlex.split(c) for c in opts.command] or [[command()]]
        labels, programs, envs = [], [], []
        for i, program in enumerate(versions):
            name = f"eshikaku submit {opts.question}" if len(versions) == 1 else f"submit #{i + 1}"
            # one cache and database per version: versions with different cache formats would evict each other
            own = dict(env, XDG_CACHE_HOME=str(root / f"cache{i}"), ESHIKAKU_DB=str(root / f"progress{i}.sqlite3"))
            labels += [name, f"{name} (no service)"]
            programs += [program, program]
            envs += [own, dict(own, ESHIKAKU_NO_SERVICE="1")]
        numpy = [sys.executable, "-c", "import numpy"]
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} (before), {opts.runs} runs each")
        submits = {i: [] for i in range(len(programs))}  # type: dict[int, list[float]]
        submit_cpu = {i: [] for i in range(len(programs))}  # type: dict[int, list[float]]
        imports: list[float] = []
        import_cpu: list[float] = []
        for label, program, own in zip(labels, programs, envs):
            first = timed([*program, "submit", opts.question, str(source)], own, 0)  # fills the parsed-bank cache, creates the database
            if "no service" not in label:
                print(f"{label}, the first (it starts the service): {first * 1000:.0f} ms")
        timed(numpy, env, 0)
        for _ in range(opts.runs):
            imports.append(timed(numpy, env, 0, import_cpu))
            for i, (program, own) in enumerate(zip(programs, envs)):
                submits[i].append(timed([*program, "submit", opts.question, str(source)], own, 0, submit_cpu[i]))
        print(_line('python -c "import numpy"', imports) + f"   CPU {statistics.median(import_cpu) * 1000:5.0f} ms")
        for i, label in enumerate(labels):
            print(_line(label, submits[i]) + f"   CPU {statistics.median(submit_cpu[i]) * 1000:5.0f} ms (all its processes)")
            ratio = statistics.median(submits[i]) / statistics.median(imports)
            verdict = "met" if ratio <= GOAL_RATIO else "NOT met"
            print(f"{label} / import numpy: {ratio:.2f}x   (goal ≤ {GOAL_RATIO}x: {ratio / GOAL_RATIO:.2f} of the goal, {verdict})")
        if len(versions) > 1:
            for i, program in enumerate(versions):
                print(f"submit #{i + 1}: {' '.join(program)}")
        print(f"load {os.getloadavg()[0]:.2f} (after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
