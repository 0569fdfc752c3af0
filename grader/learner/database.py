"""The progress database file: its schema, where it lives, and opening it safely.

SQLite in WAL mode with a busy timeout, so two quiz processes can share the file. A file that is not an
eshikaku database, is damaged, or was written by a newer eshikaku is reported (saying what to do) and
never written to; a new file is created with the schema, marked with the application id and versioned.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from grader.i18n import _

SCHEMA_VERSION = 1
APPLICATION_ID = 0x45534B4B  # "ESKK": marks the file as an eshikaku progress database
BUSY_TIMEOUT_MS = 10_000
DB_ENV = "ESHIKAKU_DB"

VERDICTS = ("right", "partial", "wrong", "skipped", "error")
KINDS = ("quiz", "review", "cram", "mistakes", "exam")
PRACTICE_KINDS = ("quiz", "review", "cram", "mistakes")

SCHEMA = """
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('quiz', 'review', 'cram', 'mistakes', 'exam')),
    state       TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'finished', 'submitted', 'abandoned')),
    started_at  REAL NOT NULL,
    updated_at  REAL NOT NULL,
    finished_at REAL,
    elapsed     REAL NOT NULL DEFAULT 0,      -- seconds of session time used so far (the exam timer)
    time_limit  REAL,                          -- seconds allowed (exam)
    position    INTEGER NOT NULL DEFAULT 0,    -- the item on screen
    options     TEXT NOT NULL DEFAULT '{}'     -- JSON: how the questions were chosen
);
CREATE TABLE session_items (
    session_id   TEXT NOT NULL REFERENCES sessions (id),
    pos          INTEGER NOT NULL,
    question_id  TEXT NOT NULL,
    seed         INTEGER,                      -- parameters and choice order of this attempt
    content_hash TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'answered', 'skipped')),
    hints        INTEGER NOT NULL DEFAULT 0,
    response     TEXT,                         -- exam: the current answer, changeable until submitted
    flagged      INTEGER NOT NULL DEFAULT 0,
    seconds      REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (session_id, pos)
);
CREATE TABLE attempts (
    id           INTEGER PRIMARY KEY,
    session_id   TEXT REFERENCES sessions (id),
    pos          INTEGER,
    question_id  TEXT NOT NULL,
    content_hash TEXT NOT NULL,               -- which version of the question was answered
    topic        TEXT NOT NULL,
    qtype        TEXT NOT NULL,
    seed         INTEGER,
    response     TEXT,
    verdict      TEXT NOT NULL CHECK (verdict IN ('right', 'partial', 'wrong', 'skipped', 'error')),
    score        REAL NOT NULL,
    seconds      REAL,
    hints        INTEGER NOT NULL DEFAULT 0,
    rating       INTEGER,                      -- FSRS rating given (NULL: the schedule was not touched)
    mode         TEXT NOT NULL,
    answered_at  REAL NOT NULL,
    detail       TEXT                          -- JSON: code results, grading notes
);
CREATE INDEX attempts_by_question ON attempts (question_id, answered_at);
CREATE INDEX attempts_by_time ON attempts (answered_at);
CREATE INDEX attempts_by_session ON attempts (session_id, pos);
CREATE TABLE cards (
    question_id TEXT PRIMARY KEY,
    due         REAL NOT NULL,                 -- epoch seconds, for the due query
    card        TEXT NOT NULL,                 -- fsrs.Card.to_json()
    updated_at  REAL NOT NULL
);
CREATE INDEX cards_by_due ON cards (due);
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class StoreError(Exception):
    """The progress database cannot be used; the message says why and what to do."""


def default_db_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("eshikaku", appauthor=False) / "progress.sqlite3"


def resolve_db_path(option: str | os.PathLike[str] | None = None) -> Path:
    """``--db``, else ``$ESHIKAKU_DB``, else the user data directory."""
    chosen = option or os.environ.get(DB_ENV)
    return Path(chosen).expanduser() if chosen else default_db_path()


def connect(path: Path) -> sqlite3.Connection:
    """The open database at ``path``, created with the schema when the file is new or empty.

    Raises:
        StoreError: The file cannot be opened, is not ours, is damaged or is newer (nothing was written).
    """
    if path.exists() and path.is_dir():
        raise StoreError(_("{path} はフォルダです: --db にはデータベースのファイルを指定してください").format(path=path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(_("進捗データベース {path} のフォルダを作れません: {error}").format(path=path, error=exc)) from None
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except sqlite3.Error as exc:
        raise StoreError(_("進捗データベース {path} を開けません: {error}").format(path=path, error=exc)) from None
    conn.row_factory = sqlite3.Row
    try:
        _check_or_create(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            raise StoreError(_("進捗データベース {path} は別のプロセスがロックしたままです: もう一度試してください").format(path=path)) from None
        raise StoreError(_("進捗データベース {path} は壊れているか、データベースではありません ({error})。ファイルには触れていません: "
                           "移動して始め直すか、--db PATH / {env} で別のファイルを指定してください").format(path=path, error=exc, env=DB_ENV)) from None
    except StoreError:
        conn.close()
        raise
    return conn


def _check_or_create(c: sqlite3.Connection, path: Path) -> None:
    c.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    app_id = c.execute("PRAGMA application_id").fetchone()[0]  # reading the header finds a non-database
    version = c.execute("PRAGMA user_version").fetchone()[0]
    tables = c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id == 0 and version == 0 and tables == 0:
        _create(c)
        return
    if app_id != APPLICATION_ID:
        raise StoreError(_("{path} は SQLite のデータベースですが eshikaku の進捗データベースではありません。ファイルには触れていません: "
                           "--db / {env} で別のファイルを指定してください").format(path=path, env=DB_ENV))
    if version > SCHEMA_VERSION:
        raise StoreError(_("進捗データベース {path} は新しい eshikaku が書いたものです (スキーマ {version}、この版が読めるのは {known} まで)。"
                           "eshikaku を更新してください (pip install -U eshikaku)。ファイルには触れていません").format(
                               path=path, version=version, known=SCHEMA_VERSION))
    if version < 1:
        raise StoreError(_("進捗データベース {path} にスキーマの版がありません。ファイルには触れていません").format(path=path))
    _pragmas(c)


def _pragmas(c: sqlite3.Connection) -> None:
    mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if str(mode).lower() != "wal":  # e.g. a network file system: still safe, only less concurrent
        c.execute("PRAGMA journal_mode = DELETE")
    # NORMAL in WAL mode: a committed answer survives the process being killed; only a power cut may
    # lose the last commits, never corrupt the file.
    c.execute("PRAGMA synchronous = NORMAL")
    c.execute("PRAGMA foreign_keys = ON")


def _create(c: sqlite3.Connection) -> None:
    c.execute("BEGIN IMMEDIATE")
    try:
        if c.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:  # another process may have won
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    c.execute(statement)
            c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            c.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        c.execute("COMMIT")
    except BaseException:
        c.execute("ROLLBACK")
        raise
    _pragmas(c)
