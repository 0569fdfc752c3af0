"""Learners' code for 「ゼロから作る Deep Learning」 graded fairly: the book's own behaviour passes, bugs are named.

Three kinds of submission go through the real grader (:func:`grader.grading.codegrade.grade_code`) on the
questions of the book's ``common/`` functions and classes:

* the book's implementation (:mod:`tests.book_dlfs1`), quirks included: every question passes;
* learner-style buggy variants: every one fails, and the feedback names the defect;
* variants that are right in another published convention: none gets a bare value mismatch (it passes,
  or the feedback names the convention).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.bank.loader import BUILTIN_BANK, load_bank
from grader.bank.schema import CodeBase
from grader.grading.codegrade import CodeResult, grade_code
from grader.grading.report import result_text
from tests.book_dlfs1.variants import BUGGY, CONVENTIONS, Variant

BOOK = Path(__file__).parent / "book_dlfs1"
MODULES = ("functions", "util", "gradient", "layers", "optimizer")  # in the order the book's imports need
SEEDS = (3, 17)

# Every question on a name of the book's common/, and the name it asks for.
QUESTIONS = {
    "step_function": "step_function",
    "sigmoid_function": "sigmoid",
    "relu_function": "relu",
    "softmax_function": "softmax",
    "sum_squared_error_function": "sum_squared_error",
    "cross_entropy_error_function": "cross_entropy_error",
    "sigmoid_grad_function": "sigmoid_grad",
    "relu_grad_function": "relu_grad",
    "numerical_gradient_central": "numerical_gradient",
    "relu_layer": "Relu",
    "sigmoid_layer": "Sigmoid",
    "affine_layer": "Affine",
    "softmax_with_loss": "SoftmaxWithLoss",
    "sgd_class": "SGD",
    "momentum_class": "Momentum",
    "nesterov_class": "Nesterov",
    "adagrad_class": "AdaGrad",
    "rmsprop_class": "RMSprop",
    "adam_class": "Adam",
    "dropout_layer": "Dropout",
    "im2col_function": "im2col",
    "col2im_function": "col2im",
    "convolution_forward": "Convolution",
    "max_pool": "Pooling",
    "batch_norm_forward": "BatchNormalization",
    "batchnorm_backward": "BatchNormalization",
}
# Questions on the same names that ask for more than the book gives (the book's code is not expected to pass):
# stable_sigmoid wants no overflow warning; the course's mean_squared_error(d, y) is not in the book.
# dropout_inverted asks for the other kind of dropout than the book's.
OTHER_QUESTIONS = {"stable_sigmoid": "sigmoid", "mean_squared_error_function": "mean_squared_error", "dropout_inverted": "Dropout"}


def submission() -> str:
    """The book's modules as one learner file: their imports of one another become the definitions above them."""
    parts = []
    for name in MODULES:
        lines = (BOOK / f"{name}.py").read_text(encoding="utf-8").splitlines()
        parts.append("\n".join(line for line in lines if not line.startswith("from tests.book_dlfs1")))
    return "\n\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def bank() -> dict[str, CodeBase]:
    questions = load_bank([BUILTIN_BANK]).questions
    return {qid: q for qid, q in questions.items() if isinstance(q, CodeBase)}


def graded(question: CodeBase, source: str, seed: int) -> CodeResult:
    result = grade_code(question, source, seed=seed)
    assert result.status == "graded", result_text(result)
    return result


@pytest.mark.parametrize("qid", sorted(QUESTIONS))
def test_the_books_own_code_passes(bank: dict[str, CodeBase], qid: str) -> None:
    question = bank[qid]
    assert question.entry == QUESTIONS[qid]
    for seed in SEEDS:
        result = graded(question, submission(), seed)
        assert result.passed, result_text(result)


@pytest.mark.parametrize("variant", BUGGY, ids=lambda v: f"{v.question}-{v.name}")
def test_a_buggy_variant_fails_and_its_defect_is_named(bank: dict[str, CodeBase], variant: Variant) -> None:
    result = graded(bank[variant.question], variant.source, SEEDS[0])
    text = result_text(result)
    assert not result.passed, text
    if variant.misconception:
        assert variant.misconception in result.misconceptions, text
        says = next(m.says for m in bank[variant.question].misconceptions if m.name == variant.misconception)
        assert says in text
    for fragment in variant.named_by:
        assert fragment in text, text


@pytest.mark.parametrize("variant", CONVENTIONS, ids=lambda v: f"{v.question}-{v.name}")
def test_code_right_in_another_convention_passes_or_is_told_its_convention(bank: dict[str, CodeBase], variant: Variant) -> None:
    for seed in SEEDS:  # fairness must not depend on the hidden inputs drawn
        result = graded(bank[variant.question], variant.source, seed)
        text = result_text(result)
        if variant.misconception is None and not variant.named_by:
            assert result.passed, text
            continue
        assert not result.passed
        if variant.misconception:
            assert result.misconceptions == (variant.misconception,), text
        for fragment in variant.named_by:
            assert fragment in text, text


def test_the_variants_are_numerous_and_cover_the_questions() -> None:
    assert len(BUGGY) >= 25 and len(CONVENTIONS) >= 10
    assert {v.question for v in BUGGY + CONVENTIONS} <= set(QUESTIONS) | set(OTHER_QUESTIONS)
