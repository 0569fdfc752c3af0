"""Prints the cost of grading one submission, three ways, on the same submissions; then batch throughput.

(a) in-process, no isolation (the floor; never used for real grading),
(b) a fresh `python` interpreter per submission (the naive grader),
(c) eshikaku's isolated warm path (zygote + fork + every available layer), back to back,
(c') the same with the sandbox idle for 20 ms before each submission, as in the quiz and ``submit``
    (the child that waits for the run has rehearsed one; back to back, the last child's end and the next
    standby's start share the cores with the grading),
and the throughput of grading 1,000 submissions with one sandbox per core.

It also prints the goals of the warm path and their ratios (median (c) ≤ 5 ms and ≤ 3.5× (a); ≥ 250
submissions/s with 2 sandboxes), the cost of a submission that fails a public example and prints (its
text is shown: it comes from the child's first stage, before the hidden cases were written to it),
and with ``--profile`` where the parent's time goes over 200 gradings (cProfile, top functions by own
time).

Run: python benchmarks/grading.py [--runs 200] [--batch 1000] [--profile]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bank.cases import build_cases
from grader.bank.loader import load_bank
from grader.grading.codegrade import grade_code, reference_namespace
from grader.sandbox.harness import pack, run_case

GOAL_MS = 5.0  # issue 12: whole grading (c), median
GOAL_FLOOR_RATIO = 3.5  # (c) against (a) in the same run
GOAL_RATE = 250  # submissions/s with one sandbox per core

RIGHT = """import numpy as np
def softmax(x):
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)
"""
WRONG = """import numpy as np
def softmax(x):
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)
"""
WRONG_PUBLIC = """import numpy as np
def softmax(x):
    print("debug", x.shape)
    return np.exp(x) / np.sum(np.exp(x), axis=0)
"""
FRESH = (
    "import sys, struct\n"
    "from grader.sandbox.harness import child_main\n"
    "out = sys.stdout.buffer\n"
    "child_main(sys.stdin.buffer.read(), lambda b: out.write(struct.pack('<Q', len(b)) + b))\n"
)


def _stats(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p90 = ms[int(0.9 * (len(ms) - 1))]
    return f"median {statistics.median(ms):7.2f} ms   p90 {p90:7.2f} ms   (n={len(ms)})"


def _cpu_seconds(pid: int, with_children: bool) -> float:
    """utime + stime of a process, with those of its reaped children or not (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return sum(int(v) for v in fields[11 : 15 if with_children else 13]) / os.sysconf("SC_CLK_TCK")


def _program(question, source: str, seed: int) -> tuple[list, bytes]:
    instances = build_cases(question, seed)
    program = {"source": source, "prelude": question.prelude, "entry": question.entry, "cases": [i.program for i in instances]}
    return instances, pack(program)


def in_process(question, source: str, seed: int) -> float:
    """The floor: the same cases, run and compared in this process (unsafe; for comparison only)."""
    from grader.sandbox.harness import load_submission, unpack

    start = time.perf_counter()
    instances, request = _program(question, source, seed)
    program = unpack(request)
    namespace, _status = load_submission(program["source"], program["prelude"], program["entry"])
    reference = reference_namespace(question)
    for instance, case in zip(instances, program["cases"]):
        run_case(case, namespace)
        run_case(instance.program, reference)
    return time.perf_counter() - start


def fresh_interpreter(question, source: str, seed: int) -> float:
    start = time.perf_counter()
    instances, request = _program(question, source, seed)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    subprocess.run([sys.executable, "-c", FRESH], input=request, capture_output=True, check=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    reference = reference_namespace(question)
    for instance in instances:
        run_case(instance.program, reference)
    return time.perf_counter() - start


def isolated(question, source: str, seed: int) -> float:
    start = time.perf_counter()
    grade_code(question, source, seed)
    return time.perf_counter() - start


def isolated_after_a_pause(question, source: str, seed: int) -> float:
    time.sleep(0.02)
    return isolated(question, source, seed)


def _profile(question, sources: list[str], n: int = 200) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        grade_code(question, sources[i % 2], 10_000 + i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    print(f"profile of {n} gradings: {total * 1000 / n:.2f} ms of the parent's time per grading (waiting included)")
    stats.sort_stats("tottime").print_stats(18)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="submissions per way (fresh interpreters: a fifth)")
    parser.add_argument("--batch", type=int, default=1000, help="submissions in the throughput run")
    parser.add_argument("--profile", action="store_true", help="cProfile over 200 gradings")
    args = parser.parse_args()
    question = load_bank().questions["softmax_function"]
    grade_code(question, RIGHT, 0)  # start the zygote once, as a long-running grader would have
    sources = [RIGHT, WRONG]
    ways = {"(a) in-process, no isolation": in_process, "(b) fresh interpreter": fresh_interpreter, "(c) eshikaku isolated warm path": isolated,
            "(c') the same, sandbox idle before": isolated_after_a_pause}
    results = {}
    print(f"softmax_function, {len(build_cases(question, 1))} cases per submission, right and wrong submissions alternating")
    for label, way in ways.items():
        n = args.runs // 5 if "fresh" in label else args.runs
        samples = [way(question, sources[i % 2], i) for i in range(n)]
        results[label] = statistics.median(samples)
        print(f"{label:34} {_stats(samples)}")
    print(f"speed-up of (c) over (b): {results['(b) fresh interpreter'] / results['(c) eshikaku isolated warm path']:.1f}x")
    whole, floor = results["(c) eshikaku isolated warm path"], results["(a) in-process, no isolation"]
    print(f"goal (c) ≤ {GOAL_MS:g} ms: {whole * 1000:.2f} ms = {whole * 1000 / GOAL_MS:.2f} of the goal; (c) is {whole / floor:.1f}x the floor (a) "
          f"(goal ≤ {GOAL_FLOOR_RATIO:g}x: {whole / floor / GOAL_FLOOR_RATIO:.2f} of it)")  # fmt: skip
    ready = results["(c') the same, sandbox idle before"]
    print(f"(c') {ready * 1000:.2f} ms = {ready * 1000 / GOAL_MS:.2f} of the goal, {ready / floor:.1f}x the floor")
    public = [isolated(question, WRONG_PUBLIC, i) for i in range(args.runs // 4)]
    print(f"{'(d) a public example fails':34} {_stats(public)}")
    if args.profile:
        _profile(question, sources)

    from grader.sandbox.sandbox import SandboxPool

    workers = os.cpu_count() or 1
    pool = SandboxPool(workers=workers)
    try:
        for i in range(workers * 2):
            grade_code(question, RIGHT, i, sandbox=pool)
        zygotes = [box.zygote_pid for box in pool.sandboxes if box.zygote_pid]
        cpu0 = [_cpu_seconds(os.getpid(), False), sum(_cpu_seconds(z, True) for z in zygotes)]
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as executor:
            verdicts = list(executor.map(lambda i: grade_code(question, sources[i % 2], i, sandbox=pool).passed, range(args.batch)))
        elapsed = time.perf_counter() - start
        cpu1 = [_cpu_seconds(os.getpid(), False), sum(_cpu_seconds(z, True) for z in zygotes)]
    finally:
        pool.close()
    assert verdicts.count(True) == (args.batch + 1) // 2, "a verdict changed under load"
    print(f"throughput: {args.batch} submissions in {elapsed:.2f} s with {workers} sandboxes = {args.batch / elapsed:.0f} submissions/s "
          f"(goal ≥ {GOAL_RATE}/s: {args.batch / elapsed / GOAL_RATE:.2f} of it)")  # fmt: skip
    grader_ms, sandbox_ms = ((after - before) * 1000 / args.batch for before, after in zip(cpu0, cpu1))
    print(f"CPU per submission: grader {grader_ms:.2f} ms + zygotes and children {sandbox_ms:.2f} ms = {grader_ms + sandbox_ms:.2f} ms "
          f"(250/s on {workers} cores needs ≤ {workers * 1000 / GOAL_RATE:.1f} ms)")
    print(f"load average after the run: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"isolation layers: {', '.join(pool.layers) if hasattr(pool, 'layers') else '?'}")


if __name__ == "__main__":
    main()
