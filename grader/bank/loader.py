"""Loading the question bank: YAML with positions, schema validation, and every problem reported at once.

Each problem becomes a :class:`BankError` printed as ``path:line:col: field.path: message``. One
broken file never hides the others: :func:`load_bank` returns the valid questions and the errors.
A parsed index is cached per file (keyed by mtime and size) so that a warm start stays fast; each file's
entry is pickled on its own, so that :func:`load_question` reads one question without the others.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from grader.bank.content import hash_of_json, remember
from grader.bank.layout import BUILTIN_BANK as BUILTIN_BANK
from grader.bank.layout import PROJECT_ROOT as PROJECT_ROOT
from grader.bank.positions import BankError as BankError  # the loader's public names, kept importable from here
from grader.bank.positions import Loc, YamlBuilder, compose
from grader.bank.positions import display_path as display_path
from grader.bank.positions import dotted as dotted
from grader.bank.references import reference_errors
from grader.bank.references import reference_targets as reference_targets
from grader.bank.schema import Question
from grader.bank.schema_base import ID_PATTERN
from grader.bank.schema_errors import validation_errors

CACHE_VERSION = 5


def _cache_version() -> str:
    """Changes whenever the question models or this loader change, so a cache never outlives its format."""
    import hashlib

    import pydantic

    # the pydantic version too: the content hashes kept in the cache come from its JSON serializer
    digest = hashlib.sha256(f"{CACHE_VERSION} {pydantic.VERSION}".encode())
    for module in ("schema.py", "schema_base.py", "schema_code.py", "schema_numeric.py", "expression.py", "loader.py", "positions.py", "references.py",
                   "schema_errors.py", "editions/2026.yaml"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _question_adapter() -> TypeAdapter[Question]:
    # Built on first validation, not at import: a warm start reads questions from the cache and
    # never validates, and building the validators of every question type is most of the import.
    return TypeAdapter(Question)


# --------------------------------------------------------------------------- one file


@dataclass
class FileResult:
    question: Question | None
    errors: list[BankError]
    id_position: tuple[int, int] = (1, 1)
    content_hash: str = ""  # grader.bank.content, computed while the serializer is at hand


def load_file(path: Path, reference_roots: list[Path] | None = None) -> FileResult:
    """Parses and validates one question file; never raises for bad content."""
    node, problems = compose(path)
    if problems:
        return FileResult(None, problems)
    builder = YamlBuilder(path)
    if node is None:
        return FileResult(None, [BankError(path, 1, 1, "", "the file is empty: write one question mapping")])
    data = builder.build(node)
    errors = list(builder.errors)
    if not isinstance(data, dict):
        return FileResult(None, errors + [BankError(path, 1, 1, "", "a question file must be one mapping of keys")])
    try:
        question: Question | None = _question_adapter().validate_python(data)
    except ValidationError as exc:
        return FileResult(None, errors + validation_errors(exc, data, builder))
    assert question is not None
    if question.id != path.stem:
        line, col = builder.position(("id",))
        errors.append(BankError(path, line, col, "id", f"id {question.id!r} differs from the file name; rename the file to {question.id}.yaml or set "
            f"id: {path.stem}"))
    errors += reference_errors(question, data, builder, reference_roots or [PROJECT_ROOT])
    if errors:
        return FileResult(None, errors, builder.position(("id",)))
    # The adapter's serializer gives model_dump_json's bytes without building each model class's own.
    return FileResult(question, errors, builder.position(("id",)), hash_of_json(_question_adapter().dump_json(question)))


def locate(path: Path, loc: Loc) -> tuple[int, int]:
    """Line and column of ``loc`` in a valid question file (for checks made after loading)."""
    builder = YamlBuilder(path)
    node, problems = compose(path)
    if node is not None and not problems:
        builder.build(node)
    return builder.position(loc)



# --------------------------------------------------------------------------- the bank


@dataclass
class Bank:
    """The valid questions of one or more question folders, and the problems found."""

    questions: dict[str, Question] = field(default_factory=dict)
    paths: dict[str, Path] = field(default_factory=dict)
    errors: list[BankError] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)

    def get(self, qid: str) -> Question | None:
        return self.questions.get(qid)

    @property
    def broken_files(self) -> list[Path]:
        return sorted({e.path for e in self.errors})


NOT_QUESTIONS = ("exam_forms.yaml",)  # bank-level data files at a bank's root (the fixed mock-exam forms)


def question_files(root: Path, name: str = "*.yaml") -> list[Path]:
    return sorted(p for p in root.rglob(name) if not any(part.startswith(".") for part in p.parts)
                  and not (p.parent == root and p.name in NOT_QUESTIONS))


def _cache_file(root: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eshikaku"
    digest = re.sub(r"[^A-Za-z0-9]+", "_", str(root.resolve())).strip("_")[-120:]
    return base / f"bank-{digest}.pickle"


Stamp = tuple[tuple[str, int, int, int], ...]


def _reference_stamp(reference_roots: list[Path]) -> Stamp:
    """The stamp of every reference module a question may name.

    A cached question passed the reference check when it was parsed; once a reference module changes
    (a function renamed or removed), every file is checked again.
    """
    return source_stamp([base / "reference" for base in reference_roots])


def source_stamp(folders: list[Path]) -> Stamp:
    """:func:`files_stamp` of every Python file under ``folders`` (each folder once, in order)."""
    return files_stamp([module for folder in dict.fromkeys(folders) for module in sorted(folder.rglob("*.py"))])


def files_stamp(files: list[Path]) -> Stamp:
    """Where each file is, its inode, when it was written and how long it is (a missing one: -1): a file
    replaced by a new one (as pip installs) has another inode even when its time and size are the same."""
    stamp = []
    for path in files:
        try:
            st = path.stat()
            stamp.append((str(path), st.st_ino, st.st_mtime_ns, st.st_size))
        except OSError:
            stamp.append((str(path), -1, -1, -1))
    return tuple(stamp)


def _read_cache(path: Path, references: Stamp) -> dict[str, Any]:
    # The cache lives in the user's own cache directory and is written only by this function's twin;
    # anything unexpected in it is discarded and rebuilt.
    try:
        with path.open("rb") as fh:
            blob = pickle.load(fh)
        files = blob["files"] if blob.get("version") == _cache_version() and blob.get("references") == references else {}
        return files if isinstance(files, dict) else {}
    except Exception:
        return {}


def _write_cache(path: Path, files: dict[str, Any], references: Stamp) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump({"version": _cache_version(), "references": references, "files": files}, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home only costs speed


def add_private_references(root: Path) -> None:
    """Lets ``reference.<module>`` also find the modules of a private bank's own ``reference/`` folder.

    The folder (beside the questions, or inside the questions folder) extends the package's search
    path after the built-in modules, so a private bank needs no change to the installed package.
    """
    import reference

    for folder in (root / "reference", root.parent / "reference"):
        if folder.is_dir() and folder.resolve() != (PROJECT_ROOT / "reference").resolve():
            if str(folder) not in reference.__path__:
                reference.__path__.append(str(folder))


def reference_roots_for(root: Path) -> list[Path]:
    """Where the references of a questions folder may live: beside it, inside it, then the built-in ones."""
    return [root.parent, root, PROJECT_ROOT] if root != BUILTIN_BANK else [PROJECT_ROOT]


def bank_root_of(path: Path) -> Path:
    """The questions folder a single question file belongs to: the folder above its topic folder."""
    return path.resolve().parent.parent


def _cached_result(entry: Any, stamp: tuple[int, int]) -> FileResult | None:
    """The parsed file of a cache entry ``(stamp, pickled FileResult)`` when the file is unchanged."""
    if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == stamp):
        return None
    try:
        result = pickle.loads(entry[1])
    except Exception:
        return None
    return result if isinstance(result, FileResult) else None


def load_bank(roots: list[Path] | None = None, *, use_cache: bool = True) -> Bank:
    """Loads every ``*.yaml`` under ``roots`` (default: the built-in bank), reporting all problems."""
    roots = [r.resolve() for r in (roots or [BUILTIN_BANK])]
    bank = Bank(roots=roots)
    for root in roots:
        if not root.is_dir():
            bank.errors.append(BankError(root, 1, 1, "", "no such questions folder"))
            continue
        reference_roots = reference_roots_for(root)
        if root != BUILTIN_BANK:
            add_private_references(root)
        cache_path = _cache_file(root)
        references = _reference_stamp(reference_roots) if use_cache else ()
        cached = _read_cache(cache_path, references) if use_cache else {}
        fresh: dict[str, Any] = {}
        for path in question_files(root):
            stat = path.stat()
            key = str(path)
            stamp = (stat.st_mtime_ns, stat.st_size)
            result = _cached_result(cached.get(key), stamp)
            if result is not None:
                fresh[key] = cached[key]
            else:
                result = load_file(path, reference_roots)
                if not result.errors:  # a broken file is parsed again next time: its fix may be elsewhere
                    fresh[key] = (stamp, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
            _add(bank, path, result)
        if use_cache and fresh != cached:
            _write_cache(cache_path, fresh, references)
    return bank


def load_question(qid: str, roots: list[Path] | None = None) -> Question | None:
    """The question ``qid`` read from its own file ``<qid>.yaml`` (through the cache), without the rest of the bank.

    It is the question :func:`load_bank` would give for ``qid``: the first root holding a file of that
    name, the first such file in path order (a question's id is its file name). None when that file is
    missing or has a problem: the whole bank then says which (and suggests near ids). When the file is
    cached and unchanged no other file is read, so a problem in another file is not reported here.
    """
    if not re.fullmatch(ID_PATTERN, qid):  # also keeps glob characters out of the file name searched for
        return None
    for root in [r.resolve() for r in (roots or [BUILTIN_BANK])]:
        if not root.is_dir():
            continue
        paths = question_files(root, f"{qid}.yaml")
        if not paths:
            continue
        path = paths[0]
        reference_roots = reference_roots_for(root)
        if root != BUILTIN_BANK:
            add_private_references(root)
        stat = path.stat()
        cached = _read_cache(_cache_file(root), _reference_stamp(reference_roots))
        result = _cached_result(cached.get(str(path)), (stat.st_mtime_ns, stat.st_size))
        if result is None:  # not cached yet, or changed: the whole bank is read once, which fills the cache
            return load_bank(roots).get(qid)
        if result.errors or result.question is None:
            return None
        _remember_hash(result)
        return result.question
    return None


def _remember_hash(result: FileResult) -> None:
    digest = getattr(result, "content_hash", "")
    if result.question is not None and digest:
        remember(result.question, digest)


def _add(bank: Bank, path: Path, result: FileResult) -> None:
    bank.errors.extend(result.errors)
    question = result.question
    if question is None:
        return
    _remember_hash(result)
    if question.id in bank.questions:
        first = bank.paths[question.id]
        bank.errors.append(BankError(path, *result.id_position, "id", f"duplicate id {question.id!r}, also used by {display_path(first)}; ids must be unique"))
        return
    bank.questions[question.id] = question
    bank.paths[question.id] = path
