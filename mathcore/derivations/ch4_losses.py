"""Chapter 4, Cost functions: every loss's gradient."""

from __future__ import annotations

import sympy as sp

from ._core import SIGMA_DEF, Derivation, register, sigma, unevaluated_sum as _sum
from .. import losses


p, y, z = losses.P, losses.Y, losses.Z
register(Derivation(
    "loss.mse.gradient", 4, "the derivative of the squared error with respect to the prediction $p$",
    sp.Derivative(losses.LOSSES["mse"].symbolic(p, y), p), 2 * (p - y)))
register(Derivation(
    "loss.binary_cross_entropy.gradient", 4, "the derivative of binary cross-entropy with respect to the predicted probability $p$",
    sp.Derivative(losses.LOSSES["binary_cross_entropy"].symbolic(p, y), p), (p - y) / (p * (1 - p)),
    domain={p: (0.001, 0.999), y: (0.0, 1.0)}, assumptions="$0 < p < 1$"))
_ps = sp.symbols("p_1:4", positive=True)
_ys = sp.symbols("y_1:4", real=True)
register(Derivation(
    "loss.cross_entropy.gradient", 4, "the derivative of categorical cross-entropy with respect to one predicted probability",
    sp.Derivative(sum(losses.LOSSES["cross_entropy"].symbolic(pk, yk) for pk, yk in zip(_ps, _ys)), _ps[1]),
    -_ys[1] / _ps[1], domain={**{pk: (0.001, 1.0) for pk in _ps}, **{yk: (0.0, 1.0) for yk in _ys}},
    assumptions="$p_2 > 0$"))
register(Derivation(
    "loss.sigmoid_binary_cross_entropy.gradient", 4,
    r"sigmoid and binary cross-entropy together: the derivative with respect to the logit is $\sigma(z) - y$",
    sp.Derivative(_sum(-y * sp.log(sigma(z)), -(1 - y) * sp.log(1 - sigma(z))), z), _sum(sigma(z), -y),
    definitions={sigma: SIGMA_DEF}, domain={z: (-10.0, 10.0), y: (0.0, 1.0)}))
_zs = sp.symbols("z_1:4", real=True)
_C = sp.Function("C")
_pk = sp.Function("p_1")
_lse = sp.log(sum(sp.exp(zk) for zk in _zs))
register(Derivation(
    "loss.softmax_cross_entropy.gradient", 4,
    r"softmax and cross-entropy together: the derivative with respect to a logit is $p_k - y_k$",
    sp.Derivative(_C(*_zs), _zs[0]), _sum(_pk(*_zs), -_ys[0]),
    definitions={_C: sp.Lambda(_zs, -sum(yk * (zk - _lse) for yk, zk in zip(_ys, _zs))),
                 _pk: sp.Lambda(_zs, sp.exp(_zs[0]) / sum(sp.exp(zk) for zk in _zs)),
                 _ys[2]: 1 - _ys[0] - _ys[1]},
    domain={_ys[0]: (0.0, 0.5), _ys[1]: (0.0, 0.5)},
    assumptions="targets on the simplex, $y_1 + y_2 + y_3 = 1$"))
