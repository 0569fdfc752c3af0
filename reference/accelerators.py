"""5-3 アクセラレータ: SIMD instruction counts, SIMT warp divergence and peak throughput of a systolic array.

Pure functions of scalars, so that a parameterised question can pass its drawn numbers straight in:
``answer: {function: reference.accelerators:<name>, args: {...}}``.
"""

from __future__ import annotations

import math

__all__ = [
    "simd_lanes",
    "simd_instructions",
    "warp_divergent_cycles",
    "systolic_peak_tops",
]


def simd_lanes(register_bits: int, element_bits: int) -> int:
    """Elements one SIMD instruction processes: register width / element width (e.g. AVX 256 / FP32 32 = 8)."""
    return register_bits // element_bits


def simd_instructions(n_elements: int, register_bits: int, element_bits: int) -> int:
    """SIMD add instructions for adding two arrays of ``n_elements`` (the last, partial vector counts as one).

    Returns
    -------
    int
        ``ceil(n / lanes)``.
    """
    return math.ceil(n_elements / simd_lanes(register_bits, element_bits))


def warp_divergent_cycles(threads_if: int, cycles_if: int, cycles_else: int, warp_size: int = 32) -> int:
    """Cycles a warp takes for an if/else whose branches cost ``cycles_if`` and ``cycles_else``.

    Under SIMT the warp issues one instruction at a time: when its threads diverge, it runs each taken path
    in turn with the other threads masked off (NVIDIA, CUDA C++ Programming Guide, "SIMT Architecture").

    Returns
    -------
    int
        ``cycles_if + cycles_else`` when both paths are taken, else the cost of the one path taken.
    """
    if not 0 <= threads_if <= warp_size:
        raise ValueError("threads_if must be between 0 and the warp size")
    return (cycles_if if threads_if > 0 else 0) + (cycles_else if threads_if < warp_size else 0)


def systolic_peak_tops(rows: int, cols: int, clock_mhz: float) -> float:
    """Peak tera-operations per second of a rows x cols array of multiply-accumulate units.

    Returns
    -------
    float
        ``2 * rows * cols * clock`` / 1e12 (a multiply-accumulate counts as 2 operations); the first TPU,
        256 x 256 at 700 MHz, gives about 91.8, the "92 TOPS" of Jouppi et al. (2017).
    """
    return 2.0 * rows * cols * clock_mhz * 1e6 / 1e12
