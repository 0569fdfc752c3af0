"""Batch grading for instructors: a class's submissions graded in parallel, each in its own sandbox run.

Input: a folder of ``<student>/<question_id>.py`` files (code questions) and, optionally, an answers
file (CSV or JSONL with the columns ``student``, ``question``, ``answer`` and optionally ``seed``) for
the other types. Output (:func:`write_reports`): ``results.csv`` (one row per student and question),
``cases.csv`` (one row per case), ``students.csv`` (totals), ``report.json`` (everything, plus the
hashes that ``--since-changed`` compares) and a Gradescope ``results.json`` per student.

Every code submission runs exactly as ``eshikaku submit`` runs it (:func:`grader.grading.codegrade.grade_code`
in a fresh isolated child), on a :class:`grader.sandbox.sandbox.SandboxPool`; a crash, a hang or an attack
ends only its own child, so it changes only its own row. The grader's own part (building the cases,
running the trusted reference, judging) runs in this process, one thread at a time: the reference
harness swaps ``sys.stdout`` and seeds NumPy's global generator, neither of which is thread-safe.

Seeds are derived, never drawn: ``seed = H(student, question id, question hash)``. Grading the same
submission twice against the same bank gives the same cases and the same score; editing what a
question grades with changes its hash, hence its seed, and marks its rows for ``--since-changed``.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.loader import Bank, reference_targets
from grader.bank.schema import CodeBase, CodeBlankQuestion, Question

FORMAT = "eshikaku-batch/1"
REPORT_NAME = "report.json"
VERDICTS = ("pass", "fail", "error", "grader_fault", "missing")
MAX_SUBMISSION_BYTES = 1 << 20
# What a question shows but does not grade with: editing these changes neither seeds nor verdicts.
PRESENTATION_FIELDS = frozenset({"title", "prompt", "explanation", "hints", "tags", "source", "related", "difficulty", "topic", "solution_note"})
# The modules whose code decides a verdict; when they change, --since-changed regrades everything.
GRADER_MODULES = ("grading/answers", "bank/cases", "grading/codegrade", "grading/compare", "bank/expression", "sandbox/harness",
                  "grading/judge", "bank/params")
_STUDENT_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,200}$")


class BatchInputError(ValueError):
    """The folder or the answers file cannot be used as given (an instructor-side problem)."""


# --------------------------------------------------------------------------- hashes and seeds


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def content_hash(question: Question) -> str:
    """A hash of what the question grades with (its wording, hints and 解説 left out)."""
    model = type(question)
    exclude = PRESENTATION_FIELDS & set(model.model_fields)
    # Validated afresh so that every field is present with its default (a question unpickled from an
    # older cache may lack a field added since), and the hash depends on the content alone.
    data = model.model_validate(question.model_dump()).model_dump(mode="json", exclude=exclude)
    return _sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")))


_MODULE_FILES: dict[str, tuple[Path, ...]] = {}


def _module_files(module: str) -> tuple[Path, ...]:
    """The source of ``reference.<module>`` and of every ``reference`` module it imports, transitively."""
    if module in _MODULE_FILES:
        return _MODULE_FILES[module]
    _MODULE_FILES[module] = ()  # an import cycle ends here
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        spec = None
    origin = Path(spec.origin) if spec is not None and spec.origin and spec.origin.endswith(".py") else None
    if origin is None:
        return ()
    files = [origin]
    try:
        tree = ast.parse(origin.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        tree = ast.Module(body=[], type_ignores=[])
    package = module.rpartition(".")[0] if not origin.name == "__init__.py" else module
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            if name.partition(".")[0] == "reference" and name != module:
                files += [f for f in _module_files(name) if f not in files]
    _MODULE_FILES[module] = tuple(files)
    return _MODULE_FILES[module]


def reference_hash(question: Question) -> str:
    """A hash of the reference code the question grades with (its modules and what they import)."""
    modules = sorted({target.partition(":")[0] for _, target in reference_targets(question)})
    digest = hashlib.sha256()
    for module in modules:
        digest.update(module.encode() + b"\0")
        for path in _module_files(module):
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"<unreadable>")
    return digest.hexdigest()


def grader_hash() -> str:
    """A hash of the grader modules that decide verdicts."""
    here = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for name in GRADER_MODULES:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()


def submission_seed(student: str, question_id: str, question_content_hash: str) -> int:
    """The seed of one student's attempt at one question: stable while the question's grading is unchanged."""
    digest = hashlib.sha256(f"{student}\0{question_id}\0{question_content_hash}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (2**31 - 1) + 1


@dataclass(frozen=True)
class QuestionInfo:
    id: str
    type: str
    points: float
    content_hash: str
    reference_hash: str

    @property
    def hash(self) -> str:
        """What --since-changed compares: the graded content and the reference code together."""
        return _sha256(f"{self.content_hash}:{self.reference_hash}")


def question_info(question: Question) -> QuestionInfo:
    return QuestionInfo(question.id, question.type, question.points, content_hash(question), reference_hash(question))


# --------------------------------------------------------------------------- collecting the submissions


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
        return None, f"not UTF-8 text (byte {exc.start}): save the file as UTF-8"
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
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise BatchInputError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise BatchInputError(f"{path} is not UTF-8 text") from None
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


# --------------------------------------------------------------------------- grading one submission


@dataclass
class Row:
    """The verdict on one (student, question) pair."""

    student: str
    question: str
    type: str
    verdict: str  # one of VERDICTS
    score: float  # 0..1
    max_points: float
    seed: int | None
    origin: str = ""
    kind: str = ""
    message: str = ""
    traceback: list[str] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    response: str | None = None
    expected: str | None = None
    feedback: list[str] = field(default_factory=list)
    outcome: str | None = None  # how the sandboxed run ended (code only)
    submission_sha256: str = ""
    question_hash: str = ""
    seconds: float = 0.0
    reused: bool = False

    @property
    def points(self) -> float:
        return round(self.score * self.max_points, 6)

    def as_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "reused"}
        data["points"] = self.points
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Row:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class _Turns:
    """Lets the grader's in-process work run one thread at a time while sandbox runs overlap.

    A thread holds ``lock`` for the whole of one grading; it gives the lock up only while its
    submission runs in the pool, so N children run at once but the reference, which seeds NumPy's
    global generator and captures ``sys.stdout``, never runs in two threads together.
    """

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        self.lock = threading.Lock()
        self.local = threading.local()

    def run(self, request: bytes, limits: Any = None) -> Any:
        self.lock.release()
        try:
            result = self.pool.run(request, limits)
        finally:
            self.lock.acquire()
        if getattr(self.local, "outcome", None) is None:  # the first run is the graded one (a second only re-loads)
            self.local.outcome = result.outcome
        return result


def _code_verdict(result: Any, outcome: str | None) -> str:
    if result.status == "grader_fault":
        return "grader_fault"
    if result.status == "learner_error" or (outcome not in (None, "ok")):
        return "error"  # did not load, or the process was killed, timed out, crashed, exited or tampered
    return "pass" if result.passed else "fail"


def _case_dicts(result: Any) -> list[dict[str, Any]]:
    return [{"name": c.name, "hidden": c.hidden, "weight": c.weight, "passed": c.passed, "message": c.message, "diagnosis": c.diagnosis} for c in result.cases]


def _grade_code(question: CodeBase, source: str | dict[str, str], seed: int, sandbox: _Turns) -> dict[str, Any]:
    from grader.grading.codegrade import grade_code

    sandbox.local.outcome = None
    result = grade_code(question, source, seed, sandbox)
    outcome = sandbox.local.outcome
    return {
        "verdict": _code_verdict(result, outcome),
        "score": result.score,
        "message": result.message,
        "traceback": list(result.traceback),
        "cases": _case_dicts(result),
        "outcome": outcome,
    }


def _grade_answer(question: Question, text: str, seed: int, sandbox: _Turns) -> dict[str, Any]:
    from grader.bank.params import attempt
    from grader.grading.answers import InvalidAnswer, blank_expected, blank_keys, grade

    if isinstance(question, CodeBlankQuestion):
        try:
            keys = blank_keys(question, text)
        except InvalidAnswer:
            keys = None  # not choice keys: the answer is code
        if keys is not None:
            from grader.grading.codegrade import choice_codes

            data = _grade_code(question, choice_codes(question, keys), seed, sandbox)  # the keys are proved by running them
            return {**data, "response": text, "expected": blank_expected(question)}
        return {**_grade_code(question, text, seed, sandbox), "response": None}
    if isinstance(question, CodeBase):
        return {**_grade_code(question, text, seed, sandbox), "response": None}
    current = attempt(question, seed)
    try:
        verdict = grade(current, text)
    except InvalidAnswer as exc:
        return {"verdict": "fail", "score": 0.0, "message": f"invalid answer: {exc}", "response": text, "expected": None}
    return {
        "verdict": "pass" if verdict.correct else "fail",
        "score": verdict.score,
        "response": text,
        "expected": verdict.expected,
        "feedback": list(verdict.feedback),
    }


def grade_submission(bank: Bank, sub: Submission, infos: dict[str, QuestionInfo], sandbox: _Turns) -> Row:
    """Grades one submission; never raises (a failure of the grader becomes a grader_fault row)."""
    started = time.perf_counter()
    question = bank.get(sub.question)
    info = infos.get(sub.question)
    base = {"student": sub.student, "question": sub.question, "origin": sub.origin, "kind": sub.kind, "submission_sha256": sub.sha256}
    if question is None or info is None:
        broken = any(p.stem == sub.question for p in bank.broken_files)
        if broken:
            return Row(**base, type="?", verdict="grader_fault", score=0.0, max_points=0.0, seed=None, message="the question file "
                f"{sub.question}.yaml is broken: run `eshikaku validate`")
        return Row(**base, type="?", verdict="error", score=0.0, max_points=0.0, seed=None, message=f"no question with id {sub.question!r}: name the "
            "file <question_id>.py")
    seed = sub.seed if sub.seed is not None else submission_seed(sub.student, sub.question, info.content_hash)
    row = Row(**base, type=question.type, verdict="error", score=0.0, max_points=question.points, seed=seed, question_hash=info.hash)
    if sub.text is None:
        row.message = f"unreadable submission: {sub.problem}"
        return row
    try:
        with sandbox.lock:
            if sub.kind == "file":
                if not isinstance(question, CodeBase):
                    row.message = f"{sub.question} is a {question.type} question, not code: give its answer in the answers file"
                    return row
                data = _grade_code(question, sub.text, seed, sandbox)
            else:
                data = _grade_answer(question, sub.text, seed, sandbox)
        for key, value in data.items():
            setattr(row, key, value)
    except Exception as exc:
        row.verdict, row.score, row.message = "grader_fault", 0.0, f"the grader failed: {type(exc).__name__}: {exc}"
    row.score = round(float(row.score), 9)
    row.seconds = round(time.perf_counter() - started, 4)
    return row


# --------------------------------------------------------------------------- the batch


@dataclass
class BatchReport:
    rows: list[Row]
    questions: dict[str, QuestionInfo]
    grader_hash: str
    seconds: float
    jobs: int
    layers: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    folder: str = ""
    answers: str = ""

    @property
    def graded(self) -> int:
        return sum(1 for r in self.rows if r.verdict != "missing" and not r.reused)

    @property
    def reused(self) -> int:
        return sum(1 for r in self.rows if r.reused)

    def counts(self) -> dict[str, int]:
        return {v: sum(1 for r in self.rows if r.verdict == v) for v in VERDICTS}

    def students(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            entry = out.setdefault(row.student, {"points": 0.0, "max_points": 0.0, **{v: 0 for v in VERDICTS}})
            entry["points"] = round(entry["points"] + row.points, 6)
            entry["max_points"] = round(entry["max_points"] + row.max_points, 6)
            entry[row.verdict] += 1
        return out


def load_previous(out: Path) -> dict[str, Any] | None:
    """The report.json of an earlier run in ``out``, if it is one this version can reuse."""
    try:
        data = json.loads((out / REPORT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def _question_order(bank: Bank, qids: Iterable[str]) -> list[str]:
    from grader.bank.catalog import topic_key

    def key(qid: str) -> tuple:
        q = bank.get(qid)
        return (0, topic_key(q.topic), str(bank.paths[qid])) if q is not None else (1, (), qid)

    return sorted(set(qids), key=key)


def _natural(name: str) -> list[Any]:
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", name)]


def grade_batch(
    bank: Bank,
    folder: Path | None,
    *,
    answers: Path | None = None,
    assignment: list[str] | None = None,
    jobs: int | None = None,
    previous: dict[str, Any] | None = None,
    pool: Any = None,
    progress: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> BatchReport:
    """Grades every submission in ``folder`` (and ``answers``) and returns the rows, in order.

    Args:
        assignment: Question ids every student should have answered (a missing one gets a
            ``missing`` row); default: every question anyone submitted.
        jobs: Submissions graded at once (default: one per CPU).
        previous: An earlier report (:func:`load_previous`): rows whose submission, question and
            reference code are unchanged are taken from it instead of being graded again.
        pool: A :class:`grader.sandbox.sandbox.SandboxPool` to use (default: one of ``jobs`` sandboxes,
            started here and closed at the end).
        progress: Called with the number of rows finished since the last call.
        on_start: Called once with the number of submissions to grade.

    Raises:
        BatchInputError: The answers file cannot be used.
    """
    started = time.perf_counter()
    jobs = max(1, jobs or os.cpu_count() or 1)
    submissions, notes = collect(folder, answers)
    # by default the assignment is what was handed in: code files, and every question of the answers file
    wanted = list(assignment) if assignment else [q for (_, q), sub in submissions.items() if sub.kind == "answer" or isinstance(bank.get(q), CodeBase)]
    unknown_wanted = [q for q in wanted if q not in bank.questions]
    if assignment and unknown_wanted:
        raise BatchInputError(f"--questions names no question with id {', '.join(sorted(set(unknown_wanted)))}")
    infos = {qid: question_info(bank.questions[qid]) for qid in set(wanted) | {q for _, q in submissions} if qid in bank.questions}
    order = _question_order(bank, [q for q in wanted if q in bank.questions])
    students = sorted({s for s, _ in submissions}, key=_natural)
    g_hash = grader_hash()

    reusable: dict[tuple[str, str], dict[str, Any]] = {}
    if previous is not None:
        if previous.get("grader_hash") != g_hash:
            notes.append("the grader changed since the previous report: every submission is graded again")
        else:
            for data in previous.get("rows", []):
                if isinstance(data, dict) and data.get("verdict") not in ("grader_fault", "missing"):
                    reusable[(data.get("student"), data.get("question"))] = data

    rows: dict[tuple[str, str], Row] = {}
    todo: list[Submission] = []
    for key, sub in submissions.items():
        old = reusable.get(key)
        info = infos.get(sub.question)
        if old and info and old.get("question_hash") == info.hash and old.get("submission_sha256") == sub.sha256:
            row = Row.from_dict(old)
            row.reused = True
            rows[key] = row
        else:
            todo.append(sub)
    for student in students:
        for qid in order:
            if (student, qid) not in submissions:
                q = bank.questions[qid]
                rows[(student, qid)] = Row(student, qid, q.type, "missing", 0.0, q.points, None, message="no submission", question_hash=infos[qid].hash)

    if on_start:
        on_start(len(todo))
    own_pool = None
    layers: tuple[str, ...] = ()
    needs_sandbox = any(isinstance(bank.get(s.question), CodeBase) and s.text is not None for s in todo)
    if todo:
        if pool is None and needs_sandbox:
            from grader.sandbox.sandbox import SandboxPool

            pool = own_pool = SandboxPool(workers=min(jobs, len(todo)))
        try:
            layers = tuple(pool.layers) if pool is not None else ()
            turns = _Turns(pool)
            # the longest-running kind first keeps the pool busy at the end: code before typed answers
            todo.sort(key=lambda s: (not isinstance(bank.get(s.question), CodeBase), _natural(s.student), s.question))
            with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="eshikaku-batch") as executor:
                pending = {executor.submit(grade_submission, bank, sub, infos, turns) for sub in todo}
                try:
                    while pending:
                        done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                        for future in done:
                            row = future.result()
                            rows[(row.student, row.question)] = row
                        if progress and done:
                            progress(len(done))
                except BaseException:
                    for future in pending:
                        future.cancel()
                    raise
        finally:
            if own_pool is not None:
                own_pool.close()
    ordered = sorted(rows.values(), key=lambda r: (_natural(r.student), order.index(r.question) if r.question in order else len(order), r.question))
    return BatchReport(ordered, infos, g_hash, time.perf_counter() - started, jobs, layers, notes,
                       str(folder) if folder else "", str(answers) if answers else "")


# --------------------------------------------------------------------------- writing the reports


def _cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet will not run as a formula (student names and output are untrusted)."""
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
    published; their inputs are never included.
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
        })  # fmt: skip
    score = round(sum(t["score"] for t in tests), 6)
    max_score = round(sum(t["max_score"] for t in tests), 6)
    passed = sum(r.verdict == "pass" for r in rows)
    return {
        "score": score,
        "max_score": max_score,
        "execution_time": round(sum(r.seconds for r in rows), 3),
        "output": f"eshikaku: {passed}/{len(rows)} question(s) fully right, {score:g}/{max_score:g} points",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def report_json(report: BatchReport) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        eshikaku_version = version("eshikaku")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        eshikaku_version = "unknown"
    counts = report.counts()
    return {
        "format": FORMAT,
        "eshikaku_version": eshikaku_version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "folder": report.folder,
        "answers": report.answers,
        "grader_hash": report.grader_hash,
        "jobs": report.jobs,
        "sandbox_layers": list(report.layers),
        "summary": {
            "students": len({r.student for r in report.rows}),
            "rows": len(report.rows),
            "graded": report.graded,
            "reused": report.reused,
            "verdicts": counts,
            "seconds": round(report.seconds, 3),
            "submissions_per_second": round(report.graded / report.seconds, 2) if report.seconds > 0 else None,
        },
        "notes": report.notes,
        "questions": {
            qid: {"type": i.type, "points": i.points, "content_hash": i.content_hash, "reference_hash": i.reference_hash, "hash": i.hash}
            for qid, i in sorted(report.questions.items())
        },
        "students": report.students(),
        "rows": [r.as_dict() for r in report.rows],
    }


def _safe_dirname(student: str) -> str:
    name = re.sub(r"[/\\\x00-\x1f]", "_", student).strip()
    return "_" + name if not name or name.startswith(".") else name


def write_reports(report: BatchReport, out: Path) -> list[Path]:
    """Writes the CSV, JSON and Gradescope files into ``out``; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    path = out / "results.csv"
    columns = ["student", "question", "type", "verdict", "score", "points", "max_points", "cases_passed", "cases_total", "seed",
               "outcome", "message", "response", "origin"]
    _write_csv(path, columns,
               ([r.student, r.question, r.type, r.verdict, r.score, r.points, r.max_points, sum(c["passed"] for c in r.cases), len(r.cases),
                 "" if r.seed is None else r.seed, r.outcome or "", _one_line(r.message), "" if r.response is None else _one_line(r.response),
                 r.origin] for r in report.rows))  # fmt: skip
    written.append(path)
    path = out / "cases.csv"
    _write_csv(path, ["student", "question", "case", "hidden", "weight", "passed", "message"],
               ([r.student, r.question, c["name"], c["hidden"], c["weight"], c["passed"], _one_line(c["message"])]
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
