"""The service's side: one listener, one request at a time, gone after an idle while or once stale.

Requests are served in turn (a grading takes milliseconds; a second command waits in the backlog).
Only a peer running as this user is answered. Whatever goes wrong in a request becomes a reply asking
the client to do the work itself, never a dead service or a half-written socket.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from grader.service.channel import ChannelError, peer_gone, peer_is_us, recv_message, send_message, socket_path

REQUEST_SECONDS = 10.0  # for a request to arrive once connected; a reply may take as long as the grading
LOCK_WAIT_SECONDS = 3.0  # a service that just said it is stale may still hold the lock while it exits

Handler = Callable[[dict[str, Any], Callable[[], bool]], dict[str, Any]]  # (request, whether the client has gone) -> reply


def serve(folder: Path, key: str, handle: Handler, *, is_stale: Callable[[], bool], warm: Callable[[], None],
          idle_seconds: float) -> None:
    """Listen on ``<folder>/<key>.sock`` until idle for ``idle_seconds`` or stale; one service per key."""
    path = socket_path(folder, key)
    if path is None:
        return
    lock = os.open(folder / f"{key}.lock", os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        if not _lock(lock):
            return  # another service for this key is alive
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # left by a service that was killed
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        mask = os.umask(0o177)
        try:
            listener.bind(str(path))
        finally:
            os.umask(mask)
        own = os.stat(path).st_ino
        listener.listen(16)
        def retire() -> None:
            with contextlib.suppress(OSError):
                if os.stat(path).st_ino == own:  # never remove the socket of a service that replaced us
                    path.unlink()

        try:
            warm()  # clients may connect already: they wait in the backlog
            _loop(listener, handle, is_stale, idle_seconds, retire)
        finally:
            retire()
            listener.close()
    finally:
        os.close(lock)  # the next service may start now


def _lock(lock: int) -> bool:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)


def _loop(listener: socket.socket, handle: Handler, is_stale: Callable[[], bool], idle_seconds: float, retire: Callable[[], None]) -> None:
    listener.settimeout(idle_seconds)
    while True:
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            return
        with conn:
            if not peer_is_us(conn):
                continue
            conn.settimeout(REQUEST_SECONDS)
            try:
                request = recv_message(conn)
            except ChannelError:
                continue
            stop = request.get("op") == "stop" or is_stale()
            if stop:
                retire()  # before the reply: the client's next connect must find no socket and start a fresh service
            reply = {"stale": True} if stop else _answer(handle, request, functools.partial(peer_gone, conn))
            conn.settimeout(None)
            with contextlib.suppress(OSError, ChannelError):
                send_message(conn, reply)
            if stop:
                return


def _answer(handle: Handler, request: dict[str, Any], gone: Callable[[], bool]) -> dict[str, Any]:
    try:
        return handle(request, gone)
    except Exception:  # the client does the work itself, where the problem shows as it always would
        traceback.print_exc(file=sys.stderr)
        sys.stderr.flush()
        return {"retry": True}
