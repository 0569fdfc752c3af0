"""Parameterised attempts: the seed fixes the numbers, the text and the answer."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter

from grader.bank.loader import load_bank
from grader.bank.params import ParameterError, attempt, display_order, draw_values, fill
from grader.bank.schema import Question
from grader.grading.answers import grade

_QUESTION = TypeAdapter(Question)
BASE = {"topic": "3-4", "difficulty": 2, "hints": ["ヒント"]}


def make(qid: str, qtype: str, **fields: Any):
    return _QUESTION.validate_python({"id": qid, "type": qtype, **BASE, **fields})


@pytest.fixture(scope="module")
def conv():
    return load_bank(use_cache=False).get("conv_output_size_param")


def out(n: int, f: int, s: int, p: int) -> int:
    return (n + 2 * p - f) // s + 1


def test_seed_3_by_hand(conv):
    # the numbers of seed 3, read once from `eshikaku show conv_output_size_param --seed 3`,
    # and the answer worked out by hand: (23 + 0 - 3) // 1 + 1 = 21, (18 + 0 - 3) // 1 + 1 = 16
    a = attempt(conv, 3)
    assert a.seed == 3
    assert a.values == {"H": 23, "W": 18, "F": 3, "S": 1, "P": 0}
    assert a.answer == [21, 16]
    assert "サイズ 23×18 (高さ×幅) の入力に、サイズ 3×3 のフィルタ" in a.prompt
    assert "ストライドは 1、パディングは 0 とする" in a.prompt
    assert "= 21$" in a.explanation and "= 16$" in a.explanation
    assert a.hints[1] == "割り切れないときは切り捨てる。高さは (23 + 2·0 − 3) // 1 + 1。"
    assert grade(a, "21x16").correct is True
    assert grade(a, "16x21").correct is False


def test_same_seed_same_attempt(conv):
    for seed in (0, 1, 3, 99, 2**31 - 1):
        first, again = attempt(conv, seed), attempt(conv, seed)
        assert (first.values, first.prompt, first.explanation, first.hints, first.answer) == (
            again.values, again.prompt, again.explanation, again.hints, again.answer)  # fmt: skip


def test_different_seeds_give_different_numbers(conv):
    prompts = {attempt(conv, seed).prompt for seed in range(1, 11)}
    assert len(prompts) >= 8


def test_where_is_honoured_and_answer_matches_the_formula_over_200_seeds(conv):
    filters = set()
    for seed in range(200):
        a = attempt(conv, seed)
        v = a.values
        assert 5 <= v["H"] <= 32 and 5 <= v["W"] <= 32 and 0 <= v["P"] <= 3
        assert v["F"] in (1, 2, 3, 5, 7) and v["S"] in (1, 2, 3)
        assert v["H"] + 2 * v["P"] >= v["F"] and v["W"] + 2 * v["P"] >= v["F"], (seed, v)
        assert v["P"] < v["F"], (seed, v)
        assert a.answer == [out(v["H"], v["F"], v["S"], v["P"]), out(v["W"], v["F"], v["S"], v["P"])], (seed, v)
        for text in (a.prompt, a.explanation, *a.hints):
            assert "{{" not in text and "}}" not in text
        assert f"サイズ {v['H']}×{v['W']} (高さ×幅)" in a.prompt
        filters.add(v["F"])
    assert filters == {1, 2, 3, 5, 7}


def test_an_attempt_without_a_seed_records_one_that_reproduces_it(conv):
    a = attempt(conv)
    assert isinstance(a.seed, int)
    again = attempt(conv, a.seed)
    assert (again.values, again.answer, again.prompt) == (a.values, a.answer, a.prompt)


def test_a_question_without_parameters_has_no_seed():
    q = make("plain", "numeric", prompt="p", explanation="e", answer=1.0)
    a = attempt(q)
    assert (a.seed, a.values, a.prompt) == (None, {}, "p")


GRID = make(
    "grid",
    "numeric",
    prompt="入力 {{N}} 個、重み {{ w }}、合計 {{ N * w }}、半分 {{ half }}。{{N}} は偶数。",
    explanation="{{N}} // 2 = {{ half }}",
    answer={"function": "reference.cnn:conv_output_size", "args": {"input_size": "N", "filter_size": "2", "stride": "2"}},
    parameters={
        "values": {"N": {"range": [2, 20], "step": 2}, "w": {"uniform": [0.1, 0.9], "digits": 2}},
        "derived": {"half": "N // 2"},
        "where": ["N != 10", "N * w > 1"],
    },
)


def test_steps_uniforms_derived_names_and_where():
    seen = set()
    for seed in range(200):
        v = draw_values(GRID, seed)
        assert v["N"] % 2 == 0 and 2 <= v["N"] <= 20 and v["N"] != 10
        assert 0.1 <= v["w"] <= 0.9 and round(v["w"], 2) == v["w"]
        assert v["N"] * v["w"] > 1
        assert v["half"] == v["N"] // 2
        seen.add(v["N"])
    assert seen == {2, 4, 6, 8, 12, 14, 16, 18, 20}


def test_placeholders_are_filled_and_answer_computed():
    for seed in range(20):
        a = attempt(GRID, seed)
        n, w = a.values["N"], a.values["w"]
        assert a.prompt.startswith(f"入力 {n} 個、重み {w:g}、合計 {n * w:g}、半分 {n // 2}。{n} は偶数。")
        assert a.explanation == f"{n} // 2 = {n // 2}"
        assert a.answer == n // 2  # (N - 2) // 2 + 1


def test_fill_by_hand():
    assert fill("{{H}}×{{W}}", {"H": 6, "W": 8}) == "6×8"
    assert fill("{{ (H + 2*P - F) // S + 1 }}", {"H": 6, "P": 1, "F": 2, "S": 1}) == "7"
    assert fill("{{ x }}", {"x": 0.5}) == "0.5"
    assert fill("{{ x }}", {"x": 0.00001234}) == "1.234e-05"
    assert fill("no placeholders {H}", {"H": 6}) == "no placeholders {H}"
    assert fill("{{H}} stays when there are no values", {}) == "{{H}} stays when there are no values"


def test_a_bad_placeholder_is_a_parameter_error():
    with pytest.raises(ParameterError, match="placeholder failed"):
        fill("{{ Q + 1 }}", {"H": 1})
    with pytest.raises(ParameterError, match="placeholder failed"):
        fill("{{ __import__('os') }}", {"H": 1})


def test_an_impossible_where_is_a_parameter_error():
    q = make(
        "never", "numeric", prompt="{{N}}", explanation="e", answer=1.0,
        parameters={"values": {"N": {"range": [1, 3]}}, "where": ["N > 3"]},
    )  # fmt: skip
    with pytest.raises(ParameterError, match=r"never: no draw satisfied `where` in 1000 tries"):
        attempt(q, 1)


def test_a_formula_with_an_unknown_name_is_a_parameter_error():
    q = make(
        "typo", "numeric", prompt="{{N}}", explanation="e", answer=1.0,
        parameters={"values": {"N": {"range": [1, 3]}}, "where": ["M > 0"]},
    )  # fmt: skip
    with pytest.raises(ParameterError, match=r"typo: parameter formula failed: unknown name 'M'"):
        attempt(q, 1)


def test_display_order_is_stable_per_seed_and_a_permutation():
    keys = ["1", "2", "3", "4"]
    assert display_order(keys, 5, "q") == display_order(keys, 5, "q")
    assert sorted(display_order(keys, 5, "q")) == keys
    orders = {tuple(display_order(keys, seed, "q")) for seed in range(30)}
    assert len(orders) > 5


def test_parameter_names_must_be_identifiers():
    with pytest.raises(ValueError, match="must be a Python identifier"):
        make("bad", "numeric", prompt="p", explanation="e", answer=1.0, parameters={"values": {"2N": {"range": [1, 2]}}})
