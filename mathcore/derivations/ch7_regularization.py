"""Chapter 7, Regularization: the penalties' (sub)gradients."""

from __future__ import annotations

import sympy as sp

from ._core import Derivation, register
from .. import regularization


_w, _lam = regularization.W, regularization.LAM
register(Derivation(
    "regularization.l2.gradient", 7, "the derivative of the L2 (ridge) penalty, the weight-decay term",
    sp.Derivative(regularization.PENALTIES["l2"].symbolic(_w, _lam), _w), _lam * _w))
register(Derivation(
    "regularization.l1.gradient", 7, "the subgradient of the L1 (lasso) penalty, 0 at $w = 0$ by convention",
    sp.Derivative(regularization.PENALTIES["l1"].symbolic(_w, _lam), _w), _lam * sp.sign(_w),
    points=[{_w: 0.0}], domain={_lam: (0.0, 2.0)}))
