"""Code drafts: the learner's last code for each question, kept beside the progress database.

A draft survives Ctrl-C, a failed attempt and a syntax error; the next quiz answer or ``submit`` of that
question starts from it. A fresh draft is the template with the task written above it as a comment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from grader.bank.schema import Question
from grader.i18n import _


class Drafts:
    """The drafts folder of one progress database (``progress.sqlite3.drafts/<id>.py``)."""

    def __init__(self, db_path: Path) -> None:
        self.folder = db_path.with_name(db_path.name + ".drafts")

    def path(self, qid: str) -> Path:
        return self.folder / f"{qid}.py"

    def load(self, qid: str) -> str | None:
        try:
            return self.path(qid).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def save(self, qid: str, text: str) -> None:
        """Writes the draft atomically (a crash leaves the old draft or the new one, never half of one)."""
        if not text.strip():
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self.path(qid).with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path(qid))
        except OSError:
            pass  # a draft is a convenience: an unwritable folder must not stop the quiz

    def start(self, question: Question) -> str:
        """The last draft of ``question``, else its template under the task as a comment."""
        return self.load(question.id) or task_template(question)


def task_template(question: Question) -> str:
    """The template with the task above it as comment lines (formulas as Unicode)."""
    from grader.learner.mathtext import convert

    template = getattr(question, "template", "") or ""
    task = convert(re.sub(r"\n{2,}", "\n", question.prompt.strip()))
    lines = [f"# {question.id}: {question.title}".rstrip(), *[f"# {line}".rstrip() for line in task.splitlines()],
             "# " + _("書き終えたら保存する (eshikaku submit {id} FILE で採点)").format(id=question.id), ""]  # fmt: skip
    return "\n".join(lines) + "\n" + template
