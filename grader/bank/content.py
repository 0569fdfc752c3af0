"""A question's content hash: it changes whenever the meaning of the question file changes.

Progress records carry it, so that a resumed session notices a question edited since it started. The
hash is computed from the model's JSON, which needs the model's serializer; building that costs more
than grading a submission, so the loader computes the hash while it parses a file (its validators are
built then anyway), keeps it in the parsed-bank cache, and :func:`remember` attaches it to the question
object it hands out.
"""

from __future__ import annotations

import hashlib
import weakref
from typing import Any

_known: dict[int, str] = {}  # id(question) → its hash, for as long as that object lives


def hash_of_json(data: bytes) -> str:
    """The hash of a question from its model's JSON (``model_dump_json``, or the same bytes from a
    TypeAdapter of the question union, which the loader has built already)."""
    return hashlib.sha256(data).hexdigest()[:16]


def compute_content_hash(question: Any) -> str:
    return hash_of_json(question.model_dump_json().encode("utf-8"))


def remember(question: Any, digest: str) -> None:
    """Records the hash the loader computed for ``question`` (forgotten when the object is freed)."""
    key = id(question)
    if key not in _known:
        _known[key] = digest
        weakref.finalize(question, _known.pop, key, None)


def content_hash(question: Any) -> str:
    """The content hash of ``question``: the loader's when it gave the object out, else computed."""
    known = _known.get(id(question))
    return known if known is not None else compute_content_hash(question)
