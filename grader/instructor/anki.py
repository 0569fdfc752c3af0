"""The Anki export: one note per question that a card can hold (choice, numeric, numeric_parts, shape,
expression, matching, self-graded, and code blanks answered by choice keys), the prompt with its choices on
the front, the answer and the 解説 on the back.

Note GUIDs come from the question ids, and the note type and deck ids are fixed, so importing a newer
export updates the notes in place instead of duplicating them; a note whose content did not change keeps
its id and modification time (read back from the earlier package), so the import touches only the notes
that changed. Each note's checksum is filled as Anki computes it.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.bank.params import Attempt, ParameterError, attempt
from grader.bank.schema import (
    ChoiceQuestion,
    CodeBlankQuestion,
    ExpressionQuestion,
    MatchingQuestion,
    NumericPartsQuestion,
    NumericQuestion,
    Question,
    SelfGradedQuestion,
    ShapeQuestion,
)
from grader.errors import UsageError
from grader.instructor.export_html import code_html, inline_html, list_html, md_html

DECK_NAME = "E資格 (eshikaku)"
MODEL_NAME = "eshikaku E資格"
ANKI_TYPES = ("choice", "numeric", "numeric_parts", "shape", "expression", "matching", "self_graded", "code_blank")
GUID_SALT = "eshikaku"


class ExportError(UsageError, ValueError):
    """The export cannot be written as asked."""


def _stable_id(name: str) -> int:
    """A fixed 48-bit id for a deck or note type name (Anki matches them by id on re-import)."""
    return (1 << 40) + int.from_bytes(hashlib.sha256(name.encode()).digest()[:5], "big")


# --------------------------------------------------------------------------- one card


def anki_eligible(question: Question) -> bool:
    if isinstance(question, CodeBlankQuestion):
        return question.exam_style  # every blank has choices: a four-choice card
    return question.type in ANKI_TYPES


def _choice_text(choice: Any) -> str:
    if choice.text:
        return inline_html(choice.text)
    return "、".join(f"{html.escape(k)}: {inline_html(v)}" for k, v in choice.parts.items())


def card_html(current: Attempt) -> tuple[str, str]:
    """(front, back) HTML of one question."""
    from grader.bank.syllabus import topic_name
    from grader.grading.answers import blank_expected, parts_expected
    from grader.grading.render import TYPE_LABELS

    q = current.question
    head = f'<div class="meta">{html.escape(q.topic)} {html.escape(topic_name(q.topic))} · {TYPE_LABELS.get(q.type, q.type)} · {"★" * q.difficulty}</div>'
    title = f'<div class="title">{html.escape(q.title)}</div>' if q.title else ""
    front = [head, title, f'<div class="prompt">{md_html(current.prompt)}</div>']
    answer = ""
    notes: list[str] = []
    if isinstance(q, ChoiceQuestion):
        front.append(list_html(f"<b>({html.escape(c.key)})</b> {_choice_text(c)}" for c in q.choices))
        by_key = {c.key: c for c in q.choices}
        answer = "、".join(f"<b>({html.escape(k)})</b> {_choice_text(by_key[k])}" for k in q.answer)
        notes = [f"<b>({html.escape(c.key)})</b> {inline_html(c.why)}" for c in q.choices if c.why]
    elif isinstance(q, NumericQuestion):
        value = current.answer
        shown = f"{value:.12g}" if isinstance(value, float) else str(value)
        answer = html.escape(f"{shown}{q.unit}")
    elif isinstance(q, NumericPartsQuestion):
        front.append(list_html(f"<b>({html.escape(p.name)})</b> {inline_html(p.label) if p.label else ''}" for p in q.parts))
        answer = html.escape(parts_expected(q, current.answer))
    elif isinstance(q, ShapeQuestion):
        answer = html.escape(" × ".join(str(a) for a in current.answer))
    elif isinstance(q, ExpressionQuestion):
        names = ", ".join(v.name for v in q.variable_specs)
        front.append(f'<div class="help">{html.escape(names)} の式で答える</div>')
        forms = [q.answer, *q.accepted_forms]
        answer = " / ".join(f"<code>{html.escape(f)}</code>" for f in forms)
    elif isinstance(q, MatchingQuestion):
        front.append('<div class="columns">' + list_html(f"<b>{html.escape(i.key)}.</b> {inline_html(i.text)}" for i in q.left)
                     + list_html(f"<b>{html.escape(i.key)})</b> {inline_html(i.text)}" for i in q.right) + "</div>")  # fmt: skip
        right = {i.key: i.text for i in q.right}
        answer = list_html(f"<b>{html.escape(k)}</b> → <b>{html.escape(v)})</b> {inline_html(right[v])}" for k, v in q.pairs.items())
    elif isinstance(q, SelfGradedQuestion):
        answer = md_html(q.model_answer)
        notes = [inline_html(r.point) for r in q.rubric]
    elif isinstance(q, CodeBlankQuestion):
        front.append(code_html(q.template))
        for blank in q.blanks:
            front.append(f"<div><b>[{html.escape(blank.name)}]</b></div>" + list_html(f"<b>({html.escape(c.key)})</b> "
                f"<code>{html.escape(c.text)}</code>" for c in blank.choices))
        answer = html.escape(blank_expected(q))
        notes = [f"<b>[{html.escape(b.name)}] ({html.escape(c.key)})</b> {inline_html(c.why)}" for b in q.blanks for c in b.choices if c.why]
    back = [f'<div class="answer"><b>正解:</b> {answer}</div>']
    if notes:
        label = "採点ポイント" if isinstance(q, SelfGradedQuestion) else "各選択肢"
        back.append(f'<div class="notes"><b>{label}:</b>{list_html(notes, ordered=isinstance(q, SelfGradedQuestion))}</div>')
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


def _checksum(text: str) -> int:
    """Anki's note checksum: the first 8 hex digits of the SHA-1 of the sort field, HTML stripped (ours holds none)."""
    return int(hashlib.sha1(re.sub(r"<[^>]*>", "", text).encode("utf-8")).hexdigest()[:8], 16)


@dataclass(frozen=True)
class Previous:
    """A note of an earlier export: kept as it was when its content is unchanged."""

    note_id: int
    mod: int
    content: tuple[str, str, int]  # fields, tags, note type
    cards: dict[int, int]  # ord → card id


def read_previous(path: Path) -> dict[str, Previous]:
    """The notes of an earlier .apkg by GUID (empty when there is none, or it is not one)."""
    import sqlite3
    import tempfile
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as tmp:
            archive.extract("collection.anki2", tmp)
            db = sqlite3.connect(Path(tmp) / "collection.anki2")
            try:
                notes = db.execute("SELECT id, guid, mod, flds, tags, mid FROM notes").fetchall()
                cards = db.execute("SELECT id, nid, ord FROM cards").fetchall()
            finally:
                db.close()
    except (OSError, KeyError, zipfile.BadZipFile, sqlite3.DatabaseError):
        return {}
    by_note: dict[int, dict[int, int]] = {}
    for card_id, nid, ord_ in cards:
        by_note.setdefault(nid, {})[ord_] = card_id
    return {guid: Previous(nid, mod, (flds, tags, mid), by_note.get(nid, {})) for nid, guid, mod, flds, tags, mid in notes}


class _StableNote:
    """A note written with its earlier id and modification time unless its content changed, and with its
    checksum filled, so that importing a re-export into Anki touches exactly the notes that changed."""

    def __init__(self, note: Any, previous: Previous | None, now: int, ids: Iterator[int]) -> None:
        self.note = note
        self.model = note.model  # what the deck reads to list the note types
        self.fields = "\x1f".join(note.fields)
        self.tags = " " + " ".join(note.tags) + " "
        content = (self.fields, self.tags, note.model.model_id)
        unchanged = previous is not None and previous.content == content
        self.changed = not unchanged
        self.id = previous.note_id if previous else next(ids)
        self.mod = previous.mod if unchanged and previous else max(now, previous.mod + 1 if previous else now)
        self.card_ids = dict(previous.cards) if previous else {}
        self.ids = ids

    def write_to_db(self, cursor: Any, timestamp: float, deck_id: int, id_gen: Iterator[int]) -> None:
        note = self.note
        cursor.execute("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);", (
            self.id, note.guid, note.model.model_id, self.mod, -1, self.tags, self.fields, note.sort_field, _checksum(note.sort_field), 0, "",
        ))  # fmt: skip
        for card in note.cards:
            card_id = self.card_ids.get(card.ord) or next(self.ids)
            card.write_to_db(cursor, self.mod, deck_id, self.id, iter([card_id]), note.due)


def write_anki(questions: Iterable[Question], path: Path, seed: int = 1, previous: Path | None = None) -> tuple[int, int]:
    """Writes an .apkg with one note (one card) per eligible question; returns (notes, notes new or changed).

    Notes unchanged since ``previous`` (default: the package already at ``path``) keep their ids and
    modification times; a changed note keeps its id and gets a newer time, which is what Anki's import
    compares.
    """
    import time

    import genanki

    from grader.bank.syllabus import topic_name

    earlier = read_previous(previous or path)
    now = int(time.time())
    used = {p.note_id for p in earlier.values()} | {c for p in earlier.values() for c in p.cards.values()}
    ids = (i for i in itertools.count(now * 1000) if i not in used)
    model = _model()
    decks: dict[str, Any] = {}
    count = changed = 0
    for q, front, back in anki_notes(questions, seed):
        name = f"{DECK_NAME}::{q.topic} {topic_name(q.topic)}"
        deck = decks.get(name)
        if deck is None:
            deck = decks[name] = genanki.Deck(_stable_id(name), name)
        tags = ["eshikaku", f"eshikaku::{q.type}", f"topic::{q.topic}", *(_tag(t) for t in q.tags if t.strip())]
        note = genanki.Note(model=model, fields=[front, back, q.id, q.topic], guid=genanki.guid_for(GUID_SALT, q.id), tags=tags)
        stable = _StableNote(note, earlier.get(note.guid), now, ids)
        changed += stable.changed
        deck.add_note(stable)
        count += 1
    if not count:
        raise ExportError("no question can be a card here (code_function questions need `eshikaku submit`)")
    path.parent.mkdir(parents=True, exist_ok=True)
    genanki.Package(list(decks.values())).write_to_file(str(path), timestamp=now)
    return count, changed
