"""``$…$`` LaTeX to readable Unicode for the terminal: σ(x) = 1/(1 + e⁻ˣ), ‖W‖₂², matrices laid out in 2-D.

Inline math becomes one line (fractions written a/b with the parentheses they need); display math
(``$$…$$``, ``\\[…\\]``) stacks fractions; matrices and ``cases`` are always laid out on several lines.
Widths are counted with wcwidth; ``ESHIKAKU_AMBIGUOUS_WIDTH=2`` makes East Asian Ambiguous characters
(α σ → ─ …) count as two cells, as many Japanese terminals draw them. Unknown macros are looked up in
pylatexenc's table, imported only when needed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

SUPERSCRIPT = dict(zip(
    "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ′'⊤",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ′′ᵀ",
))  # fmt: skip
SUBSCRIPT = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))

SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # big operators and functions of one glyph
    "sum": "∑", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "infty": "∞", "sqrt": "√",
    # delimiters
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "langle": "⟨", "rangle": "⟩",
    "lVert": "‖", "rVert": "‖", "Vert": "‖", "|": "‖", "lvert": "|", "rvert": "|", "vert": "|",
    "{": "{", "}": "}", "lbrace": "{", "rbrace": "}", "%": "%", "$": "$", "#": "#", "&": "&", "_": "_",
    # misc ordinary
    "prime": "′", "ell": "ℓ", "hbar": "ℏ", "dots": "…", "ldots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "forall": "∀", "exists": "∃", "emptyset": "∅", "neg": "¬", "top": "⊤", "circ": "∘", "star": "⋆",
}  # fmt: skip
BINARY = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "odot": "⊙", "otimes": "⊗", "oplus": "⊕",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "simeq": "≃",
    "sim": "∼", "equiv": "≡", "propto": "∝", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆",
    "cup": "∪", "cap": "∩", "to": "→", "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "Leftrightarrow": "⇔", "mapsto": "↦", "gets": "←", "land": "∧", "lor": "∨",
    "ll": "≪", "gg": "≫", "coloneqq": "≔", "fallingdotseq": "≒", "mid": "|",
}  # fmt: skip
FUNCTIONS = {"log", "ln", "exp", "sin", "cos", "tan", "tanh", "max", "min", "arg", "argmax", "argmin", "lim", "det", "sup", "inf", "sgn", "softmax"}
NBSP = "\u00a0"  # a space that tidying never collapses: \quad gaps and the gaps of a one-line matrix
SPACES = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": NBSP * 2, "qquad": NBSP * 3, "enspace": " "}
IGNORED = {"displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "nonumber", "notag", "left", "right",
           "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "middle"}  # fmt: skip
TEXT_ARG = {"text", "mathrm", "textrm", "mathit", "textit", "mathbf", "textbf", "boldsymbol", "bm", "mathsf", "texttt", "operatorname", "mathtt"}
ACCENTS = {
    "hat": "\u0302", "bar": "\u0304", "vec": "\u20d7", "tilde": "\u0303", "dot": "\u0307", "ddot": "\u0308",
    "overline": "\u0305", "widehat": "\u0302", "widetilde": "\u0303",
}  # fmt: skip
BLACKBOARD = dict(zip("RNZQCE", "ℝℕℤℚℂ𝔼"))
MATRIX_DELIMS = {
    "pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "Bmatrix": ("{", "}"), "vmatrix": ("|", "|"),
    "Vmatrix": ("‖", "‖"), "matrix": ("", ""), "smallmatrix": ("", ""), "array": ("", ""),
}  # fmt: skip
ROW_ENVS = {"aligned", "align", "align*", "eqnarray", "eqnarray*", "gathered", "gather", "gather*", "split", "cases"}
TALL = {
    "(": ("⎛", "⎜", "⎝"), ")": ("⎞", "⎟", "⎠"), "[": ("⎡", "⎢", "⎣"), "]": ("⎤", "⎥", "⎦"),
    "{": ("⎧", "⎨", "⎩"), "}": ("⎫", "⎬", "⎭"), "|": ("│", "│", "│"), "‖": ("‖", "‖", "‖"),
    "⌊": ("⎢", "⎢", "⎣"), "⌋": ("⎥", "⎥", "⎦"), "⌈": ("⎡", "⎢", "⎢"), "⌉": ("⎤", "⎥", "⎥"),
}  # fmt: skip

_width_fn: Any = None


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


# --------------------------------------------------------------------------- parsing LaTeX math

_TOKEN = re.compile(r"\\([A-Za-z]+\*?|.)|(\s+)|([{}^_&])|(.)", re.S)


@dataclass
class _Tok:
    kind: str  # cmd, space, sym, char
    value: str


def _tokens(src: str) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(src):
        if m.group(1) is not None:
            out.append(_Tok("cmd", m.group(1)))
        elif m.group(2) is not None:
            if not (out and out[-1].kind == "cmd" and out[-1].value[:1].isalpha()):  # TeX: a control word eats the spaces after it
                out.append(_Tok("space", " "))
        elif m.group(3) is not None:
            out.append(_Tok("sym", m.group(3)))
        else:
            out.append(_Tok("char", m.group(4)))
    return out


class _Parser:
    """Reads tokens into nested lists: str atoms, ('frac', a, b), ('sup', base, s), ('env', name, rows)…"""

    def __init__(self, src: str) -> None:
        self.toks = _tokens(src)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> _Tok | None:
        tok = self.peek()
        self.i += 1
        return tok

    def skip_space(self) -> None:
        while (t := self.peek()) is not None and t.kind == "space":
            self.i += 1

    def group(self) -> list[Any]:
        """One argument: ``{…}`` or a single token."""
        self.skip_space()
        tok = self.peek()
        if tok is None:
            return []
        if tok.kind == "sym" and tok.value == "{":
            self.i += 1
            return self.seq(stop="}")
        return self.seq(single=True)

    def optional(self) -> list[Any] | None:
        tok = self.peek()
        if tok is not None and tok.kind == "char" and tok.value == "[":
            self.i += 1
            return self.seq(stop="]")
        return None

    def raw_group(self) -> str:
        """The text of ``{…}`` unparsed (environment names, \\text contents)."""
        self.skip_space()
        tok = self.peek()
        if tok is None or not (tok.kind == "sym" and tok.value == "{"):
            return self.next().value if tok else ""
        self.i += 1
        depth, out = 1, []
        while (t := self.next()) is not None:
            if t.kind == "sym" and t.value == "{":
                depth += 1
            elif t.kind == "sym" and t.value == "}":
                depth -= 1
                if depth == 0:
                    break
            out.append(t.value if t.kind != "cmd" else (SYMBOLS.get(t.value, t.value) if not t.value[:1].isalpha() else "\\" + t.value))
        return "".join(out)

    def seq(self, stop: str | None = None, single: bool = False, env: str | None = None) -> list[Any]:
        items: list[Any] = []
        while (tok := self.peek()) is not None:
            if stop and ((tok.kind in ("sym", "char") and tok.value == stop) or (stop == "\\right" and tok.kind == "cmd" and tok.value == "right")):
                self.i += 1
                break
            if env and tok.kind == "cmd" and tok.value == "end":
                break
            if env and ((tok.kind == "sym" and tok.value == "&") or (tok.kind == "cmd" and tok.value == "\\")):
                break
            self.i += 1
            if tok.kind == "space":
                continue  # math mode: spacing comes from the operators, as in TeX
            if tok.kind == "sym" and tok.value == "{":
                items.append(self.seq(stop="}"))
            elif tok.kind == "sym" and tok.value in "^_":
                arg = self.script_arg()
                base = items.pop() if items else ""
                kind = "sup" if tok.value == "^" else "sub"
                if isinstance(base, tuple) and base[0] in ("sup", "sub") and base[0] != kind and len(base) == 3:
                    items.append(("subsup", base[1], base[2], arg) if kind == "sup" else ("subsup", base[1], arg, base[2]))
                else:
                    items.append((kind, base, arg))
            elif tok.kind == "cmd":
                items.append(self.command(tok.value))
            elif tok.kind == "char" and tok.value == "'":
                items.append("′")
            else:
                items.append(tok.value)
            if single:
                break
        return items

    def script_arg(self) -> list[Any]:
        self.skip_space()
        tok = self.peek()
        if tok is not None and tok.kind == "cmd" and tok.value == "prime":
            self.i += 1
            return ["′"]
        return self.group()

    def command(self, name: str) -> Any:
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            return ("frac", self.group(), self.group(), name == "dfrac")
        if name == "binom":
            return ("binom", self.group(), self.group())
        if name == "sqrt":
            index = self.optional()
            return ("sqrt", self.group(), index)
        if name in TEXT_ARG:
            if name in ("text", "textrm", "texttt", "textit", "textbf"):
                return ("text", self.raw_group())
            return ("op" if name == "operatorname" else "style", self.group())
        if name == "mathbb":
            return ("bb", self.raw_group())
        if name in ("mathcal", "mathscr", "mathfrak"):
            return ("style", self.group())
        if name in ACCENTS:
            return ("accent", ACCENTS[name], self.group())
        if name in ("left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "middle"):
            self.skip_space()
            tok = self.next()
            if tok is None:
                return ""
            ch = tok.value if tok.kind != "cmd" else SYMBOLS.get(tok.value, BINARY.get(tok.value, ""))
            if tok.kind == "cmd" and tok.value in ("{", "}"):
                ch = tok.value
            ch = "" if ch == "." else ch
            if name == "left":
                inner = self.seq(stop="\\right")
                self.skip_space()
                closing = self.next()
                close = "" if closing is None else (closing.value if closing.kind != "cmd" else SYMBOLS.get(closing.value, closing.value))
                return ("delim", ch, inner, "" if close == "." else close)
            return ch
        if name == "begin":
            env = self.raw_group()
            if env == "array":
                self.raw_group()  # column spec
            return ("env", env, self.rows(env))
        if name == "end":
            self.raw_group()
            return ""
        if name in SPACES:
            return SPACES[name]
        if name in IGNORED:
            return ""
        if name in BINARY:
            return ("bin", BINARY[name])
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in FUNCTIONS:
            return ("fn", name)
        if name == "\\":
            return "\n"
        return ("macro", name)

    def rows(self, env: str) -> list[list[list[Any]]]:
        rows: list[list[list[Any]]] = [[]]
        while True:
            cell = self.seq(env=env)
            rows[-1].append(cell)
            tok = self.next()
            if tok is None:
                break
            if tok.kind == "sym" and tok.value == "&":
                continue
            if tok.kind == "cmd" and tok.value == "\\":
                rows.append([])
                continue
            if tok.kind == "cmd" and tok.value == "end":
                self.raw_group()
                break
        if rows and all(not _plain(c).strip() for c in rows[-1]):
            rows.pop()
        return rows


def _plain(node: Any) -> str:
    return render(node, display=False).lines[0] if not isinstance(node, str) else node


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
        return node[0] == "bin"
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
            before = prev is not None and not _is_operator(prev)
            after = nxt is not None and not _is_operator(nxt) or nxt in ("‖", "|")
            if (before or after) and nxt not in (")", "]", "}"):
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
    for line in _display_lines(text):
        out.extend(convert_line(line))
    return "\n".join(out)


def _display_lines(text: str) -> list[str]:
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
