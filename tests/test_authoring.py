"""The instructor's round trip: `new` → fill → validate for the twelve questions of docs/authoring.md (every
type an instructor writes), then validate catching what authors get wrong: a wrong reference and a wrong
answer key in numeric, shape and choice questions, a wrong reference of a code question, and a distractor
that became right."""

from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from authoring_helpers import doc_examples, line_of, run

from grader.bank.schema import QUESTION_MODELS, QUESTION_TYPES


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line text as `|` blocks, as an author does (LaTeX then keeps its backslashes)."""


_BlockDumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None))


def _fill(skeleton: dict[str, Any], example: dict[str, Any], qtype: str) -> dict[str, Any]:
    """The skeleton with every field written, and the optional ones the question does not use deleted."""
    model = QUESTION_MODELS[qtype]
    unused = set(skeleton) - set(example)
    required = {name for name, f in model.model_fields.items() if f.is_required()}
    assert not unused & required, f"{qtype}: the skeleton has required keys the example lacks: {unused & required}"
    return {key: example[key] for key in [*(k for k in skeleton if k in example), *(k for k in example if k not in skeleton)]}


@pytest.fixture(scope="module")
def authored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Path]]:
    """A private bank of the guide's questions, each started with `new` and filled in."""
    bank = tmp_path_factory.mktemp("authoring") / "bank"  # does not exist yet: `new` makes it
    module = "rt_" + hashlib.sha256(str(bank).encode()).hexdigest()[:8]
    paths = {}
    for _, example in doc_examples():
        code, out = run("--bank", str(bank), "new", example["type"], example["id"], "--topic", example["topic"], "--module", module)
        assert code == 0, out
        path = next(bank.glob(f"*/{example['id']}.yaml"))
        first, _, body = path.read_text(encoding="utf-8").partition("\n")
        assert first == "# yaml-language-server: $schema=../question.schema.json"
        code, out = run("--bank", str(bank), "--bank-only", "validate", "--no-run", str(path))
        assert code == 1  # the untouched skeleton names what is left to fill
        filled = _fill(yaml.safe_load(body), example, example["type"])
        path.write_text(first + "\n" + yaml.dump(filled, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")
        paths[example["id"]] = path
    return bank, paths


def validate(bank: Path, *extra: str) -> tuple[int, str]:
    return run("--bank", str(bank), "--bank-only", "validate", str(bank), *extra)


def test_twelve_new_questions_of_every_type_validate_once_filled(authored: tuple[Path, dict[str, Path]]) -> None:
    bank, paths = authored
    assert len(paths) == 12 and {yaml.safe_load(p.read_text(encoding="utf-8"))["type"] for p in paths.values()} == set(QUESTION_TYPES)
    assert (bank / "question.schema.json").is_file()
    code, out = validate(bank, "-v")
    assert code == 0, out
    assert "12 question(s) checked" in out
    assert "my_relu_mask_blank: (あ) 2 fails" in out and "my_sigmoid_layer: misconception forgets_one_minus fails" in out
    assert "my_conv_padded_width_param: wrong answer 1 graded wrong at all" in out and "my_stacked_conv_params: part a: worked example 1 matches" in out


class Edit:
    """One change to an authored file (or a new reference module), undone afterwards."""

    def __init__(self, path: Path) -> None:
        self.path, self.original = path, path.read_text(encoding="utf-8")

    def replace(self, old: str, new: str) -> None:
        text = self.path.read_text(encoding="utf-8")
        assert old in text, old
        self.path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def rewrite(self, change: Any) -> None:
        """Changes the parsed question and writes it back as the round trip wrote it."""
        first, _, body = self.path.read_text(encoding="utf-8").partition("\n")
        data = change(yaml.safe_load(body))
        self.path.write_text(first + "\n" + yaml.dump(data, Dumper=_BlockDumper, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8")

    def undo(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


def private_reference(bank: Path, name: str, source: str) -> str:
    """A reference module of the bank's own, under a name no other test has imported."""
    module = f"{name}_{hashlib.sha256(str(bank).encode()).hexdigest()[:8]}"
    (bank / "reference").mkdir(exist_ok=True)
    (bank / "reference" / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return module


def check_caught(bank: Path, edit: Edit, needle: str | tuple[str, str], *messages: str) -> None:
    """validate fails, naming the line of ``needle`` (or of ``(below, needle)``) and saying each message."""
    after, text = needle if isinstance(needle, tuple) else ("", needle)
    try:
        code, out = validate(bank)
        assert code == 1, out
        assert f"{edit.path.name}:{line_of(edit.path, text, after)}:" in out, out
        for message in messages:
            assert message in out, out
    finally:
        edit.undo()


def test_a_wrong_reference_and_a_wrong_key_of_a_numeric_question_are_caught(authored: tuple[Path, dict[str, Path]]) -> None:
    bank, paths = authored
    module = private_reference(bank, "numeric_ref", """\
        def conv_output_size(input_size, filter_size, stride=1, pad=0):
            return (input_size + pad - filter_size) // stride + 1   # pads one side only
        """)
    edit = Edit(paths["my_conv_padded_width_param"])
    edit.replace("function: reference.cnn:conv_output_size", f"function: reference.{module}:conv_output_size")
    check_caught(bank, edit, ("worked_examples:", "answer: 28"),
                 f"for H=28, F=5, P=2 the answer computed by the reference reference.{module}:conv_output_size is 26, but the worked example says 28",
                 "wrong answer 2 equals the answer at all")
    edit = Edit(paths["my_sigmoid_slope_peak"])
    edit.replace("answer: 0.25", "answer: 0.5")
    check_caught(bank, edit, "answer: 0.5", "wrong answer 1 equals the answer (0.5): is the answer key right?")


def test_a_wrong_reference_and_a_wrong_key_of_a_shape_question_are_caught(authored: tuple[Path, dict[str, Path]]) -> None:
    bank, paths = authored
    module = private_reference(bank, "shape_ref", """\
        def pool_output_size(input_size, pool_size, stride=None, pad=0):
            return input_size - pool_size + 1   # ignores the stride
        """)
    edit = Edit(paths["my_pooled_map_shape_param"])
    text = edit.original.replace("function: reference.cnn:pool_output_size", f"function: reference.{module}:pool_output_size")
    edit.path.write_text(text, encoding="utf-8")
    check_caught(bank, edit, ("worked_examples:", "- 4"), f"for N=4, C=16, H=28 the answer computed by the reference reference.{module}:pool_output_size is "
                 "[4, 16, 27, 27], but the worked example says [4, 16, 14, 14]")
    edit = Edit(paths["my_pooled_map_shape_param"])
    edit.rewrite(lambda data: data | {"answer": [{"formula": f} for f in ("N", "C", "H", "H")]})  # pooling forgotten in the key
    check_caught(bank, edit, ("wrong_answers:", "- answer:"), "wrong answer 1 is the right shape at all", "the answer's formulas or this wrong answer is wrong")


def test_a_wrong_key_of_a_choice_question_is_caught(authored: tuple[Path, dict[str, Path]]) -> None:
    bank, paths = authored
    edit = Edit(paths["my_relu_output_choice"])
    edit.replace("answer: '1'", "answer: '5'")
    check_caught(bank, edit, "answer: '5'", "'5' is not a choice key (the keys are 1, 2, 3, 4)")
    edit = Edit(paths["my_activation_range_pairs"])
    edit.replace("answer: '1'", "answer: [(1)]")
    check_caught(bank, edit, "answer: [(1)]", "'(1)' is not a choice key")


def test_a_wrong_code_reference_and_a_distractor_made_right_are_caught(authored: tuple[Path, dict[str, Path]]) -> None:
    bank, paths = authored
    module = private_reference(bank, "code_ref", """\
        import numpy as np


        def relu(x):
            return np.abs(x)
        """)
    edit = Edit(paths["my_relu_forward_function"])
    edit.replace("reference: reference.activations:relu", f"reference: reference.{module}:relu")
    check_caught(bank, edit, ("expect:", "array:"), "case example: the reference returns [2. 0. 3.], but `expect` says [0. 0. 3.]")
    edit = Edit(paths["my_relu_mask_blank"])
    edit.replace("text: ~self.mask", "text: self.mask == True")
    check_caught(bank, edit, ("choices:", "key: '2'"), "distractor (あ) 2 `self.mask == True` passes every case")


def test_new_refuses_an_existing_id_and_a_bad_topic(tmp_path: Path) -> None:
    code, out = run("--bank", str(tmp_path), "new", "choice", "chain_rule", "--topic", "3-1")
    assert code == 2 and "already used" in out
    code, out = run("--bank", str(tmp_path), "new", "choice", "fresh_id", "--topic", "9-9")
    assert code == 2 and "unknown topic" in out
    code, out = run("--bank", str(tmp_path), "new", "choice", "Bad-Id", "--topic", "3-1")
    assert code == 2 and "a-z, 0-9 and _" in out


def test_every_type_has_a_skeleton_that_parses(tmp_path: Path) -> None:
    for qtype in QUESTION_TYPES:
        code, out = run("--bank", str(tmp_path), "new", qtype, f"new_{qtype}", "--topic", "4-1")
        assert code == 0, out
    code, out = run("--bank", str(tmp_path), "--bank-only", "validate", "--no-run", str(tmp_path))
    assert code == 1 and "YAML syntax error" not in out and "Traceback" not in out
    skeleton = (tmp_path / "04-1_image_recognition" / "new_numeric.yaml").read_text(encoding="utf-8")
    for key in ("syllabus:", "keywords:", "wrong_answers:", "worked_examples:", "# sub-items and keywords of 4-1"):
        assert key in skeleton
    code_skeleton = (tmp_path / "04-1_image_recognition" / "new_code_function.yaml").read_text(encoding="utf-8")
    for key in ("solution:", "misconceptions:", "expect:", "diagnosis:"):
        assert key in code_skeleton
