"""Item statistics (``eshikaku item-stats``): how each question behaved with real learners.

Responses come from grade-batch reports (``report.json``: one learner per student) and from learners'
progress databases (one learner per file; the first graded attempt at each question by default, before
any feedback or review could teach the answer). Per question:

- difficulty ``p``: the mean score (the share right, partial credit counted as its fraction);
- discrimination: the point-biserial correlation of the item score with the *rest score* (the learner's
  mean on the other questions), so an item is not correlated with itself;
- for choice and code-blank items (and numeric items' listed wrong answers), how often each option was
  picked, and the mean rest score of those who picked it;
- flags: nobody misses it, strong learners miss it more than weak ones (negative discrimination), or a
  distractor nobody picks (it does no work; replace it with a misconception learners hold).
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bank.loader import Bank
from grader.bank.schema import ChoiceQuestion, CodeBlankQuestion, NumericQuestion, Question
from grader.errors import UsageError

MIN_RESPONSES = 5  # fewer responses flag nothing: one learner's slip is no evidence about the item
SKIPPED = ("skipped", "missing", "grader_fault")  # not an answer by the learner: left out


class ItemStatsError(UsageError, ValueError):
    """A source cannot be read (the message names the file and why)."""


@dataclass(frozen=True)
class Response:
    learner: str
    question: str
    score: float
    response: str | None
    seed: int | None


@dataclass
class Option:
    label: str  # "2", "(え) 4", "wrong answer 1"
    text: str
    is_key: bool
    picks: int = 0
    rate: float = 0.0
    rest_mean: float | None = None  # mean rest score of the learners who picked it


@dataclass
class ItemStats:
    question: str
    type: str
    topic: str
    responses: int
    p: float
    discrimination: float | None
    options: list[Option] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["options"] = [o.__dict__ for o in self.options]
        return data


# --------------------------------------------------------------------------- reading the sources


def read_report(path: Path) -> list[Response]:
    """The graded rows of a grade-batch ``report.json`` (missing submissions and grader faults left out)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ItemStatsError(f"{path}: not a readable grade-batch report ({exc})") from None
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith("eshikaku-batch/"):
        raise ItemStatsError(f"{path}: not a grade-batch report.json (no eshikaku-batch format)")
    out = []
    for row in data.get("rows", []):
        if isinstance(row, dict) and row.get("verdict") not in SKIPPED:
            out.append(Response(str(row.get("student")), str(row.get("question")), float(row.get("score") or 0.0), row.get("response"), row.get("seed")))
    return out


def read_database(path: Path, *, last: bool = False) -> list[Response]:
    """One learner's first (or ``last``) graded attempt at each question, from a progress database, read only."""
    from grader.learner.storage import APPLICATION_ID

    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ItemStatsError(f"{path}: cannot open ({exc})") from None
    try:
        if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise ItemStatsError(f"{path}: not an eshikaku progress database")
        order = "DESC" if last else "ASC"
        query = f"SELECT question_id, response, score, seed FROM attempts WHERE verdict != 'skipped' ORDER BY answered_at {order}, id {order}"
        rows = db.execute(query).fetchall()
    except sqlite3.Error as exc:
        raise ItemStatsError(f"{path}: not a readable eshikaku progress database ({exc})") from None
    finally:
        db.close()
    seen: dict[str, Response] = {}
    for qid, response, score, seed in rows:
        seen.setdefault(qid, Response(str(path), qid, float(score), response, seed))
    return list(seen.values())


def read_sources(paths: Iterable[Path], *, last: bool = False) -> list[Response]:
    """Responses from every report.json (a folder holding one counts too) and every progress database."""
    out: list[Response] = []
    for path in paths:
        if path.is_dir() and (path / "report.json").is_file():
            path = path / "report.json"
        with path.open("rb") as fh:
            head = fh.read(16)
        out += read_database(path, last=last) if head.startswith(b"SQLite format 3") else read_report(path)
    return out


# --------------------------------------------------------------------------- options picked


def _picked(question: Question, response: Response) -> list[str]:
    """The option labels this response chose (none when the response is not in an option's form)."""
    from grader.grading.answers import InvalidAnswer, blank_keys, numbers_match, parse_number, split_keys

    text = response.response
    if text is None:
        return []
    try:
        if isinstance(question, ChoiceQuestion):
            return list(dict.fromkeys(k for k in split_keys(text) if k in {c.key for c in question.choices}))
        if isinstance(question, CodeBlankQuestion) and question.exam_style:
            return [f"({name}) {key}" for name, key in blank_keys(question, text).items()]
        if isinstance(question, NumericQuestion) and question.wrong_answers:
            from grader.bank.params import ParameterError, attempt

            value = parse_number(text.removesuffix(question.unit))
            current = attempt(question, response.seed)
            if numbers_match(question, value, float(current.answer)):
                return ["answer"]
            return [f"wrong answer {i}" for i, (w, _) in enumerate(current.wrong, 1) if numbers_match(question, value, float(w))][:1] or ["other"]
    except (InvalidAnswer, ParameterError, ArithmeticError, TypeError, ValueError):
        return []
    return []


def _options(question: Question) -> list[Option]:
    if isinstance(question, ChoiceQuestion):
        return [Option(c.key, (c.text or " / ".join(c.parts.values()))[:60], c.key in question.answer) for c in question.choices]
    if isinstance(question, CodeBlankQuestion) and question.exam_style:
        return [Option(f"({b.name}) {c.key}", c.text[:60], c.key == b.answer) for b in question.blanks for c in b.choices]
    if isinstance(question, NumericQuestion) and question.wrong_answers:
        wrong = [Option(f"wrong answer {i}", w.says[:60], False) for i, w in enumerate(question.wrong_answers, 1)]
        return [Option("answer", "the right answer", True), *wrong, Option("other", "any other value", False)]
    return []


# --------------------------------------------------------------------------- statistics


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def item_stats(bank: Bank, responses: list[Response], *, min_responses: int = MIN_RESPONSES) -> tuple[list[ItemStats], list[str]]:
    """The statistics of every question answered (in the bank's order), and notes on what was left out."""
    from grader.bank.catalog import topic_key

    notes: list[str] = []
    by_learner: dict[str, dict[str, Response]] = {}
    unknown: set[str] = set()
    for r in responses:
        if r.question not in bank.questions:
            unknown.add(r.question)
            continue
        by_learner.setdefault(r.learner, {})[r.question] = r
    if unknown:
        notes.append(f"{len(unknown)} question id(s) are not in the bank and are left out: {', '.join(sorted(unknown)[:10])}")
    rest: dict[tuple[str, str], float] = {}
    for learner, answered in by_learner.items():
        total = sum(r.score for r in answered.values())
        for qid, r in answered.items():
            if len(answered) > 1:
                rest[(learner, qid)] = (total - r.score) / (len(answered) - 1)
    qids = sorted({q for answered in by_learner.values() for q in answered},
                  key=lambda q: (topic_key(bank.questions[q].topic), str(bank.paths.get(q, ""))))  # fmt: skip
    out = []
    for qid in qids:
        question = bank.questions[qid]
        answers = [(learner, answered[qid]) for learner, answered in by_learner.items() if qid in answered]
        scores = [r.score for _, r in answers]
        paired = [(r.score, rest[(learner, qid)]) for learner, r in answers if (learner, qid) in rest]
        stats = ItemStats(qid, question.type, question.topic, len(answers), sum(scores) / len(scores),
                          _correlation([s for s, _ in paired], [t for _, t in paired]), _options(question))  # fmt: skip
        by_label = {o.label: o for o in stats.options}
        rests: dict[str, list[float]] = {}
        for learner, r in answers:
            for label in _picked(question, r):
                if label in by_label:
                    by_label[label].picks += 1
                    if (learner, qid) in rest:
                        rests.setdefault(label, []).append(rest[(learner, qid)])
        for option in stats.options:
            option.rate = option.picks / len(answers)
            option.rest_mean = sum(rests[option.label]) / len(rests[option.label]) if rests.get(option.label) else None
        stats.flags = _flags(stats, question, min_responses)
        out.append(stats)
    return out, notes


def _flags(stats: ItemStats, question: Question, min_responses: int) -> list[str]:
    if stats.responses < min_responses:
        return []
    flags = []
    if stats.p >= 1.0:
        flags.append("nobody misses it: it does not tell learners apart (make it harder, or drop it from exams)")
    if stats.discrimination is not None and stats.discrimination < 0:
        flags.append(f"strong learners miss it more than weak ones (discrimination {stats.discrimination:.2f}): check the key and the wording")
    if isinstance(question, (ChoiceQuestion, CodeBlankQuestion)):
        unused = [o.label for o in stats.options if not o.is_key and o.picks == 0]
        if unused:
            what = f"distractor {unused[0]} is" if len(unused) == 1 else f"distractors {', '.join(unused)} are"
            flags.append(f"{what} never picked: replace with a misconception learners hold")
    return flags


# --------------------------------------------------------------------------- rendering


def table_lines(stats: list[ItemStats]) -> list[str]:
    """The terminal table: one line per question, its options below it, then its flags."""
    lines = [f"{'question':38} {'type':13} {'n':>4} {'p':>5} {'r_pb':>6}  options (* = key: share picking it)"]
    for s in stats:
        r = "—" if s.discrimination is None else f"{s.discrimination:+.2f}"
        options = "  ".join(f"{o.label}{'*' if o.is_key else ''} {o.rate:.0%}" for o in s.options)
        lines.append(f"{s.question[:38]:38} {s.type:13} {s.responses:4d} {s.p:5.2f} {r:>6}  {options}".rstrip())
        lines += [f"    ! {flag}" for flag in s.flags]
    return lines


def csv_text(stats: list[ItemStats]) -> str:
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["question", "type", "topic", "responses", "p", "discrimination", "options", "flags"])
    for s in stats:
        options = "; ".join(f"{o.label}{'*' if o.is_key else ''}={o.rate:.3f}" for o in s.options)
        writer.writerow([s.question, s.type, s.topic, s.responses, round(s.p, 4), "" if s.discrimination is None else round(s.discrimination, 4), options,
                         " | ".join(s.flags)])  # fmt: skip
    return buffer.getvalue()


def json_document(stats: list[ItemStats], notes: list[str], learners: int) -> dict[str, Any]:
    return {"format": "eshikaku-item-stats/1", "learners": learners, "notes": notes, "items": [s.as_dict() for s in stats]}
