"""The learner's commands as functions: ``cli.py`` parses the options, calls one of these and renders what
it returns. Interactive commands draw on the terminal themselves (rich on a tty, plain text otherwise)."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.errors import UsageError
from grader.i18n import _
from grader.learner.context import Env, bank_error, get_question
from grader.learner.storage import PRACTICE_KINDS, AttemptRecord, Store, content_hash

if TYPE_CHECKING:
    # Imported where used: `submit` grades without the session machinery (typed answers, rendering).
    from grader.learner.practice import Practice, Summary


@dataclass(frozen=True)
class Io:
    """Where a session reads and writes: ``--answers``, ``--json``, ``--plain``."""

    answers: Path | None = None
    as_json: bool = False
    plain: bool = False

    @property
    def rich(self) -> bool:
        return sys.stdout.isatty() and not self.as_json and not self.plain

    @property
    def editor(self) -> bool:
        return self.rich and self.answers is None and sys.stdin.isatty()


def _reader(io: Io, store: Store) -> Any:
    from grader.learner.plain import LineReader

    if io.editor:
        from grader.learner.drafts import Drafts
        from grader.learner.terminal import PromptReader

        return PromptReader(store.history_path, Drafts(store.path))
    return LineReader.from_file(str(io.answers)) if io.answers else LineReader(sys.stdin)


def run_session(practice: Practice, store: Store, io: Io) -> Summary:
    from grader.learner.loop import run_practice
    from grader.learner.plain import PlainView

    reader = _reader(io, store)
    if io.rich:
        from grader.learner.terminal import RichView

        view: Any = RichView(ask=reader.line if io.editor else input)
    else:
        view = PlainView(sys.stderr if io.as_json else sys.stdout)
    return run_practice(practice, view, reader)


def quiz(env: Env, io: Io, *, ids: tuple[str, ...], topic: str | None, tag: str | None, qtype: str | None, count: int, seed: int | None,
         resume: bool) -> Summary:  # fmt: skip
    from grader.learner.practice import Practice, choose_questions

    bank = env.bank()
    with env.store() as store:
        if resume:
            practice = Practice.resume(store, bank, PRACTICE_KINDS)
            if practice is None:
                raise UsageError(_("続きの quiz はありません: `eshikaku quiz` で始めてください"))
        else:
            questions = [get_question(bank, q) for q in ids] if ids else choose_questions(bank, store, topic=topic, tag=tag, qtype=qtype,
                                                                                          count=count, seed=seed)  # fmt: skip
            if not questions:
                raise UsageError(_("条件に合う問題がありません: `eshikaku list` で確かめてください"))
            if store.open_sessions(PRACTICE_KINDS):
                env.warn(_("注意: 中断した練習があります: `eshikaku quiz --resume` で続けられます"))
            options = {"ids": list(ids), "topic": topic, "tag": tag, "type": qtype, "count": count, "seed": seed}
            practice = Practice.start(store, bank, "quiz", questions, options, seed=seed)
        return run_session(practice, store, io)


def review(env: Env, io: Io, *, count: int | None, topic: str | None, exam_date: str | None, cram: bool) -> Summary | dict[str, Any]:
    """Today's reviews (every card due before midnight, as ``stats`` counts them); a dict when none is due."""
    from grader.bank.catalog import select
    from grader.learner import srs
    from grader.learner.practice import Practice

    bank = env.bank()
    now = time.time()
    with env.store() as store:
        if exam_date is not None:
            if exam_date.lower() in ("none", "off", ""):
                store.set_setting("exam_date", None)
                store.set_setting("plan_start", None)
            else:
                try:
                    srs.parse_exam_date(exam_date, now)
                except ValueError as exc:
                    raise UsageError(str(exc)) from None
                if store.setting("exam_date") != exam_date:
                    store.set_setting("exam_date", exam_date)
                    store.set_setting("plan_start", str(now))
        stored_date = store.setting("exam_date")
        ids = [q.id for q in select(bank, topic=topic)]
        cards = store.cards()
        if cram:
            queue, kind = srs.cram_order(ids, cards, now)[: count or 20], "cram"
        else:
            plan_start = store.setting("plan_start")
            plan = srs.plan_reviews(ids, cards, now, exam_date=srs.parse_exam_date(stored_date) if stored_date else None,
                                    plan_start=float(plan_start) if plan_start else None)  # fmt: skip
            for note in plan.notes:
                env.warn(_("注意: {note}").format(note=note))
            queue, kind = (plan.queue[:count] if count else plan.queue), "review"
            if plan.exam_date:
                env.warn(_("試験日 {day} まであと {days} 日: 今日 {n} 問 (期限 {due} + 試験前に回す {extra} / 残り {left}, 1 日 {per} 問)").format(
                    day=plan.exam_date, days=plan.days_left, n=len(queue), due=plan.due_now, extra=plan.scheduled_extra,
                    left=plan.remaining_before_exam, per=plan.per_day))  # fmt: skip
            if not queue:
                when = _(" 次の復習は {when}。").format(when=srs.describe_due(plan.next_due, now)) if plan.next_due else ""
                return {"due": 0, "next_due": plan.next_due,
                        "message": _("今日復習する問題はありません。{when}`eshikaku review --cram` で全体を見直せます。").format(when=when)}  # fmt: skip
        options = {"topic": topic, "count": count, "exam_date": stored_date, "cram": cram}
        practice = Practice.start(store, bank, kind, [bank.questions[q] for q in queue], options)
        return run_session(practice, store, io)


def mistakes(env: Env, io: Io, *, limit: int, retry: bool) -> list[dict[str, Any]] | Summary:
    from grader.learner.practice import Practice
    from grader.learner.stats import recent_mistakes

    bank = env.bank()
    with env.store() as store:
        items = recent_mistakes(store, bank, limit)
        if not retry or not items:
            return items
        practice = Practice.start(store, bank, "mistakes", [bank.questions[m["id"]] for m in items], {"limit": limit})
        return run_session(practice, store, io)


def mistake_lines(items: list[dict[str, Any]]) -> list[str]:
    """``eshikaku mistakes``: one line per question (when, how it went, how often missed)."""
    from datetime import datetime

    from grader.learner.plain import review_reason
    from grader.learner.srs import describe_ago

    now = time.time()
    return [f"{m['id']:34} {describe_ago(datetime.fromisoformat(m['at']).timestamp(), now):10}  {review_reason(m['verdict']):6} "
            f"×{m['times_wrong']}  {m['title']}" for m in items]  # fmt: skip


def record_single(store: Store, question: Any, *, seed: int | None, response: str, status: str, score: float, mode: str,
                  detail: dict[str, Any] | None = None) -> None:  # fmt: skip
    """Records an answer given outside a session (``answer``, ``submit``, ``watch``, the notebook), so that
    stats, review and mistakes see it; the review card is updated as in the quiz."""
    from grader.learner import srs

    rating = srs.rating_for(status, None, 0, question.type)
    record = AttemptRecord(question_id=question.id, content_hash=content_hash(question), topic=question.topic, qtype=question.type, seed=seed,
                           response=response, verdict=status, score=score, seconds=None, hints=0, mode=mode, detail=detail)  # fmt: skip
    store.record_attempt(record, schedule=srs.schedule_update(rating, time.time(), None) if rating is not None else None)


def show(env: Env, qid: str, seed: int | None) -> tuple[Any, list[str]]:
    """The attempt to show (options relabelled when a seed is given) and its public examples."""
    from grader.bank.params import ParameterError, attempt
    from grader.grading.render import present
    from grader.learner.plain import public_examples

    question = get_question(env.bank(), qid)
    try:
        shown = present(attempt(question, seed)).attempt
    except ParameterError as exc:
        raise bank_error(qid, exc) from None
    return shown, public_examples(shown)


def answer(env: Env, qid: str, response: str, seed: int | None) -> tuple[Any, Any, tuple[str, ...]]:
    """Grades one answer as the quiz does (labels as ``show --seed`` drew them; the keys without a seed) and
    records it.

    Returns (the attempt as shown, the verdict, grading notes).
    """
    from grader.bank.params import ParameterError, attempt
    from grader.grading.answers import InvalidAnswer
    from grader.grading.render import present
    from grader.learner.practice import grade_response

    question = get_question(env.bank(), qid)
    if question.parameters is not None and seed is None:
        raise UsageError(_("{id} には数値のパラメータがあります: `eshikaku show {id}` が表示する --seed を付けてください").format(id=qid))
    try:
        shown = present(attempt(question, seed))
        status, verdict, _result, notes = grade_response(shown.attempt, response)
        stored = shown.stored(response)
    except InvalidAnswer as exc:
        raise UsageError(f"{qid}: {exc}") from None
    except ParameterError as exc:
        raise bank_error(qid, exc) from None
    with env.store() as store:
        record_single(store, question, seed=seed, response=stored, status=status, score=verdict.score, mode="answer")
    return shown.attempt, verdict, notes


def submit(env: Env, qid: str, data: bytes | None, origin: str, seed: int | None) -> tuple[Any, list[str]]:
    """Grades the code in ``data`` (read from ``origin``, which messages name; None: ``$EDITOR`` on the
    last draft) and records it.

    Returns (the code result, notes for the learner).
    """
    from grader.bank.schema import CodeBase
    from grader.learner.drafts import Drafts
    from grader.learner.inputs import decode

    question = env.question(qid)
    if not isinstance(question, CodeBase):
        raise UsageError(_("{id} は {type} の問題です: `eshikaku answer {id} ANSWER` で答えてください").format(id=qid, type=question.type))
    notes: list[str] = []
    drafts = Drafts(env.db_path)
    if data is None:
        import click

        source = click.edit(drafts.start(question), extension=".py", require_save=True)
        if source is None:
            raise UsageError(_("何も提出されませんでした: エディタが保存せずに閉じられました"))
    else:
        decoded = decode(data, origin)
        source = decoded.text
        if decoded.note:
            notes.append(decoded.note)
    drafts.save(question.id, source)
    result = grade_and_record(env, question, source, seed, mode="submit")
    from grader.learner.isolation_note import weaker_isolation_note

    weaker = weaker_isolation_note(result.layers)
    return result, notes + ([weaker] if weaker else [])


def grade_and_record(env: Env, question: Any, source: str, seed: int | None = None, *, mode: str) -> Any:
    """Grades code for ``question`` in the sandbox and records the attempt (``submit``, ``watch``, the notebook);
    a grader fault is not recorded: it says nothing about the learner, nor a grading nobody waits for any
    more (``env.interrupted``). Returns the code result."""
    from grader.grading.codegrade import grade_code
    from grader.learner import warmup
    from grader.learner.practice import code_detail, status_for

    result = grade_code(question, source, seed, sandbox=warmup.sandbox())
    if result.status != "grader_fault" and not env.interrupted():
        with env.store() as store:
            record_single(store, question, seed=result.seed, response=source, status=status_for(result.passed, result.score), score=result.score,
                          mode=mode, detail=code_detail(result))  # fmt: skip
    return result


def exam(env: Env, io: Io, *, count: int, minutes: float | None, topic: str | None, seed: int | None, resume: bool, form: int | None,
         review_mistakes: bool) -> Any:  # fmt: skip
    """A mock exam: drawn by the four areas' shares, or fixed form ``form`` of ``questions/exam_forms.yaml``.

    Returns the result (None when the learner stopped for now); an open exam is offered first on a terminal.
    """
    from grader.bank.syllabus import edition
    from grader.learner.exam import DEFAULT_COUNT, Exam, time_limit
    from grader.learner.exam_forms import area_counts

    bank = env.bank()
    with env.store() as store:
        current = Exam.resume(store, bank) if resume else None
        if resume and current is None:
            raise UsageError(_("続きの模擬試験はありません: `eshikaku exam` で始めてください"))
        waiting = None if resume else Exam.resume(store, bank)
        if waiting is not None and io.editor:
            from grader.learner.plain import format_seconds
            from grader.learner.terminal import PromptReader

            reply = PromptReader().line(_("未完了の模擬試験があります (残り {left})。続けますか? [Y/n] (n: それを閉じて新しく始める) ").format(
                left=format_seconds(waiting.remaining)))  # fmt: skip
            if reply.strip().lower() in ("n", "no", "いいえ"):
                waiting.abandon()
            else:
                current = waiting
        elif waiting is not None:
            env.warn(_("注意: 未完了の模擬試験があります: `eshikaku exam --resume` で続けられます"))
        if current is None:
            questions = _exam_questions(env, bank, count, seed, topic, form, minutes)
            names = {a.key: a.name for a in edition().areas}
            counts = area_counts(questions)
            env.warn(_("模擬試験 {n} 問: ").format(n=len(questions)) + " · ".join(f"{names.get(k, k)} {v}" for k, v in counts.items()))
            options = {"count": count, "minutes": minutes, "topic": topic, "seed": seed, "form": form, "default_count": DEFAULT_COUNT}
            current = Exam.start(store, bank, questions, time_limit(len(questions), minutes), options, seed=seed)
        return _run_exam(current, store, io, review_mistakes)


def _exam_questions(env: Env, bank: Any, count: int, seed: int | None, topic: str | None, form: int | None, minutes: float | None) -> list[Any]:
    from grader.bank.loader import BUILTIN_BANK
    from grader.learner.exam import choose_exam
    from grader.learner.exam_forms import FormsError, load_forms, mock_pool

    if form is not None:
        root = next((p for p in reversed(env.bank_paths) if (p / "exam_forms.yaml").is_file()), BUILTIN_BANK)
        try:
            forms = load_forms(root)
        except FormsError as exc:
            raise UsageError(str(exc)) from None
        if forms is None or not 1 <= form <= len(forms.forms):
            have = len(forms.forms) if forms else 0
            raise UsageError(_("模擬試験の固定フォーム {n} はありません (この問題集には {have} 個)").format(n=form, have=have))
        missing = [q for q in forms.forms[form - 1] if q not in bank.questions]
        if missing:
            raise UsageError(_("フォーム {n} の問題が問題集にありません: {ids}").format(n=form, ids=", ".join(missing[:5])))
        return [bank.questions[q] for q in forms.forms[form - 1]]
    if not mock_pool(bank, topic):
        raise UsageError(_("模擬試験に使える問題 (四択形式) がありません"))
    questions, short = choose_exam(bank, count, seed, topic)
    if short:
        env.warn(_("注意: 分野の配分に足りない問題があります ({short}): 他の分野で補いました").format(short=", ".join(short)))
    if len(questions) < count:
        env.warn(_("注意: 模擬試験に使える問題は {n} 問です").format(n=len(questions)) + ("" if minutes else _(" (時間も比例させます)")))
    return questions


def _run_exam(current: Any, store: Store, io: Io, review_mistakes: bool) -> Any:
    from grader.learner.exam_text import mistake_text, result_text, run_exam_plain
    from grader.learner.plain import LineReader

    if io.editor:
        from grader.learner.exam_tty import exam_result_renderables, review_mistakes_tty, run_exam_tty
        from grader.learner.terminal import PromptReader, make_console

        console = make_console()
        reader = PromptReader(store.history_path)
        result = run_exam_tty(current, console, reader)
        if result is not None:
            for renderable in exam_result_renderables(result):
                console.print(renderable)
            if review_mistakes:
                review_mistakes_tty(result, console, reader)
        return result
    out = sys.stderr if io.as_json else sys.stdout
    line_reader = LineReader.from_file(str(io.answers)) if io.answers else LineReader(sys.stdin)
    result = run_exam_plain(current, line_reader, out)
    if result is not None and not io.as_json:
        out.write(result_text(result) + "\n")
        if review_mistakes:
            for n, item in enumerate(result.mistakes, 1):
                out.write("\n" + mistake_text(item, n, len(result.mistakes)) + "\n")
    return result


def exam_forms(env: Env, *, write: bool) -> tuple[Path | None, Any]:
    """Draws the three fixed forms from the built-in bank (or the last --bank); writes them with ``write``."""
    from grader.bank.loader import BUILTIN_BANK
    from grader.learner.exam_forms import FormsError, draw_forms, write_forms

    bank = env.bank()
    try:
        forms = draw_forms(bank)
    except FormsError as exc:
        raise UsageError(str(exc)) from None
    root = env.bank_paths[-1] if env.bank_paths else BUILTIN_BANK
    return (write_forms(forms, root) if write else None), forms


def list_rows(env: Env, *, topic: str | None, qtype: str | None, tag: str | None) -> tuple[list[str], list[str], str]:
    """``eshikaku list``: one line per question with its mark (✓ right last time, ✗ not, ⏰ due for review),
    then the count per sub-section. Returns (lines, the per-topic table, a one-line summary)."""
    from grader.bank.catalog import select
    from grader.bank.syllabus import topic_name
    from grader.learner import srs

    bank = env.bank()
    questions = select(bank, topic=topic, qtype=qtype, tag=tag)
    history: dict[str, Any] = {}
    cards: dict[str, tuple[float, str]] = {}
    if env.db_path.exists():
        with env.store() as store:
            history, cards = store.question_summary(), store.cards()
    cutoff = srs.end_of_day(time.time())
    lines = []
    per_topic: dict[str, int] = {}
    for q in questions:
        seen = history.get(q.id)
        mark = " " if seen is None else ("✓" if seen.get("last_verdict") == "right" else "✗")
        due = "⏰" if q.id in cards and cards[q.id][0] <= cutoff else "  "
        params = " ⟳" if q.parameters else ""
        lines.append(f"{q.id:34} {q.topic:4} {q.type:13} {'★' * q.difficulty:3} {mark}{due} {q.title}{params}")
        per_topic[q.topic] = per_topic.get(q.topic, 0) + 1
    from grader.bank.catalog import topic_key

    table = [f"  {t:5} {n:4}  {topic_name(t)}" for t, n in sorted(per_topic.items(), key=lambda tn: topic_key(tn[0]))]
    counts = " · ".join(f"{t} {n}" for t, n in sorted(per_topic.items(), key=lambda tn: topic_key(tn[0])))
    return lines, table, _("{n} 問 ({counts}) ✓ 前回正解 · ✗ 前回不正解 · ⏰ 今日の復習").format(n=len(questions), counts=counts)
