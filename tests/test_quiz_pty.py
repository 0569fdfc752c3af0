"""`eshikaku quiz` driven through a real pseudo-terminal, as a learner types: a right answer, a wrong
one, a hint, a code answer pasted into the line editor, Ctrl-C in the middle; then `--resume` finishes
the session and `stats --json` shows every attempt. Also: the plain (non-terminal) path and --json."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest
from progress_helpers import ROOT, eshikaku_command, fixture_args, isolated_env, plain, run, run_json, shown_label

IDS = ["fx_sigmoid_max", "fx_conv_shape", "fx_relu_code", "fx_pooling_choice", "fx_relu_choice"]
RELU = "def relu(x):\r    import numpy as np\r    return np.maximum(0, x)\r"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    command = eshikaku_command()
    child = pexpect.spawn(command[0], command[1:] + list(args), env=env, cwd=str(ROOT), encoding="utf-8", timeout=30, dimensions=(40, 100))
    child.transcript = []  # type: ignore[attr-defined]
    return child


def shown_choices(text: str) -> list[str]:
    """The choice keys in the order they were drawn."""
    return re.findall(r"^\s+\((\w+)\) ", plain(text), flags=re.M)


def test_quiz_in_a_terminal_then_resume_then_stats(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    child = spawn(env, *fixture_args(), "quiz", *IDS, "--seed", "7")

    # 1: a hint, then the right answer
    child.expect("回答 1/5 >")
    child.send("h\r")
    child.expect("ヒント 1/2")
    child.expect("回答 1/5 >")
    child.send(shown_label("fx_sigmoid_max", "2", 7, 0) + "\r")
    child.expect("✓ 正解")
    child.expect("Enter で次へ")
    child.send("\r")

    # 2: a wrong answer, with the right one and the 解説
    child.expect("回答 2/5 >")
    child.send("6x6\r")
    child.expect("✗ 不正解")
    child.expect("7 × 7")
    child.expect("解説")
    child.expect("Enter で次へ")
    child.send("\r")

    # 3: code, pasted (bracketed paste) into the editor, finished with Esc Enter; graded in the sandbox
    child.expect("コード 3/5")
    child.send(PASTE_START + RELU + PASTE_END + "\r")
    child.expect("コード>")
    child.send("\x1b\r")
    child.expect("✓ 正解")
    child.expect("テストケース")
    child.expect("✓ worked_example")
    child.expect("Enter で次へ")
    child.send("\r")

    # 4: Ctrl-C in the middle: no traceback, the session stays open
    child.expect("回答 4/5 >")
    order_before = shown_choices(child.before)
    child.sendcontrol("c")
    child.expect("中断しました")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.before

    # --resume: the same question with its choices in the same order, then the rest
    child = spawn(env, *fixture_args(), "quiz", "--resume")
    child.expect("回答 4/5 >")
    assert shown_choices(child.before) == order_before
    child.send(shown_label("fx_pooling_choice", "1", 7, 3) + "\r")
    child.expect("✓ 正解")
    child.send("\r")
    child.expect("回答 5/5 >")
    child.send(shown_label("fx_relu_choice", "3", 7, 4) + "\r")
    child.expect("✓ 正解")
    child.expect("結果")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    summary = plain(child.before)
    assert "Traceback" not in summary

    stats = run_json(env, *fixture_args(), "stats", "--json")
    attempts = {a["id"]: a for a in stats["recent_attempts"]}
    assert stats["totals"]["attempts"] == 5
    assert set(attempts) == set(IDS)
    assert [attempts[i]["verdict"] for i in IDS] == ["right", "wrong", "right", "right", "right"]
    assert attempts["fx_sigmoid_max"]["hints"] == 1
    assert attempts["fx_sigmoid_max"]["rating"] == 2  # right after a hint → Hard
    assert attempts["fx_conv_shape"]["rating"] == 1  # wrong → Again
    assert attempts["fx_relu_code"]["response"].startswith("def relu(x):")
    assert all(a["content_hash"] and a["seed"] for a in attempts.values())
    assert stats["recent_sessions"][0]["state"] == "finished"


def test_ctrl_d_and_q_end_without_a_traceback(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    child = spawn(env, *fixture_args(), "quiz", "fx_conv_shape", "fx_pooling_choice")
    child.expect("回答 1/2 >")
    child.sendcontrol("d")
    child.expect("中断しました")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Traceback" not in child.before

    child = spawn(env, *fixture_args(), "quiz", "--resume")
    child.expect("回答 1/2 >")
    child.send("7x7\r")
    child.expect("Enter で次へ")
    child.send("q\r")
    child.expect("結果")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Traceback" not in child.before


def test_quiz_from_stdin_prints_plain_text_and_json(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    label = shown_label("fx_sigmoid_max", "2", 9, 0)
    done = run(env, *fixture_args(), "quiz", "fx_sigmoid_max", "fx_conv_shape", "--seed", "9", "--json", input=f"h\n{label}\n7 x 7\n")
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout + done.stderr  # plain output when not on a terminal
    assert "σ(x) = 1/(1 + e⁻ˣ)" in done.stderr  # formulas as Unicode even in plain text
    result = __import__("json").loads(done.stdout)
    assert result["finished"] and result["right"] == 2 and result["answered"] == 2
    assert [a["hints"] for a in result["attempts"]] == [1, 0]


def test_typed_code_from_a_file_goes_through_the_sandbox(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    answers = tmp_path / "answers.txt"
    answers.write_text("def relu(x):\n    return x\n.\n", encoding="utf-8")  # wrong: negatives stay
    done = run(env, *fixture_args(), "quiz", "fx_relu_code", "--answers", str(answers))
    assert done.returncode == 0, done.stderr
    assert "不正解" in done.stdout and "✗ worked_example" in done.stdout


@pytest.mark.parametrize("args", [["quiz", "--resume"], ["exam", "--resume"]])
def test_nothing_to_resume_is_a_clear_error(tmp_path: Path, args: list[str]) -> None:
    done = run(isolated_env(tmp_path), *fixture_args(), *args)
    assert done.returncode == 2
    assert "ありません" in done.stderr and "Traceback" not in done.stderr
