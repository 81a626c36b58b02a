r"""Weight penalties: value, (sub)gradient and SymPy twin side by side.

Penalties apply to weight matrices, never to biases, and are added to the mean
data loss:

* ``l2`` (ridge, weight decay): :math:`\frac{\lambda}{2}\sum \lVert W\rVert_F^2`, gradient :math:`\lambda W`;
* ``l1`` (lasso): :math:`\lambda \sum |W|`, subgradient :math:`\lambda\,\operatorname{sign}(W)`.

Convention at 0 for L1: :math:`|w|` has no derivative at 0; we use the
subgradient 0 (``sign(0) = 0``, as ``numpy.sign`` and PyTorch do). It is the
member of the subdifferential :math:`[-\lambda, \lambda]` of smallest
magnitude, so a weight that is exactly 0 stays 0 under plain gradient descent.

References: Hoerl and Kennard, "Ridge Regression" (1970); Tibshirani,
"Regression Shrinkage and Selection via the Lasso" (1996).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from ._validate import as_float_array, check_scalar, lookup

__all__ = ["Penalty", "PENALTIES", "get"]

W, LAM = sp.symbols("w lambda", real=True)


def _weights(weights) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray) or np.isscalar(weights):
        return [as_float_array(weights, "weights")]
    if not isinstance(weights, Sequence) or isinstance(weights, (str, bytes)):
        raise TypeError(f"weights must be an array or a list of arrays, got {type(weights).__name__}")
    return [as_float_array(w, f"weights[{i}]") for i, w in enumerate(weights)]


@dataclass(frozen=True)
class Penalty:
    """A weight penalty :math:`R(W; \\lambda)` with its (sub)gradient and SymPy twin."""

    name: str
    formula: str
    kink: str
    _value: Callable = field(repr=False)
    _grad: Callable = field(repr=False)
    _sym: Callable = field(repr=False)

    def __call__(self, weights, strength: float) -> float:
        """Total penalty over an array or a list of arrays."""
        lam = check_scalar(strength, "strength", low=0.0)
        return float(sum(self._value(w, lam) for w in _weights(weights)))

    def gradient(self, weights, strength: float):
        """(Sub)gradient, an array or a list shaped like ``weights``."""
        lam = check_scalar(strength, "strength", low=0.0)
        ws = _weights(weights)
        grads = [self._grad(w, lam) for w in ws]
        return grads[0] if isinstance(weights, np.ndarray) or np.isscalar(weights) else grads

    def symbolic(self, w: sp.Symbol = W, lam: sp.Symbol = LAM) -> sp.Expr:
        """The penalty on one weight as a SymPy expression."""
        return self._sym(w, lam)


PENALTIES: dict[str, Penalty] = {
    p.name: p
    for p in [
        Penalty("l2", r"\frac{\lambda}{2} w^2", "", lambda w, lam: 0.5 * lam * np.vdot(w, w),
                lambda w, lam: lam * w, lambda w, lam: lam * w**2 / 2),
        Penalty("l1", r"\lambda |w|", "The subgradient at w = 0 is 0 (sign(0) = 0).",
                lambda w, lam: lam * np.abs(w).sum(), lambda w, lam: lam * np.sign(w),
                # Piecewise rather than Abs so that SymPy's derivative at 0 is the convention, 0
                lambda w, lam: lam * sp.Piecewise((w, w > 0), (-w, w < 0), (0, True))),
    ]
}


def get(name: str) -> Penalty:
    """Return the penalty registered as ``name`` (ValueError lists the known names)."""
    return lookup(PENALTIES, name, "penalty")
