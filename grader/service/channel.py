"""Where a service listens and how its messages travel: a Unix socket in a directory only this user can
enter, one length-prefixed JSON object each way, and the peer's uid checked by the kernel (SO_PEERCRED).

The directory is ``$XDG_RUNTIME_DIR/eshikaku`` or ``<tmp>/eshikaku-<uid>``; one made by anybody else, or
open to others, is never used (then there is no service and the command does its own work).
"""

from __future__ import annotations

import json
import os
import select
import socket
import stat
import struct
import tempfile
from pathlib import Path
from typing import Any

MAX_MESSAGE = 16 << 20  # bytes of one request or reply; a larger submission is graded without the service
_HEADER = struct.Struct("!I")
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes on Linux


class ChannelError(Exception):
    """The other end went away, sent too much, or sent something that is not a message."""


def runtime_dir() -> Path | None:
    """This user's private directory for service sockets, created when missing; None when unsafe."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(base) / "eshikaku" if base else Path(tempfile.gettempdir()) / f"eshikaku-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None  # a symlink, another user's directory, or one others may enter
    return folder


def socket_path(folder: Path, key: str) -> Path | None:
    path = folder / f"{key}.sock"
    return path if len(os.fsencode(path)) <= _MAX_SOCKET_PATH else None


def peer_is_us(conn: socket.socket) -> bool:
    """Whether the process at the other end runs as this process's user (the kernel says so, not the peer)."""
    try:
        creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    except OSError:
        return False
    uid: int = struct.unpack("3i", creds)[1]
    return uid == os.getuid()


def peer_gone(conn: socket.socket) -> bool:
    """Whether the other end has closed its side (a command stopped with Ctrl-C) without waiting for it."""
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        return bool(readable) and conn.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def send_message(conn: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, ensure_ascii=False).encode()
    if len(data) > MAX_MESSAGE:
        raise ChannelError(f"message of {len(data)} bytes is over the limit of {MAX_MESSAGE}")
    conn.sendall(_HEADER.pack(len(data)) + data)


def recv_message(conn: socket.socket) -> dict[str, Any]:
    """One message; raises ChannelError on EOF, an oversized length or anything but a JSON object."""
    (size,) = _HEADER.unpack(_recv_exact(conn, _HEADER.size))
    if size > MAX_MESSAGE:
        raise ChannelError(f"message of {size} bytes announced, over the limit of {MAX_MESSAGE}")
    try:
        message = json.loads(_recv_exact(conn, size))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ChannelError(f"not a message: {exc}") from None
    if not isinstance(message, dict):
        raise ChannelError("not a message: a JSON object was expected")
    return message


def _recv_exact(conn: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        try:
            chunk = conn.recv(min(left, 1 << 20))
        except OSError as exc:  # a timeout included
            raise ChannelError(str(exc)) from None
        if not chunk:
            raise ChannelError("connection closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
