"""Chapter 1, Neurons: the geometry of the decision boundary, XOR, the perceptron update."""

from __future__ import annotations

import numpy as np
import sympy as sp

from ._core import SIGMA_DEF, Chain, Derivation, Step, register, sigma, unevaluated_sum as _sum, x
from ._definition import Definition
from .. import activations, data, neuron


# === The chapter's notation: Definitions checked against the code the chapter calls =======================

_i, _n = sp.symbols("i n", integer=True, positive=True)
_wI, _xI = sp.IndexedBase("w"), sp.IndexedBase("x")
_b = sp.Symbol("b", real=True)
#: w . x, a symbol in the typeset definition, spelled out as a sum in the "where" line
_DOT = sp.Symbol(r"\mathbf{w} \cdot \mathbf{x}", real=True)
register(Definition(
    "neuron.weighted-sum", 1,
    r"a neuron's pre-activation: each input times its weight, summed, plus the bias",
    sp.Symbol("z", real=True), _sum(_DOT, _b),
    code=lambda w, x, b: neuron.weighted_sum(x, w, b), code_name="mathcore.neuron.weighted_sum",
    definitions={_DOT: sp.Sum(_wI[_i] * _xI[_i], (_i, 1, _n))}, sizes={_n: 3},
    assumptions="any number of inputs $n$; checked with $n = 3$"))

# The four corners of the square, in the order of data.logic_gate: (0,0), (0,1), (1,0), (1,1).
_CORNERS, _ = data.logic_gate("XOR")
_a = sp.Function("a")
_w1, _w2 = sp.symbols("w_1 w_2", real=True)
_step = sp.Function("step")
register(Definition(
    "neuron.corner-outputs", 1,
    r"a step neuron's outputs $a(x_1, x_2)$ on the four corners of the square: each is 1 exactly when the "
    r"weighted sum beside it is $\ge 0$",
    sp.Matrix([_a(int(p), int(q)) for p, q in _CORNERS]),
    sp.Matrix([_step(_sum(*[w for w, on in ((_w1, p), (_w2, q)) if on], _b)) for p, q in _CORNERS]),
    code=lambda w_1, w_2, b: neuron.neuron(_CORNERS, np.array([w_1, w_2]), b), code_name="mathcore.neuron.neuron",
    definitions={_step: sp.Lambda(x, activations.ACTIVATIONS["step"].symbolic(x))},
    # a sum exactly 0 at a corner, where step(0) = 1 decides
    points=[{_w1: 1.0, _w2: -1.0, _b: 0.0}, {_w1: -1.0, _w2: 1.0, _b: -1.0}, {_w1: 1.0, _w2: 1.0, _b: -2.0}],
    assumptions=r"every $w_1, w_2, b$, sums of exactly 0 included"))


w1, w2, b, x1, x2, t, eta, c, d = sp.symbols("w_1 w_2 b x_1 x_2 t eta c d", real=True)
#: ||w||, a symbol in the typeset equations, defined in the "where" line
NORM_W = sp.Symbol(r"\lVert\mathbf{w}\rVert", positive=True)
_NORM_DEF = {NORM_W: sp.sqrt(w1**2 + w2**2)}
_W_AWAY_FROM_0 = {w1: (0.2, 3.0), w2: (-3.0, -0.2)}  # keep ||w|| away from 0, where no boundary exists
_x1t, _x2t = sp.Function("x_1"), sp.Function("x_2")
_xs1, _xs2 = sp.symbols("x^*_1 x^*_2", real=True)


register(Derivation(
    "neuron.boundary-points", 1,
    r"every point $\mathbf{x}(t) = -b\,\mathbf{w}/\lVert\mathbf{w}\rVert^2 + t\,(-w_2, w_1)$ satisfies "
    r"$\mathbf{w}\cdot\mathbf{x} + b = 0$, so the boundary is the line through $-b\,\mathbf{w}/\lVert\mathbf{w}\rVert^2$ "
    r"perpendicular to $\mathbf{w}$",
    _sum(w1 * _x1t(t), w2 * _x2t(t), b), sp.Integer(0),
    definitions={_x1t: sp.Lambda(t, -b * w1 / NORM_W**2 - t * w2), _x2t: sp.Lambda(t, -b * w2 / NORM_W**2 + t * w1),
                 **_NORM_DEF},
    domain=_W_AWAY_FROM_0, assumptions=r"every $\mathbf{w} \ne 0$ and every $t$"))

def _root(e):
    # an unevaluated square root: SymPy would otherwise pull factors out of it and skip the step shown
    return sp.Pow(e, sp.Rational(1, 2), evaluate=False)


_over_norm2 = sp.Pow(NORM_W, -2, evaluate=False)
register(Chain(
    "neuron.boundary-distance", 1,
    r"the point $\mathbf{x}^* = -b\,\mathbf{w}/\lVert\mathbf{w}\rVert^2$ of the boundary lies at distance "
    r"$|b|/\lVert\mathbf{w}\rVert$ from the origin",
    [Step(_root(_sum(_xs1**2, _xs2**2))),
     Step(_root(_sum(sp.Mul(-b, w1, _over_norm2, evaluate=False) ** 2, sp.Mul(-b, w2, _over_norm2, evaluate=False) ** 2)),
          "substitute the coordinates of x⋆ = −b w/‖w‖²"),
     Step(_root(sp.Mul(b**2, _sum(w1**2, w2**2), sp.Pow(NORM_W, -4, evaluate=False), evaluate=False)),
          "square each coordinate: both terms have the factor b²/‖w‖⁴"),
     Step(_root(sp.Mul(b**2, sp.Pow(NORM_W, -2, evaluate=False), evaluate=False)), "w₁² + w₂² = ‖w‖²"),
     Step(sp.Mul(sp.Abs(b), sp.Pow(NORM_W, -1, evaluate=False), evaluate=False),
          "the square root of b² is the size of b, and ‖w‖ is positive")],
    definitions={_xs1: -b * w1 / NORM_W**2, _xs2: -b * w2 / NORM_W**2, **_NORM_DEF},
    domain=_W_AWAY_FROM_0, assumptions=r"every $\mathbf{w} \ne 0$"))

register(Derivation(
    "neuron.signed-distance", 1,
    r"moving $\mathbf{x}$ by its signed distance $d$ against the unit normal $\mathbf{w}/\lVert\mathbf{w}\rVert$ "
    r"lands on the boundary",
    _sum(w1 * (x1 - d * w1 / NORM_W), w2 * (x2 - d * w2 / NORM_W), b), sp.Integer(0),
    definitions={d: (w1 * x1 + w2 * x2 + b) / NORM_W, **_NORM_DEF},
    domain=_W_AWAY_FROM_0, assumptions=r"every $\mathbf{w} \ne 0$ and every point $\mathbf{x}$"))

step = sp.Function("step")
register(Derivation(
    "neuron.scale-invariance", 1,
    r"scaling $\mathbf{w}$ and $b$ by $c > 0$ leaves every output of a step neuron, and so the boundary, unchanged",
    step(_sum(sp.Mul(c, w1, x1, evaluate=False), sp.Mul(c, w2, x2, evaluate=False), sp.Mul(c, b, evaluate=False))), step(_sum(w1 * x1, w2 * x2, b)),
    definitions={step: sp.Lambda(x, activations.ACTIVATIONS["step"].symbolic(x))},
    domain={c: (0.05, 20.0)}, assumptions="every $c > 0$",
    prove=False))  # it needs c > 0, which the sampled domain has but the symbol c (only real) does not carry

register(Derivation(
    "neuron.xor-contradiction", 1,
    r"XOR's conditions for the inputs $(0,1)$, $(1,0)$ and $(1,1)$ combine to exactly $b$",
    _sum(w2 + b, w1 + b, -(w1 + w2 + b)), b))

register(Derivation(
    "neuron.perceptron-update", 1,
    r"after the update $\mathbf{w} \leftarrow \mathbf{w} + \eta\mathbf{x}$, $b \leftarrow b + \eta$, "
    r"the example's $z$ has grown by $\eta(\lVert\mathbf{x}\rVert^2 + 1)$",
    _sum((w1 + eta * x1) * x1, (w2 + eta * x2) * x2, b + eta),
    _sum(w1 * x1, w2 * x2, b, eta * (x1**2 + x2**2 + 1)),
    domain={eta: (0.01, 2.0)}))

y = sp.Symbol("y", real=True)
_zf = sp.Symbol("z", real=True)
register(Chain(
    "neuron.sigmoid-gradient", 1,
    r"the derivative of a sigmoid neuron's squared error with respect to a weight, by the chain rule",
    [Step(sp.Derivative(sp.Mul(sp.Rational(1, 2), _sum(sigma(_zf), -y) ** 2, evaluate=False), w1)),
     Step(sp.Mul(_sum(sigma(_zf), -y), sp.Derivative(sigma(_zf), w1), evaluate=False),
          "chain rule on the square: ½ · 2(σ(z) − y) times the derivative inside"),
     Step(sp.Mul(_sum(sigma(_zf), -y), sigma(_zf), _sum(1, -sigma(_zf)), sp.Derivative(_zf, w1), evaluate=False),
          "chain rule through σ: σ′(z) = σ(z)(1 − σ(z)), times the derivative of z"),
     Step(sp.Mul(_sum(sigma(_zf), -y), sigma(_zf), _sum(1, -sigma(_zf)), x1, evaluate=False),
          "z = w₁x₁ + w₂x₂ + b, so ∂z/∂w₁ = x₁")],
    definitions={_zf: _sum(w1 * x1, w2 * x2, b), sigma: SIGMA_DEF}, domain={y: (0.0, 1.0)},
    prove=False))  # SymPy proves every step too, in 1.5 s that the chapter's first run cannot spare
