"""Weight initialisation (重みの初期値): Xavier, Glorot and He standard deviations.

Weights have the row-vector layout (n_in, n_out), so ``x @ W`` maps n_in
inputs to n_out outputs. Which "Xavier" is meant varies by source:

* DLFS and the Rabbit Challenge course: std = sqrt(1 / n_in)
  (:func:`xavier_std`, "Xavier の初期値");
* Glorot & Bengio (2010), seed 003: Var = 2 / (n_in + n_out)
  (:func:`glorot_std`).

He (for ReLU, which zeroes half its inputs and so halves the second
moment) doubles the variance: std = sqrt(2 / n_in). Xavier/Glorot matches
sigmoid and tanh.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = ["xavier_std", "glorot_std", "he_std", "init_weight"]


def xavier_std(n_in: int) -> float:
    """Standard deviation of the DLFS / course "Xavier" initialisation.

    Parameters
    ----------
    n_in : int
        Number of units in the previous layer (前層のノード数).

    Returns
    -------
    float
        ::

            std = sqrt(1 / n_in)
    """
    return math.sqrt(1.0 / n_in)


def glorot_std(n_in: int, n_out: int) -> float:
    """Standard deviation of Glorot's normal initialisation.

    Parameters
    ----------
    n_in, n_out : int
        Fan-in and fan-out of the layer.

    Returns
    -------
    float
        ::

            std = sqrt(2 / (n_in + n_out))
    """
    return math.sqrt(2.0 / (n_in + n_out))


def he_std(n_in: int) -> float:
    """Standard deviation of He's initialisation (for ReLU).

    Parameters
    ----------
    n_in : int

    Returns
    -------
    float
        ::

            std = sqrt(2 / n_in)
    """
    return math.sqrt(2.0 / n_in)


def init_weight(
    n_in: int,
    n_out: int,
    method: Literal["he", "xavier", "glorot"] = "he",
    rng: np.random.Generator | None = None,
) -> NDArray[np.float64]:
    """Normal-distributed weight matrix with the chosen standard deviation.

    Parameters
    ----------
    n_in, n_out : int
    method : {"he", "xavier", "glorot"}, default "he"
        "xavier" is sqrt(1/n_in) (DLFS); "glorot" is sqrt(2/(n_in+n_out)).
    rng : numpy.random.Generator or None
        None draws from the legacy global generator (``np.random.randn``,
        as DLFS), so ``np.random.seed`` makes it reproducible.

    Returns
    -------
    ndarray of shape (n_in, n_out)
        ::

            W = std * N(0, 1)

    Raises
    ------
    ValueError
        For an unknown ``method``.
    """
    if method == "he":
        std = he_std(n_in)
    elif method == "xavier":
        std = xavier_std(n_in)
    elif method == "glorot":
        std = glorot_std(n_in, n_out)
    else:
        raise ValueError(f"method must be 'he', 'xavier' or 'glorot', got {method!r}")
    z = np.random.randn(n_in, n_out) if rng is None else rng.standard_normal((n_in, n_out))
    return std * z
