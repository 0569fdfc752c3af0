"""The learner's progress: sessions, attempts and review cards, read and written through :class:`Store`.

Every answer is written in its own short transaction the moment it is graded, so killing the process
(SIGKILL included) loses at most the answer being typed. The file itself (its schema, and refusing a file
that is not ours, damaged or newer) is :mod:`grader.learner.database`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.bank.content import content_hash as content_hash  # where it is kept for every loaded question
from grader.learner.database import APPLICATION_ID, KINDS, PRACTICE_KINDS, StoreError, connect, resolve_db_path

__all__ = ["APPLICATION_ID", "PRACTICE_KINDS", "AttemptRecord", "ItemRow", "SessionRow", "Store", "StoreError", "content_hash", "open_store", "resolve_db_path"]



@dataclass(frozen=True)
class SessionRow:
    id: str
    kind: str
    state: str
    started_at: float
    updated_at: float
    finished_at: float | None
    elapsed: float
    time_limit: float | None
    position: int
    options: dict[str, Any]


@dataclass
class ItemRow:
    pos: int
    question_id: str
    seed: int | None
    content_hash: str
    status: str = "pending"
    hints: int = 0
    response: str | None = None
    flagged: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class AttemptRecord:
    """One graded (or skipped) answer, as written to the ``attempts`` table."""

    question_id: str
    content_hash: str
    topic: str
    qtype: str
    seed: int | None
    response: str | None
    verdict: str
    score: float
    seconds: float | None
    hints: int
    mode: str
    detail: dict[str, Any] | None = None


class Store:
    """An open progress database. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.conn = connect(self.path)

    @property
    def history_path(self) -> Path:
        """The line editor's history, kept beside the database."""
        return self.path.with_name(self.path.name + ".history")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction (``BEGIN IMMEDIATE`` takes the write lock at once, waiting up to the busy timeout)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # ----------------------------------------------------------------------- sessions

    def create_session(self, kind: str, items: list[ItemRow], options: dict[str, Any], time_limit: float | None = None) -> SessionRow:
        assert kind in KINDS
        sid = os.urandom(6).hex()
        now = time.time()
        with self.transaction() as c:
            c.execute(
                "INSERT INTO sessions (id, kind, started_at, updated_at, time_limit, options) VALUES (?, ?, ?, ?, ?, ?)",
                (sid, kind, now, now, time_limit, json.dumps(options, ensure_ascii=False)),
            )
            c.executemany(
                "INSERT INTO session_items (session_id, pos, question_id, seed, content_hash) VALUES (?, ?, ?, ?, ?)",
                [(sid, i.pos, i.question_id, i.seed, i.content_hash) for i in items],
            )
        session = self.session(sid)
        assert session is not None
        return session

    def session(self, sid: str) -> SessionRow | None:
        row = self.conn.execute("SELECT * FROM sessions WHERE id = ?", (sid,)).fetchone()
        return _session(row) if row else None

    def latest_open(self, kinds: tuple[str, ...]) -> SessionRow | None:
        marks = ",".join("?" * len(kinds))
        row = self.conn.execute(
            f"SELECT * FROM sessions WHERE state = 'open' AND kind IN ({marks}) ORDER BY updated_at DESC LIMIT 1", kinds
        ).fetchone()
        return _session(row) if row else None

    def open_sessions(self, kinds: tuple[str, ...]) -> int:
        marks = ",".join("?" * len(kinds))
        return int(self.conn.execute(f"SELECT count(*) FROM sessions WHERE state = 'open' AND kind IN ({marks})", kinds).fetchone()[0])

    def items(self, sid: str) -> list[ItemRow]:
        rows = self.conn.execute("SELECT * FROM session_items WHERE session_id = ? ORDER BY pos", (sid,)).fetchall()
        return [
            ItemRow(r["pos"], r["question_id"], r["seed"], r["content_hash"], r["status"], r["hints"], r["response"], bool(r["flagged"]), r["seconds"])
            for r in rows
        ]

    def update_item(self, sid: str, pos: int, **fields: Any) -> None:
        allowed = {"status", "hints", "response", "flagged", "seconds", "content_hash"}
        assert set(fields) <= allowed, fields
        sets = ", ".join(f"{k} = ?" for k in fields)
        with self.transaction() as c:
            c.execute(f"UPDATE session_items SET {sets} WHERE session_id = ? AND pos = ?", (*fields.values(), sid, pos))
            c.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (time.time(), sid))

    def touch_session(self, sid: str, *, position: int | None = None, elapsed: float | None = None) -> None:
        with self.transaction() as c:
            if position is not None:
                c.execute("UPDATE sessions SET position = ? WHERE id = ?", (position, sid))
            if elapsed is not None:
                c.execute("UPDATE sessions SET elapsed = ? WHERE id = ?", (elapsed, sid))
            c.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (time.time(), sid))

    def finish_session(self, sid: str, state: str = "finished", elapsed: float | None = None) -> None:
        now = time.time()
        with self.transaction() as c:
            c.execute(
                "UPDATE sessions SET state = ?, finished_at = ?, updated_at = ?, elapsed = coalesce(?, elapsed) WHERE id = ?",
                (state, now, now, elapsed, sid),
            )

    # ----------------------------------------------------------------------- attempts

    def record_attempt(
        self,
        record: AttemptRecord,
        *,
        session_id: str | None = None,
        pos: int | None = None,
        item_status: str | None = None,
        next_position: int | None = None,
        elapsed: float | None = None,
        schedule: Callable[[str | None], tuple[str, float, int]] | None = None,
    ) -> int:
        """Writes one attempt, its session item's new status and the question's review card, atomically.

        ``schedule`` receives the current card JSON (or None) and returns (new card JSON, due epoch,
        rating); it runs inside the transaction so two processes never lose each other's review.
        """
        now = time.time()
        with self.transaction() as c:
            attempt_id = _insert_attempt(c, record, session_id, pos, schedule, now)
            if session_id is not None and pos is not None and item_status is not None:
                c.execute(
                    "UPDATE session_items SET status = ?, content_hash = ? WHERE session_id = ? AND pos = ?",
                    (item_status, record.content_hash, session_id, pos),
                )
            if session_id is not None:
                c.execute(
                    "UPDATE sessions SET updated_at = ?, position = coalesce(?, position), elapsed = coalesce(?, elapsed) WHERE id = ?",
                    (now, next_position, elapsed, session_id),
                )
        return attempt_id

    def submit_session(
        self,
        sid: str,
        graded: list[tuple[AttemptRecord, int, Callable[[str | None], tuple[str, float, int]] | None]],
        *,
        elapsed: float,
        state: str = "submitted",
    ) -> bool:
        """Writes every attempt of a session and closes it, all in one transaction (an exam's submission).

        Returns False, writing nothing, when the session was already closed (by another process).
        """
        now = time.time()
        with self.transaction() as c:
            if c.execute("SELECT state FROM sessions WHERE id = ?", (sid,)).fetchone()["state"] != "open":
                return False
            for record, pos, schedule in graded:
                _insert_attempt(c, record, sid, pos, schedule, now)
            c.execute(
                "UPDATE sessions SET state = ?, finished_at = ?, updated_at = ?, elapsed = ? WHERE id = ?", (state, now, now, elapsed, sid)
            )
        return True

    def session_attempts(self, sid: str) -> list[sqlite3.Row]:
        return self.conn.execute("SELECT * FROM attempts WHERE session_id = ? ORDER BY id", (sid,)).fetchall()

    def attempts(self, *, since: float | None = None, limit: int | None = None) -> list[sqlite3.Row]:
        sql = "SELECT * FROM attempts"
        args: list[Any] = []
        if since is not None:
            sql += " WHERE answered_at >= ?"
            args.append(since)
        sql += " ORDER BY answered_at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return self.conn.execute(sql, args).fetchall()

    def question_summary(self) -> dict[str, dict[str, Any]]:
        """Per question: graded attempts, right ones, the last verdict and when (skips and grader errors left out)."""
        rows = self.conn.execute(
            """
            SELECT question_id, count(*) AS n, sum(verdict = 'right') AS right, max(answered_at) AS last_at,
                   (SELECT a2.verdict FROM attempts a2 WHERE a2.question_id = a.question_id
                      AND a2.verdict IN ('right', 'partial', 'wrong') ORDER BY a2.answered_at DESC, a2.id DESC LIMIT 1) AS last_verdict
            FROM attempts a WHERE verdict IN ('right', 'partial', 'wrong') GROUP BY question_id
            """
        ).fetchall()
        return {r["question_id"]: dict(r) for r in rows}

    # ----------------------------------------------------------------------- cards and settings

    def cards(self) -> dict[str, tuple[float, str]]:
        return {r["question_id"]: (r["due"], r["card"]) for r in self.conn.execute("SELECT * FROM cards")}

    def card(self, question_id: str) -> str | None:
        row = self.conn.execute("SELECT card FROM cards WHERE question_id = ?", (question_id,)).fetchone()
        return row["card"] if row else None

    def rerate(self, attempt_id: int, question_id: str, card: str, due: float, rating: int) -> None:
        """Gives an attempt another rating, with the review card it leads to (one transaction)."""
        with self.transaction() as c:
            c.execute("UPDATE attempts SET rating = ? WHERE id = ?", (rating, attempt_id))
            c.execute(
                "INSERT INTO cards (question_id, due, card, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (question_id) "
                "DO UPDATE SET due = excluded.due, card = excluded.card, updated_at = excluded.updated_at",
                (question_id, due, card, time.time()),
            )

    def setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else None

    def set_setting(self, key: str, value: str | None) -> None:
        with self.transaction() as c:
            if value is None:
                c.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                c.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def _insert_attempt(
    c: sqlite3.Connection,
    record: AttemptRecord,
    session_id: str | None,
    pos: int | None,
    schedule: Callable[[str | None], tuple[str, float, int]] | None,
    now: float,
) -> int:
    rating = None
    if schedule is not None:
        row = c.execute("SELECT card FROM cards WHERE question_id = ?", (record.question_id,)).fetchone()
        card, due, rating = schedule(row["card"] if row else None)
        c.execute(
            "INSERT INTO cards (question_id, due, card, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (question_id) "
            "DO UPDATE SET due = excluded.due, card = excluded.card, updated_at = excluded.updated_at",
            (record.question_id, due, card, now),
        )
    cur = c.execute(
        "INSERT INTO attempts (session_id, pos, question_id, content_hash, topic, qtype, seed, response, verdict, score, "
        "seconds, hints, rating, mode, answered_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            session_id, pos, record.question_id, record.content_hash, record.topic, record.qtype, record.seed,
            record.response, record.verdict, record.score, record.seconds, record.hints, rating, record.mode, now,
            json.dumps(record.detail, ensure_ascii=False) if record.detail else None,
        ),
    )  # fmt: skip
    return int(cur.lastrowid or 0)


def _session(row: sqlite3.Row) -> SessionRow:
    return SessionRow(
        row["id"], row["kind"], row["state"], row["started_at"], row["updated_at"], row["finished_at"],
        row["elapsed"], row["time_limit"], row["position"], json.loads(row["options"] or "{}"),
    )  # fmt: skip


def open_store(path: str | os.PathLike[str] | None = None) -> Store:
    """Opens (creating if needed) the progress database at ``path`` (see :func:`resolve_db_path`)."""
    return Store(resolve_db_path(path))
