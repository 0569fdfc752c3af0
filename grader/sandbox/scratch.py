"""Removing what a child left in its scratch directory, without following anything it planted."""

from __future__ import annotations

import os
import shutil
import stat


def is_real_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def rmtree(path: str) -> bool:
    """Remove a directory tree that a learner may have booby-trapped; True when nothing is left.

    Never raises, never follows a symlink, never touches anything outside ``path``, and tolerates
    entries that are already gone. Iterative with a bounded depth: every directory met is first
    moved up into the root under a fresh name, so no path grows with the tree (1,500 nested levels
    exceed both the recursion limit and PATH_MAX) and at most two descriptors are open. A directory
    the learner made unreadable (when seccomp, which denies chmod, is not active) is made
    accessible again; only real directories inside the tree are changed.
    """
    root = os.path.abspath(path)
    if not is_real_dir(root):
        return not os.path.lexists(root)
    if not _HAVE_DIR_FD:  # pragma: no cover - Windows: no *at() calls
        shutil.rmtree(root, ignore_errors=True)
        return not os.path.lexists(root)
    try:
        _empty_flat(root)
        os.rmdir(root)
    except Exception:  # whatever is left is the caller's to discard, never an error in grading
        pass
    return not os.path.lexists(root)


_HAVE_DIR_FD = ({os.open, os.unlink, os.rmdir, os.rename} <= os.supports_dir_fd and os.scandir in os.supports_fd)
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_MAX_ROUNDS = 1 << 20  # directories handled in one call; a tree has at most as many as inodes allow


def _open_dir(name: str, dir_fd: int) -> int:
    """A descriptor of the real directory ``name`` in ``dir_fd`` (never a symlink's target), with
    read, write and search rights for its owner (so that its entries can be removed)."""
    try:
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except PermissionError:
        _make_accessible(name, dir_fd)
        fd = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    _owner_rwx(fd)
    return fd


def _owner_rwx(fd: int) -> None:
    try:
        if os.fstat(fd).st_mode & 0o700 != 0o700:
            os.chmod(fd, 0o700)
    except OSError:
        pass


def _make_accessible(name: str, dir_fd: int) -> None:
    o_path = getattr(os, "O_PATH", 0)
    if o_path:  # Linux: chmod through an O_PATH descriptor, which is never a symlink's target
        fd = os.open(name, o_path | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
        try:
            if stat.S_ISDIR(os.fstat(fd).st_mode):
                os.chmod(f"/proc/self/fd/{fd}", 0o700)
        finally:
            os.close(fd)
    elif os.chmod in os.supports_follow_symlinks:  # pragma: no cover - macOS has lchmod
        if stat.S_ISDIR(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode):
            os.chmod(name, 0o700, dir_fd=dir_fd, follow_symlinks=False)


def _empty_flat(root: str) -> None:
    """Empty ``root``: each sub-directory's files are unlinked and its own sub-directories renamed into
    ``root``, then it is removed; repeat until ``root`` holds no directory, or a round changes nothing."""
    root_fd = os.open(root, _DIR_FLAGS)
    counter = 0
    try:
        _owner_rwx(root_fd)
        for _ in range(_MAX_ROUNDS):
            pending = []
            with os.scandir(root_fd) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.name)
                    else:
                        _unlink(entry.name, root_fd)
            progress = False
            for name in pending:
                try:
                    fd = _open_dir(name, root_fd)
                except OSError:
                    continue  # gone, or cannot be opened: left for the caller to discard
                try:
                    with os.scandir(fd) as entries:
                        inner = [(e.name, e.is_dir(follow_symlinks=False)) for e in entries]
                    for child, is_dir in inner:
                        if not is_dir:
                            _unlink(child, fd)
                            continue
                        counter += 1
                        try:
                            os.rename(child, f".flat-{counter}", src_dir_fd=fd, dst_dir_fd=root_fd)
                            progress = True
                        except OSError:
                            pass
                except OSError:
                    pass
                finally:
                    os.close(fd)
                try:
                    os.rmdir(name, dir_fd=root_fd)
                    progress = True
                except OSError:
                    pass
            if not progress:
                return
    finally:
        os.close(root_fd)


def _unlink(name: str, dir_fd: int) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)
    except OSError:
        pass  # gone already, or left for the caller to discard


def empty_scratch(scratch_root: str, scratch: str) -> bool:
    """Empty ``scratch_root`` but for its working directory ``scratch`` (``run``), and ``run`` itself; True
    when both are as new."""
    dirty = False
    for directory, keep in ((scratch_root, "run"), (scratch, None)):
        if not is_real_dir(directory):
            continue
        try:
            os.chmod(directory, 0o700)
            entries = list(os.scandir(directory))
        except OSError:
            entries = []
        for entry in entries:
            if entry.name == keep and entry.is_dir(follow_symlinks=False):
                continue
            dirty = True
            if entry.is_dir(follow_symlinks=False):
                rmtree(entry.path)
            else:  # files, and symlinks themselves (never their targets)
                try:
                    os.unlink(entry.path)
                except OSError:
                    pass
    if not is_real_dir(scratch):
        dirty = True
        try:
            os.mkdir(scratch, 0o700)
        except OSError:
            pass
    return not dirty or (is_real_dir(scratch) and not os.listdir(scratch)
                         and os.listdir(scratch_root) == ["run"])
