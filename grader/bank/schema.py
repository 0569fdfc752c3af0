"""The question format: strict pydantic models, one per question type.

Every question file is one YAML mapping validated by :data:`Question`, a union discriminated by
``type``. Unknown keys are errors (``extra="forbid"``) so that a typo never silently drops a field.
The JSON Schema shown by ``eshikaku schema`` is generated from these models.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, WithJsonSchema, field_validator, model_validator

from grader.bank.schema_base import (
    ID_PATTERN,
    ITEM_PATTERN,
    PARAM_NAME,
    REFERENCE_PATTERN,
    TOPIC_PATTERN,
    Choice,
    ComputedAnswer,
    FloatRange,
    Formula,
    IntRange,
    Key,
    OneOf,
    Parameters,
    ParameterSpec,
    QuestionBase,
    Rubric,
    Strict,
    _check_keys,
)
from grader.bank.schema_code import (
    FAILURE_KINDS,
    ArrayValue,
    Blank,
    Case,
    CodeBase,
    CodeBlankQuestion,
    CodeFunctionQuestion,
    Compare,
    ExprValue,
    FailureKind,
    FuncValue,
    MappingValue,
    Misconception,
    PropertyCheck,
    RandomValue,
    RefValue,
    SequenceValue,
    Step,
    Value,
)
from grader.bank.schema_numeric import ExpressionQuestion as ExpressionQuestion
from grader.bank.schema_numeric import (
    NumberExample,
    NumericPart,
    NumericPartsQuestion,
    NumericQuestion,
    PartsExample,
    ShapeExample,
    ShapeQuestion,
    Variable,
    WrongExpression,
    WrongNumber,
    WrongShape,
)

# --------------------------------------------------------------------------- choice


class ChoiceQuestion(QuestionBase):
    type: Literal["choice"]
    choices: list[Choice] = Field(min_length=2)
    answer: Annotated[
        list[Key],
        WithJsonSchema({"anyOf": [
            {"type": "string", "minLength": 1}, {"type": "integer"},
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}, "minItems": 1},
        ]}),
    ] = Field(min_length=1, description="Key of the right choice, or a list of keys when several are right.")  # fmt: skip
    shuffle: bool = Field(True, description="Shuffle the choices at display (keys stay stable).")

    _keys = field_validator("choices")(_check_keys)

    @field_validator("answer", mode="before")
    @classmethod
    def _one_key(cls, value: Any) -> Any:
        return [value] if isinstance(value, (str, int)) else value

    @field_validator("answer")
    @classmethod
    def _answer_in_choices(cls, answer: list[str], info: ValidationInfo) -> list[str]:
        keys = [c.key for c in info.data.get("choices", [])]
        missing = [a for a in answer if a not in keys]
        if keys and missing:
            raise ValueError(f"{', '.join(map(repr, missing))} is not a choice key (the keys are {', '.join(keys)}): give the key of the right choice")
        if len(set(answer)) != len(answer):
            raise ValueError("lists a key twice")
        return answer

    @property
    def exam_style(self) -> bool:
        return True


# --------------------------------------------------------------------------- matching


class Item(Strict):
    key: Key = Field(min_length=1)
    text: str = Field(min_length=1)


class MatchingQuestion(QuestionBase):
    type: Literal["matching"]
    left: list[Item] = Field(min_length=2)
    right: list[Item] = Field(min_length=2, description="May hold more items than left (distractors).")
    pairs: dict[Key, Key] = Field(description="Left key → right key.")

    @model_validator(mode="after")
    def _pairs_complete(self) -> MatchingQuestion:
        lk = {i.key for i in self.left}
        rk = {i.key for i in self.right}
        if set(self.pairs) != lk:
            raise ValueError(f"pairs must give exactly one right key for each left key {sorted(lk)}")
        bad = sorted({v for v in self.pairs.values() if v not in rk})
        if bad:
            raise ValueError(f"pairs name unknown right key(s) {bad}")
        return self


# --------------------------------------------------------------------------- self-graded


class SelfGradedQuestion(QuestionBase):
    type: Literal["self_graded"]
    model_answer: str = Field(min_length=1)
    rubric: list[Rubric] = Field(min_length=1)


Question = Annotated[
    ChoiceQuestion
    | NumericQuestion
    | NumericPartsQuestion
    | ShapeQuestion
    | ExpressionQuestion
    | MatchingQuestion
    | CodeBlankQuestion
    | CodeFunctionQuestion
    | SelfGradedQuestion,
    Field(discriminator="type"),
]
CodeQuestion = CodeBlankQuestion | CodeFunctionQuestion
QUESTION_MODELS: dict[str, type[QuestionBase]] = {
    "choice": ChoiceQuestion,
    "numeric": NumericQuestion,
    "numeric_parts": NumericPartsQuestion,
    "shape": ShapeQuestion,
    "expression": ExpressionQuestion,
    "matching": MatchingQuestion,
    "code_blank": CodeBlankQuestion,
    "code_function": CodeFunctionQuestion,
    "self_graded": SelfGradedQuestion,
}
QUESTION_TYPES = tuple(QUESTION_MODELS)

__all__ = [
    "ArrayValue",
    "Blank",
    "Case",
    "Choice",
    "ChoiceQuestion",
    "CodeBase",
    "CodeBlankQuestion",
    "CodeFunctionQuestion",
    "CodeQuestion",
    "Compare",
    "ComputedAnswer",
    "ExprValue",
    "ExpressionQuestion",
    "FAILURE_KINDS",
    "FailureKind",
    "FloatRange",
    "Formula",
    "FuncValue",
    "ID_PATTERN",
    "ITEM_PATTERN",
    "IntRange",
    "Item",
    "Key",
    "MappingValue",
    "MatchingQuestion",
    "Misconception",
    "NumberExample",
    "NumericPart",
    "NumericPartsQuestion",
    "NumericQuestion",
    "PartsExample",
    "ShapeExample",
    "OneOf",
    "PARAM_NAME",
    "ParameterSpec",
    "Parameters",
    "PropertyCheck",
    "QUESTION_MODELS",
    "QUESTION_TYPES",
    "Question",
    "QuestionBase",
    "REFERENCE_PATTERN",
    "RandomValue",
    "RefValue",
    "Rubric",
    "SelfGradedQuestion",
    "SequenceValue",
    "ShapeQuestion",
    "Step",
    "Strict",
    "TOPIC_PATTERN",
    "Value",
    "Variable",
    "WrongExpression",
    "WrongNumber",
    "WrongShape",
    "_check_keys",
]
