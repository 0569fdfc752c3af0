"""validate proves typed answers: wrong answers are graded wrong at every parameter draw and told apart, the
tolerance neither accepts a wrong power of ten nor rejects the rounding the prompt asks for, worked examples
and pinned `expect` values catch a wrong reference, and multi-part answers are graded and proved part by part."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

HEAD = """\
id: {id}
type: {type}
topic: "3-4"
difficulty: 1
title: テスト
hints: [ひとこと]
explanation: 解説。
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def question(tmp_path: Path, qid: str, qtype: str, body: str, reference: str = "") -> tuple[Path, Path]:
    """A private bank holding one question (and a reference module of its own name, if given)."""
    bank = tmp_path / "bank"
    (bank / "03-4_cnn").mkdir(parents=True, exist_ok=True)
    module = "ops_" + hashlib.sha256(str(bank).encode()).hexdigest()[:10]
    if reference:
        (bank / "reference").mkdir(exist_ok=True)
        (bank / "reference" / f"{module}.py").write_text(textwrap.dedent(reference), encoding="utf-8")
    path = bank / "03-4_cnn" / f"{qid}.yaml"
    path.write_text(HEAD.format(id=qid, type=qtype) + textwrap.dedent(body).replace("MODULE", module), encoding="utf-8")
    return bank, path


def line_of(path: Path, text: str, after: int = 0) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if i > after and text in l)


def validate(bank: Path, *extra: str) -> tuple[int, str]:
    return run("--bank", str(bank), "--bank-only", "validate", str(bank), *extra)


# --------------------------------------------------------------------------- numeric


def test_a_wrong_answer_equal_to_the_answer_for_some_values_is_named_with_those_values(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "count_params", "numeric", """\
        parameters:
          values:
            B: {range: [1, 9]}
            C: {range: [1, 9]}
        prompt: "{{B}} 個と {{C}} 個"
        answer: {formula: "5 * B + C"}
        abs_tol: 0
        wrong_answers:
          - {answer: {formula: "B * (5 + C)"}, says: "B(5+C) と数えていないか"}
        """)
    code, out = validate(bank)
    assert code == 1
    assert f"count_params.yaml:{line_of(path, 'B * (5 + C)')}:" in out
    assert "wrong answer 1 equals the right answer (6) for B=1, C=1" in out and "`where:`" in out
    path.write_text(path.read_text(encoding="utf-8").replace("B: {range: [1, 9]}", "B: {range: [2, 9]}"), encoding="utf-8")
    code, out = validate(bank, "-v")
    assert code == 0, out
    assert "count_params: wrong answer 1 graded wrong at all 72 parameter draws" in out  # 8 × 9: every draw, not a sample


def test_a_tolerance_that_accepts_the_wrong_exponent_is_an_error_naming_it(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "tiny_rate", "numeric", """\
        prompt: 学習率を求めよ。
        answer: 1.0e-5
        abs_tol: 1.0e-4
        wrong_answers:
          - {answer: 1.0e-6, says: 桁を間違えている}
        """)
    code, out = validate(bank)
    assert code == 1
    assert f"tiny_rate.yaml:{line_of(path, 'abs_tol')}:" in out
    assert "accepts 1e-06, a wrong power of ten of the answer 1e-05" in out and "make abs_tol smaller than 9e-06" in out
    assert f"tiny_rate.yaml:{line_of(path, '1.0e-6')}:" in out and "the tolerance (±0.0001) accepts wrong answer 1 (1e-06" in out


def test_the_rounding_the_prompt_asks_for_must_be_accepted(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "third_place", "numeric", """\
        prompt: 1/7 を小数第 3 位まで答えよ。
        answer: {formula: "1 / 7"}
        abs_tol: 1.0e-4
        """)
    code, out = validate(bank)
    assert code == 1
    assert f"third_place.yaml:{line_of(path, 'abs_tol')}:" in out
    assert "the prompt asks for 小数第 3 位まで (3 decimal(s)), but 0.143" in out and "set abs_tol to one unit of the last decimal asked (0.001)" in out


def test_two_wrong_answers_that_coincide_are_an_error(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "same_wrong", "numeric", """\
        parameters:
          values:
            a: {range: [0, 4]}
        prompt: "{{a}}"
        answer: {formula: "a + 10"}
        abs_tol: 0
        wrong_answers:
          - {answer: {formula: "2 * a"}, says: 2 倍した}
          - {answer: {formula: "a * a"}, says: 2 乗した}
        """)
    code, out = validate(bank)
    assert code == 1
    assert f"same_wrong.yaml:{line_of(path, 'a * a')}:" in out
    assert "wrong answers 1 and 2 are both 0 for a=0" in out and "four-choice form would show one value twice" in out


def test_a_worked_example_catches_a_wrong_reference_and_a_wrong_literal_key(tmp_path: Path) -> None:
    reference = """\
        def output_size(h, f, s, p):
            return (h + p - f) // s + 1   # forgot the 2 in 2p
        """
    bank, path = question(tmp_path, "out_size", "numeric", """\
        parameters:
          values:
            H: {range: [8, 16]}
            P: {range: [0, 2]}
        prompt: "{{H}}"
        answer: {function: reference.MODULE:output_size, args: {h: H, f: "3", s: "1", p: P}}
        abs_tol: 0
        worked_examples:
          - {values: {H: 10, P: 1}, answer: 10}
        """, reference)
    code, out = validate(bank)
    assert code == 1
    assert f"out_size.yaml:{line_of(path, 'answer: 10')}:" in out
    assert "for H=10, P=1 the answer computed by the reference reference.ops_" in out and "is 9, but the worked example says 10" in out
    # the same question with the answer typed by hand, equal to a listed wrong answer
    bank2, path2 = question(tmp_path / "two", "key_typo", "numeric", """\
        prompt: シグモイドの導関数の最大値
        answer: 0.5
        wrong_answers:
          - {answer: 0.5, says: σ(0) をそのまま答えている}
        """)
    code, out = validate(bank2)
    assert code == 1 and "wrong answer 1 equals the answer (0.5): is the answer key right?" in out


# --------------------------------------------------------------------------- shape and expression


def test_shape_wrong_answers_and_worked_examples_are_proved(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "pool_shape", "shape", """\
        parameters:
          values:
            H: {range: [4, 12], step: 2}
        prompt: "{{H}}"
        answer: [{formula: "H // 2"}, {formula: "H // 2"}]
        wrong_answers:
          - {answer: [{formula: "H"}, {formula: "H"}], says: プーリングで縮むのを忘れた}
          - {answer: [{formula: "H - 2"}, {formula: "H - 2"}], says: 3×3 の畳み込みと取り違えた}
        worked_examples:
          - {values: {H: 8}, answer: [4, 4]}
        """)
    code, out = validate(bank)
    assert code == 1 and f"pool_shape.yaml:{line_of(path, 'H - 2')}:" in out
    assert "wrong answer 2 is the right shape (2, 2) for H=4" in out
    path.write_text(path.read_text(encoding="utf-8").replace("[4, 12]", "[6, 12]").replace("answer: [4, 4]", "answer: [4, 5]"), encoding="utf-8")
    code, out = validate(bank)
    assert code == 1 and "wrong answer 2" not in out
    assert f"pool_shape.yaml:{line_of(path, 'answer: [4, 5]')}:" in out
    assert "for H=8 the answer computed by the formulas is [4, 4], but the worked example says [4, 5]" in out


def test_expression_wrong_answers_equal_to_the_answer_and_unequal_accepted_forms_are_errors(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "chain", "expression", """\
        prompt: 微分せよ。
        variables: [x, y]
        answer: "2*(x + y)"
        accepted_forms: ["2x + 2y", "x + y"]
        wrong_answers:
          - {answer: "2*x + 2*y", says: 同じ式}
          - {answer: "x + y", says: 係数を落とした}
        """)
    code, out = validate(bank)
    assert code == 1
    assert f"chain.yaml:{line_of(path, 'accepted_forms')}:" in out and "'x + y' is not equal to the answer" in out
    assert f"chain.yaml:{line_of(path, '2*x + 2*y')}:" in out and "wrong answer 1 '2*x + 2*y' equals the answer" in out
    broken = path.read_text(encoding="utf-8").replace('"x + y", says', '"x + (y", says')
    path.write_text(broken, encoding="utf-8")
    code, out = validate(bank, "--no-run")
    assert code == 1 and "is not an expression of x, y" in out and "Traceback" not in out


# --------------------------------------------------------------------------- numeric_parts


PARTS = """\
    parameters:
      values:
        C: {range: [1, 4]}
        M: {choice: [8, 16]}
      derived:
        P1: "(9 * C + 1) * M"
        P2: "(9 * M + 1) * M"
    prompt: "入力 {{C}} チャネル、3×3 のフィルタ {{M}} 枚の畳み込みを 2 つ重ねる。"
    parts:
      - name: a
        label: 1 層目のパラメータ数
        answer: {formula: "P1"}
        abs_tol: 0
        wrong_answers:
          - {answer: {formula: "9 * C * M"}, says: バイアスを数え忘れている}
      - name: b
        label: 2 層目のパラメータ数
        answer: {formula: "P2"}
        abs_tol: 0
      - name: r
        label: 比 (2 層目 / 1 層目、小数第 2 位まで)
        answer: {formula: "P2 / P1"}
        abs_tol: 0.005
    worked_examples:
      - {values: {C: 3, M: 8}, answer: {a: 224, b: 584, r: 2.61}}
    """


def test_a_multi_part_answer_is_graded_part_by_part_with_partial_credit(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "two_convs", "numeric_parts", PARTS)
    code, out = validate(bank, "-v")
    assert code == 0, out
    assert "two_convs: part a: wrong answer 1 graded wrong at all 8 parameter draws" in out
    assert "two_convs: part r: worked example 1 matches the computed answer" in out
    code, out = run("--bank", str(bank), "--bank-only", "show", "two_convs", "--seed", "3")
    assert code == 0 and "(a) 1 層目のパラメータ数" in out and "(r) 比" in out
    from grader.bank.loader import load_bank
    from grader.bank.params import attempt

    current = attempt(load_bank([bank]).questions["two_convs"], 3)
    a, b, r = (current.answer[k] for k in ("a", "b", "r"))
    db = ["--db", str(tmp_path / "p.sqlite3"), "--create"]
    code, out = run("--bank", str(bank), "--bank-only", *db, "answer", "two_convs", f"a={a}, b={b}, r={r:.2f}", "--seed", "3", "--json")
    assert code == 0 and '"score": 1.0' in out, out
    no_bias = 9 * current.values["C"] * current.values["M"]
    code, out = run("--bank", str(bank), "--bank-only", *db, "answer", "two_convs", f"{no_bias} {b} {r:.2f}", "--seed", "3", "--json")
    assert code == 1 and '"score": 0.6666666666666666' in out
    assert f"(a) {no_bias}: バイアスを数え忘れている" in out


def test_a_multi_part_worked_example_names_the_part_that_disagrees(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "two_convs", "numeric_parts", PARTS.replace("b: 584", "b: 585"))
    code, out = validate(bank)
    assert code == 1
    assert f"two_convs.yaml:{line_of(path, 'b: 585')}:" in out
    assert "part b: for C=3, M=8 the answer computed by the formula 'P2' is 584, but the worked example says 585" in out


# --------------------------------------------------------------------------- pinned expected values of code


CODE = """\
    prompt: 2 倍して返す。
    entry: double
    reference: reference.MODULE:double
    template: |
      def double(x):
          ...
    cases:
      - name: example
        hidden: false
        let:
          x: {array: [1.0, 2.0]}
        args: [{ref: x}]
        expect: {array: [2.0, 4.0]}
      - name: counter
        steps:
          - {call: Counter, bind: c, check: false}
          - {call: c.add, args: [3]}
          - {call: c.add, args: [4], expect: 7}
      - name: random
        let:
          x: {random: normal, shape: [3]}
        args: [{ref: x}]
    """
REFERENCE = """\
    def double(x):
        return 2 * x


    class Counter:
        def __init__(self):
            self.total = 0

        def add(self, n):
            self.total += n
            return self.total
    """


def edit_reference(bank: Path, old: str, new: str) -> None:
    """Changes the bank's reference module as an author would between two runs of validate (each run is a
    new process: here the imported module and its bytecode are dropped)."""
    import shutil
    import sys

    module = next((bank / "reference").glob("*.py"))
    module.write_text(module.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    shutil.rmtree(module.parent / "__pycache__", ignore_errors=True)
    sys.modules.pop(f"reference.{module.stem}", None)


def test_expect_on_a_case_and_on_a_step_catches_a_wrong_reference(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "double_it", "code_function", CODE, REFERENCE)
    code, out = validate(bank, "-v")
    assert code == 0, out
    assert "double_it: reference passes, and returns every pinned `expect`" in out
    edit_reference(bank, "return 2 * x", "return x + 2")
    edit_reference(bank, "self.total += n", "self.total = n")
    code, out = validate(bank)
    assert code == 1
    assert f"double_it.yaml:{line_of(path, 'expect: {array')}:" in out
    assert "case example: the reference returns [3. 4.], but `expect` says [2. 4.] (the result: 2 箇所のうち 1 箇所で値が違います" in out
    edit_reference(bank, "return x + 2", "return 2 * x")
    code, out = validate(bank)
    assert code == 1 and f"double_it.yaml:{line_of(path, 'expect: 7')}:" in out and "case counter: the reference returns 4, but `expect` says 7" in out


def test_expect_needs_fixed_inputs(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "double_it", "code_function", CODE.replace("        args: [{ref: x}]\n    \"\"\"", "").replace(
        "x: {random: normal, shape: [3]}\n        args: [{ref: x}]", "x: {random: normal, shape: [3]}\n        args: [{ref: x}]\n        expect: 1.0"),
        REFERENCE)  # fmt: skip
    code, out = validate(bank, "--no-run")
    assert code == 1 and "a case with `expect` needs fixed inputs" in out


def test_a_numeric_reference_that_never_returns_is_stopped_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESHIKAKU_TRUSTED_SECONDS", "1")  # the limit, shortened so that the test does not wait 10 s
    bank, path = question(tmp_path, "loops", "numeric", """\
        prompt: 答えよ。
        answer: {function: reference.MODULE:forever}
        """, "def forever():\n    while True:\n        pass\n")
    code, out = validate(bank)
    assert code == 1
    assert f"loops.yaml:{line_of(path, 'answer:')}:" in out and "computing the answers of loops" in out and "time limit" in out


def test_a_draw_whose_formulas_cannot_be_computed_is_redrawn_not_a_crash(tmp_path: Path) -> None:
    bank, path = question(tmp_path, "inverse_gap", "numeric", """\
        parameters:
          values:
            a: {range: [1, 3]}
            b: {range: [1, 3]}
          derived:
            g: "1 / (a - b)"
          where: ["a != b"]
        prompt: "{{a}} と {{b}}"
        answer: {formula: "g"}
        """)
    code, out = validate(bank, "-v")
    assert code == 0, out
    from grader.bank.loader import load_bank
    from grader.bank.params import attempt

    q = load_bank([bank]).questions["inverse_gap"]
    assert all(attempt(q, seed).values["a"] != attempt(q, seed).values["b"] for seed in range(200))
