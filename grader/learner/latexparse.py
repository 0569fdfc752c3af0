"""Reading LaTeX math into a tree: the symbol tables and a small recursive parser.

The tree is nested lists (a sequence) of str atoms and tuples such as ``('frac', num, den, display)``,
``('sup', base, script)`` or ``('env', name, rows)``; :mod:`grader.learner.mathtext` lays it out.
"""

from __future__ import annotations

import re
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
        if tok is None:
            return ""
        if not (tok.kind == "sym" and tok.value == "{"):
            self.i += 1
            return tok.value
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
        if rows and all(_empty(c) for c in rows[-1]):
            rows.pop()
        return rows



def _empty(node: Any) -> bool:
    """Whether a parsed cell holds nothing visible (the row after a trailing ``\\\\``)."""
    if isinstance(node, str):
        return not node.strip()
    return isinstance(node, list) and all(_empty(n) for n in node)
