"""docs/authoring.md documents the format as it is: every example in it is a question that validates (proofs
by execution included), every type has one, and every key of `eshikaku schema` is named in it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from authoring_helpers import DOCS, doc_bank, doc_examples, run

from grader.bank.schema import QUESTION_TYPES


def test_every_example_in_the_authoring_guide_validates(tmp_path: Path) -> None:
    examples = doc_examples()
    for text, data in examples:
        assert {"id", "type", "topic", "prompt", "explanation", "hints"} <= set(data), text[:200]
    bank = doc_bank(tmp_path / "bank")
    code, out = run("--bank", str(bank), "--bank-only", "validate", str(bank), "-v")
    assert code == 0, out
    assert f"{len(examples)} question(s) checked" in out
    for _, data in examples:
        if data["type"] in ("code_function", "code_blank"):
            assert f"{data['id']}: reference passes" in out and f"{data['id']}: template fails" in out
        for misconception in data.get("misconceptions", []):
            assert f"{data['id']}: misconception {misconception['name']} fails" in out
        for i, _ in enumerate(data.get("wrong_answers", []), 1):
            assert re.search(rf"{data['id']}: wrong answer {i} (graded wrong|not equal)", out), (data["id"], i)


def test_every_type_has_an_example_and_every_schema_key_is_documented() -> None:
    from grader.bank.loader import load_bank

    assert {data["type"] for _, data in doc_examples()} == set(QUESTION_TYPES)
    taken = [data["id"] for _, data in doc_examples() if data["id"] in load_bank().questions]
    assert taken == []  # an example copied into a private bank must not clash with the built-in one
    code, out = run("schema")
    assert code == 0
    names: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(out))
    text = DOCS.read_text(encoding="utf-8")
    spans = re.findall(r"`[^`\n]+`", text) + re.findall(r"```yaml\n.*?```", text, re.S)
    undocumented = sorted(n for n in names if not any(re.search(rf"(?<![\w-]){re.escape(n)}(?![\w-])", s) for s in spans))
    assert undocumented == []
    for kind in ("exception", "type", "shape", "dtype", "nonfinite", "value", "mutation", "property", "stopped"):
        assert f"`{kind}`" in text  # every diagnosis kind
