"""Which paths a child may read, and which it must never read (the project's own files)."""

from __future__ import annotations

import functools
import os
import site
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

# Names that must never be readable from a child: the grader itself, the reference solutions,
# the question bank and the CLI.
PROTECTED_NAMES = ("grader", "reference", "questions", "cli.py")
_SEALED_NAMES = ("grader", "reference", "questions", "cli")


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
    return list(protected_path_tuple())


@functools.lru_cache(maxsize=1)
def protected_path_tuple() -> tuple[str, ...]:
    paths = list(protected_paths_for(project_dir()))
    for entry in sys.path:
        if entry and os.path.isabs(entry) and os.path.isdir(entry):
            for path in _project_entries(Path(entry)):
                if not any(is_within(path, p) for p in paths):
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
    inner = [p for p in environment if p != real and is_within(p, real)]
    if not inner:
        return (real,)
    try:
        entries = sorted(os.listdir(real))
    except OSError:
        return (real,)
    return tuple(path for path in (os.path.join(real, e) for e in entries) if not any(is_within(p, path) for p in inner))


def is_within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _grant_minus(root: str, protected: Sequence[str], depth: int = 0) -> list[str]:
    """Paths whose union is ``root`` minus every protected path (Landlock rules are inherited by
    everything beneath a directory, so an ancestor of a protected path is granted child by child)."""
    real = os.path.realpath(root)
    if not os.path.exists(real) or any(is_within(real, p) for p in protected):
        return []
    inside = [p for p in protected if is_within(p, real)]
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


# Files libc and NumPy read lazily (time zones, the loader's cache, the CPU count).
_SYSTEM_FILES = ("/usr/share/zoneinfo", "/etc/ld.so.cache", "/etc/localtime", "/sys/devices/system/cpu/online")
# Loaded from site-packages by the interpreter's start-up, not by the harness: nothing to read later.
_START_UP_MODULES = ("__editable__", "_distutils_hack", "_virtualenv", "sitecustomize", "usercustomize")


def readonly_paths(protected: Sequence[str] | None = None) -> list[str]:
    """What a child may read, minus the protected paths; call it where the harness is loaded (the zygote).

    * the interpreter's standard library (with ``lib-dynload``), but not the ``site-packages`` or
      ``dist-packages`` inside it (a base interpreter's installs, which may hold another copy of the project);
    * each third-party package the process has loaded (NumPy for the harness), with its vendored
      shared libraries (``numpy.libs``), and nothing else of its site-packages;
    * every shared object mapped in the process, file by file, and the directory of the C library
      (for libraries a submission's ``import`` may load later: libffi, libz, libssl ...);
    * a few files libc reads lazily (time zones, ``/etc/ld.so.cache``, the online CPU list).
    """
    protected = [os.path.realpath(p) for p in (protected if protected is not None else protected_paths())]
    stdlibs = _stdlib_dirs()
    excluded = protected + [os.path.join(d, sub) for d in stdlibs for sub in ("site-packages", "dist-packages")]
    roots = [*stdlibs, *_loaded_package_paths(stdlibs), *_shared_objects(), *_SYSTEM_FILES]
    granted: list[str] = []
    for root in roots:
        for path in _grant_minus(root, excluded):
            if path not in granted:
                granted.append(path)
    # Drop entries already covered by a granted ancestor.
    granted.sort(key=len)
    result: list[str] = []
    for path in granted:
        if not any(is_within(path, g) for g in result):
            result.append(path)
    return result


def _stdlib_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    found = []
    for key in ("stdlib", "platstdlib"):
        value = paths.get(key)
        # a virtual environment's platstdlib holds only its site-packages: not a standard library
        if value and os.path.exists(os.path.join(value, "os.py")):
            real = os.path.realpath(value)
            if real not in found:
                found.append(real)
    return found


def _loaded_package_paths(stdlibs: Sequence[str]) -> list[str]:
    """The top-level package (or module file) of every loaded module outside the standard library."""
    entries = sorted({os.path.realpath(e) for e in sys.path if e and os.path.isabs(e) and os.path.isdir(e)},
                     key=len, reverse=True)
    found: list[str] = []
    for name, module in list(sys.modules.items()):
        top = name.partition(".")[0]
        if top in _SEALED_NAMES or top.startswith(_START_UP_MODULES):
            continue
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not os.path.isabs(file):
            continue
        real = os.path.realpath(file)
        if any(is_within(real, d) for d in stdlibs):
            continue
        entry = next((e for e in entries if is_within(real, e) and real != e), None)
        if entry is None:
            continue
        first = os.path.relpath(real, entry).split(os.sep)[0]
        for path in (os.path.join(entry, first), os.path.join(entry, f"{first}.libs")):
            if os.path.exists(path) and path not in found:
                found.append(path)
    return found


def _shared_objects() -> list[str]:
    """Every shared object mapped in this process, and the C library's directory."""
    found: list[str] = []
    try:
        with open("/proc/self/maps") as maps:
            lines = maps.read().splitlines()
    except OSError:  # not Linux
        return found
    for line in lines:
        path = line.split(maxsplit=5)[5] if len(line.split(maxsplit=5)) == 6 else ""
        if path.startswith("/") and (".so" in os.path.basename(path)) and os.path.exists(path):
            real = os.path.realpath(path)
            if real not in found:
                found.append(real)
            if os.path.basename(real).startswith("libc.so") or os.path.basename(real).startswith("libc-"):
                found.append(os.path.dirname(real))
    return found
