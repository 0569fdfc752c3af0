"""Reading what a learner hands in: bytes from a file, a pipe or a terminal, decoded under explicit rules.

UTF-8 is the format (a UTF-8 or UTF-16 byte-order mark is honoured and removed, so a file saved by
Notepad grades like any other). Bytes that are not UTF-8 but are valid cp932 (Shift-JIS, the default
of Japanese Windows) are read as cp932 and the learner is told so; anything else is refused with a
message naming the problem and the fix, never a traceback.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from grader.errors import UsageError
from grader.i18n import _

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    note: str = ""  # said to the learner when the encoding was not plain UTF-8


def decode(data: bytes, origin: str) -> Decoded:
    """``data`` as text (see the module docstring); ``origin`` names the input in messages.

    Raises:
        UsageError: The bytes are neither UTF-8 nor cp932 (nothing is graded; exit status 2).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(_newlines(data[len(bom) :].decode(encoding)), encoding)
            except UnicodeDecodeError:
                break
    try:
        return Decoded(_newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError as exc:
        position = exc.start
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        line = data[:position].count(b"\n") + 1
        raise UsageError(
            _("{origin} の {line} 行目は UTF-8 ではない文字を含んでいます (バイト位置 {pos})。UTF-8 で保存し直してください "
              "(例: iconv -f ENCODING -t UTF-8 FILE > FILE.utf8)。").format(origin=origin, line=line, pos=position)
        ) from None
    note = _("{origin} を cp932 (Shift-JIS) として読みました。UTF-8 で保存すると確実です。").format(origin=origin)
    return Decoded(_newlines(text), "cp932", note)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n")


def read_file(path: Path) -> Decoded:
    """A learner's file, decoded (a missing or unreadable file is a :class:`UsageError`)."""
    return decode(read_bytes(path), str(path))


def read_bytes(path: Path) -> bytes:
    """A learner's file as it is on disk (a missing or unreadable file is a :class:`UsageError`)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(_("{path} を読めません: {error}").format(path=path, error=exc.strerror or exc)) from None


def clean_typed(text: str, origin: str) -> Decoded:
    """Text read from a terminal: bytes that were not UTF-8 arrive as surrogate escapes; decode them as a file's."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return decode(text.encode("utf-8", "surrogateescape"), origin)
    return Decoded(text.lstrip("\ufeff"), "utf-8")
