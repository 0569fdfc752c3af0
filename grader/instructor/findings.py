"""What validate found: problems located at their file, line and column, and the proofs by execution."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from grader.bank.loader import Bank, BankError, dotted, locate
from grader.bank.positions import Loc


@dataclass
class Proof:
    """What one check by execution showed, for the report (e.g. which case catches a distractor)."""

    question: str
    subject: str  # "reference", "solution", "template", "(え) 1", "wrong answer 2"
    outcome: str  # "passes", "fails <case>: <message>", "graded wrong at …"


@dataclass
class Findings:
    """The problems and proofs of one validate run; every problem is placed at its key in the question file."""

    bank: Bank
    errors: list[BankError] = field(default_factory=list)
    proofs: list[Proof] = field(default_factory=list)

    def error(self, qid: str, loc: Loc, message: str) -> None:
        path = self.bank.paths[qid]
        line, col = locate(path, loc)
        self.errors.append(BankError(path, line, col, dotted(loc), message))

    def proved(self, qid: str, subject: str, outcome: str) -> None:
        self.proofs.append(Proof(qid, subject, outcome))


def values_text(values: dict[str, Any], names: Any = None) -> str:
    """``B=1, C=3``: the parameter values a finding depends on (the drawn ones, not the derived ones)."""
    shown = {k: v for k, v in values.items() if names is None or k in names}
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items())
