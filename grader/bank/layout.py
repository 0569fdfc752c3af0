"""Where the built-in bank lives and the names of the question types: what the command line needs
before (and often instead of) loading the question schema, whose import costs more than NumPy's."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BUILTIN_BANK = PROJECT_ROOT / "questions"

# The `type:` of each question model, in the order of grader.bank.schema.QUESTION_MODELS (a test keeps them equal).
QUESTION_TYPES = ("choice", "numeric", "numeric_parts", "shape", "expression", "matching", "code_blank", "code_function", "self_graded")
