"""The E資格 syllabus as data: topics (sub-sections), sub-items, keywords and the exam's four areas.

The tables live in ``editions/<year>.yaml`` (one file per edition, transcribed keyword by keyword); this
module only reads them. A question's ``topic`` is a sub-section key (``3-4``), its ``syllabus`` entries
are sub-item keys (``3-4-1``) and its ``keywords`` must be keywords (or aliases) of those sub-items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

try:  # libyaml is several times faster where PyYAML was built with it
    from yaml import CSafeLoader as _YamlLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _YamlLoader  # type: ignore[assignment]

EDITIONS_DIR = Path(__file__).resolve().parent / "editions"
CURRENT_EDITION = "2026"


@dataclass(frozen=True)
class Keyword:
    name: str
    item: str  # the sub-item key it belongs to
    aliases: tuple[str, ...] = ()
    optional: bool = False  # grey-shaded オプション: not examined, left out of mock exams by default
    new_in: str = ""

    def answers_to(self, text: str) -> bool:
        return text == self.name or text in self.aliases


@dataclass(frozen=True)
class Item:
    key: str
    name: str
    topic: str
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True)
class Topic:
    key: str
    folder: str
    name: str
    section: str
    items: tuple[Item, ...]

    @property
    def keywords(self) -> str:
        """The in-scope keywords, comma-separated (for tables)."""
        return ", ".join(k.name for item in self.items for k in item.keywords if not k.optional)


@dataclass(frozen=True)
class Area:
    """One of the four areas the exam reports a score for."""

    key: str
    name: str
    sections: tuple[str, ...]
    exam_share: int  # questions per 100 in a mock exam


@dataclass(frozen=True)
class Syllabus:
    edition: str
    title: str
    topics: dict[str, Topic]
    items: dict[str, Item]
    areas: tuple[Area, ...]

    def keyword(self, items: list[str], text: str) -> Keyword | None:
        """The keyword called ``text`` in one of the sub-items ``items`` (names are unique only per sub-item)."""
        for key in items:
            item = self.items.get(key)
            for kw in item.keywords if item else ():
                if kw.answers_to(text):
                    return kw
        return None

    def area_of(self, topic: str) -> Area | None:
        section = topic.split("-")[0]
        return next((a for a in self.areas if section in a.sections), None)

    def all_keywords(self) -> list[Keyword]:
        return [kw for item in self.items.values() for kw in item.keywords]


@cache
def edition(year: str = CURRENT_EDITION) -> Syllabus:
    """The syllabus of one edition (``2024`` or ``2026``)."""
    path = EDITIONS_DIR / f"{year}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in EDITIONS_DIR.glob("*.yaml")))
        raise ValueError(f"no syllabus edition {year!r} (known: {known})")
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YamlLoader)
    topics: dict[str, Topic] = {}
    items: dict[str, Item] = {}
    for section in data["sections"]:
        for sub in section["subsections"]:
            sub_items = []
            for raw in sub["items"]:
                keywords = tuple(
                    Keyword(k["name"], raw["key"], tuple(k.get("aliases", ())), bool(k.get("optional")), str(k.get("new_in", "")))
                    for k in raw["keywords"]
                )
                item = Item(raw["key"], raw["name"], sub["key"], keywords)
                items[item.key] = item
                sub_items.append(item)
            topics[sub["key"]] = Topic(sub["key"], sub["folder"], sub["name"], str(section["key"]), tuple(sub_items))
    areas = tuple(Area(a["key"], a["name"], tuple(str(s) for s in a["sections"]), int(a["exam_share"])) for a in data["areas"])
    return Syllabus(str(data["edition"]), data["title"], topics, items, areas)


def topics() -> dict[str, Topic]:
    return edition().topics


def topic_name(key: str) -> str:
    topic = topics().get(key)
    return topic.name if topic else key


_FOLDER = re.compile(r"^\d\d-\d_")


def folder_mismatch(folder: str, key: str) -> str | None:
    """A message when a syllabus-numbered folder holds a question of another topic."""
    if not _FOLDER.match(folder):
        return None  # private banks may name folders freely
    expected = topics().get(key)
    owner = next((t for t in topics().values() if t.folder == folder), None)
    if owner and owner.key != key:
        where = f"; it belongs in {expected.folder}/" if expected else ""
        return f"topic {key} is in folder {folder}/, which holds topic {owner.key}{where}"
    return None


def tag_problems(topic: str, items: list[str], keywords: list[str]) -> list[tuple[str, int | None, str]]:
    """What is wrong with a question's ``syllabus``/``keywords`` tags: (field, index, message with the fix)."""
    syllabus = edition()
    problems: list[tuple[str, int | None, str]] = []
    if topic not in syllabus.topics:
        known = ", ".join(syllabus.topics)
        return [("topic", None, f"{topic!r} is not a sub-section of the {syllabus.edition} syllabus; use one of {known}")]
    for i, key in enumerate(items):
        if key not in syllabus.items:
            mine = ", ".join(it.key for it in syllabus.topics[topic].items)
            problems.append(("syllabus", i, f"{key!r} is not a sub-item of the {syllabus.edition} syllabus (topic {topic} has {mine})"))
    if items and not any(syllabus.items.get(k) and syllabus.items[k].topic == topic for k in items):
        problems.append(("syllabus", None, f"none of these sub-items belongs to topic {topic}: list at least one {topic}-… sub-item first"))
    for i, text in enumerate(keywords):
        if syllabus.keyword(items, text) is None:
            near = [kw.name for key in items if key in syllabus.items for kw in syllabus.items[key].keywords]
            problems.append(("keywords", i, f"{text!r} is not a keyword of {', '.join(items) or 'the listed sub-items'}"
                             f" (they have: {', '.join(near) or 'none'}); fix the spelling or add the sub-item to `syllabus`"))
    return problems
