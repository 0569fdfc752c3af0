"""Running a test program on some code: the same steps for the learner's code (in the sandboxed child)
and for the reference (in the trusted grader), producing plain data.

This module is secret-free: it sees inputs, never expected outputs. In the child it converts every
result to plain numbers, arrays, lists and dicts *before* anything leaves the process, so the grader
never touches a learner object. The wire format (:mod:`grader.sandbox.wire`) is a JSON header plus
raw array buffers: there is no pickle anywhere on the way.
"""

from __future__ import annotations

import builtins
import copy
import io
import random
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.sandbox.child import read_stage  # at import: the seal keeps a submission's process from importing grader.*
from grader.sandbox.importseal import seal_imports
from grader.sandbox.wire import DTYPES, MAX_INT, SCALARS, Unconvertible, pack, unpack

__all__ = ["Unconvertible", "pack", "unpack", "run_case", "load_submission", "child_main", "to_plain"]

SUBMISSION = "<submission>"
PRELUDE = "<prelude>"
MAX_STDOUT_PER_CASE = 4096


# --------------------------------------------------------------------------- plain data


def _array(value: Any) -> Any:
    try:
        array = np.array(value, copy=True)  # strips subclasses; runs __array__ here, in the child
    except Exception:
        return Unconvertible("array-like")
    if array.dtype.kind not in "biufc" or type(array) is not np.ndarray:
        return Unconvertible(f"array of dtype {array.dtype.kind}")
    if array.dtype.str not in DTYPES:  # big-endian, long double: the nearest dtype the wire carries
        array = array.astype({"b": "?", "i": "<i8", "u": "<u8", "f": "<f8", "c": "<c16"}[array.dtype.kind])
    return array


def to_plain(value: Any, depth: int = 0) -> Any:
    """Converts a result to plain data (ndarray of a numeric dtype, number, str, None, list, tuple, dict).

    What is not plain data becomes an :class:`Unconvertible` named by a built-in category, never by
    the learner's own class name (which the learner chooses, and could fill with the inputs).
    """
    if depth > 8:
        return Unconvertible("deeply nested object")
    kind = type(value)
    if value is None or kind in (bool, float, str):
        return value
    if kind is int:
        return value if -MAX_INT <= value < MAX_INT else float(value) if abs(value) < 1 << 1000 else Unconvertible("int")
    if isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__array__"):
        return _array(value)
    if kind in (list, tuple):
        items = [to_plain(v, depth + 1) for v in value[:10_000]]
        return items if kind is list else tuple(items)
    if kind is dict:
        return {str(k): to_plain(v, depth + 1) for k, v in list(value.items())[:10_000] if type(k) in (str, int)}
    return Unconvertible(builtin_type_name(value))


def builtin_type_name(value: Any) -> str:
    """The name of the nearest built-in type of ``value`` (``object`` for a learner's own class)."""
    for cls in type(value).__mro__:
        if getattr(builtins, cls.__name__, None) is cls:
            return str(cls.__name__)
    return "object"


# --------------------------------------------------------------------------- running a program


def _error_info(exc: BaseException) -> dict[str, Any]:
    """The exception, with the line numbers of the learner's own frames (the grader rebuilds their text
    from the submitted source; nothing the child says about a line is shown)."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f.lineno for f in frames if f.filename == SUBMISSION and isinstance(f.lineno, int)]
    return {"type": builtin_type_name(exc), "message": str(exc)[:500], "traceback": lines[-6:]}


def _resolve(value: Any, env: dict[str, Any], namespace: dict[str, Any]) -> Any:
    """Arguments: ``{"$ref": name}`` → the bound object itself (so in-place updates are seen);
    ``{"$func": name}`` → a function of the question's prelude; literals are copied."""
    if isinstance(value, dict) and set(value) == {"$ref"}:
        return env[value["$ref"]]
    if isinstance(value, dict) and set(value) == {"$func"}:
        return namespace[value["$func"]]
    return _fresh(value)


def _fresh(value: Any) -> Any:
    """A copy the code may change freely, as ``copy.deepcopy`` makes it: an array (numeric, from a frame or a
    case) copied at once, an immutable scalar as it is, anything else deep-copied."""
    kind = type(value)
    if kind is np.ndarray:
        return value.copy(order="K")
    return value if kind in SCALARS else copy.deepcopy(value)


def _target(name: str, namespace: dict[str, Any], env: dict[str, Any]) -> Any:
    head, _, rest = name.partition(".")
    obj = env[head] if head in env else namespace[head]
    for attr in rest.split(".") if rest else ():
        obj = getattr(obj, attr)
    return obj


def _identity(value: Any) -> list[int]:
    """Ids of the arrays inside a dict or list, to tell in-place updates from rebinding."""
    if isinstance(value, dict):
        return [id(v) for v in value.values()]
    if isinstance(value, list):
        return [id(v) for v in value]
    return [id(value)]


class _Capture(io.StringIO):
    def write(self, text: str) -> int:
        if self.tell() < MAX_STDOUT_PER_CASE:
            super().write(text[: MAX_STDOUT_PER_CASE - self.tell()])
        return len(text)


def run_case(case: dict[str, Any], namespace: dict[str, Any]) -> dict[str, Any]:
    """Runs one case instance; returns plain data (outputs, final values of the lets, error)."""
    runs = case.get("runs", 1)
    outputs: list[Any] = []
    finals: dict[str, Any] = {}
    rebound: list[str] = []
    capture = _Capture()
    saved_stdout = sys.stdout
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error" if case.get("warnings_as_errors") else "ignore")
            sys.stdout = capture
            for run in range(runs):
                env = {name: _fresh(v) for name, v in case["let"].items()}
                before = {name: _identity(env[name]) for name in case.get("modifies", [])}
                if runs > 1:  # the parent chose each run's seed (some repeat, to see that the output follows them)
                    seed = case["run_seeds"][run] if "run_seeds" in case else case.get("seed", 0) + run
                    np.random.seed(seed)
                    random.seed(seed)
                run_outputs: list[Any] = []
                for step in case["steps"]:
                    if step.get("seed") is not None:
                        np.random.seed(step["seed"])
                        random.seed(step["seed"])
                    if "get" in step:
                        result = _target(step["get"], namespace, env)
                    else:
                        func = _target(step["call"], namespace, env)
                        args = [_resolve(a, env, namespace) for a in step.get("args", [])]
                        kwargs = {k: _resolve(v, env, namespace) for k, v in step.get("kwargs", {}).items()}
                        result = func(*args, **kwargs)
                    if step.get("bind"):
                        env[step["bind"]] = result
                    if step.get("check", True):
                        run_outputs.append(to_plain(result))
                if runs > 1:  # a property case: one result per run (a tuple when several steps are checked)
                    outputs.append(run_outputs[0] if len(run_outputs) == 1 else tuple(run_outputs))
                else:
                    outputs = run_outputs
                    finals = {name: to_plain(env[name]) for name in case["let"]}
                    rebound = [n for n, ids in before.items() if _identity(env[n]) != ids]
    except BaseException as exc:
        sys.stdout = saved_stdout
        return {"status": "error", "error": _error_info(exc), "stdout": capture.getvalue()}
    finally:
        sys.stdout = saved_stdout
    return {"status": "ok", "outputs": outputs, "finals": finals, "rebound": rebound, "stdout": capture.getvalue()}


def load_submission(source: str, prelude: str, entry: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Executes the learner's module code; returns its namespace and a report on the entry (with what
    the module code printed, as each case's report has its own)."""
    namespace: dict[str, Any] = {"__name__": "__submission__", "np": np}
    capture = _Capture()
    saved_stdout, sys.stdout = sys.stdout, capture
    try:
        if prelude:
            exec(compile(prelude, PRELUDE, "exec"), namespace)
        exec(compile(source, SUBMISSION, "exec"), namespace)
    except BaseException as exc:
        return namespace, {"status": "error", "error": _error_info(exc), "stdout": capture.getvalue()}
    finally:
        sys.stdout = saved_stdout
    printed = capture.getvalue()
    if entry not in namespace:
        return namespace, {"status": "undefined", "stdout": printed}
    if not callable(namespace[entry]):
        return namespace, {"status": "not_callable", "type": builtin_type_name(namespace[entry]), "stdout": printed}
    return namespace, {"status": "ok", "stdout": printed}


def child_main(request: bytes, send: Callable[[bytes], None]) -> None:
    """Sandbox entry: decode the program, seal imports, run the learner's code, send one frame per case.

    A program with ``"more": n`` has n cases still to come (the hidden ones): they are read as a second
    request (:func:`grader.sandbox.child.read_stage`) once the frames of the first cases are sent. The
    grader writes them only after those frames are in, so that everything the learner may be shown
    (the load report, the public examples, what they printed) came from a process without a hidden input.
    """
    program = unpack(request)
    seal_imports()  # done already in a standby child (prepare)
    namespace, status = load_submission(program["source"], program.get("prelude", ""), program["entry"])
    loaded = status["status"] == "ok"
    _run_cases(program["cases"] if loaded else [], status, namespace, send)
    if loaded and program.get("more"):
        _run_cases(unpack(read_stage())["cases"], None, namespace, send)


def _run_cases(cases: list[dict[str, Any]], status: dict[str, Any] | None, namespace: dict[str, Any], send: Callable[[bytes], None]) -> None:
    """Send ``status`` (if any), then one frame per case. The output is flushed before the last frame:
    after it the grader may stop the child, or send it the next cases."""
    if status is not None:
        if not cases:
            _flush_output()
        send(pack(status))
    for i, case in enumerate(cases):
        frame = pack(run_case(case, namespace))
        if i == len(cases) - 1:
            _flush_output()
        send(frame)


def _flush_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # the learner's replacement for a stream: what it kept is its own affair
            pass


# A small program in the shape of every real one: a function and a class, arrays in, updated in place
# and out, and the NumPy calls most answers make.
_REHEARSAL_SOURCE = """import numpy as np
def f(x, w):
    y = np.dot(x, w)
    z = y - np.max(y, axis=-1, keepdims=True)
    e = np.exp(z)
    p = e / np.sum(e, axis=-1, keepdims=True)
    return np.where(p > 0.5, p, np.maximum(0, np.log(p + 1e-7)))
class Layer:
    def __init__(self, w):
        self.w = w
        self.mask = None
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out @ self.w
    def backward(self, dout):
        self.w -= 0.1 * dout.T.sum(axis=1, keepdims=True).mean() * np.ones_like(self.w)
        return dout @ self.w.T
"""


WARM_RUNS = 10  # CPython 3.11 specialises a function's bytecode once it has run 8 times


def warm() -> None:
    """Called once in the zygote, before it forks any child: run the harness on the trusted program until
    its code is specialised and NumPy's dispatch caches are filled, then seal the imports.

    Every child would otherwise do both itself, writing (and so copying) the zygote's pages to do it:
    the seal alone was 0.45 ms of CPU a child.
    """
    for _ in range(WARM_RUNS):
        rehearsal()
    seal_imports()


def prepare(rehearse: bool) -> None:
    """Called in a child waiting for its run (:func:`grader.sandbox.child.run_standby`): seal the
    imports (done already when the zygote ran :func:`warm`) and, with ``rehearse``, run the harness
    once on a trusted program.

    A forked child pays a copy-on-write fault for every page of the zygote's heap it first writes;
    the rehearsal takes those faults (and leaves its freed memory, already private, for the real run)
    before the submission arrives rather than after: about 2 ms sooner a verdict, for about 2 ms more
    CPU per child, which is worth it when someone waits for one verdict, not in a batch. Nothing of it
    is sent or kept.
    """
    seal_imports()
    if rehearse:
        rehearsal()


def rehearsal() -> list[Any]:
    """The harness on a trusted program, as a run would do it; returns the decoded frames."""
    x = np.linspace(-2.0, 2.0, 12).reshape(3, 4)
    w = np.linspace(0.5, -0.5, 8).reshape(4, 2)
    call = {"let": {"x": x, "w": w}, "modifies": [], "name": "f", "runs": 1, "seed": 1,
            "steps": [{"args": [{"$ref": "x"}, {"$ref": "w"}], "call": "f", "check": True, "kwargs": {}}],
            "warnings_as_errors": False}
    layer = {"let": {"x": x, "w": w, "dout": np.ones((3, 2))}, "modifies": ["w"], "name": "layer", "runs": 2,
             "run_seeds": [1, 1], "steps": [{"args": [{"$ref": "w"}], "bind": "layer", "call": "Layer", "check": False, "kwargs": {}},
                                            {"args": [{"$ref": "x"}], "call": "layer.forward", "check": True, "kwargs": {}},
                                            {"args": [{"$ref": "dout"}], "call": "layer.backward", "check": True, "kwargs": {}}],
             "warnings_as_errors": True}
    states = np.random.get_state(), random.getstate()
    program = unpack(pack({"source": _REHEARSAL_SOURCE, "prelude": "", "entry": "f", "cases": [call, layer]}))
    namespace, status = load_submission(program["source"], program["prelude"], program["entry"])
    frames = [pack(status)] + [pack(run_case(case, namespace)) for case in program["cases"]]
    np.random.set_state(states[0])  # the run finds the generators as every child without a rehearsal does
    random.setstate(states[1])
    return [unpack(frame) for frame in frames]
