"""Grading submitted code: build the cases, run the learner's code in the sandbox, the reference here,
and judge every case.

The learner's code runs only in a sandboxed child (:mod:`grader.sandbox.sandbox`); this process runs the
trusted reference on the same inputs and compares plain data. Faults are kept apart: the learner's
(syntax errors, exceptions, time-outs) lower the score; the bank's or the grader's are reported as
such and never counted against the learner.
"""

from __future__ import annotations

import atexit
import os
import random
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from grader.bank.cases import CaseInstance, CaseSpecError, build_cases
from grader.bank.params import ParameterError, load_callable
from grader.bank.schema import CodeBase
from grader.errors import BankFault, GraderFault
from grader.grading.compare import Problem, compare, unchanged
from grader.grading.diagnose import Finding, diagnose
from grader.grading.frames import builtin_name, case_ok, check_sizes, decode_frames, status_ok, unrepeated_runs, with_run_seeds
from grader.grading.source import set_aside_note, set_aside_unused_imports, source_for
from grader.grading.trusted import run_prelude, time_limit
from grader.i18n import _
from grader.sandbox.harness import MAX_STDOUT_PER_CASE, pack, run_case
from grader.sandbox.results import Stage
from grader.sandbox.wire import MalformedFrame

STOPPED_NOTE = "時間制限で止まった実行は、それまでに通ったケースがあっても 0 点です (どこまで進むかは機械の負荷で変わるため)。"

# Translated where they are used (``_(OUTCOME_MESSAGES[outcome])``); the keys are RunResult outcomes.
OUTCOME_MESSAGES = {
    "timeout": "時間制限: {limit:g} 秒たってもコードが動き続けていました (無限ループ?)",
    "cpu_limit": "CPU 時間の制限 {limit:g} 秒を超えました (無限ループ、または必要よりはるかに大きな計算?)",
    "memory": "メモリの制限を超えました (必要よりはるかに大きな配列?)",
    "crashed": "プロセスが異常終了しました (シグナル {signal})",
    "exited": "ケースが終わる前にコードがプロセスを終了しました (exit / os._exit)",
    "result_limit": "結果が大きすぎて送り返せませんでした",
}


@dataclass(frozen=True)
class CaseResult:
    name: str
    hidden: bool
    weight: float
    passed: bool
    message: str = ""
    diagnosis: str = ""
    stdout: str = ""
    public_detail: dict[str, Any] | None = None  # inputs and expected output of a public example
    kind: str = ""  # the failure kind (grader.bank.schema.FAILURE_KINDS) when the case failed


@dataclass(frozen=True)
class CodeResult:
    """The verdict on one submission."""

    question_id: str
    seed: int
    status: str  # "graded" | "learner_error" | "grader_fault"
    score: float
    cases: tuple[CaseResult, ...] = ()
    message: str = ""
    traceback: tuple[str, ...] = ()
    stdout: str = ""
    layers: tuple[str, ...] = ()
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()  # the misconceptions the submission behaves like (grader.grading.diagnose)
    notes: tuple[str, ...] = ()  # how the source was prepared (e.g. an unused matplotlib import set aside)

    @property
    def passed(self) -> bool:
        return self.status == "graded" and self.score >= 1.0 - 1e-12

    @property
    def misconceptions(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.findings)


# --------------------------------------------------------------------------- the sandbox, shared


_sandbox_lock = threading.Lock()
_sandbox: Any = None


def _forget_shared_sandbox() -> None:
    """A forked copy of the grader (validate's workers) starts its own sandbox when it needs one."""
    global _sandbox
    if _sandbox is not None:
        _sandbox.abandon()
        _sandbox = None


def close_shared_sandbox() -> None:
    """Stop this process's shared sandbox, if it has one (a worker process that is done)."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is not None:
            _sandbox.close()
            _sandbox = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_shared_sandbox)


def shared_sandbox() -> Any:
    """One warm sandbox per grader process, started on first use and closed at exit."""
    global _sandbox
    with _sandbox_lock:
        if _sandbox is None:
            from grader.sandbox.sandbox import Sandbox

            _sandbox = Sandbox()
            atexit.register(_sandbox.close)
        return _sandbox


# --------------------------------------------------------------------------- grading


def reference_namespace(question: CodeBase) -> dict[str, Any]:
    """The reference module's names, the question's prelude (trusted helpers the cases may call), and
    the reference bound to the entry name."""
    obj = load_callable(question.reference)
    module = __import__(question.reference.partition(":")[0], fromlist=["_"])
    namespace: dict[str, Any] = {**vars(module)}
    if question.prelude:
        run_prelude(question.prelude, namespace)
    namespace[question.entry] = obj
    return namespace


_reference_lock = threading.Lock()


def expected_outputs(question: CodeBase, instances: list[CaseInstance]) -> list[Any]:
    """The reference's results on every case (None for property cases), computed in this process.

    Serialised: running a case swaps ``sys.stdout``, seeds NumPy's global generator and sets warning
    filters, none of which is thread-safe, and batch grading calls this from several threads.
    """
    with _reference_lock:
        namespace = reference_namespace(question)
        outputs = []
        for instance in instances:
            with time_limit(f"the reference on case {instance.label}"):
                outputs.append(None if instance.spec.property else run_case(instance.program, namespace))
        return outputs


def _public_detail(instance: CaseInstance, expected: dict[str, Any]) -> dict[str, Any]:
    """What a public example shows: its inputs, the expected results, and the expected state of
    every argument the code must update in place."""
    finals = expected.get("finals", {})
    return {
        "inputs": instance.program["let"],
        "steps": instance.program["steps"],
        "expected": expected.get("outputs", []),
        "expected_after": {name: finals.get(name) for name in instance.program["modifies"]},
    }


def raised_message(error: dict[str, Any], reveal: bool) -> str:
    """``raised IndexError: …``; for hidden cases only a built-in exception's name, never its text,
    which the learner's code controls and could fill with the hidden inputs."""
    name = builtin_name(error.get("type"), exception=True)
    if reveal:
        return _("{name} が発生しました: {message}").format(name=name or "例外", message=error.get("message", "")).rstrip(": ")
    return _("{name} が発生しました (隠しケース: 同じ形の入力で試すとメッセージが見られます)").format(name=name or "例外")


MAX_TRACEBACK = 6


def learner_traceback(lines: Any, source: str) -> tuple[str, ...]:
    """The learner's own lines, rebuilt from the submitted source by line number (the child's text is not trusted)."""
    source_lines = source.splitlines()
    numbers = [n for n in lines if type(n) is int and 0 < n <= len(source_lines)] if isinstance(lines, list) else []
    return tuple(_("{n} 行目: {text}").format(n=n, text=source_lines[n - 1].strip()) for n in numbers[-MAX_TRACEBACK:])


def judge_case(instance: CaseInstance, got: dict[str, Any], expected: dict[str, Any] | None) -> Problem | None:
    """The first problem with one case's results, or None when it passes.

    A public example's message may quote the learner's results (it ran before any hidden input reached
    the child); a hidden case's says only what the grader can tell from verified data.
    """
    spec = instance.spec
    reveal = not spec.hidden
    if not case_ok(got, instance):
        return Problem("type", _(MALFORMED))
    if got["status"] == "error":
        return Problem("exception", raised_message(got["error"], reveal))
    outputs = got["outputs"]
    if spec.property is not None:
        differ = unrepeated_runs(outputs, instance.program)
        if differ:
            return Problem("property", _("同じ乱数の状態 (シード) で実行した {n} 回の結果が、先の同じシードの結果と違います: "
                                         "乱数は np.random (または random) から取り、呼び出し回数やカウンタで結果を変えないでください").format(n=differ))
        checker = load_callable(spec.property.checker)
        values = {k: v for k, v in instance.program["let"].items()}
        try:
            problems = checker(values, outputs, **spec.property.params)
        except Exception as exc:  # a checker must never raise; if it does, it is the bank's fault
            raise GraderFault(f"property checker {spec.property.checker} failed: {exc!r}") from exc
        return Problem("property", "; ".join(problems)) if problems else None
    assert expected is not None
    if expected.get("status") != "ok":
        raise GraderFault(f"the reference failed on case {instance.label}: {expected.get('error')}")
    want = expected["outputs"]
    checked_steps = [s for s in instance.program["steps"] if s.get("check", True)]
    for step, g, e in zip(checked_steps, outputs, want):
        what = _("`{name}` の結果").format(name=step.get("get") or step.get("call"))
        problem = compare(g, e, instance.compare, what, reveal=reveal)
        if problem:
            return problem
    lets = instance.program["let"]
    finals, want_finals = got["finals"], expected.get("finals", {})
    for name, initial in lets.items():
        final = finals.get(name)
        if name in instance.program["modifies"]:
            if name in got["rebound"]:
                return Problem("mutation", _("`{name}` が置き換えられ、その場で更新されていません: "
                                             "既存の配列に代入してください (`+=`, `-=`, `[...] =`)").format(name=name))
            if unchanged(final, initial) and not unchanged(want_finals.get(name), initial):
                if isinstance(initial, (dict, list)):
                    return Problem("mutation", _("`{name}` の中の配列がその場で更新されていません: "
                                                 "呼び出し元の配列が変わる必要があります (`{name}[key] -= …` を使う)").format(name=name))
                return Problem("mutation", _("`{name}` がその場で更新されていません: 呼び出し元の配列が変わる必要があります "
                               "(`{name} += …` を使う。`{name} = {name} + …` はローカル名を付け替えるだけです)").format(name=name))
            problem = compare(final, want_finals.get(name), instance.compare, f"`{name}`", reveal=reveal)
            if problem:
                return Problem(problem.kind, _("呼び出し後の {problem}").format(problem=problem))
        elif not unchanged(final, initial):
            return Problem("mutation", _("入力 `{name}` が変更されました: 呼び出し元の配列を変えないでください "
                                         "(コピーに対して計算し、入力に `-=` を使わない)").format(name=name))
    return None


MAX_SOURCE_BYTES = 100_000
MALFORMED = "結果の形式が不正です (結果の通信路が改ざんされました)"  # shown through _()


def run_order(instances: list[CaseInstance]) -> list[CaseInstance]:
    """The cases in the order they run: the public examples first (in the bank's order), then the hidden ones."""
    return [i for i in instances if not i.spec.hidden] + [i for i in instances if i.spec.hidden]


def _requests(question: CodeBase, source: str, instances: list[CaseInstance]) -> tuple[bytes, Stage | None]:
    """The request with the public examples, and the hidden cases as its later stage (see :func:`grade_code`);
    ``instances`` are in :func:`run_order`."""
    split = sum(1 for i in instances if not i.spec.hidden)
    public, hidden = [i.program for i in instances[:split]], [i.program for i in instances[split:]]
    first = pack({"source": source, "prelude": question.prelude, "entry": question.entry, "cases": public, "more": len(hidden)})
    return first, (Stage(1 + len(public), pack({"cases": hidden})) if hidden else None)


def grade_code(question: CodeBase, submission: str | dict[str, str], seed: int | None = None, sandbox: Any = None) -> CodeResult:
    """Grades a submission to a code question.

    Args:
        question: A code_blank or code_function question.
        submission: The learner's source, or (code_blank) blank name → code.
        seed: Seed of the hidden cases; a fresh one is drawn and recorded when None.
        sandbox: A :class:`grader.sandbox.sandbox.Sandbox`; the shared one by default.
    """
    seed = random.SystemRandom().randrange(1, 2**31) if seed is None else seed
    started = time.perf_counter()
    try:
        source = source_for(question, submission)
    except ValueError as exc:
        return CodeResult(question.id, seed, "learner_error", 0.0, message=str(exc))
    if len(source.encode("utf-8", "replace")) > MAX_SOURCE_BYTES:
        return CodeResult(question.id, seed, "learner_error", 0.0,
                          message=_("コードが {kb} kB を超えています: 問題が求める部分だけを提出してください").format(kb=MAX_SOURCE_BYTES // 1000))
    try:
        compile(source, "<submission>", "exec")  # compiling runs nothing; it finds syntax errors cheaply
    except SyntaxError as exc:
        where = _("{n} 行目: ").format(n=exc.lineno) if exc.lineno else ""
        return CodeResult(question.id, seed, "learner_error", 0.0, message=f"SyntaxError: {where}{exc.msg}", traceback=((exc.text or "").rstrip(),))
    except (MemoryError, RecursionError, ValueError, OverflowError) as exc:  # pathological nesting, NUL bytes
        return CodeResult(question.id, seed, "learner_error", 0.0,
                          message=_("コードをコンパイルできません ({name}): 簡単にしてください").format(name=type(exc).__name__))
    source, set_aside = set_aside_unused_imports(source)  # after the size and compile checks: the parse is bounded
    try:
        instances = run_order(with_run_seeds(build_cases(question, seed)))
        box = sandbox or shared_sandbox()
        from grader.sandbox.sandbox import Limits

        limits = Limits(cpu_seconds=question.time_limit, wall_seconds=question.time_limit * 2 + 1.0)
        expected: list[Any] = []
        # One child runs every case, the hidden ones last: they are written to it only once the load
        # report and every public example's frame are in, so all the text a learner may see comes from
        # a process that had not seen a hidden input. The reference runs here while the child runs
        # there; the run is complete with a status frame and one frame per case.
        request, hidden = _requests(question, source, instances)
        run = box.run(request, limits, frames=1 + len(instances), stage=hidden,
                      meanwhile=lambda: expected.extend(expected_outputs(question, instances)))
        result = _judge(question, seed, source, instances, expected, run, started)
        return replace(result, notes=result.notes + (set_aside_note(set_aside),)) if set_aside else result
    except (CaseSpecError, ParameterError, GraderFault, BankFault) as exc:
        return CodeResult(question.id, seed, "grader_fault", 0.0, message=f"bank or grader error: {exc}")


def _fail(question: CodeBase, seed: int, message: str, common: dict[str, Any], **more: Any) -> CodeResult:
    return CodeResult(question.id, seed, "learner_error", 0.0, message=message, **common, **more)


def _stopped(question: CodeBase, run: Any) -> str:
    return _(OUTCOME_MESSAGES.get(run.outcome, "結果がありません")).format(limit=question.time_limit, signal=run.signal)


def _judge(question: CodeBase, seed: int, source: str, instances: list[CaseInstance], expected: list[Any], run: Any,
           started: float) -> CodeResult:
    """The verdict on one run. The load report and the public examples' frames (and what they printed)
    came before any hidden input reached the child: they may be shown; a hidden case's may not."""
    common: dict[str, Any] = {"layers": tuple(run.layers), "seconds": time.perf_counter() - started}
    try:
        frames = decode_frames(run.frames)
        check_sizes(frames, instances)
    except MalformedFrame:
        return _fail(question, seed, _(MALFORMED), common)
    if not frames:
        return _fail(question, seed, _stopped(question, run) if run.outcome in OUTCOME_MESSAGES else _("読み込みの前にコードが止まりました"), common)
    status = frames[0]
    if not status_ok(status):
        return _fail(question, seed, _(MALFORMED), common)
    # What the module code printed (the child caps it; a forged frame is cut here to the same size).
    common["stdout"] = status["stdout"][:MAX_STDOUT_PER_CASE] if type(status.get("stdout")) is str else ""
    if status["status"] == "undefined":
        return _fail(question, seed, _("`{entry}` が定義されていません: テンプレートにあるシグネチャで定義してください").format(entry=question.entry), common)
    if status["status"] == "not_callable":
        kind = builtin_name(status["type"])
        return _fail(question, seed, _("`{entry}` が {kind} で、関数でもクラスでもありません").format(entry=question.entry, kind=kind or _("別の値")), common)
    if status["status"] == "error":
        err = status["error"]
        name = builtin_name(err["type"], exception=True) or _("例外")
        return _fail(question, seed, _("読み込み中に {name} が発生しました").format(name=name) + f": {err['message']}",
                     common, traceback=learner_traceback(err["traceback"], source))
    results: list[CaseResult] = []
    case_frames = frames[1:]
    for i, instance in enumerate(instances):
        spec = instance.spec
        stdout = ""
        if i < len(case_frames):
            got = case_frames[i]
            problem = judge_case(instance, got, expected[i])
            stdout = got["stdout"] if isinstance(got, dict) and type(got.get("stdout")) is str else ""
        elif i == len(case_frames):
            problem = Problem("stopped", _("{stopped} (ケース {label})").format(stopped=_stopped(question, run), label=instance.label))
        else:
            problem = Problem("stopped", _("実行されませんでした: 前のケースでプロセスが止まりました"))
        detail = _public_detail(instance, expected[i]) if not spec.hidden and expected[i] else None
        message, kind = (problem.message, problem.kind) if problem else ("", "")
        diagnosis = next((text for when, text in spec.diagnosis.items() if when == kind), "")
        results.append(CaseResult(instance.label, spec.hidden, instance.weight, problem is None, message, diagnosis,
                                  "" if spec.hidden else stdout, detail, kind))
    # The first error's lines, rebuilt from the source (a public example's first, then a hidden case's).
    errors = sorted((inst.spec.hidden, i) for i, (f, inst) in enumerate(zip(case_frames, instances))
                    if results[i].kind == "exception")
    first_error_tb = learner_traceback(case_frames[errors[0][1]]["error"]["traceback"], source) if errors else ()
    total = sum(r.weight for r in results)
    score = sum(r.weight for r in results if r.passed) / total if total else 0.0
    if run.outcome in ("timeout", "cpu_limit"):  # how far it got before the limit depends on the machine's load
        score = 0.0
        common["notes"] = (_(STOPPED_NOTE),)
    failing = [(instance, case_frames[i]) for i, instance in enumerate(instances)
               if i < len(case_frames) and not results[i].passed and results[i].kind not in ("stopped", "") and results[i].message != _(MALFORMED)]
    findings = diagnose(question, source, failing) if failing else ()
    return CodeResult(question.id, seed, "graded", score, tuple(results), traceback=first_error_tb, findings=findings, **common)
