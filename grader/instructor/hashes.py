"""Hashes of what a grade depends on (question content, references, grader modules) and the seeds of the attempts.

Every submission draws new hidden inputs: ``seed = H(batch salt, student, question id, question hash,
submission hash)``, where the salt is drawn afresh for each batch and never written down, so nobody
can compute a seed ahead of grading, and a resubmission (new code) gets a new seed. The seed is
recorded in the report's row: a regrade of an unchanged submission (``--regrade``, ``--since-changed``)
reuses it and so sees the same cases. Editing what a question grades with changes its hash and marks
its rows for ``--since-changed``.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from grader.bank.loader import reference_targets
from grader.bank.schema import Question
from grader.instructor.batch_constants import GRADER_MODULES, PRESENTATION_FIELDS

# --------------------------------------------------------------------------- hashes and seeds


def _sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def content_hash(question: Question) -> str:
    """A hash of what the question grades with (its wording, hints and 解説 left out)."""
    model = type(question)
    exclude = set(PRESENTATION_FIELDS & set(model.model_fields))
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


def batch_salt() -> bytes:
    """A secret drawn once per batch: what makes a submission's seed unpredictable to its author."""
    return secrets.token_bytes(16)


def submission_seed(salt: bytes, student: str, question_id: str, question_content_hash: str, submission_sha256: str) -> int:
    """The seed of one submission to one question (1 ≤ seed < 2**31): new for every batch salt and every new code."""
    digest = hashlib.sha256(salt + f"\0{student}\0{question_id}\0{question_content_hash}\0{submission_sha256}".encode()).digest()
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
