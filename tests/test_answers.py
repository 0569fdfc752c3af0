"""Grading typed answers: the forms a learner types are accepted, and wrong forms say what is expected."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from grader.bank.loader import load_bank
from grader.bank.params import attempt
from grader.bank.schema import Question
from grader.grading.answers import InvalidAnswer, Verdict, grade, parse_number, parse_shape

_QUESTION = TypeAdapter(Question)
BASE = {"topic": "3-1", "difficulty": 1, "prompt": "問題文", "explanation": "解説文", "hints": ["ヒント"]}


def make(qid: str, qtype: str, **fields: Any):
    return _QUESTION.validate_python({"id": qid, "type": qtype, **BASE, **fields})


def verdict(question, response: str) -> Verdict:
    return grade(attempt(question), response)


@pytest.fixture(scope="module")
def bank():
    return load_bank(use_cache=False)


# --------------------------------------------------------------------------- choice

SIGMOID = make(
    "sig",
    "choice",
    choices=[
        {"key": "1", "text": "0.15"},
        {"key": "2", "text": "0.25"},
        {"key": "3", "text": "0.35", "why": "0.5 × 0.5 は 0.35 ではない"},
        {"key": "4", "text": "0.45"},
    ],
    answer="2",
)


@pytest.mark.parametrize("response", ["2", "(2)", "２", "（２）", " 2 ", "[2]", "2,2"])
def test_choice_right_key_in_any_notation(response: str):
    v = verdict(SIGMOID, response)
    assert (v.correct, v.score) == (True, 1.0)
    assert v.expected == "(2) 0.25"


@pytest.mark.parametrize("response", ["1", "(3)", "４", "2,3"])
def test_choice_wrong_key(response: str):
    v = verdict(SIGMOID, response)
    assert (v.correct, v.score) == (False, 0.0)


def test_choice_wrong_key_shows_why():
    assert verdict(SIGMOID, "3").feedback == ("(3) 0.5 × 0.5 は 0.35 ではない",)
    assert verdict(SIGMOID, "1").feedback == ()


@pytest.mark.parametrize("response", ["5", "0.25", "b", "", "(2", "2;3"])
def test_choice_unknown_key_is_invalid_and_lists_the_keys(response: str):
    with pytest.raises(InvalidAnswer, match=r"選択肢の番号で答えてください: 1, 2, 3, 4"):
        verdict(SIGMOID, response)


MULTI = make(
    "multi",
    "choice",
    choices=[{"key": k, "text": t} for k, t in [("a", "ReLU"), ("b", "シグモイド"), ("c", "Leaky ReLU"), ("d", "tanh")]],
    answer=["a", "c"],
)


@pytest.mark.parametrize("response", ["a,c", "c, a", "(a),(c)", "a c", "ａ、ｃ", "a,c,a"])
def test_multiple_answer_choice_needs_exactly_the_right_set(response: str):
    assert verdict(MULTI, response).correct is True


@pytest.mark.parametrize("response", ["a", "c", "a,b,c", "b,d"])
def test_multiple_answer_choice_partial_sets_are_wrong(response: str):
    v = verdict(MULTI, response)
    assert (v.correct, v.score) == (False, 0.0)


def test_integer_keys_written_unquoted_are_keys():
    q = make("intkeys", "choice", choices=[{"key": 1, "text": "a"}, {"key": 2, "text": "b"}], answer=2)
    assert [c.key for c in q.choices] == ["1", "2"] and q.answer == ["2"]
    assert verdict(q, "2").correct is True


def test_builtin_sigmoid_question(bank):
    q = bank.get("sigmoid_derivative_max")
    assert [k for k in "1234" if verdict(q, k).correct] == ["2"]


# --------------------------------------------------------------------------- numeric


def test_numeric_absolute_tolerance():
    q = make("quarter", "numeric", answer=0.25, abs_tol=0.01, rel_tol=0.0)
    assert verdict(q, "0.259").correct is True
    assert verdict(q, "0.241").correct is True
    assert verdict(q, "0.261").correct is False
    assert verdict(q, "0.2").correct is False


def test_numeric_relative_tolerance():
    q = make("big", "numeric", answer=1000.0, abs_tol=0.0, rel_tol=0.01)
    assert verdict(q, "1009").correct is True
    assert verdict(q, "991").correct is True
    assert verdict(q, "1011").correct is False


@pytest.mark.parametrize("response", ["0.25", "1/4", "2.5e-1", "25%", "０．２５", ".25", "+0.25", "1/2^2"])
def test_numeric_forms(response: str):
    q = make("quarter", "numeric", answer=0.25)
    assert verdict(q, response).correct is True


def test_numeric_thousands_separators():
    q = make("params", "numeric", answer=1050624, abs_tol=0.0, rel_tol=0.0)
    assert verdict(q, "1,050,624").correct is True
    assert verdict(q, "1050624").correct is True
    assert verdict(q, "1,050,625").correct is False
    # the right answer is shown in full, not rounded to 6 digits
    assert verdict(q, "1,050,625").expected == "1050624"


def test_numeric_expected_is_shown_exactly():
    assert verdict(make("q", "numeric", answer=0.7310585786), "0.5").expected == "0.7310585786"
    assert verdict(make("q", "numeric", answer=0.25), "0.5").expected == "0.25"
    assert verdict(make("q", "numeric", answer=2.5e-7), "0").expected == "2.5e-07"
    assert verdict(make("q", "numeric", answer=-3), "0").expected == "-3"


def test_numeric_default_tolerance_is_tight():
    q = make("half", "numeric", answer=0.5)
    assert verdict(q, "0.5").correct is True
    assert verdict(q, "0.5001").correct is False


def test_numeric_unit():
    q = make("count", "numeric", answer=4, unit="個")
    assert verdict(q, "4個").correct is True
    assert verdict(q, "4 個").correct is True
    assert verdict(q, "4").correct is True
    assert verdict(q, "5個").correct is False
    assert verdict(q, "4").expected == "4個"


def test_numeric_negative_with_unicode_minus():
    q = make("neg", "numeric", answer=-1.5)
    assert verdict(q, "−1.5").correct is True
    assert verdict(q, "-3/2").correct is True


@pytest.mark.parametrize("response", ["abc", "0.25x", "1,05", "", "1/0", "10^400", "(1"])
def test_numeric_unreadable_is_invalid(response: str):
    q = make("quarter", "numeric", answer=0.25)
    with pytest.raises(InvalidAnswer, match=r"数値で答えてください"):
        verdict(q, response)


def test_parse_number_values():
    assert parse_number("1/4") == 0.25
    assert parse_number("1,050,624") == 1050624.0
    assert parse_number("2.5e-3") == 0.0025
    assert parse_number("12.5%") == 0.125


# --------------------------------------------------------------------------- shape

SHAPE = make("shape7", "shape", answer=[7, 7])


@pytest.mark.parametrize("response", ["7x7", "7×7", "(7, 7)", "7, 7", "[7,7]", "7 x 7", "7X7", "７×７", "7*7", "7 7"])
def test_shape_forms(response: str):
    v = verdict(SHAPE, response)
    assert (v.correct, v.expected) == (True, "7 × 7")


def test_shape_wrong():
    assert verdict(SHAPE, "6x6").correct is False
    assert verdict(SHAPE, "7x6").correct is False
    v = verdict(SHAPE, "7x7x1")
    assert v.correct is False
    assert v.feedback == ("正しい形状は 2 次元ですが、答えは 3 次元です",)


@pytest.mark.parametrize("response", ["7by7", "seven", "7.0x7", "-7x7", "", "7x?"])
def test_shape_unreadable_is_invalid(response: str):
    with pytest.raises(InvalidAnswer, match=r"形状で答えてください"):
        verdict(SHAPE, response)


def test_parse_shape_keeps_every_dimension():
    assert parse_shape("(10240, 75)") == (10240, 75)
    assert parse_shape("64x3x3x3") == (64, 3, 3, 3)


# --------------------------------------------------------------------------- matching

OPTIMIZERS = make(
    "opt",
    "matching",
    left=[{"key": k, "text": t} for k, t in [("A", "モメンタム"), ("B", "AdaGrad"), ("C", "RMSProp"), ("D", "Adam")]],
    right=[{"key": str(i), "text": f"特徴{i}"} for i in range(1, 6)],
    pairs={"A": "2", "B": "1", "C": "4", "D": "3"},
)


@pytest.mark.parametrize("response", ["A-2, B-1, C-4, D-3", "2,1,4,3", "A2 B1 C4 D3", "A→2、B→1、C→4、D→3", "D-3, C-4, B-1, A-2", "２，１，４，３"])
def test_matching_all_right_in_each_notation(response: str):
    v = verdict(OPTIMIZERS, response)
    assert (v.correct, v.score, v.feedback) == (True, 1.0, ())


@pytest.mark.parametrize("response", ["A-2, B-1, C-3, D-4", "2,1,3,4"])
def test_matching_two_of_four_is_half_credit(response: str):
    v = verdict(OPTIMIZERS, response)
    assert (v.correct, v.score) == (False, 0.5)
    assert v.feedback == ("C: 3 ではない", "D: 4 ではない")
    assert v.expected == "A-2, B-1, C-4, D-3"


def test_matching_none_right():
    v = verdict(OPTIMIZERS, "A-5, B-5, C-5, D-5")
    assert (v.correct, v.score) == (False, 0.0)


@pytest.mark.parametrize("response", ["A-9", "E-1", "1,2", "x", "2,1,4"])
def test_matching_unreadable_is_invalid(response: str):
    with pytest.raises(InvalidAnswer, match=r"左の記号-右の記号 の組で、左の各項目 \(A, B, C, D\) に一つずつ答えてください \(例: A-2\)"):
        verdict(OPTIMIZERS, response)


def test_builtin_matching_question(bank):
    q = bank.get("optimizer_traits")
    assert verdict(q, "A-2, B-1, C-4, D-3").correct is True
    assert verdict(q, "A-2, B-1, C-3, D-4").score == 0.5


# --------------------------------------------------------------------------- self-graded

ESSAY = make(
    "essay",
    "self_graded",
    model_answer="ドロップアウトは学習時にユニットをランダムに無効化し、推論時は期待値を合わせる。",
    rubric=[
        {"point": "学習時にランダムに無効化する", "weight": 2},
        {"point": "アンサンブル効果がある"},
        {"point": "推論時は出力をスケールする"},
    ],
)


@pytest.mark.parametrize(
    ("response", "score", "correct"),
    [("all", 1.0, True), ("1,2,3", 1.0, True), ("全部", 1.0, True), ("1", 0.5, False), ("2 3", 0.5, False),
     ("1,3", 0.75, False), ("２", 0.25, False), ("none", 0.0, False), ("なし", 0.0, False)],
)
def test_self_graded_scores_by_rubric_weight(response: str, score: float, correct: bool):
    v = verdict(ESSAY, response)
    assert (v.score, v.correct) == (score, correct)
    assert v.expected == "ドロップアウトは学習時にユニットをランダムに無効化し、推論時は期待値を合わせる。"


def test_self_graded_lists_missed_points():
    assert verdict(ESSAY, "1").feedback == ("満たしていない: アンサンブル効果がある", "満たしていない: 推論時は出力をスケールする")


def test_self_graded_invalid():
    with pytest.raises(InvalidAnswer, match="採点ポイントの番号は 1–3 です"):
        verdict(ESSAY, "4")
    with pytest.raises(InvalidAnswer, match=r"満たした採点ポイントの番号"):
        verdict(ESSAY, "good")


# --------------------------------------------------------------------------- code_blank by key


def test_code_blank_by_key(bank):
    q = bank.get("ridge_blank")
    for response in ["え=4", "4", "(4)", "え:4", "え＝４", " 4 "]:
        v = verdict(q, response)
        assert (v.correct, v.score) == (True, 1.0), response
    v = verdict(q, "え=3")
    assert (v.correct, v.score) == (False, 0.0)
    assert v.feedback and v.feedback[0].startswith("(え) 3: ")
    assert verdict(q, "1").correct is False


def test_code_blank_unknown_key_or_blank_is_invalid(bank):
    q = bank.get("ridge_blank")
    for response in ["5", "お=4", "4,4", "", "え="]:
        with pytest.raises(InvalidAnswer, match=r"各空欄の選択肢の番号を空欄の順に答えてください \(例: 1、または え=1\)"):
            verdict(q, response)


TWO_BLANKS = make(
    "two_blanks",
    "code_blank",
    entry="f",
    reference="reference.regularization:ridge",
    template="def f(x):\n    a = (あ)\n    return (い)\n",
    cases=[{"name": "one", "args": [1]}],
    blanks=[
        {"name": "あ", "choices": [{"key": "1", "text": "x"}, {"key": "2", "text": "-x"}], "answer": "1"},
        {"name": "い", "choices": [{"key": "1", "text": "a"}, {"key": "2", "text": "2*a"}], "answer": "2"},
    ],
)


def test_code_blank_with_two_blanks_gives_partial_credit():
    assert verdict(TWO_BLANKS, "あ=1, い=2").correct is True
    assert verdict(TWO_BLANKS, "1,2").correct is True
    assert verdict(TWO_BLANKS, "い=2 あ=1").correct is True
    v = verdict(TWO_BLANKS, "あ=1, い=1")
    assert (v.correct, v.score) == (False, 0.5)
    with pytest.raises(InvalidAnswer, match="例: 1 1、または あ=1, い=1"):
        verdict(TWO_BLANKS, "あ=1")


def test_code_function_is_not_graded_as_text():
    q = make(
        "cf", "code_function", entry="f", reference="reference.regularization:ridge",
        template="def f(x):\n    ...\n", cases=[{"name": "one", "args": [1]}],
    )  # fmt: skip
    with pytest.raises(InvalidAnswer, match="eshikaku submit cf FILE"):
        verdict(q, "def f(x): return x")


# --------------------------------------------------------------------------- expression


def test_expression_question(bank):
    q = bank.get("chain_rule")
    assert verdict(q, "2(x+y)").correct is True
    assert verdict(q, "2x+2y").correct is True
    assert verdict(q, "2*x").correct is False
    with pytest.raises(InvalidAnswer, match=r"式として読めません: unknown name .t..*x, y、数"):
        verdict(q, "2t")
