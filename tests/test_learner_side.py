"""The learner's side as a learner finds it: encodings, answers shown as the quiz renders them, the same
code verdict everywhere, reflowed prose, the exam's wall clock, area-weighted mock exams and fixed forms,
the notebook magic."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from progress_helpers import fixture_args, isolated_env, run, run_json

from grader.bank.loader import Bank, load_bank
from grader.learner.exam_forms import area_counts, draw_forms, form_problems, quotas, write_forms
from grader.learner.richtext import reflow
from grader.learner.storage import Store

RELU_RIGHT = "def relu(x):\n    # 対策: 新しい配列を返す\n    import numpy as np\n    return np.maximum(0, x)\n"


def test_a_cp932_file_is_read_and_said_never_a_traceback(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    path = tmp_path / "a.py"
    path.write_bytes(RELU_RIGHT.encode("cp932"))
    done = run(env, *fixture_args(), "submit", "fx_relu_code", str(path))
    assert done.returncode == 0, done.stderr
    assert "cp932" in done.stderr and "Traceback" not in done.stderr


def test_undecodable_bytes_exit_2_naming_the_encoding(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    path = tmp_path / "b.py"
    path.write_bytes(b"def relu(x):\n    return x  # \xff\xfe\xfa\n")
    done = run(env, *fixture_args(), "submit", "fx_relu_code", str(path))
    assert done.returncode == 2 and "UTF-8" in done.stderr and "2 行目" in done.stderr


def test_a_utf8_bom_file_is_graded_like_any_other(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    path = tmp_path / "c.py"
    path.write_bytes(b"\xef\xbb\xbf" + RELU_RIGHT.encode("utf-8"))
    done = run(env, *fixture_args(), "submit", "fx_relu_code", str(path))
    assert done.returncode == 0 and done.stdout.startswith("✓ 正解 100%")
    stats = run_json(env, *fixture_args(), "stats", "--json")  # submit is recorded in the same database
    assert [a["mode"] for a in stats["recent_attempts"]] == ["submit"]


def test_quiz_answers_file_in_cp932(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    answers = tmp_path / "answers.txt"
    answers.write_bytes((RELU_RIGHT + ".\n").encode("cp932"))
    done = run(env, *fixture_args(), "quiz", "fx_relu_code", "--answers", str(answers))
    assert done.returncode == 0 and "✓ 正解 100%" in done.stdout and "cp932" in done.stdout


def test_a_skipped_question_shows_the_answer_as_the_quiz_renders_it(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = run(env, *fixture_args(), "quiz", "fx_sigmoid_max", "fx_relu_code", input="s\ns\n")
    assert "正解: (" in done.stdout and "['" not in done.stdout and "None" not in done.stdout
    assert "np.maximum(0, x)" in done.stdout  # the code question's model solution


def test_a_syntax_error_is_not_an_attempt(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = run(env, *fixture_args(), "quiz", "fx_relu_code", input="def relu(x:\n.\n" + RELU_RIGHT + ".\n")
    assert "直して提出し直してください" in done.stdout and "✓ 正解" in done.stdout
    stats = run_json(env, *fixture_args(), "stats", "--json")
    assert [a["verdict"] for a in stats["recent_attempts"]] == ["right"]


def test_shuffled_options_are_relabelled_in_the_order_shown_and_stored_as_keys(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    shown = run(env, *fixture_args(), "show", "fx_sigmoid_max", "--seed", "5").stdout
    labels = [line.split(")")[0].strip(" (") for line in shown.splitlines() if line.startswith("  (")]
    assert labels == ["1", "2", "3", "4"]
    right = next(line.split(")")[0].strip(" (") for line in shown.splitlines() if line.endswith(" 0.25"))
    assert run(env, *fixture_args(), "answer", "fx_sigmoid_max", right, "--seed", "5").returncode == 0
    assert run(env, *fixture_args(), "answer", "fx_sigmoid_max", "2").returncode == 0  # no seed: the file's key
    with Store(env["ESHIKAKU_DB"]) as store:
        assert [r["response"] for r in store.attempts()] == ["2", "2"]


def test_code_verdict_wording_is_one_with_the_weights_shown() -> None:
    from grader.grading.codegrade import CaseResult, CodeResult
    from grader.grading.report import headline

    cases = (CaseResult("a", False, 1.0, True), CaseResult("b", True, 2.0, True), CaseResult("c", True, 3.0, False, "value"))
    result = CodeResult("q", 1, "graded", 0.5, cases)
    assert headline(result) == "△ 部分正解 50%: 2/3 ケース通過 (得点は重み付き: 通過した重み 3 / 全体 6)"


def test_yaml_hard_breaks_are_reflowed_but_lists_and_code_kept() -> None:
    text = ["入力の数を数え", "て出力する。", "- 箇条書き", "- もう一つ", "```", "x = 1", "y = 2", "```", "English words", "continue here."]
    assert reflow(text) == ["入力の数を数えて出力する。", "- 箇条書き", "- もう一つ", "```", "x = 1", "y = 2", "```", "English words continue here."]


def test_the_exam_clock_is_wall_time_so_kill_gives_no_time_back(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    done = run(env, *fixture_args(), "exam", "--count", "3", "--minutes", "30", "--seed", "5", input="1\nq\n")
    assert done.returncode == 0
    with Store(env["ESHIKAKU_DB"]) as store:
        store.conn.execute("UPDATE sessions SET started_at = started_at - 600")  # as if killed ten minutes ago
    result = run_json(env, *fixture_args(), "exam", "--resume", "--json", input="")
    assert result["seconds"] >= 600


def _generated_bank(tmp_path: Path, per_area: dict[str, int]) -> Bank:
    root = tmp_path / "gen"
    topics = {"math": "1-1", "ml": "2-1", "dl": "3-1", "dev": "5-1"}
    for area, n in per_area.items():
        for i in range(n):
            qid = f"g_{area}_{i:03d}"
            folder = root / topics[area]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{qid}.yaml").write_text(
                f"id: {qid}\ntype: choice\ntopic: '{topics[area]}'\ndifficulty: 1\nprompt: 問 {i}\nexplanation: 解説 {i}\n"
                "hints: [ヒント]\nchoices:\n  - {key: '1', text: 甲}\n  - {key: '2', text: 乙}\n  - {key: '3', text: 丙}\n  - {key: '4', text: 丁}\n"
                "answer: '1'\n", encoding="utf-8")  # fmt: skip
    return load_bank([root], use_cache=False)


def test_three_forms_are_disjoint_and_weighted_like_the_exam(tmp_path: Path) -> None:
    bank = _generated_bank(tmp_path, {"math": 31, "ml": 30, "dl": 220, "dev": 25})
    forms = draw_forms(bank)
    assert forms == draw_forms(bank)  # deterministic
    sets = [set(f) for f in forms.forms]
    assert all(len(s) == 100 for s in sets) and not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    for ids in forms.forms:
        assert area_counts([bank.questions[i] for i in ids]) == quotas(100) == {"math": 10, "ml": 10, "dl": 72, "dev": 8}
    root = tmp_path / "gen"
    write_forms(forms, root)
    assert form_problems(bank, root) == []
    reloaded = load_bank([root], use_cache=False)
    assert reloaded.questions.keys() == bank.questions.keys() and not reloaded.errors  # the forms file is not a question
    data = (root / "exam_forms.yaml").read_text(encoding="utf-8").replace(forms.forms[1][0], forms.forms[0][0])
    (root / "exam_forms.yaml").write_text(data, encoding="utf-8")
    assert any("disjoint" in p for p in form_problems(bank, root))


def test_too_small_an_area_is_refused_with_its_name(tmp_path: Path) -> None:
    from grader.learner.exam_forms import FormsError

    bank = _generated_bank(tmp_path, {"math": 5, "ml": 30, "dl": 220, "dev": 25})
    with pytest.raises(FormsError, match="math 5/30"):
        draw_forms(bank)


def test_the_builtin_forms_are_disjoint_and_weighted() -> None:
    """Passes once sections 1–2 have their questions and `eshikaku exam-forms --write` has been run."""
    from grader.bank.loader import BUILTIN_BANK

    assert (BUILTIN_BANK / "exam_forms.yaml").is_file(), "run `eshikaku exam-forms --write` once the bank can fill three forms"
    assert form_problems(load_bank([BUILTIN_BANK]), BUILTIN_BANK) == []


def test_exam_draws_by_area_and_prints_the_counts(tmp_path: Path) -> None:
    bank_root = tmp_path / "gen"
    _generated_bank(tmp_path, {"math": 12, "ml": 12, "dl": 80, "dev": 10})
    env = isolated_env(tmp_path)
    done = run(env, "--bank", str(bank_root), "--bank-only", "exam", "--count", "50", "--json", input="")
    data = json.loads(done.stdout)
    areas = {k: v["total"] for k, v in data["by_area"].items()}
    assert areas == {"math": 5, "ml": 5, "dl": 36, "dev": 4}
    assert "応用数学 5" in done.stderr


def test_notebook_magic_in_a_real_ipython_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from progress_helpers import FIXTURE_BANK

    monkeypatch.setenv("ESHIKAKU_DB", str(tmp_path / "p.sqlite3"))
    monkeypatch.setenv("ESHIKAKU_BANK", str(FIXTURE_BANK))
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "eshikaku")
    right = shell.run_cell_magic("eshikaku", "fx_relu_code", RELU_RIGHT)
    wrong = shell.run_cell_magic("eshikaku", "fx_relu_code", "def relu(x):\n    return x\n")
    assert right.passed and "✓ 正解 100%" in right._repr_html_() and "#1a7f37" in right._repr_html_()
    assert not wrong.passed and "#cf222e" in wrong._repr_html_() and "✗" in wrong._repr_html_()
    import eshikaku

    assert eshikaku.check("fx_relu_code", RELU_RIGHT).passed
    with Store(tmp_path / "p.sqlite3") as store:
        assert [r["mode"] for r in store.attempts()] == ["notebook"] * 3


def test_babel_extracts_the_catalogue(tmp_path: Path) -> None:
    from babel.messages.extract import extract_from_dir

    messages = [m for m in extract_from_dir("grader", method_map=[("**.py", "python")], keywords={"_": None})]
    texts = {m[2] for m in messages}
    assert "ヒントはもうありません" in texts and len(texts) > 150
    assert time.time() > 0
