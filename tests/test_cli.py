"""The command line as a learner and an author use it: exit codes, messages, and no tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from cli import main
from grader.bank.loader import PROJECT_ROOT, load_bank

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = "tests/fixtures/broken_bank"
EXPECTED = yaml.safe_load((FIXTURES / "broken_bank_expected.yaml").read_text(encoding="utf-8"))
TYPES = ["choice", "numeric", "numeric_parts", "shape", "expression", "matching", "code_blank", "code_function", "self_graded"]
BUILTIN_IDS = [
    "chain_rule",
    "sigmoid_derivative_max",
    "conv_output_size",
    "conv_output_size_param",
    "ridge_blank",
    "lasso_blank",
    "random_crop_blank",
    "optimizer_traits",
]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(PROJECT_ROOT)  # paths in messages are relative to the working directory
    monkeypatch.setenv("ESHIKAKU_DB", str(tmp_path / "progress.sqlite3"))  # answers are recorded: never in the real database
    monkeypatch.delenv("ESHIKAKU_BANK", raising=False)


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    # a crash would show as an exception other than SystemExit, or as a traceback in the output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


SKIPPED = "注意: 壊れた問題ファイルをとばしました: "


def ids_listed(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines() if line.strip()]


# --------------------------------------------------------------------------- list


def test_list_shows_the_builtin_questions():
    result = run("list")
    assert result.exit_code == 0
    listed = ids_listed(result.stdout)
    assert set(BUILTIN_IDS) <= set(listed)
    assert len(listed) == len(set(listed))
    topics = {q.topic for q in load_bank().questions.values()}
    first_topic = min(topics, key=lambda t: tuple(int(p) for p in t.split("-")))
    assert result.stderr.splitlines()[-1].startswith(f"{len(listed)} 問 ({first_topic} ")  # no warning: the built-in bank is clean
    assert "注意" not in result.stderr
    line = next(l for l in result.stdout.splitlines() if l.startswith("conv_output_size_param "))
    assert " 3-4 " in line and " shape " in line and line.endswith("⟳")


def columns(stdout: str) -> list[tuple[str, str, str]]:
    return [tuple(line.split()[:3]) for line in stdout.splitlines() if line.strip()]  # id, topic, type


def test_list_filters_by_topic_and_type():
    cnn = columns(run("list", "--topic", "3-4").stdout)
    assert {"conv_output_size", "conv_output_size_param"} <= {i for i, _, _ in cnn}
    assert {t for _, t, _ in cnn} == {"3-4"}
    group = columns(run("list", "--topic", "3").stdout)
    assert set(BUILTIN_IDS) <= {i for i, _, _ in group}
    assert all(t.startswith("3-") for _, t, _ in group)
    blanks = columns(run("list", "--type", "code_blank").stdout)
    assert {"ridge_blank", "lasso_blank", "random_crop_blank"} <= {i for i, _, _ in blanks}
    assert {k for _, _, k in blanks} == {"code_blank"}
    assert "optimizer_traits" in ids_listed(run("list", "--type", "matching").stdout)
    assert ids_listed(run("list", "--topic", "3-4", "--type", "matching").stdout) == []


def test_list_json():
    data = json.loads(run("list", "--json").stdout)
    by_id = {q["id"]: q for q in data["questions"]}
    assert set(BUILTIN_IDS) <= set(by_id)
    assert by_id["conv_output_size_param"]["parameterised"] is True
    assert by_id["chain_rule"]["type"] == "expression"
    assert data["counts"]["total"] == len(by_id)
    assert data["broken_files"] == []


# --------------------------------------------------------------------------- answer: choice


def test_answer_choice_right_key():
    result = run("answer", "sigmoid_derivative_max", "2")
    assert result.exit_code == 0
    assert result.stdout.startswith("✓ 正解\n")
    assert "解説:" in result.stdout and "勾配消失" in result.stdout


@pytest.mark.parametrize("key", ["1", "3", "4"])
def test_answer_choice_every_other_key_is_wrong_and_shows_the_explanation(key: str):
    result = run("answer", "sigmoid_derivative_max", key)
    assert result.exit_code == 1
    assert result.stdout.startswith("✗ 不正解\n正解: (2) 0.25\n")
    assert "解説:" in result.stdout and "勾配消失" in result.stdout


def test_answer_choice_full_width_and_parenthesised_keys():
    assert run("answer", "sigmoid_derivative_max", "２").exit_code == 0
    assert run("answer", "sigmoid_derivative_max", "(2)").exit_code == 0


def test_answer_choice_unknown_key_is_a_usage_error():
    result = run("answer", "sigmoid_derivative_max", "5")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: sigmoid_derivative_max: 選択肢の番号で答えてください: 1, 2, 3, 4\n"


def test_answer_json():
    result = run("answer", "sigmoid_derivative_max", "3", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert (data["id"], data["correct"], data["score"], data["response"]) == ("sigmoid_derivative_max", False, 0.0, "3")
    assert data["expected"] == "(2) 0.25"
    assert "勾配消失" in data["explanation"]
    assert data["feedback"] and "0.35" in data["feedback"][0]


# --------------------------------------------------------------------------- answer: expression


@pytest.mark.parametrize("response", ["2(x+y)", "2*x+2*y", "2x + 2y", "2×(x+y)"])
def test_answer_expression_right(response: str):
    result = run("answer", "chain_rule", response)
    assert result.exit_code == 0, result.output
    assert "解説:" in result.stdout


@pytest.mark.parametrize("response", ["2*x", "x+y", "2xy"])
def test_answer_expression_wrong(response: str):
    result = run("answer", "chain_rule", response)
    assert result.exit_code == 1
    assert result.stdout.startswith("✗ 不正解\n正解: 2*(x + y)\n")
    assert "連鎖律" in result.stdout


def test_answer_expression_code_is_rejected_and_never_run(tmp_path: Path):
    marker = tmp_path / "marker"
    payloads = [
        '__import__("os").system("id")',
        f'__import__("pathlib").Path("{marker}").touch()',
        f"__import__('pathlib').Path('{marker}').write_text('x')",
        "open(x)",
        "exec(x)",
    ]
    for payload in payloads:
        result = run("answer", "chain_rule", payload)
        assert result.exit_code == 2, payload
        assert result.stdout == "", payload
        assert result.stderr.startswith("Error: chain_rule: 式として読めません: "), result.stderr
        assert "uid=" not in result.output
    assert not marker.exists()


# --------------------------------------------------------------------------- answer: shape


@pytest.mark.parametrize("response", ["7x7", "7×7", "(7, 7)", "7, 7", "[7, 7]", "７×７"])
def test_answer_shape_right(response: str):
    result = run("answer", "conv_output_size", response)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("✓ 正解\n正解: 7 × 7\n")


def test_answer_shape_wrong_and_unreadable():
    wrong = run("answer", "conv_output_size", "6x6")
    assert wrong.exit_code == 1
    assert wrong.stdout.startswith("✗ 不正解\n正解: 7 × 7\n")
    assert "解説:" in wrong.stdout
    bad = run("answer", "conv_output_size", "7by7")
    assert bad.exit_code == 2
    assert bad.stderr == "Error: conv_output_size: 形状で答えてください (例: 7x7, (7, 7), 7, 7)\n"


# --------------------------------------------------------------------------- answer: matching


def test_answer_matching_partial_credit():
    result = run("answer", "optimizer_traits", "A-2, B-1, C-3, D-4")
    assert result.exit_code == 1
    assert result.stdout.startswith("△ 部分正解 50%\n正解: A-2, B-1, C-4, D-3\n")
    assert run("answer", "optimizer_traits", "2,1,4,3").exit_code == 0


# --------------------------------------------------------------------------- unknown ids and usage


@pytest.mark.parametrize("command", [["answer", "no_such_question", "1"], ["show", "no_such_question"]])
def test_unknown_id_is_one_line_and_exit_2(command: list[str]):
    result = run(*command)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "Error: id 'no_such_question' の問題はありません。 `eshikaku list` で id を確かめてください。\n"


def test_unknown_id_suggests_near_ids():
    result = run("show", "conv_output")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: id 'conv_output' の問題はありません。 もしかして: conv_output_size")
    assert result.stderr.count("\n") == 1


def test_a_near_typo_is_suggested():
    result = run("show", "softmaxx_function")
    assert result.exit_code == 2
    assert "もしかして: softmax_function" in result.stderr


def test_answering_a_parameterised_question_needs_its_seed():
    result = run("answer", "conv_output_size_param", "7x7")
    assert result.exit_code == 2
    expected = "Error: conv_output_size_param には数値のパラメータがあります: `eshikaku show conv_output_size_param` が表示する --seed を付けてください\n"
    assert result.stderr == expected


def test_bank_only_needs_a_bank():
    result = run("--bank-only", "list")
    assert result.exit_code == 2
    assert "--bank-only needs at least one --bank PATH" in result.stderr


# --------------------------------------------------------------------------- show and seeds


def test_show_same_seed_same_output():
    first, again = run("show", "conv_output_size_param", "--seed", "3"), run("show", "conv_output_size_param", "--seed", "3")
    assert first.exit_code == again.exit_code == 0
    assert first.stdout == again.stdout
    # the numbers of seed 3
    assert "サイズ 23×18 (高さ×幅) の入力に、サイズ 3×3 のフィルタで畳み込みを行う。" in first.stdout
    assert "ストライドは 1、パディングは 0 とする。" in first.stdout
    assert first.stdout.rstrip().endswith("(seed 3)")
    assert "{{" not in first.stdout


def test_show_other_seeds_give_other_numbers():
    prompts = set()
    for seed in ["1", "2", "3", "4", "5"]:
        out = run("show", "conv_output_size_param", "--seed", seed).stdout
        prompts.add(next(l for l in out.splitlines() if l.startswith("サイズ ")))
    assert len(prompts) == 5


def test_show_never_reveals_the_answer():
    out = run("show", "sigmoid_derivative_max").stdout
    assert "0.25" in out  # the choice itself is shown …
    assert "解説" not in out and "正解" not in out  # … but not which one is right


def test_answer_with_the_seed_shown():
    # seed 3 shows H=23, W=18, F=3, S=1, P=0: (23 + 0 - 3) // 1 + 1 = 21 and (18 + 0 - 3) // 1 + 1 = 16
    right = run("answer", "conv_output_size_param", "21x16", "--seed", "3")
    assert right.exit_code == 0, right.output
    assert "+ 1 = 21" in right.stdout and "+ 1 = 16" in right.stdout and "$" not in right.stdout  # formulas as Unicode
    assert run("answer", "conv_output_size_param", "16x21", "--seed", "3").exit_code == 1
    # seed 1 shows H=30, W=30, F=7, S=2, P=1: (30 + 2 - 7) // 2 + 1 = 13
    assert "サイズ 30×30" in run("show", "conv_output_size_param", "--seed", "1").stdout
    assert run("answer", "conv_output_size_param", "13x13", "--seed", "1").exit_code == 0
    assert run("answer", "conv_output_size_param", "14x14", "--seed", "1").exit_code == 1


# --------------------------------------------------------------------------- schema and help


def test_schema_is_json_with_every_type():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert sorted(schema["discriminator"]["mapping"]) == sorted(TYPES)
    assert schema["discriminator"]["propertyName"] == "type"
    for name in TYPES:
        assert f'"{name}"' in result.stdout


def test_schema_to_a_file(tmp_path: Path):
    target = tmp_path / "question.schema.json"
    result = run("schema", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert sorted(json.loads(target.read_text(encoding="utf-8"))["discriminator"]["mapping"]) == sorted(TYPES)


def test_every_command_has_help_with_an_example():
    names = sorted(main.commands)
    assert {"list", "show", "answer", "validate", "schema"} <= set(names)
    for name in [None, *names]:
        result = run(*([name] if name else []), "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.stdout, name
        assert "eshikaku " in result.stdout.split("Example", 1)[1], name
        assert run(*([name] if name else []), "-h").stdout == result.stdout


# --------------------------------------------------------------------------- the broken bank


def expected_lines() -> list[tuple[str, str]]:
    out = []
    for e in EXPECTED:
        where = f"{BROKEN}/{e['file']}:{e['line']}:{e['col']}: "
        out.append((where + (f"{e['field']}: " if e["field"] else ""), e["message"]))
    return out


def test_validate_broken_bank_prints_every_problem():
    result = run("validate", BROKEN)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    for line, (prefix, fragment) in zip(lines, expected_lines(), strict=True):
        assert line.startswith(prefix), line
        assert fragment in line, line
    assert f"{len(EXPECTED)} problem(s)" in result.stderr


def test_validate_json_broken_bank():
    result = run("validate", "--json", BROKEN)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    got = [(Path(e["path"]).relative_to(PROJECT_ROOT / BROKEN).as_posix(), e["line"], e["col"], e["field"]) for e in data["errors"]]
    assert got == [(e["file"], e["line"], e["col"], e["field"]) for e in EXPECTED]


def test_validate_a_valid_file_is_quiet_and_exits_0():
    result = run("validate", "questions/03-4_cnn/conv_output_size.yaml", "tests/fixtures/broken_bank/valid_relu_choice.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert "2 question(s) checked" in result.stderr and result.stderr.rstrip().endswith("ok")


def test_validate_a_single_broken_file():
    result = run("validate", f"{BROKEN}/tolerance_without_dot.yaml")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{BROKEN}/tolerance_without_dot.yaml:8:10: abs_tol: `1e-5` is read as text by YAML 1.1")
    assert len(result.stdout.splitlines()) == 1


def test_list_with_a_broken_bank_warns_once_per_broken_file_and_lists_the_rest():
    result = run("--bank", BROKEN, "list")
    assert result.exit_code == 0
    listed = ids_listed(result.stdout)
    assert {"valid_relu_choice", "valid_pool_numeric", "dup_id"} <= set(listed)
    assert set(BUILTIN_IDS) <= set(listed)
    assert not {"boolean_no", "id_differs", "id_not_stem", "missing_explanation", "tolerance_without_dot",
                "unknown_key", "unknown_reference", "wrong_type", "yaml_syntax"} & set(listed)  # fmt: skip
    warnings = [l for l in result.stderr.splitlines() if l.startswith(SKIPPED)]
    assert len(warnings) == len(result.stderr.splitlines()) - 1  # plus the count line
    first_per_file: dict[str, tuple[str, str]] = {}
    for e, (prefix, fragment) in zip(EXPECTED, expected_lines(), strict=True):
        first_per_file.setdefault(e["file"], (prefix, fragment))
    assert len(warnings) == len(first_per_file) == 9
    for warning, (prefix, fragment) in zip(warnings, first_per_file.values(), strict=True):
        assert warning.startswith(f"{SKIPPED}{prefix}"), warning
        assert fragment in warning, warning
        assert warning.endswith("(`eshikaku validate` ですべての問題を確かめられます)")


def test_list_with_a_broken_bank_twice_uses_the_cache_and_warns_again():
    first = run("--bank", BROKEN, "--bank-only", "list")
    again = run("--bank", BROKEN, "--bank-only", "list")
    assert first.exit_code == again.exit_code == 0
    assert ids_listed(first.stdout) == ids_listed(again.stdout) == ["valid_relu_choice", "dup_id", "valid_pool_numeric"]
    assert first.stderr == again.stderr
    assert first.stderr.count(SKIPPED) == 9


def test_a_fixture_question_can_be_answered_from_the_extra_bank():
    result = run("--bank", BROKEN, "answer", "valid_relu_choice", "3")
    assert result.exit_code == 0
    assert result.stderr.count(SKIPPED) == 9
    assert run("--bank", BROKEN, "answer", "valid_pool_numeric", "4.0").exit_code == 0
    assert run("--bank", BROKEN, "answer", "valid_pool_numeric", "4.5").exit_code == 1


def test_bank_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ESHIKAKU_BANK", BROKEN)
    result = run("list", "--topic", "3-4")
    assert {"conv_output_size", "valid_pool_numeric"} <= set(ids_listed(result.stdout))
    assert result.stderr.count(SKIPPED) == 9


# --------------------------------------------------------------------------- the real console script


def _script_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "ESHIKAKU_BANK"}
    env["XDG_CACHE_HOME"] = os.environ.get("XDG_CACHE_HOME") or str(tmp_path / "cache")  # the session's warm cache
    return env


def test_console_script_rejects_code_and_runs_nothing(tmp_path: Path):
    script = shutil.which("eshikaku")
    assert script, "the console script is installed with `pip install -e .`"
    marker = tmp_path / "marker"
    proc = subprocess.run(
        [script, "answer", "chain_rule", f'__import__("pathlib").Path("{marker}").touch()'],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=_script_env(tmp_path), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("Error: chain_rule: 式として読めません: ")
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert not marker.exists()


def test_console_script_validates_the_broken_bank(tmp_path: Path):
    proc = subprocess.run(
        [shutil.which("eshikaku") or "eshikaku", "validate", BROKEN],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=_script_env(tmp_path), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    for line, (prefix, fragment) in zip(lines, expected_lines(), strict=True):
        assert line.startswith(prefix) and fragment in line, line
    assert "Traceback" not in proc.stdout + proc.stderr


def test_python_cli_py_works_like_the_script(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "cli.py", "answer", "chain_rule", "2(x+y)"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=_script_env(tmp_path), timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("✓ 正解\n")

