"""Grading submitted code: build the cases, run the learner's code in the sandbox, the reference here,
and judge every case.

The learner's code runs only in a sandboxed child (:mod:`grader.sandbox.sandbox`); this process runs the
trusted reference on the same inputs and compares plain data. Faults are kept apart: the learner's
(syntax errors, exceptions, time-outs) lower the score; the bank's or the grader's are reported as
such and never counted against the learner.
"""

from __future__ import annotations

import atexit
import builtins
import random
import re
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
from grader.grading.source import choice_codes as choice_codes  # kept importable from here while callers move
from grader.grading.source import fill_blanks as fill_blanks
from grader.grading.source import set_aside_note, set_aside_unused_imports, source_for
from grader.grading.source import solution_source as solution_source
from grader.grading.trusted import run_prelude, time_limit
from grader.sandbox.harness import pack, run_case, unpack

OUTCOME_MESSAGES = {
    "timeout": "time limit: the code was still running after {limit:g} s (an infinite loop?)",
    "cpu_limit": "CPU time limit of {limit:g} s exceeded (an infinite loop, or work far larger than needed?)",
    "memory": "memory limit exceeded (an array far larger than needed?)",
    "crashed": "the process crashed (signal {signal})",
    "exited": "the code ended the process (exit / os._exit) before the cases finished",
    "result_limit": "the results were too large to send back",
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
    name = str(error.get("type", ""))
    if reveal:
        return f"raised {name}: {error.get('message', '')}".rstrip(": ")
    builtin = getattr(builtins, name, None)
    known = isinstance(builtin, type) and issubclass(builtin, BaseException)
    return f"raised {name if known else 'an exception'} (hidden case: test your code on inputs of the same shape to see the message)"


def learner_traceback(lines: Any, source: str) -> tuple[str, ...]:
    """The learner's own lines, rebuilt from the submitted source by line number (the child's text is not trusted)."""
    numbers = [int(m.group(1)) for line in lines if isinstance(line, str) for m in [re.match(r"line (\d+)", line)] if m]
    source_lines = source.splitlines()
    return tuple(f"line {n}: {source_lines[n - 1].strip()}" for n in numbers[-6:] if 0 < n <= len(source_lines))


def judge_case(instance: CaseInstance, got: dict[str, Any], expected: dict[str, Any] | None) -> Problem | None:
    """The first problem with one case's results, or None when it passes."""
    spec = instance.spec
    reveal = not spec.hidden
    if got.get("status") == "error":
        return Problem("exception", raised_message(got["error"], reveal))
    outputs = got.get("outputs", [])
    if spec.property is not None:
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
    if len(outputs) != len(want):
        return Problem("type", "the code did not produce every result (a step is missing)")
    checked_steps = [s for s in instance.program["steps"] if s.get("check", True)]
    for i, (g, e) in enumerate(zip(outputs, want)):
        step = checked_steps[i] if len(checked_steps) == len(want) else {}
        what = f"`{step.get('get') or step.get('call')}` result" if step else "the result"
        problem = compare(g, e, instance.compare, what, reveal=reveal)
        if problem:
            return problem
    lets = instance.program["let"]
    finals, want_finals = got.get("finals", {}), expected.get("finals", {})
    for name, initial in lets.items():
        final = finals.get(name)
        if name in instance.program["modifies"]:
            if name in got.get("rebound", []):
                return Problem("mutation", f"`{name}` was replaced, not updated in place: assign into the existing arrays (`+=`, `-=`, `[...] =`)")
            if unchanged(final, initial) and not unchanged(want_finals.get(name), initial):
                if isinstance(initial, (dict, list)):
                    return Problem("mutation", f"the arrays in `{name}` were not updated in place: the caller's arrays must change (use `{name}[key] -= …`)")
                return Problem("mutation", f"`{name}` was not updated in place: the caller's array must change "
                               f"(use `{name} += …`; `{name} = {name} + …` only rebinds a local name)")
            problem = compare(final, want_finals.get(name), instance.compare, f"`{name}`", reveal=reveal)
            if problem:
                return Problem(problem.kind, f"after the call, {problem}")
        elif not unchanged(final, initial):
            return Problem("mutation", f"the input `{name}` was modified: do not change the caller's arrays (work on a copy, avoid `-=` on inputs)")
    return None


MAX_SOURCE_BYTES = 100_000
TAMPERED = "the result channel was tampered with"


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
        return CodeResult(question.id, seed, "learner_error", 0.0, message=f"the code is longer than {MAX_SOURCE_BYTES // 1000} kB: submit only what "
            "the question asks for")
    try:
        compile(source, "<submission>", "exec")  # compiling runs nothing; it finds syntax errors cheaply
    except SyntaxError as exc:
        where = f"line {exc.lineno}: " if exc.lineno else ""
        return CodeResult(question.id, seed, "learner_error", 0.0, message=f"SyntaxError: {where}{exc.msg}", traceback=((exc.text or "").rstrip(),))
    except (MemoryError, RecursionError, ValueError, OverflowError) as exc:  # pathological nesting, NUL bytes
        return CodeResult(question.id, seed, "learner_error", 0.0, message=f"the code cannot be compiled ({type(exc).__name__}): simplify it")
    source, set_aside = set_aside_unused_imports(source)  # after the size and compile checks: the parse is bounded
    try:
        instances = build_cases(question, seed)
        box = sandbox or shared_sandbox()
        from grader.sandbox.sandbox import Limits

        limits = Limits(cpu_seconds=question.time_limit, wall_seconds=question.time_limit * 2 + 1.0)
        request = pack({"source": source, "prelude": question.prelude, "entry": question.entry, "cases": [i.program for i in instances]})
        run = box.run(request, limits)  # the learner's code runs there, before any expected output exists here
        expected = expected_outputs(question, instances)
        result = _judge(question, seed, source, instances, expected, run, started)
        if result.extra.get("load_failed") and any(i.spec.hidden for i in instances):
            # The failed load ran with the hidden inputs in memory, so its message could carry them.
            # Loading again without any case gives a message that cannot.
            bare = box.run(pack({"source": source, "prelude": question.prelude, "entry": question.entry, "cases": []}), limits)
            result = _judge(question, seed, source, [], [], bare, started)
            if result.status == "graded":  # it loads fine on its own: the failure needed the hidden inputs
                result = CodeResult(question.id, seed, "learner_error", 0.0, message="the code failed while loading, only when the hidden cases were "
                    "present", layers=result.layers)
        return replace(result, notes=(set_aside_note(set_aside),)) if set_aside else result
    except (CaseSpecError, ParameterError, GraderFault, BankFault) as exc:
        return CodeResult(question.id, seed, "grader_fault", 0.0, message=f"bank or grader error: {exc}")


_STATUS_KINDS = {"ok", "undefined", "not_callable", "error"}


def _well_formed_error(error: Any) -> bool:
    return isinstance(error, dict) and isinstance(error.get("type"), str) and isinstance(error.get("message"), str) and isinstance(error.get("traceback"), list)


def _well_formed(frame: Any, first: bool) -> bool:
    """Whether a decoded frame has the harness's shape (anything else was forged by the submission)."""
    if not isinstance(frame, dict) or frame.get("status") not in _STATUS_KINDS:
        return False
    if frame["status"] == "error":
        return _well_formed_error(frame.get("error"))
    if first:
        return frame["status"] != "not_callable" or isinstance(frame.get("type"), str)
    return (
        frame["status"] == "ok"
        and isinstance(frame.get("outputs"), list)
        and isinstance(frame.get("finals"), dict)
        and isinstance(frame.get("rebound"), list)
        and isinstance(frame.get("stdout"), str)
    )


def _judge(question: CodeBase, seed: int, source: str, instances: list[CaseInstance], expected: list[Any], run: Any, started: float) -> CodeResult:
    # Whole-process output may echo hidden inputs: it is shown only when no hidden case was sent.
    shown = run.stdout if not any(i.spec.hidden for i in instances) else ""
    common: dict[str, Any] = {"stdout": shown, "layers": tuple(run.layers), "seconds": time.perf_counter() - started}
    try:
        frames = [unpack(f) for f in run.frames]
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError):
        return CodeResult(question.id, seed, "learner_error", 0.0, message=TAMPERED, **common)
    if not frames:
        message = OUTCOME_MESSAGES.get(run.outcome, "the code stopped before loading").format(limit=question.time_limit, signal=run.signal)
        return CodeResult(question.id, seed, "learner_error", 0.0, message=message, **common)
    if not all(_well_formed(f, i == 0) for i, f in enumerate(frames)) or len(frames) > len(instances) + 1:
        return CodeResult(question.id, seed, "learner_error", 0.0, message=TAMPERED, **common)
    status = frames[0]
    if status["status"] != "ok":
        if status["status"] == "undefined":
            message = f"`{question.entry}` is not defined: define it with the signature shown in the template"
        elif status["status"] == "not_callable":
            message = f"`{question.entry}` is a {status['type']}, not a function or class"
        else:
            err = status["error"]
            return CodeResult(question.id, seed, "learner_error", 0.0, message=f"raised {err['type']} while loading: {err['message']}",
                              traceback=learner_traceback(err["traceback"], source), extra={"load_failed": True}, **common)  # fmt: skip
        return CodeResult(question.id, seed, "learner_error", 0.0, message=message, **common)
    results: list[CaseResult] = []
    case_frames = frames[1:]
    first_error_tb: tuple[str, ...] = ()
    for i, instance in enumerate(instances):
        spec = instance.spec
        stdout = ""
        if i < len(case_frames):
            got = case_frames[i]
            try:
                problem = judge_case(instance, got, expected[i])
            except GraderFault:
                raise
            except (RecursionError, TypeError, ValueError, KeyError, AttributeError, IndexError):
                problem = Problem("type", "the result could not be read (was the result channel tampered with?)")
            if got["status"] == "error" and not first_error_tb and not spec.hidden:
                first_error_tb = learner_traceback(got["error"]["traceback"], source)
            stdout = got["stdout"]
        elif i == len(case_frames):
            stopped = OUTCOME_MESSAGES.get(run.outcome, "no result").format(limit=question.time_limit, signal=run.signal)
            problem = Problem("stopped", f"{stopped} (in case {instance.label})")
        else:
            problem = Problem("stopped", "not run: an earlier case stopped the process")
        detail = _public_detail(instance, expected[i]) if not spec.hidden and expected[i] else None
        message, kind = (problem.message, problem.kind) if problem else ("", "")
        diagnosis = next((text for when, text in spec.diagnosis.items() if when == kind), "")
        results.append(CaseResult(instance.label, spec.hidden, instance.weight, problem is None, message, diagnosis,
                                  stdout if not spec.hidden else "", detail, kind))
    if not first_error_tb:  # a hidden case's error still points at the learner's line, rebuilt from the source
        hidden_errors = [f for f, inst in zip(case_frames, instances) if f["status"] == "error"]
        if hidden_errors:
            first_error_tb = learner_traceback(hidden_errors[0]["error"]["traceback"], source)
    total = sum(r.weight for r in results)
    score = sum(r.weight for r in results if r.passed) / total if total else 0.0
    failing = [(instance, case_frames[i]) for i, instance in enumerate(instances)
               if i < len(case_frames) and not results[i].passed and results[i].kind != "stopped"]
    findings = diagnose(question, source, failing) if failing else ()
    return CodeResult(question.id, seed, "graded", score, tuple(results), traceback=first_error_tb, findings=findings, **common)
