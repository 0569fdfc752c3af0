"""validate --strict names every item whose form gives its key away, at the line to fix, and the bank-wide
rate of each test-taking strategy against chance."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cli import main
from grader.bank.loader import load_bank
from grader.instructor.itemcues import MIN_ITEMS_FOR_A_RATE, bank_rates, rate_lines

HEAD = """\
id: {id}
type: choice
topic: "3-1"
syllabus: [3-1-4]
keywords: [ReLU]
difficulty: 1
title: 活性化関数
prompt: |
  {stem}
hints: [負の入力を考える。]
explanation: |
  ReLU は負の入力を 0 にする。
"""

CUED = {
    # the key carries every qualifier a true statement needs; the distractors are bare
    "longest_key": ("ReLU について正しいものを選べ。", """\
choices:
  - {key: "1", text: '正の入力ではそのまま出力し、負の入力では 0 を出力するため、正の領域で勾配が 1 になり勾配消失が起きにくい', why: 正しい。}
  - {key: "2", text: '出力は 0 から 1', why: シグモイド関数のこと。}
  - {key: "3", text: '常に微分可能', why: 0 で微分できない。}
  - {key: "4", text: '負の入力を反転', why: 絶対値のこと。}
answer: "1"
"""),
    # distractors made by changing one part of the key: the key shares the most parts
    "convergent_parts": ("(あ) と (い) の組み合わせとして正しいものを選べ。", """\
choices:
  - {key: "1", parts: {あ: ReLU, い: '0'}, why: 正しい。}
  - {key: "2", parts: {あ: ReLU, い: '1'}, why: 負の入力は 1 にならない。}
  - {key: "3", parts: {あ: tanh, い: '0'}, why: tanh は負の値を返す。}
  - {key: "4", parts: {あ: ReLU, い: '-1'}, why: 負の入力は −1 にならない。}
answer: "1"
"""),
    # only the false statement carries an absolute word
    "absolute_false": ("ReLU について **誤っているもの** を選べ。", """\
choices:
  - {key: "1", text: '負の入力に対して 0 を出力する', why: 正しい記述。}
  - {key: "2", text: '正の入力をそのまま出力する', why: 正しい記述。}
  - {key: "3", text: '勾配は必ず 1 になる関数である', why: 負の入力では勾配は 0。}
  - {key: "4", text: '0 で微分可能ではない関数である', why: 正しい記述。}
answer: "3"
"""),
    "catch_all": ("ReLU について正しいものを選べ。", """\
choices:
  - {key: "1", text: '負の入力に対して 0 を出力する', why: 正しい。}
  - {key: "2", text: '出力の範囲は 0 から 1 までである', why: シグモイド関数のこと。}
  - {key: "3", text: '入力の絶対値をそのまま出力する', why: 絶対値のこと。}
  - {key: "4", text: '上記のいずれも正しいとはいえない', why: (1) は正しい。}
answer: "1"
"""),
}


def write_bank(tmp_path: Path) -> Path:
    folder = tmp_path / "bank" / "03-1_forward"
    folder.mkdir(parents=True)
    for qid, (stem, body) in CUED.items():
        (folder / f"{qid}.yaml").write_text(HEAD.format(id=qid, stem=stem) + body, encoding="utf-8")
    return folder.parent


def test_each_cue_is_named_at_the_line_of_the_item_with_its_fix(tmp_path: Path) -> None:
    bank = write_bank(tmp_path)
    result = CliRunner().invoke(main, ["--bank-only", "--bank", str(bank), "validate", "--strict", "--no-run", str(bank)])
    out = result.output + result.stderr
    assert result.exit_code == 1
    expected = {
        "longest_key.yaml:14:": "cue longest: the key is the longest option by far",
        "convergent_parts.yaml:14:": "cue convergence",
        "absolute_false.yaml:16:": "cue absolute: only the false statement (the key) carries an absolute word",
        "catch_all.yaml:17:": "cue catch_all",
        "catch_all.yaml:17:47:": "cue key_reference: cites option (1) by its key",
    }
    for where, what in expected.items():
        assert any(where in line and what in line for line in out.splitlines()), f"{where} {what}\n{out}"


def test_the_bank_wide_rate_of_each_strategy_is_reported_against_chance(tmp_path: Path) -> None:
    bank = write_bank(tmp_path)
    stem, body = CUED["convergent_parts"]
    for i in range(20):  # a rate is judged over 20 items or more: one file alone says nothing about a bank
        (bank / "03-1_forward" / f"convergent_{i}.yaml").write_text(HEAD.format(id=f"convergent_{i}", stem=stem) + body, encoding="utf-8")
    result = CliRunner().invoke(main, ["--bank-only", "--bank", str(bank), "validate", "--strict", "--no-run", str(bank)])
    out = result.output + result.stderr
    assert "cue longest: hits the key in 1.0 of 3 items (33%; chance 25%" in out
    assert "cue convergence: hits the key in 21.0 of 21 items (100%; chance 25%, +75.0 points)" in out
    assert "the convergence strategy picks the key in 100% of 21 items, 75.0 points above chance" in out
    assert "the longest strategy picks the key" not in out  # 3 items: reported, not judged


# The key is never the shortest option: a learner who rules the shortest out gains as much as one who picks the longest.
NEVER_SHORTEST = ("ReLU について正しいものを選べ。", """\
choices:
  - {key: "1", text: '負の入力に対して 0 を出力する', why: 正しい。}
  - {key: "2", text: '出力は 0 から 1 まで', why: シグモイド関数のこと。}
  - {key: "3", text: '入力の絶対値をそのまま出力する関数である', why: 絶対値のこと。}
  - {key: "4", text: '負の入力の符号を反転して出力する関数である', why: 符号反転のこと。}
answer: "1"
""")


def test_a_strategy_far_below_chance_is_flagged_with_its_direction(tmp_path: Path) -> None:
    folder = tmp_path / "bank" / "03-1_forward"
    folder.mkdir(parents=True)
    stem, body = NEVER_SHORTEST
    for i in range(MIN_ITEMS_FOR_A_RATE):
        (folder / f"never_shortest_{i}.yaml").write_text(HEAD.format(id=f"never_shortest_{i}", stem=stem) + body, encoding="utf-8")
    result = CliRunner().invoke(main, ["--bank-only", "--bank", str(folder.parent), "validate", "--strict", "--no-run", str(folder.parent)])
    out = result.output + result.stderr
    assert result.exit_code == 1
    assert "cue shortest: hits the key in 0.0 of 20 items (0%; chance 25%, -25.0 points)" in out
    assert ("the shortest strategy picks the key in 0% of 20 items, 25.0 points below chance (25%): the key is the shortest "
            "option too rarely, which gives it away; shorten a wordy key, or state a distractor's (wrong) claim more fully") in out
    assert "the not_shortest strategy picks the key in 33% of 20 items, 8.3 points above chance" in out


def test_no_strategy_of_the_built_in_bank_is_more_than_5_points_from_chance() -> None:
    rates = bank_rates(load_bank().questions.values())
    report = "\n".join(rate_lines(rates))
    assert all(r.items >= MIN_ITEMS_FOR_A_RATE for r in rates), report
    for rate in rates:
        assert abs(rate.excess) <= 0.05, f"{rate.cue} is {rate.excess * 100:+.1f} points from chance\n{report}"
