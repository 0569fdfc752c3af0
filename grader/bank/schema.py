"""The question format: strict pydantic models, one per question type.

Every question file is one YAML mapping validated by :data:`Question`, a union discriminated by
``type``. Unknown keys are errors (``extra="forbid"``) so that a typo never silently drops a field.
The JSON Schema shown by ``eshikaku schema`` is generated from these models.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, WithJsonSchema, field_validator, model_validator

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

    @model_validator(mode="after")
    def _answer_in_choices(self) -> ChoiceQuestion:
        keys = {c.key for c in self.choices}
        missing = [a for a in self.answer if a not in keys]
        if missing:
            raise ValueError(f"answer {missing} is not a choice key (keys: {', '.join(sorted(keys))})")
        return self

    @property
    def exam_style(self) -> bool:
        return True


# --------------------------------------------------------------------------- numeric, shape, expression


class WrongNumber(Strict):
    """A wrong answer learners give, and what it shows they did (validate proves it is graded wrong)."""

    answer: float | ComputedAnswer | Formula = Field(description="A number, a reference call, or a formula of the parameters.")
    says: str = Field(min_length=1, description="Feedback shown when a learner gives this answer, e.g. 'B(5+C) と数えていないか'.")

    @field_validator("answer", mode="before")
    @classmethod
    def _not_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(f"{value!r} is text: write the number unquoted, or {{formula: {value!r}}} for a formula of the parameters")
        return value


class WrongShape(Strict):
    answer: list[int | ComputedAnswer | Formula] | ComputedAnswer = Field(description="The wrong shape, e.g. [8, 8].")
    says: str = Field(min_length=1)


class WrongExpression(Strict):
    answer: str = Field(min_length=1, description="A wrong expression of the variables, e.g. '2*x'.")
    says: str = Field(min_length=1)


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    answer: float | ComputedAnswer
    wrong_answers: list[WrongNumber] = Field(
        default_factory=list, description="Wrong answers with their feedback; three or more also make the four-choice form."
    )

    @field_validator("answer", mode="before")
    @classmethod
    def _not_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError(f"{value!r} is text: write the number unquoted (e.g. 0.25), or compute it with `function:`")
        return value
    abs_tol: float = Field(1e-9, ge=0, description="Absolute tolerance.")
    rel_tol: float = Field(1e-6, ge=0, description="Relative tolerance.")
    unit: str = ""

    @property
    def exam_style(self) -> bool:
        return True


class ShapeQuestion(QuestionBase):
    type: Literal["shape"]
    answer: list[int | ComputedAnswer | Formula] | ComputedAnswer = Field(
        description="The tuple of integers, e.g. [7, 7]; each entry (or the whole) may be computed."
    )
    wrong_answers: list[WrongShape] = Field(default_factory=list, description="Wrong shapes with their feedback.")

    @property
    def exam_style(self) -> bool:
        return True


class Variable(Strict):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    low: float = -2.0
    high: float = 2.0


class ExpressionQuestion(QuestionBase):
    type: Literal["expression"]
    variables: list[Variable | str] = Field(min_length=1, description="Names allowed in answers.")
    answer: str = Field(description="A right answer; equivalence is checked at random points.")
    accepted_forms: list[str] = Field(default_factory=list, description="Other spellings shown as examples.")
    wrong_answers: list[WrongExpression] = Field(default_factory=list, description="Wrong expressions with their feedback.")

    @property
    def variable_specs(self) -> list[Variable]:
        return [v if isinstance(v, Variable) else Variable(name=v) for v in self.variables]


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
    "NumericQuestion",
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
