"""The instructor's commands: each parses its options, calls one function of grader.instructor and renders the result.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from grader.bank.layout import QUESTION_TYPES
from grader.learner.cli_support import (
    bank_paths,
    echo_json,
    open_bank,
)

if TYPE_CHECKING:
    pass


# --------------------------------------------------------------------------- the instructor's commands


def _render(outcome: Any, as_json: bool = False) -> NoReturn:
    """Prints an instructor command's outcome (its lines, or its data as JSON) and exits with its status."""
    if as_json:
        echo_json(outcome.data)
    else:
        for line in outcome.out:
            click.echo(line)
    for line in outcome.err:
        click.echo(line, err=True)
    sys.exit(outcome.exit)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems and proofs as JSON (for CI).")
@click.option("--verbose", "-v", is_flag=True, help="Also print every proof: the case that catches each wrong choice and template, and every "
    "wrong answer proved wrong.")
@click.option("--no-run", is_flag=True, help="Check the files only; do not execute code questions.")
@click.option("--strict", is_flag=True, help="Also check the bank as a whole: answer-position bias, code questions without an exam-style sibling, "
    "prompts naming missing blanks.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Processes that check questions at once (default: one per core for a large bank).")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, verbose: bool, no_run: bool, strict: bool, jobs: int | None) -> None:
    """Check question files and prove them by execution. Exit 1 on any problem.

    Checks the schema, ids, references, hints and parameters; proves every typed answer at every
    parameter draw (wrong answers graded wrong, tolerances, worked examples); then runs every code
    question: the reference passes its cases (and every pinned `expect`), and the untouched template
    and every wrong choice fail a named case. With no PATH, checks the whole bank.

    \b
    Example:
      eshikaku validate
      eshikaku validate questions/03-4_cnn/conv_output_size.yaml -v
    """
    from grader.instructor import commands

    _render(commands.validate(list(paths) or bank_paths(ctx), execute=not no_run, strict=strict, verbose=verbose, jobs=jobs), as_json)


@click.command()
@click.option("--topic", help="Only this syllabus topic or section, e.g. 2-1 or 1.")
@click.option("--below", is_flag=True, help="Only the keywords below the floor.")
@click.option("--edition", default=None, help="Syllabus edition (default: the current one, 2026).")
@click.option("--json", "as_json", is_flag=True, help="Print every keyword and its questions as JSON.")
@click.pass_context
def coverage(ctx: click.Context, topic: str | None, below: bool, edition: str | None, as_json: bool) -> None:
    """Report which questions test each syllabus keyword. Exit 1 when a keyword is below the floor.

    The floor: every in-scope keyword tested by at least 2 questions, one of them exam-style; every
    optional keyword by at least 1.

    \b
    Example:
      eshikaku coverage --below
      eshikaku coverage --topic 2-1
    """
    from grader.instructor import commands

    _render(commands.coverage(open_bank(ctx), edition=edition, topic=topic, below=below), as_json)


@click.command()
@click.argument("qtype", metavar="TYPE", type=click.Choice(QUESTION_TYPES))
@click.argument("qid", metavar="ID")
@click.option("--topic", required=True, help="Syllabus topic key, e.g. 3-4 (decides the folder).")
@click.option("--module", help="Reference module for a code question's stub (default: chosen by topic).")
@click.pass_context
def new(ctx: click.Context, qtype: str, qid: str, topic: str, module: str | None) -> None:
    """Write a commented skeleton for a new question (and a reference stub for code types).

    The file goes to the topic's folder of the --bank given (default: the built-in bank); its
    first line points editors at the JSON Schema. Fill every empty field, then run validate.

    \b
    Example:
      eshikaku new choice relu_dead_units --topic 3-1
      eshikaku --bank ~/my-bank new code_function gelu --topic 3-1
    """
    from grader.instructor import commands

    banks = [Path(b) for b in (ctx.find_root().obj or {}).get("banks", ())]
    _render(commands.new(banks, bank_paths(ctx), qtype, qid, topic, module))


@click.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a question file, for editor completion.

    \b
    Example:
      eshikaku schema -o question.schema.json
    """
    from grader.instructor import commands

    _render(commands.schema(output))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the layers as JSON.")
def doctor(as_json: bool) -> None:
    """Show which sandbox isolation layers work on this machine, and why any is missing.

    \b
    Example:
      eshikaku doctor
    """
    from grader.sandbox.sandbox import layer_status

    layers = layer_status()
    if as_json:
        echo_json([{"name": l.name, "active": l.active, "detail": l.detail} for l in layers])
        return
    for layer in layers:
        click.echo(f"{'✓' if layer.active else '✗'} {layer.name:24} {layer.detail}")



@click.command("grade-batch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for results.csv, cases.csv, "
    "students.csv, report.json and gradescope/<student>/results.json.")
@click.option("--answers", "answers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV or JSONL with the columns "
    "student, question, answer (and optionally seed) for the non-code questions.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Submissions graded at once, each in its own sandbox "
              "(default: one more than the CPUs: a submission that sleeps holds a sandbox, not a core).")
@click.option("--since-changed", is_flag=True, help="Reuse the rows of the report.json in --out whose submission, question and reference are "
    "unchanged; grade only the rest.")
@click.option("--regrade", is_flag=True, help="Grade every submission again, each unchanged one with the seed the report.json in --out records "
    "(the same hidden inputs as before).")
@click.option("--questions", "assignment", metavar="ID,...", help="The assignment: every student gets a row for each of these ids (missing ones "
    "score 0). Default: every question anyone submitted.")
@click.option("--allow-weaker-isolation", is_flag=True, help="Grade even when the sandbox lacks a layer that `eshikaku doctor` reports (the "
    "layers each row ran under are in the reports).")
@click.option("--no-cpu-budget", is_flag=True, help="Give every first run the question's own time limit instead of a budget derived from the "
    "reference's cost (runaway code then holds a core for the whole limit). With --since-changed: grade again only the rows the budget stopped.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def grade_batch_cmd(ctx: click.Context, folder: Path, out: Path, answers_file: Path | None, jobs: int | None, since_changed: bool, regrade: bool,
                    assignment: str | None, allow_weaker_isolation: bool, no_cpu_budget: bool, as_json: bool) -> None:
    """Grade a class: FOLDER/<student>/<question_id>.py, each run isolated as `submit` runs it.

    Every submission draws its own hidden inputs (a new seed, recorded in the reports; --regrade and
    --since-changed reuse it for an unchanged submission). The reports are written also when grading
    stops early (Ctrl-C): they hold every row graded so far.

    Exit status: 0 when every submission was graded (pass, fail or error), 3 when the grader or the
    bank failed on some (their rows say grader_fault) or the sandbox lacks a layer that `doctor`
    reports, 2 for a usage error, 130 when interrupted.

    \b
    Example:
      eshikaku grade-batch submissions/ --out results/
      eshikaku grade-batch submissions/ --answers answers.csv --out results/ --jobs 8
      eshikaku grade-batch submissions/ --out results/ --since-changed
    """
    from grader.instructor import commands

    bar: Any = None
    done = [0, 0]  # finished, total (for the plain progress lines when stderr is not a terminal)

    def start(total: int) -> None:
        nonlocal bar
        done[1] = total
        if sys.stderr.isatty():
            bar = click.progressbar(length=total, label="grading", file=sys.stderr, show_pos=True, show_eta=True)
            bar.__enter__()
        elif total:
            click.echo(f"grading {total} submission(s)", err=True)

    def advance(n: int) -> None:
        if bar is not None:
            bar.update(n)
            return
        before, done[0] = done[0], done[0] + n
        if done[1] and before * 10 // done[1] != done[0] * 10 // done[1]:
            click.echo(f"  {done[0]}/{done[1]}", err=True)

    try:
        outcome = commands.grade_batch(open_bank(ctx), folder, out, answers=answers_file, jobs=jobs, since_changed=since_changed,
                                       questions=assignment, regrade=regrade, allow_weaker_isolation=allow_weaker_isolation,
                                       cpu_budget=not no_cpu_budget, progress=advance, on_start=start)  # fmt: skip
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _render(outcome, as_json)


@click.group()
def export() -> None:
    """Export the bank for other tools: an Anki package, or JSON.

    \b
    Example:
      eshikaku export anki eshikaku.apkg
      eshikaku export json bank.json --seed 7
    """


@export.command("anki")
@click.argument("output", metavar="OUT.apkg", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--topic", help="Only this syllabus topic or group, e.g. 3-4 or 3.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the numbers of parameterised questions on the cards.")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The package exported before (default: OUT.apkg "
    "if it exists): notes unchanged since keep their ids and times.")
@click.pass_context
def export_anki(ctx: click.Context, output: Path, topic: str | None, seed: int, previous: Path | None) -> None:
    """Write an Anki deck: choice, numeric, shape, expression, matching, self-graded and exam-style blank
    questions as cards (prompt and choices on the front, answer and 解説 on the back).

    Notes keep their ids: importing a newer export into Anki updates the cards and keeps their review history,
    and a note whose content did not change is left as it was.
    """
    from grader.bank.catalog import select
    from grader.instructor import commands

    _render(commands.export_anki(select(open_bank(ctx), topic=topic), output, seed, previous))


@export.command("json")
@click.argument("output", metavar="OUT.json", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--seed", type=int, default=1, show_default=True, help="Seed for which parameterised questions are resolved.")
@click.option("--topic", help="Only this syllabus topic or group.")
@click.option("--type", "qtype", type=click.Choice(QUESTION_TYPES), help="Only this question type.")
@click.pass_context
def export_json(ctx: click.Context, output: Path, seed: int, topic: str | None, qtype: str | None) -> None:
    """Write the bank as JSON (- for stdout): every question's fields, and for parameterised ones the
    prompt, 解説 and answer resolved for --seed."""
    from grader.bank.catalog import select
    from grader.instructor import commands

    bank = open_bank(ctx)
    _render(commands.export_json(bank, select(bank, topic=topic, qtype=qtype), output, seed))


@click.group()
def gradescope() -> None:
    """A Gradescope autograder for a set of questions (see docs/gradescope.md).

    \b
    Example:
      eshikaku gradescope build softmax_function conv_output_size --out autograder.zip
    """


@gradescope.command("build")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The zip to write (upload it to Gradescope).")
@click.option("--seed", type=int, default=1, show_default=True, help="The numbers of parameterised questions (the same for every student).")
@click.option("--title", default="", help="The assignment's title, on the handout.")
@click.option("--no-check", is_flag=True, help="Do not validate the questions first.")
@click.pass_context
def gradescope_build(ctx: click.Context, ids: tuple[str, ...], out: Path, seed: int, title: str, no_check: bool) -> None:
    """Write a Gradescope autograder zip for these questions, and a handout for students beside it.

    Students upload <question_id>.py for code questions and an answers.txt (`question_id: answer` per
    line) for the others; each upload is graded in eshikaku's sandbox, like `grade-batch`.
    """
    from grader.instructor import commands

    _render(commands.gradescope_build(open_bank(ctx), list(ids), out, seed=seed, title=title, check=not no_check))


@gradescope.command("run")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), envvar="ESHIKAKU_AUTOGRADER_ROOT", default="/autograder",
              show_default=True, help="Gradescope's folder: source/, submission/, results/ (env ESHIKAKU_AUTOGRADER_ROOT).")
@click.pass_context
def gradescope_run(ctx: click.Context, root: Path) -> None:
    """Grade the submission in ROOT/submission and write ROOT/results/results.json (what run_autograder calls)."""
    from grader.instructor import commands

    _render(commands.gradescope_run(lambda: open_bank(ctx), root))


@click.command("item-stats")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path), metavar="REPORT.json|PROGRESS.sqlite3...")
@click.option("--last", is_flag=True, help="From a progress database, each learner's latest attempt (default: the first, before any feedback).")
@click.option("--min-responses", type=click.IntRange(min=1), default=5, show_default=True, help="Flag nothing about a question with fewer responses.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write the table as CSV.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Also write everything as JSON.")
@click.pass_context
def item_stats_cmd(ctx: click.Context, sources: tuple[Path, ...], last: bool, min_responses: int, csv_path: Path | None, json_path: Path | None) -> None:
    """How each question behaved with real learners: difficulty (p), discrimination (point-biserial against
    the rest score), how often each option was picked, and flags (nobody misses it, strong learners miss
    it, a distractor nobody picks).

    Reads grade-batch reports (report.json, or the folder holding one) and learners' progress databases.

    \b
    Example:
      eshikaku item-stats results/report.json
      eshikaku item-stats class/*.sqlite3 --csv items.csv --json items.json
    """
    from grader.instructor import commands

    _render(commands.item_stats(open_bank(ctx), list(sources), last=last, min_responses=min_responses, csv_path=csv_path, json_path=json_path))


INSTRUCTOR_COMMANDS = (validate, coverage, new, schema, doctor, grade_batch_cmd, export, gradescope, item_stats_cmd,)
