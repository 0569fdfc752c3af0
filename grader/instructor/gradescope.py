"""A Gradescope autograder for a set of questions: ``eshikaku gradescope build`` writes the zip, and the zip's
``run_autograder`` calls ``eshikaku gradescope run`` on every submission.

The zip (see https://gradescope-autograders.readthedocs.io/en/latest/specs/) holds ``setup.sh`` (installs
Python and this package into ``/autograder/venv`` once, when Gradescope builds the image),
``run_autograder``, a copy of this package (``eshikaku/``), the chosen question files (``bank/``, with a
private bank's own references in ``bank/reference/``) and ``assignment.json`` (the ids, points and the
seed of the numbers every student sees). A submission is graded exactly as ``grade-batch`` grades one
student — the same sandbox, a new seed for every upload — and the verdicts are written to
``results/results.json`` in Gradescope's format.

Gradescope keeps everything under ``/autograder``; :data:`ROOT_ENV` moves it, so that an instructor (or a
test) can run the autograder on a fake submission folder before uploading it.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.loader import PROJECT_ROOT, Bank
from grader.bank.schema import CodeBase, CodeBlankQuestion, Question
from grader.errors import UsageError
from grader.textsafe import safe_document

ROOT_ENV = "ESHIKAKU_AUTOGRADER_ROOT"
PYTHON_ENV = "ESHIKAKU_AUTOGRADER_PYTHON"
DEFAULT_ROOT = Path("/autograder")
FORMAT = "eshikaku-gradescope/1"
ASSIGNMENT_FILE = "assignment.json"
ANSWER_FILES = ("answers.txt", "answers.csv")
PACKAGE_FILES = ("pyproject.toml", "README.md", "cli.py", "eshikaku.py")
PACKAGE_DIRS = ("grader", "reference")
_KEEP = re.compile(r".*\.(py|yaml|md)$")

SETUP_SH = """\
#!/usr/bin/env bash
# Run once by Gradescope when it builds the autograder image: Python, and eshikaku with its dependencies.
set -euo pipefail
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --no-cache-dir --upgrade pip
/autograder/venv/bin/pip install --no-cache-dir /autograder/source/eshikaku
"""

RUN_AUTOGRADER = f"""\
#!/usr/bin/env bash
# Run by Gradescope for every submission: grades /autograder/submission with eshikaku's sandbox and writes
# /autograder/results/results.json. {ROOT_ENV} moves /autograder (for a trial run before uploading);
# {PYTHON_ENV} chooses another Python with eshikaku installed.
set -euo pipefail
root="${{{ROOT_ENV}:-/autograder}}"
python="${{{PYTHON_ENV}:-$root/venv/bin/python}}"
cd "$root"
exec "$python" -m cli --bank-only --bank "$root/source/bank" gradescope run --root "$root"
"""


class GradescopeError(UsageError, ValueError):
    """The autograder cannot be built or run as asked (the message says what to change)."""


# --------------------------------------------------------------------------- building the zip


@dataclass
class Built:
    zip_path: Path
    handout: Path
    questions: list[str]
    files: int


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))  # fixed: the same bank builds the same zip
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def _package_files() -> list[tuple[str, Path]]:
    files = [(name, PROJECT_ROOT / name) for name in PACKAGE_FILES if (PROJECT_ROOT / name).is_file()]
    for folder in PACKAGE_DIRS:
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.is_file() and _KEEP.match(path.name) and "__pycache__" not in path.parts:
                files.append((path.relative_to(PROJECT_ROOT).as_posix(), path))
    return files


def _private_references(bank: Bank, questions: list[Question]) -> list[Path]:
    """The modules of the private banks' own reference folders that these questions come from."""
    builtin = (PROJECT_ROOT / "reference").resolve()
    modules: list[Path] = []
    for q in questions:
        root = bank.paths[q.id].resolve().parent.parent
        for folder in (root / "reference", root.parent / "reference"):
            if folder.is_dir() and folder.resolve() != builtin:
                modules += [p for p in sorted(folder.glob("*.py")) if p not in modules]
    return modules


def _uploads_code(question: Question) -> bool:
    """Whether a student hands this question in as a .py file (else as a line of answers.txt: choice keys too)."""
    return isinstance(question, CodeBase) and not (isinstance(question, CodeBlankQuestion) and question.exam_style)


def handout_text(questions: list[Question], seed: int, title: str) -> str:
    """What students read: how to hand in, then every question with the numbers of this assignment."""
    from grader.bank.params import attempt
    from grader.grading.render import answer_help, question_text

    code = [q for q in questions if _uploads_code(q)]
    typed = [q for q in questions if not _uploads_code(q)]
    lines = [f"# {title}", "", "## 提出方法", ""]
    if code:
        lines.append("コードの問題: 各問題のファイル `<問題ID>.py` をアップロードする (" + ", ".join(f"`{q.id}.py`" for q in code) + ")。")
    if typed:
        lines.append("それ以外の問題: `answers.txt` に 1 行 1 問で `問題ID: 答え` と書いてアップロードする (例: `" + f"{typed[0].id}: 2`)。")
        lines.append("選択肢は下の番号 (ファイルの記号) で答える。")
    for q in questions:
        current = attempt(q, seed if q.parameters is not None else None)
        how = f"`{q.id}.py` をアップロードする" if _uploads_code(q) else f"answers.txt に `{q.id}: 答え` と書く ({answer_help(current)})"
        lines += ["", "---", "", question_text(current).replace(answer_help(current), how)]
    return "\n".join(lines) + "\n"


def build(bank: Bank, ids: list[str], out: Path, *, seed: int = 1, title: str = "", check: bool = True) -> Built:
    """Writes the autograder zip for ``ids`` (and a student handout beside it).

    Raises:
        GradescopeError: An id is unknown, or a question fails validate.
    """
    from importlib.metadata import PackageNotFoundError, version

    unknown = [q for q in ids if q not in bank.questions]
    if unknown:
        raise GradescopeError(f"no question with id {', '.join(unknown)}")
    if not ids:
        raise GradescopeError("name at least one question id")
    questions = [bank.questions[q] for q in dict.fromkeys(ids)]
    if check:
        from grader.instructor.bankcheck import check as validate

        report = validate([bank.paths[q.id] for q in questions])
        if report.errors:
            raise GradescopeError("the questions do not validate:\n" + "\n".join(str(e) for e in report.errors[:20]))
    try:
        eshikaku_version = version("eshikaku")
    except PackageNotFoundError:  # pragma: no cover - a bare checkout
        eshikaku_version = "unknown"
    assignment = {
        "format": FORMAT,
        "title": title or "eshikaku",
        "seed": seed,
        "eshikaku_version": eshikaku_version,
        "questions": [{"id": q.id, "type": q.type, "points": q.points, "seed": seed if q.parameters is not None else None} for q in questions],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with zipfile.ZipFile(out, "w") as archive:
        _add(archive, "setup.sh", SETUP_SH.encode(), executable=True)
        _add(archive, "run_autograder", RUN_AUTOGRADER.encode(), executable=True)
        _add(archive, ASSIGNMENT_FILE, (json.dumps(assignment, ensure_ascii=False, indent=2) + "\n").encode())
        for name, path in _package_files():
            _add(archive, f"eshikaku/{name}", path.read_bytes())
            count += 1
        for q in questions:
            path = bank.paths[q.id]
            _add(archive, f"bank/{path.parent.name}/{path.name}", path.read_bytes())
        for module in _private_references(bank, questions):
            _add(archive, f"bank/reference/{module.name}", module.read_bytes())
    handout = out.with_name(out.stem + "-handout.md")
    handout.write_text(handout_text(questions, seed, str(assignment["title"])), encoding="utf-8")
    return Built(out, handout, [q.id for q in questions], count + len(questions) + 3)


# --------------------------------------------------------------------------- grading one submission


@dataclass
class Found:
    """What a submission folder holds for the assignment."""

    files: dict[str, Path] = field(default_factory=dict)  # question id → its .py file
    answers: dict[str, str] = field(default_factory=dict)  # question id → typed answer
    notes: list[str] = field(default_factory=list)


def _skip(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "__")) for part in path.relative_to(root).parts)


def read_answers_txt(text: str, source: str, known: set[str]) -> tuple[dict[str, str], list[str]]:
    """``question_id: answer`` (or ``=``) per line; ``#`` starts a comment line."""
    answers: dict[str, str] = {}
    notes: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.match(r"\s*([A-Za-z0-9_]+)\s*[:=：]\s*(.*)$", line)
        if not match:
            notes.append(f"{source}:{number}: not `question_id: answer`; ignored")
        elif match.group(1) not in known:
            notes.append(f"{source}:{number}: {match.group(1)} is not a question of this assignment; ignored")
        else:
            answers[match.group(1)] = match.group(2).strip()
    return answers, notes


def find_submission(folder: Path, questions: dict[str, Question]) -> Found:
    """The files and answers a student uploaded (in any subfolder, as a zip or GitHub upload nests them)."""
    from grader.bank.positions import UnreadableFile, read_text

    found = Found()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _skip(p, folder)):
        rel = path.relative_to(folder).as_posix()
        if path.suffix == ".py" and path.stem in questions:
            if path.stem in found.files:
                found.notes.append(f"{rel}: another {path.name}; {found.files[path.stem].relative_to(folder).as_posix()} is graded")
            else:
                found.files[path.stem] = path
        elif path.name in ANSWER_FILES:
            try:
                text = read_text(path, "answers file")
            except (OSError, UnreadableFile) as exc:
                found.notes.append(f"{rel}: {exc}")
                continue
            if path.suffix == ".csv":
                rows = list(csv.DictReader(io.StringIO(text)))
                answers = {str(r.get("question", "")).strip(): str(r.get("answer", "")) for r in rows if str(r.get("question", "")).strip() in questions}
                notes: list[str] = []
            else:
                answers, notes = read_answers_txt(text, rel, set(questions))
            found.answers.update(answers)
            found.notes += notes
    return found


def _student(root: Path) -> str:
    """The submitter's Gradescope id (one of what the hidden cases' seeds derive from), else a fixed name."""
    try:
        meta = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        users = meta.get("users") or []
        ids = [str(u.get("id") or u.get("email") or u.get("name")) for u in users if isinstance(u, dict)]
        name = re.sub(r"[^A-Za-z0-9@._+-]", "_", "+".join(sorted(ids)))[:200].lstrip(".")
        return name or "student"
    except (OSError, ValueError, AttributeError):
        return "student"


def _assignment(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / "source" / ASSIGNMENT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GradescopeError(f"cannot read {root / 'source' / ASSIGNMENT_FILE}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GradescopeError(f"{ASSIGNMENT_FILE} is not an eshikaku autograder's (format {FORMAT})")
    return data


def grade_submission(bank: Bank, root: Path) -> dict[str, Any]:
    """Grades ``root/submission`` and writes ``root/results/results.json``; returns the results.

    Raises:
        GradescopeError: The autograder's own files are missing or broken (the results then say so).
    """
    from grader.instructor.batch import grade_batch
    from grader.instructor.batch_reports import gradescope_results

    started = time.perf_counter()
    assignment = _assignment(root)
    entries = assignment.get("questions", [])
    missing = [e["id"] for e in entries if e["id"] not in bank.questions]
    if missing:
        raise GradescopeError(f"the autograder's bank lacks {', '.join(missing)}: build the zip again")
    questions = {e["id"]: bank.questions[e["id"]] for e in entries}
    found = find_submission(root / "submission", questions)
    student = _student(root)
    with tempfile.TemporaryDirectory(prefix="eshikaku-gradescope-") as tmp:
        folder = Path(tmp) / "submissions"
        (folder / student).mkdir(parents=True)
        for qid, path in found.files.items():
            shutil.copyfile(path, folder / student / f"{qid}.py")
        answers = Path(tmp) / "answers.csv"
        with answers.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["student", "question", "answer", "seed"])
            for entry in entries:
                if entry["id"] in found.answers and entry["id"] not in found.files:
                    writer.writerow([student, entry["id"], found.answers[entry["id"]], "" if entry.get("seed") is None else entry["seed"]])
        report = grade_batch(bank, folder, answers=answers, assignment=[e["id"] for e in entries])
    results = gradescope_results(report.rows)
    notes = [*found.notes, *report.notes]
    lines = [results["output"], *(f"note: {n}" for n in notes)]
    lines += [f"{r.question}: not handed in (upload {r.question}.py or answer it in answers.txt)" for r in report.rows if r.verdict == "missing"]
    results["output"] = "\n".join(lines)
    results["execution_time"] = round(time.perf_counter() - started, 3)
    write_results(root, results)
    seeds = ", ".join(f"{r.question}={r.seed}" for r in report.rows if r.seed is not None)
    print(f"eshikaku autograder: graded {len(report.rows)} question(s); sandbox layers: {', '.join(report.layers) or 'none needed'}; "
          f"seeds: {seeds or 'none'}")
    return results


def write_results(root: Path, results: dict[str, Any]) -> Path:
    path = root / "results" / "results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(".results.json.tmp")
    tmp.write_text(json.dumps(safe_document(results), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def failed_results(message: str) -> dict[str, Any]:
    """What Gradescope shows when the autograder itself cannot grade (so the student is not left with nothing)."""
    return {"score": 0.0, "output": f"The autograder could not grade this submission (not your fault): {message}", "visibility": "visible",
            "stdout_visibility": "hidden", "tests": []}  # fmt: skip
