"""Question files as YAML with positions: where every value starts, and the problems YAML itself hides.

A :class:`BankError` is printed as ``path:line:col: field.path: message``; the builder keeps the position of
every value so that checks made later (schema, references, content) can point at the exact line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml parses several times faster where PyYAML was built with it
    from yaml import CSafeLoader as YamlLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as YamlLoader  # type: ignore[assignment]

Loc = tuple[str | int, ...]
MAX_FILE_BYTES = 256 * 1024  # a question is text; big inputs belong in `random` lets or the reference


@dataclass(frozen=True)
class BankError:
    """A problem in a question file, located for the author."""

    path: Path
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{display_path(self.path)}:{self.line}:{self.col}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def display_path(path: Path) -> str:
    """A path relative to the working directory when that is shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return rel if not rel.startswith("../..") else str(path)


def dotted(loc: Iterable[str | int]) -> str:
    """``('cases', 2, 'args')`` → ``cases[2].args``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --------------------------------------------------------------------------- reading a file


class UnreadableFile(ValueError):
    """The file's bytes are not a question file's text; the message says how to fix it."""


def read_text(path: Path, what: str = "question file") -> str:
    """The file as text: UTF-8 with or without BOM. Other encodings (Shift-JIS from Excel or Windows
    editors above all) are refused with the line of the first bad byte and the fix."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = ""
        try:
            raw.decode("cp932")
            guess = " (it looks like Shift-JIS / cp932)"
        except UnicodeDecodeError:
            pass
        raise UnreadableFile(f"line {line}: the {what} is not UTF-8{guess}: save it as UTF-8 "
                             "(e.g. 名前を付けて保存 → 文字コード UTF-8, or `iconv -f cp932 -t utf-8`)") from None


def compose(path: Path) -> tuple[yaml.Node | None, list[BankError]]:
    """The YAML node tree of a question file, or the errors that stop it (encoding, size, syntax)."""
    try:
        size = path.stat().st_size
        text = read_text(path)
    except OSError as exc:
        return None, [BankError(path, 1, 1, "", f"cannot read the file: {exc.strerror or exc}")]
    except UnreadableFile as exc:
        line = int(str(exc).split(":")[0].removeprefix("line "))
        return None, [BankError(path, line, 1, "", str(exc).split(": ", 1)[1])]
    if size > MAX_FILE_BYTES:
        return None, [BankError(path, 1, 1, "", f"the file is {size / 1024 / 1024:.1f} MB; a question file stays under "
                                f"{MAX_FILE_BYTES // 1024} kB: build large inputs with `random` lets or in the reference")]
    try:
        return yaml.compose(text, Loader=YamlLoader), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        hint = f" ({context})" if context else ""
        return None, [BankError(path, line, col, "", f"YAML syntax error: {problem}{hint}; check indentation and quoting")]


# --------------------------------------------------------------------------- YAML with positions

# What a YAML escape in a double-quoted string turns LaTeX into: "\beta" starts with a backspace.
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e",
            "\x00": "\\0", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_NUMBER_WITHOUT_DOT = re.compile(r"^[-+]?(\d+)[eE][-+]?\d+$")
_YAML11_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
_SCALARS = yaml.SafeLoader("")  # only its scalar constructors are used


class YamlBuilder:
    """Builds plain Python data from a YAML node tree and remembers where each value starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.at: dict[Loc, tuple[int, int]] = {}
        self.errors: list[BankError] = []
        self._lines: list[str] | None = None

    def build(self, node: yaml.Node, loc: Loc = ()) -> Any:
        self.at[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, loc + ("<key>",))
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    self.error(key_node, loc, "a key must be a plain name")
                    continue
                if key in out:
                    self.error(key_node, loc + (key,), f"duplicate key `{key}`: keep only one of them")
                out[key] = self.build(value_node, loc + (key,))
                self.at[loc + (key,)] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
                self.at[loc + (key, "<key>")] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        return self.scalar(node, loc)

    def scalar(self, node: yaml.ScalarNode, loc: Loc) -> Any:
        text, tag, plain = node.value, node.tag, not node.style  # libyaml says '' for plain, PyYAML None
        if node.style == '"' and (control := _CONTROL.search(text)):
            escape = _ESCAPES.get(control.group(0), repr(control.group(0)))
            self.error(node, loc, f"this double-quoted string holds a control character made by the YAML escape `{escape}` "
                       "(LaTeX such as \\beta, \\theta, \\nabla or \\frac is read as an escape): use single quotes '…' or a block scalar (|)")
        in_list = bool(loc) and isinstance(loc[-1], int)
        if plain and in_list and node.start_mark.line != node.end_mark.line and self._continues_as_item(node):
            self.error(node, loc, "this list item goes on over a line that starts with `- `: that line is indented more than "
                       "the items above, so YAML joined it to this one; align its `-` with theirs")
        if plain and tag.endswith(":str") and _NUMBER_WITHOUT_DOT.match(text):
            mantissa, exponent = re.split("[eE]", text)
            self.error(node, loc, f"`{text}` is read as text by YAML 1.1 (it has no dot); write `{mantissa}.0e{exponent}`")
            return float(text)
        if plain and tag.endswith(":bool") and text.lower() in _YAML11_BOOL_WORDS:
            self.error(node, loc, f"`{text}` is read as a boolean by YAML 1.1; write true or false, or quote it: '{text}'")
        return _SCALARS.construct_object(node)

    def _continues_as_item(self, node: yaml.ScalarNode) -> bool:
        """Whether a plain multi-line scalar has a continuation line that begins with `- ` in the source."""
        if self._lines is None:  # libyaml's marks keep no buffer: read the lines back once
            self._lines = read_text(self.path).splitlines()
        continuation = self._lines[node.start_mark.line + 1 : node.end_mark.line + 1]
        return any(line.lstrip().startswith("- ") for line in continuation)

    def error(self, node: yaml.Node, loc: Loc, message: str) -> None:
        loc = tuple(p for p in loc if p != "<key>")
        self.errors.append(BankError(self.path, node.start_mark.line + 1, node.start_mark.column + 1, dotted(loc), message))

    def position(self, loc: Loc) -> tuple[int, int]:
        """The position of ``loc``, or of its nearest enclosing value that exists."""
        while loc not in self.at and loc:
            loc = loc[:-1]
        return self.at.get(loc, (1, 1))


