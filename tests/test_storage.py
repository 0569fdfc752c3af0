"""The progress database: every answer stored at once (a SIGKILL loses nothing answered), two
processes at once, damaged / foreign / newer-schema files refused and left untouched, history kept
across question edits."""

from __future__ import annotations

import os
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from progress_helpers import FIXTURE_BANK, ROOT, eshikaku_command, isolated_env, run, run_json, shown_label

from grader.learner.database import APPLICATION_ID, SCHEMA_VERSION
from grader.learner.storage import AttemptRecord, ItemRow, Store, StoreError, resolve_db_path

ANSWERS = [("fx_sigmoid_max", "2", "right"), ("fx_conv_shape", "6x6", "wrong"), ("fx_pooling_choice", "1", "right")]


def _record(qid: str = "fx_sigmoid_max", verdict: str = "right", content: str = "h1") -> AttemptRecord:
    return AttemptRecord(qid, content, "3-1", "choice", 1, "2", verdict, 1.0 if verdict == "right" else 0.0, 3.0, 0, "quiz")


class _Output:
    """What a child process printed so far, read without ever blocking past a deadline."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.stream = proc.stdout
        self.seen = b""
        self.pos = 0

    def wait_for(self, marker: str, timeout: float = 30) -> None:
        wanted = marker.encode()
        deadline = time.monotonic() + timeout
        while (found := self.seen.find(wanted, self.pos)) < 0:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.stream], [], [], max(0.0, left))
            assert ready and left > 0, f"no {marker!r} within {timeout} s; output: " + self.seen.decode("utf-8", "replace")
            chunk = os.read(self.stream.fileno(), 65536)
            assert chunk, self.seen.decode("utf-8", "replace")
            self.seen += chunk
        self.pos = found + len(wanted)


def test_sigkill_mid_session_loses_no_answered_question(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    ids = [a[0] for a in ANSWERS] + ["fx_relu_choice"]
    proc = subprocess.Popen(
        eshikaku_command() + ["--bank", str(FIXTURE_BANK), "--bank-only", "quiz", *ids, "--seed", "11"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
    )  # fmt: skip
    assert proc.stdin is not None
    output = _Output(proc)
    for n, (qid, answer, _verdict) in enumerate(ANSWERS, 1):
        answer = shown_label(qid, answer, 11, n - 1)  # the label the key is shown under
        output.wait_for(f"=== {n}/4 ===")
        proc.stdin.write(answer.encode() + b"\n")
        proc.stdin.flush()
        output.wait_for("解説:")
    proc.stdin.write(b"3")  # the fourth answer is being typed: it may be lost
    proc.stdin.flush()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    with Store(env["ESHIKAKU_DB"]) as store:
        rows = store.conn.execute("SELECT question_id, verdict, session_id FROM attempts ORDER BY id").fetchall()
        assert [(r["question_id"], r["verdict"]) for r in rows] == [(q, v) for q, _, v in ANSWERS]
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        session = store.latest_open(("quiz",))
        assert session is not None and session.id == rows[0]["session_id"]

    # and the session continues where it stopped
    done = run(env, "--bank", str(FIXTURE_BANK), "--bank-only", "quiz", "--resume", "--json", input=shown_label("fx_relu_choice", "3", 11, 3) + "\n")
    assert done.returncode == 0, done.stderr
    assert "=== 4/4 ===" in done.stderr
    summary = __import__("json").loads(done.stdout)
    assert summary["finished"] and summary["answered"] == 4 and summary["right"] == 3


def test_two_processes_write_at_once(tmp_path: Path) -> None:
    db = tmp_path / "progress.sqlite3"
    Store(db).close()
    writer = (
        "import sys; from grader.learner.storage import Store, AttemptRecord; from grader.learner import srs\n"
        "s = Store(sys.argv[1])\n"
        "for i in range(60):\n"
        "    q = f'q{i % 7}'\n"
        "    r = AttemptRecord(q, 'h', '3-1', 'choice', i, '1', 'right' if i % 3 else 'wrong', 1.0, 2.0, 0, 'quiz')\n"
        "    s.record_attempt(r, schedule=srs.schedule_update(srs.rating_for(r.verdict, 2.0, 0, 'choice'), 1.7e9 + i, 2.0))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(db)], cwd=ROOT) for _ in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with Store(db) as store:
        assert store.conn.execute("SELECT count(*) FROM attempts").fetchone()[0] == 120
        assert store.conn.execute("SELECT count(*) FROM cards").fetchone()[0] == 7
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _refused(tmp_path: Path, db: Path, needle: str) -> None:
    before = db.read_bytes()
    env = isolated_env(tmp_path)
    for args in (["stats"], ["quiz", "--plain"]):
        done = run(env, "--db", str(db), *args, input="")
        assert done.returncode == 2, done.stdout + done.stderr
        assert needle in done.stderr and "Traceback" not in done.stderr
        assert "触れていません" in done.stderr
    assert db.read_bytes() == before
    assert not Path(str(db) + "-wal").exists() or Path(str(db) + "-wal").stat().st_size == 0


def test_a_damaged_file_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    db = tmp_path / "damaged.sqlite3"
    db.write_bytes(b"this is not a database\x00" * 300)
    _refused(tmp_path, db, "壊れている")


def test_a_newer_schema_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    db = tmp_path / "newer.sqlite3"
    Store(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    _refused(tmp_path, db, "新しい eshikaku")


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    _refused(tmp_path, db, "eshikaku の進捗データベースではありません")
    with pytest.raises(StoreError):
        Store(db)


def test_a_new_database_is_marked_and_versioned(tmp_path: Path) -> None:
    with Store(tmp_path / "sub" / "p.sqlite3") as store:
        assert store.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_db_option_env_and_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("ESHIKAKU_DB", raising=False)
    assert resolve_db_path() == tmp_path / "data" / "eshikaku" / "progress.sqlite3"
    monkeypatch.setenv("ESHIKAKU_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_db_path() == tmp_path / "env.sqlite3"
    assert resolve_db_path(tmp_path / "opt.sqlite3") == tmp_path / "opt.sqlite3"
    env = isolated_env(tmp_path)
    missing = run(env, "--db", str(tmp_path / "opt.sqlite3"), "stats", "--json")  # a mistyped --db is not created silently
    assert missing.returncode == 2 and "--create" in missing.stderr and not (tmp_path / "opt.sqlite3").exists()
    stats = run_json(env, "--db", str(tmp_path / "opt.sqlite3"), "--create", "stats", "--json")
    assert stats["database"] == str(tmp_path / "opt.sqlite3")
    assert run(env, "--db", str(tmp_path / "opt.sqlite3"), "stats").returncode == 0  # it exists now


def test_editing_a_question_keeps_its_history(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(FIXTURE_BANK, bank)
    env = isolated_env(tmp_path)
    args = ["--bank", str(bank), "--bank-only"]
    first = shown_label("fx_pooling_choice", "2", 4)
    assert run(env, *args, "quiz", "fx_pooling_choice", "--seed", "4", input=first + "\n").returncode == 0
    path = bank / "03-4" / "fx_pooling_choice.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("正しいものを選べ。", "正しいものを 1 つ選べ。"), encoding="utf-8")
    assert run(env, *args, "quiz", "fx_pooling_choice", "--seed", "4", input=shown_label("fx_pooling_choice", "1", 4) + "\n").returncode == 0
    stats = run_json(env, *args, "stats", "--json")
    history = [a for a in stats["recent_attempts"] if a["id"] == "fx_pooling_choice"]
    assert [a["verdict"] for a in history] == ["right", "wrong"]  # newest first
    assert history[0]["content_hash"] != history[1]["content_hash"]
    assert run_json(env, *args, "mistakes", "--json") == []  # the latest answer (to the new version) is right


def test_record_attempt_is_atomic_with_the_session_item(tmp_path: Path) -> None:
    with Store(tmp_path / "p.sqlite3") as store:
        session = store.create_session("quiz", [ItemRow(0, "fx_sigmoid_max", 5, "h1"), ItemRow(1, "fx_conv_shape", 6, "h2")], {})

        def broken_schedule(card: str | None) -> tuple[str, float, int]:
            raise RuntimeError("scheduler failed")

        with pytest.raises(RuntimeError):
            store.record_attempt(_record(), session_id=session.id, pos=0, item_status="answered", schedule=broken_schedule)
        assert store.session_attempts(session.id) == []
        assert store.items(session.id)[0].status == "pending"
        store.record_attempt(_record(), session_id=session.id, pos=0, item_status="answered", next_position=1)
        assert [i.status for i in store.items(session.id)] == ["answered", "pending"]
        assert store.session(session.id).position == 1  # type: ignore[union-attr]
