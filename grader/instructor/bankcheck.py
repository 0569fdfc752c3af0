"""The validation gate behind ``eshikaku validate``: schema, ids, references and content rules, then the proofs
(answers typed by learners in :mod:`grader.instructor.proofs_answers`, code by execution in
:mod:`grader.instructor.proofs_code`) and, with ``--strict``, the bank-wide checks of
:mod:`grader.instructor.bankwide`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.bank.loader import (
    BUILTIN_BANK,
    Bank,
    BankError,
    add_private_references,
    bank_root_of,
    load_bank,
    load_file,
    reference_roots_for,
)
from grader.bank.schema import CodeBase, CodeFunctionQuestion, Question
from grader.bank.syllabus import folder_mismatch, tag_problems
from grader.instructor.bankwide import strict_errors
from grader.instructor.findings import Findings, Proof
from grader.instructor.proofs_code import SEEDS

__all__ = ["Proof", "Report", "check", "load_targets", "strict_errors"]


@dataclass
class Report:
    checked: int = 0
    errors: list[BankError] = field(default_factory=list)
    proofs: list[Proof] = field(default_factory=list)
    cue_lines: list[str] = field(default_factory=list)  # --strict: each test-taking cue's hit rate against chance

    @property
    def caught(self) -> int:
        """How many wrong answers, wrong choices, misconceptions and templates were proved wrong."""
        return sum(p.outcome.startswith(("fails", "graded wrong", "not equal")) for p in self.proofs)

    def as_json(self) -> dict[str, object]:
        return {
            "ok": not self.errors,
            "questions": self.checked,
            "errors": [e.__dict__ | {"path": str(e.path)} for e in self.errors],
            "proofs": [p.__dict__ for p in self.proofs],
            "cues": self.cue_lines,
        }


# How the bank was made (the seed documents it started from) is provenance for `source`, never for learners.
_PROVENANCE = re.compile(r"seed ?_?\d{3}|seed ?の|seed資料|の seed\b", re.IGNORECASE)


def learner_texts(question: Question) -> list[tuple[tuple[str | int, ...], str]]:
    """Every text of a question that a learner can see, with its location in the file."""
    out: list[tuple[tuple[str | int, ...], str]] = [(("title",), question.title), (("prompt",), question.prompt),
                                                   (("explanation",), question.explanation)]  # fmt: skip
    out += [(("hints", i), h) for i, h in enumerate(question.hints)]
    for i, c in enumerate(getattr(question, "choices", [])):
        out += [(("choices", i, "text"), c.text), (("choices", i, "why"), c.why)]
        out += [(("choices", i, "parts", k), v) for k, v in c.parts.items()]
    for bi, blank in enumerate(getattr(question, "blanks", [])):
        out += [(("blanks", bi, "choices", ci, "why"), c.why) for ci, c in enumerate(blank.choices)]
    out += [(("wrong_answers", i, "says"), w.says) for i, w in enumerate(getattr(question, "wrong_answers", []))]
    for pi, part in enumerate(getattr(question, "parts", [])):
        out.append((("parts", pi, "label"), part.label))
        out += [(("parts", pi, "wrong_answers", i, "says"), w.says) for i, w in enumerate(part.wrong_answers)]
    out += [(("misconceptions", i, "says"), m.says) for i, m in enumerate(getattr(question, "misconceptions", []))]
    for i, case in enumerate(getattr(question, "cases", [])):
        out.append((("cases", i, "name"), case.name))
        out += [(("cases", i, "diagnosis", kind), text) for kind, text in case.diagnosis.items()]
    if isinstance(question, CodeFunctionQuestion):
        out.append((("solution_note",), question.solution_note))
    return out


def _content_errors(out: Findings, qid: str, question: Question) -> None:
    if not question.hints:
        out.error(qid, ("hints",), "no hint: add at least one `hints:` entry (a nudge the learner can ask for)")
    misplaced = folder_mismatch(out.bank.paths[qid].parent.name, question.topic)
    if misplaced:
        out.error(qid, ("topic",), misplaced)
    for loc, text in learner_texts(question):
        if match := _PROVENANCE.search(text):
            out.error(qid, loc, f"mentions `{match.group(0)}`, a document the learner never saw: say what the point is, and keep where it came "
                      "from in `source`")
    for name, index, message in tag_problems(question.topic, question.syllabus, question.keywords):
        out.error(qid, (name,) if index is None else (name, index), message)


def _parameter_errors(out: Findings, qid: str, question: Question) -> None:
    from grader.bank.params import ParameterError, attempt

    for seed in SEEDS:
        try:
            first, again = attempt(question, seed), attempt(question, seed)
        except (ParameterError, ArithmeticError, TypeError, ValueError) as exc:
            out.error(qid, ("parameters",), f"seed {seed}: {exc}")
            return
        if (first.values, first.answer, first.prompt) != (again.values, again.answer, again.prompt):
            out.error(qid, ("parameters",), f"seed {seed} does not reproduce the same numbers and answer")


def _is_topic_folder(folder: Path) -> bool:
    """A folder of question files (one topic of a bank), not a bank of topic folders."""
    return any(p.name != "exam_forms.yaml" for p in folder.glob("*.yaml"))


def _known_ids(paths: list[Path], bank: Bank) -> set[str]:
    """Ids a `related` may name: the questions checked and every question of the banks they belong to."""
    roots = {bank_root_of(p) if p.is_file() else p.resolve().parent for p in paths if p.is_file() or _is_topic_folder(p)}
    known = set(bank.questions)
    if roots:
        known |= set(load_bank(sorted(roots)).questions)
    return known


def load_targets(paths: list[Path]) -> tuple[Bank, bool]:
    """The questions of the folders and single files given, and whether they are whole banks (folders of
    topic folders: the bank-wide statistics are about a whole bank, not one topic or file)."""
    folders = [p for p in paths if p.is_dir()]
    bank = load_bank(folders, use_cache=False) if folders else Bank()
    for path in (p for p in paths if p.is_file()):
        root = bank_root_of(path)
        if root.resolve() != BUILTIN_BANK:
            add_private_references(root)
        result = load_file(path.resolve(), reference_roots_for(root.resolve()))
        bank.errors.extend(result.errors)
        if result.question is not None:
            bank.questions[result.question.id] = result.question
            bank.paths[result.question.id] = path.resolve()
    return bank, bool(folders) and not any(p.is_file() or _is_topic_folder(p) for p in paths)


def check(paths: list[Path], *, execute: bool = True, strict: bool = False, only: set[str] | None = None,
          jobs: int | None = None) -> Report:
    """Checks question folders and single files (``only``: just these ids of them); never raises for bad content.

    ``jobs``: processes that check questions at once (default: one per core when the bank is large
    enough to be worth it; :mod:`grader.instructor.fanout`). The report is the same for any number.
    """
    from grader.grading.trusted import TrustedTimeout, time_limit
    from grader.instructor.fanout import map_in_workers, worker_count
    from grader.instructor.proofs_answers import answer_checks
    from grader.instructor.proofs_code import code_checks

    bank, whole = load_targets(paths)
    if only is not None:
        bank.questions = {q: v for q, v in bank.questions.items() if q in only}
    out = Findings(bank, errors=list(bank.errors))

    def check_one(qid: str) -> tuple[list[BankError], list[Proof]]:
        question = bank.questions[qid]
        found = Findings(bank)
        _content_errors(found, qid, question)
        try:
            with time_limit(f"computing the answers of {qid} (its reference, formulas and parameter draws)"):
                if question.parameters is not None:
                    _parameter_errors(found, qid, question)
                answer_checks(found, question)
        except TrustedTimeout as exc:
            found.error(qid, ("answer",) if hasattr(question, "answer") else ("parameters",), str(exc))
        if execute and isinstance(question, CodeBase):
            code_checks(found, question)
        return found.errors, found.proofs

    ids = list(bank.questions)
    workers = jobs if jobs is not None else worker_count(len(ids)) if execute else 1
    for errors, proofs in map_in_workers(check_one, ids, workers):
        out.errors += errors
        out.proofs += proofs
    report = Report(proofs=out.proofs)
    if strict:
        from grader.instructor.itemcues import bank_rates, rate_lines
        from grader.learner.exam_forms import form_problems

        out.errors += strict_errors(bank, whole=whole and only is None)
        if whole and only is None:
            for root in (p for p in paths if p.is_dir()):
                out.errors += [BankError(root / "exam_forms.yaml", 1, 1, "forms", problem) for problem in form_problems(bank, root)]
            report.cue_lines = rate_lines(bank_rates(bank.questions.values()))
    known = _known_ids(paths, bank) if only is None else set()
    for qid, question in bank.questions.items() if only is None else ():
        unknown = [r for r in question.related if r not in known]
        if unknown:
            out.error(qid, ("related",), f"`related` names unknown id(s) {unknown}")
    report.errors = sorted(out.errors, key=lambda e: (str(e.path), e.line, e.col))
    report.checked = len(bank.questions) + len(bank.broken_files)
    return report
