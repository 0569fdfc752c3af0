"""Time from `eshikaku quiz` start to the first question on screen, in a real pseudo-terminal.

Two banks: the built-in one, and a generated bank of 1,000 questions (Japanese prompts with formulas,
every question type that needs no code). Then the start-up of `list`, `show` and `answer` on the
1,000-question bank, run to completion without a terminal. Each is measured warm (the parsed-bank cache filled by a
first run, as on every start after the first) and cold (cache emptied before each run). Two moments
are reported: the first question drawn (its header rule) and the answer prompt ready for typing.

    python benchmarks/quiz_start.py            # 15 runs per case
    python benchmarks/quiz_start.py --runs 5

The command is the installed console script itself (not a pyenv shim, which adds its own start-up).
Target: first question ≤ 0.3 s warm on the 1,000-question bank.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pexpect

TARGET = 0.3

CHOICE = """id: {id}
type: choice
topic: "{topic}"
tags: [生成, ベンチマーク]
difficulty: {difficulty}
title: 生成問題 {n}
prompt: |
  シグモイド関数 $\\sigma(x) = \\dfrac{{1}}{{1 + e^{{-x}}}}$ について、問 {n} の記述として正しいものを選べ。
  ただし学習率を $\\eta$、損失を $L$ とし、更新は $w \\leftarrow w - \\eta \\dfrac{{\\partial L}}{{\\partial w}}$ とする。
choices:
  - {{key: "1", text: '$\\sigma''(0) = 0.25$ である'}}
  - {{key: "2", text: '$\\sigma(x)$ の値域は $(-1, 1)$ である', why: "値域は (0, 1)。"}}
  - {{key: "3", text: "勾配消失は起きない"}}
  - {{key: "4", text: "ReLU と同じ導関数をもつ"}}
answer: "1"
hints: ['$\\sigma''(x) = \\sigma(x)(1 - \\sigma(x))$']
explanation: |
  $\\sigma'(0) = 0.5 \\times 0.5 = 0.25$。問 {n} の解説。
"""

NUMERIC = """id: {id}
type: numeric
topic: "{topic}"
difficulty: {difficulty}
title: 生成問題 {n}
prompt: |
  入力 {n} 個、出力 10 個の全結合層のパラメータ数 (バイアスを含む) を答えよ。$y = Wx + b$ とする。
answer: {answer}
hints: [重みは入力 × 出力の数だけある]
explanation: |
  重み ${n} \\times 10$ とバイアス 10 の合計。
"""

SHAPE = """id: {id}
type: shape
topic: "{topic}"
difficulty: {difficulty}
title: 生成問題 {n}
prompt: |
  形状 ({n}, 3, 8, 8) の入力に 3×3、ストライド 1、パディング 1 の畳み込み (出力 16 チャンネル) を行う。出力の形状は?
answer: [{n}, 16, 8, 8]
hints: ["パディング 1 の 3×3 畳み込みは高さと幅を保つ"]
explanation: |
  $O = \\dfrac{{8 + 2 - 3}}{{1}} + 1 = 8$。
"""

TOPICS = ["1-1", "1-2", "2-1", "3-1", "3-2", "3-3", "3-4", "3-5", "3-6", "4-1", "4-2", "4-4", "5-1"]


def make_bank(root: Path, n: int = 1000) -> Path:
    """``n`` valid questions (a broken file would be re-read and warned about on every start, and not count)."""
    bank = root / "bank1000"
    for i in range(n):
        folder = bank / f"{i // 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        qid = f"gen_{i:04d}"
        fields = {"id": qid, "n": i + 1, "topic": TOPICS[i % len(TOPICS)], "difficulty": 1 + i % 3}
        template = (CHOICE, NUMERIC, SHAPE)[i % 3]
        (folder / f"{qid}.yaml").write_text(template.format(**fields, answer=(i + 1) * 10 + 10), encoding="utf-8")
    return bank


def command() -> str:
    script = Path(sysconfig.get_path("scripts")) / "eshikaku"
    return str(script) if script.exists() else (shutil.which("eshikaku") or "eshikaku")


def one_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    child = pexpect.spawn(command(), args, env=env, encoding="utf-8", dimensions=(40, 120), timeout=20)
    child.expect("1/10")
    drawn = time.perf_counter() - started
    child.expect("回答 1/10 >|コード 1/10")
    ready = time.perf_counter() - started
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return drawn, ready


def measure(label: str, args: list[str], env: dict[str, str], runs: int, cold: bool) -> float:
    cache = Path(env["XDG_CACHE_HOME"])
    if not cold:
        one_run(args, env)  # fills the parsed-bank cache
    drawn, ready = [], []
    for _ in range(runs):
        if cold:
            shutil.rmtree(cache, ignore_errors=True)
        d, r = one_run(args, env)
        drawn.append(d)
        ready.append(r)
    median = statistics.median(drawn)
    p90 = sorted(drawn)[max(0, int(len(drawn) * 0.9) - 1)]
    print(f"{label:34} first question {median * 1000:6.0f} ms (p90 {p90 * 1000:4.0f})   prompt ready {statistics.median(ready) * 1000:6.0f} ms")
    return median


def one_shot(label: str, args: list[str], env: dict[str, str], runs: int) -> None:
    import subprocess

    subprocess.run([command(), *args], env=env, capture_output=True)  # warm
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([command(), *args], env=env, capture_output=True)
        times.append(time.perf_counter() - started)
    print(f"{label:34} to exit         {statistics.median(times) * 1000:6.0f} ms (min {min(times) * 1000:4.0f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="eshikaku-bench-") as tmp:
        root = Path(tmp)
        # Bytecode caches are written, as on a learner's machine (the warm start this measures); a set
        # PYTHONDONTWRITEBYTECODE would make every start compile the grader's modules again (~50 ms).
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="")
        env.update({
            "XDG_CACHE_HOME": str(root / "cache"), "XDG_DATA_HOME": str(root / "data"), "ESHIKAKU_DB": str(root / "progress.sqlite3"),
            "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40",
        })  # fmt: skip
        bank = make_bank(root)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, {opts.runs} runs per case, command {command()}")
        warm_builtin = measure("built-in bank, warm", ["quiz"], env, opts.runs, cold=False)
        warm_big = measure("1,000-question bank, warm", ["--bank", str(bank), "--bank-only", "quiz"], env, opts.runs, cold=False)
        measure("built-in bank, cold cache", ["quiz"], env, max(3, opts.runs // 3), cold=True)
        measure("1,000-question bank, cold cache", ["--bank", str(bank), "--bank-only", "quiz"], env, max(3, opts.runs // 3), cold=True)
        big = ["--bank", str(bank), "--bank-only"]
        one_shot("list, 1,000-question bank", [*big, "list"], env, opts.runs)
        one_shot("show, 1,000-question bank", [*big, "show", "gen_0001"], env, opts.runs)
        one_shot("answer, 1,000-question bank", [*big, "answer", "gen_0000", "1"], env, opts.runs)
        ok = warm_builtin <= TARGET and warm_big <= TARGET
        print(f"target ≤ {TARGET * 1000:.0f} ms to the first question (warm): {'met' if ok else 'NOT met'} "
              f"(built-in bank {warm_builtin / TARGET:.2f} of it, 1,000-question bank {warm_big / TARGET:.2f} of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
