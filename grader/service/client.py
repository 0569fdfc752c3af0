"""The command's side: ask the service for a key, starting it when none listens; None means "do it yourself".

The service is started detached (its own session, stdin from /dev/null, output to a log beside the
socket), so it outlives the command that started it and never holds that command's terminal.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.service.channel import ChannelError, recv_message, runtime_dir, send_message, socket_path

DISABLE_ENV = "ESHIKAKU_NO_SERVICE"  # set (to anything but "" or "0") to do every command's work in its own process
START_SECONDS = 5.0  # for a service just started to listen


def disabled() -> bool:
    return os.environ.get(DISABLE_ENV, "").strip() not in ("", "0")


def ask(key: str, message: dict[str, Any], start: Sequence[str], *, reply_seconds: float) -> dict[str, Any] | None:
    """The service's reply to ``message``; ``start`` is the command line that starts a service for ``key``."""
    if disabled():
        return None
    folder = runtime_dir()
    path = socket_path(folder, key) if folder is not None else None
    if folder is None or path is None:
        return None
    for _ in range(2):  # a second time when the first service was stale (it has exited since)
        conn = _connect(path)
        if conn is None:
            _launch(start, folder / f"{key}.log")
            conn = _connect(path, wait=START_SECONDS)
        if conn is None:
            return None
        try:
            conn.settimeout(reply_seconds)
            send_message(conn, message)
            reply = recv_message(conn)
        except (OSError, ChannelError):
            return None
        finally:
            conn.close()
        if not reply.get("stale"):
            return None if reply.get("retry") else reply
    return None


def _connect(path: Path, wait: float = 0.0) -> socket.socket | None:
    deadline = time.monotonic() + wait
    while True:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(str(path))
            return conn
        except OSError:
            conn.close()
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.005)


def _launch(argv: Sequence[str], log: Path) -> None:
    """Start ``argv`` detached: forked twice, so that no process of ours is left to reap it."""
    pid = os.fork()
    if pid:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
        return
    try:  # pragma: no cover - runs in the forked processes
        os.setsid()
        if os.fork():
            os._exit(0)
        null = os.open(os.devnull, os.O_RDONLY)
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.chdir("/")
        os.execv(argv[0], list(argv))
    finally:
        os._exit(127)
