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
@click.option("--update-readme", is_flag=True, help="Regenerate the counts table in questions/README.md.")
@click.pass_context
def list_cmd(ctx: click.Context, topic: str | None, qtype: str | None, tag: str | None, as_json: bool, update_readme: bool) -> None:
    """List the questions of the bank.

    \b
    Example:
      eshikaku list --type code_blank
      eshikaku list --json | jq '.counts'
      eshikaku list --update-readme
    """
    from grader.catalog import catalog, counts_table, render_readme, select

    bank = open_bank(ctx)
    if update_readme:
        readme = BUILTIN_BANK / "README.md"
        readme.write_text(render_readme(readme.read_text(encoding="utf-8"), counts_table(load_bank([BUILTIN_BANK]))), encoding="utf-8")
        click.echo(f"updated {display_path(readme)}", err=True)
        return
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
@click.option("--json", "as_json", is_flag=True, help="Print the problems and proofs as JSON (for CI).")
@click.option("--verbose", "-v", is_flag=True, help="Also print, for every wrong choice and template, the case that catches it.")
@click.option("--no-run", is_flag=True, help="Check the files only; do not execute code questions.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, verbose: bool, no_run: bool) -> None:
    """Check question files and prove them by execution. Exit 1 on any problem.

    Checks the schema, ids, references, hints and parameters; then runs every code question:
    the reference passes its cases over several seeds, and the untouched template and every
    wrong choice fail a named case. With no PATH, checks the whole bank.

    \b
    Example:
      eshikaku validate
      eshikaku validate questions/03-4_cnn/conv_output_size.yaml
    """
    from grader.bankcheck import check

    report = check(list(paths) or _bank_paths(ctx), execute=not no_run)
    if as_json:
        _echo_json({
            "ok": not report.errors,
            "questions": report.checked,
            "errors": [e.__dict__ | {"path": str(e.path)} for e in report.errors],
            "proofs": [p.__dict__ for p in report.proofs],
        })  # fmt: skip
    else:
        for proof in report.proofs if verbose else ():
            click.echo(f"  {proof.question}: {proof.subject} {proof.outcome}")
        for error in report.errors:
            click.echo(str(error))
        status = "ok" if not report.errors else f"{len(report.errors)} problem(s)"
        caught = sum(p.outcome.startswith("fails") for p in report.proofs)
        click.echo(f"{report.checked} question(s) checked, {caught} wrong answer(s) proved wrong by execution: {status}", err=True)
    sys.exit(0 if not report.errors else 1)


@main.command()
@click.argument("qid", metavar="ID")
@click.argument("file", type=click.File("r", encoding="utf-8"), required=False)
@click.option("--seed", type=int, help="Seed of the hidden cases (default: a new one, printed).")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
@click.pass_context
def submit(ctx: click.Context, qid: str, file: Any, seed: int | None, as_json: bool) -> None:
    """Grade your code for a code question in an isolated sandbox. Exit 0 all cases pass, 1 otherwise.

    FILE holds the whole function (code_function), or the filled-in template or the code of each
    blank (code_blank; several blanks: one section per blank headed `# (name)`). Use - for stdin.
    With no FILE, $EDITOR opens on the template.

    \b
    Example:
      eshikaku submit softmax_function my_softmax.py
      echo 'param' | eshikaku submit ridge_blank -
    """
    from grader.codegrade import grade_code
    from grader.report import result_json, result_text
    from grader.schema import CodeBase

    question = get_question(open_bank(ctx), qid)
    if not isinstance(question, CodeBase):
        fail(f"{qid} is a {question.type} question: answer it with `eshikaku answer {qid} ANSWER`")
    if file is None:
        source = click.edit(question.template, extension=".py", require_save=True)
        if source is None:
            fail("nothing submitted: the editor was closed without saving")
    else:
        source = file.read()
    result = grade_code(question, source, seed)
    if as_json:
        _echo_json(result_json(result))
    else:
        click.echo(result_text(result))
        click.echo(f"(seed {result.seed}; isolation: {', '.join(result.layers) or 'none'})", err=True)
    if result.status == "grader_fault":
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_RIGHT if result.passed else EXIT_WRONG)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the layers as JSON.")
def doctor(as_json: bool) -> None:
    """Show which sandbox isolation layers work on this machine, and why any is missing.

    \b
    Example:
      eshikaku doctor
    """
    from grader.sandbox import layer_status

    layers = layer_status()
    if as_json:
        _echo_json([{"name": l.name, "active": l.active, "detail": l.detail} for l in layers])
        return
    for layer in layers:
        click.echo(f"{'✓' if layer.active else '✗'} {layer.name:24} {layer.detail}")


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
