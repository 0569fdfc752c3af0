"""The packages of grader/ are layered: a module imports only its own package and the packages below it.

The order is the one docs/architecture.md draws. An import found by walking every module's AST (including
imports inside functions, which are used to keep start-up fast) that goes sideways or upward fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Package → the packages it may import (besides itself). `grader` alone is the package of shared errors.
ALLOWED: dict[str, set[str]] = {
    "grader": set(),
    "bank": {"grader"},
    "sandbox": {"grader"},
    "service": {"grader"},
    "grading": {"grader", "bank", "sandbox"},
    "learner": {"grader", "bank", "sandbox", "grading", "service"},
    "instructor": {"grader", "bank", "sandbox", "grading", "learner", "service"},
}


def _package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "grader":
        return None
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else "grader"


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _modules() -> list[Path]:
    return sorted((ROOT / "grader").rglob("*.py"))


def test_every_package_is_declared() -> None:
    packages = {p.parent.name for p in _modules() if p.parent != ROOT / "grader"}
    assert packages <= set(ALLOWED), f"new package(s) {packages - set(ALLOWED)}: add them to ALLOWED and docs/architecture.md"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    rel = path.relative_to(ROOT / "grader")
    own = rel.parts[0] if len(rel.parts) > 1 else "grader"
    wrong = []
    for line, module in _imports(path):
        if module.split(".")[0] == "cli":
            wrong.append(f"line {line}: imports cli (the command line sits above every package)")
            continue
        target = _package_of(module)
        if target is None or target == own:
            continue
        if target not in ALLOWED[own]:
            wrong.append(f"line {line}: grader/{own} imports {module} (grader/{target}), which is not below it")
    assert not wrong, "\n".join(wrong)


def test_reference_never_imports_the_grader() -> None:
    # The references run in the trusted process and inside checks; they stand on NumPy alone.
    for path in sorted((ROOT / "reference").rglob("*.py")):
        grader_imports = [m for _, m in _imports(path) if m.split(".")[0] in ("grader", "cli")]
        assert not grader_imports, f"{path.name} imports {grader_imports}"
