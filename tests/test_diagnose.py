"""Feedback that names the defect because the submission behaved like a known misconception."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bank.loader import BUILTIN_BANK, load_file
from grader.bank.schema import CodeFunctionQuestion
from grader.grading.codegrade import grade_code
from grader.grading.report import result_text
from grader.instructor.bankcheck import check

MISCONCEPTIONS = """
solution: |
  import numpy as np

  def softmax(x):
      z = x - np.max(x, axis=-1, keepdims=True)
      e = np.exp(z)
      return e / np.sum(e, axis=-1, keepdims=True)
misconceptions:
  - name: global_max
    says: 配列全体の最大値を引いている (行ごとの最大値を引く)
    code: |
      import numpy as np

      def softmax(x):
          z = x - np.max(x)
          e = np.exp(z)
          return e / np.sum(e, axis=-1, keepdims=True)
  - name: sum_axis_0
    says: 合計を軸 0 (サンプルの軸) で取っている
    code: |
      import numpy as np

      def softmax(x):
          z = x - np.max(x, axis=-1, keepdims=True)
          e = np.exp(z)
          return e / np.sum(e, axis=0)
"""


def builtin_softmax_text() -> str:
    """The built-in softmax question without its own solution and misconceptions (the tests bring theirs)."""
    text = (BUILTIN_BANK / "03-1_forward" / "softmax_function.yaml").read_text(encoding="utf-8")
    kept, skipping = [], False
    for line in text.splitlines(keepends=True):
        if line[:1].strip():  # a top-level key starts a block
            skipping = line.split(":", 1)[0] in ("solution", "misconceptions")
        if not skipping:
            kept.append(line)
    return "".join(kept)


@pytest.fixture(scope="module")
def softmax(tmp_path_factory: pytest.TempPathFactory) -> CodeFunctionQuestion:
    folder = tmp_path_factory.mktemp("bank") / "03-1_forward"
    folder.mkdir()
    path = folder / "softmax_function.yaml"
    path.write_text(builtin_softmax_text() + MISCONCEPTIONS, encoding="utf-8")
    result = load_file(path)
    assert result.errors == [] and isinstance(result.question, CodeFunctionQuestion), result.errors
    return result.question


GLOBAL_MAX = """\
import numpy as np

def softmax(x):
    c = np.max(x)
    exp_a = np.exp(x - c)
    return exp_a / np.sum(exp_a, axis=-1, keepdims=True)
"""


def test_a_learner_bug_that_behaves_like_a_misconception_is_named_with_its_line(softmax: CodeFunctionQuestion) -> None:
    result = grade_code(softmax, GLOBAL_MAX, seed=11)
    assert not result.passed
    assert result.misconceptions == ("global_max",)
    text = result_text(result)
    assert "考えられる原因: 配列全体の最大値を引いている" in text
    assert "line 4: c = np.max(x)" in text  # the learner's own line, not the variant's


def test_a_bug_no_misconception_describes_gets_no_named_cause(softmax: CodeFunctionQuestion) -> None:
    result = grade_code(softmax, "import numpy as np\n\ndef softmax(x):\n    return np.exp(x) / 2\n", seed=11)
    assert not result.passed and result.misconceptions == ()
    assert "考えられる原因" not in result_text(result)


def test_the_right_answer_has_no_findings(softmax: CodeFunctionQuestion) -> None:
    result = grade_code(softmax, softmax.solution, seed=3)
    assert result.passed and result.findings == ()


def test_an_unused_plotting_import_costs_nothing_and_is_noted(softmax: CodeFunctionQuestion) -> None:
    source = "import matplotlib.pyplot as plt\nimport pandas as pd\n" + softmax.solution
    result = grade_code(softmax, source, seed=5)
    assert result.passed, result_text(result)
    assert any("matplotlib.pyplot, pandas の import は採点に使わない" in note for note in result.notes)


def test_a_plotting_import_that_the_code_uses_is_kept(softmax: CodeFunctionQuestion) -> None:
    source = "import matplotlib.pyplot as plt\n" + softmax.solution.replace("return e", "plt.plot(e)\n    return e")
    result = grade_code(softmax, source, seed=5)
    assert not result.passed and result.notes == ()


def test_validate_rejects_a_misconception_that_passes_every_case(tmp_path: Path) -> None:
    folder = tmp_path / "03-1_forward"
    folder.mkdir()
    right_as_wrong = MISCONCEPTIONS.replace("z = x - np.max(x)\n", "z = x - np.max(x, axis=-1, keepdims=True)\n")
    text = builtin_softmax_text() + right_as_wrong
    (folder / "softmax_function.yaml").write_text(text, encoding="utf-8")
    messages = [str(e) for e in check([folder / "softmax_function.yaml"]).errors]
    assert any("misconceptions[0]: misconception `global_max` passes every case" in m for m in messages), messages
