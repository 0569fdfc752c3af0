"""What isolation costs per submission: in-process floor, fresh interpreter, warm isolated path, pool throughput.

Each submission is a ``softmax`` run on 4 small hidden cases, with one ``.npy`` frame back per case,
decoded by the grader side with ``allow_pickle=False`` (as the real grader does).

    python benchmarks/sandbox.py            # full run (about 20 s)
    python benchmarks/sandbox.py --quick    # fewer samples
    ESHIKAKU_SANDBOX=spawn python benchmarks/sandbox.py --quick   # the portable fallback
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np

from grader.sandbox.probe import decode_frame, make_request
from grader.sandbox.sandbox import Limits, Sandbox, SandboxPool

SOURCE = """
import numpy as np
def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
"""
_rng = np.random.default_rng(0)
CASES = [[_rng.normal(size=shape).tolist()] for shape in ((4, 10), (2, 3), (8,), (16, 32))]
REQUEST = make_request(SOURCE, "softmax", cases=CASES)

# The same work in a new interpreter: read the request, import NumPy, run, write npy frames to stdout.
FRESH = """
import io, json, struct, sys
import numpy as np
spec = json.loads(sys.stdin.buffer.read())
ns = {}
exec(compile(spec["source"], "<submission>", "exec"), ns)
out = sys.stdout.buffer
for case in spec["cases"]:
    buf = io.BytesIO()
    np.save(buf, np.asarray(ns[spec["func"]](*[np.asarray(a) for a in case])), allow_pickle=False)
    data = b"R" + buf.getvalue()
    out.write(struct.pack("!I", len(data)) + data)
"""


def decode_all(frames: list[bytes]) -> list[np.ndarray]:
    arrays = [decode_frame(f)[1] for f in frames]
    assert len(arrays) == len(CASES), "a run did not answer every case"
    return arrays


def split_frames(data: bytes) -> list[bytes]:
    frames, pos = [], 0
    while pos < len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        frames.append(data[pos + 4:pos + 4 + size])
        pos += 4 + size
    return frames


def in_process() -> None:
    spec = json.loads(REQUEST)
    namespace: dict = {}
    exec(compile(spec["source"], "<submission>", "exec"), namespace)
    frames = []
    for case in spec["cases"]:
        buffer = io.BytesIO()
        np.save(buffer, np.asarray(namespace["softmax"](*[np.asarray(a) for a in case])), allow_pickle=False)
        frames.append(b"R" + buffer.getvalue())
    decode_all(frames)


def fresh_interpreter() -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", FRESH], input=REQUEST, capture_output=True, env=env, check=True)
    decode_all(split_frames(done.stdout))


def stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))] * 1000


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process plus those of its reaped children (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rpartition(")")[2].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def timed(func, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        func()
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--runs", type=int, default=300, help="sequential warm runs (default 300)")
    parser.add_argument("--fresh-runs", type=int, default=40, help="fresh-interpreter runs (default 40)")
    parser.add_argument("--batch", type=int, default=1000, help="submissions in the throughput batch")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="zygotes in the pool")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.fresh_runs, args.batch = 100, 15, 300
    limits = Limits()

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "")
    with Sandbox("grader.sandbox.probe:exec_main", limits) as box:
        print(f"mode {box.mode}; layers: {', '.join(box.layers)}")
        for _ in range(10):  # warm-up
            decode_all(box.run(REQUEST).frames)
            in_process()

        def warm() -> None:
            result = box.run(REQUEST)
            assert result.outcome == "ok", result.stderr
            decode_all(result.frames)

        # Interleave the floor and the warm path so that machine noise hits both alike.
        floor, isolated = [], []
        for _ in range(args.runs):
            floor += timed(in_process, 1)
            isolated += timed(warm, 1)
    fresh_interpreter()
    fresh = timed(fresh_interpreter, args.fresh_runs)

    rows = [("in-process exec (no isolation, floor)", floor), ("fresh python per run (imports numpy)", fresh),
            ("warm isolated path (Sandbox.run)", isolated)]
    print(f"\n{'per submission (4 cases)':<42}{'median':>9}{'p90':>9}{'N':>6}")
    for name, samples in rows:
        median, p90 = stats(samples)
        print(f"{name:<42}{median:>7.2f}ms{p90:>7.2f}ms{len(samples):>6}")
    speedup = stats(fresh)[0] / stats(isolated)[0]
    print(f"warm isolated path is {speedup:.1f}x faster than a fresh interpreter")

    with SandboxPool("grader.sandbox.probe:exec_main", limits, workers=args.workers) as pool:
        pool.map([REQUEST] * (2 * args.workers))  # warm-up
        zygotes = [box.zygote_pid for box in pool.sandboxes if box.zygote_pid]
        linux = sys.platform.startswith("linux") and all(zygotes)
        cpu0 = sum(cpu_seconds(p) for p in [os.getpid(), *zygotes]) if linux else 0.0
        load0 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        t0 = time.perf_counter()
        results = pool.map([REQUEST] * args.batch)
        elapsed = time.perf_counter() - t0
        cpu1 = sum(cpu_seconds(p) for p in [os.getpid(), *zygotes]) if linux else 0.0
    assert all(r.outcome == "ok" and len(r.frames) == len(CASES) for r in results)
    rate = args.batch / elapsed
    print(f"\nthroughput: {args.batch} submissions in {elapsed:.2f} s with {args.workers} zygotes = {rate:.0f}/s "
          f"(load average {load0:.2f} before)")
    if linux and cpu1 > cpu0:
        per_run = (cpu1 - cpu0) / args.batch
        print(f"CPU per submission (grader + zygote + child): {per_run * 1000:.2f} ms, so {os.cpu_count()} idle "
              f"cores could do about {(os.cpu_count() or 1) / per_run:.0f}/s")

    median = stats(isolated)[0]
    print("\ntargets: "
          f"median <= 10 ms: {'met' if median <= 10 else 'MISSED'} ({median:.2f} ms); "
          f">= 10x a fresh interpreter: {'met' if speedup >= 10 else 'MISSED'} ({speedup:.1f}x); "
          f">= 150/s: {'met' if rate >= 150 else 'MISSED'} ({rate:.0f}/s)")


if __name__ == "__main__":
    main()
