"""eshikaku: E資格 question bank, terminal quiz and code grader (command-line interface).

Each command parses its options, calls one function of the ``grader`` package and renders the result.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from grader.loader import BUILTIN_BANK, Bank, display_path, load_bank
from grader.schema import QUESTION_TYPES

EXIT_RIGHT, EXIT_WRONG, EXIT_USAGE = 0, 1, 2


class UsageError(click.ClickException):
    """A bad argument, an unknown id or a broken bank: exit status 2, one clear line, no traceback."""

    exit_code = EXIT_USAGE


def fail(message: str) -> NoReturn:
    raise UsageError(message)


def _bank_paths(ctx: click.Context) -> list[Path]:
    obj = ctx.find_root().obj or {}
    paths = [Path(p) for p in obj.get("banks", ())]
    if not obj.get("bank_only"):
        paths.insert(0, BUILTIN_BANK)
    return paths


def open_bank(ctx: click.Context, *, quiet: bool = False) -> Bank:
    """Loads the bank, printing one warning line per broken file (the valid questions stay usable)."""
    bank = load_bank(_bank_paths(ctx))
    if not quiet:
        for path in bank.broken_files:
            first = next(e for e in bank.errors if e.path == path)
            click.echo(f"warning: skipped broken file {first}  (run `eshikaku validate` for every problem)", err=True)
    return bank


def get_question(bank: Bank, qid: str) -> Any:
    question = bank.get(qid)
    if question is None:
        near = [q for q in bank.questions if qid in q or q in qid][:5]
        hint = f" Did you mean: {', '.join(near)}?" if near else " Run `eshikaku list` to see the ids."
        fail(f"no question with id {qid!r}.{hint}")
    return question


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


# --------------------------------------------------------------------------- the group


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--bank",
    "banks",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    envvar="ESHIKAKU_BANK",
    help="Another questions folder, merged with the built-in bank (repeatable; env ESHIKAKU_BANK, paths joined by os.pathsep).",
)
@click.option("--bank-only", is_flag=True, help="Use only the --bank folders, not the built-in bank.")
@click.version_option(package_name="eshikaku", message="eshikaku %(version)s")
@click.pass_context
def main(ctx: click.Context, banks: tuple[Path, ...], bank_only: bool) -> None:
    """E資格 (JDLA Deep Learning for ENGINEER) の問題集・採点ツール.

    Practise with a terminal quiz, grade your own NumPy code in a sandbox, and check question files.

    \b
    Example:
      eshikaku list --topic 3-4
      eshikaku answer conv_output_size 7x7
    """
    if bank_only and not banks:
        raise click.UsageError("--bank-only needs at least one --bank PATH")
    ctx.obj = {"banks": banks, "bank_only": bank_only}


# --------------------------------------------------------------------------- list / show


@main.command("list")
@click.option("--topic", help="Only this syllabus topic or group, e.g. 3-4 or 3.")
@click.option("--type", "qtype", type=click.Choice(QUESTION_TYPES), help="Only this question type.")
@click.option("--tag", help="Only questions carrying this tag.")
@click.option("--json", "as_json", is_flag=True, help="Print the questions and counts as JSON.")
@click.pass_context
def list_cmd(ctx: click.Context, topic: str | None, qtype: str | None, tag: str | None, as_json: bool) -> None:
    """List the questions of the bank.

    \b
    Example:
      eshikaku list --type code_blank
      eshikaku list --json | jq '.counts'
    """
    from grader.catalog import catalog, select

    bank = open_bank(ctx)
    questions = select(bank, topic=topic, qtype=qtype, tag=tag)
    if as_json:
        _echo_json(catalog(bank, questions))
        return
    for q in questions:
        params = " ⟳" if q.parameters else ""
        click.echo(f"{q.id:34} {q.topic:4} {q.type:13} {'★' * q.difficulty:3} {q.title}{params}")
    click.echo(f"{len(questions)} question(s)", err=True)


@main.command()
@click.argument("qid", metavar="ID")
@click.option("--seed", type=int, help="Seed of a parameterised question (same seed → same numbers).")
@click.pass_context
def show(ctx: click.Context, qid: str, seed: int | None) -> None:
    """Show a question as a learner sees it (without the answer).

    \b
    Example:
      eshikaku show conv_output_size_param --seed 7
    """
    from grader.params import ParameterError, attempt
    from grader.render import question_text

    question = get_question(open_bank(ctx), qid)
    try:
        current = attempt(question, seed)
    except ParameterError as exc:
        fail(f"bank error in {qid}: {exc}")
    click.echo(question_text(current))
    if current.seed is not None:
        click.echo(f"\n(seed {current.seed})")


# --------------------------------------------------------------------------- answer


@main.command()
@click.argument("qid", metavar="ID")
@click.argument("response", metavar="ANSWER")
@click.option("--seed", type=int, help="Seed of the parameterised attempt being answered.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.pass_context
def answer(ctx: click.Context, qid: str, response: str, seed: int | None, as_json: bool) -> None:
    """Grade one answer. Exit status: 0 right, 1 wrong, 2 usage or bank error.

    \b
    Example:
      eshikaku answer chain_rule '2(x+y)'
      eshikaku answer conv_output_size 7x7
      eshikaku answer ridge_blank 4
    """
    from grader.answers import InvalidAnswer
    from grader.params import ParameterError, attempt
    from grader.render import verdict_text
    from grader.judge import judge

    question = get_question(open_bank(ctx), qid)
    if question.parameters is not None and seed is None:
        fail(f"{qid} has parameters: pass the --seed shown by `eshikaku show {qid}`")
    try:
        current = attempt(question, seed)
        verdict = judge(current, response)
    except InvalidAnswer as exc:
        fail(f"{qid}: {exc}")
    except ParameterError as exc:
        fail(f"bank error in {qid}: {exc}")
    if as_json:
        _echo_json({"id": qid, "seed": current.seed, "correct": verdict.correct, "score": verdict.score,
                    "response": response, "expected": verdict.expected, "feedback": list(verdict.feedback),
                    "explanation": current.explanation})  # fmt: skip
    else:
        click.echo(verdict_text(current, verdict))
    sys.exit(EXIT_RIGHT if verdict.correct else EXIT_WRONG)


# --------------------------------------------------------------------------- validate / schema


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON (for CI).")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], as_json: bool) -> None:
    """Check question files: schema, ids, references and hints. Exit 1 on any problem.

    With no PATH, checks the whole bank (built-in plus --bank folders).

    \b
    Example:
      eshikaku validate
      eshikaku validate questions/03-4_cnn/conv_output_size.yaml
    """
    from grader.bankcheck import check

    report = check(list(paths) or _bank_paths(ctx))
    if as_json:
        _echo_json({"ok": not report.errors, "questions": report.checked, "errors": [e.__dict__ | {"path": str(e.path)} for e in report.errors]})
    else:
        for error in report.errors:
            click.echo(str(error))
        status = "ok" if not report.errors else f"{len(report.errors)} problem(s)"
        click.echo(f"{report.checked} question(s) checked: {status}", err=True)
    sys.exit(0 if not report.errors else 1)


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a question file, for editor completion.

    \b
    Example:
      eshikaku schema -o question.schema.json
    """
    from grader.catalog import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text)


if __name__ == "__main__":
    main()
