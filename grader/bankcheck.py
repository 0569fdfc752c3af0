"""The validation gate behind ``eshikaku validate``: schema, ids, references and content rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from grader.loader import Bank, BankError, load_bank, load_file


@dataclass
class Report:
    checked: int = 0
    errors: list[BankError] = field(default_factory=list)


def _content_errors(bank: Bank) -> list[BankError]:
    errors = []
    for qid, question in bank.questions.items():
        if not question.hints:
            errors.append(BankError(bank.paths[qid], 1, 1, "hints", "no hint: add at least one `hints:` entry (a nudge the learner can ask for)"))
    return errors


def check(paths: list[Path]) -> Report:
    """Checks question folders and single files; never raises for bad content."""
    folders = [p for p in paths if p.is_dir()]
    files = [p for p in paths if p.is_file()]
    bank = load_bank(folders, use_cache=False) if folders else Bank()
    for path in files:
        result = load_file(path.resolve())
        bank.errors.extend(result.errors)
        if result.question is not None:
            bank.questions[result.question.id] = result.question
            bank.paths[result.question.id] = path.resolve()
    errors = bank.errors + _content_errors(bank)
    errors.sort(key=lambda e: (str(e.path), e.line, e.col))
    return Report(checked=len(bank.questions) + len(bank.broken_files), errors=errors)
