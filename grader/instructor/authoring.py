"""``eshikaku new``: commented YAML skeletons for every question type, and reference stubs for code types.

A skeleton fails validation until its empty fields are filled, and every failure names the field;
its first line points editors at the JSON Schema so that keys complete and are checked as you type.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader.bank.schema import QUESTION_TYPES
from grader.bank.syllabus import topics
from grader.errors import UsageError

SCHEMA_FILE = "question.schema.json"
DEFAULT_MODULES = {
    "3-1": "activations",
    "3-2": "optimizers",
    "3-3": "regularization",
    "3-4": "cnn",
    "3-5": "rnn",
    "3-6": "attention",
    "3-7": "layers",
}

_COMMON = """\
# yaml-language-server: $schema={schema}
id: {id}
type: {type}
topic: "{topic}"            # {topic_name}
syllabus: []                # the sub-item(s) the question tests, the topic's own first, e.g. [{first_item}]
keywords: []                # the syllabus keywords a learner must know to answer (not those only mentioned)
{items}difficulty: 1               # 1 easy … 3 hard
title: ""                   # a short name shown in lists
tags: []                    # free Japanese tags, e.g. [活性化関数, 計算]
source: original            # or the book section / paper the question follows
prompt: ""                  # Markdown with $…$ LaTeX, in Japanese; LaTeX only in '…' or a `|` block, never in "…"
hints:                      # ordered: from a nudge to nearly the answer
  - ""
explanation: ""             # 解説: why the key is right, why each wrong answer is wrong, and the source it cites
"""

_WRONG_NUMBERS = """\
wrong_answers:              # real miscalculations, each with the feedback shown when a learner gives it;
  - answer: .nan            # three or more also make the four-choice form of mock exams
    says: ""                # e.g. answer: {formula: "B * (5 + C)"}, says: "B(5+C) と数えていないか"
worked_examples:            # an answer you worked out by hand; validate checks the computed answer equals it
  - values: {}              # every parameter's value, e.g. {H: 28, F: 5} (none without parameters)
    answer: .nan
"""

_CASES = """\
cases:                      # public examples (hidden: false) first, then hidden cases
  - name: example
    hidden: false
    let:
      x: {{array: [[1.0, 2.0, 3.0]]}}
    args: [{{ref: x}}]
    expect: {{array: [[.nan, .nan, .nan]]}}   # the result worked out by hand: validate checks the reference returns it
  - name: random_batch
    repeat: 3
    dims: {{N: [1, 6], D: [2, 8]}}
    let:
      x: {{random: normal, shape: [N, D]}}
    args: [{{ref: x}}]
    diagnosis: {{value: ""}}  # failure kind → what failing this case that way usually means
"""

_BODIES = {
    "choice": """\
choices:                    # keys are stable; the display order is shuffled
  - {key: "1", text: "", why: ""}
  - {key: "2", text: "", why: ""}
  - {key: "3", text: "", why: ""}
  - {key: "4", text: "", why: ""}
answer: ""                  # the right key (or a list of keys)
""",
    "numeric": """\
answer: .nan                # the number, {function: reference.<module>:<name>, args: {…}} or {formula: "…"} of the parameters
abs_tol: 1.0e-6             # |got − answer| ≤ max(abs_tol, rel_tol·|answer|); 小数第 3 位まで needs abs_tol ≥ 0.0005
rel_tol: 1.0e-6
unit: ""
""" + _WRONG_NUMBERS,
    "numeric_parts": """\
parts:                      # each number graded on its own (partial credit); the learner answers `a=… b=…` or in order
  - name: a
    label: ""               # what this part asks, shown in the list of parts
    answer: .nan
    abs_tol: 0
    wrong_answers:
      - {answer: .nan, says: ""}
  - name: b
    label: ""
    answer: .nan
    abs_tol: 0
worked_examples:
  - values: {}
    answer: {a: .nan, b: .nan}
""",
    "shape": """\
answer: []                  # e.g. [7, 7]; entries may be {formula: "(H - F) // S + 1"}
wrong_answers:
  - {answer: [], says: ""}
worked_examples:
  - {values: {}, answer: []}
""",
    "expression": """\
variables: [x]              # names allowed in answers; {name: u, low: 0.05, high: 0.95} sets a domain
answer: ""                  # e.g. 2*(x + 1); any equivalent form is accepted
wrong_answers:
  - {answer: "", says: ""}
""",
    "matching": """\
left:
  - {key: A, text: ""}
  - {key: B, text: ""}
right:                      # may hold more items than left (distractors)
  - {key: "1", text: ""}
  - {key: "2", text: ""}
  - {key: "3", text: ""}
pairs: {A: "", B: ""}
""",
    "self_graded": """\
model_answer: ""
rubric:                     # the points a complete answer makes; the learner marks them
  - point: ""
  - point: ""
""",
    "code_function": """\
entry: {name}               # the function or class the learner defines
reference: reference.{module}:{name}
template: |
  import numpy as np

  def {name}(x):
      \"\"\"x: (N, D) -> (N, D)\"\"\"
      ...
solution: |                 # a complete model solution, proved to pass; shown after the attempt
  import numpy as np

  def {name}(x):
      ...
solution_note: ""           # the key idea, shown after grading
compare: {{rtol: 1.0e-6, atol: 1.0e-9, dtype: kind}}
misconceptions:             # the bugs learners really make, each a complete wrong submission (validate proves it fails)
  - name: ""
    says: ""
    code: |
      def {name}(x):
          ...
"""
  + _CASES,
    "code_blank": """\
entry: {name}
reference: reference.{module}:{name}
template: |
  import numpy as np

  def {name}(x):
      return (あ)
blanks:
  - name: あ
    choices:
      - {{key: "1", text: "", why: ""}}
      - {{key: "2", text: "", why: ""}}
      - {{key: "3", text: "", why: ""}}
      - {{key: "4", text: "", why: ""}}
    answer: ""
misconceptions:             # wrong code for a blank, named when a learner's code behaves the same way
  - {{name: "", says: "", blanks: {{あ: ""}}}}
"""
  + _CASES,
}

_STUB = '''

def {name}(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """{summary}

    Parameters
    ----------
    x : ndarray of shape (N, D)

    Returns
    -------
    ndarray of shape (N, D)
    """
    ...  # the trusted implementation for questions/{rel}
'''
_STUB_HEADER = '''"""{doc}"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
'''


class AuthoringError(UsageError, ValueError):
    """`new` cannot write what was asked (the message says what to change)."""


def _items(topic: str) -> str:
    """The topic's sub-items and their keywords, as comments to choose the tags from."""
    lines = [f"# sub-items and keywords of {topic} (optional ones in brackets):"]
    for item in topics()[topic].items:
        words = ", ".join(f"[{k.name}]" if k.optional else k.name for k in item.keywords)
        lines.append(f"#   {item.key} {item.name}: {words}")
    return "\n".join(lines) + "\n"


def skeleton(qtype: str, qid: str, topic: str, *, module: str, schema: str) -> str:
    if qtype not in QUESTION_TYPES:
        raise AuthoringError(f"unknown type {qtype!r}: use one of {', '.join(QUESTION_TYPES)}")
    first = topics()[topic].items[0].key if topics()[topic].items else f"{topic}-1"
    common = _COMMON.format(schema=schema, id=qid, type=qtype, topic=topic, topic_name=topics()[topic].name, first_item=first, items=_items(topic))
    body = _BODIES[qtype]
    if qtype in ("code_function", "code_blank"):
        body = body.format(name=qid, module=module)
    return common + body


def write_new(bank: Path, qtype: str, qid: str, topic: str, module: str | None, reference_root: Path, *, private: bool = False) -> list[Path]:
    """Writes the skeleton (and for code types the reference stub); returns the files written.

    A private bank's modules are found after the built-in ones, so their default names get a
    ``bank_`` prefix that the built-in package never uses.
    """
    if topic not in topics():
        raise AuthoringError(f"unknown topic {topic!r}: use one of {', '.join(topics())}")
    folder = bank / topics()[topic].folder
    target = folder / f"{qid}.yaml"
    if target.exists():
        raise AuthoringError(f"{target} exists already: choose another id")
    module = module or ("bank_" if private else "") + DEFAULT_MODULES.get(topic, "applications")
    schema_path = bank / SCHEMA_FILE
    bank.mkdir(parents=True, exist_ok=True)
    if not schema_path.exists():
        from grader.bank.catalog import json_schema

        schema_path.write_text(json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(skeleton(qtype, qid, topic, module=module, schema=f"../{SCHEMA_FILE}"), encoding="utf-8")
    written = [target]
    if qtype in ("code_function", "code_blank"):
        stub_file = reference_root / f"{module}.py"
        stub_file.parent.mkdir(parents=True, exist_ok=True)
        if not stub_file.exists():
            stub_file.write_text(_STUB_HEADER.format(doc=f"Reference implementations ({module})."), encoding="utf-8")
        source = stub_file.read_text(encoding="utf-8")
        if f"\ndef {qid}(" in source or f"\nclass {qid}" in source:
            raise AuthoringError(f"{stub_file} already defines {qid}: choose another id")
        rel = f"{topics()[topic].folder}/{qid}.yaml"
        stub_file.write_text(source.rstrip("\n") + "\n" + _STUB.format(name=qid, summary=f"Reference for {qid}: describe the rule as an "
            "equation.", rel=rel), encoding="utf-8")
        written.append(stub_file)
    return written
