"""Gradient-descent optimisers (学習率最適化手法) with the DLFS interface.

Every optimiser has ``update(params, grads)``:

* ``params`` is a dict of arrays (DLFS) or a list of arrays (DLFS2);
  ``grads`` has the same keys / order;
* each parameter array is updated **in place** (``-=``, ``+=``), because layers
  such as ``Affine`` hold references to the same arrays — rebinding
  ``params[k] = params[k] - ...`` would silently disconnect them;
* internal state (velocity, squared-gradient sums) is created lazily with
  ``zeros_like`` on the first call;
* ``grads`` are never modified. Parameters must be float arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableSequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reference._propcheck import describe, too_few

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "check_nesterov"]

Params = Mapping[Any, NDArray[np.floating]] | MutableSequence[NDArray[np.floating]]


def _keys(params: Params) -> list[Any]:
    """Keys of a dict, or indices of a list, in iteration order."""
    if isinstance(params, Mapping):
        return list(params.keys())
    return list(range(len(params)))


def _zeros_state(params: Params) -> dict[Any, NDArray[np.floating]]:
    """One zero array per parameter, keyed like ``params``."""
    return {k: np.zeros_like(params[k]) for k in _keys(params)}


class SGD:
    """Stochastic gradient descent (確率的勾配降下法).

    Parameters
    ----------
    lr : float, default 0.01

    Notes
    -----
    ::

        W <- W - lr * ∂L/∂W
    """

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: Params, grads: Params) -> None:
        """Update every ``params[k]`` in place."""
        for k in _keys(params):
            params[k] -= self.lr * grads[k]


class Momentum:
    """Momentum SGD (モメンタム).

    Parameters
    ----------
    lr : float, default 0.01
    momentum : float, default 0.9
        α, the fraction of the previous velocity kept.

    Notes
    -----
    v starts at 0::

        v <- α v - lr * ∂L/∂W
        W <- W + v
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: dict[Any, NDArray] | None = None

    def update(self, params: Params, grads: Params) -> None:
        """Update every ``params[k]`` in place."""
        if self.v is None:
            self.v = _zeros_state(params)
        for k in _keys(params):
            self.v[k] *= self.momentum
            self.v[k] -= self.lr * grads[k]
            params[k] += self.v[k]


class Nesterov:
    """Nesterov accelerated gradient (ネステロフの加速勾配法), Bengio et al. form.

    Parameters
    ----------
    lr : float, default 0.01
    momentum : float, default 0.9

    Notes
    -----
    The stored parameter is the look-ahead point W + μv, and ``g`` is the
    gradient there (Bengio, Boulanger-Lewandowski & Pascanu 2013, "Advances
    in optimizing recurrent networks"). The parameter step uses the **old** v::

        W <- W + μ² v - (1 + μ) lr g
        v <- μ v - lr g

    DLFS's ``common/optimizer.py`` (and the Rabbit Challenge ``DNN_code``)
    update v first and then use the new v in the same two lines; both orders
    are accepted by :func:`check_nesterov`.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: dict[Any, NDArray] | None = None

    def update(self, params: Params, grads: Params) -> None:
        """Update every ``params[k]`` in place."""
        if self.v is None:
            self.v = _zeros_state(params)
        mu = self.momentum
        for k in _keys(params):
            params[k] += mu * mu * self.v[k]  # old v first
            params[k] -= (1 + mu) * self.lr * grads[k]
            self.v[k] *= mu
            self.v[k] -= self.lr * grads[k]


def _nesterov_steps(params: Mapping[Any, NDArray], grads: list[Mapping[Any, NDArray]], lr: float, momentum: float,
                    *, velocity_first: bool, nesterov: bool = True) -> dict[Any, NDArray]:
    """The parameters after ``update`` with each of ``grads`` in turn (copies; the inputs are untouched)."""
    p = {k: np.array(v, dtype=float) for k, v in params.items()}
    v = {k: np.zeros_like(a) for k, a in p.items()}
    for g in grads:
        for k in p:
            if not nesterov:  # plain momentum, for telling the learner what the code does
                v[k] = momentum * v[k] - lr * g[k]
                p[k] += v[k]
            elif velocity_first:
                v[k] = momentum * v[k] - lr * g[k]
                p[k] += momentum * momentum * v[k] - (1 + momentum) * lr * g[k]
            else:
                p[k] += momentum * momentum * v[k] - (1 + momentum) * lr * g[k]
                v[k] = momentum * v[k] - lr * g[k]
    return p


def check_nesterov(values: dict[str, Any], results: list[Any], *, sequence: list[str], lr: float = 0.01,
                   momentum: float = 0.9) -> list[str]:
    """Property checker: the parameters after several Nesterov updates, in either published order.

    Parameters
    ----------
    values : dict
        ``params`` : dict of arrays before the first update; and the gradient dicts named in ``sequence``.
    results : list
        ``results[0]`` is the learner's ``params`` after calling ``update(params, grads)`` with each
        gradient dict of ``sequence`` in turn.
    sequence : list of str
        Names in ``values`` of the gradient dicts, in the order of the calls.
    lr, momentum : float
        The hyperparameters the optimiser was built with.

    Returns
    -------
    list of str
        Empty when the parameters equal (rtol 1e-6) those of the look-ahead form with the old v
        (Bengio et al.) or with the new v (DLFS's code, which updates v first).
    """
    short = too_few(results, 1)
    if short:
        return short
    got = results[0]
    params = values["params"]
    grads = [values[name] for name in sequence]
    if not isinstance(got, dict) or set(got) != set(params):
        return [f"expected params to stay a dict with the keys {sorted(params)}, got {describe(got)}"]
    if any(not isinstance(got[k], np.ndarray) or got[k].shape != np.shape(params[k]) for k in params):
        return ["the arrays in params changed shape or type: update them in place (params[key] -= …)"]

    def close(expected: dict[Any, NDArray]) -> bool:
        return all(np.allclose(got[k], expected[k], rtol=1e-6, atol=1e-9) for k in params)

    if close(_nesterov_steps(params, grads, lr, momentum, velocity_first=False)) or close(
            _nesterov_steps(params, grads, lr, momentum, velocity_first=True)):
        return []
    if close(_nesterov_steps(params, grads, lr, momentum, velocity_first=True, nesterov=False)):
        return ["the updates are those of plain momentum (W += v): Nesterov moves by μ²v − (1 + μ)·lr·g"]
    restarted = [{k: np.array(params[k], dtype=float) - sum(scale * lr * g[k] for g in grads) for k in params}
                 for scale in (1.0, 1 + momentum, 1 + momentum + momentum * momentum)]
    if any(close(expected) for expected in restarted):
        return ["every update moves by a multiple of −lr·g only: the velocity v is not kept between calls "
                "(create it once, on the first call, and keep it in self.v)"]
    return [f"after {len(grads)} updates the parameters differ from Nesterov's: W += μ²v − (1 + μ)·lr·g and "
            "v = μv − lr·g for each key, with v kept between calls"]


class AdaGrad:
    """AdaGrad.

    Parameters
    ----------
    lr : float, default 0.01
    eps : float, default 1e-7
        Keeps the first division finite (DLFS hard-codes 1e-7).

    Notes
    -----
    h starts at 0 and accumulates every squared gradient, so the effective
    learning rate only decreases::

        h <- h + g * g
        W <- W - lr * g / (sqrt(h) + eps)
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        self.lr = lr
        self.eps = eps
        self.h: dict[Any, NDArray] | None = None

    def update(self, params: Params, grads: Params) -> None:
        """Update every ``params[k]`` in place."""
        if self.h is None:
            self.h = _zeros_state(params)
        for k in _keys(params):
            g = grads[k]
            self.h[k] += g * g
            params[k] -= self.lr * g / (np.sqrt(self.h[k]) + self.eps)


class RMSprop:
    """RMSProp.

    Parameters
    ----------
    lr : float, default 0.01
    decay_rate : float, default 0.99
        ρ, the forgetting factor of the moving average.
    eps : float, default 1e-7

    Notes
    -----
    h starts at 0; old squared gradients fade out, so the step does not
    vanish as in AdaGrad::

        h <- ρ h + (1 - ρ) g * g
        W <- W - lr * g / (sqrt(h) + eps)
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        self.lr = lr
        self.decay_rate = decay_rate
        self.eps = eps
        self.h: dict[Any, NDArray] | None = None

    def update(self, params: Params, grads: Params) -> None:
        """Update every ``params[k]`` in place."""
        if self.h is None:
            self.h = _zeros_state(params)
        for k in _keys(params):
            g = grads[k]
            self.h[k] *= self.decay_rate
            self.h[k] += (1 - self.decay_rate) * g * g
            params[k] -= self.lr * g / (np.sqrt(self.h[k]) + self.eps)


class Adam:
    """Adam (adaptive moment estimation), paper form with bias correction.

    Parameters
    ----------
    lr : float, default 0.001
    beta1 : float, default 0.9
    beta2 : float, default 0.999
    eps : float, default 1e-8
        As in the paper and PyTorch. DLFS folds the bias correction into the
        learning rate and adds 1e-7 to sqrt(v); the steps then differ by
        about eps/|g| relative (negligible unless |g| is tiny).

    Notes
    -----
    m and v start at 0; t counts **calls** (it is increased once per
    ``update``, not once per parameter)::

        t <- t + 1
        m <- β1 m + (1 - β1) g
        v <- β2 v + (1 - β2) g * g
        m̂ = m / (1 - β1^t),   v̂ = v / (1 - β2^t)
        W <- W - lr * m̂ / (sqrt(v̂) + eps)

    With a constant gradient every step is ≈ -lr * sign(g).
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.iter = 0
        self.m: dict[Any, NDArray] | None = None
        self.v: dict[Any, NDArray] | None = None

    def update(self, params: Params, grads: Params) -> None:
        """Update every ``params[k]`` in place."""
        if self.m is None:
            self.m = _zeros_state(params)
            self.v = _zeros_state(params)
        self.iter += 1  # once per call
        t = self.iter
        for k in _keys(params):
            g = grads[k]
            self.m[k] *= self.beta1
            self.m[k] += (1 - self.beta1) * g
            self.v[k] *= self.beta2
            self.v[k] += (1 - self.beta2) * g * g
            m_hat = self.m[k] / (1 - self.beta1 ** t)  # バイアス補正
            v_hat = self.v[k] / (1 - self.beta2 ** t)
            params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
