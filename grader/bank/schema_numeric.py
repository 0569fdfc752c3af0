"""The answer types a learner types without code: numbers (one, or several parts), shapes and expressions,
each with the wrong answers learners give and the answers an author worked out by hand."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from grader.bank.expression import ExpressionError, parse
from grader.bank.schema_base import ComputedAnswer, Formula, QuestionBase, Strict

ParameterValue = int | float | str
Size = Annotated[int, Field(ge=0)]


def _not_text(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(f"{value!r} is text: write the number unquoted (e.g. 0.25), or compute it with {{function: …}} or {{formula: …}}")
    return value


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a number a learner can give: write the number (finite)")
    return value


def _unique(names: list[str], what: str) -> None:
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"duplicate {what}: {', '.join(dup)}")


# --------------------------------------------------------------------------- wrong answers and worked examples


class WrongNumber(Strict):
    """A wrong answer learners give, and what it shows they did (validate proves it is graded wrong)."""

    answer: float | ComputedAnswer | Formula = Field(description="A number, a reference call, or a formula of the parameters.")
    says: str = Field(min_length=1, description="Feedback shown when a learner gives this answer, e.g. 'B(5+C) と数えていないか'.")

    _text = field_validator("answer", mode="before")(_not_text)
    _nan = field_validator("answer")(_finite)


class WrongShape(Strict):
    answer: list[Size | ComputedAnswer | Formula] | ComputedAnswer = Field(description="The wrong shape, e.g. [8, 8].")
    says: str = Field(min_length=1)


class WrongExpression(Strict):
    answer: str = Field(min_length=1, description="A wrong expression of the variables, e.g. '2*x'.")
    says: str = Field(min_length=1)


class NumberExample(Strict):
    """An answer worked out by hand: validate computes the answer for ``values`` and compares."""

    values: dict[str, ParameterValue] = Field(default_factory=dict, description="Every parameter's value (none for a question without parameters).")
    answer: float = Field(description="The right answer for these values, worked out by hand.")

    _text = field_validator("answer", mode="before")(_not_text)
    _nan = field_validator("answer")(_finite)


class ShapeExample(Strict):
    values: dict[str, ParameterValue] = Field(default_factory=dict)
    answer: list[Size] = Field(min_length=1, description="The right shape for these values, worked out by hand.")


class PartsExample(Strict):
    values: dict[str, ParameterValue] = Field(default_factory=dict)
    answer: dict[str, float] = Field(description="Part name → its right answer for these values, worked out by hand.")

    @field_validator("answer")
    @classmethod
    def _finite_parts(cls, value: dict[str, float]) -> dict[str, float]:
        for number in value.values():
            _finite(number)
        return value


# --------------------------------------------------------------------------- numeric


class Tolerance(Strict):
    abs_tol: float = Field(1e-9, ge=0, description="Absolute tolerance: |got − answer| ≤ max(abs_tol, rel_tol·|answer|).")
    rel_tol: float = Field(1e-6, ge=0, description="Relative tolerance.")
    unit: str = Field("", description="Shown after the number; a learner may type it too.")


class NumericQuestion(QuestionBase, Tolerance):
    type: Literal["numeric"]
    answer: float | ComputedAnswer | Formula = Field(description="The number, a reference call {function: …}, or a formula of the parameters.")
    wrong_answers: list[WrongNumber] = Field(
        default_factory=list, description="Wrong answers with their feedback; three or more also make the four-choice form."
    )
    worked_examples: list[NumberExample] = Field(default_factory=list, description="Answers worked out by hand, checked against the computed one.")

    _text = field_validator("answer", mode="before")(_not_text)
    _nan = field_validator("answer")(_finite)

    @property
    def exam_style(self) -> bool:
        return True


class NumericPart(Tolerance):
    """One number of a multi-part answer, graded on its own (with its own tolerance and wrong answers)."""

    name: str = Field(pattern=r"^[^\s=,;:、，；]+$", description="How the learner names the part when answering: a, conv1, あ …")
    label: str = Field("", description="What the part asks, shown in the list of parts, e.g. '1 つ目の畳み込みのパラメータ数'.")
    answer: float | ComputedAnswer | Formula
    weight: float = Field(1.0, gt=0, description="Share of the question's points.")
    wrong_answers: list[WrongNumber] = Field(default_factory=list)

    _text = field_validator("answer", mode="before")(_not_text)
    _nan = field_validator("answer")(_finite)


class NumericPartsQuestion(QuestionBase):
    """Several numbers in one question (e.g. the parameters of two layers and their ratio), each part graded on its
    own: the score is the weighted share of the parts answered right."""

    type: Literal["numeric_parts"]
    parts: list[NumericPart] = Field(min_length=2, description="The numbers asked for, in the order the learner gives them.")
    worked_examples: list[PartsExample] = Field(default_factory=list)

    @field_validator("parts")
    @classmethod
    def _unique_parts(cls, parts: list[NumericPart]) -> list[NumericPart]:
        _unique([p.name for p in parts], "part name(s)")
        return parts

    @model_validator(mode="after")
    def _examples_name_parts(self) -> NumericPartsQuestion:
        names = [p.name for p in self.parts]
        for example in self.worked_examples:
            if sorted(example.answer) != sorted(names):
                raise ValueError(f"a worked example gives the parts {sorted(example.answer)}: give exactly {names}")
        return self

    @property
    def exam_style(self) -> bool:
        return True


# --------------------------------------------------------------------------- shape


class ShapeQuestion(QuestionBase):
    type: Literal["shape"]
    answer: list[Size | ComputedAnswer | Formula] | ComputedAnswer = Field(
        description="The tuple of integers, e.g. [7, 7]; each entry (or the whole) may be computed."
    )
    wrong_answers: list[WrongShape] = Field(default_factory=list, description="Wrong shapes with their feedback.")
    worked_examples: list[ShapeExample] = Field(default_factory=list, description="Shapes worked out by hand, checked against the computed one.")

    @field_validator("answer")
    @classmethod
    def _not_empty(cls, value: Any) -> Any:
        if isinstance(value, list) and not value:
            raise ValueError("is empty: write the shape, e.g. [7, 7]")
        return value

    @property
    def exam_style(self) -> bool:
        return True


# --------------------------------------------------------------------------- expression


class Variable(Strict):
    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    low: float = Field(-2.0, description="Answers are compared at random points in [low, high].")
    high: float = 2.0


def _names(info: ValidationInfo) -> list[str]:
    return [v.name if isinstance(v, Variable) else v for v in info.data.get("variables", [])]


def _parsable(text: str, names: list[str]) -> None:
    try:
        parse(text, names)
    except ExpressionError as exc:
        raise ValueError(f"{text!r} is not an expression of {', '.join(names)}: {exc}") from None


class ExpressionQuestion(QuestionBase):
    type: Literal["expression"]
    variables: list[Variable | str] = Field(min_length=1, description="Names allowed in answers.")
    answer: str = Field(min_length=1, description="A right answer; equivalence is checked at random points.")
    accepted_forms: list[str] = Field(default_factory=list, description="Other spellings shown as examples.")
    wrong_answers: list[WrongExpression] = Field(default_factory=list, description="Wrong expressions with their feedback.")

    @field_validator("answer", "accepted_forms")
    @classmethod
    def _parses(cls, value: str | list[str], info: ValidationInfo) -> str | list[str]:
        for text in [value] if isinstance(value, str) else value:
            _parsable(text, _names(info))
        return value

    @field_validator("wrong_answers")
    @classmethod
    def _wrong_parse(cls, value: list[WrongExpression], info: ValidationInfo) -> list[WrongExpression]:
        for wrong in value:
            _parsable(wrong.answer, _names(info))
        return value

    @property
    def variable_specs(self) -> list[Variable]:
        return [v if isinstance(v, Variable) else Variable(name=v) for v in self.variables]
