"""Prose for the terminal: Japanese line breaking (kinsoku), paragraphs reflowed from the YAML's hard line
breaks, ``**bold**`` and ```code``` spans, formulas as Unicode, fenced code highlighted, and a readable
measure (at most 100 columns however wide the terminal)."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from grader.learner.mathtext import Box, cell_width, hjoin, segments

STYLES = {
    "code": "bold cyan",
    "math": "",
    "key": "bold yellow",
    "dim": "dim",
    "right": "bold green",
    "wrong": "bold red",
    "partial": "bold yellow",
    "hint": "magenta",
}
MEASURE = 100  # the widest line of prose, in cells: longer lines are hard to read
_INLINE = re.compile(r"(\*\*.+?\*\*|`[^`]+`)")


# --------------------------------------------------------------------------- Japanese line breaking

# A line may not start with these (closing brackets, punctuation, small kana) nor end with the openers.
_NO_START = set("、。，．・：；？！）］｝」』〕〉》】ー…‥ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々)]},.:;!?%")
_NO_END = set("（［｛「『〔〈《【([{")


def _units(plain: str) -> list[tuple[int, int, bool]]:
    """Break units of ``plain`` as (start, end, is_space): a run of narrow characters (an English word,
    a formula) stays whole; each wide character (漢字, かな) is a unit of its own; kinsoku pairs stick."""
    import unicodedata

    units: list[list[Any]] = []
    for i, ch in enumerate(plain):
        space = ch.isspace() and ch != "\u00a0"
        wide = unicodedata.east_asian_width(ch) in ("W", "F")
        prev = units[-1] if units else None
        if prev is not None and (
            (space and prev[2])
            or (not space and not wide and not prev[2] and not prev[3])  # narrow run continues
            or (not space and ch in _NO_START and not prev[2])  # never start a line with 、。）
            or (not prev[2] and plain[prev[1] - 1] in _NO_END)  # never end a line with （「
        ):
            prev[1] = i + 1
            prev[3] = prev[3] and wide
            continue
        units.append([i, i + 1, space, wide])
    return [(u[0], u[1], u[2]) for u in units]


def cjk_wrap(text: Text, width: int, indent: int = 0) -> Text:
    """``text`` broken into lines of at most ``width`` cells, between any two Japanese characters or at
    spaces (never inside an English word or a formula unless it alone is too long); later lines are
    indented by ``indent`` cells."""
    from rich.cells import cell_len

    plain = text.plain
    width = max(8, width)
    if cell_len(plain) <= width:
        return text
    breaks: list[int] = []
    used = 0
    for start, end, space in _units(plain):
        piece = cell_len(plain[start:end])
        limit = width - (indent if breaks else 0)
        if space:
            if used + piece > limit:
                breaks.append(start)  # the next line starts with the space, which is dropped
                used = 0
            else:
                used += piece
            continue
        if used and used + piece > limit:
            breaks.append(start)
            used = 0
            limit = width - indent
        while piece > limit:  # one unit wider than the line: fold it by characters
            cut, cells = start, 0
            while cut < end and cells + cell_len(plain[cut]) <= limit:
                cells += cell_len(plain[cut])
                cut += 1
            cut = max(cut, start + 1)
            breaks.append(cut)
            start, piece, limit = cut, cell_len(plain[cut:end]), width - indent
        used += piece
    lines = text.divide(breaks)
    out = Text(style=text.style, no_wrap=True, overflow="fold")
    for n, line in enumerate(lines):
        if n:
            out.append("\n" + " " * indent)
        if n and line.plain[:1].isspace():
            line = line[len(line.plain) - len(line.plain.lstrip()) :]
        line.rstrip()
        out.append_text(line)
    return out


class Para:
    """A paragraph line drawn with Japanese line breaking at the width available when it is printed."""

    def __init__(self, text: Text, indent: int = 0) -> None:
        self.text = text
        self.indent = indent

    @property
    def plain(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: Any) -> Any:
        yield cjk_wrap(self.text, min(options.max_width, MEASURE), self.indent)


# --------------------------------------------------------------------------- prose: Markdown-ish text with formulas


def _inline(text: str, base: str = "") -> Text:
    """``**bold**`` and ```code``` spans of one line of prose (formulas handled by the caller)."""
    out = Text(style=base)
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            out.append(part[2:-2], style="bold")
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            out.append(part[1:-1], style=STYLES["code"])
        else:
            out.append(part)
    return out


def prose_line(line: str) -> RenderableType:
    """One line: formulas become Unicode; a line holding a 2-D formula is laid out without rewrapping."""
    bullet = re.match(r"^(\s*)([-*+]|\d+\.)\s+", line)
    prefix = ""
    hanging = len(line) - len(line.lstrip(" "))  # an indented line keeps its indent when it wraps
    if bullet:
        prefix = bullet.group(1) + ("• " if bullet.group(2) in "-*+" else bullet.group(2) + " ")
        line = line[bullet.end() :]
    heading = re.match(r"^#{1,6}\s+", line)
    base = "bold" if heading else ""
    if heading:
        line = line[heading.end() :]
    parts = segments(line) if ("$" in line or "\\(" in line or "\\[" in line) else [(line, None, False)]
    if all(box is None or box.flat for _, box, _ in parts):
        text = Text(prefix, style=base)
        for source, box, _display in parts:
            if box is None:
                text.append_text(_inline(source, base))
            else:
                text.append(box.lines[0], style=STYLES["math"] or base)
        return Para(text, indent=cell_width(prefix) if bullet else hanging)
    boxes = [Box.text(prefix)] + [Box.text(_plain_inline(s)) if b is None else b for s, b, _ in parts]
    laid = hjoin(boxes)
    return Text("\n".join(row.rstrip() for row in laid.lines), no_wrap=True, overflow="ignore", style=base)


def labelled(label: str, text: str, style: str = "bold") -> RenderableType:
    """``label`` in bold followed by ``text`` (formulas converted), wrapped with a hanging indent."""
    if "\n" in text.strip():  # a model answer or several blanks: the label on its own line, the text as a block
        return Group(Text(label.rstrip(), style=style), Padding(prose(text.strip("\n")), (0, 0, 0, 2)))
    head = Text(label, style=style)
    rendered = prose_line(text)
    if isinstance(rendered, Para):
        head.append_text(rendered.text)
        return Para(head, indent=cell_width(label))
    return Group(head, Padding(rendered, (0, 0, 0, 2)))


def _plain_inline(text: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*", r"\1", re.sub(r"`([^`]+)`", r"\1", text))


_BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+\.\s|#|\||```|\$\$|\\\[|>)|^\s{2,}")


def _joins(previous: str, line: str) -> bool:
    """Whether ``line`` continues the paragraph of ``previous`` (a hard break of the YAML, not of the author)."""
    if not previous.strip() or not line.strip() or _BLOCK_START.match(line):
        return False
    if previous.endswith(("  ", "\\")) or "$$" in previous or previous.lstrip().startswith(("```", "|", "#")):
        return False
    return True


def reflow(lines: list[str]) -> list[str]:
    """Joins the lines of each paragraph (Japanese directly, English with a space); lists, headings, tables,
    indented and fenced code, quotes and display formulas keep their lines."""
    out: list[str] = []
    fenced = False
    for line in lines:
        if line.lstrip().startswith("```"):
            fenced = not fenced
            out.append(line)
            continue
        if not fenced and out and _joins(out[-1], line) and not out[-1].lstrip().startswith("```"):
            previous = out[-1].rstrip()
            gap = " " if previous[-1:].isascii() and line.lstrip()[:1].isascii() else ""
            out[-1] = previous + gap + line.lstrip()
        else:
            out.append(line)
    return out


def prose(text: str) -> RenderableType:
    """Question or explanation text: paragraphs reflowed, fenced code highlighted, ``$…$`` as Unicode."""
    from grader.learner.mathtext import display_lines

    blocks: list[RenderableType] = []
    lines = reflow(display_lines(text.rstrip("\n")))
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = re.match(r"^\s*```\s*(\w*)", line)
        if fence:
            lang = fence.group(1) or "python"
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                body.append(lines[i])
                i += 1
            blocks.append(code_block("\n".join(body), lang))
        else:
            blocks.append(prose_line(line))
        i += 1
    return Group(*blocks)


def code_block(code: str, lang: str = "python") -> RenderableType:
    from rich.syntax import Syntax

    return Padding(Syntax(code.rstrip("\n"), lang, theme="ansi_dark", background_color="default", word_wrap=True), (0, 0, 0, 2))


