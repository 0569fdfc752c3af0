"""Formulas as readable Unicode, and questions drawn for the terminal (Japanese widths, code blocks)."""

from __future__ import annotations

import io

import pytest
from rich.cells import cell_len
from rich.console import Console

from grader.learner import mathbox, mathtext
from grader.learner.mathtext import cell_width, convert, latex_to_unicode


@pytest.mark.parametrize(
    "latex, text",
    [
        (r"\sigma(x) = \dfrac{1}{1 + e^{-x}}", "σ(x) = 1/(1 + e⁻ˣ)"),
        (r"\sigma'(x) = \sigma(x)(1 - \sigma(x))", "σ′(x) = σ(x)(1 − σ(x))"),
        (r"\dfrac{dz}{dx} = \dfrac{dz}{dt}\dfrac{dt}{dx}", "dz/dx = (dz/dt)(dt/dx)"),  # juxtaposed fractions get parentheses
        (r"\left\lfloor \dfrac{H + 2P - F}{S} \right\rfloor + 1", "⌊(H + 2P − F)/S⌋ + 1"),
        (r"\dfrac{\lambda}{2}\lVert W\rVert_2^2", "(λ/2)‖W‖₂²"),
        (r"\sum_{k} y_k \log t_k", "∑ₖ yₖ log tₖ"),
        (r"W^T x + b", "Wᵀx + b"),
        (r"\mathbb{R}^{N \times D}", "ℝ^(N×D)"),  # no superscript ×: written out
        (r"0, 1, \dots, H - \text{crop\_h}", "0, 1, …, H − crop_h"),
        (r"\hat{y}_i \leq 1", "ŷᵢ ≤ 1"),
        (r"\sqrt{h} + \varepsilon", "√h + ε"),
        (r"\unknownmacro{x}", "unknownmacrox"),  # never a crash
    ],
)
def test_inline_formulas(latex: str, text: str) -> None:
    assert latex_to_unicode(latex) == text


def test_matrices_and_display_fractions_are_laid_out_in_2d() -> None:
    matrix = latex_to_unicode(r"W = \begin{pmatrix}1&3&4\\2&5&6\\1&0&-1\end{pmatrix}").split("\n")
    assert matrix == ["    ⎛1  3   4⎞", "W = ⎜2  5   6⎟", "    ⎝1  0  −1⎠"]
    frac = latex_to_unicode(r"\sigma(x) = \frac{1}{1 + e^{-x}}", display=True).split("\n")
    assert frac[1] == "σ(x) = ─────────" and frac[2].strip() == "1 + e⁻ˣ"
    cases = latex_to_unicode(r"f(x) = \begin{cases} x & (x > 0) \\ 0 & (x \leq 0) \end{cases}").split("\n")
    assert cases == ["f(x) = ⎧x  (x > 0)", "       ⎩0  (x ≤ 0)"]


def test_a_2d_formula_inside_japanese_prose_stays_aligned() -> None:
    lines = convert("行列 $W = \\begin{pmatrix}1&3\\\\2&4\\end{pmatrix}$ と $x$ の積").split("\n")
    assert len(lines) == 2
    assert lines[0].startswith("行列 W = ⎛1  3⎞ と x の積")
    # the matrix's second row starts under its first row, counting 行列 as 4 cells
    assert cell_width(lines[1][: lines[1].index("⎝")]) == cell_width(lines[0][: lines[0].index("⎛")])


def test_ambiguous_width_can_be_two_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESHIKAKU_AMBIGUOUS_WIDTH", "2")
    monkeypatch.setattr(mathbox, "_width_fn", None)
    try:
        assert cell_width("α") == 2 and cell_width("行") == 2
        box = mathtext.latex_box(r"\begin{pmatrix}\alpha & 1 \\ 2 & \beta\end{pmatrix}")
        assert len({cell_width(line) for line in box.lines}) == 1  # every row equally wide in cells
    finally:
        monkeypatch.setattr(mathbox, "_width_fn", None)


def test_questions_render_for_a_narrow_japanese_terminal() -> None:
    from progress_helpers import FIXTURE_BANK

    from grader.bank.loader import load_bank
    from grader.bank.params import attempt
    from grader.learner.terminal import question_renderables

    bank = load_bank([FIXTURE_BANK])
    console = Console(file=io.StringIO(), width=40, record=True, color_system=None)
    for qid in ("fx_sigmoid_max", "fx_relu_code"):
        for renderable in question_renderables(attempt(bank.questions[qid], 11), "1/2"):
            console.print(renderable)
    text = console.export_text()
    assert "σ(x) = 1/(1 + e⁻ˣ)" in text
    assert "def relu(x):" in text  # the template, highlighted as Python
    assert all(cell_len(line) <= 40 for line in text.splitlines())  # CJK counted as 2 cells when wrapping


def test_japanese_lines_break_between_characters_never_inside_words_or_before_punctuation() -> None:
    from rich.text import Text

    from grader.learner.richtext import cjk_wrap

    text = "勾配の二乗の指数移動平均を用いるため、古い勾配の影響が薄れ、np.maximum(0, x) の更新量が 0 に向かって消えていかない。"
    for width in range(12, 40):
        lines = cjk_wrap(Text(text), width, indent=2).plain.split("\n")
        assert all(cell_len(line) <= width for line in lines), (width, lines)
        assert all(line.strip()[:1] not in "、。）" for line in lines[1:]), (width, lines)
        if width >= 16:
            assert any("np.maximum(0," in line for line in lines), (width, lines)  # the English word stays whole
        assert "".join(line.strip() for line in lines).replace(" ", "") == text.replace(" ", "")
