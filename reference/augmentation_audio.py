"""Masking augmentations of a spectrogram, after SpecAugment (syllabus 3-7-2).

Park et al. (2019), "SpecAugment: A Simple Data Augmentation Method for Automatic Speech
Recognition": frequency masking sets ``f`` consecutive frequency channels ``[f0, f0 + f)`` of the
log-mel spectrogram to a constant, time masking sets ``t`` consecutive time steps ``[t0, t0 + t)``.
The spectrogram is stored as (frequency, time), the layout of ``librosa.feature.melspectrogram``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["frequency_mask", "time_mask"]


def _check_band(start: int, width: int, size: int, axis_name: str) -> None:
    if width < 0 or start < 0 or start + width > size:
        raise ValueError(f"{axis_name} band [{start}, {start + width}) does not fit the {size} {axis_name} bins")


def frequency_mask(spec: NDArray[np.floating], f0: int, width: int, value: float = 0.0) -> NDArray[np.floating]:
    """Mask the frequency channels ``f0 .. f0 + width - 1`` of a spectrogram.

    Parameters
    ----------
    spec : ndarray of shape (F, T)
        Spectrogram, frequency on axis 0 and time on axis 1. Not modified.
    f0 : int
        First masked frequency channel, ``0 <= f0``.
    width : int
        Number of masked channels, ``f0 + width <= F`` (0 masks nothing).
    value : float, default 0.0
        The value written into the band (0, or the mean of a normalised spectrogram).

    Returns
    -------
    ndarray of shape (F, T)
        A copy of ``spec`` with rows ``f0 : f0 + width`` set to ``value``.
    """
    _check_band(f0, width, spec.shape[0], "frequency")
    out: NDArray[np.floating] = spec.copy()
    out[f0:f0 + width, :] = value
    return out


def time_mask(spec: NDArray[np.floating], t0: int, width: int, value: float = 0.0) -> NDArray[np.floating]:
    """Mask the time steps ``t0 .. t0 + width - 1`` of a spectrogram.

    Parameters
    ----------
    spec : ndarray of shape (F, T)
        Spectrogram, frequency on axis 0 and time on axis 1. Not modified.
    t0 : int
        First masked time step, ``0 <= t0``.
    width : int
        Number of masked steps, ``t0 + width <= T``.
    value : float, default 0.0
        The value written into the band.

    Returns
    -------
    ndarray of shape (F, T)
        A copy of ``spec`` with columns ``t0 : t0 + width`` set to ``value``.
    """
    _check_band(t0, width, spec.shape[1], "time")
    out: NDArray[np.floating] = spec.copy()
    out[:, t0:t0 + width] = value
    return out
