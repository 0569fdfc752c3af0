"""The validation gate behind ``eshikaku validate``: schema, ids, references, content rules, and proof by
execution (the reference passes, every distractor and the untouched template fail a named case,
parameterised answers reproduce from their seeds)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.loader import (
    BUILTIN_BANK,
    Bank,
    BankError,
    add_private_references,
    bank_root_of,
    load_bank,
    load_file,
    locate,
    reference_roots_for,
)
from grader.bank.schema import (
    ChoiceQuestion,
    CodeBase,
    CodeBlankQuestion,
    CodeFunctionQuestion,
    ExpressionQuestion,
    NumericQuestion,
    Question,
    ShapeQuestion,
)
from grader.bank.syllabus import folder_mismatch, tag_problems

SEEDS = (1, 2, 3)
WRONG_ANSWER_SEEDS = range(1, 41)  # parameter draws tried when proving a wrong answer is never right


@dataclass
class Proof:
    """What one execution check showed, for the report (e.g. which case catches a distractor)."""

    question: str
    subject: str  # "reference", "solution", "template", "(え) 1"
    outcome: str  # "passes" or "fails <case>: <message>"


@dataclass
class Report:
    checked: int = 0
    errors: list[BankError] = field(default_factory=list)
    proofs: list[Proof] = field(default_factory=list)
    cue_lines: list[str] = field(default_factory=list)  # --strict: each test-taking cue's hit rate against chance


def _error(bank: Bank, qid: str, loc: tuple[str | int, ...], message: str) -> BankError:
    path = bank.paths[qid]
    line, col = locate(path, loc)
    from grader.bank.loader import dotted

    return BankError(path, line, col, dotted(loc), message)


# How the bank was made (the seed documents it started from) is provenance for `source`, never for learners.
_PROVENANCE = re.compile(r"seed ?_?\d{3}|seed ?の|seed資料|の seed\b", re.IGNORECASE)


def learner_texts(question: Question) -> list[tuple[tuple[str | int, ...], str]]:
    """Every text of a question that a learner can see, with its location in the file."""
    out: list[tuple[tuple[str | int, ...], str]] = [(("title",), question.title), (("prompt",), question.prompt),
                                                   (("explanation",), question.explanation)]
    out += [(("hints", i), h) for i, h in enumerate(question.hints)]
    for i, c in enumerate(getattr(question, "choices", [])):
        out += [(("choices", i, "text"), c.text), (("choices", i, "why"), c.why)]
        out += [(("choices", i, "parts", k), v) for k, v in c.parts.items()]
    for bi, blank in enumerate(getattr(question, "blanks", [])):
        out += [(("blanks", bi, "choices", ci, "why"), c.why) for ci, c in enumerate(blank.choices)]
    out += [(("wrong_answers", i, "says"), w.says) for i, w in enumerate(getattr(question, "wrong_answers", []))]
    out += [(("misconceptions", i, "says"), m.says) for i, m in enumerate(getattr(question, "misconceptions", []))]
    for i, case in enumerate(getattr(question, "cases", [])):
        out.append((("cases", i, "name"), case.name))
        out += [(("cases", i, "diagnosis", kind), text) for kind, text in case.diagnosis.items()]
    if isinstance(question, CodeFunctionQuestion):
        out.append((("solution_note",), question.solution_note))
    return out


def _content_errors(bank: Bank) -> list[BankError]:
    errors = []
    for qid, question in bank.questions.items():
        if not question.hints:
            errors.append(_error(bank, qid, ("hints",), "no hint: add at least one `hints:` entry (a nudge the learner can ask for)"))
        misplaced = folder_mismatch(bank.paths[qid].parent.name, question.topic)
        if misplaced:
            errors.append(_error(bank, qid, ("topic",), misplaced))
        for loc, text in learner_texts(question):
            if match := _PROVENANCE.search(text):
                errors.append(_error(bank, qid, loc, f"mentions `{match.group(0)}`, a document the learner never saw: "
                                     "say what the point is, and keep where it came from in `source`"))
        for name, index, message in tag_problems(question.topic, question.syllabus, question.keywords):
            errors.append(_error(bank, qid, (name,) if index is None else (name, index), message))
    return errors


def _wrong_answer_errors(bank: Bank, qid: str, question: NumericQuestion | ShapeQuestion | ExpressionQuestion, report: Report) -> None:
    """Every listed wrong answer is graded wrong at every seed tried (so a tolerance or a parameter
    value can never make it right), and is told apart from the other wrong answers."""
    from grader.bank.params import ParameterError, attempt
    from grader.grading.answers import grade

    seeds = WRONG_ANSWER_SEEDS if question.parameters is not None else SEEDS[:1]
    for wi in range(len(question.wrong_answers)):
        for seed in seeds:
            try:
                now = attempt(question, seed)
            except (ParameterError, ArithmeticError, TypeError, ValueError) as exc:
                report.errors.append(_error(bank, qid, ("wrong_answers", wi), f"seed {seed}: {exc}"))
                return
            value = now.wrong[wi][0]
            shown = " x ".join(str(v) for v in value) if isinstance(value, list) else str(value)
            if grade(now, shown).correct:
                values = ", ".join(f"{k}={v}" for k, v in now.values.items())
                at = f" for {values}" if values else ""
                report.errors.append(_error(bank, qid, ("wrong_answers", wi), f"wrong answer {shown} is graded right{at}: "
                                            "narrow the parameter ranges (`where:`), tighten the tolerance, or drop this wrong answer"))
                break
        else:
            report.proofs.append(Proof(qid, f"wrong answer {wi + 1}", "graded wrong at every seed tried"))


def _parameter_errors(bank: Bank, qid: str, question: Question) -> list[BankError]:
    from grader.bank.params import ParameterError, attempt

    errors = []
    for seed in SEEDS:
        try:
            first, again = attempt(question, seed), attempt(question, seed)
        except (ParameterError, ArithmeticError, TypeError, ValueError) as exc:
            return [_error(bank, qid, ("parameters",), f"seed {seed}: {exc}")]
        if (first.values, first.answer, first.prompt) != (again.values, again.answer, again.prompt):
            errors.append(_error(bank, qid, ("parameters",), f"seed {seed} does not reproduce the same numbers and answer"))
    return errors


def _first_failure(result: Any) -> str:
    if result.status != "graded":
        return f"{result.status}: {result.message}"
    case = next(c for c in result.cases if not c.passed)
    return f"{case.name}: {case.message}"


def _reference_passes(question: CodeBase) -> str | None:
    """Runs the trusted reference in-process on its own cases: mutation rules and property checkers must hold."""
    from grader.bank.cases import build_cases
    from grader.grading.codegrade import judge_case, reference_namespace
    from grader.grading.trusted import time_limit
    from grader.sandbox.harness import pack, run_case, unpack

    namespace = reference_namespace(question)
    for seed in SEEDS:
        for instance in build_cases(question, seed):
            with time_limit(f"the reference on case {instance.label} (seed {seed})"):
                got = unpack(pack(run_case(instance.program, namespace)))
            expected = None if instance.spec.property else got
            problem = judge_case(instance, got, expected)
            if problem:
                return f"seed {seed}, case {instance.label}: {problem}"
    return None


def _broken_template(question: CodeFunctionQuestion, result: Any) -> str | None:
    """Why starter code cannot count as "proved wrong": it must load, define the entry, and fail on values."""
    import ast

    try:
        tree = ast.parse(question.template)
    except SyntaxError as exc:
        return f"the template does not compile (SyntaxError: {exc.msg}, line {exc.lineno} of the template): starter code must load"
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    if question.entry not in defined:
        return f"the template does not define `{question.entry}` (it defines {', '.join(sorted(defined)) or 'nothing'}): name it as `entry` says"
    if result.status != "graded":
        return f"the untouched template never reaches the cases ({result.message}): starter code must load and fail a case on its values"
    return None


def _code_checks(bank: Bank, qid: str, question: CodeBase, report: Report) -> None:
    from grader.grading.codegrade import grade_code
    from grader.grading.source import fill_blanks, solution_source
    from grader.grading.trusted import PreludeError, TrustedTimeout

    try:
        problem = _reference_passes(question)
    except PreludeError as exc:
        line, col = locate(bank.paths[qid], ("prelude",))
        block = bank.paths[qid].read_text(encoding="utf-8").splitlines()[line - 1][col - 1 :].startswith(("|", ">"))
        report.errors.append(BankError(bank.paths[qid], line + exc.lineno if block else line, col, "prelude", f"{exc}: fix the prelude"))
        return
    except TrustedTimeout as exc:
        report.errors.append(_error(bank, qid, ("reference",), str(exc)))
        return
    except Exception as exc:  # the reference raising is the bank's problem, reported, never a traceback
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        report.errors.append(_error(bank, qid, ("reference",), f"the reference fails its own cases ({problem}): fix the reference or the case"))
        return
    report.proofs.append(Proof(qid, "reference", "passes"))
    solution = solution_source(question)
    if solution is not None:
        for seed in SEEDS:
            result = grade_code(question, solution, seed)
            if not result.passed:
                where = ("blanks",) if isinstance(question, CodeBlankQuestion) else ("solution",)
                what = "the template with the right answers" if isinstance(question, CodeBlankQuestion) else "the model solution"
                report.errors.append(_error(bank, qid, where, f"{what} fails (seed {seed}, {_first_failure(result)}): fix it or the case"))
                return
        report.proofs.append(Proof(qid, "solution", "passes"))
    template = grade_code(question, question.template, SEEDS[0])
    broken = _broken_template(question, template) if isinstance(question, CodeFunctionQuestion) else None
    if broken:
        report.errors.append(_error(bank, qid, ("template",), broken))
    elif template.passed:
        report.errors.append(_error(bank, qid, ("template",), "the untouched template passes every case: add a case it fails"))
    else:
        report.proofs.append(Proof(qid, "template", f"fails {_first_failure(template)}"))
    for mi, wrong in enumerate(question.misconceptions):
        if isinstance(question, CodeBlankQuestion) and (unknown := sorted(set(wrong.blanks) - {b.name for b in question.blanks})):
            report.errors.append(_error(bank, qid, ("misconceptions", mi, "blanks"), f"names unknown blank(s) {unknown}"))
            continue
        from grader.grading.diagnose import misconception_source

        source = misconception_source(question, mi)
        results = [grade_code(question, source, seed) for seed in SEEDS]
        if all(r.passed for r in results):
            report.errors.append(_error(bank, qid, ("misconceptions", mi), f"misconception `{wrong.name}` passes every case: add a case it fails, or "
                "remove it"))
        else:
            failing = next(r for r in results if not r.passed)
            report.proofs.append(Proof(qid, f"misconception {wrong.name}", f"fails {_first_failure(failing)}"))
    if isinstance(question, CodeBlankQuestion):
        right = {b.name: b.right_code for b in question.blanks}
        for bi, blank in enumerate(question.blanks):
            for ci, choice in enumerate(blank.choices):
                if choice.key == blank.answer:
                    continue
                source = fill_blanks(question, right | {blank.name: choice.text})
                result = grade_code(question, source, SEEDS[0])
                subject = f"({blank.name}) {choice.key}"
                if result.passed:
                    report.errors.append(_error(bank, qid, ("blanks", bi, "choices", ci), f"distractor {subject} `{choice.text}` passes every case: "
                        "add a case that catches it, or fix the answer"))
                else:
                    report.proofs.append(Proof(qid, subject, f"fails {_first_failure(result)}"))


def check(paths: list[Path], *, execute: bool = True, strict: bool = False) -> Report:
    """Checks question folders and single files; never raises for bad content."""
    folders = [p for p in paths if p.is_dir()]
    files = [p for p in paths if p.is_file()]
    bank = load_bank(folders, use_cache=False) if folders else Bank()
    for path in files:
        root = bank_root_of(path)
        if root.resolve() != BUILTIN_BANK:
            add_private_references(root)
        result = load_file(path.resolve(), reference_roots_for(root.resolve()))
        bank.errors.extend(result.errors)
        if result.question is not None:
            bank.questions[result.question.id] = result.question
            bank.paths[result.question.id] = path.resolve()
    report = Report(errors=bank.errors + _content_errors(bank))
    for qid, question in bank.questions.items():
        if question.parameters is not None:
            report.errors += _parameter_errors(bank, qid, question)
        if isinstance(question, (NumericQuestion, ShapeQuestion, ExpressionQuestion)) and question.wrong_answers:
            _wrong_answer_errors(bank, qid, question, report)
        if execute and isinstance(question, CodeBase):
            _code_checks(bank, qid, question, report)
    if strict:
        from grader.instructor.itemcues import bank_rates, rate_lines

        report.errors += strict_errors(bank)
        from grader.learner.exam_forms import form_problems

        for root in folders:
            report.errors += [BankError(root / "exam_forms.yaml", 1, 1, "forms", problem) for problem in form_problems(bank, root)]
        report.cue_lines = rate_lines(bank_rates(bank.questions.values()))
    for qid, question in bank.questions.items() if folders else ():  # a lone file cannot see its relatives
        unknown = [r for r in question.related if r not in bank.questions]
        if unknown:
            report.errors.append(_error(bank, qid, ("related",), f"`related` names unknown id(s) {unknown}"))
    report.errors.sort(key=lambda e: (str(e.path), e.line, e.col))
    report.checked = len(bank.questions) + len(bank.broken_files)
    return report


# --------------------------------------------------------------------------- --strict: bank-wide checks

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


def strict_errors(bank: Bank) -> list[BankError]:
    """Position bias of right choice keys, cues that give a key away by its form (per item, and bank-wide
    above chance), code_function questions with no exam-style sibling, and prompts that name a blank
    their template lacks."""
    from grader.instructor.itemcues import bank_rates, item_findings, rates_above_chance

    errors: list[BankError] = []
    for finding in item_findings(bank.questions.values()):
        errors.append(_error(bank, finding.question, finding.loc, f"cue {finding.cue}: {finding.message}"))
    root = bank.roots[0] if bank.roots else Path(".")
    for rate in rates_above_chance(bank_rates(bank.questions.values())):
        errors.append(BankError(root, 1, 1, "cues", f"the {rate.cue} strategy picks the key in {rate.rate:.0%} of {rate.items} items, "
                                f"{rate.excess * 100:.1f} points above chance ({rate.chance_rate:.0%}): fix the items flagged `cue {rate.cue}`"))
    positions: Counter[int] = Counter()
    for question in bank.questions.values():
        if isinstance(question, ChoiceQuestion) and len(question.answer) == 1 and len(question.choices) == 4:
            positions[[c.key for c in question.choices].index(question.answer[0])] += 1
    total = sum(positions.values())
    if total >= 8 and max(positions.values()) > 0.4 * total:
        worst = max(positions, key=lambda p: positions[p])
        share = ", ".join(f"{p + 1}: {positions[p]}" for p in sorted(positions))
        errors.append(BankError(bank.roots[0] if bank.roots else Path("."), 1, 1, "answer", f"right answers sit at choice position {worst + 1} in "
            f"{positions[worst]} of {total} four-choice questions ({share}); move some answers"))
    for qid, question in bank.questions.items():
        if isinstance(question, CodeFunctionQuestion) and not _siblings(bank, qid):
            errors.append(_error(bank, qid, ("related",), "no exam-style sibling: add a choice, code_blank or numeric question on the same idea and "
                "list its id in `related`"))
        if isinstance(question, CodeBlankQuestion):
            tokens = {b.token for b in question.blanks} | {b.name for b in question.blanks}
            for match in _BLANK_MARK.finditer(question.prompt):
                mark = match.group(0)
                name = match.group(1) or mark
                if mark not in tokens and name not in tokens and mark not in question.template:
                    errors.append(_error(bank, qid, ("prompt",), f"the prompt mentions blank {mark}, which the template does not have"))
    return errors
