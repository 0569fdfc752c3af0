"""References named by questions, checked statically: the module exists and defines the name (NumPy stays unloaded)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from grader.bank.positions import BankError, Loc, YamlBuilder, dotted
from grader.bank.schema import CodeBase, ComputedAnswer, NumericPart, Question

_DEFINED: dict[tuple[Path, int, int], set[str] | SyntaxError | None] = {}


def _defined_names(module_file: Path) -> set[str] | SyntaxError | None:
    """Top-level names a module defines, read without importing it (NumPy stays unloaded); the
    SyntaxError when it cannot be parsed; None when it cannot be read."""
    try:
        st = module_file.stat()
    except OSError:
        return None
    key = (module_file, st.st_mtime_ns, st.st_size)  # an edited module is read again
    if key not in _DEFINED:
        try:
            tree = ast.parse(module_file.read_text(encoding="utf-8"))
        except SyntaxError as exc:
            _DEFINED[key] = exc
        except (OSError, UnicodeDecodeError, ValueError):
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


def _candidates(target: str, roots: list[Path]) -> list[Path]:
    rel = Path(*target.partition(":")[0].split("."))
    return [c for root in roots for c in (root / rel.with_suffix(".py"), root / rel / "__init__.py") if c.is_file()]


def find_reference(target: str, roots: list[Path]) -> Path | None:
    """The file that defines ``reference.mod:name`` under one of ``roots``, if any."""
    name = target.partition(":")[2]
    for candidate in _candidates(target, roots):
        names = _defined_names(candidate)
        if isinstance(names, set) and name in names:
            return candidate
    return None


def _broken_module(target: str, roots: list[Path]) -> tuple[Path, SyntaxError] | None:
    for candidate in _candidates(target, roots):
        names = _defined_names(candidate)
        if isinstance(names, SyntaxError):
            return candidate, names
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
    for pi, part in enumerate(getattr(question, "parts", ())):
        if isinstance(part, NumericPart):
            answers: list[tuple[Loc, Any]] = [(("parts", pi, "answer", "function"), part.answer)]
            answers += [(("parts", pi, "wrong_answers", wi, "answer", "function"), w.answer) for wi, w in enumerate(part.wrong_answers)]
            targets += [(loc, a.function) for loc, a in answers if isinstance(a, ComputedAnswer)]
    return targets


def reference_errors(question: Question, data: dict[str, Any], builder: YamlBuilder, roots: list[Path]) -> list[BankError]:
    errors = []
    for loc, target in reference_targets(question):
        broken = _broken_module(target, roots) if find_reference(target, roots) is None else None
        if broken:
            module_file, exc = broken
            errors.append(BankError(module_file, exc.lineno or 1, exc.offset or 1, "", f"SyntaxError: {exc.msg} (this module holds "
                                    f"`{target}`, named by {builder.path.name}): fix the code"))
        elif find_reference(target, roots) is None:
            module, _, name = target.partition(":")
            line, col = builder.position(loc)
            errors.append(BankError(builder.path, line, col, dotted(loc), f"`{target}` does not exist: define {name} in {module.replace('.', '/')}.py "
                "or fix the name"))
    return errors


