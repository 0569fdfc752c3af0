"""Progress statistics: accuracy per syllabus topic and question type (weakest first), recent activity,
coverage of the bank, the review schedule, and the questions most recently answered wrong."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from grader.bank.loader import Bank
from grader.bank.syllabus import topic_name
from grader.learner.storage import Store

GRADED = ("right", "partial", "wrong")
RECENT_DAYS = 14


def _rate(right: int, graded: int) -> float | None:
    return round(right / graded, 4) if graded else None


def _group(rows: list[Any], key: str, bank_counts: dict[str, int], in_bank: set[str]) -> list[dict[str, Any]]:
    acc: dict[str, dict[str, Any]] = defaultdict(lambda: {"attempts": 0, "graded": 0, "right": 0, "questions": set()})
    for r in rows:
        g = acc[r[key]]
        g["attempts"] += 1
        if r["verdict"] in GRADED:
            g["graded"] += 1
            g["right"] += r["verdict"] == "right"
            if r["question_id"] in in_bank:
                g["questions"].add(r["question_id"])
    out = []
    for name in sorted(set(acc) | set(bank_counts)):
        g = acc[name]
        entry: dict[str, Any] = {key if key != "qtype" else "type": name}
        if key == "topic":
            entry["name"] = topic_name(name)
        out.append({
            **entry,
            "attempts": g["attempts"],
            "graded": g["graded"],
            "right": g["right"],
            "accuracy": _rate(g["right"], g["graded"]),
            "questions_answered": len(g["questions"]),
            "questions_in_bank": bank_counts.get(name, 0),
        })  # fmt: skip
    # weakest first: lowest accuracy among those answered, then the never-answered ones
    out.sort(key=lambda g: (g["accuracy"] is None, g["accuracy"] if g["accuracy"] is not None else 0.0, -g["graded"]))
    return out


def compute_stats(store: Store, bank: Bank, *, now: float | None = None, recent: int = 100) -> dict[str, Any]:
    """Everything ``eshikaku stats`` shows, as plain data (what ``--json`` prints)."""
    from grader.learner import srs

    now = time.time() if now is None else now
    rows = store.attempts()
    bank_topics: dict[str, int] = defaultdict(int)
    bank_types: dict[str, int] = defaultdict(int)
    for q in bank.questions.values():
        bank_topics[q.topic] += 1
        bank_types[q.type] += 1
    graded = [r for r in rows if r["verdict"] in GRADED]
    right_ids = {r["question_id"] for r in graded if r["verdict"] == "right"}
    answered_ids = {r["question_id"] for r in graded}
    in_bank = set(bank.questions)
    today = datetime.fromtimestamp(now).date()
    days: dict[str, dict[str, int]] = {}
    for back in range(RECENT_DAYS - 1, -1, -1):
        days[(today - timedelta(days=back)).isoformat()] = {"attempts": 0, "right": 0}
    for r in rows:
        day = datetime.fromtimestamp(r["answered_at"]).date().isoformat()
        if day in days:
            days[day]["attempts"] += 1
            days[day]["right"] += r["verdict"] == "right"
    cards = store.cards()
    due_now = sum(1 for q, (due, _) in cards.items() if due <= now and q in in_bank)
    due_today = sum(1 for q, (due, _) in cards.items() if due <= srs.end_of_day(now) and q in in_bank)
    upcoming = [due for q, (due, _) in cards.items() if due > now and q in in_bank]
    schedule: dict[str, Any] = {
        "cards": len(cards),
        "due_now": due_now,
        "due_today": due_today,
        "next_due": datetime.fromtimestamp(min(upcoming)).isoformat(timespec="minutes") if upcoming else None,
        "next_due_in": srs.describe_due(min(upcoming), now) if upcoming else None,
    }
    exam_date = store.setting("exam_date")
    if exam_date:
        exam = srs.parse_exam_date(exam_date)
        ids = sorted(in_bank)
        schedule["exam_date"] = exam_date
        schedule["days_to_exam"] = srs.days_until(exam, now)
        schedule["predicted_exam_recall"] = round(srs.exam_forecast(ids, cards, exam), 4)
    sessions = store.conn.execute(
        "SELECT s.id, s.kind, s.state, s.started_at, s.elapsed, "
        "(SELECT count(*) FROM session_items i WHERE i.session_id = s.id) AS items, "
        "(SELECT count(*) FROM attempts a WHERE a.session_id = s.id AND a.verdict IN ('right','partial','wrong')) AS answered, "
        "(SELECT count(*) FROM attempts a WHERE a.session_id = s.id AND a.verdict = 'right') AS right "
        "FROM sessions s ORDER BY s.started_at DESC LIMIT 10"
    ).fetchall()
    return {
        "database": str(store.path),
        "totals": {
            "attempts": len(rows),
            "graded": len(graded),
            "right": sum(1 for r in graded if r["verdict"] == "right"),
            "accuracy": _rate(sum(1 for r in graded if r["verdict"] == "right"), len(graded)),
            "skipped": sum(1 for r in rows if r["verdict"] == "skipped"),
            "grader_errors": sum(1 for r in rows if r["verdict"] == "error"),
            "seconds": round(sum(r["seconds"] or 0 for r in rows), 1),
        },
        "bank": {
            "questions": len(in_bank),
            "answered": len(answered_ids & in_bank),
            "answered_right": len(right_ids & in_bank),
            "coverage": _rate(len(answered_ids & in_bank), len(in_bank)),
            "mastery": _rate(len(right_ids & in_bank), len(in_bank)),
        },
        "by_area": by_area(rows, bank),
        "by_topic": _group(rows, "topic", bank_topics, in_bank),
        "by_type": _group(rows, "qtype", bank_types, in_bank),
        "recent_days": [{"date": d, **v} for d, v in days.items()],
        "recent_sessions": [
            {"id": s["id"], "kind": s["kind"], "state": s["state"], "started": datetime.fromtimestamp(s["started_at"]).isoformat(timespec="seconds"),
             "items": s["items"], "answered": s["answered"], "right": s["right"], "seconds": round(s["elapsed"], 1)}
            for s in sessions
        ],  # fmt: skip
        "schedule": schedule,
        "recent_attempts": [attempt_dict(r) for r in rows[:recent]],
    }


def by_area(rows: list[Any], bank: Bank) -> list[dict[str, Any]]:
    """Accuracy in each of the exam's four reported areas (応用数学, 機械学習, 深層学習, 開発環境), in syllabus order."""
    from grader.bank.syllabus import edition

    syllabus = edition()
    out = []
    for area in syllabus.areas:
        mine = [r for r in rows if r["verdict"] in GRADED and r["topic"].split("-")[0] in area.sections]
        right = sum(r["verdict"] == "right" for r in mine)
        in_bank = sum(1 for q in bank.questions.values() if q.topic.split("-")[0] in area.sections)
        out.append({"area": area.key, "name": area.name, "graded": len(mine), "right": right, "accuracy": _rate(right, len(mine)),
                    "questions_answered": len({r["question_id"] for r in mine}), "questions_in_bank": in_bank, "exam_share": area.exam_share})
    return out


def attempt_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row["question_id"],
        "at": datetime.fromtimestamp(row["answered_at"]).isoformat(timespec="seconds"),
        "session": row["session_id"],
        "mode": row["mode"],
        "topic": row["topic"],
        "type": row["qtype"],
        "content_hash": row["content_hash"],
        "seed": row["seed"],
        "response": row["response"],
        "verdict": row["verdict"],
        "score": row["score"],
        "seconds": row["seconds"],
        "hints": row["hints"],
        "rating": row["rating"],
    }


def recent_mistakes(store: Store, bank: Bank, limit: int = 20) -> list[dict[str, Any]]:
    """Questions whose latest graded attempt was not right, most recent first (still in the bank)."""
    rows = store.conn.execute(
        """
        SELECT a.* FROM attempts a
        WHERE a.verdict IN ('right', 'partial', 'wrong')
          AND a.id = (SELECT a2.id FROM attempts a2 WHERE a2.question_id = a.question_id
                        AND a2.verdict IN ('right', 'partial', 'wrong') ORDER BY a2.answered_at DESC, a2.id DESC LIMIT 1)
          AND a.verdict != 'right'
        ORDER BY a.answered_at DESC, a.id DESC
        """
    ).fetchall()
    counts = {r["question_id"]: r["n"] for r in store.conn.execute(
        "SELECT question_id, count(*) AS n FROM attempts WHERE verdict IN ('partial', 'wrong') GROUP BY question_id")}  # fmt: skip
    out = []
    for r in rows:
        question = bank.get(r["question_id"])
        if question is None:
            continue
        out.append({**attempt_dict(r), "title": question.title, "times_wrong": counts.get(r["question_id"], 1)})
        if len(out) >= limit:
            break
    return out
