"""What every learner command starts from: the bank (with one warning per broken file), the progress
database (a mistyped ``--db`` is refused unless ``--create``), and a question by id ("did you mean")."""

from __future__ import annotations

import difflib
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from grader.bank.loader import Bank, load_bank, load_question
from grader.bank.schema import Question
from grader.errors import BankFault, UsageError
from grader.i18n import _
from grader.learner.storage import Store, StoreError, resolve_db_path


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


@dataclass
class Env:
    bank_paths: list[Path]
    db: Path | None = None
    db_given: bool = False  # typed as --db (not from the environment): it must exist unless `create`
    create: bool = False
    warn: Callable[[str], None] = field(default=_stderr)
    interrupted: Callable[[], bool] = field(default=lambda: False)  # the one who asked has gone: record nothing more

    def bank(self, *, quiet: bool = False) -> Bank:
        """Loads the bank, saying once per broken file that it was skipped (the valid questions stay usable)."""
        bank = load_bank(self.bank_paths)
        if not quiet:
            for path in bank.broken_files:
                first = next(e for e in bank.errors if e.path == path)
                # the problem itself is in the bank author's language, as validate prints it
                self.warn(_("注意: 壊れた問題ファイルをとばしました: {problem}  (`eshikaku validate` ですべての問題を確かめられます)").format(problem=first))
        return bank

    def question(self, qid: str) -> Question:
        """The question ``qid``, read from its own file when that loads cleanly (``submit`` needs no
        other, and reading one file is most of its start-up saved); otherwise from the whole bank, which
        warns about each broken file and names the nearest ids.

        Raises:
            UsageError: No such id.
        """
        question = load_question(qid, self.bank_paths)
        return question if question is not None else get_question(self.bank(), qid)

    @property
    def db_path(self) -> Path:
        return resolve_db_path(self.db)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """The progress database; a damaged, foreign or newer-schema file is a clear error, never rewritten."""
        path = self.db_path
        if self.db_given and not self.create and not path.exists():
            raise UsageError(_("進捗データベース {path} がありません。パスを確かめるか、新しく作るなら --create を付けてください").format(path=path))
        try:
            store = Store(path)
        except StoreError as exc:
            raise UsageError(str(exc)) from None
        try:
            yield store
        except sqlite3.DatabaseError as exc:
            raise UsageError(_("進捗データベース {path} を使えません ({error})。これ以上は書き換えていません。移動するか --db PATH を指定してください").format(
                path=path, error=exc)) from None
        finally:
            store.close()


def get_question(bank: Bank, qid: str) -> Question:
    """The question ``qid``; an unknown id names the nearest ids (typos included).

    Raises:
        UsageError: No such id.
    """
    question = bank.get(qid)
    if question is None:
        ids = list(bank.questions)
        near = [q for q in ids if qid in q or q in qid]
        near += [q for q in difflib.get_close_matches(qid, ids, n=5, cutoff=0.75) if q not in near]
        hint = _(" もしかして: {ids}?").format(ids=", ".join(near[:5])) if near else _(" `eshikaku list` で id を確かめてください。")
        raise UsageError(_("id {qid!r} の問題はありません。").format(qid=qid) + hint)
    return question


def bank_error(qid: str, exc: Exception) -> BankFault:
    return BankFault(_("問題集のエラー ({id}): {error}").format(id=qid, error=exc))
