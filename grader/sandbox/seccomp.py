"""seccomp: a hand-assembled classic-BPF deny-list, compiled once in the zygote, loaded by each child."""

from __future__ import annotations

import ctypes
import errno
import platform
import struct
import sys
from collections.abc import Iterable

from grader.sandbox.syscalls import (
    AUDIT_ARCH_X86_64,
    CLONE_NAMESPACES,
    CLONE_THREAD,
    PR_SET_SECCOMP,
    SECCOMP_MODE_FILTER,
    prctl,
    seccomp_arch,
)

_BPF_LD_W_ABS = 0x20
_BPF_JEQ_K = 0x15
_BPF_JGE_K = 0x35
_BPF_JSET_K = 0x45
_BPF_RET_K = 0x06
_BPF_JA = 0x05
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
    # the page cache is shared with every other process: its residency is a channel between submissions
    "cachestat", "mincore", "fadvise64", "readahead",
)
DENY_ENOSYS = ("clone3",)  # flags live in a struct BPF cannot read; libc falls back to clone
# Allowed only on the calling process itself (these args must be 0), e.g. prlimit64(0, ...).
SELF_ONLY = {
    "prlimit64": (0,), "sched_setaffinity": (0,), "sched_setscheduler": (0,), "sched_setparam": (0,),
    "sched_setattr": (0,), "migrate_pages": (0,), "move_pages": (0,), "setpriority": (0, 1),
}
# Denied when the argument (low 32 bits) takes one of these values.
DENY_ARG_VALUES = {
    # no faking terminal input; no SIGIO/SIGURG owner (a signal to a pid of the learner's choosing)
    "ioctl": (1, (0x5412, 0x541C, 0x8901, 0x8902)),  # TIOCSTI, TIOCLINUX, FIOSETOWN, SIOCSPGRP
    # F_SETOWN, F_SETSIG, F_SETOWN_EX: with O_ASYNC the kernel signals the owner on each I/O event,
    # which Landlock scopes only from ABI 6
    "fcntl": (1, (8, 10, 15)),
}
# Denied when the argument has one of these bits: RWF_NOWAIT reads tell whether a page is cached.
DENY_ARG_BITS = {"preadv2": (5, 0x8), "pwritev2": (5, 0x8)}


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
        denials = [(name, eperm) for name in (*DENY_EPERM, *extra_deny) if name in table]
        denials += [(name, SECCOMP_RET_ERRNO | errno.ENOSYS) for name in DENY_ENOSYS if name in table]
        self.denied = [name for name, _ in denials]
        # One comparison per denied syscall, each jumping to its action's return, shared by all of
        # them: half the instructions of a return after each, and the kernel verifies, translates and
        # compiles the filter again in every child.
        actions = list(dict.fromkeys(action for _, action in denials))
        for i, (name, action) in enumerate(denials):
            skip = len(denials) - i - 1 + 1 + actions.index(action)  # the later comparisons, the jump, earlier returns
            if skip > 255:
                raise ValueError("too many denied syscalls for one block of 8-bit jumps")
            prog.append((_BPF_JEQ_K, skip, 0, table[name]))
        prog.append((_BPF_JA, 0, 0, len(actions)))  # none of them: on to the filtered syscalls
        prog += [(_BPF_RET_K, 0, 0, action) for action in actions]
        # clone: threads only, and no namespace flags.
        prog += [
            (_BPF_JEQ_K, 0, 5, table["clone"]),
            (_BPF_LD_W_ABS, 0, 0, _off_arg(0)),
            (_BPF_JSET_K, 2, 0, CLONE_NAMESPACES),
            (_BPF_JSET_K, 0, 1, CLONE_THREAD),
            (_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
            (_BPF_RET_K, 0, 0, eperm),
        ]
        for name, (arg, values) in DENY_ARG_VALUES.items():
            if name not in table:
                continue
            # load the argument; each value jumps to the EPERM return at the end of the block
            block: list[tuple[int, int, int, int]] = [(_BPF_LD_W_ABS, 0, 0, _off_arg(arg))]
            for i, value in enumerate(values):
                block.append((_BPF_JEQ_K, len(values) - i, 0, value))
            block += [(_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW), (_BPF_RET_K, 0, 0, eperm)]
            prog.append((_BPF_JEQ_K, 0, len(block), table[name]))
            prog += block
        for name, (arg, bits) in DENY_ARG_BITS.items():
            if name in table:
                prog += [(_BPF_JEQ_K, 0, 4, table[name]), (_BPF_LD_W_ABS, 0, 0, _off_arg(arg)),
                         (_BPF_JSET_K, 1, 0, bits), (_BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW), (_BPF_RET_K, 0, 0, eperm)]
        for name, args in SELF_ONLY.items():
            if name not in table:
                continue
            block = []
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
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, self._fprog_addr)
