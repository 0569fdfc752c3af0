"""Removing what a child left in its scratch directory, without following anything it planted."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable


def is_real_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def rmtree(path: str) -> None:
    """Remove a directory tree that a learner may have booby-trapped.

    Never follows a symlink, never touches anything outside ``path``, and tolerates entries that
    are already gone. A learner may have made a directory unwritable (when seccomp, which denies
    chmod, is not active): only real directories inside the tree are made writable again.
    """
    root = os.path.abspath(path)
    if not is_real_dir(root):
        return

    def inside(target: str) -> bool:
        return target == root or target.startswith(root + os.sep)

    def retry(func: Callable[..., object], target: str, exc: object) -> None:
        if isinstance(exc, tuple):  # onerror (Python < 3.12) passes exc_info
            exc = exc[1]
        if isinstance(exc, FileNotFoundError):
            return
        target = os.path.abspath(target)
        try:
            for candidate in (os.path.dirname(target), target):
                if inside(candidate) and is_real_dir(candidate):
                    os.chmod(candidate, 0o700)
            if inside(target):
                func(target)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(root, onexc=retry)
    else:
        shutil.rmtree(root, onerror=retry)
