"""Chapter 7, Regularization: the penalties' (sub)gradients."""

from __future__ import annotations

import numpy as np
import sympy as sp

from ._core import Chain, Derivation, Step, register, unevaluated_sum as _sum
from ._definition import Definition
from .. import regularization

# --- the penalised costs, and the soft threshold: definitions checked against the code ----------

_K = sp.Symbol("K", integer=True, positive=True)
_k = sp.Symbol("k", integer=True, positive=True)
_wk = sp.IndexedBase("w", real=True)
_lam_def = sp.Symbol(r"\lambda", nonnegative=True)
_Cw = sp.Symbol(r"C(\mathbf{w})", real=True)
_C_tilde = sp.Symbol(r"\tilde C(\mathbf{w})")


def _penalised(name):
    return lambda w, C, lam: C + regularization.PENALTIES[name](w, lam)


register(Definition(
    "regularization.l2", 7,
    r"the cost with the L2 penalty, of strength $\lambda \ge 0$, on the $K$ weights (checked for $K = 4$)",
    _C_tilde, _sum(_Cw, sp.Mul(_lam_def / 2, sp.Sum(_wk[_k] ** 2, (_k, 1, _K)), evaluate=False)),
    code=_penalised("l2"), code_name='mathcore.regularization.PENALTIES["l2"]', sizes={_K: 4},
    arguments={_Cw: "C", _lam_def: "lam"}, domain={_lam_def: (0.0, 2.0)}))
register(Definition(
    "regularization.l1", 7,
    r"the cost with the L1 penalty instead (checked for $K = 4$)",
    _C_tilde, _sum(_Cw, sp.Mul(_lam_def, sp.Sum(sp.Abs(_wk[_k]), (_k, 1, _K)), evaluate=False)),
    code=_penalised("l1"), code_name='mathcore.regularization.PENALTIES["l1"]', sizes={_K: 4},
    arguments={_Cw: "C", _lam_def: "lam"}, domain={_lam_def: (0.0, 2.0)}))
_z, _S = sp.Symbol("z", real=True), sp.Function(r"S_{\lambda}")
register(Definition(
    "regularization.soft-threshold", 7,
    r"the soft threshold: move $z$ towards 0 by $\lambda$, and stop at 0",
    _S(_z), sp.Mul(sp.sign(_z), sp.Max(_sum(sp.Abs(_z), -_lam_def), 0), evaluate=False),
    code=lambda z, lam: regularization.soft_threshold(z, lam), code_name="mathcore.regularization.soft_threshold",
    arguments={_lam_def: "lam"}, domain={_z: (-3.0, 3.0), _lam_def: (0.0, 2.0)},
    points=[{_z: 0.5, _lam_def: 0.5}, {_z: -0.5, _lam_def: 0.5}, {_z: 0.0, _lam_def: 0.0}]))

_n_sym = sp.Symbol("n", integer=True, positive=True)
_i_sym = sp.Symbol("i", integer=True, positive=True)
_xi, _yi = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)


def _ridge_1d(x, y, lam):
    # ridge_fit fits an unpenalised bias; on the data and its mirror image (-x, -y) that bias is 0, and the
    # doubled data double both sums of the formula, so the one weight is the formula's w* for x, y alone
    w, _ = regularization.ridge_fit(np.concatenate([x, -x])[:, None], np.concatenate([y, -y]), lam)
    return w[0]


register(Definition(
    "regularization.ridge-1d-solution", 7,
    r"the ridge weight of a one-feature model without bias, the one-dimensional case of "
    r"$(X^\top X + \frac{n\lambda}{2} I)^{-1} X^\top y$ (checked for $n = 3$)",
    sp.Symbol(r"w^{\star}(\lambda)"),
    sp.Mul(sp.Sum(_xi[_i_sym] * _yi[_i_sym], (_i_sym, 1, _n_sym)),
           sp.Pow(_sum(sp.Sum(_xi[_i_sym] ** 2, (_i_sym, 1, _n_sym)), sp.Mul(sp.Rational(1, 2), _n_sym, _lam_def,
                                                                           evaluate=False)), -1),
           evaluate=False),
    code=_ridge_1d, code_name="mathcore.regularization.ridge_fit", sizes={_n_sym: 3},
    arguments={_lam_def: "lam"}, domain={_xi: (0.5, 3.0), _lam_def: (0.0, 2.0)}))

# --- Bayes' rule: the conditional probabilities through the joint one ---------------------------

_post, _like = sp.Symbol(r"P(\mathbf{w} \mid \text{data})"), sp.Symbol(r"P(\text{data} \mid \mathbf{w})")
_prior, _evidence = sp.Symbol(r"P(\mathbf{w})", positive=True), sp.Symbol(r"P(\text{data})", positive=True)
_joint = sp.Symbol(r"P(\mathbf{w}, \text{data})", positive=True)
register(Derivation(
    "regularization.bayes-rule", 7,
    "Bayes' rule: both conditional probabilities are the joint probability divided by the probability of "
    "what is given, so either one gives the other",
    _post, sp.Mul(_like, _prior, sp.Pow(_evidence, -1), evaluate=False),
    definitions={_post: _joint / _evidence, _like: _joint / _prior},
    domain={_prior: (0.01, 1.0), _evidence: (0.01, 1.0), _joint: (0.0, 0.01)},
    assumptions=r"$P(\mathbf{w}) > 0$ and $P(\text{data}) > 0$"))


_w, _lam = regularization.W, regularization.LAM
register(Derivation(
    "regularization.l2.gradient", 7, "the derivative of the L2 (ridge) penalty, the weight-decay term",
    sp.Derivative(regularization.PENALTIES["l2"].symbolic(_w, _lam), _w), _lam * _w))
register(Derivation(
    "regularization.l1.gradient", 7, "the subgradient of the L1 (lasso) penalty, 0 at $w = 0$ by convention",
    sp.Derivative(regularization.PENALTIES["l1"].symbolic(_w, _lam), _w), _lam * sp.sign(_w),
    points=[{_w: 0.0}], domain={_lam: (0.0, 2.0)},
    prove=False))  # SymPy's attempt on the Piecewise costs 1.5 s and proves nothing more than the 201 points


# --- weight decay: one gradient step on the penalised cost ----------------------------------

_eta = sp.Symbol(r"\eta", positive=True)
_C = sp.Function("C")
_a = sp.symbols("a_0:4", real=True)
#: a general cubic stands in for the data cost, so that the identity can be evaluated at points
_C_DEF = sp.Lambda(_w, _sum(_a[0], _a[1] * _w, _a[2] * _w**2, _a[3] * _w**3))
register(Chain(
    "regularization.weight-decay", 7,
    r"a gradient-descent step on the data cost plus the L2 penalty shrinks the weight by the factor "
    r"$1 - \eta\lambda$ before the usual step: weight decay (for any differentiable data cost $C$; "
    r"checked with a general cubic)",
    [Step(_sum(_w, -_eta * sp.Derivative(_sum(_C(_w), regularization.PENALTIES["l2"].symbolic(_w, _lam)), _w))),
     Step(_sum(_w, -sp.Mul(_eta, _sum(sp.Derivative(_C(_w), _w), sp.Mul(_lam, _w, evaluate=False)), evaluate=False)),
          "differentiate the sum term by term: (λ/2)w² gives λw"),
     Step(_sum(_w, -sp.Mul(_eta, _lam, _w, evaluate=False), -_eta * sp.Derivative(_C(_w), _w)),
          "multiply out"),
     Step(_sum(sp.Mul(_sum(1, -sp.Mul(_eta, _lam, evaluate=False)), _w, evaluate=False), -_eta * sp.Derivative(_C(_w), _w)),
          "factor out w")],
    definitions={_C: _C_DEF}, domain={_lam: (0.0, 2.0), _eta: (0.001, 1.0)},
    prove=False))  # SymPy proves it too, in 0.4 to 0.8 s that a chapter run cannot spare
register(Derivation(
    "regularization.l1-step", 7,
    r"a gradient-descent step with the L1 penalty instead moves every nonzero weight towards 0 by the same "
    r"amount $\eta\lambda$, however small the weight",
    _sum(_w, -_eta * sp.Derivative(_sum(_C(_w), regularization.PENALTIES["l1"].symbolic(_w, _lam)), _w)),
    _sum(_w, -sp.Mul(_eta, _lam, sp.sign(_w), evaluate=False), -_eta * sp.Derivative(_C(_w), _w)),
    definitions={_C: _C_DEF}, domain={_lam: (0.0, 2.0), _eta: (0.001, 1.0)}, points=[{_w: 0.0}],
    assumptions=r"$w \ne 0$; at $w = 0$ the subgradient convention $\operatorname{sign}(0) = 0$",
    prove=False))  # as for the subgradient: the Piecewise makes SymPy slow


# --- the gradient and the closed form of ridge regression -----------------------------------

_n, _d = 3, 2
_X = sp.MatrixSymbol("X", _n, _d)
_y = sp.MatrixSymbol("y", _n, 1)
_wv = sp.MatrixSymbol("w", _d, 1)
_wstar = sp.MatrixSymbol(r"w^{\star}", _d, 1)
_x = [[sp.Symbol(f"x_{i + 1}{j + 1}", real=True) for j in range(_d)] for i in range(_n)]
_ys = sp.symbols(f"y_1:{_n + 1}", real=True)
_ws = sp.symbols(f"w_1:{_d + 1}", real=True)
_cost = _sum(
    sp.Mul(sp.Rational(1, _n), _sum(*[_sum(*[_x[i][j] * _ws[j] for j in range(_d)], -_ys[i]) ** 2
                                       for i in range(_n)]), evaluate=False),
    sp.Mul(_lam / 2, _sum(*[wj**2 for wj in _ws]), evaluate=False))
_matrices = {_X: sp.Matrix(_x), _y: sp.Matrix(_ys)}


def _residual(w):
    """Xw - y in the order the book writes it (SymPy would print -y + Xw)."""
    return sp.MatAdd(sp.MatMul(_X, w), sp.MatMul(-1, _y, evaluate=False), evaluate=False)


register(Derivation(
    "regularization.ridge-gradient", 7,
    r"the gradient of the ridge cost $C(w) = \frac1n\lVert Xw - y\rVert^2 + \frac{\lambda}{2}\lVert w\rVert^2$ "
    r"(mean squared error, no bias) is $\frac2n X^\top(Xw - y) + \lambda w$; shown for $n = 3$ examples and "
    r"$d = 2$ weights, entry by entry",
    sp.Matrix([sp.Derivative(_C(*_ws), wj) for wj in _ws]),
    sp.MatAdd(sp.MatMul(sp.Rational(2, _n), _X.T, _residual(_wv), evaluate=False), _lam * _wv, evaluate=False),
    definitions={_C: sp.Lambda(_ws, _cost), **_matrices, _wv: sp.Matrix(_ws)},
    domain={_lam: (0.0, 2.0)}, prove=False))  # SymPy proves it too (0.3 s)
register(Derivation(
    "regularization.ridge-closed-form", 7,
    r"the gradient vanishes at $w^\star = (X^\top X + \frac{n\lambda}{2} I)^{-1} X^\top y$, the ridge "
    r"solution ($n = 3$, $d = 2$; the same algebra for any size)",
    sp.MatAdd(sp.MatMul(sp.Rational(2, _n), _X.T, _residual(_wstar), evaluate=False), _lam * _wstar,
              evaluate=False), sp.ZeroMatrix(_d, 1),
    definitions={_wstar: (_X.T * _X + sp.Rational(_n, 2) * _lam * sp.Identity(_d)).I * _X.T * _y, **_matrices},
    domain={_lam: (0.05, 2.0)}, assumptions=r"$\lambda > 0$ (then the matrix is invertible for any $X$)",
    prove=False))  # SymPy's proof of the inverse of a symbolic 2 x 2 matrix costs seconds


# The same two results as one chain: the gradient rewritten until it shows the normal equations and the point
# where it vanishes. n is a symbol here, so the display reads like the general case; it is 3 when checked.
_nn = sp.Symbol("n", positive=True)
class _Inverse(sp.Inverse):
    """A matrix inverse typeset as SymPy's; checked as adjugate over determinant.

    ``Inverse.doit`` simplifies while it inverts, which takes seconds for a 2 x 2 matrix of polynomials; the
    adjugate formula is exact and instant, and the numerical check does the rest.
    """

    def doit(self, **hints):
        m = self.arg.doit(**hints)
        if isinstance(m, sp.MatrixExpr):
            m = m.as_explicit()
        return m.adjugate() / m.det(method="berkowitz")


# I as a named matrix, replaced by the explicit identity when checked: SymPy's Identity survives doit() beside
# explicit matrices (c I + M stays unevaluated), which the numerical check cannot compare entry by entry
_I = sp.MatrixSymbol("I", _d, _d)
_A = sp.MatAdd(_X.T * _X, sp.MatMul(sp.Mul(sp.Rational(1, 2), _nn, _lam, evaluate=False), _I))  # X^T X + (n lam/2) I
register(Chain(
    "regularization.ridge-normal-equations", 7,
    r"the ridge gradient, rewritten, is $\frac2n (X^\top X + \frac{n\lambda}{2} I)(w - w^\star)$: it vanishes "
    r"exactly when $(X^\top X + \frac{n\lambda}{2} I)\,w = X^\top y$, the normal equations, whose one solution "
    r"is $w^\star = (X^\top X + \frac{n\lambda}{2} I)^{-1} X^\top y$ ($n = 3$ examples, $d = 2$ weights, "
    r"entry by entry)",
    [Step(sp.Matrix([sp.Derivative(_C(*_ws), wj) for wj in _ws])),
     Step(sp.MatAdd(sp.MatMul(2 / _nn, _X.T, sp.MatAdd(_X * _wv, -_y)), _lam * _wv),
          "differentiate: the square gives (2/n)Xᵀ(Xw − y), the penalty (λ/2)‖w‖² gives λw"),
     Step(sp.MatAdd(sp.MatMul(2 / _nn, sp.MatAdd(_X.T * _X * _wv, -_X.T * _y)), _lam * _wv),
          "multiply out Xᵀ(Xw − y)"),
     Step(sp.MatMul(2 / _nn, sp.MatAdd(sp.MatMul(_A, _wv), -_X.T * _y)),
          "write λw as (2/n)(nλ/2)Iw and collect the terms in w"),
     Step(sp.MatMul(2 / _nn, _A, sp.MatAdd(_wv, -_wstar)),
          "for positive λ the matrix XᵀX + (nλ/2)I is invertible, so Xᵀy = (XᵀX + (nλ/2)I)w⋆")],
    definitions={_C: sp.Lambda(_ws, _cost), _wstar: sp.MatMul(_Inverse(_A), _X.T, _y), **_matrices,
                 _wv: sp.Matrix(_ws), _I: sp.eye(_d), _nn: _n},
    domain={_lam: (0.05, 2.0)}, assumptions=r"$\lambda > 0$ (then the matrix is invertible for any $X$)",
    prove=False))  # as for the closed form: SymPy's proof with the inverse of a symbolic 2 x 2 matrix costs seconds

# --- the Bayesian view: penalties are priors --------------------------------------------------

_s, _tau = sp.Symbol("s", positive=True), sp.Symbol(r"\tau", positive=True)
_mu0 = sp.Symbol(r"\mu", real=True)
_sqrt_2pi = sp.Pow(sp.Mul(2, sp.pi, evaluate=False), sp.Rational(1, 2), evaluate=False)
_N = sp.Function(r"\mathcal{N}")
_N_DEF = sp.Lambda((_w, _mu0, _s), sp.Mul(sp.Pow(sp.Mul(_sqrt_2pi, _s, evaluate=False), -1, evaluate=False),
                                          sp.exp(-(_w - _mu0) ** 2 / (2 * _s**2)), evaluate=False))
_Lap = sp.Function(r"\operatorname{Laplace}")
_LAP_DEF = sp.Lambda((_w, _mu0, _s), sp.exp(-sp.Abs(_w - _mu0) / _s) / (2 * _s))
register(Derivation(
    "regularization.gaussian-prior", 7,
    r"the negative log-density of a Gaussian prior $\mathcal N(0, \tau^2)$ on a weight is the L2 penalty's "
    r"$w^2$, scaled by $1/(2\tau^2)$, plus a constant",
    -sp.log(_N(_w, 0, _tau)), _sum(_w**2 / (2 * _tau**2), sp.log(sp.Mul(_sqrt_2pi, _tau, evaluate=False))),
    definitions={_N: _N_DEF}, domain={_tau: (0.2, 3.0)}, assumptions=r"every $\tau > 0$", prove=False))
register(Derivation(
    "regularization.laplace-prior", 7,
    r"the negative log-density of a Laplace prior with scale $\tau$ is the L1 penalty's $|w|$, scaled by "
    r"$1/\tau$, plus a constant",
    -sp.log(_Lap(_w, 0, _tau)), _sum(sp.Abs(_w) / _tau, sp.log(2 * _tau)),
    definitions={_Lap: _LAP_DEF}, domain={_tau: (0.2, 3.0)}, assumptions=r"every $\tau > 0$", prove=False))

_mus = sp.symbols(rf"\mu_1:{_n + 1}", real=True)
_MSE = sp.Symbol(r"\operatorname{MSE}", nonnegative=True)
_MSE_DEF = sp.Mul(sp.Rational(1, _n), _sum(*[(m - yi) ** 2 for m, yi in zip(_mus, _ys)]), evaluate=False)
_L2 = sp.Symbol(r"\lambda_{2}", positive=True)
_L1 = sp.Symbol(r"\lambda_{1}", positive=True)
_likelihood = [_N(yi, m, _s) for yi, m in zip(_ys, _mus)]
#: the likelihood and the prior as named factors, so that the equation fits a page; "where" defines them
_LIK = sp.Symbol(r"P(\mathbf{y} \mid \mathbf{w})", positive=True)
_PRIOR = sp.Symbol(r"P(\mathbf{w})", positive=True)
_scale = sp.Mul(sp.Rational(_n, 2), sp.Pow(_s, -2), evaluate=False)  # n / (2 s^2)
_data_domain = {_s: (0.5, 3.0), _tau: (0.3, 3.0), **{v: (-2.0, 2.0) for v in (*_mus, *_ys, *_ws)}}
register(Derivation(
    "regularization.map-gaussian", 7,
    r"with Gaussian noise of standard deviation $s$ and a Gaussian prior $\mathcal N(0, \tau^2)$ on each weight, "
    r"minus the log of likelihood times prior is $n/(2s^2)$ times the ridge cost, with "
    r"$\lambda_2 = 2s^2/(n\tau^2)$, plus a constant ($n = 3$ examples with predictions $\mu_i$, $d = 2$ weights)",
    -sp.log(sp.Mul(_LIK, _PRIOR, evaluate=False)),
    _sum(sp.Mul(_scale, _sum(_MSE, sp.Mul(_L2 / 2, _sum(*[wj**2 for wj in _ws]), evaluate=False)),
                evaluate=False),
         sp.Mul(_n, sp.log(sp.Mul(_sqrt_2pi, _s, evaluate=False)), evaluate=False),
         sp.Mul(_d, sp.log(sp.Mul(_sqrt_2pi, _tau, evaluate=False)), evaluate=False)),
    definitions={_LIK: sp.Mul(*_likelihood, evaluate=False),
                 _PRIOR: sp.Mul(*[_N(wj, 0, _tau) for wj in _ws], evaluate=False),
                 _N: _N_DEF, _MSE: _MSE_DEF,
                 _L2: 2 * _s**2 / (_n * _tau**2)},
    domain=_data_domain, assumptions=r"every $s, \tau > 0$", prove=False, wrap=1))
register(Derivation(
    "regularization.map-laplace", 7,
    r"with a Laplace prior of scale $\tau$ instead, it is $n/(2s^2)$ times the lasso cost, with "
    r"$\lambda_1 = 2s^2/(n\tau)$, plus a constant",
    -sp.log(sp.Mul(_LIK, _PRIOR, evaluate=False)),
    _sum(sp.Mul(_scale, _sum(_MSE, sp.Mul(_L1, _sum(*[sp.Abs(wj) for wj in _ws]), evaluate=False)),
                evaluate=False),
         sp.Mul(_n, sp.log(sp.Mul(_sqrt_2pi, _s, evaluate=False)), evaluate=False),
         sp.Mul(_d, sp.log(2 * _tau), evaluate=False)),
    definitions={_LIK: sp.Mul(*_likelihood, evaluate=False),
                 _PRIOR: sp.Mul(*[_Lap(wj, 0, _tau) for wj in _ws], evaluate=False),
                 _N: _N_DEF, _Lap: _LAP_DEF, _MSE: _MSE_DEF,
                 _L1: 2 * _s**2 / (_n * _tau)},
    domain=_data_domain, assumptions=r"every $s, \tau > 0$", prove=False, wrap=1))


# --- inverted dropout -------------------------------------------------------------------------

_p = sp.Symbol("p", nonnegative=True)
_act = sp.Symbol("a", real=True)
_kept = sp.Mul(_act, sp.Pow(_sum(1, -_p), -1, evaluate=False), evaluate=False)  # a / (1 - p)
_E = sp.Symbol(r"\mathbb{E}\left[\tilde a\right]")
_E2 = sp.Symbol(r"\mathbb{E}\left[\tilde a^{2}\right]")
_m = sp.Symbol("m", nonnegative=True)
_at = sp.Function(r"\tilde a")  # the dropped-out activation for mask value m
_AT_DEF = sp.Lambda(_m, sp.Mul(_m, _kept, evaluate=False))
_E_DEF = _sum(sp.Mul(_sum(1, -_p), _at(1), evaluate=False), sp.Mul(_p, _at(0), evaluate=False))
register(Chain(
    "regularization.dropout-mean", 7,
    r"inverted dropout keeps the expected activation: the mask $m$ is 1 (keep) with probability $1 - p$ and "
    r"0 (drop) with probability $p$, and a kept activation is scaled by $1/(1 - p)$",
    [Step(_E),
     Step(_E_DEF, "the mean over the mask's two values, weighted by their probabilities"),
     Step(sp.Mul(_sum(1, -_p), _kept, evaluate=False), "a kept activation is a/(1 − p), a dropped one 0"),
     Step(_act, "1 − p cancels")],
    definitions={_E: _E_DEF, _at: _AT_DEF},
    domain={_p: (0.0, 0.95)}, assumptions="$0 \\le p < 1$"))
register(Derivation(
    "regularization.dropout-variance", 7,
    r"but not its spread: the variance of the dropped-out activation is $a^2 p/(1 - p)$",
    _sum(_E2, -_E**2), sp.Mul(_act**2, _p, sp.Pow(_sum(1, -_p), -1, evaluate=False), evaluate=False),
    definitions={_E2: _sum(sp.Mul(_sum(1, -_p), _at(1) ** 2, evaluate=False),
                           sp.Mul(_p, _at(0) ** 2, evaluate=False)),
                 _E: _E_DEF, _at: _AT_DEF},
    domain={_p: (0.0, 0.95)}, assumptions="$0 \\le p < 1$"))


# --- the MAP reading of L2, step by step -----------------------------------------------------------

# The map-gaussian identity above, derived: Bayes' rule, logs, the densities, the constant, the factor. Sums that
# the page writes with a sigma are named symbols, spelt out for n = 3 examples and d = 2 weights in "where".
_dd = sp.Symbol("d", positive=True)
_POST = sp.Symbol(r"P(\mathbf{w} \mid \mathbf{y})", positive=True)
_EVID = sp.Symbol(r"P(\mathbf{y})", positive=True)  # the evidence: any positive number, and free of w
_LOGLIK = sp.Symbol(r"\sum_{i=1}^{n} \log \mathcal{N}(y_i, \mu_i, s)", real=True)
_LOGPRIOR = sp.Symbol(r"\sum_{j=1}^{d} \log \mathcal{N}(w_j, 0, \tau)", real=True)
_SSE = sp.Symbol(r"\sum_{i=1}^{n} (y_i - \mu_i)^2", nonnegative=True)
_SQ = sp.Symbol(r"\lVert \mathbf{w} \rVert^2", nonnegative=True)
_CONST = sp.Symbol(r"\mathrm{const}", real=True)
_C0 = sp.Symbol("c_0", real=True)  # log P(y): named, so that the lines that carry it fit the page
_half_over = lambda v: sp.Pow(sp.Mul(2, v**2, evaluate=False), -1, evaluate=False)  # noqa: E731  1/(2 v^2)
register(Chain(
    "regularization.l2-map", 7,
    r"the MAP reading of L2: with Gaussian noise, $y_i \sim \mathcal N(\mu_i, s^2)$ where $\mu_i = "
    r"\mathbf w^\top \mathbf x_i$, and a Gaussian prior $w_j \sim \mathcal N(0, \tau^2)$, minus the log posterior is "
    r"a positive multiple of the ridge cost $\frac1n\sum_i (y_i - \mu_i)^2 + \frac{\lambda}{2}\lVert\mathbf w\rVert^2$ "
    r"with $\lambda = 2s^2/(n\tau^2)$, plus a constant; neither moves the minimum, so the most probable weights are "
    r"the ridge weights ($n = 3$ examples, $d = 2$ weights)",
    [Step(-sp.log(_POST)),
     Step(-sp.log(sp.Mul(_LIK, _PRIOR, sp.Pow(_EVID, -1, evaluate=False), evaluate=False)),
          "Bayes' rule: posterior = likelihood × prior / evidence"),
     Step(_sum(-sp.log(_LIK), -sp.log(_PRIOR), _C0),
          "the log of a product is the sum of the logs; c₀ = log P(y) does not depend on w"),
     Step(_sum(-_LOGLIK, -_LOGPRIOR, _C0),
          "given w the examples are independent, and so are the weights under the prior: both probabilities are "
          "products of Gaussian densities"),
     Step(_sum(sp.Mul(_half_over(_s), _SSE, evaluate=False), sp.Mul(_half_over(_tau), _SQ, evaluate=False), _CONST),
          # one step, not two: the line with every term written out was wider than the page
          "substitute the density, −log 𝒩(x, μ, s) = (x − μ)²/(2s²) + log(√(2π) s), and collect the terms "
          "without w into a constant"),
     Step(_sum(sp.Mul(sp.Mul(_nn, _half_over(_s), evaluate=False),
                      _sum(sp.Mul(sp.Pow(_nn, -1, evaluate=False), _SSE, evaluate=False),
                           sp.Mul(_lam / 2, _SQ, evaluate=False)), evaluate=False), _CONST),
          "take out the positive factor n/(2s²): what is left is the ridge cost, with λ = 2s²/(nτ²)")],
    definitions={_POST: sp.Mul(_LIK, _PRIOR, sp.Pow(_EVID, -1, evaluate=False), evaluate=False),
                 _LIK: sp.Mul(*_likelihood, evaluate=False),
                 _PRIOR: sp.Mul(*[_N(wj, 0, _tau) for wj in _ws], evaluate=False),
                 _LOGLIK: _sum(*[sp.log(f) for f in _likelihood]),
                 _LOGPRIOR: _sum(*[sp.log(_N(wj, 0, _tau)) for wj in _ws]),
                 _N: _N_DEF,
                 _SSE: _sum(*[(yi - m) ** 2 for yi, m in zip(_ys, _mus)]),
                 _SQ: _sum(*[wj**2 for wj in _ws]),
                 _CONST: _sum(sp.Mul(_nn, sp.log(sp.Mul(_sqrt_2pi, _s, evaluate=False)), evaluate=False),
                              sp.Mul(_dd, sp.log(sp.Mul(_sqrt_2pi, _tau, evaluate=False)), evaluate=False),
                              _C0),
                 _C0: sp.log(_EVID),
                 _lam: sp.Mul(2, _s**2, sp.Pow(sp.Mul(_nn, _tau**2, evaluate=False), -1, evaluate=False),
                              evaluate=False),
                 _nn: _n, _dd: _d},
    domain={**_data_domain, _EVID: (0.1, 3.0)}, assumptions=r"every $s, \tau > 0$", prove=False))
