"""Writing a batch's reports: ``results.csv`` (one row per student and question), ``cases.csv`` (one row
per case), ``students.csv`` (totals), ``report.json`` (everything, plus the hashes that ``--since-changed``
compares) and a Gradescope ``results.json`` per student."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- writing the reports
from grader.instructor.batch import BatchReport, Row
from grader.instructor.batch_constants import FORMAT, REPORT_NAME, VERDICTS
from grader.textsafe import safe_document, safe_text


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula and a terminal will not run as a control
    sequence (student names and output are untrusted)."""
    if isinstance(value, str):
        value = safe_text(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "@", "\t", "\r", "-") and not re.fullmatch(r"-?[\d.eE+-]+", value):
        return "'" + value
    return value


def _write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    _atomic_write(path, buffer.getvalue())


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def _one_line(text: str | None, limit: int = 500) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def gradescope_results(rows: list[Row]) -> dict[str, Any]:
    """Gradescope's results.json for one student: one test per case (per question when there are none).

    Hidden cases are listed by name with the failure message only, visible after the grades are
    published; their inputs, and the instructor's ``detail`` of their exceptions, are never included.
    Each test's ``extra_data`` records the isolation layers its code ran under.
    """
    tests: list[dict[str, Any]] = []
    for number, row in enumerate(rows, 1):
        total_weight = sum(c["weight"] for c in row.cases)
        if row.cases and total_weight > 0:
            maxes = [round(row.max_points * case["weight"] / total_weight, 6) for case in row.cases]
            maxes[-1] = round(row.max_points - sum(maxes[:-1]), 6)  # the rounding goes to the last case: they add up
            for i, (case, max_score) in enumerate(zip(row.cases, maxes), 1):
                output = "" if case["passed"] else case["message"] + (f"\n→ {case['diagnosis']}" if case["diagnosis"] else "")
                if i == 1 and row.verdict == "error" and row.message:
                    output = (row.message + "\n" + output).strip()
                tests.append({
                    "name": f"{row.question}: {case['name']}" + (" (hidden)" if case["hidden"] else ""),
                    "number": f"{number}.{i}",
                    "score": max_score if case["passed"] else 0.0,
                    "max_score": max_score,
                    "status": "passed" if case["passed"] else "failed",
                    "output": output,
                    "visibility": "after_published" if case["hidden"] else "visible",
                    "extra_data": {"layers": list(row.layers)},
                })  # fmt: skip
            continue
        if row.response is not None and row.verdict in ("pass", "fail"):
            lines = [f"your answer: {row.response}"] + list(row.feedback) + ([row.message] if row.message else [])
            if row.expected is not None:
                lines.append(f"expected: {row.expected}")
            output, visibility = "\n".join(lines), "after_published"  # the expected answer waits for the grades
        else:
            output = "\n".join([row.message, *row.traceback]).strip()
            visibility = "visible"
        tests.append({
            "name": row.question,
            "number": str(number),
            "score": row.points,
            "max_score": row.max_points,
            "status": "passed" if row.verdict == "pass" else "failed",
            "output": output,
            "visibility": visibility,
            "extra_data": {"layers": list(row.layers)},
        })  # fmt: skip
    score = round(sum(t["score"] for t in tests), 6)
    max_score = round(sum(t["max_score"] for t in tests), 6)
    passed = sum(r.verdict == "pass" for r in rows)
    results: dict[str, Any] = {
        "score": score,
        "max_score": max_score,
        "execution_time": round(sum(r.seconds for r in rows), 3),
        "output": f"eshikaku: {passed}/{len(rows)} question(s) fully right, {score:g}/{max_score:g} points",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"sandbox_layers": sorted({layer for r in rows for layer in r.layers})},
        "tests": tests,
    }
    return safe_document(results)


def report_json(report: BatchReport) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        eshikaku_version = version("eshikaku")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        eshikaku_version = "unknown"
    counts = report.counts()
    return safe_document({
        "format": FORMAT,
        "eshikaku_version": eshikaku_version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "folder": report.folder,
        "answers": report.answers,
        "grader_hash": report.grader_hash,
        "jobs": report.jobs,
        "sandbox_layers": list(report.layers),
        "cpu_budgets": report.budgets,
        "summary": {
            "students": len({r.student for r in report.rows}),
            "rows": len(report.rows),
            "graded": report.graded,
            "reused": report.reused,
            "verdicts": counts,
            "seconds": round(report.seconds, 3),
            "submissions_per_second": round(report.graded / report.seconds, 2) if report.seconds > 0 else None,
        },
        "complete": not report.interrupted,
        "interrupted": report.interrupted,
        "not_graded": report.not_graded,
        "faults": report.faults,
        "notes": report.notes,
        "questions": {
            qid: {"type": i.type, "points": i.points, "content_hash": i.content_hash, "reference_hash": i.reference_hash, "hash": i.hash}
            for qid, i in sorted(report.questions.items())
        },
        "students": report.students(),
        "rows": [r.as_dict() for r in report.rows],
    })


def _safe_dirname(student: str) -> str:
    name = re.sub(r"[/\\\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "_", student).strip()
    return "_" + name if not name or name.startswith(".") else name


def write_reports(report: BatchReport, out: Path) -> list[Path]:
    """Writes the CSV, JSON and Gradescope files into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "results.csv"
    columns = ["student", "question", "type", "verdict", "score", "points", "max_points", "cases_passed", "cases_total", "seed",
               "outcome", "message", "response", "origin", "layers", "detail"]
    _write_csv(path, columns,
               ([r.student, r.question, r.type, r.verdict, r.score, r.points, r.max_points, sum(c["passed"] for c in r.cases), len(r.cases),
                 "" if r.seed is None else r.seed, r.outcome or "", _one_line(r.message), "" if r.response is None else _one_line(r.response),
                 r.origin, " ".join(r.layers), _one_line(r.detail)] for r in report.rows))  # fmt: skip
    written.append(path)
    path = out / "cases.csv"
    # message: what the learner sees; detail: a hidden case's own exception text, for the instructor only
    _write_csv(path, ["student", "question", "case", "hidden", "weight", "passed", "message", "detail"],
               ([r.student, r.question, c["name"], c["hidden"], c["weight"], c["passed"], _one_line(c["message"]), _one_line(c.get("detail", ""))]
                for r in report.rows for c in r.cases))  # fmt: skip
    written.append(path)
    path = out / "students.csv"
    _write_csv(path, ["student", "points", "max_points", "percent", *VERDICTS],
               ([s, t["points"], t["max_points"], round(100 * t["points"] / t["max_points"], 2) if t["max_points"] else 0.0, *(t[v] for v in VERDICTS)]
                for s, t in report.students().items()))  # fmt: skip
    written.append(path)
    by_student: dict[str, list[Row]] = {}
    for row in report.rows:
        by_student.setdefault(row.student, []).append(row)
    for student, rows in by_student.items():
        path = out / "gradescope" / _safe_dirname(student) / "results.json"
        _atomic_write(path, json.dumps(gradescope_results(rows), ensure_ascii=False, indent=2) + "\n")
    written.append(out / "gradescope")
    path = out / REPORT_NAME  # last: --since-changed trusts only a complete run
    _atomic_write(path, json.dumps(report_json(report), ensure_ascii=False, indent=1) + "\n")
    written.append(path)
    return written
