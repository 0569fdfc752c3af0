"""pydantic's validation errors turned into :class:`BankError` lines that name the field and the fix."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from grader.bank.positions import BankError, Loc, YamlBuilder, dotted
from grader.bank.schema import QUESTION_MODELS, QUESTION_TYPES

_FRIENDLY = {
    "missing": "missing required key `{name}`: add it",
    "extra_forbidden": "unknown key `{name}`: remove it or fix its spelling{allowed}",
    "union_tag_invalid": "unknown type {input!r}: use one of " + ", ".join(QUESTION_TYPES),
    "union_tag_not_found": "missing required key `type`: use one of " + ", ".join(QUESTION_TYPES),
    "string_pattern_mismatch": "{input!r} does not match the pattern {pattern}",
    "string_too_short": "is empty: write it",
    "too_short": "is empty: give at least one entry",
}
_VALUE_MEMBERS = {
    "bool", "int", "float", "str", "none", "ArrayValue", "RandomValue", "MappingValue",
    "SequenceValue", "RefValue", "FuncValue", "ExprValue", "IntRange", "OneOf", "FloatRange", "ComputedAnswer",
    "Variable", "list[int]", "list[str]", "tuple[int, int]",
}  # fmt: skip
_VALUE_HELP = {
    "args": "a number, text, or one of {array: …}, {random: …}, {mapping: …}, {sequence: …}, {ref: …}, {func: …}, {expr: …}",
    "values": "one of {range: [low, high]}, {choice: [...]}, {uniform: [low, high]}",
}


def _is_member(part: str | int) -> bool:
    return isinstance(part, str) and (part in _VALUE_MEMBERS or "[" in part or "function-" in part)


def _union_prefix(loc: Loc) -> Loc | None:
    """The location of the outermost union value in ``loc`` (pydantic names each member tried), if any."""
    for i, part in enumerate(loc):
        if _is_member(part):
            return loc[:i]
    return None


def _allowed_keys(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("type"), str) and data["type"] in QUESTION_MODELS:
        fields = sorted(QUESTION_MODELS[data["type"]].model_fields)
        return f" (keys of a {data['type']} question: {', '.join(fields)})"
    return ""


def validation_errors(exc: ValidationError, data: Any, builder: YamlBuilder) -> list[BankError]:
    out: list[BankError] = []
    seen: set[tuple[str, int, int]] = set()
    for err in exc.errors():
        loc: Loc = tuple(err["loc"])
        if loc and isinstance(data, dict) and loc[0] == data.get("type"):
            loc = loc[1:]  # the discriminated union repeats the tag
        kind = err["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found") and not loc:
            loc = ("type",)  # pydantic reports a bad `type` on the whole mapping: point at the `type` value
        union = _union_prefix(loc)
        if union is not None:
            # Every member of a union reports its own complaint; one message about the value helps more.
            loc, kind = union, "union"
        name = str(loc[-1]) if loc else ""
        if kind == "missing":
            line, col = builder.position(loc[:-1])
        elif kind == "extra_forbidden" and (loc + ("<key>",)) in builder.at:
            line, col = builder.position(loc + ("<key>",))
        else:
            line, col = builder.position(loc)
        if kind == "union":
            what = _VALUE_HELP["values"] if "values" in loc else _VALUE_HELP["args"]
            message = f"not a valid value: write {what}"
        elif kind == "string_pattern_mismatch" and err.get("input") == "":
            message = _FRIENDLY["string_too_short"]
        elif kind in _FRIENDLY:
            allowed = _allowed_keys(data) if len(loc) == 1 else ""
            message = _FRIENDLY[kind].format(
                name=name,
                input=data.get("type") if kind == "union_tag_invalid" else err.get("input"),
                allowed=allowed,
                pattern=(err.get("ctx") or {}).get("pattern", ""),
            )
        else:
            message = err["msg"].removeprefix("Value error, ")
        field_path = dotted(loc[:-1] if kind == "extra_forbidden" else loc)
        key = (field_path, line, col) if kind == "union" else (message, line, col)
        if key in seen:
            continue
        seen.add(key)
        out.append(BankError(builder.path, line, col, field_path, message))
    return out


