"""The question format: strict pydantic models, one per question type.

Every question file is one YAML mapping validated by :data:`Question`, a union discriminated by
``type``. Unknown keys are errors (``extra="forbid"``) so that a typo never silently drops a field.
The JSON Schema shown by ``eshikaku schema`` is generated from these models.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

ID_PATTERN = r"^[a-z0-9_]+$"
TOPIC_PATTERN = r"^[1-5]-[1-9]$"
ITEM_PATTERN = r"^[1-5]-[1-9]-[1-9][0-9]?$"
REFERENCE_PATTERN = r"^reference(\.[A-Za-z_][A-Za-z0-9_]*)+:[A-Za-z_][A-Za-z0-9_]*$"
PARAM_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _int_to_str(value: Any) -> Any:
    # Keys such as `1` or `2` are natural to write unquoted; they are still keys, not numbers.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Key = Annotated[str, BeforeValidator(_int_to_str)]


class Strict(BaseModel):
    """Base of every model: unknown keys are errors, and models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


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


class ChoiceQuestion(QuestionBase):
    type: Literal["choice"]
    choices: list[Choice] = Field(min_length=2)
    answer: list[Key] = Field(min_length=1, description="Key(s) of the right choice(s).")
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


class Formula(Strict):
    """An arithmetic expression of the parameters, e.g. ``{formula: "B * (5 + C)"}``."""

    formula: str = Field(min_length=1)


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


# --------------------------------------------------------------------------- code: values and cases


class ArrayValue(Strict):
    """A literal array: ``{array: [[1, 2], [3, 4]], dtype: float64}``."""

    array: Any
    dtype: str = "float64"


class RandomValue(Strict):
    """A seeded random array; dims may be numbers or names of the case's ``dims``."""

    random: Literal["uniform", "normal", "integers", "permutation"]
    shape: list[int | str] = Field(default_factory=list)
    low: float = -1.0
    high: float = 1.0
    scale: float = 1.0
    dtype: str = "float64"


class MappingValue(Strict):
    """A dict of values, e.g. an optimizer's ``params``: ``{mapping: {W: …, b: …}}``."""

    mapping: dict[str, Value]


class SequenceValue(Strict):
    """A list of values: ``{sequence: [...]}``."""

    sequence: list[Value]


class RefValue(Strict):
    """The value bound to a name earlier in the case (``let`` or a step's ``as``)."""

    ref: str


class FuncValue(Strict):
    """A function defined in the question's ``prelude``, passed as an argument (``{func: f}``)."""

    func: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")


class ExprValue(Strict):
    """An arithmetic expression of the case's dims and lets, e.g. ``{expr: "N * 2"}``."""

    expr: str


Value = Union[  # noqa: UP007 - holds forward references, which `|` cannot
    bool, int, float, str, None, ArrayValue, RandomValue, MappingValue, SequenceValue, RefValue, FuncValue, ExprValue
]
MappingValue.model_rebuild()
SequenceValue.model_rebuild()


class Step(Strict):
    """One call made on the learner's code and, identically, on the reference."""

    call: str | None = Field(None, description="Function name, class name, or 'obj.method' of a bound object.")
    get: str | None = Field(None, description="Read 'obj.attr' and compare it.")
    args: list[Value] = Field(default_factory=list)
    kwargs: dict[str, Value] = Field(default_factory=dict)
    bind: str | None = Field(None, description="Name the result (an object to call methods on later).")
    check: bool = Field(True, description="Compare the returned value with the reference's.")
    seed: int | None = Field(None, description="np.random.seed before the call (random code).")

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        if (self.call is None) == (self.get is None):
            raise ValueError("a step has exactly one of `call` or `get`")
        return self


class Compare(Strict):
    rtol: float = Field(1e-6, ge=0)
    atol: float = Field(1e-9, ge=0)
    dtype: Literal["kind", "exact", "any"] = Field(
        "kind", description="kind: float vs int must match; exact: float32 must stay float32."
    )


class PropertyCheck(Strict):
    """For code whose output is random: a checker in reference/ judges the outputs of many seeded runs."""

    checker: str = Field(pattern=REFERENCE_PATTERN)
    runs: int = Field(100, ge=1, le=5000)
    params: dict[str, Any] = Field(default_factory=dict)


FailureKind = Literal["exception", "type", "shape", "dtype", "nonfinite", "value", "mutation", "property", "stopped"]
FAILURE_KINDS: tuple[str, ...] = FailureKind.__args__  # type: ignore[attr-defined]


def _diagnosis_by_kind(value: Any) -> Any:
    if isinstance(value, str):
        raise ValueError(
            "say which failure this diagnosis explains, e.g. diagnosis: {value: '…'} "
            f"(kinds: {', '.join(FAILURE_KINDS)}): it is shown only when the case fails that way"
        )
    return value


class Case(Strict):
    """A test case: inputs built from a seed, a list of calls, and what must hold."""

    name: str = Field(pattern=r"^[a-z0-9_]+$")
    hidden: bool = Field(True, description="Hidden cases never show their inputs.")
    weight: float = Field(1.0, gt=0)
    repeat: int = Field(1, ge=1, le=50, description="Number of seeded random instances of this case.")
    dims: dict[str, tuple[int, int] | int] = Field(
        default_factory=dict, description="Named sizes drawn per instance: N: [1, 8]."
    )
    let: dict[str, Value] = Field(default_factory=dict, description="Named input values.")
    args: list[Value] | None = Field(None, description="Shorthand for one call of the entry.")
    kwargs: dict[str, Value] = Field(default_factory=dict)
    steps: list[Step] = Field(default_factory=list)
    modifies: list[str] = Field(
        default_factory=list, description="`let` names the code must modify in place; all others must stay unchanged."
    )
    compare: Compare | None = None
    property: PropertyCheck | None = None
    warnings_as_errors: bool = Field(False, description="Run under warnings.simplefilter('error').")
    diagnosis: Annotated[dict[FailureKind, str], BeforeValidator(_diagnosis_by_kind)] = Field(
        default_factory=dict,
        description="Failure kind → what failing this case that way usually means (shown only for that kind of failure).",
    )

    @model_validator(mode="after")
    def _calls(self) -> Case:
        if self.args is None and not self.steps:
            raise ValueError("a case needs `args` (one call of the entry) or `steps`")
        if self.args is not None and self.steps:
            raise ValueError("give either `args` or `steps`, not both")
        unknown = [m for m in self.modifies if m not in self.let]
        if unknown:
            raise ValueError(f"`modifies` names {unknown}, which are not in `let`")
        return self


class Misconception(Strict):
    """A known wrong way to solve the question, written as code.

    When a submission fails, the grader runs each misconception on the failing cases (in the trusted
    process); if the submission's results match one, the feedback names it. ``validate`` proves each
    one fails a case, so it is distinguishable from the reference.
    """

    name: str = Field(pattern=r"^[a-z0-9_]+$", description="A short id, e.g. global_max.")
    says: str = Field(min_length=1, description="One sentence naming the defect, e.g. '配列全体の最大値を引いている'.")
    code: str = Field("", description="code_function: a complete wrong submission defining the entry.")
    blanks: dict[str, str] = Field(default_factory=dict, description="code_blank: blank name → wrong code (other blanks right).")

    @model_validator(mode="after")
    def _one_form(self) -> Misconception:
        if bool(self.code.strip()) == bool(self.blanks):
            raise ValueError("a misconception gives either `code` (a whole wrong submission) or `blanks` (wrong code per blank)")
        return self


class CodeBase(QuestionBase):
    template: str = Field(min_length=1, description="The code the learner starts from.")
    entry: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="The function or class the code defines.")
    reference: str = Field(pattern=REFERENCE_PATTERN, description="reference.<module>:<name>")
    prelude: str = Field("", description="Trusted code run before the learner's (helpers the template uses).")
    compare: Compare = Field(default_factory=Compare)
    cases: list[Case] = Field(min_length=1)
    time_limit: float = Field(2.0, gt=0, le=30, description="CPU seconds for all cases together.")
    misconceptions: list[Misconception] = Field(
        default_factory=list, description="Known wrong implementations, each with the sentence that names its defect."
    )

    @field_validator("cases")
    @classmethod
    def _unique_names(cls, cases: list[Case]) -> list[Case]:
        names = [c.name for c in cases]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate case name(s): {', '.join(dup)}")
        return cases

    @field_validator("misconceptions")
    @classmethod
    def _unique_misconceptions(cls, items: list[Misconception]) -> list[Misconception]:
        names = [m.name for m in items]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"duplicate misconception name(s): {', '.join(dup)}")
        return items


class Blank(Strict):
    name: str = Field(min_length=1, description="あ, え, ■ …")
    marker: str = Field("", description="Text replaced in the template; default '(name)' (or the name for ■ ▲).")
    choices: list[Choice] = Field(default_factory=list, description="Exam-style options for this blank.")
    answer: Key | None = Field(None, description="Key of the right choice.")
    solution: str = Field("", description="Right code for this blank (default: the answer choice's text).")

    _keys = field_validator("choices")(_check_keys)

    @property
    def token(self) -> str:
        if self.marker:
            return self.marker
        return self.name if len(self.name) == 1 and not self.name.isalnum() else f"({self.name})"

    @property
    def right_code(self) -> str:
        if self.solution:
            return self.solution
        return next(c.text for c in self.choices if c.key == self.answer)

    @model_validator(mode="after")
    def _answer(self) -> Blank:
        if self.choices and self.answer is None:
            raise ValueError("a blank with choices needs `answer`")
        if self.answer is not None and self.answer not in {c.key for c in self.choices}:
            raise ValueError(f"answer {self.answer!r} is not one of this blank's choice keys")
        if not self.choices and not self.solution:
            raise ValueError("a blank needs `choices` with an `answer`, or a `solution`")
        return self


class CodeBlankQuestion(CodeBase):
    type: Literal["code_blank"]
    template: str = Field(min_length=1, description="Code with the blanks' markers.")
    blanks: list[Blank] = Field(min_length=1)

    @model_validator(mode="after")
    def _markers_present(self) -> CodeBlankQuestion:
        for blank in self.blanks:
            if blank.token not in self.template:
                raise ValueError(f"blank {blank.name!r}: marker {blank.token!r} does not occur in `template`")
        return self

    @property
    def exam_style(self) -> bool:
        return all(b.choices for b in self.blanks)


class CodeFunctionQuestion(CodeBase):
    type: Literal["code_function"]
    template: str = Field(min_length=1, description="Starter code: the signature and docstring.")
    solution: str = Field("", description="A complete model solution (validate proves it passes); shown after the attempt.")
    solution_note: str = Field("", description="Shown after grading: the key idea of the solution.")


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
