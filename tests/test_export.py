"""Exports: the Anki package read back as Anki reads it, and the JSON bank with parameters resolved."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest
from click.testing import CliRunner

from cli import main
from grader.bank.loader import load_bank
from grader.bank.params import attempt
from grader.instructor.anki import DECK_NAME, GUID_SALT, MODEL_NAME, anki_eligible, write_anki
from grader.instructor.export import bank_json
from grader.instructor.export_html import md_html

BANK = load_bank(use_cache=False)


def read_apkg(path: Path, tmp: Path) -> dict:
    """Notes, cards, decks and note types of an .apkg, straight from its SQLite collection."""
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
        assert {"collection.anki2", "media"} <= set(z.namelist())
        z.extract("collection.anki2", tmp)
        media = json.loads(z.read("media"))
    db = sqlite3.connect(tmp / "collection.anki2")
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        decks_json, models_json = db.execute("SELECT decks, models FROM col").fetchone()
        notes = db.execute("SELECT id, guid, mid, flds, tags FROM notes").fetchall()
        cards = db.execute("SELECT nid, did, ord FROM cards").fetchall()
    finally:
        db.close()
    return {"decks": json.loads(decks_json), "models": json.loads(models_json), "notes": notes, "cards": cards, "media": media}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("anki")
    path = tmp / "eshikaku.apkg"
    result = CliRunner().invoke(main, ["export", "anki", str(path)])
    assert result.exit_code == 0, result.output
    return path, read_apkg(path, tmp), result.output


def test_the_anki_package_opens_with_one_card_per_eligible_question(package) -> None:
    path, data, output = package
    eligible = [q for q in BANK.questions.values() if anki_eligible(q)]
    assert len(data["notes"]) == len(data["cards"]) == len(eligible)
    assert f"wrote {len(eligible)} card(s)" in output
    types = {q.type for q in eligible}
    assert {"choice", "numeric", "shape", "expression", "self_graded"} <= types
    assert "code_function" not in types
    # every card belongs to a note and to a topic sub-deck of the eshikaku deck
    note_ids = {n[0] for n in data["notes"]}
    assert {c[0] for c in data["cards"]} == note_ids
    deck_names = {int(k): v["name"] for k, v in data["decks"].items()}
    assert all(deck_names[c[1]].startswith(DECK_NAME + "::") for c in data["cards"])
    assert any(name.endswith("3-4 畳み込みニューラルネットワーク") for name in deck_names.values())
    (model,) = [m for m in data["models"].values() if m["name"] == MODEL_NAME]
    assert [f["name"] for f in model["flds"]] == ["Front", "Back", "Id", "Topic"]


def test_notes_have_stable_guids_and_the_explanation_on_the_back(package) -> None:
    _, data, _ = package
    by_id = {}
    for _, guid, _, flds, tags in data["notes"]:
        front, back, qid, topic = flds.split("\x1f")
        assert guid == genanki.guid_for(GUID_SALT, qid)
        by_id[qid] = (front, back, tags)
    front, back, tags = by_id["conv_output_size"]
    assert "6×6" in front and "7 × 7" in back and "解説" in back
    assert "正解" not in front
    assert "topic::3-4" in tags and "eshikaku::shape" in tags
    q = BANK.questions["sigmoid_derivative_max"]
    front, back, _ = by_id[q.id]
    for choice in q.choices:
        assert f"({choice.key})" in front
    assert "\\(" in back or "\\(" in front or "$" not in q.prompt + q.explanation  # LaTeX as MathJax


def test_re_export_keeps_every_id_so_anki_updates_instead_of_duplicating(package, tmp_path) -> None:
    _, first, _ = package
    again = tmp_path / "again.apkg"
    write_anki(list(BANK.questions.values()), again)
    second = read_apkg(again, tmp_path)
    assert {n[1] for n in second["notes"]} == {n[1] for n in first["notes"]}
    assert set(second["models"]) == set(first["models"])
    assert set(second["decks"]) == set(first["decks"])


def test_markdown_and_math_become_anki_html() -> None:
    html = md_html("損失 $L = \\sum_i x_i^2$ と **太字**、`a_b $x$`\n\n$$\\frac{a}{b} < c$$\n<script>alert(1)</script>")
    assert "\\(L = \\sum_i x_i^2\\)" in html  # underscores in math are not emphasis
    assert "<strong>太字</strong>" in html
    assert "<code>a_b $x$</code>" in html  # dollars in code stay code
    assert "\\[\\frac{a}{b} &lt; c\\]" in html
    assert "<script>" not in html


def test_json_export_has_every_question_and_resolves_parameters(tmp_path) -> None:
    out = tmp_path / "bank.json"
    result = CliRunner().invoke(main, ["export", "json", str(out), "--seed", "7"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "eshikaku-bank/1" and data["seed"] == 7
    assert data["count"] == len(data["questions"]) == len(BANK.questions)
    by_id = {q["id"]: q for q in data["questions"]}
    assert set(by_id) == set(BANK.questions)
    plain = by_id["conv_output_size"]
    assert plain["answer"] == [7, 7] and plain["resolved"] is None and plain["explanation"]
    assert plain["path"].endswith("conv_output_size.yaml")
    parameterised = [q for q in BANK.questions.values() if q.parameters is not None]
    assert parameterised
    for q in parameterised:
        current = attempt(q, 7)
        resolved = by_id[q.id]["resolved"]
        assert resolved["seed"] == 7 and resolved["prompt"] == current.prompt and "{{" not in resolved["prompt"]
        assert resolved["answer"] == pytest.approx(current.answer)
        assert resolved["values"] == pytest.approx(current.values)
    code = by_id["softmax_function"]
    assert code["cases"] and code["template"]
    # the same seed gives the same document; another seed other numbers
    again, _ = bank_json(BANK, list(BANK.questions.values()), 7)
    other, _ = bank_json(BANK, list(BANK.questions.values()), 8)
    assert {q["id"]: q["resolved"] for q in json.loads(json.dumps(again["questions"]))} == {k: q["resolved"] for k, q in by_id.items()}
    assert json.dumps(again, sort_keys=True) == json.dumps(bank_json(BANK, list(BANK.questions.values()), 7)[0], sort_keys=True)
    assert any(q["resolved"] != by_id[q["id"]]["resolved"] for q in other["questions"] if q["resolved"])


def test_json_export_to_stdout_with_filters() -> None:
    result = CliRunner().invoke(main, ["export", "json", "-", "--topic", "3-4", "--type", "shape"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["count"] >= 1 and all(q["topic"] == "3-4" and q["type"] == "shape" for q in data["questions"])


def _note_rows(path: Path, tmp: Path) -> dict[str, tuple]:
    with zipfile.ZipFile(path) as z:
        z.extract("collection.anki2", tmp)
    db = sqlite3.connect(tmp / "collection.anki2")
    try:
        notes = db.execute("SELECT guid, id, mod, flds, sfld, csum FROM notes").fetchall()
        cards = dict(db.execute("SELECT nid, id FROM cards").fetchall())
    finally:
        db.close()
    return {guid: (nid, mod, flds, sfld, csum, cards[nid]) for guid, nid, mod, flds, sfld, csum in notes}


def test_a_re_export_changes_a_note_only_when_its_content_changed(tmp_path) -> None:
    import hashlib
    import shutil

    bank = tmp_path / "bank" / "03-1_forward"
    bank.mkdir(parents=True)
    for qid in ("sigmoid_derivative_max", "chain_rule"):
        shutil.copy(BANK.paths[qid], bank / f"{qid}.yaml")
    out = tmp_path / "deck.apkg"
    export = ["--bank", str(bank.parent), "--bank-only", "export", "anki", str(out)]
    result = CliRunner().invoke(main, export)
    assert result.exit_code == 0 and "2 new or changed" in result.output, result.output
    first = _note_rows(out, tmp_path / "1")
    for _, _, _, sfld, csum, _ in first.values():  # Anki's checksum of the sort field (the question id)
        assert csum == int(hashlib.sha1(sfld.encode()).hexdigest()[:8], 16) and csum != 0
    result = CliRunner().invoke(main, export)
    assert result.exit_code == 0 and "0 new or changed" in result.output, result.output
    assert _note_rows(out, tmp_path / "2") == first  # ids, times, fields and card ids all as they were
    edited = bank / "chain_rule.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("explanation: |", "explanation: |\n  (改訂)", 1), encoding="utf-8")
    result = CliRunner().invoke(main, export)
    assert result.exit_code == 0 and "1 new or changed" in result.output, result.output
    third = _note_rows(out, tmp_path / "3")
    guid = genanki.guid_for(GUID_SALT, "chain_rule")
    assert {g: r for g, r in third.items() if g != guid} == {g: r for g, r in first.items() if g != guid}
    nid, mod, flds, *_ = third[guid]
    assert nid == first[guid][0] and mod > first[guid][1] and "改訂" in flds and third[guid][5] == first[guid][5]
