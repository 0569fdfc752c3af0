"""Learner text made safe to write: control characters shown as visible escapes, never sent raw.

A submission controls its exception messages, its stdout and, in a batch, its folder name. Written raw,
an ESC or BEL starts a terminal sequence when the instructor opens the CSV with ``cat`` or prints a
summary: ``ESC ] 52`` sets the clipboard, ``ESC [ 2J`` clears the screen, ``\\r`` overwrites a line with
another. Every writer of learner text (CSV, JSON reports, Gradescope results, terminal renders) passes
it through :func:`safe_text` (or :func:`safe_data` for nested data); the text stays readable because
each character is replaced by its escape (``\\x1b``), not dropped.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls, DEL, C1 controls (an 8-bit CSI is U+009B), the bidirectional overrides and isolates that
# reorder what a reader sees, line and paragraph separators, and lone surrogates (which cannot even be
# encoded as UTF-8). \n and \t are added back where the format allows them.
_UNSAFE_NO_LINES = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, *, lines: bool = True) -> str:
    """``text`` with every control character replaced by its visible escape (``\\x1b``, ``\\r``→``\\x0d``).

    Args:
        lines: Keep ``\\n`` and ``\\t`` (a multi-line message); False escapes them too (one cell, one line).
    """
    if text.isprintable() and text.isascii():  # the common case, without a regex pass
        return text
    return (_UNSAFE_KEEP_LINES if lines else _UNSAFE_NO_LINES).sub(_escape, text)


def safe_data(value: Any) -> Any:
    """``value`` (JSON-like: dicts, lists, tuples, strings, numbers) with every string made safe, keys included."""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, dict):
        return {safe_text(k) if isinstance(k, str) else k: safe_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [safe_data(v) for v in value]
    return value


def safe_document(document: dict[str, Any]) -> dict[str, Any]:
    """A JSON document (an object) with every string made safe: :func:`safe_data` for the top level."""
    return {safe_text(k): safe_data(v) for k, v in document.items()}
