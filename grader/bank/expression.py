"""Safe arithmetic expressions: learners' symbolic answers and authors' parameter formulas.

Nothing here calls ``eval``: text is parsed into a Python AST, every node is checked against a
small whitelist (numbers, declared names, + − × ÷ ^, a few math functions), and the tree is
interpreted by :func:`evaluate`. Equivalence of two expressions is decided numerically at random
points, which accepts every algebraically equal spelling (``2(x+y)``, ``2x+2y``, ``2*y + 2*x``).
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import random
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence

Number = int | float
MAX_LENGTH = 400


class ExpressionError(ValueError):
    """The text is not a valid expression; the message says why, for the person who typed it."""


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


FUNCTIONS: dict[str, Callable[..., float]] = {
    "exp": math.exp,
    "log": math.log,
    "ln": math.log,
    "sqrt": math.sqrt,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "abs": abs,
    "floor": math.floor,
    "ceil": math.ceil,
    "min": min,
    "max": max,
}
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINARY: dict[type, Callable[[Number, Number], Number]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type, Callable[[Number, Number], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_UNICODE = {"×": "*", "·": "*", "⋅": "*", "∗": "*", "−": "-", "–": "-", "÷": "/", "（": "(", "）": ")",
            "²": "^2", "³": "^3", "σ": "sigmoid", "π": "pi", "√": "sqrt", "　": " "}  # fmt: skip
_TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/^(),]))")


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].strip()[:1]!r}")
        number, name, op = m.groups()
        out.append(("num", number) if number else ("name", name) if name else ("op", op))
        pos = m.end()
    return out


def _split_name(name: str, variables: set[str]) -> list[str]:
    """``xy`` → ``['x', 'y']`` when both are declared variables and ``xy`` is not."""
    if name in variables or name in FUNCTIONS or name in CONSTANTS:
        return [name]
    for cut in range(len(name) - 1, 0, -1):
        head = name[:cut]
        if head in variables or head in CONSTANTS:
            rest = _split_name(name[cut:], variables)
            if all(r in variables or r in CONSTANTS for r in rest):
                return [head, *rest]
    return [name]


def _to_python(text: str, variables: set[str]) -> str:
    """Learner notation → Python syntax: ``^`` is power and juxtaposition multiplies."""
    for old, new in _UNICODE.items():
        text = text.replace(old, new)
    text = unicodedata.normalize("NFKC", text)  # full-width ２（ｘ＋ｙ） from a Japanese IME; after ² → ^2
    tokens: list[tuple[str, str]] = []
    for kind, value in _tokens(text):
        if kind == "name":
            tokens.extend(("name", part) for part in _split_name(value, variables))
        else:
            tokens.append((kind, "**" if value == "^" else value))
    out: list[str] = []
    prev: tuple[str, str] | None = None
    for kind, value in tokens:
        ends_operand = prev is not None and (prev[0] == "num" or prev[1] == ")" or (prev[0] == "name" and prev[1] not in FUNCTIONS))
        starts_operand = kind in ("num", "name") or value == "("
        if ends_operand and starts_operand:
            out.append("*")
        out.append(value)
        prev = (kind, value)
    return " ".join(out)


def _check(node: ast.AST, names: set[str], *, author: bool) -> None:
    """Raises ExpressionError unless every node is whitelisted."""
    if isinstance(node, ast.Expression):
        _check(node.body, names, author=author)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, (int, float)) or isinstance(node.value, bool):
            raise ExpressionError("only numbers are allowed as constants")
    elif isinstance(node, ast.Name):
        if node.id not in names and node.id not in CONSTANTS:
            allowed = ", ".join(sorted(names)) or "none"
            raise ExpressionError(f"unknown name {node.id!r} (allowed names: {allowed})")
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        if not author and type(node.op) in (ast.FloorDiv, ast.Mod):
            raise ExpressionError("use + - * / ^ and parentheses")
        _check(node.left, names, author=author)
        _check(node.right, names, author=author)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, names, author=author)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords:
        for arg in node.args:
            _check(arg, names, author=author)
    elif author and isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        for sub in [node.left, *node.comparators]:
            _check(sub, names, author=author)
    elif author and isinstance(node, ast.BoolOp):
        for sub in node.values:
            _check(sub, names, author=author)
    else:
        raise ExpressionError(f"{type(node).__name__} is not allowed in an expression")


def parse(text: str, variables: Sequence[str], *, author: bool = False) -> ast.Expression:
    """See :func:`_parse`; author formulas repeat across cases and attempts, so their trees are cached."""
    if author:
        return _parse_author(text, frozenset(variables))
    return _parse(text, variables, author=False)


@functools.lru_cache(maxsize=4096)
def _parse_author(text: str, variables: frozenset[str]) -> ast.Expression:
    return _parse(text, sorted(variables), author=True)


def _parse(text: str, variables: Sequence[str], *, author: bool = False) -> ast.Expression:
    """Parses ``text`` into a checked AST.

    Args:
        text: A learner's answer (``2(x+y)``, ``2x^2``) or, with ``author=True``, a formula in
            Python syntax that may also use ``//``, ``%``, comparisons and ``and``/``or``.
        variables: The names the expression may use.

    Raises:
        ExpressionError: The text is not a valid expression in those names.
    """
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    source = text if author else _to_python(text, set(variables))
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        raise ExpressionError("not a complete expression: check the parentheses and operators") from None
    _check(tree, set(variables), author=author)
    return tree


def evaluate(tree: ast.Expression, env: Mapping[str, Number], *, exact: bool = False) -> Number:
    """Interprets a checked tree. Numbers are floats unless ``exact`` (author formulas keep ints)."""

    def ev(node: ast.AST) -> Number:
        if isinstance(node, ast.Constant):  # the checker admits only int and float constants
            value: Number = node.value  # type: ignore[assignment]
            return value if exact else float(value)
        if isinstance(node, ast.Name):
            return env[node.id] if node.id in env else CONSTANTS[node.id]
        if isinstance(node, ast.BinOp):
            left, right = ev(node.left), ev(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 1024:
                raise OverflowError("exponent too large")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            value = ev(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Call):
            return FUNCTIONS[node.func.id](*(ev(a) for a in node.args))  # type: ignore[attr-defined]
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            for op, comp in zip(node.ops, node.comparators):
                right = ev(comp)
                if not _COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.BoolOp):
            values = [ev(v) for v in node.values]
            return all(values) if isinstance(node.op, ast.And) else any(values)
        raise ExpressionError(f"{type(node).__name__} is not allowed")  # unreachable after _check

    return ev(tree.body)


def author_value(formula: str | int | float, env: Mapping[str, Number]) -> Number:
    """Evaluates an author's formula (``"(H + 2*P - F) // S + 1"``) with ints kept exact."""
    if isinstance(formula, (int, float)):
        return formula
    return evaluate(parse(formula, list(env), author=True), env, exact=True)


def equivalent(
    answer: str,
    reference: str,
    domains: Mapping[str, tuple[float, float]],
    *,
    points: int = 12,
    seed: int = 0,
    rel_tol: float = 1e-7,
) -> bool:
    """Whether two expressions agree at ``points`` random points of the variables' domains.

    Raises:
        ExpressionError: ``answer`` does not parse (``reference`` is trusted to parse).
    """
    names = list(domains)
    got = parse(answer, names)
    want = parse(reference, names)
    rng = random.Random(seed)
    compared = 0
    for _ in range(points * 4):
        env = {n: rng.uniform(*domains[n]) for n in names}
        try:
            expected = evaluate(want, env)
        except (ArithmeticError, ValueError):
            continue  # outside the reference's domain (log of a negative…): try another point
        try:
            value = evaluate(got, env)
        except (ArithmeticError, ValueError):
            return False
        if isinstance(value, complex) or not math.isfinite(value):
            return False
        if not math.isclose(value, expected, rel_tol=rel_tol, abs_tol=1e-9):
            return False
        compared += 1
        if compared == points:
            return True
    return compared > 0
