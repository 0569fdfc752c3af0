"""Exercise files, as rustlings has them: ``eshikaku practice TOPIC`` writes ``exercises/<id>.py`` (the task
as a comment, then the template) for each code question of a topic, and ``eshikaku watch`` regrades a file
each time it is saved, recording progress as ``submit`` does. Saving is noticed by polling the files'
modification times (it works on every file system, WSL's included)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from grader.bank.schema import CodeBase
from grader.errors import UsageError
from grader.i18n import _
from grader.learner.context import Env, get_question
from grader.learner.drafts import task_template
from grader.learner.inputs import read_file

POLL_SECONDS = 0.25


def write_exercises(env: Env, topic: str, folder: Path) -> tuple[list[Path], list[Path]]:
    """Writes one file per code question of ``topic`` into ``folder``; existing files (the learner's work)
    are kept. Returns (written, kept)."""
    from grader.bank.catalog import select

    questions = [q for q in select(env.bank(), topic=topic) if isinstance(q, CodeBase)]
    if not questions:
        raise UsageError(_("トピック {topic} にコードの問題はありません: `eshikaku list --topic {topic}` で確かめてください").format(topic=topic))
    folder.mkdir(parents=True, exist_ok=True)
    written, kept = [], []
    for question in questions:
        path = folder / f"{question.id}.py"
        if path.exists():
            kept.append(path)
            continue
        path.write_text(task_template(question), encoding="utf-8")
        written.append(path)
    return written, kept


def exercise_files(target: Path) -> list[Path]:
    return sorted(target.glob("*.py")) if target.is_dir() else [target]


def grade_file(env: Env, path: Path) -> tuple[Any, list[str]]:
    """Grades one exercise file (its name is the question id) and records the attempt. Returns (result, notes)."""
    from grader.learner.commands import grade_and_record

    question = get_question(env.bank(quiet=True), path.stem)
    if not isinstance(question, CodeBase):
        raise UsageError(_("{id} はコードの問題ではありません").format(id=question.id))
    decoded = read_file(path)
    return grade_and_record(env, question, decoded.text, mode="watch"), [decoded.note] if decoded.note else []


def changes(files: list[Path], *, interval: float = POLL_SECONDS, first: bool = True) -> Iterator[Path]:
    """Yields each file when it is saved (and every file once at the start when ``first``); runs until Ctrl-C."""
    seen: dict[Path, float] = {}
    for path in files:
        try:
            seen[path] = path.stat().st_mtime_ns
        except OSError:
            seen[path] = 0
        if first:
            yield path
    while True:
        time.sleep(interval)
        for path in files:
            try:
                stamp = path.stat().st_mtime_ns
            except OSError:
                continue
            if stamp != seen[path]:
                seen[path] = stamp
                yield path


def watch(env: Env, target: Path, show: Callable[[Path, Any, list[str]], None], *, interval: float = POLL_SECONDS) -> None:
    """Grades every exercise file under ``target`` now and again on each save, until Ctrl-C."""
    files = exercise_files(target)
    if not files:
        raise UsageError(_("{path} に演習ファイル (*.py) がありません: `eshikaku practice TOPIC` で作れます").format(path=target))
    for path in changes(files, interval=interval):
        try:
            result, notes = grade_file(env, path)
        except UsageError as exc:
            show(path, None, [str(exc)])
            continue
        show(path, result, notes)
