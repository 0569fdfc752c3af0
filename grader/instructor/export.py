"""Exports of the bank for other tools: an Anki package, and JSON with parameters resolved.

Anki (:func:`write_anki`): one note per question that a card can hold (choice, numeric, shape,
expression, matching, self-graded, and code blanks answered by choice keys), the prompt with its
choices on the front, the answer and the 解説 on the back. Note GUIDs come from the question ids, and
the note type and deck ids are fixed, so importing a newer export updates the notes in place instead
of duplicating them. Markdown becomes HTML and ``$…$`` / ``$$…$$`` become MathJax ``\\(…\\)`` / ``\\[…\\]``,
which Anki renders.

JSON (:func:`bank_json`): every question's fields as validated, plus for parameterised or computed
questions the prompt, 解説, hints and answer resolved for one seed.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from grader.bank.loader import Bank
from grader.bank.params import Attempt, ParameterError, attempt
from grader.bank.schema import (
    ChoiceQuestion,
    CodeBlankQuestion,
    ComputedAnswer,
    ExpressionQuestion,
    MatchingQuestion,
    NumericQuestion,
    Question,
    SelfGradedQuestion,
    ShapeQuestion,
)

JSON_FORMAT = "eshikaku-bank/1"
DECK_NAME = "E資格 (eshikaku)"
MODEL_NAME = "eshikaku E資格"
ANKI_TYPES = ("choice", "numeric", "shape", "expression", "matching", "self_graded", "code_blank")
GUID_SALT = "eshikaku"


class ExportError(ValueError):
    """The export cannot be written as asked."""


def _stable_id(name: str) -> int:
    """A fixed 48-bit id for a deck or note type name (Anki matches them by id on re-import)."""
    return (1 << 40) + int.from_bytes(hashlib.sha256(name.encode()).digest()[:5], "big")


# --------------------------------------------------------------------------- Markdown + LaTeX → HTML

_SEGMENTS = re.compile(r"(```.*?```|`[^`\n]*`)|\$\$(.+?)\$\$|\$([^$\n]+?)\$", re.S)
_PLACEHOLDER = re.compile(r"ESHKMATH(\d+)X")
_md: Any = None


def _markdown() -> Any:
    global _md
    if _md is None:
        from markdown_it import MarkdownIt

        _md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")
    return _md


def md_html(text: str) -> str:
    """Markdown with ``$…$`` LaTeX → HTML with MathJax delimiters; raw HTML in the text is escaped."""
    maths: list[str] = []

    def keep(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return m.group(0)  # code: its dollars are not math
        display = m.group(2) is not None
        body = html.escape(m.group(2) if display else m.group(3), quote=False)
        maths.append(f"\\[{body}\\]" if display else f"\\({body}\\)")
        return f"ESHKMATH{len(maths) - 1}X"

    rendered = _markdown().render(_SEGMENTS.sub(keep, text.strip()))
    return _PLACEHOLDER.sub(lambda m: maths[int(m.group(1))], rendered).strip()


def _code_html(code: str) -> str:
    return f'<pre class="code"><code>{html.escape(code.rstrip())}</code></pre>'


def _list_html(items: Iterable[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    return f"<{tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>"


def _inline(text: str) -> str:
    """Markdown of one item without the surrounding paragraph."""
    out = md_html(text)
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


# --------------------------------------------------------------------------- one card


def anki_eligible(question: Question) -> bool:
    if isinstance(question, CodeBlankQuestion):
        return question.exam_style  # every blank has choices: a four-choice card
    return question.type in ANKI_TYPES


def _choice_text(choice: Any) -> str:
    if choice.text:
        return _inline(choice.text)
    return "、".join(f"{html.escape(k)}: {_inline(v)}" for k, v in choice.parts.items())


def card_html(current: Attempt) -> tuple[str, str]:
    """(front, back) HTML of one question."""
    from grader.bank.syllabus import topic_name
    from grader.grading.answers import blank_expected
    from grader.grading.render import TYPE_LABELS

    q = current.question
    head = f'<div class="meta">{html.escape(q.topic)} {html.escape(topic_name(q.topic))} · {TYPE_LABELS.get(q.type, q.type)} · {"★" * q.difficulty}</div>'
    title = f'<div class="title">{html.escape(q.title)}</div>' if q.title else ""
    front = [head, title, f'<div class="prompt">{md_html(current.prompt)}</div>']
    answer = ""
    notes: list[str] = []
    if isinstance(q, ChoiceQuestion):
        front.append(_list_html(f"<b>({html.escape(c.key)})</b> {_choice_text(c)}" for c in q.choices))
        by_key = {c.key: c for c in q.choices}
        answer = "、".join(f"<b>({html.escape(k)})</b> {_choice_text(by_key[k])}" for k in q.answer)
        notes = [f"<b>({html.escape(c.key)})</b> {_inline(c.why)}" for c in q.choices if c.why]
    elif isinstance(q, NumericQuestion):
        value = current.answer
        shown = f"{value:.12g}" if isinstance(value, float) else str(value)
        answer = html.escape(f"{shown}{q.unit}")
    elif isinstance(q, ShapeQuestion):
        answer = html.escape(" × ".join(str(a) for a in current.answer))
    elif isinstance(q, ExpressionQuestion):
        names = ", ".join(v.name for v in q.variable_specs)
        front.append(f'<div class="help">{html.escape(names)} の式で答える</div>')
        forms = [q.answer, *q.accepted_forms]
        answer = " / ".join(f"<code>{html.escape(f)}</code>" for f in forms)
    elif isinstance(q, MatchingQuestion):
        front.append('<div class="columns">' + _list_html(f"<b>{html.escape(i.key)}.</b> {_inline(i.text)}" for i in q.left)
                     + _list_html(f"<b>{html.escape(i.key)})</b> {_inline(i.text)}" for i in q.right) + "</div>")  # fmt: skip
        right = {i.key: i.text for i in q.right}
        answer = _list_html(f"<b>{html.escape(k)}</b> → <b>{html.escape(v)})</b> {_inline(right[v])}" for k, v in q.pairs.items())
    elif isinstance(q, SelfGradedQuestion):
        answer = md_html(q.model_answer)
        notes = [_inline(r.point) for r in q.rubric]
    elif isinstance(q, CodeBlankQuestion):
        front.append(_code_html(q.template))
        for blank in q.blanks:
            front.append(f"<div><b>[{html.escape(blank.name)}]</b></div>" + _list_html(f"<b>({html.escape(c.key)})</b> "
                f"<code>{html.escape(c.text)}</code>" for c in blank.choices))
        answer = html.escape(blank_expected(q))
        notes = [f"<b>[{html.escape(b.name)}] ({html.escape(c.key)})</b> {_inline(c.why)}" for b in q.blanks for c in b.choices if c.why]
    back = [f'<div class="answer"><b>正解:</b> {answer}</div>']
    if notes:
        label = "採点ポイント" if isinstance(q, SelfGradedQuestion) else "各選択肢"
        back.append(f'<div class="notes"><b>{label}:</b>{_list_html(notes, ordered=isinstance(q, SelfGradedQuestion))}</div>')
    back.append(f'<div class="explanation"><b>解説:</b>{md_html(current.explanation)}</div>')
    if current.seed is not None and q.parameters is not None:
        back.append(f'<div class="meta">数値は seed {current.seed} の一例 (eshikaku show {html.escape(q.id)} --seed {current.seed})</div>')
    return "".join(front), "".join(back)


# --------------------------------------------------------------------------- the package

CSS = """
.card { font-family: "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic", sans-serif; font-size: 18px; text-align: left; color: #222; background: #fff; }
.meta { color: #777; font-size: 13px; margin-bottom: 4px; }
.title { font-weight: bold; margin-bottom: 8px; }
.answer { margin: 8px 0; }
.notes, .explanation { margin-top: 10px; }
pre.code { background: #f4f4f4; padding: 8px; overflow-x: auto; font-size: 15px; }
code { font-family: Menlo, Consolas, monospace; }
table { border-collapse: collapse; } td, th { border: 1px solid #aaa; padding: 2px 6px; }
.columns { display: flex; gap: 24px; }
.nightMode .card, .night_mode .card { color: #eee; background: #222; } .nightMode pre.code { background: #333; }
"""


def _model() -> Any:
    import genanki

    return genanki.Model(
        _stable_id(MODEL_NAME),
        MODEL_NAME,
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Id"}, {"name": "Topic"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": '{{FrontSide}}<hr id="answer">{{Back}}'}],
        css=CSS,
        sort_field_index=2,
    )


def _tag(text: str) -> str:
    return re.sub(r"\s+", "_", text.strip())


def anki_notes(questions: Iterable[Question], seed: int) -> list[tuple[Question, str, str]]:
    """(question, front, back) for each question a card can hold, in the order given.

    Raises:
        ExportError: A question's parameters or computed answer fail (a bank error).
    """
    out = []
    for q in questions:
        if not anki_eligible(q):
            continue
        try:
            current = attempt(q, seed)
        except ParameterError as exc:
            raise ExportError(f"bank error in {q.id}: {exc}") from None
        front, back = card_html(current)
        out.append((q, front, back))
    return out


def write_anki(questions: Iterable[Question], path: Path, seed: int = 1) -> int:
    """Writes an .apkg with one note (one card) per eligible question; returns the number of notes."""
    import genanki

    from grader.bank.syllabus import topic_name

    model = _model()
    decks: dict[str, Any] = {}
    count = 0
    for q, front, back in anki_notes(questions, seed):
        name = f"{DECK_NAME}::{q.topic} {topic_name(q.topic)}"
        deck = decks.get(name)
        if deck is None:
            deck = decks[name] = genanki.Deck(_stable_id(name), name)
        tags = ["eshikaku", f"eshikaku::{q.type}", f"topic::{q.topic}", *(_tag(t) for t in q.tags if t.strip())]
        deck.add_note(genanki.Note(model=model, fields=[front, back, q.id, q.topic], guid=genanki.guid_for(GUID_SALT, q.id), tags=tags))
        count += 1
    if not count:
        raise ExportError("no question can be a card here (code_function questions need `eshikaku submit`)")
    path.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(list(decks.values())).write_to_file(str(path))
    return count


# --------------------------------------------------------------------------- JSON


def _has_computed(question: Question) -> bool:
    answer = getattr(question, "answer", None)
    return isinstance(answer, ComputedAnswer) or (isinstance(answer, list) and any(isinstance(a, ComputedAnswer) for a in answer))


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def question_json(bank: Bank, question: Question, seed: int) -> tuple[dict[str, Any], str | None]:
    """A question's fields, where it lives, and (parameterised or computed) its version for ``seed``;
    the second item is the bank error met while resolving it, if any."""
    data = type(question).model_validate(question.model_dump()).model_dump(mode="json")  # every field, defaults included
    path = bank.paths.get(question.id)
    root = next((r for r in bank.roots if path is not None and path.is_relative_to(r)), None)
    data["path"] = str(path.relative_to(root)) if path is not None and root is not None else (str(path) if path else None)
    data["resolved"] = None
    if question.parameters is None and not _has_computed(question):
        return data, None
    try:
        current = attempt(question, seed)
    except (ParameterError, ArithmeticError, ValueError, TypeError) as exc:
        data["resolved"] = {"seed": seed, "error": str(exc)}
        return data, f"{question.id}: {exc}"
    data["resolved"] = {
        "seed": current.seed,
        "values": _plain(current.values),
        "prompt": current.prompt,
        "explanation": current.explanation,
        "hints": list(current.hints),
        "answer": _plain(current.answer),
    }
    return data, None


def bank_json(bank: Bank, questions: list[Question], seed: int) -> tuple[dict[str, Any], list[str]]:
    """The whole export document, and the bank errors met while resolving parameters."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        eshikaku_version = version("eshikaku")
    except PackageNotFoundError:  # pragma: no cover
        eshikaku_version = "unknown"
    items, problems = [], []
    for q in questions:
        data, problem = question_json(bank, q, seed)
        items.append(data)
        if problem:
            problems.append(problem)
    document = {"format": JSON_FORMAT, "eshikaku_version": eshikaku_version, "seed": seed, "count": len(items), "questions": items}
    return document, problems
