"""The learner's grading path: `eshikaku submit` reads only the question it grades (the same question the
whole bank would give, the same messages when that question is missing or broken, no word about other
files); the sandbox starts early, in submit and while the quiz shows a code question, and leaves nothing
behind; a run with fewer isolation layers than doctor lists is said in one line."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from progress_helpers import FIXTURE_BANK, isolated_env, run, run_process

from grader.bank.layout import QUESTION_TYPES
from grader.bank.loader import BUILTIN_BANK, load_bank, load_question
from grader.bank.schema import QUESTION_TYPES as SCHEMA_TYPES

RELU_RIGHT = "import numpy as np\n\ndef relu(x):\n    return np.maximum(0, x)\n"
BROKEN_ELSEWHERE = "id: other\ntype: numeric\ntopic: [not a topic\n"


@pytest.fixture(autouse=True)
def _own_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _bank_with_relu(root: Path) -> Path:
    (root / "03-1").mkdir(parents=True)
    shutil.copy(FIXTURE_BANK / "03-1" / "fx_relu_code.yaml", root / "03-1" / "fx_relu_code.yaml")
    return root


def _env(tmp_path: Path) -> dict[str, str]:
    env = isolated_env(tmp_path)
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    return env


def test_the_command_line_knows_every_question_type_without_the_schema() -> None:
    assert QUESTION_TYPES == SCHEMA_TYPES


@pytest.mark.parametrize("qid", ["softmax_function", "relu_function", "conv_output_size", "adam_class"])
def test_one_question_is_the_one_the_whole_bank_gives(qid: str) -> None:
    bank = load_bank([BUILTIN_BANK])  # fills the cache, as every command after the first finds it
    assert load_question(qid, [BUILTIN_BANK]) == bank.questions[qid]


def test_one_question_is_read_again_after_its_file_changes(tmp_path: Path) -> None:
    root = _bank_with_relu(tmp_path / "bank")
    path = root / "03-1" / "fx_relu_code.yaml"
    assert load_question("fx_relu_code", [root]) is not None  # no cache yet: the whole bank is read and cached
    path.write_text(path.read_text(encoding="utf-8").replace("title: ReLU を実装する", "title: ReLU を書き直す"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))
    question = load_question("fx_relu_code", [root])
    assert question is not None and question.title == "ReLU を書き直す"


def test_the_first_bank_holding_an_id_wins_as_in_the_whole_bank(tmp_path: Path) -> None:
    first = _bank_with_relu(tmp_path / "first")
    second = _bank_with_relu(tmp_path / "second")
    path = second / "03-1" / "fx_relu_code.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ReLU を実装する", "title: 二つ目"), encoding="utf-8")
    load_bank([first, second])
    question = load_question("fx_relu_code", [first, second])
    assert question == load_bank([first, second]).questions["fx_relu_code"]
    assert question is not None and question.title == "ReLU を実装する"


def test_submit_grades_in_a_bank_whose_other_files_are_broken_without_a_word_about_them(tmp_path: Path) -> None:
    root = _bank_with_relu(tmp_path / "bank")
    (root / "03-1" / "other.yaml").write_text(BROKEN_ELSEWHERE, encoding="utf-8")
    code = tmp_path / "relu.py"
    code.write_text(RELU_RIGHT, encoding="utf-8")
    env = _env(tmp_path)
    run(env, "--bank", str(root), "--bank-only", "list")  # any command fills the cache
    done = run(env, "--bank", str(root), "--bank-only", "submit", "fx_relu_code", str(code))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("✓ 正解 100%")
    assert "other.yaml" not in done.stderr


def test_submit_of_a_broken_question_says_what_is_broken_and_where(tmp_path: Path) -> None:
    root = _bank_with_relu(tmp_path / "bank")
    path = root / "03-1" / "fx_relu_code.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("difficulty: 1", "difficulty: 9"), encoding="utf-8")
    code = tmp_path / "relu.py"
    code.write_text(RELU_RIGHT, encoding="utf-8")
    done = run(_env(tmp_path), "--bank", str(root), "--bank-only", "submit", "fx_relu_code", str(code))
    assert done.returncode == 2
    assert "壊れた問題ファイルをとばしました" in done.stderr and "fx_relu_code.yaml:5:" in done.stderr and "difficulty" in done.stderr
    assert "id 'fx_relu_code' の問題はありません" in done.stderr


@pytest.mark.parametrize("qid", ["softmax_functio", "*", "../03-1/softmax_function", "[a-z]*"])
def test_an_unknown_or_odd_id_is_a_clear_error_with_near_ids(tmp_path: Path, qid: str) -> None:
    code = tmp_path / "code.py"
    code.write_text(RELU_RIGHT, encoding="utf-8")
    done = run(_env(tmp_path), "submit", qid, str(code))
    assert done.returncode == 2
    assert f"id {qid!r} の問題はありません" in done.stderr and "Traceback" not in done.stderr


def test_a_submit_process_that_fails_early_leaves_no_sandbox_behind(tmp_path: Path) -> None:
    # The sandbox starts before the question is read; an unknown id must still end every process it started.
    code = tmp_path / "code.py"
    code.write_text(RELU_RIGHT, encoding="utf-8")
    env = _env(tmp_path)
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    done = run_process(env, "submit", "no_such_question", str(code))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert list((tmp_path / "tmp").iterdir()) == []  # the sandbox's scratch folder is gone with its zygote


def test_a_quiz_that_warms_the_sandbox_while_the_question_is_read_grades_and_leaves_nothing_behind(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir()
    done = run_process(env, "--bank", str(FIXTURE_BANK), "--bank-only", "quiz", "fx_relu_code", "--plain", input=RELU_RIGHT + ".\n")
    assert done.returncode == 0, done.stderr
    assert "✓ 正解 100%" in done.stdout
    assert list((tmp_path / "tmp").iterdir()) == []


WEAKER = "隔離の層が一部ない状態で採点しました"


def test_grading_with_fewer_layers_than_doctor_lists_names_them_in_one_line() -> None:
    from grader.grading.codegrade import grade_code
    from grader.learner.isolation_note import weaker_isolation_note
    from grader.sandbox.sandbox import Sandbox, layer_status

    question = load_question("fx_relu_code", [FIXTURE_BANK])
    assert question is not None
    with Sandbox(disable=("seccomp",)) as weaker:
        result = grade_code(question, RELU_RIGHT, 1, sandbox=weaker)
    assert result.passed and "seccomp" not in result.layers
    note = weaker_isolation_note(result.layers)
    assert note is not None and WEAKER in note and "seccomp" in note and "\n" not in note
    with Sandbox() as full:
        result = grade_code(question, RELU_RIGHT, 1, sandbox=full)
    missing = [s.name for s in layer_status() if not s.active]
    note = weaker_isolation_note(result.layers)
    assert (note is None) == (not missing)
    assert note is None or all(name in note for name in missing)


def test_submit_says_weaker_isolation_exactly_when_doctor_lists_a_missing_layer(tmp_path: Path) -> None:
    from grader.sandbox.sandbox import layer_status

    code = tmp_path / "relu.py"
    code.write_text(RELU_RIGHT, encoding="utf-8")
    done = run(_env(tmp_path), "--bank", str(FIXTURE_BANK), "--bank-only", "submit", "fx_relu_code", str(code))
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if WEAKER in line]
    assert len(lines) == (1 if any(not s.active for s in layer_status()) else 0)


def test_the_content_hash_kept_in_the_cache_is_the_one_the_question_gives() -> None:
    from grader.bank.content import compute_content_hash
    from grader.learner.storage import content_hash

    load_bank([BUILTIN_BANK])
    bank = load_bank([BUILTIN_BANK])  # from the cache: the hashes come with the questions
    assert all(content_hash(q) == compute_content_hash(q) for q in bank.questions.values())
    one = load_question("softmax_function", [BUILTIN_BANK])
    assert one is not None and content_hash(one) == compute_content_hash(bank.questions["softmax_function"])


def test_an_edited_question_gets_a_new_content_hash(tmp_path: Path) -> None:
    from grader.learner.storage import content_hash

    root = _bank_with_relu(tmp_path / "bank")
    path = root / "03-1" / "fx_relu_code.yaml"
    before = load_question("fx_relu_code", [root])
    path.write_text(path.read_text(encoding="utf-8").replace("title: ReLU を実装する", "title: ReLU を書き直す"), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))
    after = load_question("fx_relu_code", [root])
    assert before is not None and after is not None and content_hash(before) != content_hash(after)
