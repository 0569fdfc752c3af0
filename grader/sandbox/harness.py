"""Running a test program on some code: the same steps for the learner's code (in the sandboxed child)
and for the reference (in the trusted grader), producing plain data.

This module is secret-free: it sees inputs, never expected outputs. In the child it converts every
result to plain numbers, arrays, lists and dicts *before* anything leaves the process, so the grader
never touches a learner object. The wire format is JSON plus ``.npy`` blobs, read back with
``allow_pickle=False``: there is no pickle anywhere on the way.
"""

from __future__ import annotations

import copy
import io
import json
import random
import struct
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

SUBMISSION = "<submission>"
PRELUDE = "<prelude>"
MAGIC = b"ESK1"
MAX_STDOUT_PER_CASE = 4096
MAX_NPY_HEADER = 10_000


# --------------------------------------------------------------------------- plain data and the wire


class Unconvertible:
    """Stands for a returned object that is not plain data (shown by type name only)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unconvertible) and other.type_name == self.type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def to_plain(value: Any, depth: int = 0) -> Any:
    """Converts a result to plain data (ndarray of a numeric dtype, number, str, None, list, tuple, dict)."""
    if depth > 8:
        return Unconvertible("deeply nested object")
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, (np.ndarray, np.generic)) or hasattr(value, "__array__"):
        try:
            array = np.array(value, copy=True)  # strips subclasses; runs __array__ here, in the child
        except Exception:
            return Unconvertible(type(value).__name__)
        if array.dtype.kind not in "biufc" or type(array) is not np.ndarray:
            return Unconvertible(f"{type(value).__name__} of dtype {array.dtype}")
        return array
    if type(value) in (list, tuple):
        items = [to_plain(v, depth + 1) for v in value[:10_000]]
        return items if type(value) is list else tuple(items)
    if type(value) is dict:
        return {str(k): to_plain(v, depth + 1) for k, v in list(value.items())[:10_000] if type(k) in (str, int)}
    return Unconvertible(type(value).__name__)


def _encode(value: Any, blobs: list[bytes]) -> Any:
    if isinstance(value, np.ndarray):
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        blobs.append(buffer.getvalue())
        return {"$nd": len(blobs) - 1}
    if isinstance(value, Unconvertible):
        return {"$bad": value.type_name}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v, blobs) for v in value]}
    if isinstance(value, list):
        return [_encode(v, blobs) for v in value]
    if isinstance(value, dict):
        return {"$dict": {k: _encode(v, blobs) for k, v in value.items()}}
    return value


def _decode(value: Any, blobs: list[np.ndarray]) -> Any:
    if isinstance(value, list):
        return [_decode(v, blobs) for v in value]
    if isinstance(value, dict):
        if "$nd" in value:
            return blobs[int(value["$nd"])]
        if "$bad" in value:
            return Unconvertible(str(value["$bad"]))
        if "$tuple" in value:
            return tuple(_decode(v, blobs) for v in value["$tuple"])
        if "$dict" in value:
            return {str(k): _decode(v, blobs) for k, v in value["$dict"].items()}
        raise ValueError("malformed message")
    return value


def pack(value: Any) -> bytes:
    """Plain data → bytes (JSON header + ``.npy`` blobs)."""
    blobs: list[bytes] = []
    header = json.dumps(_encode(value, blobs)).encode()
    parts = [MAGIC, struct.pack("<II", len(header), len(blobs)), header]
    for blob in blobs:
        parts += [struct.pack("<Q", len(blob)), blob]
    return b"".join(parts)


def unpack(data: bytes) -> Any:
    """Bytes from :func:`pack` → plain data. Raises ValueError on anything malformed; never unpickles."""
    if data[:4] != MAGIC or len(data) < 12:
        raise ValueError("malformed message")
    header_len, n_blobs = struct.unpack_from("<II", data, 4)
    pos = 12 + header_len
    if pos > len(data):
        raise ValueError("malformed message")
    header = json.loads(data[12:pos])
    blobs: list[np.ndarray] = []
    for _ in range(n_blobs):
        if pos + 8 > len(data):
            raise ValueError("malformed message")
        (size,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        if pos + size > len(data):
            raise ValueError("malformed message")
        array = np.load(io.BytesIO(data[pos : pos + size]), allow_pickle=False, max_header_size=MAX_NPY_HEADER)
        if type(array) is not np.ndarray or array.dtype.kind not in "biufc":
            raise ValueError("malformed array")
        blobs.append(array)
        pos += size
    return _decode(header, blobs)


# --------------------------------------------------------------------------- running a program


def _error_info(exc: BaseException) -> dict[str, Any]:
    """The exception with its traceback trimmed to the learner's own lines."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in (SUBMISSION, PRELUDE)]
    lines = [f"line {f.lineno}, in {f.name}" + (f": {f.line}" if f.line else "") for f in frames if f.filename == SUBMISSION]
    message = str(exc)[:500]
    return {"type": type(exc).__name__, "message": message, "traceback": lines[-6:]}


def _resolve(value: Any, env: dict[str, Any], namespace: dict[str, Any]) -> Any:
    """Arguments: ``{"$ref": name}`` → the bound object itself (so in-place updates are seen);
    ``{"$func": name}`` → a function of the question's prelude; literals are copied."""
    if isinstance(value, dict) and set(value) == {"$ref"}:
        return env[value["$ref"]]
    if isinstance(value, dict) and set(value) == {"$func"}:
        return namespace[value["$func"]]
    return copy.deepcopy(value)


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
                env = {name: copy.deepcopy(v) for name, v in case["let"].items()}
                before = {name: _identity(env[name]) for name in case.get("modifies", [])}
                if runs > 1:
                    np.random.seed(case.get("seed", 0) + run)
                    random.seed(case.get("seed", 0) + run)
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
    """Executes the learner's module code; returns its namespace and a report on the entry."""
    namespace: dict[str, Any] = {"__name__": "__submission__", "np": np}
    try:
        if prelude:
            exec(compile(prelude, PRELUDE, "exec"), namespace)
        exec(compile(source, SUBMISSION, "exec"), namespace)
    except BaseException as exc:
        return namespace, {"status": "error", "error": _error_info(exc)}
    if entry not in namespace:
        return namespace, {"status": "undefined"}
    if not callable(namespace[entry]):
        return namespace, {"status": "not_callable", "type": type(namespace[entry]).__name__}
    return namespace, {"status": "ok"}


def child_main(request: bytes, send: Callable[[bytes], None]) -> None:
    """Sandbox entry: decode the program, seal imports, run the learner's code, send one frame per case."""
    program = unpack(request)
    from grader.sandbox.isolation import seal_imports

    seal_imports()
    namespace, status = load_submission(program["source"], program.get("prelude", ""), program["entry"])
    send(pack(status))
    if status["status"] != "ok":
        return
    for case in program["cases"]:
        send(pack(run_case(case, namespace)))
