"""Grading from Jupyter or IPython, where many learners already work.

``%load_ext eshikaku`` registers the cell magic ``%%eshikaku ID``: the cell's code is graded in the same
sandbox as ``eshikaku submit`` and the verdict is shown as HTML (the cases, the diagnosis, the verdict's
colour). ``eshikaku.check(ID, func_or_source)`` does the same from plain Python. Each check is recorded
in the progress database, so ``stats``, ``review`` and ``mistakes`` see it. IPython itself is needed only
for the magic (``pip install 'eshikaku[notebook]'``).
"""

from __future__ import annotations

import html
import inspect
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.i18n import _

COLOURS = {"right": "#1a7f37", "partial": "#9a6700", "wrong": "#cf222e", "error": "#6e7781"}


@dataclass(frozen=True)
class Check:
    """A graded notebook submission: prints as text, displays as HTML in a notebook."""

    question_id: str
    result: Any  # grader.grading.codegrade.CodeResult

    @property
    def passed(self) -> bool:
        return bool(self.result.passed)

    @property
    def status(self) -> str:
        from grader.learner.practice import status_for

        return "error" if self.result.status == "grader_fault" else status_for(self.result.passed, self.result.score)

    def __str__(self) -> str:
        from grader.grading.report import result_text

        return str(result_text(self.result))

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        from grader.grading.report import case_lines, headline

        colour = COLOURS[self.status]
        items = "".join(f"<li style='white-space:pre-wrap'>{html.escape(line)}</li>" for line in case_lines(self.result))
        return (f"<div class='eshikaku-verdict eshikaku-{self.status}' style='border-left:4px solid {colour};padding:4px 8px'>"
                f"<b style='color:{colour}'>{html.escape(headline(self.result))}</b> <code>{html.escape(self.question_id)}</code>"
                f"<ul style='margin:4px 0'>{items}</ul></div>")  # fmt: skip


def _env() -> Any:
    from grader.bank.loader import BUILTIN_BANK
    from grader.learner.context import Env

    extra = [Path(p) for p in os.environ.get("ESHIKAKU_BANK", "").split(os.pathsep) if p]
    return Env([BUILTIN_BANK, *extra])


def source_of(func_or_source: Callable[..., Any] | type | str) -> str:
    """The code to grade: a string as it is, or the source of a function or class defined in a cell."""
    if isinstance(func_or_source, str):
        return func_or_source
    try:
        return textwrap.dedent(inspect.getsource(func_or_source))
    except (OSError, TypeError) as exc:
        raise ValueError(_("{obj!r} のソースを取り出せません: コードを文字列で渡してください").format(obj=func_or_source)) from exc


def check(question_id: str, func_or_source: Callable[..., Any] | type | str, *, seed: int | None = None) -> Check:
    """Grades code for ``question_id`` in the sandbox (as ``eshikaku submit``) and records the attempt."""
    from grader.bank.schema import CodeBase
    from grader.errors import UsageError
    from grader.learner.commands import grade_and_record
    from grader.learner.context import get_question

    env = _env()
    question = get_question(env.bank(quiet=True), question_id)
    if not isinstance(question, CodeBase):
        raise UsageError(_("{id} はコードの問題ではありません").format(id=question_id))
    return Check(question_id, grade_and_record(env, question, source_of(func_or_source), seed, mode="notebook"))


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext eshikaku``: registers the ``%%eshikaku ID`` cell magic."""

    def eshikaku(line: str, cell: str) -> Check | None:
        qid = line.strip()
        if not qid:
            print(_("使い方: %%eshikaku QUESTION_ID (セルにコードを書く)"))
            return None
        from grader.errors import EshikakuError

        try:
            return check(qid, cell)
        except EshikakuError as exc:
            print(f"eshikaku: {exc}")
            return None

    ipython.register_magic_function(eshikaku, magic_kind="cell", magic_name="eshikaku")
