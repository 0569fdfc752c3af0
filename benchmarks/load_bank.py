"""Benchmark: how long load_bank takes on a 1,000-question bank, cold and warm.

Generates a bank in a temporary folder by copying the real question files under new ids (titles,
difficulty and prompts slightly changed, so every file is distinct and of a realistic size and mix of
types), then times ``load_bank`` in fresh processes:

* cold, no cache:            ``load_bank([root], use_cache=False)``
* cold, empty cache dir:     first ``load_bank([root])`` with XDG_CACHE_HOME pointing at an empty folder
                             (parses everything and writes the cache)
* warm:                      ``load_bank([root])`` with the cache written by the previous run
* warm, same process:        a second call in the process that already loaded it

Each figure is the median of several runs; import time (pydantic, PyYAML, the schema) is shown apart.

Usage:
    python benchmarks/load_bank.py [--questions 1000] [--runs 5] [--keep DIR] [--profile]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = PROJECT_ROOT / "questions"
TARGET_WARM = 0.3  # seconds


def generate(root: Path, count: int) -> dict[str, int]:
    """Writes ``count`` question files under ``root``; returns the number per type."""
    templates = sorted(QUESTIONS.rglob("*.yaml"))
    if not templates:
        raise SystemExit(f"no question files under {QUESTIONS}")
    by_type: dict[str, int] = {}
    for i in range(count):
        source = templates[i % len(templates)]
        text = source.read_text(encoding="utf-8")
        old_id = source.stem
        new_id = f"{old_id}_{i:04d}"
        text = re.sub(rf"^id: {re.escape(old_id)}$", f"id: {new_id}", text, count=1, flags=re.M)
        text = re.sub(r"^title: (.*)$", lambda m, i=i: f"title: {m.group(1)} (#{i})", text, count=1, flags=re.M)
        text = re.sub(r"^difficulty: \d$", f"difficulty: {1 + i % 3}", text, count=1, flags=re.M)
        # a different first prompt line, so no two files are the same text
        text = re.sub(r"^prompt: \|\n", f"prompt: |\n  (問題 {i}) ", text, count=1, flags=re.M)
        qtype = re.search(r"^type: (\w+)$", text, flags=re.M).group(1)  # type: ignore[union-attr]
        by_type[qtype] = by_type.get(qtype, 0) + 1
        folder = root / source.parent.name / f"part{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return by_type


# --------------------------------------------------------------------------- one timed run (child process)

_CHILD = r"""
import sys, time
t0 = time.perf_counter()
from grader.bank.loader import load_bank
t1 = time.perf_counter()
from pathlib import Path
root, use_cache, twice = Path(sys.argv[1]), sys.argv[2] == "1", sys.argv[3] == "1"
bank = load_bank([root], use_cache=use_cache)
t2 = time.perf_counter()
if twice:
    t1 = time.perf_counter()
    bank = load_bank([root], use_cache=use_cache)
    t2 = time.perf_counter()
assert not bank.errors, [str(e) for e in bank.errors[:5]]
print(f"{t1 - t0:.6f} {t2 - t1:.6f} {len(bank.questions)}")
"""


def timed(root: Path, cache: Path, *, use_cache: bool, twice: bool = False) -> tuple[float, float, int]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONDONTWRITEBYTECODE="")
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), "1" if use_cache else "0", "1" if twice else "0"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, check=False,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{out.stderr}")
    imports, load, n = out.stdout.split()
    return float(imports), float(load), int(n)


def median_of(runs: int, fn) -> tuple[float, list[float], int]:
    values, n = [], 0
    for _ in range(runs):
        _, seconds, n = fn()
        values.append(seconds)
    return statistics.median(values), values, n


def profile(root: Path, cache: Path, *, use_cache: bool) -> None:
    import cProfile
    import pstats

    os.environ["XDG_CACHE_HOME"] = str(cache)
    sys.path.insert(0, str(PROJECT_ROOT))
    from grader.bank.loader import load_bank

    profiler = cProfile.Profile()
    profiler.enable()
    load_bank([root], use_cache=use_cache)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Generate the bank here and keep it (default: a temp folder).")
    parser.add_argument("--profile", action="store_true", help="Also print where the time goes (cProfile).")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="eshikaku-bench-"))
    root = (args.keep or work / "questions").resolve()
    try:
        if root.exists():
            shutil.rmtree(root)
        by_type = generate(root, args.questions)
        size = sum(p.stat().st_size for p in root.rglob("*.yaml"))
        print(f"bank: {args.questions} questions in {root} ({size / 1e6:.1f} MB of YAML)")
        print("types: " + ", ".join(f"{t} {n}" for t, n in sorted(by_type.items())))
        print(f"python {sys.version.split()[0]}; median of {args.runs} runs, each in a fresh process\n")

        import_times = []

        def cold():
            result = timed(root, work / "unused-cache", use_cache=False)
            import_times.append(result[0])
            return result

        counter = iter(range(10**6))

        def first_with_empty_cache():
            return timed(root, work / f"empty-cache-{next(counter)}", use_cache=True)

        warm_cache = work / "warm-cache"
        timed(root, warm_cache, use_cache=True)  # writes the cache

        rows = [
            ("cold, use_cache=False", median_of(args.runs, cold)),
            ("cold, empty cache dir (writes it)", median_of(args.runs, first_with_empty_cache)),
            ("warm, cache present", median_of(args.runs, lambda: timed(root, warm_cache, use_cache=True))),
            ("warm, second call in one process", median_of(args.runs, lambda: timed(root, warm_cache, use_cache=True, twice=True))),
        ]
        for label, (median, values, n) in rows:
            spread = ", ".join(f"{v:.3f}" for v in values)
            print(f"{label:36} {median:7.3f} s   ({n} questions; runs: {spread})")
        print(f"{'import grader.bank.loader':36} {statistics.median(import_times):7.3f} s   (not included above)")
        warm = rows[2][1][0]
        verdict = "met" if warm < TARGET_WARM else "NOT met"
        print(f"\ntarget: warm load well under {TARGET_WARM} s: {verdict} ({warm:.3f} s)")
        if args.profile:
            print("\n--- profile: cold, use_cache=False")
            profile(root, work / "unused-cache", use_cache=False)
            print("\n--- profile: warm")
            profile(root, warm_cache, use_cache=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
