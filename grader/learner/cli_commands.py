"""The learner's commands: each parses its options, calls one function of grader.learner and renders the result
(the code commands are in grader.learner.cli_code).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.bank.layout import BUILTIN_BANK, QUESTION_TYPES
from grader.errors import Exit
from grader.i18n import _
from grader.learner.cli_code import practice_cmd, submit, watch
from grader.learner.cli_support import (
    ANSWERS_OPTION,
    JSON_OPTION,
    PLAIN_OPTION,
    display_path,
    echo_json,
    learner_env,
    on_terminal,
    open_bank,
    session_io,
)

# --------------------------------------------------------------------------- list / show / answer


@click.command("list")
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
        echo_json(catalog(bank, select(bank, topic=topic, qtype=qtype, tag=tag)))
        return
    from grader.learner.commands import list_rows

    lines, table, summary = list_rows(learner_env(ctx), topic=topic, qtype=qtype, tag=tag)
    if sys.stdout.isatty():
        click.echo_via_pager("\n".join([*lines, "", *table, summary]) + "\n")
        return
    for line in lines:
        click.echo(line)
    click.echo(summary, err=True)


@click.command()
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
    if on_terminal(plain):
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


@click.command(context_settings={"ignore_unknown_options": True})  # so that a negative number is an answer
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
        echo_json({"id": qid, "seed": current.seed, "correct": verdict.correct, "score": verdict.score,
                    "response": response, "expected": verdict.expected, "feedback": list(verdict.feedback),
                    "explanation": current.explanation})  # fmt: skip
    elif on_terminal(plain):
        from grader.learner import verdict as view
        from grader.learner.terminal import make_console, page

        page(make_console(), view.renderables(view.of_answer(current, verdict, notes)))
    else:
        from grader.learner import verdict as view

        click.echo(view.text(view.of_answer(current, verdict, notes)))
    sys.exit(Exit.OK if verdict.correct else Exit.WRONG)


# --------------------------------------------------------------------------- quiz / review / mistakes


@click.command()
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

    summary = run_quiz(learner_env(ctx), session_io(answers, as_json, plain), ids=ids, topic=topic, tag=tag, qtype=qtype, count=count, seed=seed,
                       resume=resume)  # fmt: skip
    if as_json:
        echo_json(summary.as_dict())


@click.command()
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

    outcome = run_review(learner_env(ctx), session_io(answers, as_json, plain), count=count, topic=topic, exam_date=exam_date, cram=cram)
    if isinstance(outcome, dict):
        echo_json(outcome) if as_json else click.echo(outcome["message"])
    elif as_json:
        echo_json(outcome.as_dict())


@click.command()
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

    outcome = run_mistakes(learner_env(ctx), session_io(answers, as_json, plain), limit=limit, retry=retry)
    if not isinstance(outcome, list):
        if as_json:
            echo_json(outcome.as_dict())
        return
    if as_json:
        echo_json(outcome)
    elif not outcome:
        click.echo(_("間違えたままの問題はありません。"))
    else:
        for line in mistake_lines(outcome):
            click.echo(line)
        click.echo(_("{n} 問: `eshikaku mistakes --retry` でもう一度解けます").format(n=len(outcome)), err=True)


# --------------------------------------------------------------------------- exam / stats


@click.command()
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

    result = run_exam(learner_env(ctx), session_io(answers, as_json, plain), count=count, minutes=minutes, topic=topic, seed=seed, resume=resume,
                      form=form, review_mistakes=not no_review)  # fmt: skip
    if result is not None and as_json:
        echo_json(result.as_dict())


@click.command("exam-forms")
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


@click.command()
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
        echo_json(data)
    elif sys.stdout.isatty():
        from grader.learner.stats_view import stats_renderables
        from grader.learner.terminal import make_console

        console = make_console()
        for renderable in stats_renderables(data):
            console.print(renderable)
    else:
        from grader.learner.stats_view import stats_text

        click.echo(stats_text(data))


LEARNER_COMMANDS = (list_cmd, show, answer, quiz, review, mistakes, exam, exam_forms_cmd, stats, submit, practice_cmd, watch,)
