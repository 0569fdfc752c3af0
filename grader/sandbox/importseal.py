"""Import sealing, called by the harness right before it runs learner code (honest errors, not a wall)."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Iterable

from grader.sandbox.allowlist import is_within, protected_path_tuple

_SEALED_TOPS = ("grader", "reference", "questions", "cli")


class _SealedImportBlocker(importlib.abc.MetaPathFinder):
    """Refuses imports of the grader, the reference solutions, the question bank and the CLI."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in _SEALED_TOPS:
            raise ModuleNotFoundError(f"import of {fullname!r} is not allowed in a submission", name=fullname)
        return None


# Names to seal, listed once in the zygote: scanning all of sys.modules in every child would write
# the reference count of every key (hundreds of copy-on-write page faults per child). The protected
# paths too: finding them takes dozens of stat calls, each slower under Landlock and seccomp.
_seal_snapshot: tuple[int, tuple[str, ...]] | None = None
_protected: tuple[str, ...] | None = None
_sealed = False  # in this process, before any learner code ran


def prepare_seal() -> None:
    """Remember which loaded modules :func:`seal_imports` must drop (call before forking children)."""
    global _seal_snapshot, _protected
    _protected = protected_path_tuple()  # first: it may import modules (sysconfig data)
    names = tuple(n for n in sys.modules if n.partition(".")[0] in _SEALED_TOPS)
    _seal_snapshot = (len(sys.modules), names)


def seal_imports() -> None:
    """Forget ``grader``/``reference``/``questions``/``cli`` modules and refuse to import them again.

    This is a convenience layer for honest error messages: learner code can undo it, so on Linux
    Landlock is what actually keeps those files unreadable. A second call in the same process (a
    child sealed while it waited for its run) does nothing.
    """
    global _sealed
    if _sealed:
        return
    _sealed = True
    modules = sys.modules
    snapshot = _seal_snapshot
    if snapshot is not None and len(modules) == snapshot[0] and all(n in modules for n in snapshot[1]):
        names: Iterable[str] = snapshot[1]
    else:  # something was imported since the zygote's snapshot: look at everything
        names = [n for n in list(modules) if n.partition(".")[0] in _SEALED_TOPS]
    for name in names:
        modules.pop(name, None)
    if not any(isinstance(f, _SealedImportBlocker) for f in sys.meta_path):
        sys.meta_path.insert(0, _SealedImportBlocker())
    protected = _protected if _protected is not None else protected_path_tuple()
    sys.path[:] = [p for p in sys.path if not (p and any(is_within(os.path.abspath(p), q) for q in protected))]
