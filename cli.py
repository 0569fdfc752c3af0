"""eshikaku: E資格 question bank, terminal quiz and code grader (command-line interface).

Each command parses its options, calls one function of the ``grader`` package and renders the result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

# Only light modules at import: `submit` starts its sandbox before the question schema and NumPy load.
from grader.bank.layout import BUILTIN_BANK, QUESTION_TYPES
from grader.errors import EshikakuError, Exit
from grader.i18n import _

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


def _bank_paths(ctx: click.Context) -> list[Path]:
    obj = ctx.find_root().obj or {}
    paths = [Path(p) for p in obj.get("banks", ())]
    if not obj.get("bank_only"):
        paths.insert(0, BUILTIN_BANK)
    return paths


def learner_env(ctx: click.Context) -> Any:
    from grader.learner.context import Env

    obj = ctx.find_root().obj or {}
    return Env(_bank_paths(ctx), obj.get("db"), db_given=bool(obj.get("db_given")), create=bool(obj.get("create")),
               warn=lambda text: click.echo(text, err=True))  # fmt: skip


def open_bank(ctx: click.Context, *, quiet: bool = False) -> Bank:
    """Loads the bank, printing one warning line per broken file (the valid questions stay usable)."""
    bank: Bank = learner_env(ctx).bank(quiet=quiet)
    return bank


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _io(answers: Path | None, as_json: bool, plain: bool) -> Any:
    from grader.learner.commands import Io

    return Io(answers, as_json, plain)


def _tty(plain: bool) -> bool:
    return sys.stdout.isatty() and not plain


ANSWERS_OPTION = click.option(
    "--answers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the answers from this file, one per line (typed code ends with a line holding only `.`); default: stdin when it is not a terminal.",
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (the questions go to stderr).")
PLAIN_OPTION = click.option("--plain", is_flag=True, help="Plain text without colours or the line editor, even on a terminal.")


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
    ctx.obj = {"banks": banks, "bank_only": bank_only, "db": db, "db_given": given, "create": create}


# --------------------------------------------------------------------------- list / show / answer


@main.command("list")
@click.option("--topic", help="Only this syllabus topic or group, e.g. 3-4 or 3.")
@click.option("--type", "qtype", type=click.Choice(QUESTION_TYPES), help="Only this question type.")
@click.option("--tag", help="Only questions carrying this tag.")
@click.option("--json", "as_json", is_flag=True, help="Print the questions and counts as JSON.")
@click.option("--update-readme", is_flag=True, help="Regenerate the counts table in questions/README.md.")
@click.pass_context
def list_cmd(ctx: click.Context, topic: str | None, qtype: str | None, tag: str | None, as_json: bool, update_readme: bool) -> None:
    """List the questions of the bank, with your marks (✓ right last time, ✗ not, ⏰ due) and the count
    per sub-section. On a terminal the list opens in a pager.

    \b
    Example:
      eshikaku list --type code_blank
      eshikaku list --json | jq '.counts'
      eshikaku list --update-readme
    """
    from grader.bank.catalog import catalog, counts_table, render_readme, select

    if update_readme:
        from grader.bank.loader import load_bank

        readme = BUILTIN_BANK / "README.md"
        readme.write_text(render_readme(readme.read_text(encoding="utf-8"), counts_table(load_bank([BUILTIN_BANK]))), encoding="utf-8")
        click.echo(f"updated {display_path(readme)}", err=True)
        return
    if as_json:
        bank = open_bank(ctx)
        _echo_json(catalog(bank, select(bank, topic=topic, qtype=qtype, tag=tag)))
        return
    from grader.learner.commands import list_rows

    lines, table, summary = list_rows(learner_env(ctx), topic=topic, qtype=qtype, tag=tag)
    if sys.stdout.isatty():
        click.echo_via_pager("\n".join([*lines, "", *table, summary]) + "\n")
        return
    for line in lines:
        click.echo(line)
    click.echo(summary, err=True)


@main.command()
@click.argument("qid", metavar="ID")
@click.option("--seed", type=int, help="Seed: the numbers of a parameterised question and the order (and labels) of the options.")
@PLAIN_OPTION
@click.pass_context
def show(ctx: click.Context, qid: str, seed: int | None, plain: bool) -> None:
    """Show a question as a learner sees it (without the answer).

    Without --seed the options are in file order under their own keys; with --seed they are shuffled
    and labelled 1, 2, 3 … as the quiz shows them, and `answer ID LABEL --seed N` takes those labels.

    \b
    Example:
      eshikaku show conv_output_size_param --seed 7
    """
    from grader.learner.commands import show as show_question

    current, examples = show_question(learner_env(ctx), qid, seed)
    if _tty(plain):
        from grader.learner.screens import question_renderables
        from grader.learner.terminal import make_console, page

        page(make_console(), question_renderables(current, "", examples=True))
    else:
        from grader.learner.plain import question_text

        click.echo(question_text(current))
        if examples:
            click.echo("\n".join(examples))
    if current.seed is not None:
        click.echo(f"\n(seed {current.seed})")


@main.command(context_settings={"ignore_unknown_options": True})  # so that a negative number is an answer
@click.argument("qid", metavar="ID")
@click.argument("response", metavar="ANSWER")
@click.option("--seed", type=int, help="Seed of the attempt shown by `show ID --seed N`: ANSWER then uses the labels it showed.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@PLAIN_OPTION
@click.pass_context
def answer(ctx: click.Context, qid: str, response: str, seed: int | None, as_json: bool, plain: bool) -> None:
    """Grade one answer and record it in your progress. Exit status: 0 right, 1 wrong, 2 usage or bank error.

    A choice is answered with its label: the key in the file without --seed, the label that
    `show ID --seed N` showed with --seed N.

    \b
    Example:
      eshikaku answer chain_rule '2(x+y)'
      eshikaku answer conv_output_size 7x7
      eshikaku answer ridge_blank 4
    """
    from grader.learner.commands import answer as grade_answer

    current, verdict, notes = grade_answer(learner_env(ctx), qid, response, seed)
    if as_json:
        _echo_json({"id": qid, "seed": current.seed, "correct": verdict.correct, "score": verdict.score,
                    "response": response, "expected": verdict.expected, "feedback": list(verdict.feedback),
                    "explanation": current.explanation})  # fmt: skip
    elif _tty(plain):
        from grader.learner import verdict as view
        from grader.learner.terminal import make_console, page

        page(make_console(), view.renderables(view.of_answer(current, verdict, notes)))
    else:
        from grader.learner import verdict as view

        click.echo(view.text(view.of_answer(current, verdict, notes)))
    sys.exit(Exit.OK if verdict.correct else Exit.WRONG)


# --------------------------------------------------------------------------- quiz / review / mistakes


@main.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--topic", help="Only this syllabus topic or group, e.g. 3-4 or 3.")
@click.option("--tag", help="Only questions carrying this tag.")
@click.option("--type", "qtype", type=click.Choice(QUESTION_TYPES), help="Only this question type.")
@click.option("--count", "-n", type=click.IntRange(min=1), default=10, show_default=True, help="How many questions.")
@click.option("--seed", type=int, help="Seed of the selection, the numbers and the choice order (same seed, same quiz).")
@click.option("--resume", is_flag=True, help="Continue the latest unfinished quiz, review or retry session.")
@ANSWERS_OPTION
@JSON_OPTION
@PLAIN_OPTION
@click.pass_context
def quiz(ctx: click.Context, ids: tuple[str, ...], topic: str | None, tag: str | None, qtype: str | None, count: int,
         seed: int | None, resume: bool, answers: Path | None, as_json: bool, plain: bool) -> None:  # fmt: skip
    """Practise: questions one at a time, graded at once, with hints and the 解説.

    Without IDs, picks a mixed set weighted toward your weak and due questions. Type the answer
    (an option's number, a number, a shape, an expression, or code); `h` shows the next hint, `s`
    skips, `q` ends the quiz. Every answer is saved at once: after Ctrl-C, `--resume` continues.
    After each verdict you may rate it yourself (1 もう一度 … 4 簡単, g a lucky guess, u undo).

    \b
    Example:
      eshikaku quiz
      eshikaku quiz --topic 3-4 --count 5
      eshikaku quiz ridge_blank chain_rule
      echo 2 | eshikaku quiz sigmoid_derivative_max --json
    """
    from grader.learner.commands import quiz as run_quiz

    summary = run_quiz(learner_env(ctx), _io(answers, as_json, plain), ids=ids, topic=topic, tag=tag, qtype=qtype, count=count, seed=seed,
                       resume=resume)  # fmt: skip
    if as_json:
        _echo_json(summary.as_dict())


@main.command()
@click.option("--count", "-n", type=click.IntRange(min=1), help="At most this many questions (default: all of today's).")
@click.option("--topic", help="Only this syllabus topic or group.")
@click.option("--exam-date", metavar="YYYY-MM-DD", help="Plan so that every question is reviewed before this date (remembered; `none` forgets it).")
@click.option("--cram", is_flag=True, help="Go over the questions least likely remembered first, without changing the review schedule.")
@ANSWERS_OPTION
@JSON_OPTION
@PLAIN_OPTION
@click.pass_context
def review(ctx: click.Context, count: int | None, topic: str | None, exam_date: str | None, cram: bool,
           answers: Path | None, as_json: bool, plain: bool) -> None:  # fmt: skip
    """Spaced repetition (FSRS) of the questions you have answered: every card due today.

    Your graded answers schedule each question: wrong → Again, right → Good, right after a hint or
    slowly → Hard; after each verdict you may rate it yourself. With --exam-date, questions your
    schedule would not bring back before the exam (and those never answered) are spread over the days left.

    \b
    Example:
      eshikaku review
      eshikaku review --exam-date 2026-08-22
      eshikaku review --cram --count 30
    """
    from grader.learner.commands import review as run_review

    outcome = run_review(learner_env(ctx), _io(answers, as_json, plain), count=count, topic=topic, exam_date=exam_date, cram=cram)
    if isinstance(outcome, dict):
        _echo_json(outcome) if as_json else click.echo(outcome["message"])
    elif as_json:
        _echo_json(outcome.as_dict())


@main.command()
@click.option("--limit", "-n", type=click.IntRange(min=1), default=20, show_default=True, help="At most this many questions.")
@click.option("--retry", is_flag=True, help="Answer them again now, as a quiz.")
@ANSWERS_OPTION
@JSON_OPTION
@PLAIN_OPTION
@click.pass_context
def mistakes(ctx: click.Context, limit: int, retry: bool, answers: Path | None, as_json: bool, plain: bool) -> None:
    """The questions you most recently answered wrong (their latest answer is not right), to retry.

    \b
    Example:
      eshikaku mistakes
      eshikaku mistakes --retry
    """
    from grader.learner.commands import mistake_lines
    from grader.learner.commands import mistakes as run_mistakes

    outcome = run_mistakes(learner_env(ctx), _io(answers, as_json, plain), limit=limit, retry=retry)
    if not isinstance(outcome, list):
        if as_json:
            _echo_json(outcome.as_dict())
        return
    if as_json:
        _echo_json(outcome)
    elif not outcome:
        click.echo(_("間違えたままの問題はありません。"))
    else:
        for line in mistake_lines(outcome):
            click.echo(line)
        click.echo(_("{n} 問: `eshikaku mistakes --retry` でもう一度解けます").format(n=len(outcome)), err=True)


# --------------------------------------------------------------------------- exam / stats


@main.command()
@click.option("--count", "-n", type=click.IntRange(min=1), default=100, show_default=True, help="How many questions.")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), help="Time allowed (default: 120 minutes per 100 questions, scaled to --count).")
@click.option("--topic", help="Only this syllabus topic or group.")
@click.option("--form", type=click.IntRange(min=1), help="Fixed mock-exam form N (questions/exam_forms.yaml): 100 questions, the same for everyone.")
@click.option("--seed", type=int, help="Seed of the selection and the choice order.")
@click.option("--resume", is_flag=True, help="Continue the unfinished exam, with its answers (its clock never stops).")
@click.option("--no-review", is_flag=True, help="Do not go through the mistakes after the results.")
@ANSWERS_OPTION
@JSON_OPTION
@PLAIN_OPTION
@click.pass_context
def exam(ctx: click.Context, count: int, minutes: float | None, topic: str | None, form: int | None, seed: int | None, resume: bool,
         no_review: bool, answers: Path | None, as_json: bool, plain: bool) -> None:  # fmt: skip
    """A timed mock exam in the E資格 format: four-choice style questions drawn by the exam's four
    areas, results only at the end (by area and by sub-section).

    Move freely (n next, p previous, g N go to, f flag, l list), change answers until you submit (S).
    When the countdown reaches zero the exam is submitted as it stands; the clock is the wall clock
    from the start, so it runs on while the program is stopped. Then each mistake is shown with its
    解説. Without a terminal, each input line answers the next question and the end of the input submits.

    \b
    Example:
      eshikaku exam
      eshikaku exam --form 1
      eshikaku exam --count 20 --minutes 25
      eshikaku exam --resume
    """
    from grader.learner.commands import exam as run_exam

    result = run_exam(learner_env(ctx), _io(answers, as_json, plain), count=count, minutes=minutes, topic=topic, seed=seed, resume=resume,
                      form=form, review_mistakes=not no_review)  # fmt: skip
    if result is not None and as_json:
        _echo_json(result.as_dict())


@main.command("exam-forms")
@click.option("--write", is_flag=True, help="Write questions/exam_forms.yaml (else only print the per-area counts).")
@click.pass_context
def exam_forms_cmd(ctx: click.Context, write: bool) -> None:
    """Draw the three fixed mock-exam forms (instructors): 100 questions each, pairwise disjoint, every
    area at its share; deterministic for a given bank. `validate --strict` checks the file.

    \b
    Example:
      eshikaku exam-forms --write
    """
    from grader.learner.commands import exam_forms
    from grader.learner.exam_forms import area_counts

    bank = open_bank(ctx, quiet=True)
    path, forms = exam_forms(learner_env(ctx), write=write)
    for n, ids in enumerate(forms.forms, 1):
        counts = area_counts([bank.questions[i] for i in ids])
        click.echo(f"form {n}: {len(ids)} questions, " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if path is not None:
        click.echo(f"wrote {display_path(path)}", err=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON, including the last 100 attempts.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Your progress: accuracy per exam area, sub-section and question type (weakest first), recent
    activity, coverage of the bank, and the review schedule.

    \b
    Example:
      eshikaku stats
      eshikaku stats --json | jq '.by_area'
    """
    from grader.learner.stats import compute_stats

    env = learner_env(ctx)
    bank = env.bank(quiet=as_json)
    with env.store() as store:
        data = compute_stats(store, bank)
    if as_json:
        _echo_json(data)
    elif sys.stdout.isatty():
        from grader.learner.stats_view import stats_renderables
        from grader.learner.terminal import make_console

        console = make_console()
        for renderable in stats_renderables(data):
            console.print(renderable)
    else:
        from grader.learner.stats_view import stats_text

        click.echo(stats_text(data))


# --------------------------------------------------------------------------- code: submit / practice / watch


@main.command()
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
    from grader.learner import warmup

    warmup.start()  # the sandbox starts while the question and the code are read
    from grader.grading.report import result_json, result_text
    from grader.learner.commands import submit as grade_submission

    result, notes = grade_submission(learner_env(ctx), qid, file, seed)
    for note in notes:
        click.echo(_("注意: {note}").format(note=note), err=True)
    if as_json:
        _echo_json(result_json(result))
    else:
        click.echo(result_text(result))
        click.echo(_("(seed {seed} · 隔離: {layers})").format(seed=result.seed, layers=", ".join(result.layers) or _("なし")), err=True)
    if result.status == "grader_fault":
        sys.exit(Exit.FAULT)
    sys.exit(Exit.OK if result.passed else Exit.WRONG)


@main.command("practice")
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


@main.command()
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


# --------------------------------------------------------------------------- the instructor's commands


def _render(outcome: Any, as_json: bool = False) -> NoReturn:
    """Prints an instructor command's outcome (its lines, or its data as JSON) and exits with its status."""
    if as_json:
        _echo_json(outcome.data)
    else:
        for line in outcome.out:
            click.echo(line)
    for line in outcome.err:
        click.echo(line, err=True)
    sys.exit(outcome.exit)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the problems and proofs as JSON (for CI).")
@click.option("--verbose", "-v", is_flag=True, help="Also print every proof: the case that catches each wrong choice and template, and every "
    "wrong answer proved wrong.")
@click.option("--no-run", is_flag=True, help="Check the files only; do not execute code questions.")
@click.option("--strict", is_flag=True, help="Also check the bank as a whole: answer-position bias, code questions without an exam-style sibling, "
    "prompts naming missing blanks.")
@click.pass_context
def validate(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, verbose: bool, no_run: bool, strict: bool) -> None:
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

    _render(commands.validate(list(paths) or _bank_paths(ctx), execute=not no_run, strict=strict, verbose=verbose), as_json)


@main.command()
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


@main.command()
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
    _render(commands.new(banks, _bank_paths(ctx), qtype, qid, topic, module))


@main.command()
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file instead of stdout.")
def schema(output: Path | None) -> None:
    """Print the JSON Schema of a question file, for editor completion.

    \b
    Example:
      eshikaku schema -o question.schema.json
    """
    from grader.instructor import commands

    _render(commands.schema(output))


@main.command()
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
        _echo_json([{"name": l.name, "active": l.active, "detail": l.detail} for l in layers])
        return
    for layer in layers:
        click.echo(f"{'✓' if layer.active else '✗'} {layer.name:24} {layer.detail}")



@main.command("grade-batch")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "-o", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Folder for results.csv, cases.csv, "
    "students.csv, report.json and gradescope/<student>/results.json.")
@click.option("--answers", "answers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV or JSONL with the columns "
    "student, question, answer (and optionally seed) for the non-code questions.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Submissions graded at once, each in its own sandbox (default: one per CPU).")
@click.option("--since-changed", is_flag=True, help="Reuse the rows of the report.json in --out whose submission, question and reference are "
    "unchanged; grade only the rest.")
@click.option("--regrade", is_flag=True, help="Grade every submission again, each unchanged one with the seed the report.json in --out records "
    "(the same hidden inputs as before).")
@click.option("--questions", "assignment", metavar="ID,...", help="The assignment: every student gets a row for each of these ids (missing ones "
    "score 0). Default: every question anyone submitted.")
@click.option("--allow-weaker-isolation", is_flag=True, help="Grade even when the sandbox lacks a layer that `eshikaku doctor` reports (the "
    "layers each row ran under are in the reports).")
@click.option("--no-cpu-budget", is_flag=True, help="Give every first run the question's own time limit instead of a budget derived from the "
    "reference's cost (runaway code then holds a core for the whole limit).")
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


@main.group()
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


@main.group()
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


@main.command("item-stats")
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


if __name__ == "__main__":
    main()
