"""The instructor's commands as functions: ``cli.py`` parses the options, calls one of these and renders the
:class:`Outcome` it returns (its lines, or its data as JSON, and its exit status)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.loader import BUILTIN_BANK, PROJECT_ROOT, Bank, display_path, load_bank
from grader.errors import Exit, UsageError
from grader.textsafe import safe_document, safe_text


@dataclass
class Outcome:
    """What a command prints: ``out`` on stdout (or ``data`` as JSON with --json), ``err`` on stderr."""

    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    data: Any = None
    exit: int = Exit.OK


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- validate, coverage, schema, new


def validate(paths: list[Path], *, execute: bool, strict: bool, verbose: bool, jobs: int | None = None) -> Outcome:
    from grader.instructor.bankcheck import check

    report = check(paths, execute=execute, strict=strict, jobs=jobs)
    status = "ok" if not report.errors else f"{len(report.errors)} problem(s)"
    out = [f"  {p.question}: {p.subject} {p.outcome}" for p in report.proofs] if verbose else []
    out += [str(e) for e in report.errors]
    summary = f"{report.checked} question(s) checked, {report.caught} wrong answer(s) proved wrong: {status}"
    return Outcome(out, [*report.cue_lines, summary], report.as_json(), Exit.OK if not report.errors else Exit.WRONG)


def coverage(bank: Bank, *, edition: str | None, topic: str | None, below: bool) -> Outcome:
    from grader.bank import coverage as cov
    from grader.bank.syllabus import CURRENT_EDITION
    from grader.bank.syllabus import edition as load_edition

    try:
        syllabus = load_edition(edition or CURRENT_EDITION)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    rows = cov.coverage(bank, syllabus)
    return Outcome(cov.coverage_lines(rows, syllabus, only_below=below, topic=topic), [cov.summary_line(rows)],
                   {"edition": syllabus.edition, "keywords": [r.as_dict() for r in rows]}, Exit.WRONG if cov.below_floor(rows) else Exit.OK)  # fmt: skip


def schema(output: Path | None) -> Outcome:
    from grader.bank.catalog import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2)
    if output is None:
        return Outcome([text])
    _write(output, text + "\n")
    return Outcome(err=[f"wrote {output}"])


def new(banks: list[Path], bank_paths: list[Path], qtype: str, qid: str, topic: str, module: str | None) -> Outcome:
    """Writes a skeleton into the first ``--bank`` (default: the built-in bank), refusing an id in use."""
    from grader.instructor.authoring import write_new

    if not re.fullmatch(r"[a-z0-9_]+", qid):
        raise UsageError(f"id {qid!r} must use only a-z, 0-9 and _ (it becomes the file name)")
    if qid in load_bank([p for p in bank_paths if p.is_dir()]).questions:
        raise UsageError(f"id {qid!r} is already used in the bank: choose another")
    bank = banks[0] if banks else BUILTIN_BANK
    reference_root = (bank / "reference") if banks else PROJECT_ROOT / "reference"
    written = write_new(bank, qtype, qid, topic, module, reference_root, private=bool(banks))
    hint = f"next: fill the empty fields, then `eshikaku{' --bank ' + str(bank) if banks else ''} validate {display_path(written[0])} -v`"
    return Outcome([f"wrote {display_path(p)}" for p in written], [hint])


# --------------------------------------------------------------------------- grade-batch


def grade_batch(bank: Bank, folder: Path, out: Path, *, answers: Path | None, jobs: int | None, since_changed: bool, questions: str | None,
                regrade: bool = False, allow_weaker_isolation: bool = False, cpu_budget: bool = True, progress: Callable[[int], None] | None = None,
                on_start: Callable[[int], None] | None = None) -> Outcome:  # fmt: skip
    """Grades a class and writes its reports into ``out``: also the rows graded so far when grading stops early."""
    from grader.instructor.batch import grade_batch as grade
    from grader.instructor.batch import load_previous
    from grader.instructor.batch_grading import BUDGET_OUTCOME
    from grader.instructor.batch_reports import write_reports

    if since_changed and regrade:
        raise UsageError("--since-changed and --regrade exclude each other: --since-changed reuses unchanged rows, --regrade grades every row again")
    notes = []
    previous = load_previous(out) if since_changed or regrade else None
    if (since_changed or regrade) and previous is None:
        notes.append(f"note: no earlier report in {out}: grading every submission with new seeds")
    wanted = [q.strip() for q in questions.split(",") if q.strip()] if questions else None
    report = grade(bank, folder, answers=answers, assignment=wanted, jobs=jobs, previous=previous, reuse=not regrade,
                   allow_weaker_isolation=allow_weaker_isolation, cpu_budget=cpu_budget, progress=progress, on_start=on_start)  # fmt: skip
    notes += [f"note: {n}" for n in report.notes]
    write_reports(report, out)
    counts = report.counts()
    students = len({r.student for r in report.rows})
    rate = report.graded / report.seconds if report.seconds > 0 else 0.0
    data = {"out": str(out), "students": students, "rows": len(report.rows), "graded": report.graded, "reused": report.reused, "verdicts": counts,
            "seconds": round(report.seconds, 3), "submissions_per_second": round(rate, 2), "layers": list(report.layers),
            "interrupted": report.interrupted, "not_graded": report.not_graded, "faults": report.faults}  # fmt: skip
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
    reused = f" ({report.reused} unchanged, reused)" if report.reused else ""
    lines = [f"graded {report.graded} submission(s){reused} of {students} student(s) in {report.seconds:.1f} s ({rate:.1f}/s): {summary or 'nothing found'}"]
    notes.append(f"wrote {display_path(out / 'results.csv')}, cases.csv, students.csv, report.json and gradescope/<student>/results.json")
    code = Exit.OK
    if counts["grader_fault"]:
        notes.append(f"note: {counts['grader_fault']} row(s) are grader faults (the bank or the grader failed, not the student): see their message in "
                     "results.csv")
        code = Exit.FAULT
    for fault in report.faults:
        notes.append(f"grader fault: {fault} (every row graded is in the reports)")
        code = Exit.FAULT
    budget_stops = sum(1 for r in report.rows if r.outcome == BUDGET_OUTCOME)
    if budget_stops:
        notes.append(f"note: {budget_stops} row(s) were stopped at the batch's CPU budget before their code had loaded (a loop, a sleep or heavy "
                     "work at module level; `outcome` budget in results.csv): `--since-changed --no-cpu-budget` grades just those again "
                     "under the question's own limits")
    if report.interrupted:
        notes.append(f"{report.interrupted}: the reports hold the {report.graded} row(s) graded so far; {report.not_graded} submission(s) were not "
                     "graded (run again with --since-changed to grade only those)")
        code = Exit.INTERRUPTED if report.interrupted.startswith("interrupted") else Exit.FAULT
    # notes name student folders and submissions: learner text, printed on the instructor's terminal
    return Outcome([safe_text(x, lines=False) for x in lines], [safe_text(n, lines=False) for n in notes], safe_document(data), code)


# --------------------------------------------------------------------------- export


def export_anki(questions: list[Any], output: Path, seed: int, previous: Path | None) -> Outcome:
    from grader.instructor.anki import write_anki

    count, changed = write_anki(questions, output, seed, previous)
    return Outcome(err=[f"wrote {count} card(s) to {display_path(output)} ({changed} new or changed since the earlier package)"])


def export_json(bank: Bank, questions: list[Any], output: Path, seed: int) -> Outcome:
    from grader.instructor.export import bank_json

    document, problems = bank_json(bank, questions, seed)
    text = json.dumps(document, ensure_ascii=False, indent=2)
    warnings = [f"warning: bank error, not resolved: {p}" for p in problems]
    if str(output) == "-":
        return Outcome([text], warnings)
    _write(output, text + "\n")
    return Outcome(err=[f"wrote {document['count']} question(s) to {display_path(output)}", *warnings])


# --------------------------------------------------------------------------- gradescope


def gradescope_build(bank: Bank, ids: list[str], out: Path, *, seed: int, title: str, check: bool) -> Outcome:
    from grader.instructor.gradescope import build

    built = build(bank, [i for chunk in ids for i in chunk.split(",") if i.strip()], out, seed=seed, title=title, check=check)
    return Outcome([f"wrote {display_path(built.zip_path)}: {len(built.questions)} question(s), {built.files} file(s)"],
                   [f"wrote {display_path(built.handout)} (the questions and how to hand in, for students)",
                    "next: upload the zip in Gradescope (Configure Autograder → Zip file upload); see docs/gradescope.md"],
                   {"zip": str(built.zip_path), "handout": str(built.handout), "questions": built.questions})  # fmt: skip


def gradescope_run(load: Callable[[], Bank], root: Path) -> Outcome:
    """Grades the submission under ``root``; whatever fails, results.json then says so to the student."""
    import traceback

    from grader.instructor.gradescope import failed_results, grade_submission, write_results

    try:
        results = grade_submission(load(), root)
    except Exception as exc:  # the student must still get a result: the cause goes to the instructor's log
        write_results(root, failed_results(f"{type(exc).__name__}: {exc}"))
        return Outcome(traceback.format_exc().splitlines(), [f"the autograder failed: {exc}"], exit=Exit.FAULT)
    return Outcome([f"score {results.get('score')} / {results.get('max_score')}"], data=results)


# --------------------------------------------------------------------------- item statistics


def item_stats(bank: Bank, sources: list[Path], *, last: bool, min_responses: int, csv_path: Path | None, json_path: Path | None) -> Outcome:
    from grader.instructor.itemstats import csv_text, item_stats, json_document, read_sources, table_lines

    responses = read_sources(sources, last=last)
    stats, notes = item_stats(bank, responses, min_responses=min_responses)
    learners = len({r.learner for r in responses})
    document = json_document(stats, notes, learners)
    err = [f"note: {n}" for n in notes]
    for path, text in ((csv_path, csv_text(stats)), (json_path, json.dumps(document, ensure_ascii=False, indent=2) + "\n")):
        if path is not None:
            _write(path, text)
            err.append(f"wrote {display_path(path)}")
    flagged = sum(bool(s.flags) for s in stats)
    err.append(f"{len(stats)} question(s), {learners} learner(s), {len(responses)} response(s); {flagged} question(s) flagged")
    return Outcome(table_lines(stats), err, document)
