"""The bank loader: every problem of a broken bank located at `path:line:col`, valid files still loaded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from grader.bank.loader import BUILTIN_BANK, PROJECT_ROOT, load_bank, load_file

FIXTURES = Path(__file__).parent / "fixtures"
BROKEN = FIXTURES / "broken_bank"
EXPECTED = yaml.safe_load((FIXTURES / "broken_bank_expected.yaml").read_text(encoding="utf-8"))

BUILTIN_IDS = {
    "chain_rule",
    "sigmoid_derivative_max",
    "optimizer_traits",
    "lasso_blank",
    "random_crop_blank",
    "ridge_blank",
    "conv_output_size",
    "conv_output_size_param",
}

VALID_NUMERIC = """\
id: {id}
type: numeric
topic: "3-4"
difficulty: 1
prompt: |
  4×4 の入力に 2×2、ストライド 2 のプーリングをかけた出力の一辺を答えよ。
answer: 2
hints:
  - "(4 - 2) / 2 + 1"
explanation: |
  {explanation}
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # Paths in messages are shown relative to the working directory; the cache goes to a fresh folder.
    monkeypatch.chdir(PROJECT_ROOT)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _sorted(errors):
    return sorted(errors, key=lambda e: (str(e.path), e.line, e.col))


def test_broken_bank_reports_every_problem_at_its_exact_position():
    bank = load_bank([BROKEN], use_cache=False)
    for error, want in zip(_sorted(bank.errors), EXPECTED, strict=True):
        where = (error.path, error.line, error.col, error.field)
        assert where == (BROKEN / want["file"], want["line"], want["col"], want["field"]), str(error)
        assert want["message"] in error.message, str(error)
        # the printed form is what an author reads and what an editor jumps to
        prefix = f"tests/fixtures/broken_bank/{want['file']}:{want['line']}:{want['col']}: "
        assert str(error).startswith(prefix), str(error)


def test_broken_bank_still_loads_its_valid_files():
    bank = load_bank([BROKEN], use_cache=False)
    assert set(bank.questions) == {"valid_relu_choice", "valid_pool_numeric", "dup_id"}
    # of two files with the same id, the first (in path order) is kept and the second reported
    assert bank.paths["dup_id"] == BROKEN / "dup_id.yaml"
    assert bank.questions["dup_id"].answer == 0.2
    relu = bank.questions["valid_relu_choice"]
    assert relu.type == "choice" and relu.answer == ["3"] and [c.key for c in relu.choices] == ["1", "2", "3"]
    assert bank.questions["valid_pool_numeric"].answer == 4.0
    assert bank.questions["valid_pool_numeric"].abs_tol == 0.0


def test_broken_files_are_listed_once_each():
    bank = load_bank([BROKEN], use_cache=False)
    names = [p.relative_to(BROKEN).as_posix() for p in bank.broken_files]
    assert names == [
        "boolean_no.yaml",
        "id_not_stem.yaml",
        "missing_explanation.yaml",
        "sub/dup_id.yaml",
        "tolerance_without_dot.yaml",
        "unknown_key.yaml",
        "unknown_reference.yaml",
        "wrong_type.yaml",
        "yaml_syntax.yaml",
    ]


def test_broken_bank_reports_the_same_problems_from_the_cache():
    first = load_bank([BROKEN])  # writes the cache (valid files only)
    second = load_bank([BROKEN])  # reads it
    assert [str(e) for e in _sorted(second.errors)] == [str(e) for e in _sorted(first.errors)]
    assert len(second.errors) == len(EXPECTED)
    assert set(second.questions) == {"valid_relu_choice", "valid_pool_numeric", "dup_id"}


def test_builtin_bank_loads_without_problems():
    bank = load_bank(use_cache=False)
    assert [str(e) for e in bank.errors] == []
    # the bank grows; these questions must always be in it
    assert BUILTIN_IDS <= set(bank.questions)
    assert bank.paths["conv_output_size"] == BUILTIN_BANK / "03-4_cnn" / "conv_output_size.yaml"


def test_every_builtin_question_has_its_id_as_file_stem_and_a_hint():
    bank = load_bank(use_cache=False)
    for qid, question in bank.questions.items():
        assert bank.paths[qid].stem == qid
        assert question.hints, qid
        assert question.explanation.strip(), qid


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "col", "field", "message"),
    [
        ("", 1, 1, "", "the file is empty"),
        ("- id: x\n- id: y\n", 1, 1, "", "must be one mapping"),
        # the second `topic` key is the problem (line 4, column 1), even though the rest is valid
        (VALID_NUMERIC.format(id="q", explanation="x").replace('topic: "3-4"\n', 'topic: "3-4"\ntopic: "3-2"\n'), 4, 1, "topic", "duplicate key `topic`"),
        # an unknown type is reported on its value, by name (not as the whole mapping)
        ("id: q\ntype: essay\ntopic: '3-1'\n", 2, 7, "type", "unknown type 'essay': use one of choice, numeric"),
        ("id: q\ntype: [essay]\n", 2, 7, "type", "unknown type ['essay']"),
        ("id: q\ntopic: '3-1'\n", 1, 1, "type", "missing required key `type`"),
        # a tab in the indentation is a YAML syntax error at the tab
        ("id: q\nhints:\n\t- a\n", 3, 1, "", "YAML syntax error"),
        # a topic outside the syllabus keys, on its value
        (VALID_NUMERIC.format(id="q", explanation="x").replace('"3-4"', '"3-10"'), 3, 8, "topic", "does not match the pattern"),
        # a hint that is blank
        (VALID_NUMERIC.format(id="q", explanation="x").replace('"(4 - 2) / 2 + 1"', '"  "'), 9, 3, "hints", "a hint is empty"),
    ],
)
def test_single_file_problems(tmp_path: Path, text: str, line: int, col: int, field: str, message: str):
    path = _write(tmp_path / "q.yaml", text)
    result = load_file(path)
    assert result.question is None
    assert [(e.line, e.col, e.field) for e in result.errors] == [(line, col, field)], [str(e) for e in result.errors]
    assert message in result.errors[0].message


def test_nested_unknown_key_is_reported_on_the_key(tmp_path: Path):
    text = (BROKEN / "valid_relu_choice.yaml").read_text(encoding="utf-8")
    text = text.replace('  - {key: "2", text: "0.25"}', '  - {key: "2", txt: "0.25"}')
    result = load_file(_write(tmp_path / "valid_relu_choice.yaml", text))
    # line 11 is `  - {key: "2", txt: "0.25"}`; `txt` starts at column 16
    assert [(e.line, e.col, e.field) for e in result.errors] == [(11, 16, "choices[1]")]
    assert "unknown key `txt`" in result.errors[0].message


def test_a_missing_folder_is_one_error_not_an_exception(tmp_path: Path):
    bank = load_bank([tmp_path / "nowhere"], use_cache=False)
    assert bank.questions == {}
    assert [e.message for e in bank.errors] == ["no such questions folder"]


def test_warm_cache_sees_an_edited_file(tmp_path: Path):
    root = tmp_path / "bank"
    path = _write(root / "pool.yaml", VALID_NUMERIC.format(id="pool", explanation="最初の解説"))
    assert load_bank([root]).questions["pool"].explanation.strip() == "最初の解説"
    assert any((tmp_path / "cache" / "eshikaku").iterdir()), "the first load writes a cache file"
    _write(path, VALID_NUMERIC.format(id="pool", explanation="書き直した解説です"))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000))
    assert load_bank([root]).questions["pool"].explanation.strip() == "書き直した解説です"
    # a file broken after it was cached is reported, not served from the cache
    _write(path, VALID_NUMERIC.format(id="pool", explanation="x").replace("difficulty: 1", "difficulty: 9"))
    bank = load_bank([root])
    assert bank.questions == {}
    assert [(e.line, e.col, e.field) for e in bank.errors] == [(4, 13, "difficulty")]


def test_warm_cache_sees_a_new_and_a_removed_file(tmp_path: Path):
    root = tmp_path / "bank"
    _write(root / "a" / "pool_a.yaml", VALID_NUMERIC.format(id="pool_a", explanation="a"))
    assert set(load_bank([root]).questions) == {"pool_a"}
    _write(root / "b" / "pool_b.yaml", VALID_NUMERIC.format(id="pool_b", explanation="b"))
    assert set(load_bank([root]).questions) == {"pool_a", "pool_b"}
    shutil.rmtree(root / "a")
    assert set(load_bank([root]).questions) == {"pool_b"}


def test_hidden_folders_are_not_read(tmp_path: Path):
    root = tmp_path / "bank"
    _write(root / "pool.yaml", VALID_NUMERIC.format(id="pool", explanation="x"))
    _write(root / ".trash" / "pool.yaml", "this: [is not: valid")
    bank = load_bank([root], use_cache=False)
    assert set(bank.questions) == {"pool"} and bank.errors == []


def test_a_reference_in_a_bank_folder_next_to_the_questions(tmp_path: Path):
    # an extra bank may bring its own reference/ package next to its questions folder
    root = tmp_path / "mybank" / "questions"
    _write(tmp_path / "mybank" / "reference" / "mine.py", "def double(x):\n    return 2 * x\n")
    text = (BROKEN / "unknown_reference.yaml").read_text(encoding="utf-8")
    _write(root / "uses_mine.yaml", text.replace("id: unknown_reference", "id: uses_mine").replace(
        "reference.activations:no_such_function", "reference.mine:double"))
    _write(root / "uses_missing.yaml", text.replace("id: unknown_reference", "id: uses_missing").replace(
        "reference.activations:no_such_function", "reference.mine:triple"))
    bank = load_bank([root], use_cache=False)
    assert set(bank.questions) == {"uses_mine"}
    assert [(e.path.name, e.line, e.col, e.field) for e in bank.errors] == [("uses_missing.yaml", 8, 12, "reference")]
    assert "define triple in reference/mine.py" in bank.errors[0].message


def _touch_later(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10_000_000, before + 10_000_000))  # a visible change even on coarse clocks


def test_warm_cache_sees_a_reference_removed_and_restored(tmp_path: Path):
    module = _write(tmp_path / "mybank" / "reference" / "mine.py", "def double(x):\n    return 2 * x\n")
    root = tmp_path / "mybank" / "questions"
    text = (BROKEN / "unknown_reference.yaml").read_text(encoding="utf-8")
    _write(root / "uses_mine.yaml", text.replace("id: unknown_reference", "id: uses_mine").replace(
        "reference.activations:no_such_function", "reference.mine:double"))
    assert set(load_bank([root]).questions) == {"uses_mine"}  # cached as valid
    _touch_later(module, "def triple(x):\n    return 3 * x\n")
    bank = load_bank([root])
    assert bank.questions == {}
    assert [(e.line, e.col, e.field) for e in bank.errors] == [(8, 12, "reference")]
    assert "`reference.mine:double` does not exist" in bank.errors[0].message
    _touch_later(module, "def double(x):\n    return 2 * x\n")
    bank = load_bank([root])
    assert set(bank.questions) == {"uses_mine"} and bank.errors == []
