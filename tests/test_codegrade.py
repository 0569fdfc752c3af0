"""Grading real learner mistakes: each must fail with the diagnosis that teaches the fix."""

from __future__ import annotations

import textwrap

import pytest

from grader.bank.loader import load_bank
from grader.grading.codegrade import CodeResult, grade_code

BANK = load_bank(use_cache=False)


def grade(qid: str, source: str, seed: int = 11) -> CodeResult:
    return grade_code(BANK.questions[qid], textwrap.dedent(source), seed)


def failures(result: CodeResult) -> dict[str, str]:
    return {c.name: f"{c.message} {c.diagnosis}" for c in result.cases if not c.passed}


SOFTMAX_RIGHT = """
    import numpy as np
    def softmax(x):
        z = x - np.max(x, axis=-1, keepdims=True)
        e = np.exp(z)
        return e / np.sum(e, axis=-1, keepdims=True)
"""


def test_a_right_softmax_passes_every_case() -> None:
    result = grade("softmax_function", SOFTMAX_RIGHT)
    assert result.status == "graded"
    assert result.passed, failures(result)
    assert result.score == 1.0


def test_softmax_without_the_max_shift_is_told_about_overflow() -> None:
    result = grade("softmax_function", """
        import numpy as np
        def softmax(x):
            e = np.exp(x)
            return e / np.sum(e, axis=-1, keepdims=True)
    """)
    found = failures(result)
    assert "large_logits" in found
    assert "NaN か inf" in found["large_logits"]
    assert "オーバーフロー対策" in found["large_logits"]
    assert "vector_example" not in found  # small inputs are still right
    assert 0 < result.score < 1


def test_softmax_summing_over_the_wrong_axis_fails_batches_only() -> None:
    result = grade("softmax_function", """
        import numpy as np
        def softmax(x):
            z = x - np.max(x)
            e = np.exp(z)
            return e / np.sum(e, axis=0)
    """)
    found = failures(result)
    assert "vector_example" not in found
    assert "値が違います" in found["batch_example"]
    assert "axis=-1" in found["batch_example"]


def test_softmax_that_shifts_the_callers_array_in_place_is_caught() -> None:
    result = grade("softmax_function", """
        import numpy as np
        def softmax(x):
            x -= np.max(x, axis=-1, keepdims=True)
            e = np.exp(x)
            return e / np.sum(e, axis=-1, keepdims=True)
    """)
    assert any("入力 `x` が変更されました" in m for m in failures(result).values())


def test_softmax_that_drops_float32_is_told_the_dtype() -> None:
    result = grade("softmax_function", """
        import numpy as np
        def softmax(x):
            x = np.asarray(x, dtype=np.float64)
            z = x - np.max(x, axis=-1, keepdims=True)
            e = np.exp(z)
            return e / np.sum(e, axis=-1, keepdims=True)
    """)
    assert set(failures(result)) == {"float32_input"}
    assert "dtype が float64 です。期待されるのは float32" in failures(result)["float32_input"]


def test_wrong_shape_is_reported_with_both_shapes() -> None:
    result = grade("softmax_function", """
        import numpy as np
        def softmax(x):
            z = x - np.max(x, axis=-1, keepdims=True)
            return (np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)).ravel()
    """)
    assert "形状が (6,) です。期待されるのは (2, 3)" in failures(result)["batch_example"]


def test_ridge_summing_the_squares_fails_and_rebinding_is_not_in_place() -> None:
    summed = grade("ridge_blank", {"え": "np.sum(param**2)"} if False else "grad += rate * np.sum(param**2)")
    assert summed.score == 0.0
    rebinding = grade("ridge_blank", """
        import numpy as np
        def ridge(param, grad, rate):
            grad = grad + rate * param
    """)
    assert all("その場で更新されていません" in m for m in failures(rebinding).values())


def test_lasso_with_rate_applied_twice_fails() -> None:
    result = grade("lasso_blank", """
        import numpy as np
        def lasso(param, grad, rate):
            x = rate * np.sign(param)
            grad += rate * x
    """)
    assert result.score == 0.0
    assert "値が違います" in failures(result)["worked_example"]


def test_random_crop_that_never_reaches_the_edge_is_named() -> None:
    question = BANK.questions["random_crop_blank"]
    seed_version = question.template.replace("h - crop_h + 1", "h - crop_h").replace("w - crop_w + 1", "w - crop_w")
    result = grade("random_crop_blank", seed_version.replace("(か)", "image[top:bottom, left:right, :]"))
    found = failures(result)
    assert "never occurred" in found["every_offset_reachable"]
    assert "randint" in found["every_offset_reachable"]
    assert "ValueError" in found["crop_equals_image_size"]


def test_an_exception_shows_only_the_learners_lines() -> None:
    result = grade("softmax_function", """
        import numpy as np
        def helper(x):
            return x / 0 + undefined_name
        def softmax(x):
            return helper(x)
    """)
    assert result.status == "graded" and result.score == 0.0
    assert "NameError が発生しました" in result.cases[0].message
    assert result.traceback and all(" 行目: " in line for line in result.traceback)
    assert not any("harness" in line or "grader" in line for line in result.traceback)


def test_syntax_errors_and_missing_entries_are_learner_errors() -> None:
    syntax = grade("softmax_function", "def softmax(x)\n    return x\n")
    assert syntax.status == "learner_error" and "SyntaxError: 1 行目" in syntax.message
    missing = grade("softmax_function", "def soft_max(x):\n    return x\n")
    assert missing.status == "learner_error" and "`softmax` が定義されていません" in missing.message


def test_a_timeout_names_the_case_that_was_running() -> None:
    result = grade("softmax_function", """
        import numpy as np
        def softmax(x):
            if x.ndim == 2:
                while True:
                    pass
            z = x - np.max(x, axis=-1, keepdims=True)
            return np.exp(z) / np.sum(np.exp(z), axis=-1, keepdims=True)
    """)
    found = failures(result)
    assert "vector_example" not in found
    assert "制限" in found["batch_example"] and "(ケース batch_example)" in found["batch_example"]


def test_hidden_inputs_never_appear_in_the_report() -> None:
    from grader.grading.report import result_json, result_text

    result = grade("softmax_function", "import numpy as np\ndef softmax(x):\n    print(x)\n    return x\n")
    hidden = [c for c in result.cases if c.hidden]
    assert hidden and all(c.public_detail is None and c.stdout == "" for c in hidden)
    assert "1000." not in result_text(result) and "1000.0" not in str(result_json(result))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_same_seed_gives_the_same_cases_and_score(seed: int) -> None:
    source = "import numpy as np\ndef softmax(x):\n    return np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)\n"
    first, again = grade("softmax_function", source, seed), grade("softmax_function", source, seed)
    assert [(c.name, c.passed) for c in first.cases] == [(c.name, c.passed) for c in again.cases]
    assert first.score == again.score
