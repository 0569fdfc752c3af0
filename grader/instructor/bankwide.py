"""validate --strict's checks of the bank as a whole: the test-taking cues of choice items (per item and as
bank-wide rates against chance), the position of the keys, code_function questions without an exam-style
sibling, and prompts that name a blank their template lacks."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from grader.bank.loader import Bank, BankError
from grader.bank.schema import ChoiceQuestion, CodeBlankQuestion, CodeFunctionQuestion
from grader.instructor.findings import Findings

_BLANK_MARK = re.compile(r"[（(]([あ-ん])[)）]|[■▲●◆★]")


def _siblings(bank: Bank, qid: str) -> list[str]:
    """Exam-style questions linked to ``qid`` by `related` (either way) or by sharing its reference."""
    question = bank.questions[qid]
    out = []
    for other_id, other in bank.questions.items():
        if other_id == qid or not other.exam_style:
            continue
        linked = other_id in question.related or qid in other.related
        same_reference = getattr(other, "reference", None) == getattr(question, "reference", "")
        if linked or same_reference:
            out.append(other_id)
    return out


def strict_errors(bank: Bank, *, whole: bool = True) -> list[BankError]:
    """Cues that give a key away by its form (per item), code_function questions with no exam-style
    sibling, prompts that name a blank their template lacks and, for a whole bank (``whole``), the
    position bias of right choice keys and the cue rates away from chance."""
    from grader.instructor.itemcues import away_from_chance_message, bank_rates, item_findings, rates_away_from_chance

    out = Findings(bank)
    for finding in item_findings(bank.questions.values()):
        out.error(finding.question, finding.loc, f"cue {finding.cue}: {finding.message}")
    errors = out.errors
    root = bank.roots[0] if bank.roots else Path(".")
    for rate in rates_away_from_chance(bank_rates(bank.questions.values())) if whole else ():
        errors.append(BankError(root, 1, 1, "cues", away_from_chance_message(rate)))
    positions: Counter[int] = Counter()
    for question in bank.questions.values():
        if isinstance(question, ChoiceQuestion) and len(question.answer) == 1 and len(question.choices) == 4:
            positions[[c.key for c in question.choices].index(question.answer[0])] += 1
    total = sum(positions.values())
    if whole and total >= 8 and max(positions.values()) > 0.4 * total:
        worst = max(positions, key=lambda p: positions[p])
        share = ", ".join(f"{p + 1}: {positions[p]}" for p in sorted(positions))
        errors.append(BankError(bank.roots[0] if bank.roots else Path("."), 1, 1, "answer", f"right answers sit at choice position {worst + 1} in "
            f"{positions[worst]} of {total} four-choice questions ({share}); move some answers"))
    for qid, question in bank.questions.items():
        if isinstance(question, CodeFunctionQuestion) and not _siblings(bank, qid):
            out.error(qid, ("related",), "no exam-style sibling: add a choice, code_blank or numeric question on the same idea and "
                "list its id in `related`")
        if isinstance(question, CodeBlankQuestion):
            tokens = {b.token for b in question.blanks} | {b.name for b in question.blanks}
            for match in _BLANK_MARK.finditer(question.prompt):
                mark = match.group(0)
                name = match.group(1) or mark
                if mark not in tokens and name not in tokens and mark not in question.template:
                    out.error(qid, ("prompt",), f"the prompt mentions blank {mark}, which the template does not have")
    return errors
