"""``$…$`` LaTeX to readable Unicode for the terminal: σ(x) = 1/(1 + e⁻ˣ), ‖W‖₂², matrices laid out in 2-D.

Inline math becomes one line (fractions written a/b with the parentheses they need); display math
(``$$…$$``, ``\\[…\\]``) stacks fractions; matrices and ``cases`` are always laid out on several lines.
Widths come from :mod:`grader.learner.mathbox`; the parser is :mod:`grader.learner.latexparse`. Unknown
macros are looked up in pylatexenc's table, imported only when needed.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from grader.learner.latexparse import BLACKBOARD, MATRIX_DELIMS, NBSP, ROW_ENVS, SUBSCRIPT, SUPERSCRIPT, _Parser
from grader.learner.mathbox import Box, cell_width, delimit, hjoin, pad, vstack

__all__ = ["Box", "cell_width", "convert", "hjoin", "latex_box", "latex_to_unicode", "segments"]

# --------------------------------------------------------------------------- rendering nodes to boxes

_OPERATOR_CHARS = set(" +−-=<>≤≥·×÷±,/∈→←≈≠")


def _needs_parens(text: str) -> bool:
    t = text.strip()
    core = t.rstrip("".join(SUPERSCRIPT.values()))
    if len(t) <= 1 or (core and core[0] in "([⌊⌈" and _balanced_outer(core)):
        return False
    return any(ch in _OPERATOR_CHARS for ch in t[1:]) or t.startswith("−") and len(t) > 2


def _balanced_outer(t: str) -> bool:
    pairs = {"(": ")", "[": "]", "⌊": "⌋", "⌈": "⌉"}
    close = pairs.get(t[0])
    if close is None or t[-1] != close:
        return False
    depth = 0
    for i, ch in enumerate(t):
        if ch == t[0]:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth == 0 and i != len(t) - 1:
                return False
    return True


def _script(text: str, table: dict[str, str], marker: str) -> str:
    compact = text.replace(" ", "")
    if compact and all(ch in table for ch in compact):
        return "".join(table[ch] for ch in compact)
    if marker == "^" and compact in ("′", "′′", "*", "∗"):
        return compact
    if len(compact) == 1 or (marker == "_" and re.fullmatch(r"\w+", compact)) or (compact[0] == "(" and _balanced_outer(compact)):
        return f"{marker}{compact}"  # d_model, x_(i,j) stay readable without extra parentheses
    return f"{marker}({compact})"


def _macro_text(name: str) -> str:
    try:
        from pylatexenc.latex2text import get_default_latex_context_db

        spec = get_default_latex_context_db().get_macro_spec(name)
        repl = getattr(spec, "simplify_repl", None)
        if isinstance(repl, str) and "%" not in repl:
            return repl
    except Exception:  # pylatexenc missing or a macro it cannot simplify: show the name
        pass
    return name


def render(node: Any, display: bool = False) -> Box:
    """The box for a parsed node (a list is a sequence)."""
    if isinstance(node, str):
        return Box.text("−" if node == "-" else ("∗" if node == "*" else node))
    if isinstance(node, list):
        return _sequence(node, display)
    kind = node[0]
    if kind == "bin":
        return Box.text(f" {node[1]} ")
    if kind == "fn":
        return Box.text(node[1])
    if kind in ("style", "op"):
        return render(node[1], display)
    if kind == "text":
        return Box.text(node[1])
    if kind == "bb":
        return Box.text("".join(BLACKBOARD.get(ch, ch) for ch in node[1]))
    if kind == "macro":
        return Box.text(_macro_text(node[1]))
    if kind == "accent":
        inner = render(node[2], False)
        s = inner.lines[0] if inner.flat else inner.str()
        return Box.text(unicodedata.normalize("NFC", s + node[1]) if len(s) == 1 else s)
    if kind == "sqrt":
        inner = render(node[1], display)
        index = _script(render(node[2]).lines[0], SUPERSCRIPT, "") if node[2] else ""
        if inner.flat:
            s = inner.lines[0]
            return Box.text(f"{index}√{s}" if not _needs_parens(s) else f"{index}√({s})")
        return hjoin([Box.text(index + "√"), delimit(inner, "(", ")")])
    if kind == "frac":
        num, den = render(node[1], display), render(node[2], display)
        if display or not (num.flat and den.flat):
            if display or node[3]:
                w = max(num.width, den.width) + 2
                return vstack([num, Box.text("─" * w), den], base=num.height)
        a, b = num.lines[0].strip(), den.lines[0].strip()
        return Box.text(f"{f'({a})' if _needs_parens(a) else a}/{f'({b})' if _needs_parens(b) or '/' in b else b}")
    if kind == "binom":
        num, den = render(node[1], display), render(node[2], display)
        if num.flat and den.flat and not display:
            return Box.text(f"C({num.lines[0]}, {den.lines[0]})")
        return delimit(vstack([num, den], base=0), "(", ")")
    if kind in ("sup", "sub"):
        base = render(node[1], display)
        arg = render(node[2], False)
        table, marker = (SUPERSCRIPT, "^") if kind == "sup" else (SUBSCRIPT, "_")
        script = _script(arg.lines[0] if arg.flat else arg.str(), table, marker)
        return hjoin([base, Box.text(script)])
    if kind == "subsup":
        base = render(node[1], display)
        sub = _script(render(node[2]).lines[0], SUBSCRIPT, "_")
        sup = _script(render(node[3]).lines[0], SUPERSCRIPT, "^")
        return hjoin([base, Box.text(sub + sup)])
    if kind == "delim":
        inner = render(node[2], display)
        return delimit(inner, node[1], node[3])
    if kind == "env":
        return _environment(node[1], node[2], display)
    return Box.text("")  # pragma: no cover - every node kind is handled above


def _is_operator(node: Any) -> bool:
    if isinstance(node, tuple):
        return bool(node[0] == "bin")
    return isinstance(node, str) and node.strip() in ("+", "-", "−", "=", "<", ">", ",", "(", "[", "{", "|", "‖", "/", "\n", "", ":", ";")


def _is_big_operator(node: Any) -> bool:
    if isinstance(node, tuple) and node[0] in ("sub", "sup", "subsup"):
        node = node[1]
    return (isinstance(node, str) and node in ("∑", "∏", "∫")) or (isinstance(node, tuple) and node[0] == "fn")


def _sequence(items: list[Any], display: bool) -> Box:
    boxes: list[Box] = []
    for n, item in enumerate(items):
        box = render(item, display)
        prev = items[n - 1] if n else None
        nxt = items[n + 1] if n + 1 < len(items) else None
        if isinstance(item, str) and item in ("+", "-", "=", "<", ">"):
            unary = item in "+-" and (prev is None or _is_operator(prev))
            box = Box.text(box.lines[0] if unary else f" {box.lines[0]} ")
        elif item == ",":
            box = Box.text(", ")
        elif isinstance(item, tuple) and item[0] == "fn":
            before = " " if boxes and boxes[-1].flat and boxes[-1].lines[0][-1:].isalnum() else ""
            after = " " if nxt is not None and not (isinstance(nxt, str) and nxt in "([{") and not (isinstance(nxt, tuple) and nxt[0] == "delim") else ""
            box = Box.text(before + box.lines[0] + after)
        elif _is_big_operator(item) and nxt is not None:
            box = hjoin([box, Box.text(" ")])
        elif isinstance(item, tuple) and item[0] == "frac" and box.flat and "/" in box.lines[0]:
            # juxtaposed with a factor, a linear fraction needs parentheses: (1/2)∑ₖ, (dz/dt)(dt/dx)
            factor_before = prev is not None and not _is_operator(prev)
            factor_after = nxt is not None and not _is_operator(nxt) or nxt in ("‖", "|")
            if (factor_before or factor_after) and nxt not in (")", "]", "}"):
                box = Box.text(f"({box.lines[0]})")
        elif isinstance(item, tuple) and item[0] == "frac" and not box.flat and nxt is not None and not _is_operator(nxt):
            box = hjoin([box, Box.text(" ")])
        boxes.append(box)
    if all(b.flat for b in boxes):
        return Box.text(_tidy("".join(b.lines[0] for b in boxes)))
    return hjoin([Box.text(_tidy(b.lines[0])) if b.flat else b for b in boxes])


def _tidy(s: str) -> str:
    s = re.sub(r" {2,}", " ", s)
    s = re.sub(r"([(\[⌊⌈]) ", r"\1", s)
    s = re.sub(r" ([)\]⌋⌉,])", r"\1", s)
    return s


def _environment(name: str, rows: list[list[list[Any]]], display: bool) -> Box:
    cells = [[render(cell, display) for cell in row] for row in rows]
    if not cells:
        return Box.text("")
    ncols = max(len(r) for r in cells)
    cells = [[Box.text(b.lines[0].strip()) if b.flat else b for b in row] for row in cells]
    widths = [max((r[c].width for r in cells if c < len(r)), default=0) for c in range(ncols)]
    if name in ROW_ENVS:
        gap = "  " if name == "cases" else " "
        if name == "cases":
            align = ["left"] * ncols
        elif name.startswith("eqnarray"):
            align = ["right", "center", "left"] * ncols
        else:
            align = ["right", "left"] * ncols
    else:
        gap, align = "  ", ["right"] * ncols
    lines: list[str] = []
    for row in cells:
        row_boxes = []
        for c in range(ncols):
            box = row[c] if c < len(row) else Box.text("")
            padded = tuple(pad(line.strip() if box.flat else line, widths[c], align[c]) for line in box.lines)
            row_boxes.append(Box(padded, box.base))
            if c < ncols - 1 and gap:
                row_boxes.append(Box.text(gap))
        lines.extend(hjoin(row_boxes).lines)
    body = Box(tuple(lines), (len(lines) - 1) // 2)
    if name == "cases":
        return delimit(body, "{", "")
    left, right = MATRIX_DELIMS.get(name, ("", ""))
    if body.flat and left:
        return Box.text(f"{left}{body.lines[0].replace('  ', NBSP * 2)}{right}")
    return delimit(body, left, right)


def latex_box(src: str, display: bool = False) -> Box:
    """The rendering of one formula (without its ``$`` delimiters)."""
    try:
        tree = _Parser(src).seq()
        box = render(tree, display)
    except Exception:  # a formula this converter cannot read is shown as written, never a crash
        return Box.text(src)
    if box.flat:
        return Box.text(box.lines[0].strip())
    return box


def latex_to_unicode(src: str, display: bool = False) -> str:
    return latex_box(src, display).str()


# --------------------------------------------------------------------------- math inside prose

MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|(?<![\\$])\$(?!\s)(.+?)(?<![\\\s])\$|\\\((.+?)\\\)", re.S)


def has_math(text: str) -> bool:
    return "$" in text or "\\(" in text or "\\[" in text


def convert(text: str) -> str:
    """Prose with every formula converted; 2-D formulas become lines of their own, aligned with the text."""
    if not has_math(text):
        return text
    out: list[str] = []
    for line in display_lines(text):
        out.extend(convert_line(line))
    return "\n".join(out)


def display_lines(text: str) -> list[str]:
    """Lines of ``text``, with each display formula spanning lines joined into one line."""
    joined = re.sub(r"\$\$(.+?)\$\$", lambda m: "$$" + m.group(1).replace("\n", " ") + "$$", text, flags=re.S)
    joined = re.sub(r"\\\[(.+?)\\\]", lambda m: "\\[" + m.group(1).replace("\n", " ") + "\\]", joined, flags=re.S)
    return joined.split("\n")


def segments(line: str) -> list[tuple[str, Box | None, bool]]:
    """``line`` split into (prose, None, False) and (source, box, display) parts."""
    parts: list[tuple[str, Box | None, bool]] = []
    pos = 0
    for m in MATH.finditer(line):
        if m.start() > pos:
            parts.append((line[pos : m.start()], None, False))
        display = m.group(1) is not None or m.group(2) is not None
        src = next(g for g in m.groups() if g is not None)
        parts.append((m.group(0), latex_box(src, display), display))
        pos = m.end()
    if pos < len(line):
        parts.append((line[pos:], None, False))
    return parts


def convert_line(line: str) -> list[str]:
    parts = segments(line)
    boxes = [Box.text(text) if box is None else box for text, box, _ in parts]
    if all(b.flat for b in boxes):
        return ["".join(b.lines[0] for b in boxes)]
    return [row.rstrip() for row in hjoin(boxes).lines]
