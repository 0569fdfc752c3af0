"""The learner's code commands: submit a file, write exercise files, grade them each time one is saved."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from grader.i18n import _
from grader.learner.cli_support import display_path, learner_env


@click.command()
@click.argument("qid", metavar="ID")
@click.argument("file", required=False)
@click.option("--seed", type=int, help="Seed of the hidden cases (default: a new one, printed).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.pass_context
def submit(ctx: click.Context, qid: str, file: str | None, seed: int | None, as_json: bool) -> None:
    """Grade your code for a code question in an isolated sandbox and record it. Exit 0 all cases pass, 1 otherwise.

    FILE holds the whole function (code_function), or the filled-in template or the code of each
    blank (code_blank; several blanks: one section per blank headed `# (name)`). Use - for stdin.
    UTF-8 (with or without a BOM) is read as is; a cp932 (Shift-JIS) file is read and you are told.
    With no FILE, $EDITOR opens on your last draft (or the template under the task).

    \b
    Example:
      eshikaku submit softmax_function my_softmax.py
      echo 'param' | eshikaku submit ridge_blank -
    """
    from grader.learner.inputs import read_bytes
    from grader.learner.submit_service import submit as grade_submission

    data = None if file is None else sys.stdin.buffer.read() if file == "-" else read_bytes(Path(file))
    origin = _("標準入力") if file == "-" else file or ""
    answer = grade_submission(ctx.find_root().obj or {}, qid, data, origin, seed, as_json, env=lambda: learner_env(ctx),
                              warn=lambda text: click.echo(text, err=True))  # fmt: skip
    if answer.notes:
        click.echo(answer.notes, err=True)
    click.echo(answer.stdout)
    if answer.trailer:
        click.echo(answer.trailer, err=True)
    sys.exit(answer.exit)


@click.command("practice")
@click.argument("topic")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=Path("exercises"), show_default=True,
              help="Where the exercise files go.")
@click.pass_context
def practice_cmd(ctx: click.Context, topic: str, folder: Path) -> None:
    """Write exercise files for the code questions of TOPIC: <dir>/<id>.py, the task as a comment and
    the template. Files that exist already (your work) are kept. Then `eshikaku watch`.

    \b
    Example:
      eshikaku practice 3-1
      eshikaku watch exercises/
    """
    from grader.learner.exercises import write_exercises

    written, kept = write_exercises(learner_env(ctx), topic, folder)
    for path in written:
        click.echo(_("作成: {path}").format(path=display_path(path)))
    for path in kept:
        click.echo(_("そのまま: {path} (もうあります)").format(path=display_path(path)), err=True)
    click.echo(_("次に: ファイルを編集して `eshikaku watch {folder}` を実行 (保存するたびに採点します)").format(folder=folder), err=True)


@click.command()
@click.argument("target", type=click.Path(exists=True, path_type=Path), default=Path("exercises"), required=False)
@click.pass_context
def watch(ctx: click.Context, target: Path) -> None:
    """Grade exercise files now and again each time one is saved (Ctrl-C stops). The file name is the
    question id; progress is recorded as for `submit`.

    \b
    Example:
      eshikaku watch exercises/
      eshikaku watch exercises/softmax_function.py
    """
    from grader.grading.report import result_text
    from grader.learner.exercises import watch as watch_files

    def show(path: Path, result: Any, notes: list[str]) -> None:
        click.echo(f"\n── {display_path(path)} ──")
        for note in notes:
            click.echo(_("注意: {note}").format(note=note))
        if result is not None:
            click.echo(result_text(result))
        click.echo(_("(保存するたびに採点します · Ctrl-C で終了)"), err=True)

    try:
        watch_files(learner_env(ctx), target, show)
    except KeyboardInterrupt:
        click.echo(_("\n終了しました"), err=True)
