"""validate's proofs for code questions, by execution: the reference passes its own cases (and returns the
results the author worked out by hand, where a case pins them with `expect`), the model solution or the
right blanks pass, and the untouched template, every misconception and every wrong blank choice fail a
named case."""

from __future__ import annotations

import ast
from typing import Any

from grader.bank.loader import BankError, locate
from grader.bank.positions import Loc
from grader.bank.schema import CodeBase, CodeBlankQuestion, CodeFunctionQuestion, Compare
from grader.instructor.findings import Findings

SEEDS = (1, 2, 3)


def first_failure(result: Any) -> str:
    if result.status != "graded":
        return f"{result.status}: {result.message}"
    case = next(c for c in result.cases if not c.passed)
    return f"{case.name}: {case.message}"


def _as_reference(expected: Any, like: Any) -> Any:
    """The author's written-out value in the containers the reference returns (a YAML list for a tuple)."""
    if isinstance(expected, list) and isinstance(like, (list, tuple)):
        items = [_as_reference(e, like[i] if i < len(like) else None) for i, e in enumerate(expected)]
        return tuple(items) if isinstance(like, tuple) else items
    if isinstance(expected, dict) and isinstance(like, dict):
        return {k: _as_reference(v, like.get(k)) for k, v in expected.items()}
    return expected


def _pinned(instance: Any, got: dict[str, Any]) -> tuple[Loc, str] | None:
    """Where a pinned expectation of this case disagrees with what the reference returned, and how."""
    import numpy as np

    from grader.bank.cases import build_value
    from grader.grading.compare import compare

    spec = instance.spec
    rule = Compare(rtol=instance.compare.rtol, atol=instance.compare.atol, dtype="any")
    outputs = got.get("outputs", [])
    pins: list[tuple[Loc, Any, int]]
    if spec.steps:
        checked = [(i, s) for i, s in enumerate(spec.steps) if s.check]
        pins = [(("steps", i, "expect"), s.expect, n) for n, (i, s) in enumerate(checked) if s.pinned]
    else:
        pins = [(("expect",), spec.expect, 0)]
    rng = np.random.default_rng(0)
    for loc, written, index in pins:
        expected = build_value(written, {}, {}, rng)
        returned = outputs[index] if index < len(outputs) else None
        problem = compare(_as_reference(expected, returned), returned, rule, "the result")
        if problem:
            return loc, f"the reference returns {_short(returned)}, but `expect` says {_short(expected)} ({problem}): fix the reference or the value"
    return None


def _short(value: Any) -> str:
    import numpy as np

    text = np.array2string(value, precision=6, threshold=12) if isinstance(value, np.ndarray) else repr(value)
    return " ".join(text.split())[:120]


def _reference_passes(question: CodeBase) -> tuple[Loc, str] | None:
    """Runs the trusted reference in-process on its own cases: mutation rules, property checkers and pinned
    expectations must hold. Returns where and why it fails."""
    from grader.bank.cases import build_cases
    from grader.grading.codegrade import judge_case, reference_namespace
    from grader.grading.trusted import time_limit
    from grader.sandbox.harness import pack, run_case, unpack

    namespace = reference_namespace(question)
    index = {c.name: i for i, c in enumerate(question.cases)}
    for seed in SEEDS:
        for instance in build_cases(question, seed):
            with time_limit(f"the reference on case {instance.label} (seed {seed})"):
                got = unpack(pack(run_case(instance.program, namespace)))
                problem = judge_case(instance, got, None if instance.spec.property else got)  # a property checker runs here too
            if problem:
                return ("reference",), f"the reference fails its own cases (seed {seed}, case {instance.label}: {problem}): fix the reference or the case"
            pinned = _pinned(instance, got) if instance.spec.pinned and got.get("status") == "ok" else None
            if pinned:
                loc, message = pinned
                return ("cases", index[instance.spec.name], *loc), f"case {instance.label}: {message}"
    return None


def _broken_template(question: CodeFunctionQuestion, result: Any) -> str | None:
    """Why starter code cannot count as "proved wrong": it must load, define the entry, and fail on values."""
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


def _prelude_error(out: Findings, question: CodeBase, exc: Any) -> None:
    path = out.bank.paths[question.id]
    line, col = locate(path, ("prelude",))
    block = path.read_text(encoding="utf-8").splitlines()[line - 1][col - 1 :].startswith(("|", ">"))
    out.errors.append(BankError(path, line + exc.lineno if block else line, col, "prelude", f"{exc}: fix the prelude"))


def code_checks(out: Findings, question: CodeBase) -> None:
    """Every proof by execution of one code question."""
    from grader.grading.trusted import PreludeError, TrustedTimeout

    qid = question.id
    try:
        failing = _reference_passes(question)
    except PreludeError as exc:
        _prelude_error(out, question, exc)
        return
    except TrustedTimeout as exc:
        out.error(qid, ("reference",), str(exc))
        return
    except Exception as exc:  # the reference raising is the bank's problem, reported, never a traceback
        failing = ("reference",), f"the reference fails its own cases ({type(exc).__name__}: {exc}): fix the reference or the case"
    if failing:
        out.error(qid, *failing)
        return
    out.proved(qid, "reference", "passes" + (", and returns every pinned `expect`" if any(c.pinned for c in question.cases) else ""))
    if _solution_passes(out, question):
        _wrong_code_fails(out, question)


def _solution_passes(out: Findings, question: CodeBase) -> bool:
    from grader.grading.codegrade import grade_code
    from grader.grading.source import solution_source

    solution = solution_source(question)
    if solution is None:
        return True
    for seed in SEEDS:
        result = grade_code(question, solution, seed)
        if not result.passed:
            where = ("blanks",) if isinstance(question, CodeBlankQuestion) else ("solution",)
            what = "the template with the right answers" if isinstance(question, CodeBlankQuestion) else "the model solution"
            out.error(question.id, where, f"{what} fails (seed {seed}, {first_failure(result)}): fix it or the case")
            return False
    out.proved(question.id, "solution", "passes")
    return True


def _wrong_code_fails(out: Findings, question: CodeBase) -> None:
    from grader.grading.codegrade import grade_code
    from grader.grading.diagnose import misconception_source
    from grader.grading.source import fill_blanks

    qid = question.id
    template = grade_code(question, question.template, SEEDS[0])
    broken = _broken_template(question, template) if isinstance(question, CodeFunctionQuestion) else None
    if broken:
        out.error(qid, ("template",), broken)
    elif template.passed:
        out.error(qid, ("template",), "the untouched template passes every case: add a case it fails")
    else:
        out.proved(qid, "template", f"fails {first_failure(template)}")
    for mi, wrong in enumerate(question.misconceptions):
        if isinstance(question, CodeBlankQuestion) and (unknown := sorted(set(wrong.blanks) - {b.name for b in question.blanks})):
            out.error(qid, ("misconceptions", mi, "blanks"), f"names unknown blank(s) {unknown}")
            continue
        source = misconception_source(question, mi)  # the first seed that catches it is proof enough
        failing = next((r for r in (grade_code(question, source, seed) for seed in SEEDS) if not r.passed), None)
        if failing is None:
            out.error(qid, ("misconceptions", mi), f"misconception `{wrong.name}` passes every case: add a case it fails, or remove it")
        else:
            out.proved(qid, f"misconception {wrong.name}", f"fails {first_failure(failing)}")
    if not isinstance(question, CodeBlankQuestion):
        return
    right = {b.name: b.right_code for b in question.blanks}
    for bi, blank in enumerate(question.blanks):
        for ci, choice in enumerate(blank.choices):
            if choice.key == blank.answer:
                continue
            result = grade_code(question, fill_blanks(question, right | {blank.name: choice.text}), SEEDS[0])
            subject = f"({blank.name}) {choice.key}"
            if result.passed:
                out.error(qid, ("blanks", bi, "choices", ci), f"distractor {subject} `{choice.text}` passes every case: add a case that catches it, "
                          "or fix the answer")
            else:
                out.proved(qid, subject, f"fails {first_failure(result)}")
