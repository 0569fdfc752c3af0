"""The wire format between the grader and the child, and its bounded decoder.

One frame is ``ESK2`` + a little-endian ``u32`` header length + a JSON header + the raw buffers of
the arrays it names, in order. The header is the value tree: JSON scalars, lists, and one-key
objects for what JSON lacks (``$t`` tuple, ``$d`` dict, ``$a`` array as ``[dtype, shape]``, ``$u``
a value that is not plain data). An array's bytes follow in header order, so every array node
costs its own bytes: a frame cannot name one buffer a million times.

Results come from learner code, so :func:`decode` treats every byte as hostile: it bounds the header
size, the node count (counted on the raw bytes before ``json.loads`` builds anything), the nesting
depth, integer sizes, dtypes (a fixed list), the number of dimensions, every dimension, and the total
element count. A :class:`Budget` carries the node and element counts across all frames of one
submission. Any violation raises :class:`MalformedFrame`, nothing else; arrays come back as
read-only views on the frame (``np.frombuffer``), with no header parsing per array and no pickle.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

MAGIC = b"ESK2"
_HEAD = struct.Struct("<I")

# Dtypes that may cross the wire: little-endian (or byte-order free) booleans and numbers.
DTYPES = {d.str: d for d in map(np.dtype, ["?", "<i1", "<i2", "<i4", "<i8", "<u1", "<u2", "<u4", "<u8",
                                           "<f2", "<f4", "<f8", "<c8", "<c16"])}
MAX_DIMS = 32
MAX_DIM = 1 << 31
MAX_INT = 1 << 63  # a JSON integer beyond int64 is not something the harness sends


class MalformedFrame(ValueError):
    """A frame that does not follow the format or exceeds a limit (learner data: never a grader fault)."""


class Unconvertible:
    """Stands for a returned object that is not plain data; ``type_name`` says what it was."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unconvertible) and other.type_name == self.type_name

    def __hash__(self) -> int:
        return hash(self.type_name)

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


@dataclass
class Budget:
    """What the grader will decode for one submission, across all its frames."""

    nodes: int = 500_000  # JSON values (lists, dicts, numbers, strings)
    elements: int = 8 << 20  # array elements, counted per array node
    header_bytes: int = 16 << 20  # one frame's JSON header
    depth: int = 40  # nesting of JSON containers (the harness nests plain data at most 8 deep, ×2 for wrappers)


# --------------------------------------------------------------------------- encoding


SCALARS = frozenset({bool, int, float, str, type(None)})  # immutable: as they are on the wire


def _encode(value: Any, buffers: list[bytes]) -> Any:
    if type(value) in SCALARS:  # most nodes: no isinstance chain
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.str not in DTYPES:
            raise TypeError(f"dtype {value.dtype} cannot be sent")
        buffers.append(value.tobytes(order="C"))  # a C-order copy; keeps 0-d arrays 0-d
        return {"$a": [value.dtype.str, list(value.shape)]}
    if isinstance(value, Unconvertible):
        return {"$u": value.type_name}
    if isinstance(value, tuple):
        return {"$t": [_encode(v, buffers) for v in value]}
    if isinstance(value, list):
        return [_encode(v, buffers) for v in value]
    if isinstance(value, dict):
        return {"$d": {str(k): _encode(v, buffers) for k, v in value.items()}}
    return value


def pack(value: Any) -> bytes:
    """Plain data (ndarrays of allowed dtypes, JSON scalars, lists, tuples, dicts with str keys) → one frame."""
    buffers: list[bytes] = []
    header = json.dumps(_encode(value, buffers), separators=(",", ":")).encode()
    return b"".join([MAGIC, _HEAD.pack(len(header)), header, *buffers])


# --------------------------------------------------------------------------- bounded decoding


class _Reader:
    def __init__(self, data: bytes, pos: int, budget: Budget) -> None:
        self.data = data
        self.pos = pos
        self.budget = budget

    def value(self, node: Any, depth: int) -> Any:
        if depth > self.budget.depth:
            raise MalformedFrame("nested too deeply")
        kind = type(node)
        if kind is list:
            return [self.value(v, depth + 1) for v in node]
        if kind is dict:
            if len(node) != 1:
                raise MalformedFrame("an object that is not a tagged value")
            ((tag, body),) = node.items()
            if tag == "$a":
                return self.array(body)
            if tag == "$t" and type(body) is list:
                return tuple(self.value(v, depth + 1) for v in body)
            if tag == "$d" and type(body) is dict:
                return {k: self.value(v, depth + 2) for k, v in body.items()}
            if tag == "$u" and type(body) is str:
                return Unconvertible(body)
            raise MalformedFrame("an unknown tagged value")
        if kind is int:
            if not -MAX_INT <= node < MAX_INT:
                raise MalformedFrame("an integer beyond 64 bits")
            return node
        if node is None or kind in (bool, float, str):
            return node
        raise MalformedFrame("an unexpected JSON value")

    def array(self, body: Any) -> np.ndarray:
        if type(body) is not list or len(body) != 2 or type(body[0]) is not str or type(body[1]) is not list:
            raise MalformedFrame("a malformed array header")
        dtype = DTYPES.get(body[0])
        shape = body[1]
        if dtype is None or len(shape) > MAX_DIMS or not all(type(d) is int and 0 <= d < MAX_DIM for d in shape):
            raise MalformedFrame("an array of an unknown dtype or an impossible shape")
        count = 1
        for d in shape:
            count *= d
        self.budget.elements -= max(count, 1)
        if self.budget.elements < 0:
            raise MalformedFrame("more array elements than a result may hold")
        end = self.pos + count * dtype.itemsize
        if end > len(self.data):
            raise MalformedFrame("an array longer than its frame")
        array = np.frombuffer(self.data, dtype, count, self.pos).reshape(shape)
        self.pos = end
        if dtype.kind == "b":  # bytes other than 0 and 1 are not booleans NumPy handles consistently
            array = array.view(np.uint8) != 0
        return array


def decode(data: bytes, budget: Budget | None = None) -> Any:
    """One frame → plain data, under ``budget`` (shared by the frames of one submission).

    Raises :class:`MalformedFrame` on anything that is not a well-formed frame within the limits.
    """
    budget = budget if budget is not None else Budget()
    if type(data) is not bytes or len(data) < 8 or data[:4] != MAGIC:
        raise MalformedFrame("not a frame")
    (size,) = _HEAD.unpack_from(data, 4)
    if size > budget.header_bytes or 8 + size > len(data):
        raise MalformedFrame("a header larger than allowed or than its frame")
    header = data[8 : 8 + size]
    # An upper bound on the values json.loads would build, found without building any of them.
    nodes = 2 * (header.count(b"[") + header.count(b"{") + header.count(b",")) + 1
    budget.nodes -= nodes
    if budget.nodes < 0:
        raise MalformedFrame("more values than a result may hold")
    try:
        tree = json.loads(header)
    except (ValueError, RecursionError) as exc:
        raise MalformedFrame("a header that is not JSON") from exc
    reader = _Reader(data, 8 + size, budget)
    try:
        value = reader.value(tree, 0)
    except RecursionError as exc:
        raise MalformedFrame("nested too deeply") from exc
    if reader.pos != len(data):
        raise MalformedFrame("bytes after the last array")
    return value


def unpack(data: bytes) -> Any:
    """One frame from a trusted writer (the grader's own request) → plain data, with generous limits."""
    return decode(data, Budget(nodes=1 << 40, elements=1 << 40, header_bytes=1 << 40))
