"""Loading the question bank: YAML with positions, schema validation, and every problem reported at once.

Each problem becomes a :class:`BankError` printed as ``path:line:col: field.path: message``. One
broken file never hides the others: :func:`load_bank` returns the valid questions and the errors.
A parsed index is cached per file (keyed by mtime and size) so that a warm start stays fast.
"""

from __future__ import annotations

import ast
import os
import pickle
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from grader.bank.schema import QUESTION_MODELS, QUESTION_TYPES, CodeBase, ComputedAnswer, Question

try:  # libyaml parses several times faster where PyYAML was built with it
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUILTIN_BANK = PROJECT_ROOT / "questions"
CACHE_VERSION = 2


def _cache_version() -> str:
    """Changes whenever the question models or this loader change, so a cache never outlives its format."""
    import hashlib

    digest = hashlib.sha256(str(CACHE_VERSION).encode())
    for module in ("schema.py", "loader.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    return digest.hexdigest()[:16]

Loc = tuple[str | int, ...]
_QUESTION: TypeAdapter[Question] = TypeAdapter(Question)


@dataclass(frozen=True)
class BankError:
    """A problem in a question file, located for the author."""

    path: Path
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}:{self.col}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def display_path(path: Path) -> str:
    """A path relative to the working directory when that is shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return rel if not rel.startswith("../..") else str(path)


def dotted(loc: Iterable[str | int]) -> str:
    """``('cases', 2, 'args')`` → ``cases[2].args``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --------------------------------------------------------------------------- YAML with positions

_NUMBER_WITHOUT_DOT = re.compile(r"^[-+]?(\d+)[eE][-+]?\d+$")
_YAML11_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
_SCALARS = yaml.SafeLoader("")  # only its scalar constructors are used


class _Builder:
    """Builds plain Python data from a YAML node tree and remembers where each value starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.at: dict[Loc, tuple[int, int]] = {}
        self.errors: list[BankError] = []

    def build(self, node: yaml.Node, loc: Loc = ()) -> Any:
        self.at[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, loc + ("<key>",))
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    self.error(key_node, loc, "a key must be a plain name")
                    continue
                if key in out:
                    self.error(key_node, loc + (key,), f"duplicate key `{key}`: keep only one of them")
                out[key] = self.build(value_node, loc + (key,))
                self.at[loc + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
                self.at[loc + (key, "<key>")] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node, loc)

    def scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        text, tag, plain = node.value, node.tag, not node.style  # libyaml says '' for plain, PyYAML None
        if plain and tag.endswith(":str") and _NUMBER_WITHOUT_DOT.match(text):
            mantissa, exponent = re.split("[eE]", text)
            self.error(node, loc, f"`{text}` is read as text by YAML 1.1 (it has no dot); write `{mantissa}.0e{exponent}`")
            return float(text)
        if plain and tag.endswith(":bool") and text.lower() in _YAML11_BOOL_WORDS:
            self.error(node, loc, f"`{text}` is read as a boolean by YAML 1.1; write true or false, or quote it: '{text}'")
        return _SCALARS.construct_object(node)

    def error(self, node: yaml.Node, loc: Loc, message: str) -> None:
        loc = tuple(p for p in loc if p != "<key>")
        self.errors.append(BankError(self.path, node.start_mark.line + 1, node.start_mark.column + 1, dotted(loc), message))

    def position(self, loc: Loc) -> tuple[int, int]:
        """The position of ``loc``, or of its nearest enclosing value that exists."""
        while loc not in self.at and loc:
            loc = loc[:-1]
        return self.at.get(loc, (1, 1))


# --------------------------------------------------------------------------- pydantic errors → BankError

_FRIENDLY = {
    "missing": "missing required key `{name}`: add it",
    "extra_forbidden": "unknown key `{name}`: remove it or fix its spelling{allowed}",
    "union_tag_invalid": "unknown type {input!r}: use one of " + ", ".join(QUESTION_TYPES),
    "union_tag_not_found": "missing required key `type`: use one of " + ", ".join(QUESTION_TYPES),
    "string_pattern_mismatch": "{input!r} does not match the pattern {pattern}",
    "string_too_short": "is empty: write it",
    "too_short": "is empty: give at least one entry",
}
_VALUE_MEMBERS = {
    "bool", "int", "float", "str", "none", "ArrayValue", "RandomValue", "MappingValue",
    "SequenceValue", "RefValue", "FuncValue", "ExprValue", "IntRange", "OneOf", "FloatRange", "ComputedAnswer",
    "Variable", "list[int]", "list[str]", "tuple[int, int]",
}  # fmt: skip
_VALUE_HELP = {
    "args": "a number, text, or one of {array: …}, {random: …}, {mapping: …}, {sequence: …}, {ref: …}, {func: …}, {expr: …}",
    "values": "one of {range: [low, high]}, {choice: [...]}, {uniform: [low, high]}",
}


def _is_member(part: str | int) -> bool:
    return isinstance(part, str) and (part in _VALUE_MEMBERS or "[" in part or "function-" in part)


def _union_prefix(loc: Loc) -> Loc | None:
    """The location of the outermost union value in ``loc`` (pydantic names each member tried), if any."""
    for i, part in enumerate(loc):
        if _is_member(part):
            return loc[:i]
    return None


def _allowed_keys(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("type"), str) and data["type"] in QUESTION_MODELS:
        fields = sorted(QUESTION_MODELS[data["type"]].model_fields)
        return f" (keys of a {data['type']} question: {', '.join(fields)})"
    return ""


def _validation_errors(exc: ValidationError, data: Any, builder: _Builder) -> list[BankError]:
    out: list[BankError] = []
    seen: set[tuple[str, int, int]] = set()
    for err in exc.errors():
        loc: Loc = tuple(err["loc"])
        if loc and isinstance(data, dict) and loc[0] == data.get("type"):
            loc = loc[1:]  # the discriminated union repeats the tag
        kind = err["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found") and not loc:
            loc = ("type",)  # pydantic reports a bad `type` on the whole mapping: point at the `type` value
        union = _union_prefix(loc)
        if union is not None:
            # Every member of a union reports its own complaint; one message about the value helps more.
            loc, kind = union, "union"
        name = str(loc[-1]) if loc else ""
        if kind == "missing":
            line, col = builder.position(loc[:-1])
        elif kind == "extra_forbidden" and (loc + ("<key>",)) in builder.at:
            line, col = builder.position(loc + ("<key>",))
        else:
            line, col = builder.position(loc)
        if kind == "union":
            what = _VALUE_HELP["values"] if "values" in loc else _VALUE_HELP["args"]
            message = f"not a valid value: write {what}"
        elif kind in _FRIENDLY:
            allowed = _allowed_keys(data) if len(loc) == 1 else ""
            message = _FRIENDLY[kind].format(
                name=name,
                input=data.get("type") if kind == "union_tag_invalid" else err.get("input"),
                allowed=allowed,
                pattern=(err.get("ctx") or {}).get("pattern", ""),
            )
        else:
            message = err["msg"].removeprefix("Value error, ")
        field_path = dotted(loc[:-1] if kind == "extra_forbidden" else loc)
        key = (field_path, line, col) if kind == "union" else (message, line, col)
        if key in seen:
            continue
        seen.add(key)
        out.append(BankError(builder.path, line, col, field_path, message))
    return out


# --------------------------------------------------------------------------- one file


@dataclass
class FileResult:
    question: Question | None
    errors: list[BankError]
    id_position: tuple[int, int] = (1, 1)


def load_file(path: Path, reference_roots: list[Path] | None = None) -> FileResult:
    """Parses and validates one question file; never raises for bad content."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return FileResult(None, [BankError(path, 1, 1, "", f"cannot read the file: {exc}")])
    builder = _Builder(path)
    try:
        node = yaml.compose(text, Loader=_YamlLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        hint = f" ({context})" if context else ""
        return FileResult(None, [BankError(path, line, col, "", f"YAML syntax error: {problem}{hint}; check indentation and quoting")])
    if node is None:
        return FileResult(None, [BankError(path, 1, 1, "", "the file is empty: write one question mapping")])
    data = builder.build(node)
    errors = list(builder.errors)
    if not isinstance(data, dict):
        return FileResult(None, errors + [BankError(path, 1, 1, "", "a question file must be one mapping of keys")])
    try:
        question: Question | None = _QUESTION.validate_python(data)
    except ValidationError as exc:
        return FileResult(None, errors + _validation_errors(exc, data, builder))
    assert question is not None
    if question.id != path.stem:
        line, col = builder.position(("id",))
        errors.append(BankError(path, line, col, "id", f"id {question.id!r} differs from the file name; rename the file to {question.id}.yaml or set "
            f"id: {path.stem}"))
    errors += _reference_errors(question, data, builder, reference_roots or [PROJECT_ROOT])
    return FileResult(None if errors else question, errors, builder.position(("id",)))


def locate(path: Path, loc: Loc) -> tuple[int, int]:
    """Line and column of ``loc`` in a valid question file (for checks made after loading)."""
    builder = _Builder(path)
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return (1, 1)
    if node is not None:
        builder.build(node)
    return builder.position(loc)


# --------------------------------------------------------------------------- references (static check)

_DEFINED: dict[tuple[Path, int, int], set[str] | None] = {}


def _defined_names(module_file: Path) -> set[str] | None:
    """Top-level names a module defines, read without importing it (NumPy stays unloaded)."""
    try:
        st = module_file.stat()
    except OSError:
        return None
    key = (module_file, st.st_mtime_ns, st.st_size)  # an edited module is read again
    if key not in _DEFINED:
        try:
            tree = ast.parse(module_file.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            _DEFINED[key] = None
        else:
            names: set[str] = set()
            for stmt in tree.body:
                if isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                    names.add(stmt.name)
                elif isinstance(stmt, ast.Assign):
                    names.update(t.id for t in stmt.targets if isinstance(t, ast.Name))
                elif isinstance(stmt, (ast.ImportFrom, ast.Import)):
                    names.update((a.asname or a.name).split(".")[0] for a in stmt.names)
            _DEFINED[key] = names
    return _DEFINED[key]


def find_reference(target: str, roots: list[Path]) -> Path | None:
    """The file that defines ``reference.mod:name`` under one of ``roots``, if any."""
    module, _, name = target.partition(":")
    rel = Path(*module.split("."))
    for root in roots:
        for candidate in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
            names = _defined_names(candidate) if candidate.is_file() else None
            if names is not None and name in names:
                return candidate
    return None


def reference_targets(question: Question) -> list[tuple[Loc, str]]:
    targets: list[tuple[Loc, str]] = []
    if isinstance(question, CodeBase):
        targets.append((("reference",), question.reference))
        for i, case in enumerate(question.cases):
            if case.property is not None:
                targets.append((("cases", i, "property", "checker"), case.property.checker))
    answer = getattr(question, "answer", None)
    if isinstance(answer, ComputedAnswer):
        targets.append((("answer", "function"), answer.function))
    if isinstance(answer, list):
        targets += [(("answer", i, "function"), a.function) for i, a in enumerate(answer) if isinstance(a, ComputedAnswer)]
    for wi, wrong in enumerate(getattr(question, "wrong_answers", ())):
        if isinstance(wrong.answer, ComputedAnswer):
            targets.append((("wrong_answers", wi, "answer", "function"), wrong.answer.function))
    return targets


def _reference_errors(question: Question, data: dict[str, Any], builder: _Builder, roots: list[Path]) -> list[BankError]:
    errors = []
    for loc, target in reference_targets(question):
        if find_reference(target, roots) is None:
            module, _, name = target.partition(":")
            line, col = builder.position(loc)
            errors.append(BankError(builder.path, line, col, dotted(loc), f"`{target}` does not exist: define {name} in {module.replace('.', '/')}.py "
                "or fix the name"))
    return errors


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


def question_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.yaml") if not any(part.startswith(".") for part in p.parts)
                  and not (p.parent == root and p.name in NOT_QUESTIONS))


def _cache_file(root: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "eshikaku"
    digest = re.sub(r"[^A-Za-z0-9]+", "_", str(root.resolve())).strip("_")[-120:]
    return base / f"bank-{digest}.pickle"


def _reference_stamp(reference_roots: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """mtime and size of every reference module a question may name.

    A cached question passed the reference check when it was parsed; once a reference module changes
    (a function renamed or removed), every file is checked again.
    """
    stamp = []
    for base in dict.fromkeys(reference_roots):
        for module in sorted((base / "reference").rglob("*.py")):
            try:
                st = module.stat()
            except OSError:
                continue
            stamp.append((str(module), st.st_mtime_ns, st.st_size))
    return tuple(stamp)


def _read_cache(path: Path, references: tuple[tuple[str, int, int], ...]) -> dict[str, Any]:
    # The cache lives in the user's own cache directory and is written only by this function's twin;
    # anything unexpected in it is discarded and rebuilt.
    try:
        with path.open("rb") as fh:
            blob = pickle.load(fh)
        return blob["files"] if blob.get("version") == _cache_version() and blob.get("references") == references else {}
    except Exception:
        return {}


def _write_cache(path: Path, files: dict[str, Any], references: tuple[tuple[str, int, int], ...]) -> None:
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


def load_bank(roots: list[Path] | None = None, *, use_cache: bool = True) -> Bank:
    """Loads every ``*.yaml`` under ``roots`` (default: the built-in bank), reporting all problems."""
    roots = [r.resolve() for r in (roots or [BUILTIN_BANK])]
    bank = Bank(roots=roots)
    for root in roots:
        if not root.is_dir():
            bank.errors.append(BankError(root, 1, 1, "", "no such questions folder"))
            continue
        reference_roots = [root.parent, root, PROJECT_ROOT] if root != BUILTIN_BANK else [PROJECT_ROOT]
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
            hit = cached.get(key)
            result = hit[1] if hit and hit[0] == stamp else load_file(path, reference_roots)
            if not result.errors:  # a broken file is parsed again next time: its fix may be elsewhere
                fresh[key] = (stamp, result)
            _add(bank, path, result)
        if use_cache and fresh != cached:
            _write_cache(cache_path, fresh, references)
    return bank


def _add(bank: Bank, path: Path, result: FileResult) -> None:
    bank.errors.extend(result.errors)
    question = result.question
    if question is None:
        return
    if question.id in bank.questions:
        first = bank.paths[question.id]
        bank.errors.append(BankError(path, *result.id_position, "id", f"duplicate id {question.id!r}, also used by {display_path(first)}; ids must be unique"))
        return
    bank.questions[question.id] = question
    bank.paths[question.id] = path
