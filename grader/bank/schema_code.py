"""The code question types: values and test cases, misconceptions, and code_function / code_blank questions."""

from __future__ import annotations

import builtins
from typing import Annotated, Any, Literal, Union

from pydantic import BeforeValidator, Field, field_validator, model_validator

from grader.bank.schema_base import REFERENCE_PATTERN, Choice, Key, QuestionBase, Strict, _check_keys

# --------------------------------------------------------------------------- code: values and cases


class ArrayValue(Strict):
    """A literal array: ``{array: [[1, 2], [3, 4]], dtype: float64}``."""

    array: Any
    dtype: str = "float64"


Size = Annotated[int, Field(ge=0)]


class RandomValue(Strict):
    """A seeded random array. ``shape`` entries are sizes or names (formulas) of the case's ``dims``.

    ``uniform`` draws from [low, high); ``integers`` from low to high with **both ends included**;
    ``normal`` has mean 0 and standard deviation ``scale``; ``permutation`` shuffles 0 … shape[0]−1.
    The dtype is float64 unless ``dtype`` says otherwise (integers are cast to it too).
    """

    random: Literal["uniform", "normal", "integers", "permutation"]
    shape: list[Size | str] = Field(default_factory=list)
    low: float = -1.0
    high: float = Field(1.0, description="Upper bound: excluded for uniform, included for integers.")
    scale: float = 1.0
    dtype: str = Field("float64", description="NumPy dtype of the array (default float64, also for integers).")


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
# MappingValue and SequenceValue name `Value` before it exists; their validators are built on first use
# (defer_build), when the module holds it, so no explicit model_rebuild is needed.


def _literal(value: Any, where: str) -> None:
    """An expected value is written out: numbers, text, arrays, sequences and mappings of those."""
    if isinstance(value, (RandomValue, RefValue, FuncValue, ExprValue)):
        raise ValueError(f"`{where}` must be written out (a number, {{array: …}}, {{sequence: …}} or {{mapping: …}}), not {type(value).__name__}")
    if isinstance(value, SequenceValue):
        for item in value.sequence:
            _literal(item, where)
    if isinstance(value, MappingValue):
        for item in value.mapping.values():
            _literal(item, where)


def _drawn(value: Any) -> bool:
    if isinstance(value, RandomValue):
        return True
    if isinstance(value, SequenceValue):
        return any(_drawn(v) for v in value.sequence)
    if isinstance(value, MappingValue):
        return any(_drawn(v) for v in value.mapping.values())
    return False


class Step(Strict):
    """One call made on the learner's code and, identically, on the reference."""

    call: str | None = Field(None, description="Function name, class name, or 'obj.method' of a bound object.")
    get: str | None = Field(None, description="Read 'obj.attr' and compare it.")
    args: list[Value] = Field(default_factory=list)
    kwargs: dict[str, Value] = Field(default_factory=dict)
    bind: str | None = Field(None, description="Name the result (an object to call methods on later).")
    check: bool = Field(True, description="Compare the returned value with the reference's.")
    seed: int | None = Field(None, description="np.random.seed before the call (random code).")
    expect: Value = Field(None, description="The result worked out by hand (not null); validate checks the reference returns it.")

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        if (self.call is None) == (self.get is None):
            raise ValueError("a step has exactly one of `call` or `get`")
        if self.pinned:
            if not self.check:
                raise ValueError("`expect` on a step with `check: false`: the result of an unchecked step is not compared")
            _literal(self.expect, "expect")
        return self

    @property
    def pinned(self) -> bool:
        return self.expect is not None


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
    dims: dict[str, tuple[Size, Size] | Size] = Field(
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
    expect: Value = Field(None, description="The result of the `args` call worked out by hand; validate checks the reference returns it.")

    @model_validator(mode="after")
    def _calls(self) -> Case:
        if self.args is None and not self.steps:
            raise ValueError("a case needs `args` (one call of the entry) or `steps`")
        if self.args is not None and self.steps:
            raise ValueError("give either `args` or `steps`, not both")
        unknown = [m for m in self.modifies if m not in self.let]
        if unknown:
            raise ValueError(f"`modifies` names {unknown}, which are not in `let`")
        if self.expect is not None:
            if self.steps:
                raise ValueError("`expect` goes on the step whose result it gives, not on a case with `steps`")
            _literal(self.expect, "expect")
        if self.pinned:
            self._fixed_inputs()
        return self

    @builtins.property  # `property` is a field of a case
    def pinned(self) -> bool:
        """Whether the author wrote out an expected result (on the case or on a step)."""
        return self.expect is not None or any(s.pinned for s in self.steps)

    def _fixed_inputs(self) -> None:
        if self.dims or self.repeat > 1 or self.property is not None or any(_drawn(v) for v in self.let.values()):
            raise ValueError("a case with `expect` needs fixed inputs (no `random`, `dims`, `repeat` or `property`): its result is worked out by "
                             "hand once, for every seed")


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
