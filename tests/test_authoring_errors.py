"""What an instructor meets when a question file is wrong: each error names the file, the line and the fix,
and validate never hangs, never prints a traceback and never calls broken code proved."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

CHOICE = """\
id: {id}
type: choice
topic: "3-1"
difficulty: 1
title: 活性化関数
prompt: |
  ReLU の出力として正しいものを選べ。
choices:
  - {{key: "1", text: 'max(0, x)', why: 正しい。}}
  - {{key: "2", text: 'min(0, x)', why: 負の側を残してしまう。}}
  - {{key: "3", text: '|x|', why: 負の入力も正になる。}}
  - {{key: "4", text: 'x^2', why: 2 乗は ReLU ではない。}}
answer: "1"
hints:
  - 負の入力は 0 になる。
explanation: |
  ReLU は $\\max(0, x)$ である。
"""

CODE = """\
id: {id}
type: code_function
topic: "3-1"
difficulty: 1
title: 2 倍
prompt: 入力を 2 倍して返す関数を書け。
entry: double
reference: reference.private_ops:double
prelude: |
{prelude}
template: |
{template}
cases:
  - name: example
    hidden: false
    let:
      x: {{array: [1.0, 2.0]}}
    args: [{{ref: x}}]
  - name: random
    let:
      x: {{random: normal, shape: [3]}}
    args: [{{ref: x}}]
hints:
  - 掛け算でよい。
explanation: 2 * x を返す。
"""

TEMPLATE = "  def double(x):\n      ...\n"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes is not None else "")


def private_bank(tmp_path: Path, reference: str = "def double(x):\n    return 2 * x\n") -> Path:
    # Each bank's reference module has its own name: a module imported by one test stays in sys.modules.
    bank = tmp_path / "bank"
    (bank / "03-1_forward").mkdir(parents=True)
    (bank / "reference").mkdir()
    (bank / "reference" / f"ops_{_module_tag(bank)}.py").write_text(reference, encoding="utf-8")
    return bank


def _module_tag(bank: Path) -> str:
    return hashlib.sha256(str(bank).encode()).hexdigest()[:10]


def code_file(bank: Path, qid: str = "double_it", *, prelude: str = "  pass\n", template: str = TEMPLATE) -> Path:
    path = bank / "03-1_forward" / f"{qid}.yaml"
    text = CODE.format(id=qid, prelude=prelude.rstrip("\n"), template=template.rstrip("\n"))
    path.write_text(text.replace("reference.private_ops:", f"reference.ops_{_module_tag(bank)}:"), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- text that YAML silently changes


@pytest.mark.parametrize("latex", ["\\beta", "\\theta", "\\times", "\\nabla", "\\frac{1}{2}", "\\eta", "\\alpha"])
def test_latex_in_a_double_quoted_string_is_an_error_naming_the_fix(tmp_path: Path, latex: str) -> None:
    path = tmp_path / "03-1_forward" / "latex_quote.yaml"
    path.parent.mkdir()
    text = CHOICE.format(id="latex_quote").replace("text: 'x^2'", f'text: "${latex}$"')
    path.write_text(text, encoding="utf-8")
    code, out = run("validate", "--no-run", str(path))
    assert code == 1
    line = next(i for i, l in enumerate(text.splitlines(), 1) if latex in l)
    assert f"latex_quote.yaml:{line}:" in out
    assert "single quotes" in out and "block scalar" in out


def test_an_over_indented_list_item_is_not_merged_into_the_previous_one(tmp_path: Path) -> None:
    path = tmp_path / "03-1_forward" / "merged_hint.yaml"
    path.parent.mkdir()
    text = CHOICE.format(id="merged_hint").replace("  - 負の入力は 0 になる。\n", "  - 負の入力は 0 になる。\n    - 正の入力はそのまま。\n")
    path.write_text(text, encoding="utf-8")
    code, out = run("validate", "--no-run", str(path))
    assert code == 1 and "merged_hint.yaml:" in out and "align its `-`" in out


def test_a_shift_jis_question_file_is_told_to_be_saved_as_utf8_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "03-1_forward" / "sjis.yaml"
    path.parent.mkdir()
    path.write_bytes(CHOICE.format(id="sjis").encode("cp932"))
    code, out = run("validate", "--no-run", str(path))
    assert code == 1
    assert "sjis.yaml:5:1:" in out  # the first line with Japanese text, not line 1
    assert "Shift-JIS" in out and "UTF-8" in out and "Traceback" not in out


def test_a_huge_question_file_is_refused_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "03-1_forward" / "huge.yaml"
    path.parent.mkdir()
    path.write_text(CHOICE.format(id="huge") + "# " + "x" * (5 << 20) + "\n", encoding="utf-8")
    code, out = run("validate", "--no-run", str(path))
    assert code == 1 and "huge.yaml:1:1:" in out and "5.0 MB" in out


def test_numeric_answers_written_as_text_and_negative_shapes_are_errors(tmp_path: Path) -> None:
    folder = tmp_path / "03-1_forward"
    folder.mkdir()
    numeric = folder / "text_number.yaml"
    numeric.write_text(CHOICE.format(id="text_number").split("choices:")[0].replace("type: choice", "type: numeric")
                       + 'answer: "0.25"\nhints: [ひとこと]\nexplanation: 説明。\n', encoding="utf-8")
    code, out = run("validate", "--no-run", str(numeric))
    assert code == 1 and "text_number.yaml:" in out and "write the number unquoted" in out
    bank = private_bank(tmp_path)
    path = code_file(bank, "negative_shape")
    path.write_text(path.read_text(encoding="utf-8").replace("shape: [3]", "shape: [-3]"), encoding="utf-8")
    code, out = run("--bank", str(bank), "validate", "--no-run", str(path))
    assert code == 1 and "negative_shape.yaml:" in out and "cases[1].let.x" in out


# --------------------------------------------------------------------------- private banks and broken code


def test_validate_on_one_file_of_a_private_bank_finds_that_banks_references(tmp_path: Path) -> None:
    bank = private_bank(tmp_path)
    path = code_file(bank)
    code, out = run("validate", str(path))
    assert "does not exist" not in out
    assert code == 0, out


def test_a_reference_with_a_syntax_error_is_reported_at_its_own_line(tmp_path: Path) -> None:
    bank = private_bank(tmp_path, "def double(x):\n    return 2 * x\n\ndef broken(:\n    pass\n")
    code, out = run("--bank", str(bank), "validate", str(code_file(bank)))
    assert code == 1
    assert f"ops_{_module_tag(bank)}.py:4:" in out and "SyntaxError" in out and "does not exist" not in out


def test_a_reference_that_never_returns_is_stopped_and_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ESHIKAKU_TRUSTED_SECONDS", "1")  # the limit, shortened so that the test does not wait 10 s
    bank = private_bank(tmp_path, "def double(x):\n    while True:\n        pass\n")
    code, out = run("--bank", str(bank), "validate", str(code_file(bank)))
    assert code == 1
    assert "double_it.yaml:" in out and "case example" in out and "time limit" in out


def test_a_failing_prelude_is_an_error_at_its_line_not_a_traceback(tmp_path: Path) -> None:
    bank = private_bank(tmp_path)
    path = code_file(bank, prelude="  import numpy as np\n  helper = undefined_name + 1\n")
    code, out = run("--bank", str(bank), "validate", str(path))
    assert code == 1 and "Traceback" not in out
    line = next(i for i, l in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if "undefined_name" in l)
    assert f"double_it.yaml:{line}:" in out and "NameError" in out


@pytest.mark.parametrize(("template", "why"), [
    ("  def double(x:\n      ...\n", "SyntaxError"),
    ("  def twice(x):\n      ...\n", "does not define `double`"),
])
def test_a_broken_template_is_not_counted_as_proved_wrong(tmp_path: Path, template: str, why: str) -> None:
    bank = private_bank(tmp_path)
    code, out = run("--bank", str(bank), "validate", str(code_file(bank, template=template)))
    assert code == 1 and "template" in out and why in out, out


def test_a_blank_marker_with_brackets_keeps_the_expression_grouped() -> None:
    from grader.bank.schema import CodeBlankQuestion
    from grader.grading.source import fill_blanks

    question = CodeBlankQuestion.model_validate({
        "id": "gru_mix", "type": "code_blank", "topic": "3-5", "difficulty": 1, "prompt": "p", "explanation": "e",
        "entry": "f", "reference": "reference.x:f", "cases": [{"name": "c", "args": [1]}],
        "template": "def f(h, h_tilde):\n    return 2 * (あ)\n", "blanks": [{"name": "あ", "solution": "h + h_tilde"}],
    })  # fmt: skip
    filled = fill_blanks(question, {"あ": "h + h_tilde"})
    assert "return 2 * (h + h_tilde)" in filled
    assert "return 2 * (h)" not in fill_blanks(question, {"あ": "h"})  # an atom needs no brackets


# --------------------------------------------------------------------------- the JSON Schema agrees with the loader


def test_every_bank_file_validates_against_the_published_json_schema() -> None:
    import jsonschema
    import yaml

    from grader.bank.loader import BUILTIN_BANK, question_files

    code, out = run("schema")
    assert code == 0
    validator = jsonschema.Draft202012Validator(json.loads(out))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same data, ten times faster over 600 files
    problems = []
    for path in question_files(BUILTIN_BANK):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        problems += [f"{path.name}: {e.json_path}: {e.message}" for e in validator.iter_errors(data)]
    assert problems == [], "\n".join(problems[:20])


def test_expr_values_may_use_earlier_lets(tmp_path: Path) -> None:
    bank = private_bank(tmp_path)
    path = code_file(bank, "expr_let")
    text = path.read_text(encoding="utf-8").replace(
        "      x: {random: normal, shape: [3]}\n    args: [{ref: x}]",
        "      n: 3\n      x: {random: normal, shape: [3]}\n      m: {expr: 'n * 2'}\n    args: [{ref: x}]",
    )
    path.write_text(text, encoding="utf-8")
    code, out = run("--bank", str(bank), "validate", str(path))
    assert code == 0, out


def test_a_shift_jis_answers_csv_is_told_to_be_saved_as_utf8_at_its_line(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_bytes("student,question,answer\nalice,sigmoid_derivative_max,2\n佐藤,sigmoid_derivative_max,2\n".encode("cp932"))
    (tmp_path / "class").mkdir()
    code, out = run("grade-batch", str(tmp_path / "class"), "--answers", str(answers), "--out", str(tmp_path / "out"))
    assert code == 2 and "Traceback" not in out
    assert "answers.csv:line 3: the answers file is not UTF-8 (it looks like Shift-JIS / cp932): save it as UTF-8" in out


def test_learner_text_that_names_a_seed_document_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "03-1_forward" / "seed_mention.yaml"
    path.parent.mkdir()
    text = CHOICE.format(id="seed_mention").replace("  ReLU は $", "  seed 004 の解答例は誤り。ReLU は $")
    path.write_text(text, encoding="utf-8")
    code, out = run("validate", "--no-run", str(path))
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "seed 004" in l) - 1  # the block scalar's `|` line
    assert code == 1 and f"seed_mention.yaml:{line}:" in out and "keep where it came from in `source`" in out


@pytest.mark.parametrize("folder", ["03-1_forward", "03-5_rnn"])
def test_one_topic_folder_of_the_built_in_bank_validates_on_its_own(folder: str) -> None:
    # An instructor checks the folder they edited: its `related` ids may live in other folders of the same
    # bank, and the bank-wide statistics (key positions, cue rates) are about the whole bank, not a folder.
    code, out = run("validate", "--strict", "--no-run", str(Path("questions") / folder))
    assert code == 0, out
    assert "unknown id" not in out and "choice position" not in out
