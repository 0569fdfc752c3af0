"""The building blocks of the question format: strict models, keys, parameters, and the fields every question has."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9_]+$"
TOPIC_PATTERN = r"^[1-5]-[1-9]$"
ITEM_PATTERN = r"^[1-5]-[1-9]-[1-9][0-9]?$"
REFERENCE_PATTERN = r"^reference(\.[A-Za-z_][A-Za-z0-9_]*)+:[A-Za-z_][A-Za-z0-9_]*$"
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _int_to_str(value: Any) -> Any:
    # Keys such as `1` or `2` are natural to write unquoted; they are still keys, not numbers.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


# A key may be written unquoted (1, 2, …): the JSON Schema says so, and the loader makes it text.
Key = Annotated[str, BeforeValidator(_int_to_str), WithJsonSchema({"anyOf": [{"type": "string", "minLength": 1}, {"type": "integer"}]})]


class Strict(BaseModel):
    """Base of every model: unknown keys are errors, and models are immutable.

    Validators are built on first use (``defer_build``): a warm start reads its questions from the
    cache without validating, and most commands touch few of the question types.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


# --------------------------------------------------------------------------- parameters


class IntRange(Strict):
    """An integer drawn uniformly from ``range: [low, high]`` (both ends included)."""

    range: tuple[int, int] = Field(description="Inclusive bounds [low, high].")
    step: int = Field(1, ge=1, description="Only every step-th value from low.")

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.range[0] > self.range[1]:
            raise ValueError("range must be [low, high] with low <= high")
        return self


class OneOf(Strict):
    """A value drawn uniformly from an explicit list."""

    choice: list[int | float | str] = Field(min_length=1, description="The values to draw from.")


class FloatRange(Strict):
    """A float drawn uniformly from ``uniform: [low, high]`` and rounded to ``digits`` decimals."""

    uniform: tuple[float, float]
    digits: int = Field(2, ge=0, le=8, description="Decimals kept, so prompts show short numbers.")


ParameterSpec = IntRange | OneOf | FloatRange


class ComputedAnswer(Strict):
    """An answer computed by a reference function from the drawn parameters."""

    function: str = Field(pattern=REFERENCE_PATTERN, description="e.g. reference.cnn:conv_output_size")
    args: dict[str, str] = Field(
        default_factory=dict,
        description="Keyword arguments: each value is an arithmetic expression of the parameters.",
    )


class Parameters(Strict):
    """Parameters drawn from a seeded generator for each attempt."""

    values: dict[str, ParameterSpec] = Field(description="Parameter name → how to draw it.")
    where: list[str] = Field(
        default_factory=list,
        description="Conditions every draw must satisfy, e.g. 'H + 2*P >= F' (redrawn otherwise).",
    )
    derived: dict[str, str] = Field(
        default_factory=dict, description="Extra names computed from the parameters, usable in the prompt."
    )

    @field_validator("values")
    @classmethod
    def _names(cls, values: dict[str, ParameterSpec]) -> dict[str, ParameterSpec]:
        for name in values:
            if not PARAM_NAME.match(name):
                raise ValueError(f"parameter name {name!r} must be a Python identifier")
        return values


# --------------------------------------------------------------------------- common fields


class Rubric(Strict):
    """One point of a self-graded model answer."""

    point: str = Field(description="What a complete answer must say.")
    weight: float = Field(1.0, gt=0)


class QuestionBase(Strict):
    """Fields shared by every question type."""

    id: str = Field(pattern=ID_PATTERN, description="Equals the file stem; unique in the bank.")
    topic: str = Field(pattern=TOPIC_PATTERN, description="E資格 syllabus sub-section such as '3-4' (the question's folder).")
    syllabus: list[Annotated[str, Field(pattern=ITEM_PATTERN)]] = Field(
        default_factory=list, description="Sub-items the question tests, e.g. ['2-1-12'] (the topic's own first)."
    )
    keywords: list[str] = Field(
        default_factory=list,
        description="Syllabus keywords of those sub-items that a learner must know to answer, e.g. [F値, 混同行列].",
    )
    tags: list[str] = Field(default_factory=list)
    difficulty: int = Field(ge=1, le=3, description="1 easy … 3 hard.")
    title: str = Field("", description="A short name shown in lists.")
    prompt: str = Field(min_length=1, description="Markdown with $…$ LaTeX, in Japanese.")
    explanation: str = Field(min_length=1, description="解説 shown after every answer.")
    hints: list[str] = Field(default_factory=list, description="Ordered tiers, from a nudge to nearly the answer.")
    source: str = Field("original", description="Seed file and question (e.g. '001 確認テスト2'), or 'original'.")
    points: float = Field(1.0, gt=0)
    parameters: Parameters | None = None
    related: list[str] = Field(
        default_factory=list, description="Ids of questions on the same idea (e.g. a code_function's exam-style sibling)."
    )

    @field_validator("hints")
    @classmethod
    def _hints_not_blank(cls, hints: list[str]) -> list[str]:
        if any(not h.strip() for h in hints):
            raise ValueError("a hint is empty: write the hint or remove the line")
        return hints

    @field_validator("explanation", "prompt")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("must not be blank")
        return text

    @property
    def exam_style(self) -> bool:
        """Whether the question has a form the real exam uses: choices, code blanks with choices, or a
        computed number or shape. (The mock exam takes only the four-choice forms among these.)"""
        return False


# --------------------------------------------------------------------------- choice


class Choice(Strict):
    key: Key = Field(min_length=1, description="Stable key: the seed's own (1)…(4), (a)…(d), ア…")
    text: str = Field("", description="The choice as shown (Markdown).")
    parts: dict[str, str] = Field(
        default_factory=dict,
        description="For 組み合わせ questions: blank label (あ, い…) → its content in this combination.",
    )
    why: str = Field("", description="Why this choice is wrong (or right), shown after answering.")

    @model_validator(mode="after")
    def _has_content(self) -> Choice:
        if not self.text.strip() and not self.parts:
            raise ValueError("a choice needs `text` or `parts`")
        return self


def _check_keys(choices: list[Choice]) -> list[Choice]:
    keys = [c.key for c in choices]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError(f"duplicate choice key(s): {', '.join(dup)}")
    return choices


class Formula(Strict):
    """An arithmetic expression of the parameters, e.g. ``{formula: "B * (5 + C)"}``."""

    formula: str = Field(min_length=1)
