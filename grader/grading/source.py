"""The learner's source as it is graded: a code_blank's template filled from the chosen or typed blanks,
a code_function's file as submitted, and imports that grading does not need set aside.
"""

from __future__ import annotations

import ast
import importlib.util
import re

from grader.bank.schema import CodeBase, CodeBlankQuestion
from grader.i18n import _

_ATOMS = (ast.Name, ast.Constant, ast.Attribute, ast.Subscript, ast.Call, ast.List, ast.Tuple, ast.Dict, ast.Set)


def _grouped(token: str, code: str) -> str:
    """The code to put in place of ``token``: a marker written with brackets, like ``(あ)``, keeps them
    around an expression, so ``2 * (あ)`` with ``h + h_tilde`` reads ``2 * (h + h_tilde)``."""
    if not token.startswith(("(", "（")):
        return code
    try:
        node = ast.parse(code, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return code  # a statement, or not code at all: inserted as written
    return code if isinstance(node, _ATOMS) else f"({code})"


def fill_blanks(question: CodeBlankQuestion, codes: dict[str, str]) -> str:
    """The template with each blank's marker replaced by the given code (missing blanks stay as markers)."""
    source = question.template
    for blank in question.blanks:
        if blank.name in codes:
            source = source.replace(blank.token, _grouped(blank.token, codes[blank.name].strip()))
    return source


def choice_codes(question: CodeBlankQuestion, keys: dict[str, str]) -> dict[str, str]:
    """Blank name → the code of the chosen choice key."""
    return {b.name: next(c.text for c in b.choices if c.key == keys[b.name]) for b in question.blanks if b.name in keys}


def solution_source(question: CodeBase) -> str | None:
    """The model solution: a code_blank's template with every right answer, or a code_function's `solution`."""
    if isinstance(question, CodeBlankQuestion):
        return fill_blanks(question, {b.name: b.right_code for b in question.blanks})
    return getattr(question, "solution", "") or None


def parse_blank_submission(question: CodeBlankQuestion, text: str) -> dict[str, str]:
    """A blank submission: the whole (filled-in or untouched) template, ``# (え)`` headed sections, or one blank's code."""
    first_line = next((line.strip() for line in question.template.splitlines() if line.strip()), "")
    if (first_line and first_line in text) or any(b.token in text for b in question.blanks):
        return {"__whole__": text}
    sections = re.split(r"^#\s*\(?([^\s)]+)\)?\s*$", text, flags=re.M)
    names = {b.name for b in question.blanks}
    if len(sections) > 1 and all(sections[i] in names for i in range(1, len(sections), 2)):
        return {sections[i]: sections[i + 1].strip() for i in range(1, len(sections), 2)}
    if len(question.blanks) == 1:
        return {question.blanks[0].name: _blank_part(question.template, question.blanks[0].token, text.strip())}
    raise ValueError("give the whole filled-in template, or one section per blank headed `# (name)`")


def _blank_part(template: str, token: str, code: str) -> str:
    """The blank's part of ``code`` when the learner typed the whole template line around it
    (``grad += rate * param`` for the blank in ``grad += rate * (え)``)."""
    line = next((l for l in template.splitlines() if token in l), "")
    before, _, after = line.partition(token)
    before, after = before.strip(), after.strip()
    if "\n" not in code and before and code.startswith(before):
        code = code[len(before) :].strip()
        if after and code.endswith(after):
            code = code[: -len(after)].strip()
    return code


def source_for(question: CodeBase, submission: str | dict[str, str]) -> str:
    if isinstance(question, CodeBlankQuestion):
        codes = parse_blank_submission(question, submission) if isinstance(submission, str) else submission
        return codes["__whole__"] if "__whole__" in codes else fill_blanks(question, codes)
    assert isinstance(submission, str)
    return submission


# Libraries for plots and tables that learners import out of habit (a notebook's first cell); grading needs none.
DISPLAY_LIBRARIES = frozenset({"matplotlib", "pandas", "seaborn", "IPython", "japanize_matplotlib", "tqdm", "plotly"})


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


_IMPORT_LINE = re.compile(r"^[ \t]*(?:import|from)[ \t]+([A-Za-z_]\w*)(.*)$", re.M)
_COMMON = frozenset({"numpy", "math", "random", "collections", "itertools", "functools", "typing", "copy"})


def _only_common_imports(source: str) -> bool:
    """Whether every import line names a module of :data:`_COMMON` (and nothing else shares its line)."""
    if ";" in source or "\\" in source or "__import__" in source:
        return False
    for match in _IMPORT_LINE.finditer(source):
        if match.group(1) not in _COMMON or "," in match.group(2) or "(" in match.group(2):
            return False
    return True


def set_aside_unused_imports(source: str) -> tuple[str, tuple[str, ...]]:
    """The source with top-level imports of display libraries (or of modules that are not installed) blanked
    out when nothing else in the file uses the names they bind; and the modules set aside.

    Line numbers are kept (each removed line becomes empty), so tracebacks still point at the learner's lines.
    """
    if _only_common_imports(source):  # the usual file: nothing to set aside, no parse needed
        return source, ()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return source, ()
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    used |= {node.value.id for node in ast.walk(tree) if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)}
    lines = source.splitlines(keepends=True)
    removed: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            bound = [(alias.asname or alias.name).split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
            bound = [alias.asname or alias.name for alias in node.names]
        else:
            continue
        tops = [m.split(".")[0] for m in modules]
        if not all(top in DISPLAY_LIBRARIES or _missing(top) for top in tops) or any(name in used for name in bound):
            continue
        end = node.end_lineno or node.lineno
        for number in range(node.lineno, end + 1):
            lines[number - 1] = "\n"
        removed += [m for m in modules if m not in removed]
    return "".join(lines), tuple(removed)


def set_aside_note(modules: tuple[str, ...]) -> str:
    return _("{modules} の import は採点に使わないため外して採点しました (提出では消してかまいません)。").format(modules=", ".join(modules))
