"""Chapter 3, Activation functions: every activation's derivative, from its symbolic twin."""

from __future__ import annotations

import sympy as sp

from ._core import GAUSS_DEFS, SIGMA_DEF, Derivation, Phi, phi, register, sigma, x
from .. import activations


_ACT_DERIVATIVES = {
    "identity": sp.Integer(1),
    "step": sp.Integer(0),
    "sigmoid": sigma(x) * (1 - sigma(x)),
    "tanh": 1 - sp.tanh(x) ** 2,
    "relu": sp.Piecewise((0, x <= 0), (1, True)),
    "leaky_relu": sp.Piecewise((sp.Rational(1, 100), x <= 0), (1, True)),
    "elu": sp.Piecewise((sp.exp(x), x <= 0), (1, True)),
    "softplus": sigma(x),
    "gelu": Phi(x) + x * phi(x),
    "silu": sigma(x) * (1 + x * (1 - sigma(x))),
}
for _name, _act in activations.ACTIVATIONS.items():
    _f = sp.Function(_name)
    register(Derivation(
        f"activation.{_name}.derivative", 3,
        f"the derivative of {_name}" + (f"; at the kink, {_act.kink.rstrip('.')}" if _act.kink else ""),
        sp.Derivative(_f(x), x), _ACT_DERIVATIVES[_name],
        definitions={_f: sp.Lambda(x, _act.symbolic(x)), sigma: SIGMA_DEF, **GAUSS_DEFS},
        points=[{x: k} for k in _act.kink_points],
        domain={x: (-6.0, 6.0)},
        assumptions="every real x except 0, where the derivative is 0 by convention" if _name == "step" else ""))

register(Derivation(
    "activation.tanh-sigmoid", 3, r"$\tanh$ is a sigmoid stretched to $(-1, 1)$",
    sp.tanh(x), 2 * sigma(2 * x) - 1, definitions={sigma: SIGMA_DEF}))
