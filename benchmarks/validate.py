"""Prints how long `eshikaku validate` takes on the whole built-in bank (schema, parameters, and every
code question proved by execution), cold (no cache) as CI runs it.

Run: python benchmarks/validate.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.bank.loader import BUILTIN_BANK
from grader.instructor.bankcheck import check

TARGET = 15.0  # seconds for the whole built-in bank (issue 12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        report = check([BUILTIN_BANK])
        times.append(time.perf_counter() - start)
    proofs = sum(p.outcome.startswith("fails") for p in report.proofs)
    print(f"validate: {report.checked} questions, {proofs} wrong answers and templates proved wrong by execution, {len(report.errors)} problem(s)")
    median = statistics.median(times)
    print(f"time: median {median:.2f} s, min {min(times):.2f} s over {args.repeat} runs (target ≤ {TARGET:g} s: {median / TARGET:.2f} of it)")


if __name__ == "__main__":
    main()
