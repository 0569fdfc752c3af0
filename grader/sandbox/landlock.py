"""Landlock: the file allow-list (and, on newer ABIs, TCP and signal scoping) of every child."""

from __future__ import annotations

import ctypes
import errno
import os
import sys
from collections.abc import Iterable

from grader.sandbox.syscalls import COMMON_NRS, syscall

LL_EXECUTE = 1 << 0
LL_WRITE_FILE = 1 << 1
LL_READ_FILE = 1 << 2
LL_READ_DIR = 1 << 3
LL_REMOVE_DIR = 1 << 4
LL_REMOVE_FILE = 1 << 5
LL_MAKE_CHAR = 1 << 6
LL_MAKE_DIR = 1 << 7
LL_MAKE_REG = 1 << 8
LL_MAKE_SOCK = 1 << 9
LL_MAKE_FIFO = 1 << 10
LL_MAKE_BLOCK = 1 << 11
LL_MAKE_SYM = 1 << 12
LL_REFER = 1 << 13  # ABI 2
LL_TRUNCATE = 1 << 14  # ABI 3
LL_IOCTL_DEV = 1 << 15  # ABI 5
LL_NET_BIND_TCP = 1 << 0  # ABI 4
LL_NET_CONNECT_TCP = 1 << 1
LL_SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
LL_SCOPE_SIGNAL = 1 << 1
_LL_FILE_RIGHTS = LL_EXECUTE | LL_WRITE_FILE | LL_READ_FILE | LL_TRUNCATE | LL_IOCTL_DEV
_LL_RULE_PATH_BENEATH = 1
_LL_CREATE_RULESET_VERSION = 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def landlock_abi() -> tuple[int, str]:
    """(ABI version, reason); version 0 means Landlock cannot be used here, and the reason says why."""
    if not sys.platform.startswith("linux"):
        return 0, "Landlock is a Linux security module"
    try:
        abi = syscall(COMMON_NRS["landlock_create_ruleset"], None, 0, _LL_CREATE_RULESET_VERSION)
    except OSError as exc:
        if exc.errno == errno.ENOSYS:
            return 0, "kernel has no Landlock syscalls (needs Linux >= 5.13 built with CONFIG_SECURITY_LANDLOCK)"
        if exc.errno == errno.EOPNOTSUPP:
            return 0, "Landlock is built in but not enabled at boot (add 'landlock' to the lsm= kernel parameter)"
        return 0, f"landlock_create_ruleset failed: {exc.strerror}"
    return abi, f"ABI {abi}"


def _handled_fs(abi: int) -> int:
    handled = (1 << 13) - 1
    if abi >= 2:
        handled |= LL_REFER
    if abi >= 3:
        handled |= LL_TRUNCATE
    if abi >= 5:
        handled |= LL_IOCTL_DEV
    return handled


class LandlockRuleset:
    """A ruleset built once (in the zygote) and enforced in each child with one syscall.

    Read-only: the Python installation and system libraries, minus the project's own files.
    Read-write: the scratch root (each child works in its ``run`` sub-directory; the children of one
    zygote never run learner code at the same time, and the grader empties the root after every
    run). On ABI >= 4 all TCP bind and
    connect are denied; on ABI >= 6 signals and abstract UNIX sockets are scoped to the sandbox.
    """

    def __init__(self, abi: int, read_only: Iterable[str], read_write: Iterable[str],
                 devices_rw: Iterable[str] = ("/dev/null",),
                 devices_ro: Iterable[str] = ("/dev/urandom", "/dev/random", "/dev/zero")) -> None:
        self.abi = abi
        handled = _handled_fs(abi)
        attr = _RulesetAttr(handled, 0, 0)
        size = 8
        if abi >= 4:
            attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP
            size = 16
        if abi >= 6:
            attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL
            size = 24
        self.fd = syscall(COMMON_NRS["landlock_create_ruleset"], ctypes.byref(attr), size, 0)
        self.rules = 0
        ro = LL_READ_FILE | LL_READ_DIR
        rw = handled & ~(LL_EXECUTE | LL_MAKE_CHAR | LL_MAKE_BLOCK | LL_IOCTL_DEV)
        # Kept to build a child's own copy with one more directory (see restrict_with_dir): the
        # attributes, and each rule with its O_PATH descriptor, held open by the zygote.
        self._attr, self._size, self._rw = attr, size, rw
        self._rule_structs: list[_PathBeneathAttr] = []
        try:
            for path in read_only:
                self._add(path, ro & handled)
            for path in read_write:
                self._add(path, rw)
            for path in devices_rw:
                self._add(path, (LL_READ_FILE | LL_WRITE_FILE) & handled)
            for path in devices_ro:
                self._add(path, LL_READ_FILE)
        except BaseException:
            os.close(self.fd)
            raise

    def _add(self, path: str, access: int) -> None:
        try:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return  # a path that does not exist needs no rule
        try:
            if not os.path.isdir(path):
                access &= _LL_FILE_RIGHTS
            rule = _PathBeneathAttr(access, fd)
            syscall(COMMON_NRS["landlock_add_rule"], self.fd, _LL_RULE_PATH_BENEATH, ctypes.byref(rule), 0)
            self.rules += 1
        except BaseException:
            os.close(fd)
            raise
        self._rule_structs.append(rule)

    def restrict_with_dir(self, path: str) -> None:
        """Enforce this ruleset plus read-write access beneath ``path`` on the calling process.

        For a child's private tmpfs: a rule on the directory it is mounted over does not reach it
        (Landlock skips hidden mount points), so each child builds its own copy, from the rules the
        zygote prepared, with the tmpfs root added: about 20 syscalls, before the child's run exists.
        """
        create, add = COMMON_NRS["landlock_create_ruleset"], COMMON_NRS["landlock_add_rule"]
        fd = syscall(create, ctypes.byref(self._attr), self._size, 0)
        try:
            for rule in self._rule_structs:
                syscall(add, fd, _LL_RULE_PATH_BENEATH, ctypes.byref(rule), 0)
            root = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                syscall(add, fd, _LL_RULE_PATH_BENEATH, ctypes.byref(_PathBeneathAttr(self._rw, root)), 0)
            finally:
                os.close(root)
            syscall(COMMON_NRS["landlock_restrict_self"], fd, 0)
        finally:
            os.close(fd)

    def features(self) -> str:
        parts = [f"ABI {self.abi}: read-only allow-list ({self.rules} rules), writes only in the scratch dir"]
        if self.abi >= 4:
            parts.append("TCP bind/connect denied")
        if self.abi >= 6:
            parts.append("signals and abstract UNIX sockets scoped to the sandbox")
        return "; ".join(parts)

    @staticmethod
    def restrict_self(fd: int) -> None:
        """Enforce the ruleset referred to by ``fd`` on the calling process (after no_new_privs)."""
        syscall(COMMON_NRS["landlock_restrict_self"], fd, 0)
