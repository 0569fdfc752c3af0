"""Text laid out in two dimensions for the terminal: boxes of lines with a baseline, joined side by side or
stacked, and the cell width of text (CJK wide = 2; East Asian Ambiguous characters α σ → ─ … count as two
cells when ``ESHIKAKU_AMBIGUOUS_WIDTH=2``, as many Japanese terminals draw them)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

TALL = {
    "(": ("⎛", "⎜", "⎝"), ")": ("⎞", "⎟", "⎠"), "[": ("⎡", "⎢", "⎣"), "]": ("⎤", "⎥", "⎦"),
    "{": ("⎧", "⎨", "⎩"), "}": ("⎫", "⎬", "⎭"), "|": ("│", "│", "│"), "‖": ("‖", "‖", "‖"),
    "⌊": ("⎢", "⎢", "⎣"), "⌋": ("⎥", "⎥", "⎦"), "⌈": ("⎡", "⎢", "⎢"), "⌉": ("⎤", "⎥", "⎥"),
}  # fmt: skip


_width_fn: Callable[[str], int] | None = None


def cell_width(text: str) -> int:
    """Terminal cells taken by ``text`` (CJK wide = 2; Ambiguous = ESHIKAKU_AMBIGUOUS_WIDTH, default 1)."""
    global _width_fn
    if text.isascii():
        return len(text)
    if _width_fn is None:
        import wcwidth

        ambiguous = 2 if os.environ.get("ESHIKAKU_AMBIGUOUS_WIDTH", "1").strip() == "2" else 1
        try:
            wcwidth.wcswidth("α", ambiguous_width=ambiguous)
            _width_fn = lambda s: max(0, wcwidth.wcswidth(s, ambiguous_width=ambiguous))
        except TypeError:  # an older wcwidth without the option
            _width_fn = lambda s: max(0, wcwidth.wcswidth(s))
    return _width_fn(text)


# --------------------------------------------------------------------------- boxes: text laid out in 2-D


@dataclass(frozen=True)
class Box:
    """Lines of equal cell width; ``base`` is the row that lines up with surrounding text."""

    lines: tuple[str, ...]
    base: int = 0

    @staticmethod
    def text(s: str) -> Box:
        return Box((s,), 0)

    @property
    def height(self) -> int:
        return len(self.lines)

    @property
    def width(self) -> int:
        return max((cell_width(line) for line in self.lines), default=0)

    @property
    def flat(self) -> bool:
        return len(self.lines) == 1

    def str(self) -> str:
        return "\n".join(line.rstrip() for line in self.lines)


def pad(line: str, width: int, align: str = "left") -> str:
    gap = max(0, width - cell_width(line))
    if align == "center":
        return " " * (gap // 2) + line + " " * (gap - gap // 2)
    if align == "right":
        return " " * gap + line
    return line + " " * gap


def hjoin(boxes: list[Box]) -> Box:
    """Side by side, baselines aligned."""
    boxes = [b for b in boxes if b.lines and (b.height > 1 or b.lines[0])]
    if not boxes:
        return Box.text("")
    if all(b.flat for b in boxes):
        return Box.text("".join(b.lines[0] for b in boxes))
    above = max(b.base for b in boxes)
    below = max(b.height - b.base - 1 for b in boxes)
    rows = [""] * (above + below + 1)
    for b in boxes:
        w = b.width
        top = above - b.base
        for r in range(len(rows)):
            i = r - top
            rows[r] += pad(b.lines[i], w) if 0 <= i < b.height else " " * w
    return Box(tuple(rows), above)


def vstack(boxes: list[Box], base: int, align: str = "center") -> Box:
    w = max(b.width for b in boxes)
    lines = tuple(pad(line, w, align) for b in boxes for line in b.lines)
    return Box(lines, base)


def delimit(box: Box, left: str, right: str) -> Box:
    """``box`` between delimiters, drawn tall when the box is."""

    def column(ch: str) -> Box:
        if not ch:
            return Box.text("")
        if box.flat:
            return Box.text(ch)
        top, mid, bottom = TALL.get(ch, (ch, ch, ch))
        rows = [top] + [mid] * (box.height - 2) + [bottom]
        return Box(tuple(rows), box.base)

    return hjoin([column(left), box, column(right)])

