"""eshikaku: E資格 question bank, terminal quiz and code grader (command-line interface).

The group and its global options; the commands are in grader/learner/cli_commands.py and
grader/instructor/cli_commands.py, each parsing its options, calling one function and rendering the result.
"""

from __future__ import annotations

from pathlib import Path

import click

from grader.instructor.cli_commands import INSTRUCTOR_COMMANDS
from grader.learner.cli_commands import LEARNER_COMMANDS
from grader.learner.cli_support import Commands

# --------------------------------------------------------------------------- the group


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--bank",
    "banks",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ESHIKAKU_BANK",
    help="Another questions folder, merged with the built-in bank (repeatable; env ESHIKAKU_BANK, paths joined by os.pathsep).",
)
@click.option("--bank-only", is_flag=True, help="Use only the --bank folders, not the built-in bank.")
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="ESHIKAKU_DB",
    help="The progress database (env ESHIKAKU_DB; default: progress.sqlite3 in the user data directory). It must exist unless --create.",
)
@click.option("--create", is_flag=True, help="Create the --db file if it does not exist yet.")
@click.option("--lang", envvar="ESHIKAKU_LANG", help="Language of the messages (default ja; env ESHIKAKU_LANG).")
@click.version_option(package_name="eshikaku", message="eshikaku %(version)s")
@click.pass_context
def main(ctx: click.Context, banks: tuple[Path, ...], bank_only: bool, db: Path | None, create: bool, lang: str | None) -> None:
    """E資格 (JDLA Deep Learning for ENGINEER) の問題集・採点ツール.

    Practise with a terminal quiz, take timed mock exams, review with spaced repetition, grade your own
    NumPy code in a sandbox, and check question files.

    \b
    Example:
      eshikaku quiz
      eshikaku exam --count 20
      eshikaku stats
      eshikaku list --topic 3-4
    """
    from grader.i18n import set_language

    if bank_only and not banks:
        raise click.UsageError("--bank-only needs at least one --bank PATH")
    set_language(lang)
    given = ctx.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE
    ctx.obj = {"banks": banks, "bank_only": bank_only, "db": db, "db_given": given, "create": create, "lang": lang}


for command in (*LEARNER_COMMANDS, *INSTRUCTOR_COMMANDS):
    main.add_command(command)


if __name__ == "__main__":
    main()
