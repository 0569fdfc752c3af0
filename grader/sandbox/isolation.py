"""Kernel isolation layers for a sandboxed child: rlimits, capabilities, namespaces, Landlock, seccomp."""

from __future__ import annotations

import ctypes
import errno
import functools
import importlib.abc
import math
import os
import platform
import site
import struct
import sys
import sysconfig
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX only; Windows has neither.
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

__all__ = [
    "LayerStatus",
    "LandlockRuleset",
    "SeccompFilter",
    "PROTECTED_NAMES",
    "project_dir",
    "protected_paths",
    "readonly_paths",
    "landlock_abi",
    "seccomp_arch",
    "apply_rlimits",
    "drop_capabilities",
    "set_no_new_privs",
    "set_pdeathsig",
    "set_child_subreaper",
    "enter_user_net_namespace",
    "SharedNamespaces",
    "seal_imports",
]


@dataclass(frozen=True)
class LayerStatus:
    """One isolation layer: its name, whether it is active here, and what it does or why it is missing."""

    name: str
    active: bool
    detail: str


# --------------------------------------------------------------------------------------------
# libc and raw syscalls (Linux)

_libc: ctypes.CDLL | None = None


def _lib() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        lib = ctypes.CDLL(None, use_errno=True)
        lib.syscall.restype = ctypes.c_long
        lib.prctl.restype = ctypes.c_int
        lib.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        lib.unshare.restype = ctypes.c_int
        lib.unshare.argtypes = [ctypes.c_int]
        lib.setns.restype = ctypes.c_int
        lib.setns.argtypes = [ctypes.c_int, ctypes.c_int]
        _libc = lib
    return _libc


def _check(result: int) -> int:
    if result == -1:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def _syscall(nr: int, *args: object) -> int:
    cargs = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    return _check(_lib().syscall(ctypes.c_long(nr), *cargs))


def _prctl(option: int, a2: int = 0, a3: int = 0, a4: int = 0, a5: int = 0) -> int:
    return _check(_lib().prctl(option, a2, a3, a4, a5))


PR_SET_PDEATHSIG = 1
PR_SET_SECCOMP = 22
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECCOMP_MODE_FILTER = 2

CLONE_NEWTIME = 0x00000080
CLONE_THREAD = 0x00010000
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
_CLONE_NAMESPACES = (CLONE_NEWTIME | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC
                     | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)


def set_pdeathsig(sig: int) -> None:
    """Have the kernel send ``sig`` to this process when its parent dies."""
    _prctl(PR_SET_PDEATHSIG, sig)


def set_child_subreaper() -> None:
    """Adopt orphaned descendants, so that the zygote can find and kill anything a child left behind."""
    _prctl(PR_SET_CHILD_SUBREAPER, 1)


def set_no_new_privs() -> None:
    """Required before Landlock and seccomp without CAP_SYS_ADMIN; also blocks set-uid gains."""
    _prctl(PR_SET_NO_NEW_PRIVS, 1)


# --------------------------------------------------------------------------------------------
# Architecture and syscall numbers

AUDIT_ARCH_X86_64 = 0xC000003E
AUDIT_ARCH_AARCH64 = 0xC00000B7

# Syscalls whose numbers differ by architecture. Newer syscalls (>= 424) share one number everywhere.
_X86_64 = {
    "socket": 41, "socketpair": 53, "connect": 42, "bind": 49, "listen": 50, "accept": 43, "accept4": 288,
    "execve": 59, "execveat": 322, "fork": 57, "vfork": 58, "clone": 56,
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
    "truncate": 76, "kill": 62, "tkill": 200, "tgkill": 234, "rt_sigqueueinfo": 129, "rt_tgsigqueueinfo": 297,
    "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323, "keyctl": 250, "add_key": 248, "request_key": 249,
    "personality": 135, "setsid": 112, "setpgid": 109,
    "open_by_handle_at": 304, "name_to_handle_at": 303, "fanotify_init": 300,
    "init_module": 175, "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320,
    "reboot": 169, "swapon": 167, "swapoff": 168, "acct": 163, "quotactl": 179, "syslog": 103,
    "uselib": 134, "iopl": 172, "ioperm": 173, "vhangup": 153,
    "settimeofday": 164, "clock_settime": 227, "adjtimex": 159, "clock_adjtime": 305,
    "sethostname": 170, "setdomainname": 171,
    "chmod": 90, "fchmod": 91, "fchmodat": 268, "chown": 92, "fchown": 93, "lchown": 94, "fchownat": 260,
    "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "removexattr": 197, "lremovexattr": 198,
    "fremovexattr": 199, "utime": 132, "utimes": 235, "utimensat": 280, "futimesat": 261,
    "shmget": 29, "msgget": 68, "semget": 64, "mq_open": 240,
    "prlimit64": 302, "setpriority": 141, "ioprio_set": 251, "sched_setaffinity": 203,
    "sched_setscheduler": 144, "sched_setparam": 142, "sched_setattr": 314,
    "migrate_pages": 256, "move_pages": 279, "ioctl": 16, "capset": 126,
}
_AARCH64 = {  # asm-generic numbering; the legacy non-*at calls and fork/vfork do not exist there
    "socket": 198, "socketpair": 199, "connect": 203, "bind": 200, "listen": 201, "accept": 202, "accept4": 242,
    "execve": 221, "execveat": 281, "clone": 220,
    "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
    "truncate": 45, "kill": 129, "tkill": 130, "tgkill": 131, "rt_sigqueueinfo": 138, "rt_tgsigqueueinfo": 240,
    "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
    "bpf": 280, "perf_event_open": 241, "userfaultfd": 282, "keyctl": 219, "add_key": 217, "request_key": 218,
    "personality": 92, "setsid": 157, "setpgid": 154,
    "open_by_handle_at": 265, "name_to_handle_at": 264, "fanotify_init": 262,
    "init_module": 105, "finit_module": 273, "delete_module": 106, "kexec_load": 104, "kexec_file_load": 294,
    "reboot": 142, "swapon": 224, "swapoff": 225, "acct": 89, "quotactl": 60, "syslog": 116, "vhangup": 58,
    "settimeofday": 170, "clock_settime": 112, "adjtimex": 171, "clock_adjtime": 266,
    "sethostname": 161, "setdomainname": 162,
    "fchmod": 52, "fchmodat": 53, "fchown": 55, "fchownat": 54,
    "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14, "lremovexattr": 15, "fremovexattr": 16,
    "utimensat": 88,
    "shmget": 194, "msgget": 186, "semget": 190, "mq_open": 180,
    "prlimit64": 261, "setpriority": 140, "ioprio_set": 30, "sched_setaffinity": 122,
    "sched_setscheduler": 119, "sched_setparam": 118, "sched_setattr": 274,
    "migrate_pages": 238, "move_pages": 239, "ioctl": 29, "capset": 91,
}
_COMMON = {
    "pidfd_send_signal": 424, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "pidfd_open": 434, "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442,
    "landlock_create_ruleset": 444, "landlock_add_rule": 445, "landlock_restrict_self": 446,
    "process_mrelease": 448, "fchmodat2": 452, "setxattrat": 463, "removexattrat": 466,
    "open_tree_attr": 467, "file_setattr": 469,
}
_ARCHES = {
    "x86_64": (AUDIT_ARCH_X86_64, {**_X86_64, **_COMMON}),
    "amd64": (AUDIT_ARCH_X86_64, {**_X86_64, **_COMMON}),
    "aarch64": (AUDIT_ARCH_AARCH64, {**_AARCH64, **_COMMON}),
    "arm64": (AUDIT_ARCH_AARCH64, {**_AARCH64, **_COMMON}),
}


@functools.lru_cache(maxsize=1)
def seccomp_arch() -> tuple[int, dict[str, int]] | None:
    """(AUDIT_ARCH value, syscall table) for this machine, or None if the filter has no table for it."""
    if not sys.platform.startswith("linux") or struct.calcsize("P") != 8:
        return None
    return _ARCHES.get(platform.machine().lower())


def _nr(name: str) -> int:
    arch = seccomp_arch()
    if arch is None:
        raise OSError(errno.ENOSYS, f"no syscall table for {platform.machine()}")
    return arch[1][name]


# --------------------------------------------------------------------------------------------
# rlimits and capabilities


def apply_rlimits(cpu_seconds: float, memory_bytes: int | None, file_bytes: int, nofile: int = 64,
                  nproc: int | None = None) -> list[str]:
    """Set the child's resource limits; return the names of those the OS accepted.

    CPU: soft = ceil(cpu_seconds) sends SIGXCPU, hard = soft + 1 s sends SIGKILL (a learner can ignore
    SIGXCPU but not SIGKILL). AS is skipped where the OS does not honour it (macOS).
    """
    if resource is None:
        return []
    applied: list[str] = []

    def setlim(name: str, which: int, soft: int, hard: int | None = None) -> None:
        hard = soft if hard is None else hard
        _, cur_hard = resource.getrlimit(which)
        if cur_hard != resource.RLIM_INFINITY:
            hard = min(hard, cur_hard)
            soft = min(soft, hard)
        try:
            resource.setrlimit(which, (soft, hard))
        except (ValueError, OSError):
            return
        applied.append(name)

    cpu = max(1, math.ceil(cpu_seconds))
    setlim("cpu", resource.RLIMIT_CPU, cpu, cpu + 1)
    if memory_bytes is not None and sys.platform != "darwin":
        setlim("as", resource.RLIMIT_AS, int(memory_bytes))
    setlim("fsize", resource.RLIMIT_FSIZE, int(file_bytes))
    setlim("nofile", resource.RLIMIT_NOFILE, nofile)
    setlim("core", resource.RLIMIT_CORE, 0)
    if nproc is not None and hasattr(resource, "RLIMIT_NPROC"):
        setlim("nproc", resource.RLIMIT_NPROC, nproc)
    return applied


def count_user_processes(uid: int) -> int:
    """Number of tasks (processes and threads) owned by ``uid``; RLIMIT_NPROC counts these."""
    count = 0
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return 0
    for pid in pids:
        try:
            st = os.stat(f"/proc/{pid}")
            if st.st_uid == uid:
                count += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return count


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


@functools.lru_cache(maxsize=1)
def _capset_args() -> tuple[int, object, object]:
    header = _CapHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (_CapData * 2)()  # all zero
    return _nr("capset"), ctypes.byref(header), ctypes.byref(data)


def drop_capabilities() -> None:
    """Clear the effective, permitted, inheritable and ambient capability sets (irreversible without exec).

    The ctypes arguments are built once (in the zygote, by :func:`prepare`), not in every child.
    """
    _syscall(*_capset_args())
    try:
        _prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    except OSError:
        pass  # kernels before 4.3 have no ambient set


def prepare() -> None:
    """Build the ctypes objects the per-child calls need, once, before forking children."""
    if sys.platform.startswith("linux"):
        _lib()
        if seccomp_arch() is not None:
            _capset_args()


# --------------------------------------------------------------------------------------------
# User + network namespace


def enter_user_net_namespace(uid: int, gid: int) -> None:
    """Move into a new user and network namespace; map our uid/gid onto themselves.

    The new network namespace has only a loopback interface that is down, so even the host's
    127.0.0.1 is unreachable. The identity map keeps file ownership in the scratch directory sane
    (unmapped ids make file creation fail with EOVERFLOW).
    """
    _check(_lib().unshare(CLONE_NEWUSER | CLONE_NEWNET))
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        fd = os.open(f"/proc/self/{name}", os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


def _setns(fd: int, nstype: int) -> None:
    _check(_lib().setns(fd, nstype))


class SharedNamespaces:
    """One user + network namespace made once (in the zygote) and joined by every child with setns().

    Joining costs about 0.15 ms per child instead of about 0.9 ms for a fresh pair (plus the kernel's
    asynchronous teardown of every network namespace). Children of one zygote never run at the same
    time, hold no capabilities, and so cannot bring the namespace's loopback up or leave state in it.
    """

    def __init__(self, uid: int, gid: int) -> None:
        import signal as _signal

        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the holder: enter the namespaces, then wait to be killed
            os.close(r)
            try:
                enter_user_net_namespace(uid, gid)
                os.write(w, b"1")
            except BaseException as exc:
                os.write(w, f"0{type(exc).__name__}: {exc}".encode())
            finally:
                os.close(w)
                while True:
                    _signal.pause()
        os.close(w)
        try:
            answer = os.read(r, 1000)
            if answer != b"1":
                raise OSError(errno.EPERM, answer[1:].decode(errors="replace") or "namespace holder died")
            self.user_fd = os.open(f"/proc/{pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
            self.net_fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        finally:
            os.close(r)
            try:
                os.kill(pid, _signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)

    @staticmethod
    def join(user_fd: int, net_fd: int) -> None:
        """Enter the namespaces referred to by the two descriptors (single-threaded caller)."""
        _setns(user_fd, CLONE_NEWUSER)
        _setns(net_fd, CLONE_NEWNET)


# --------------------------------------------------------------------------------------------
# Landlock

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
        abi = _syscall(_COMMON["landlock_create_ruleset"], None, 0, _LL_CREATE_RULESET_VERSION)
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
        self.fd = _syscall(_COMMON["landlock_create_ruleset"], ctypes.byref(attr), size, 0)
        self.rules = 0
        ro = LL_READ_FILE | LL_READ_DIR
        rw = handled & ~(LL_EXECUTE | LL_MAKE_CHAR | LL_MAKE_BLOCK | LL_IOCTL_DEV)
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
            _syscall(_COMMON["landlock_add_rule"], self.fd, _LL_RULE_PATH_BENEATH, ctypes.byref(rule), 0)
            self.rules += 1
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
        _syscall(_COMMON["landlock_restrict_self"], fd, 0)


# Names that must never be readable from a child: the grader itself, the reference solutions,
# the question bank and the CLI.
PROTECTED_NAMES = ("grader", "reference", "questions", "cli.py")


def project_dir() -> Path:
    """The directory that holds the ``grader`` package (a checkout, or site-packages when installed)."""
    return Path(__file__).resolve().parents[2]


def _is_site_dir(path: Path) -> bool:
    sites = {os.path.realpath(p) for p in site.getsitepackages() if p}
    for key in ("purelib", "platlib"):
        value = sysconfig.get_paths().get(key)
        if value:
            sites.add(os.path.realpath(value))
    return str(path) in sites or path.name in ("site-packages", "dist-packages")


def protected_paths() -> list[str]:
    """Paths a child must not read. A checkout is protected whole (questions/, reference/, grader/,
    tests/, .git ...). An install into site-packages protects the project's own entries there, and
    so does any other copy found on ``sys.path`` (say, a checkout in use while an older release is
    installed).

    Computed once per process (the zygote does it before forking, so children get it for free).
    """
    return list(_protected_paths())


@functools.lru_cache(maxsize=1)
def _protected_paths() -> tuple[str, ...]:
    paths = list(protected_paths_for(project_dir()))
    for entry in sys.path:
        if entry and os.path.isabs(entry) and os.path.isdir(entry):
            for path in _project_entries(Path(entry)):
                if not any(_within(path, p) for p in paths):
                    paths.append(path)
    return tuple(paths)


def _project_entries(directory: Path) -> list[str]:
    paths = [str(directory / name) for name in PROTECTED_NAMES if (directory / name).exists()]
    cache = directory / "__pycache__"
    if cache.is_dir():
        paths += [str(p) for p in cache.glob("cli.*.pyc")]
    return [os.path.realpath(p) for p in paths]


def protected_paths_for(root: Path) -> tuple[str, ...]:
    """The protected paths when the ``grader`` package lives in ``root``.

    A checkout is protected whole, except a top-level folder that holds the running interpreter's
    environment (a virtualenv created inside the checkout, as the README's first command does).
    """
    if _is_site_dir(root):
        return tuple(_project_entries(root)) or (os.path.realpath(root / "grader"),)
    real = os.path.realpath(root)
    environment = {os.path.realpath(p) for p in (sys.prefix, *site.getsitepackages()) if p and os.path.isabs(p)}
    inner = [p for p in environment if p != real and _within(p, real)]
    if not inner:
        return (real,)
    try:
        entries = sorted(os.listdir(real))
    except OSError:
        return (real,)
    return tuple(path for path in (os.path.join(real, e) for e in entries) if not any(_within(p, path) for p in inner))


def _within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _grant_minus(root: str, protected: Sequence[str], depth: int = 0) -> list[str]:
    """Paths whose union is ``root`` minus every protected path (Landlock rules are inherited by
    everything beneath a directory, so an ancestor of a protected path is granted child by child)."""
    real = os.path.realpath(root)
    if not os.path.exists(real) or any(_within(real, p) for p in protected):
        return []
    inside = [p for p in protected if _within(p, real)]
    if not inside:
        return [real]
    if depth > 8 or not os.path.isdir(real):
        return []
    out: list[str] = []
    try:
        entries = sorted(os.listdir(real))
    except OSError:
        return []
    for name in entries:
        out += _grant_minus(os.path.join(real, name), inside, depth + 1)
    return out


def readonly_paths(protected: Sequence[str] | None = None) -> list[str]:
    """What a child may read: the interpreter's library directories, every ``sys.path`` directory,
    the system's shared libraries and a few files libc reads lazily; minus the protected paths."""
    protected = [os.path.realpath(p) for p in (protected if protected is not None else protected_paths())]
    roots: list[str] = []
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if paths.get(key):
            roots.append(paths[key])
    roots += [p for p in sys.path if p and os.path.isabs(p)]
    roots += ["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share/zoneinfo",
              "/etc/ld.so.cache", "/etc/localtime", "/sys/devices/system/cpu/online"]
    granted: list[str] = []
    for root in roots:
        for path in _grant_minus(root, protected):
            if path not in granted:
                granted.append(path)
    # Drop entries already covered by a granted ancestor.
    granted.sort(key=len)
    result: list[str] = []
    for path in granted:
        if not any(_within(path, g) for g in result):
            result.append(path)
    return result


# --------------------------------------------------------------------------------------------
# seccomp: a hand-assembled classic-BPF deny-list

_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_JSET_K = 0x45
_BPF_RET_K = 0x06
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
_OFF_NR = 0
_OFF_ARCH = 4


def _off_arg(i: int) -> int:
    # Low 32 bits of args[i] in struct seccomp_data.
    return 16 + 8 * i + (0 if sys.byteorder == "little" else 4)


# Denied outright, with EPERM unless stated. Grouped by what they would give a learner.
DENY_EPERM = (
    # network
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    # new programs and processes (clone is filtered on its flags below)
    "execve", "execveat", "fork", "vfork",
    # other processes: tracing, memory, signals, handles
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
    "process_madvise", "process_mrelease",
    # escaping the process group (killpg must reach everything) and namespaces / mounts
    "setsid", "setpgid", "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "open_tree", "open_tree_attr", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    # kernel attack surface
    "bpf", "perf_event_open", "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
    "keyctl", "add_key", "request_key", "personality", "open_by_handle_at", "name_to_handle_at",
    "fanotify_init", "landlock_add_rule",
    # machine administration (normally needs capabilities, which are dropped anyway)
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "syslog", "uselib", "iopl", "ioperm", "vhangup",
    "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "sethostname", "setdomainname",
    # file metadata: Landlock does not cover chmod/chown/xattr/utime, and uid 0 owns the repository
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat",
    "setxattr", "lsetxattr", "fsetxattr", "setxattrat", "removexattr", "lremovexattr", "fremovexattr",
    "removexattrat", "utime", "utimes", "utimensat", "futimesat", "file_setattr",
    # System V / POSIX IPC objects outlive the child and are shared between sandboxes
    "shmget", "msgget", "semget", "mq_open",
    "ioprio_set",
)
DENY_ENOSYS = ("clone3",)  # flags live in a struct BPF cannot read; libc falls back to clone
# Allowed only on the calling process itself (these args must be 0), e.g. prlimit64(0, ...).
SELF_ONLY = {
    "prlimit64": (0,), "sched_setaffinity": (0,), "sched_setscheduler": (0,), "sched_setparam": (0,),
    "sched_setattr": (0,), "migrate_pages": (0,), "move_pages": (0,), "setpriority": (0, 1),
}
_TIOCSTI = 0x5412
_TIOCLINUX = 0x541C


class SeccompFilter:
    """The deny-list compiled to classic BPF once (in the zygote); ``load()`` costs one prctl."""

    def __init__(self, extra_deny: Iterable[str] = ()) -> None:
        """``extra_deny``: more syscall names to answer with EPERM (e.g. ``truncate`` when Landlock,
        which covers truncation only from ABI 3, cannot)."""
        arch = seccomp_arch()
        if arch is None:
            raise OSError(errno.ENOSYS, f"no seccomp syscall table for {platform.machine()}")
        audit_arch, table = arch
        eperm = SECCOMP_RET_ERRNO | errno.EPERM
        prog: list[tuple[int, int, int, int]] = [
            (_BPF_LD_W_ABS, 0, 0, _OFF_ARCH),
            (_BPF_JEQ_K, 1, 0, audit_arch),
            (_BPF_RET_K, 0, 0, eperm),  # foreign ABI (i386 int 0x80, arm32 compat)
            (_BPF_LD_W_ABS, 0, 0, _OFF_NR),
        ]
        if audit_arch == AUDIT_ARCH_X86_64:
            prog += [(_BPF_JGE_K, 0, 1, 0x40000000), (_BPF_RET_K, 0, 0, eperm)]  # x32 ABI
        self.denied: list[str] = []

        def deny(name: str, action: int) -> None:
            if name in table:
                prog.extend([(_BPF_JEQ_K, 0, 1, table[name]), (_BPF_RET_K, 0, 0, action)])
                self.denied.append(name)

        for name in (*DENY_EPERM, *extra_deny):
            deny(name, eperm)
        for name in DENY_ENOSYS:
            deny(name, SECCOMP_RET_ERRNO | errno.ENOSYS)
        # clone: threads only, and no namespace flags.
        prog += [
            (_BPF_JEQ_K, 0, 5, table["clone"]),
            (_BPF_LD_W_ABS, 0, 0, _off_arg(0)),
            (_BPF_JSET_K, 2, 0, _CLONE_NAMESPACES),
            (_BPF_JSET_K, 0, 1, CLONE_THREAD),
            (_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
            (_BPF_RET_K, 0, 0, eperm),
        ]
        # ioctl: no faking terminal input.
        prog += [
            (_BPF_JEQ_K, 0, 5, table["ioctl"]),
            (_BPF_LD_W_ABS, 0, 0, _off_arg(1)),
            (_BPF_JEQ_K, 2, 0, _TIOCSTI),
            (_BPF_JEQ_K, 1, 0, _TIOCLINUX),
            (_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
            (_BPF_RET_K, 0, 0, eperm),
        ]
        for name, args in SELF_ONLY.items():
            if name not in table:
                continue
            block: list[tuple[int, int, int, int]] = []
            for i, arg in enumerate(args):
                remaining = len(args) - i - 1  # later (ld, jeq) pairs to skip to reach the EPERM return
                block += [(_BPF_LD_W_ABS, 0, 0, _off_arg(arg)), (_BPF_JEQ_K, 0, 2 * remaining + 1, 0)]
            block += [(_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW), (_BPF_RET_K, 0, 0, eperm)]
            prog.append((_BPF_JEQ_K, 0, len(block), table[name]))
            prog += block
        prog.append((_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
        self.instructions = len(prog)
        raw = b"".join(struct.pack("HBBI", *insn) for insn in prog)
        self._buf = ctypes.create_string_buffer(raw, len(raw))

        class _SockFprog(ctypes.Structure):
            _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

        self._fprog = _SockFprog(len(prog), ctypes.addressof(self._buf))
        self._fprog_addr = ctypes.addressof(self._fprog)

    def load(self) -> None:
        """Install the filter on the calling thread (no_new_privs must already be set)."""
        _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self._fprog_addr)


# --------------------------------------------------------------------------------------------
# Import sealing (called by the harness right before it runs learner code)

_SEALED_TOPS = ("grader", "reference", "questions", "cli")


class _SealedImportBlocker(importlib.abc.MetaPathFinder):
    """Refuses imports of the grader, the reference solutions, the question bank and the CLI."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] in _SEALED_TOPS:
            raise ModuleNotFoundError(f"import of {fullname!r} is not allowed in a submission", name=fullname)
        return None


# Names to seal, listed once in the zygote: scanning all of sys.modules in every child would write
# the reference count of every key (hundreds of copy-on-write page faults per child).
_seal_snapshot: tuple[int, tuple[str, ...]] | None = None


def prepare_seal() -> None:
    """Remember which loaded modules :func:`seal_imports` must drop (call before forking children)."""
    global _seal_snapshot
    _protected_paths()  # first: it may import modules (sysconfig data)
    names = tuple(n for n in sys.modules if n.partition(".")[0] in _SEALED_TOPS)
    _seal_snapshot = (len(sys.modules), names)


def seal_imports() -> None:
    """Forget ``grader``/``reference``/``questions``/``cli`` modules and refuse to import them again.

    This is a convenience layer for honest error messages: learner code can undo it, so on Linux
    Landlock is what actually keeps those files unreadable.
    """
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
    protected = _protected_paths()
    sys.path[:] = [p for p in sys.path if not (p and any(_within(os.path.abspath(p), q) for q in protected))]
