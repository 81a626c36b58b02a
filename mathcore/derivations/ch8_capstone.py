"""Chapter 8, Capstone: a network on real handwritten digits: its equations.

The batch gradient of softmax cross-entropy (what backpropagation starts
from), what standardisation does to a pixel, the parameter count of a
network with one hidden layer, and the conversion between scikit-learn's
L2 penalty and the book's, down to one step of momentum SGD.
"""

from __future__ import annotations

import sympy as sp

from ._core import Chain, Derivation, Step, register, unevaluated_sum as _sum
from ._definition import Definition
from ._notation import Partial
from .. import data

# --- standardisation, as the data loader does it ------------------------------------------------

_m_sym = sp.Symbol("m", integer=True, positive=True)
_i_sym, _j_sym, _r = sp.symbols("i j r", integer=True, positive=True)
_X = sp.IndexedBase("x", real=True)
_mu_j, _s_j = sp.Symbol(r"\mu_j", real=True), sp.Symbol("s_j", positive=True)


def _standardised(x):
    mean, scale = data._standardise(x)  # what data.digits applies, fitted on the images given
    return ((x - mean) / scale)[2, 1]  # pixel j = 2 of image i = 3, as the definition is checked


register(Definition(
    "capstone.standardise", 8,
    r"each pixel $j$ standardised with its mean $\mu_j$ and standard deviation $s_j$ over the $m$ images "
    r"it is fitted on (checked for $m = 5$ images of 2 pixels, at $i = 3$, $j = 2$)",
    sp.Symbol(r"\tilde x_{ij}"), sp.Mul(_sum(_X[_i_sym, _j_sym], -_mu_j), sp.Pow(_s_j, -1), evaluate=False),
    definitions={_s_j: sp.Pow(sp.Mul(sp.UnevaluatedExpr(1 / _m_sym),
                                     sp.Sum(_sum(_X[_r, _j_sym], -_mu_j) ** 2, (_r, 1, _m_sym)), evaluate=False),
                              sp.Rational(1, 2), evaluate=False),
                 _mu_j: sp.Mul(sp.UnevaluatedExpr(1 / _m_sym), sp.Sum(_X[_r, _j_sym], (_r, 1, _m_sym)),
                               evaluate=False)},
    code=_standardised, code_name="mathcore.data.digits (its standardisation)",
    sizes={_m_sym: 5, _i_sym: 3, _j_sym: 2}, domain={_X: (0.0, 16.0)}))

# --- the softmax cross-entropy gradient over a batch ------------------------------------------

_n, _K = 2, 3  # two examples, three classes: the algebra is the same for any n and K
_z = sp.Matrix(_n, _K, lambda i, k: sp.Symbol(f"z_{{{i + 1}{k + 1}}}", real=True))
_y = sp.Matrix(_n, _K, lambda i, k: sp.Symbol(f"y_{{{i + 1}{k + 1}}}", real=True))
_p = sp.Matrix(_n, _K, lambda i, k: sp.Symbol(f"p_{{{i + 1}{k + 1}}}", positive=True))
_C = sp.Symbol("C", real=True)


_LSE = sp.Function(r"\operatorname{LSE}")  # log-sum-exp, as in Chapter 4
_zk = sp.symbols("a_1:4", real=True)
_L = sp.symbols(f"L_1:{_n + 1}", real=True)  # the cost of each example
_defs: dict = {
    _C: sp.Mul(sp.Rational(1, _n), _sum(*_L), evaluate=False),  # the mean over the batch
    # each example's cost written on its logits (Chapter 4): LSE(z_i) - sum_k y_ik z_ik
    **{_L[i]: _sum(_LSE(*[_z[i, k] for k in range(_K)]), *[-_y[i, k] * _z[i, k] for k in range(_K)])
       for i in range(_n)},
    _LSE: sp.Lambda(_zk, sp.log(_sum(*[sp.exp(a) for a in _zk]))),
}
for _i in range(_n):
    for _k in range(_K):
        _defs[_p[_i, _k]] = sp.exp(_z[_i, _k]) / _sum(*[sp.exp(_z[_i, j]) for j in range(_K)])
    # targets on the simplex: one-hot rows are its corners
    _defs[_y[_i, _K - 1]] = 1 - _y[_i, 0] - _y[_i, 1]
register(Chain(
    "capstone.batch-gradient", 8,
    r"the gradient of the mean softmax cross-entropy of a batch ($n = 2$ examples, $K = 3$ classes) with "
    r"respect to the matrix of logits is $(P - Y)/n$: one row per example, divided by the batch size",
    [Step(sp.Matrix(_n, _K, lambda i, k: Partial(_C, _z[i, k]))),
     Step(sp.Matrix(_n, _K, lambda i, k: sp.Mul(sp.UnevaluatedExpr(sp.Rational(1, _n)), Partial(_L[i], _z[i, k]),
                                                evaluate=False)),
          "C = (L₁ + L₂)/2, and only Lᵢ depends on row i"),
     Step(sp.Matrix(_n, _K, lambda i, k: sp.Mul(_sum(_p[i, k], -_y[i, k]), sp.Pow(_n, -1, evaluate=False),
                                                evaluate=False)),
          "Chapter 4: ∂Lᵢ/∂zᵢₖ = pᵢₖ − yᵢₖ")],
    definitions=_defs,
    domain={_y[i, k]: (0.0, 0.5) for i in range(_n) for k in range(_K - 1)},
    assumptions=r"each row of targets sums to 1, $y_{i1} + y_{i2} + y_{i3} = 1$ (one-hot rows do)",
    prove=False))  # the proof is SymPy's too (0.6 s measured), more than a chapter run can spend

# --- standardisation ----------------------------------------------------------------------------

_m = 5  # five values of one pixel; the algebra is the same for any number
_xs = sp.symbols(f"x_1:{_m + 1}", real=True)
_mu, _s = sp.Symbol(r"\mu", real=True), sp.Symbol("s", positive=True)
_std_defs = {
    _mu: sp.Mul(sp.Rational(1, _m), _sum(*_xs), evaluate=False),
    _s: sp.Pow(sp.Mul(sp.Rational(1, _m), _sum(*[(xi - _mu) ** 2 for xi in _xs]), evaluate=False),
               sp.Rational(1, 2), evaluate=False),
}
# Substitution runs in order: s (which mentions mu) first, then mu.
_std_defs = {_s: _std_defs[_s], _mu: _std_defs[_mu]}
_xt = [(xi - _mu) / _s for xi in _xs]
register(Derivation(
    "capstone.standardised-mean", 8,
    r"standardised values $(x_i - \mu)/s$ have mean 0, for five values of one pixel",
    sp.Mul(sp.Rational(1, _m), _sum(*_xt), evaluate=False), sp.Integer(0),
    definitions=_std_defs, domain={xi: (0.0, 16.0) for xi in _xs},
    assumptions=r"the values are not all equal ($s > 0$)", prove=False))
register(Derivation(
    "capstone.standardised-variance", 8,
    r"and variance 1 (with $s$ the standard deviation that divides by the count, as NumPy's `std` does)",
    sp.Mul(sp.Rational(1, _m), _sum(*[t**2 for t in _xt]), evaluate=False), sp.Integer(1),
    definitions=_std_defs, domain={xi: (0.0, 16.0) for xi in _xs},
    assumptions=r"the values are not all equal ($s > 0$)", prove=False))

# --- the parameter count ------------------------------------------------------------------------

_d, _h, _Kc = sp.symbols("d h K", positive=True, integer=True)
register(Derivation(
    "capstone.parameter-count", 8,
    r"a network with $d$ inputs, one hidden layer of $h$ units and $K$ outputs has $(d + 1)h$ parameters "
    r"in its first layer (a weight per input and a bias, for each hidden unit) and $(h + 1)K$ in its second",
    _sum(sp.Mul(_d + 1, _h, evaluate=False), sp.Mul(_h + 1, _Kc, evaluate=False)),
    _sum(sp.Mul(_h, _sum(_d, _Kc, 1), evaluate=False), _Kc),
    domain={_d: (1.0, 100.0), _h: (1.0, 100.0), _Kc: (1.0, 20.0)}))

# --- scikit-learn's penalty and the book's --------------------------------------------------------

_w, _g, _v, _u = sp.symbols("w g v u", real=True)
_alpha, _B, _lam, _eta, _beta = sp.symbols(r"\alpha B \lambda \eta \beta", positive=True)
_conv = {_lam: _alpha / _B}
register(Chain(
    "capstone.sklearn-penalty", 8,
    r"scikit-learn adds $\frac{\alpha}{2B}\lVert W\rVert^2$ to the mean loss of a minibatch of $B$ examples; "
    r"the book adds $\frac{\lambda}{2}\lVert W\rVert^2$. Their gradients (shown for one weight) agree when "
    r"$\lambda = \alpha/B$",
    [Step(sp.Derivative(sp.Mul(_alpha / (2 * _B), _w**2, evaluate=False), _w)),
     Step(sp.Mul(sp.Mul(2, _alpha, _w, evaluate=False), sp.Pow(sp.Mul(2, _B, evaluate=False), -1, evaluate=False),
                 evaluate=False), "the derivative of w² is 2w"),
     Step(sp.Mul(_alpha / _B, _w, evaluate=False), "the 2s cancel"),
     Step(sp.Mul(_lam, _w, evaluate=False), "the book's strength is λ = α/B")],
    definitions=_conv, domain={_alpha: (0.0, 1.0), _B: (1.0, 256.0)},
    assumptions=r"every minibatch has $B$ examples"))
register(Derivation(
    "capstone.sklearn-momentum-step", 8,
    r"one step of scikit-learn's momentum, $u \leftarrow \beta u - \eta(g + \frac{\alpha}{B}w)$, "
    r"$w \leftarrow w + u$ (top: new $u$, bottom: new $w$), equals one step of the book's, "
    r"$v \leftarrow \beta v + g + \lambda w$, $w \leftarrow w - \eta v$, when its velocity is $u = -\eta v$ "
    r"and $\lambda = \alpha/B$; by induction, every step agrees",
    sp.Matrix([_sum(sp.Mul(_beta, _u, evaluate=False), -_eta * (_g + _alpha / _B * _w)),
               _sum(_w, sp.Mul(_beta, _u, evaluate=False), -_eta * (_g + _alpha / _B * _w))]),
    sp.Matrix([-_eta * _sum(sp.Mul(_beta, _v, evaluate=False), _g, sp.Mul(_lam, _w, evaluate=False)),
               _sum(_w, -_eta * _sum(sp.Mul(_beta, _v, evaluate=False), _g, sp.Mul(_lam, _w, evaluate=False)))]),
    definitions={_u: -_eta * _v, **_conv},
    domain={_alpha: (0.0, 1.0), _B: (1.0, 256.0), _eta: (0.001, 1.0), _beta: (0.0, 0.99)},
    assumptions=r"a constant learning rate $\eta$ and momentum $\beta$, and minibatches of $B$ examples"))
