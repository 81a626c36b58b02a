r"""Gradient checking by central differences, in float64.

The central difference :math:`(f(w + h) - f(w - h)) / 2h` has truncation error
:math:`O(h^2 f''')` and round-off error about :math:`\epsilon |f| / h` with
:math:`\epsilon \approx 2.2\times 10^{-16}`. They balance near
:math:`h = (3\epsilon)^{1/3} \approx 10^{-5}` (the default), where both are
about :math:`10^{-11}` for :math:`|f|, |f'''| = O(1)`. A right analytic gradient
then agrees to a relative error around :math:`10^{-9}` (measured: at most
7e-9 over every activation and loss of :class:`~mathcore.network.MLP`; with
:math:`h = 10^{-6}` round-off pushes that to 7e-8), and a wrong one (a missing
factor, a transposed matrix) is off by :math:`10^{-2}` or more: a threshold of
:math:`10^{-7}` separates the two by orders of magnitude on both sides.

The relative error is measured per parameter array,
:math:`\lVert g_a - g_n \rVert / \max(\lVert g_a \rVert, \lVert g_n \rVert)`, not
per entry: an entry that is truly 0 (a dead ReLU) has a numerical estimate of
about :math:`10^{-10}`, whose relative error per entry would be meaningless.

Reference: the gradient-checking notes of Stanford's CS231n; Nocedal and
Wright, *Numerical Optimization* (2006), 8.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ._validate import MAX_ITERATIONS, as_float_array, check_scalar, check_seed

__all__ = ["numerical_gradient", "relative_error", "check_gradients", "GradCheck", "directional_check"]


def numerical_gradient(f: Callable[[], float], params: Sequence[np.ndarray], h: float = 1e-5) -> list[np.ndarray]:
    """Central-difference gradient of ``f()`` with respect to each array in ``params``.

    ``f`` takes no arguments and reads ``params``, which are perturbed in place
    one entry at a time and restored exactly afterwards.
    """
    _check_f_params(f, params)
    h = check_scalar(h, "h", low=0.0, low_open=True)
    grads = []
    for p in params:
        g = np.zeros_like(p)
        # index p itself: reshape(-1) of a transposed array is a copy, and the
        # perturbations would never reach the array f reads
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            f_plus = float(f())
            p[idx] = old - h
            f_minus = float(f())
            p[idx] = old
            g[idx] = (f_plus - f_minus) / (2.0 * h)
        grads.append(g)
    return grads


def relative_error(analytic, numeric) -> float:
    """:math:`\\lVert a - n\\rVert / \\max(\\lVert a\\rVert, \\lVert n\\rVert)`, 0 when both are 0."""
    a = as_float_array(analytic, "analytic", allow_empty=True)
    n = as_float_array(numeric, "numeric", allow_empty=True)
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {a.shape} and {n.shape}")
    scale = max(np.linalg.norm(a), np.linalg.norm(n))
    return 0.0 if scale == 0.0 else float(np.linalg.norm(a - n) / scale)


@dataclass(frozen=True)
class GradCheck:
    """Result of :func:`check_gradients`."""

    max_relative_error: float
    relative_errors: list[float]
    max_abs_error: float

    def __bool__(self) -> bool:
        # `assert check_gradients(...)` would always pass; make that mistake loud
        raise TypeError("compare GradCheck.max_relative_error with a tolerance instead")


def check_gradients(f: Callable[[], float], params: Sequence[np.ndarray], analytic: Sequence[np.ndarray],
                    h: float = 1e-5) -> GradCheck:
    """Compare ``analytic`` gradients with central differences of ``f`` over ``params``."""
    _check_f_params(f, params)
    analytic = _check_analytic(analytic, params)
    numeric = numerical_gradient(f, params, h)
    rel = [relative_error(a, n) for a, n in zip(analytic, numeric)]
    abs_err = max(float(np.max(np.abs(np.asarray(a) - n), initial=0.0)) for a, n in zip(analytic, numeric))
    return GradCheck(max(rel), rel, abs_err)


def directional_check(f: Callable[[], float], params: Sequence[np.ndarray], analytic: Sequence[np.ndarray],
                      n_directions: int = 3, h: float = 1e-5, seed: int = 0) -> float:
    r"""A cheap gradient check: the slope of ``f`` along random directions, against the analytic gradient.

    For a random unit direction :math:`\mathbf v` over all parameters, the
    directional derivative is :math:`\nabla f \cdot \mathbf v`, and a central
    difference along :math:`\mathbf v` estimates it with 2 evaluations of
    ``f``, whatever the number of parameters :math:`P` (a full check needs
    :math:`2P`). A wrong gradient is caught along almost every direction,
    though one direction cannot tell which entry is wrong.

    Returns
    -------
    float
        The largest of :math:`|g_a - g_n| / \max(|g_a|, |g_n|, \lVert\nabla f\rVert\,10^{-3})`
        over the directions, :math:`g_a = \nabla f \cdot \mathbf v` and
        :math:`g_n` its central difference: the floor keeps a direction nearly
        orthogonal to the gradient from dividing by almost 0. Below 1e-6 for a
        right gradient (see the module docstring for the error of a central
        difference); of order 1 for a wrong one.
    """
    _check_f_params(f, params)
    grads = _check_analytic(analytic, params)
    n_directions = check_scalar(n_directions, "n_directions", low=1, high=MAX_ITERATIONS, integer=True)
    h = check_scalar(h, "h", low=0.0, low_open=True)
    seed = check_seed(seed)
    rng = np.random.default_rng(seed)
    norm = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    worst = 0.0
    for _ in range(n_directions):
        vs = [rng.normal(size=p.shape) for p in params]
        scale = np.sqrt(sum(float(np.sum(v * v)) for v in vs))
        vs = [v / scale for v in vs]  # a unit vector over all parameters together
        old = [p.copy() for p in params]
        for p, v in zip(params, vs):
            p += h * v
        f_plus = float(f())
        for p, o, v in zip(params, old, vs):
            p[...] = o - h * v
        f_minus = float(f())
        for p, o in zip(params, old):
            p[...] = o  # restored exactly
        numeric = (f_plus - f_minus) / (2.0 * h)
        exact = sum(float(np.sum(g * v)) for g, v in zip(grads, vs))
        denom = max(abs(exact), abs(numeric), 1e-3 * norm)
        worst = max(worst, 0.0 if denom == 0.0 else abs(exact - numeric) / denom)
    return worst


def _check_f_params(f, params) -> None:
    if not callable(f):
        raise TypeError(f"f must be a function of no arguments that returns the loss, got {type(f).__name__}")
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params must be a non-empty list of float64 NumPy arrays, got {_what(params)}")
    for k, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            raise TypeError(f"params[{k}] must be a float64 NumPy array (checks need float64), "
                            f"got {getattr(p, 'dtype', type(p).__name__)}")


def _check_analytic(analytic, params) -> list[np.ndarray]:
    """``analytic`` as float arrays, one of the shape of each array in ``params``."""
    if not isinstance(analytic, (list, tuple)):
        raise TypeError(f"analytic must be a list of arrays, one per parameter array, got {type(analytic).__name__}")
    if len(params) != len(analytic):
        raise ValueError(f"got {len(params)} parameter arrays but {len(analytic)} gradients in analytic")
    grads = []
    for k, (p, g) in enumerate(zip(params, analytic)):
        g = as_float_array(g, f"analytic[{k}]")
        if g.shape != p.shape:
            raise ValueError(f"analytic[{k}] has shape {g.shape} but params[{k}] has shape {p.shape}")
        grads.append(g)
    return grads


def _what(x) -> str:
    return "an empty list" if isinstance(x, (list, tuple)) else type(x).__name__
