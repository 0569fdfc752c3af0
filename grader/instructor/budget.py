"""The CPU budget of a batch's first run of each submission, derived from what the question's reference costs.

Today's limit (the question's ``time_limit``, 2 s by default) lets a runaway submission hold a core for
the whole limit, which in a class with a few infinite loops costs more than every honest submission
together. A right submission costs a small multiple of the reference's own cost on the same cases, so
the first run of each submission gets ``BUDGET_FACTOR`` × that cost (at least ``MIN_BUDGET``, never more
than the question's limit; a right softmax needs about 10 ms of CPU in its sandbox, its module and
cases together). :class:`grader.instructor.batch_grading.Turns` runs a submission stopped by
the budget after it loaded once more under the question's own limits, so the budget only decides how
soon code that never even loads is stopped; the verdict of everything else is the one those limits give.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from grader.bank.schema import CodeBase

BUDGET_FACTOR = 1000.0  # a right submission may be this many times slower than the reference
MIN_BUDGET = 0.25  # seconds of CPU (the zygote watches budgets finer than RLIMIT_CPU's whole seconds)
PROBE_SEED = 1


def reference_seconds(question: CodeBase) -> float | None:
    """What the trusted reference costs on one draw of the question's cases (None when it cannot be run)."""
    from grader.bank.cases import build_cases
    from grader.grading.codegrade import expected_outputs

    try:
        instances = build_cases(question, PROBE_SEED)
        costs = []
        for _ in range(3):  # the first run also imports the reference module: the fastest run is the cost of the maths
            started = time.process_time()
            expected_outputs(question, instances)
            costs.append(time.process_time() - started)
        return min(costs)
    except Exception:  # a broken reference is the bank's problem: its submissions report it as grader_fault
        return None


def cpu_budget(question: CodeBase) -> float | None:
    """The first run's CPU seconds for ``question``, or None to use the question's own limit."""
    cost = reference_seconds(question)
    if cost is None:
        return None
    budget = max(MIN_BUDGET, BUDGET_FACTOR * cost)
    return budget if budget < question.time_limit else None


def budget_limits(limits: Any, budget: float) -> Any:
    """``limits`` with the CPU budget, and a wall deadline to match (a sleeper holds no CPU, only its slot)."""
    return replace(limits, cpu_seconds=budget, wall_seconds=min(limits.wall_seconds, 2 * budget + 1.0))
