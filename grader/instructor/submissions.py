"""Collecting a class's submissions: a folder of ``<student>/<question_id>.py`` files and an answers
file (CSV or JSONL with the columns ``student``, ``question``, ``answer`` and optionally ``seed``)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# --------------------------------------------------------------------------- collecting the submissions
from grader.bank.positions import UnreadableFile, read_text
from grader.instructor.batch_constants import _STUDENT_NAME, MAX_SUBMISSION_BYTES, BatchInputError
from grader.instructor.hashes import _sha256


@dataclass(frozen=True)
class Submission:
    """One student's response to one question, as found on disk (``text`` is None when unreadable)."""

    student: str
    question: str
    kind: str  # "file" (a .py in the student's folder) | "answer" (a row of the answers file)
    origin: str  # where it came from, for the instructor: a relative path or "answers.csv:12"
    text: str | None
    problem: str = ""  # why the text could not be read
    seed: int | None = None  # a seed given in the answers file (the attempt the student answered)

    @property
    def sha256(self) -> str:
        return _sha256(f"{self.kind}\0{self.seed}\0{self.text if self.text is not None else '<unreadable>' + self.problem}")


def _read_source(path: Path) -> tuple[str | None, str]:
    try:
        if path.is_symlink():
            return None, "a symbolic link: not followed (submit the file itself)"
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            return None, f"the file is {size} bytes, over the {MAX_SUBMISSION_BYTES} byte limit"
        data = path.read_bytes()
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, f"line {line}: not UTF-8 text: save the file as UTF-8"
    if "\x00" in text:
        return None, "the file contains NUL bytes: not Python source"
    return text, ""


def _skip(name: str) -> bool:
    return name.startswith(".") or name.startswith("__")  # .git, __MACOSX, __pycache__


def scan_folder(folder: Path) -> list[Submission]:
    """Every ``<student>/<question_id>.py`` under ``folder`` (hidden folders and other files ignored)."""
    found = []
    for student_dir in sorted(folder.iterdir(), key=lambda p: p.name):
        if _skip(student_dir.name) or not student_dir.is_dir() or student_dir.is_symlink():
            continue
        for path in sorted(student_dir.iterdir(), key=lambda p: p.name):
            if path.suffix != ".py" or _skip(path.name) or path.is_dir():
                continue
            text, problem = _read_source(path)
            found.append(Submission(student_dir.name, path.stem, "file", f"{student_dir.name}/{path.name}", text, problem))
    return found


_COLUMNS = {
    "student": ("student", "student_id", "name", "user"),
    "question": ("question", "question_id", "id", "qid"),
    "answer": ("answer", "response"),
    "seed": ("seed",),
}


def _pick(row: dict[str, Any], key: str) -> Any:
    for alias in _COLUMNS[key]:
        if alias in row:
            return row[alias]
    return None


def read_answers(path: Path) -> list[Submission]:
    """The rows of a CSV or JSONL answers file (student, question, answer[, seed]).

    Raises:
        BatchInputError: The file cannot be read, lacks a column, or a row is malformed.
    """
    try:
        text = read_text(path, "answers file")
    except OSError as exc:
        raise BatchInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnreadableFile as exc:
        raise BatchInputError(f"{path.name}:{exc}") from None
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson") or (path.suffix.lower() != ".csv" and text.lstrip().startswith("{"))
    rows: list[tuple[int, dict[str, Any]]] = []
    if jsonl:
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                raise BatchInputError(f"{path.name}:{number}: not a JSON object: {exc}") from None
            if not isinstance(data, dict):
                raise BatchInputError(f"{path.name}:{number}: each line must be one JSON object")
            rows.append((number, {str(k).strip().lower(): v for k, v in data.items()}))
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        missing = [k for k in ("student", "question", "answer") if not any(a in header for a in _COLUMNS[k])]
        if missing:
            raise BatchInputError(f"{path.name}: the header lacks the column(s) {', '.join(missing)} (found: {', '.join(header) or 'nothing'})")
        for row in reader:
            rows.append((reader.line_num, {str(k).strip().lower(): v for k, v in row.items() if k is not None}))
    found = []
    for number, row in rows:
        student, qid, answer, seed = (_pick(row, k) for k in ("student", "question", "answer", "seed"))
        where = f"{path.name}:{number}"
        if student is None or qid is None or answer is None:
            raise BatchInputError(f"{where}: a row needs student, question and answer")
        student, qid = str(student).strip(), str(qid).strip()
        if not _STUDENT_NAME.match(student) or student in (".", "..") or student.startswith("."):
            raise BatchInputError(f"{where}: student {student!r} cannot name a folder (no /, \\, control characters or leading dot)")
        if seed not in (None, ""):
            try:
                seed = int(str(seed).strip())
            except ValueError:
                raise BatchInputError(f"{where}: seed {seed!r} is not an integer") from None
        else:
            seed = None
        answer_text = answer if isinstance(answer, str) else json.dumps(answer) if isinstance(answer, (list, dict)) else str(answer)
        if len(answer_text.encode("utf-8")) > MAX_SUBMISSION_BYTES:
            found.append(Submission(student, qid, "answer", where, None, "the answer is over the size limit", seed))
        else:
            found.append(Submission(student, qid, "answer", where, answer_text, "", seed))
    return found


def collect(folder: Path | None, answers: Path | None) -> tuple[dict[tuple[str, str], Submission], list[str]]:
    """The submissions keyed by (student, question), and notes about duplicates."""
    notes: list[str] = []
    chosen: dict[tuple[str, str], Submission] = {}
    for sub in read_answers(answers) if answers else []:
        key = (sub.student, sub.question)
        if key in chosen:
            notes.append(f"{sub.origin}: another answer of {sub.student} to {sub.question}; the later one ({sub.origin}) counts")
        chosen[key] = sub
    for sub in scan_folder(folder) if folder else []:
        key = (sub.student, sub.question)
        if key in chosen:
            notes.append(f"{sub.origin}: {sub.student} also answered {sub.question} in {chosen[key].origin}; the file counts")
        chosen[key] = sub
    return chosen, notes
