"""The command line's shared pieces: the error that becomes one line and an exit status, the group that
maps error kinds to it, the bank and progress database the global options name, and common options.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

# Only light modules at import: `submit` starts its sandbox before the question schema and NumPy load.
from grader.bank.layout import BUILTIN_BANK
from grader.errors import EshikakuError, Exit

if TYPE_CHECKING:
    from grader.bank.loader import Bank


def display_path(path: Path) -> str:
    from grader.bank.positions import display_path as relative

    return relative(path)


class UsageError(click.ClickException):
    """A bad argument, an unknown id, a broken bank or a grader fault: one clear line, no traceback."""

    def __init__(self, message: str, exit_code: int = Exit.USAGE) -> None:
        super().__init__(message)
        self.exit_code = int(exit_code)  # type: ignore[misc]  # click declares it per class; here it is per error


class Commands(click.Group):
    """The command group: an error of a known kind raised anywhere below becomes its message and exit status."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except EshikakuError as exc:
            raise UsageError(str(exc), exc.exit) from None


def bank_paths(ctx: click.Context) -> list[Path]:
    obj = ctx.find_root().obj or {}
    paths = [Path(p) for p in obj.get("banks", ())]
    if not obj.get("bank_only"):
        paths.insert(0, BUILTIN_BANK)
    return paths


def learner_env(ctx: click.Context) -> Any:
    from grader.learner.context import Env

    obj = ctx.find_root().obj or {}
    return Env(bank_paths(ctx), obj.get("db"), db_given=bool(obj.get("db_given")), create=bool(obj.get("create")),
               warn=lambda text: click.echo(text, err=True))  # fmt: skip


def open_bank(ctx: click.Context, *, quiet: bool = False) -> Bank:
    """Loads the bank, printing one warning line per broken file (the valid questions stay usable)."""
    bank: Bank = learner_env(ctx).bank(quiet=quiet)
    return bank


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def session_io(answers: Path | None, as_json: bool, plain: bool) -> Any:
    from grader.learner.commands import Io

    return Io(answers, as_json, plain)


def on_terminal(plain: bool) -> bool:
    return sys.stdout.isatty() and not plain


ANSWERS_OPTION = click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the answers from this file, one per line (typed code ends with a line holding only `.`); default: stdin when it is not a terminal.",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (the questions go to stderr).")
PLAIN_OPTION = click.option("--plain", is_flag=True, help="Plain text without colours or the line editor, even on a terminal.")
