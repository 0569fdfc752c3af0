"""The learner's side in a real pseudo-terminal, as a learner meets it: `show` and `answer` render as the quiz
does; the exam's clock lives in its toolbar, which fits 80 columns and goes away with the exam; exam
navigation; code typed in a non-UTF-8 terminal; YAML line breaks reflowed in the 解説; a long 解説 pages
so that the verdict stays in view; `quiz q` closes its session; `watch` regrades a file on save."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
from progress_helpers import ROOT, eshikaku_command, fixture_args, isolated_env, plain, run, run_json
from terminal_helpers import Terminal

RELU_RIGHT = "def relu(x):\n    # 対策: 新しい配列を返す\n    import numpy as np\n    return np.maximum(0, x)\n"
CLOCK = re.compile(r"残り (\d+):(\d\d)")


def spawn(env: dict[str, str], *args: str, rows: int = 40, cols: int = 100, encoding: str | None = "utf-8") -> pexpect.spawn:
    command = eshikaku_command()
    env = {**env, "COLUMNS": str(cols), "LINES": str(rows)}
    return pexpect.spawn(command[0], command[1:] + list(args), env=env, cwd=str(ROOT), encoding=encoding, timeout=30, dimensions=(rows, cols))


def finish(child: pexpect.spawn) -> str:
    """Waits for the end; returns the rest of the output (plain) after checking the exit and no traceback."""
    child.expect(pexpect.EOF)
    child.close()
    rest = child.before if isinstance(child.before, str) else child.before.decode("utf-8", "replace")
    assert "Traceback" not in rest
    assert child.exitstatus == 0, rest
    return plain(rest)


def write_question(root: Path, qid: str, explanation: str, topic: str = "03-1") -> Path:
    """A choice question whose 解説 is ``explanation`` (a literal block, line breaks as written), answer 1."""
    folder = root / topic
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n".join("  " + line if line else "" for line in explanation.splitlines())
    (folder / f"{qid}.yaml").write_text(
        f"id: {qid}\ntype: choice\ntopic: '3-1'\ndifficulty: 1\ntitle: 解説の表示\nprompt: 正しいものを選べ。\n"
        "choices:\n  - {key: '1', text: 甲}\n  - {key: '2', text: 乙}\n  - {key: '3', text: 丙}\n  - {key: '4', text: 丁}\n"
        f"answer: '1'\nshuffle: false\nhints: [ヒント]\nexplanation: |\n{body}\n", encoding="utf-8")  # fmt: skip
    return root


# --------------------------------------------------------------------------- show and answer (bug 4)


def test_show_on_a_terminal_renders_formulas_and_markdown_as_the_quiz(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    out = finish(spawn(env, *fixture_args(), "show", "fx_sigmoid_max"))
    assert "σ(x) = 1/(1 + e⁻ˣ)" in out and "σ′(x)" in out
    assert "$" not in out and "\\sigma" not in out and "\\dfrac" not in out
    code = finish(spawn(env, *fixture_args(), "show", "fx_relu_code"))
    assert "max(0, x)" in code and "`" not in code and "$" not in code  # `relu(x)` drawn as code, not with backticks
    assert "relu(x) → [0. 0. 2.]" in code  # the public example, as the quiz shows it


def test_answer_on_a_terminal_renders_the_verdict_as_the_quiz(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    child = spawn(env, *fixture_args(), "answer", "fx_sigmoid_max", "3")
    child.expect(pexpect.EOF)
    child.close()
    out = plain(child.before)
    assert child.exitstatus == 1 and "Traceback" not in out  # wrong
    assert "✗ 不正解" in out and "正解: (2) 0.25" in out
    assert "σ(0)(1 − σ(0)) = 0.25" in out  # the chosen option's feedback
    assert "σ′(0) = 0.5 × 0.5 = 0.25" in out and "$" not in out and "\\sigma" not in out


def test_plain_show_and_answer_have_no_escape_codes_even_on_a_terminal(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    for args in (["show", "fx_sigmoid_max", "--plain"], ["answer", "fx_sigmoid_max", "2", "--plain"]):
        child = spawn(env, *fixture_args(), *args)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
        assert "\x1b[" not in child.before and "σ" in child.before


# --------------------------------------------------------------------------- the exam screen (bug 5, friction)


def test_exam_toolbar_fits_80_columns(tmp_path: Path) -> None:
    term = Terminal(isolated_env(tmp_path), *fixture_args(), "exam", "-n", "3", "--minutes", "3", "--seed", "3", rows=24, cols=80)
    term.expect("回答 >")
    term.wait_screen(CLOCK.pattern, line=-1)  # the toolbar, on the bottom row
    toolbar = term.lines()[-1]
    assert re.search("q ?中断 *$", toolbar), term.text()  # every key shown, none cut off
    term.send("q\r")
    assert term.finish() == 0


def test_exam_clock_ticks_in_the_toolbar_only_and_is_gone_after_submitting(tmp_path: Path) -> None:
    term = Terminal(isolated_env(tmp_path), *fixture_args(), "exam", "-n", "3", "--minutes", "3", "--seed", "3", rows=30, cols=120)
    term.expect("回答 >")
    start = term.wait_screen(CLOCK.pattern, line=-1).group(0)
    clocks_above = [line for line in term.lines()[:-1] if CLOCK.search(line)]  # a second clock, which stood still
    later = term.wait_screen(f"残り (?!{start[3:]})\\d+:\\d\\d", timeout=15, line=-1)  # the toolbar's clock counts down
    term.send("S\r")
    term.expect(r"提出しますか\? \[y/N\]")
    term.send("y\r")
    term.expect("模擬試験 結果")
    term.expect(r"見直しますか\? \[Y/n\]")
    term.pump(2.5)  # while the learner reads the results
    assert not any(CLOCK.search(line) or re.search("S ?提出", line) for line in term.lines()), term.text()
    assert not CLOCK.search(term.printed[term.pos :])  # nothing is redrawn under the results
    assert later.group(0) != start
    assert not clocks_above, clocks_above
    term.send("n\r")
    assert term.finish() == 0


def test_exam_navigation_messages_and_confirmation(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    child = spawn(env, *fixture_args(), "exam", "-n", "3", "--minutes", "30", "--seed", "3")
    child.expect("回答 >")
    child.send("g 999\r")
    child.expect(r"問 999 はありません \(1–3\)")
    child.expect("回答 >")
    child.send("f\r")
    child.expect("⚑ 問 1 にフラグを付けました")
    child.expect("回答 >")
    child.send("1\r")  # answers question 1, shows question 2
    child.expect("問 2/3")
    child.expect("回答 >")
    child.send("2\r")  # answers question 2
    child.expect("問 3/3")
    child.expect("回答 >")
    child.send("g 1\r")
    child.expect("現在の回答: 1")
    child.expect("回答 >")
    child.send("3\r")  # changing answer 1 goes on to question 2 (answered), not past it
    child.expect("問 2/3")
    child.expect("現在の回答: 2")
    child.expect("回答 >")
    child.send("S\r")
    child.expect(r"未回答が 1 問あります。フラグ付き: 問 1。提出しますか\? \[y/N\]")
    child.send("\r")  # no: back to the exam
    child.expect("回答 >")
    child.send("q\r")  # stop for now: the exam stays open
    child.expect("exam --resume")
    finish(child)

    child = spawn(env, *fixture_args(), "exam", "-n", "3", "--seed", "4")  # a new exam while one is open asks
    child.expect(r"未完了の模擬試験があります \(残り \d+:\d\d\)。続けますか\? \[Y/n\]")
    child.send("\r")  # continue it, with its answers
    child.expect("問 2/3")
    child.expect("現在の回答: 2")
    child.expect("回答 >")
    child.send("q\r")
    finish(child)
    child = spawn(env, *fixture_args(), "exam", "-n", "3", "--seed", "4")
    child.expect("続けますか")
    child.send("n\r")  # close it and start another
    child.expect("問 1/3")
    child.expect("回答 >")
    child.send("q\r")
    finish(child)
    sessions = run_json(env, *fixture_args(), "stats", "--json")["recent_sessions"]
    assert [s["state"] for s in sessions] == ["open", "abandoned"]


# --------------------------------------------------------------------------- the quiz


def test_code_typed_in_a_cp932_terminal_is_graded_and_said(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    child = spawn(env, *fixture_args(), "quiz", "fx_relu_code", encoding=None)
    child.expect("コード 1/1".encode())
    child.send(b"\xff\xfe\xfa\r")  # neither UTF-8 nor cp932: said, and asked again
    child.expect("UTF-8 ではない".encode())
    child.expect("コード 1/1".encode())
    child.send(b"\x1b[200~" + RELU_RIGHT.replace("\n", "\r").encode("cp932") + b"\x1b[201~\r")  # pasted from a Shift-JIS editor
    child.expect("コード>".encode())
    child.send(b"\x1b\r")
    child.expect(b"cp932")
    child.expect("✓ 正解 100%".encode())
    child.expect("結果".encode())
    finish(child)
    attempts = run_json(env, *fixture_args(), "stats", "--json")["recent_attempts"]
    assert [a["verdict"] for a in attempts] == ["right"] and "対策" in attempts[0]["response"]


def test_yaml_line_breaks_are_reflowed_in_the_quiz(tmp_path: Path) -> None:
    bank = write_question(tmp_path / "bank", "reflowed", "入力の数を数え\nて出力する。次の文も途中で\n改行されている。\n\n- 箇条書きは\n- そのまま\n")
    env = isolated_env(tmp_path)
    child = spawn(env, "--bank", str(bank), "--bank-only", "quiz", "reflowed")
    child.expect("回答 1/1 >")
    child.send("1\r")
    child.expect("結果")  # the last question: the summary follows the verdict
    out = plain(child.before)
    assert "入力の数を数えて出力する。次の文も途中で改行されている。" in out
    assert re.search(r"• 箇条書きは\n\s*• そのまま", out)
    finish(child)


def test_a_long_explanation_pages_and_the_verdict_stays_in_view(tmp_path: Path) -> None:
    lines = [f"{n} 行目の解説。" for n in range(1, 61)]
    bank = write_question(tmp_path / "bank", "long_explanation", "\n\n".join(lines))
    term = Terminal(isolated_env(tmp_path), "--bank", str(bank), "--bank-only", "quiz", "long_explanation", rows=24, cols=80)
    term.expect("回答 1/1 >")
    term.send("1\r")
    term.expect("-- 続き: Enter")
    term.pump(0.3)
    assert "✓ 正解" in term.text() and "60 行目" not in term.printed, term.text()  # the verdict is still on the screen
    term.send("\r")
    term.expect("-- 続き: Enter")
    term.send("q\r")  # skip the rest
    term.expect("結果")
    assert term.finish() == 0
    assert "60 行目" not in term.printed


def test_q_closes_the_quiz_it_ends(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    child = spawn(env, *fixture_args(), "quiz", "fx_conv_shape", "fx_pooling_choice")
    child.expect("回答 1/2 >")
    child.send("q\r")
    child.expect("結果")
    finish(child)
    again = run(env, *fixture_args(), "quiz", "--resume")
    assert again.returncode == 2 and "続きの quiz はありません" in again.stderr


# --------------------------------------------------------------------------- watch


def test_watch_regrades_a_file_each_time_it_is_saved(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    exercise = tmp_path / "exercises" / "fx_relu_code.py"
    exercise.parent.mkdir()
    exercise.write_text("def relu(x):\n    return x\n", encoding="utf-8")
    child = spawn(env, *fixture_args(), "watch", str(exercise))
    child.expect("✗ 不正解")
    child.expect("保存するたびに採点します")
    exercise.write_text(RELU_RIGHT, encoding="utf-8")
    child.expect("✓ 正解 100%")
    child.expect("保存するたびに採点します")
    child.sendcontrol("c")
    finish(child)
    attempts = run_json(env, *fixture_args(), "stats", "--json")["recent_attempts"]
    assert [(a["mode"], a["verdict"]) for a in attempts] == [("watch", "right"), ("watch", "wrong")]
