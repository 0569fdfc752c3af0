"""Instructor workflow: `new` writes a skeleton that validates once filled, and validate catches a
distractor that became correct."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from cli import main

FILLED = {
    'title: ""': "title: 2 倍する関数",
    'prompt: ""': "prompt: 入力を 2 倍して返す関数 `{id}` を完成させよ。",
    'explanation: ""': "explanation: 各要素を 2 倍する。`x + x` も同じ値になる。",
    '  - ""\n': "  - 要素ごとの掛け算でよい。\n",
}
CHOICES = ['"2 * x"', '"x ** 2"', '"x + 2"', '"x / 2"']


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def fill(path: Path, qid: str) -> None:
    text = path.read_text(encoding="utf-8")
    for old, new in FILLED.items():
        text = text.replace(old, new.format(id=qid), 1)
    for i, code in enumerate(CHOICES, 1):
        text = text.replace(f'{{key: "{i}", text: "", why: ""}}', f'{{key: "{i}", text: {code}, why: "2 倍ではない"}}', 1)
    text = text.replace('    answer: ""', '    answer: "1"')
    path.write_text(text, encoding="utf-8")


def test_new_then_fill_then_validate_and_a_distractor_made_correct_is_caught(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    code, out = run("--bank", str(bank), "new", "code_blank", "double_it", "--topic", "3-1")
    assert code == 0, out
    question = bank / "03-1_forward" / "double_it.yaml"
    stub = bank / "reference" / "bank_activations.py"
    assert question.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=../question.schema.json")
    assert (bank / "question.schema.json").is_file() and "double_it" in stub.read_text(encoding="utf-8")

    code, out = run("--bank", str(bank), "validate", str(bank))
    assert code == 1 and "prompt: is empty" in out  # the untouched skeleton names what to fill

    fill(question, "double_it")
    stub.write_text(stub.read_text(encoding="utf-8").replace("    ...  # the trusted", "    return 2 * x  # the trusted"), encoding="utf-8")
    code, out = run("--bank", str(bank), "validate", str(bank), "-v")
    assert code == 0, out
    assert re.search(r"double_it: \(あ\) 2 fails", out)

    question.write_text(question.read_text(encoding="utf-8").replace('text: "x ** 2"', 'text: "x + x"'), encoding="utf-8")
    code, out = run("--bank", str(bank), "validate", str(bank))
    assert code == 1
    assert "double_it.yaml" in out and "distractor (あ) 2 `x + x` passes every case" in out


def test_new_refuses_an_existing_id_and_a_bad_topic(tmp_path: Path) -> None:
    code, out = run("--bank", str(tmp_path), "new", "choice", "chain_rule", "--topic", "3-1")
    assert code == 2 and "already used" in out
    code, out = run("--bank", str(tmp_path), "new", "choice", "fresh_id", "--topic", "9-9")
    assert code == 2 and "unknown topic" in out


def test_every_type_has_a_skeleton_that_parses(tmp_path: Path) -> None:
    from grader.bank.schema import QUESTION_TYPES

    for qtype in QUESTION_TYPES:
        code, out = run("--bank", str(tmp_path), "new", qtype, f"new_{qtype}", "--topic", "4-1")
        assert code == 0, out
    code, out = run("--bank", str(tmp_path), "--bank-only", "validate", "--no-run", str(tmp_path))
    assert code == 1 and "YAML syntax error" not in out and "Traceback" not in out
