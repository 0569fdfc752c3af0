"""Selecting questions and describing the bank (counts per topic and type, JSON Schema)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import TypeAdapter

from grader.bank.loader import Bank, display_path
from grader.bank.schema import Question


def topic_matches(topic: str, wanted: str) -> bool:
    """``3`` matches every 3-x topic; ``3-4`` matches only itself."""
    return topic == wanted or topic.split("-")[0] == wanted


def select(bank: Bank, *, topic: str | None = None, qtype: str | None = None, tag: str | None = None) -> list[Question]:
    """The bank's questions filtered by topic, type and tag, in syllabus order."""
    chosen = [
        q
        for q in bank.questions.values()
        if (topic is None or topic_matches(q.topic, topic))
        and (qtype is None or q.type == qtype)
        and (tag is None or tag in q.tags)
    ]
    return sorted(chosen, key=lambda q: (topic_key(q.topic), str(bank.paths[q.id])))


def topic_key(topic: str) -> tuple[int, ...]:
    return tuple(int(p) for p in topic.split("-"))


def catalog(bank: Bank, questions: list[Question]) -> dict[str, Any]:
    """The listing as data: each question's metadata and the counts per topic and type."""
    items = [
        {
            "id": q.id,
            "type": q.type,
            "topic": q.topic,
            "title": q.title,
            "difficulty": q.difficulty,
            "tags": q.tags,
            "source": q.source,
            "parameterised": q.parameters is not None,
            "exam_style": q.exam_style,
            "hints": len(q.hints),
            "path": display_path(bank.paths[q.id]),
        }
        for q in questions
    ]
    by_topic: dict[str, Counter[str]] = {}
    for q in questions:
        by_topic.setdefault(q.topic, Counter())[q.type] += 1
    return {
        "questions": items,
        "counts": {
            "total": len(questions),
            "by_type": dict(Counter(q.type for q in questions)),
            "by_topic": {t: {"total": sum(c.values()), **dict(c)} for t, c in sorted(by_topic.items(), key=lambda kv: topic_key(kv[0]))},
            "code": sum(q.type in ("code_blank", "code_function") for q in questions),
            "parameterised": sum(q.parameters is not None for q in questions),
            "from_seeds": sum(q.source != "original" and not q.source.startswith("original") for q in questions),
        },
        "broken_files": [display_path(p) for p in bank.broken_files],
    }


def json_schema() -> dict[str, Any]:
    schema = TypeAdapter(Question).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "eshikaku question"
    return schema


README_START, README_END = "<!-- counts:start -->", "<!-- counts:end -->"


def counts_table(bank: Bank) -> str:
    """The Markdown table of questions and keyword coverage per syllabus topic (generated into questions/README.md)."""
    from grader.bank.coverage import coverage
    from grader.bank.syllabus import edition

    syllabus = edition()
    rows = [
        "| folder | topic | 内容 | questions | code | parameterised | exam style | keywords at floor |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    questions = list(bank.questions.values())
    keyword_rows = coverage(bank, syllabus)
    for topic in syllabus.topics.values():
        mine = [q for q in questions if q.topic == topic.key]
        code = sum(q.type in ("code_blank", "code_function") for q in mine)
        params = sum(q.parameters is not None for q in mine)
        exam = sum(q.exam_style for q in mine)
        kws = [r for r in keyword_rows if syllabus.items[r.keyword.item].topic == topic.key]
        at_floor = sum(not r.below_floor for r in kws)
        rows.append(f"| `{topic.folder}/` | {topic.key} | {topic.name} | {len(mine)} | {code} | {params} | {exam} | {at_floor}/{len(kws)} |")
    total_code = sum(q.type in ("code_blank", "code_function") for q in questions)
    total_params = sum(q.parameters is not None for q in questions)
    total_floor = sum(not r.below_floor for r in keyword_rows)
    rows.append(f"| | | **total** | **{len(questions)}** | **{total_code}** | **{total_params}** | "
                f"**{sum(q.exam_style for q in questions)}** | **{total_floor}/{len(keyword_rows)}** |")
    return "\n".join(rows)


def render_readme(text: str, table: str) -> str:
    """``text`` with the part between the count markers replaced by ``table``."""
    head, _, rest = text.partition(README_START)
    _, _, tail = rest.partition(README_END)
    return f"{head}{README_START}\n{table}\n{README_END}{tail}"
