"""Chapter 5, Gradient descent: directional derivatives, the iteration on a quadratic, minibatches, momentum,
RMSProp and Adam.

Every entry here is a polynomial or rational identity (or, for the neuron, the
chain rule through a sigmoid), and every one is checked at 200 seeded points.
SymPy proves all of them too; entries with ``prove=False`` are those whose
proof takes 0.5 to 1.5 s (measured), which a chapter that must run in a few
seconds cannot afford. Set ``prove=True`` to have SymPy prove them as well.
The chains about running means (``_Stationary``: Adam's bias correction) are
checked numerically at t = 1, 2 and 4 steps; SymPy also proved every link at
those t (2 s per chain, measured), and the chapter sums the geometric series
for every t symbolically.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import sympy as sp

from ._core import (N_POINTS, RTOL, SIGMA_DEF, SIGMA_Z_DEF, Chain, Derivation, Step, _draw, _seed, register,
                    sigma, unevaluated_sum as _sum)
from ._definition import Definition
from .. import losses, optim

_R = dict(real=True)
w, w0, t, eta = sp.Symbol("w", **_R), sp.Symbol("w_0", **_R), sp.Symbol("t", **_R), sp.Symbol(r"\eta", positive=True)
lam = sp.Symbol(r"\lambda", positive=True)
w1, w2, u1, u2 = sp.symbols("w_1 w_2 u_1 u_2", **_R)
lam1, lam2 = sp.symbols(r"\lambda_1 \lambda_2", positive=True)

# --- the update rule -------------------------------------------------------------------------

_D = 3  # the size of the vectors in the checks of the update rules
_wt, _wnext = sp.MatrixSymbol(r"\mathbf{w}_{t}", _D, 1), sp.MatrixSymbol(r"\mathbf{w}_{t+1}", _D, 1)
_grad = sp.MatrixSymbol(r"\nabla C(\mathbf{w}_{t})", _D, 1)


def _minus(scalar, matrix):
    # MatMul(-1, ...) typesets as "- eta g" inside a sum; MatMul(-eta, g) would give "+ - eta g"
    return sp.MatMul(-1, scalar, matrix, evaluate=False)


def _sgd_step(w, g, eta):
    w = w.copy()
    optim.SGD(eta).step([w], [g])
    return w


register(Definition(
    "gd.update", 5,
    r"gradient descent: a step against the gradient, of length proportional to it, with learning rate "
    r"$\eta > 0$ (checked on vectors of 3 parameters)",
    _wnext, sp.MatAdd(_wt, _minus(eta, _grad), evaluate=False),
    code=_sgd_step, code_name="mathcore.optim.SGD.step", arguments={_wt: "w", _grad: "g", eta: "eta"},
    domain={eta: (0.001, 1.0)}))

# --- the gradient and the directional derivative ------------------------------------------

f = sp.Function("f")
#: The example function of the directional-derivative identity: a bent valley (Rosenbrock's, scaled down).
F_DEF = sp.Lambda((w1, w2), _sum((1 - w1) ** 2, 5 * (w2 - w1**2) ** 2))
register(Derivation(
    "gd.directional-derivative", 5,
    r"the rate of change of $f$ along a direction $\mathbf u$ is the dot product of the gradient with "
    r"$\mathbf u$, $\nabla f \cdot \mathbf u$",
    sp.Subs(sp.Derivative(f(w1 + t * u1, w2 + t * u2), t), t, 0),
    _sum(sp.Derivative(f(w1, w2), w1) * u1, sp.Derivative(f(w1, w2), w2) * u2),
    definitions={f: F_DEF}, domain={w1: (-2.0, 2.0), w2: (-2.0, 2.0), u1: (-1.0, 1.0), u2: (-1.0, 1.0)},
    prove=False))  # SymPy's proof: 1.5 s

# --- one step on a quadratic ------------------------------------------------------------------

C = sp.Function("C")
g1, g2 = sp.symbols("g_1 g_2", **_R)
#: A quadratic bowl with its axes along the coordinates: Hessian diag(lambda_1, lambda_2).
C2_DEF = sp.Lambda((w1, w2), sp.Mul(sp.Rational(1, 2), _sum(lam1 * w1**2, lam2 * w2**2), evaluate=False))
register(Derivation(
    "gd.quadratic-step-decrease", 5,
    r"one gradient step on the quadratic $C$ lowers it by $\eta\lVert\mathbf g\rVert^2$ and raises it by "
    r"$\frac{\eta^2}{2}\mathbf g^\top H \mathbf g$: exact, because a quadratic equals its second-order Taylor "
    r"expansion",
    C(_sum(w1, -sp.Mul(eta, g1, evaluate=False)), _sum(w2, -sp.Mul(eta, g2, evaluate=False))),
    _sum(C(w1, w2), -eta * _sum(g1**2, g2**2),
         sp.Mul(eta**2 / 2, _sum(lam1 * g1**2, lam2 * g2**2), evaluate=False)),
    definitions={C: C2_DEF, g1: lam1 * w1, g2: lam2 * w2},
    domain={lam1: (0.1, 10.0), lam2: (0.1, 10.0), eta: (0.0, 1.0)}, prove=False))  # proof: 0.55 s

C1_DEF = sp.Lambda(w, lam * w**2 / 2)
register(Chain(
    "gd.quadratic-update", 5,
    r"on $C(w) = \frac12 \lambda w^2$ a gradient step multiplies $w$ by $1 - \eta\lambda$",
    [Step(_sum(w, -eta * sp.Derivative(C(w), w))),
     Step(_sum(w, -sp.Mul(eta, lam, w, evaluate=False)), "C′(w) = λw, the derivative of ½λw²"),
     Step(sp.Mul(_sum(1, -eta * lam), w, evaluate=False), "factor out w")],
    definitions={C: C1_DEF}, domain={lam: (0.1, 10.0), eta: (0.0, 1.0)}))

W = sp.Function("w")
register(Derivation(
    "gd.quadratic-solution", 5,
    r"$w(t) = (1 - \eta\lambda)^t w_0$ satisfies the update $w(t + 1) = (1 - \eta\lambda)\,w(t)$ and starts at "
    r"$w(0) = w_0$: it is the iteration's solution",
    W(t + 1), sp.Mul(_sum(1, -eta * lam), W(t), evaluate=False),
    definitions={W: sp.Lambda(t, sp.Mul(sp.Pow(_sum(1, -eta * lam), t, evaluate=False), w0, evaluate=False))},
    # a real power of a negative base is not real: the random points keep 1 - eta lambda > 0 and t real;
    # for whole t every sign is allowed, which the chapter checks with rsolve and with the iterates
    domain={eta: (0.01, 1.0), lam: (0.01, 0.99), t: (0.0, 40.0)},
    assumptions=r"every whole $t \ge 0$ (and every real $t$ when $1 - \eta\lambda > 0$)"))

# --- when the iteration converges: the threshold 2/lambda -----------------------------------------

# The error e = w - w* of one step, squared: it falls exactly when the last line is negative. Written with the
# minimum w* kept general (the chapter's C has w* = 0), so the error is visibly a distance to the minimum.
w_t, w_next, w_star = sp.Symbol("w_t", **_R), sp.Symbol("w_{t+1}", **_R), sp.Symbol(r"w^{\star}", **_R)
e_t, e_next = sp.Symbol("e_t", **_R), sp.Symbol("e_{t+1}", **_R)
_step = sp.Mul(eta, sp.Derivative(C(w_t), w_t), evaluate=False)
_gain = _sum(1, -eta * lam)  # 1 - eta lambda, the factor of one step
register(Chain(
    "gd.stability-threshold", 5,
    r"on the quadratic $C(w) = \frac12\lambda(w - w^\star)^2$ one step multiplies the error $e = w - w^\star$ by "
    r"$1 - \eta\lambda$, so $e_t = (1 - \eta\lambda)^t e_0$; its square falls at every step exactly when the last "
    r"line is negative, that is when $0 < \eta < 2/\lambda$, which is $|1 - \eta\lambda| < 1$. In $n$ dimensions "
    r"each eigenvector of the Hessian has its own factor $1 - \eta\lambda_i$, so every error shrinks exactly "
    r"when $\eta < 2/\lambda_{\max}$",
    [Step(_sum(e_next**2, -e_t**2)),
     Step(_sum(_sum(w_t, -_step, -w_star) ** 2, -e_t**2),
          "e = w − w⋆, and one gradient step wₜ₊₁ = wₜ − ηC′(wₜ)"),
     Step(_sum(_sum(w_t, -sp.Mul(eta, lam, _sum(w_t, -w_star), evaluate=False), -w_star) ** 2, -e_t**2),
          "C′(w) = λ(w − w⋆), the derivative of ½λ(w − w⋆)²"),
     Step(_sum(sp.Pow(sp.Mul(_gain, e_t, evaluate=False), 2, evaluate=False), -e_t**2),
          "collect wₜ − w⋆ = eₜ: one step multiplies the error by 1 − ηλ"),
     Step(sp.Mul(_sum(_gain**2, -1), e_t**2, evaluate=False), "factor out eₜ²"),
     Step(sp.Mul(eta, lam, _sum(eta * lam, -2), e_t**2, evaluate=False),
          "a² − 1 = (a − 1)(a + 1) with a = 1 − ηλ: (−ηλ)(2 − ηλ)"),
     Step(sp.Mul(eta, lam**2, _sum(eta, -2 / lam), e_t**2, evaluate=False),
          "take λ out of ηλ − 2: for positive η and λ the sign is the sign of η − 2/λ")],
    definitions={e_next: _sum(w_next, -w_star), w_next: _sum(w_t, -_step),
                 C: sp.Lambda(w, sp.Mul(lam / 2, _sum(w, -w_star) ** 2, evaluate=False)), e_t: _sum(w_t, -w_star)},
    domain={lam: (0.1, 10.0), eta: (0.0, 1.0)}, assumptions=r"$\eta > 0$ and $\lambda > 0$",
    prove=False))  # SymPy proves every step too, in 1 s in all, more than a chapter run can spare

lmin, lmax = sp.symbols(r"\lambda_{\min} \lambda_{\max}", positive=True)
eta_star, kappa = sp.Symbol(r"\eta^{*}", positive=True), sp.Symbol(r"\kappa", positive=True)
_rate = sp.Mul(_sum(kappa, -1), sp.Pow(_sum(kappa, 1), -1, evaluate=False), evaluate=False)
register(Derivation(
    "gd.optimal-rate", 5,
    r"with $\eta^* = 2/(\lambda_{\min} + \lambda_{\max})$ the flattest and the steepest direction shrink by the "
    r"same factor $(\kappa - 1)/(\kappa + 1)$ per step (the first without changing sign, the second flipping), "
    r"where $\kappa = \lambda_{\max}/\lambda_{\min}$ is the condition number",
    sp.Matrix([_sum(1, -eta_star * lmin), _sum(eta_star * lmax, -1)]), sp.Matrix([_rate, _rate]),
    definitions={eta_star: 2 / _sum(lmin, lmax), kappa: lmax / lmin},
    domain={lmin: (0.05, 1.0), lmax: (1.0, 20.0)}, assumptions=r"$0 < \lambda_{\min} \le \lambda_{\max}$"))

# --- minibatches: unbiased, and how noisy --------------------------------------------------------

_n, _B = 4, 2
gs = sp.symbols(f"g_1:{_n + 1}", **_R)
_subsets = list(combinations(gs, _B))  # the 6 minibatches of 2 of the 4 examples
_batch_means = [sp.Mul(sp.Rational(1, _B), _sum(*S), evaluate=False) for S in _subsets]
register(Derivation(
    "gd.minibatch-unbiased", 5,
    r"for $n = 4$ examples with gradients $g_i$ and minibatches of $B = 2$: the average over all "
    r"$\binom{4}{2} = 6$ minibatches of the minibatch gradient is the full gradient (each example lies in "
    r"3 of the 6)",
    sp.Mul(sp.Rational(1, len(_subsets)), _sum(*_batch_means), evaluate=False),
    sp.Mul(sp.Rational(1, _n), _sum(*gs), evaluate=False)))

_B_sym = sp.Symbol("B", integer=True, positive=True)
_i = sp.Symbol("i", integer=True, positive=True)
_xb, _yb = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
_wn, _bn = sp.Symbol("w", **_R), sp.Symbol("b", **_R)
register(Definition(
    "gd.minibatch-gradient", 5,
    r"the minibatch gradient is the mean of the $B$ examples' gradients; here for the weight $w$ of one "
    r"sigmoid neuron with cross-entropy, whose example $i$ contributes $(\sigma(w x_i + b) - y_i)\,x_i$ "
    r"(checked for $B = 5$)",
    sp.Symbol(r"\hat g_S"),  # UnevaluatedExpr below keeps 1/B in front of the sum, as the book writes it
    sp.Mul(sp.UnevaluatedExpr(1 / _B_sym), sp.Sum(sp.Mul(_sum(sigma(_sum(_wn * _xb[_i], _bn)), -_yb[_i]), _xb[_i],
                                             evaluate=False), (_i, 1, _B_sym)), evaluate=False),
    code=lambda x, y, w, b: losses.sigmoid_neuron_gradient(x, y, w, b)[0],
    code_name="mathcore.losses.sigmoid_neuron_gradient", sizes={_B_sym: 5}, definitions={sigma: SIGMA_Z_DEF},
    domain={_xb: (-3.0, 3.0), _yb: (0.0, 1.0)}))

gbar, var = sp.Symbol(r"\bar g", **_R), sp.Symbol(r"\sigma^2", nonnegative=True)
_n3 = 3
_g3 = gs[:_n3]
_pairs3 = [sp.Mul(sp.Rational(1, _B), _sum(*S), evaluate=False) for S in combinations(_g3, _B)]
register(Derivation(
    "gd.minibatch-variance", 5,
    r"for $n = 3$ examples and the $3$ minibatches of $B = 2$: the variance of the minibatch gradient is "
    r"$\frac{\sigma^2}{B}\cdot\frac{n - B}{n - 1}$, where $\sigma^2$ is the variance of a single example's gradient "
    r"and $\bar g$ the full gradient",
    sp.Mul(sp.Rational(1, len(_pairs3)), _sum(*[(m - gbar) ** 2 for m in _pairs3]), evaluate=False),
    sp.Mul(sp.Rational(1, _B), sp.Rational(_n3 - _B, _n3 - 1), var, evaluate=False),
    definitions={var: sp.Mul(sp.Rational(1, _n3), _sum(*[(g - gbar) ** 2 for g in _g3]), evaluate=False),
                 gbar: sp.Mul(sp.Rational(1, _n3), _sum(*_g3), evaluate=False)},
    prove=False))  # SymPy proves it too, in a few tenths of a second

# --- momentum on a quadratic ------------------------------------------------------------------

beta, mu = sp.Symbol(r"\beta", nonnegative=True), sp.Symbol(r"\mu")
#: One momentum step on C(w) = lambda w^2 / 2 maps (v, w) to M (v, w).
M = sp.Matrix([[beta, lam], [-eta * beta, 1 - eta * lam]])
_vt, _vnext = sp.MatrixSymbol(r"\mathbf{v}_{t}", _D, 1), sp.MatrixSymbol(r"\mathbf{v}_{t+1}", _D, 1)


def _momentum_step(w, v, g, eta, beta):
    w = w.copy()
    opt = optim.Momentum(eta, beta)
    opt.velocity = [v.copy()]
    opt.step([w], [g])
    return w


register(Definition(
    "gd.momentum", 5,
    r"momentum: a step along the velocity $\mathbf v$, a running sum of gradients that decays by the factor "
    r"$\beta$ per step (checked on vectors of 3 parameters)",
    _wnext, sp.MatAdd(_wt, _minus(eta, _vnext), evaluate=False),
    definitions={_vnext: sp.MatAdd(sp.MatMul(beta, _vt, evaluate=False), _grad, evaluate=False)},
    code=_momentum_step, code_name="mathcore.optim.Momentum.step",
    arguments={_wt: "w", _vt: "v", _grad: "g", eta: "eta", beta: "beta"},
    domain={eta: (0.001, 1.0), beta: (0.0, 0.99)}, assumptions=r"$0 \le \beta < 1$"))
_v, _w = sp.symbols("v_t w_t", **_R)


def _momentum_on_quadratic(v_t, w_t, eta, beta, lam):
    w = np.array([w_t])
    opt = optim.Momentum(eta, beta)
    opt.velocity = [np.array([v_t])]
    opt.step([w], [lam * w])  # the gradient of lam w^2 / 2
    return np.array([opt.velocity[0][0], w[0]])


register(Definition(
    "gd.momentum-matrix", 5,
    r"on $C(w) = \frac12\lambda w^2$ one momentum step is linear in the velocity and the position: it "
    r"multiplies them by the matrix $M$",
    sp.Matrix([sp.Symbol("v_{t+1}"), sp.Symbol("w_{t+1}")]),
    sp.MatMul(sp.ImmutableMatrix(M), sp.ImmutableMatrix([_v, _w]), evaluate=False),
    code=_momentum_on_quadratic, code_name="mathcore.optim.Momentum.step",
    arguments={_v: "v_t", _w: "w_t", eta: "eta", beta: "beta", lam: "lam"},
    domain={eta: (0.001, 1.0), beta: (0.0, 0.99), lam: (0.1, 10.0)}))
_a, _d = _sum(mu, -beta), _sum(mu, -1, eta * lam)  # the diagonal of mu I - M
register(Chain(
    "gd.momentum-characteristic", 5,
    r"the factors $\mu$ of the momentum iteration $\binom{v}{w} \mapsto M\binom{v}{w}$ on "
    r"$C(w) = \frac12\lambda w^2$ are the roots of $\mu^2 - (1 + \beta - \eta\lambda)\mu + \beta$; their product "
    r"is $\beta$",
    [Step(sp.Determinant(sp.ImmutableMatrix(mu * sp.eye(2) - M))),
     Step(_sum(sp.Mul(_a, _d, evaluate=False), sp.Mul(eta, lam, beta, evaluate=False)),
          "a 2 × 2 determinant is ad − bc, and here bc = −ληβ"),
     Step(_sum(mu**2, -sp.Mul(_sum(beta, 1, -eta * lam), mu, evaluate=False),
               sp.Mul(beta, _sum(1, -eta * lam), evaluate=False), sp.Mul(eta, lam, beta, evaluate=False)),
          "multiply out"),
     Step(_sum(mu**2, -sp.Mul(_sum(1, beta, -eta * lam), mu, evaluate=False), beta),
          "β(1 − ηλ) + ηλβ = β")],
    domain={beta: (0.0, 1.0), eta: (0.0, 1.0), lam: (0.1, 10.0), mu: (-2.0, 2.0)}))



def _exercise_hessian():
    from ..exercises.ch5_gradient_descent import HESSIAN  # the exercises import optim, which is loaded by now
    return HESSIAN


register(Definition(
    "gd.exercise-hessian", 5,
    "the Hessian of the exercise on the largest stable learning rate, the one its self-check uses",
    sp.Symbol("H"), sp.ImmutableMatrix([[3, 1], [1, 3]]),
    code=_exercise_hessian, code_name="mathcore.exercises.ch5_gradient_descent.HESSIAN"))

beta_star = sp.Symbol(r"\beta^{*}", nonnegative=True)
_sk = sp.sqrt(kappa)
_ratio = sp.Mul(_sum(_sk, -1), sp.Pow(_sum(_sk, 1), -1, evaluate=False), evaluate=False)
register(Derivation(
    "gd.heavy-ball-tuning", 5,
    r"with $\eta^* = 4/(\sqrt{\lambda_{\min}} + \sqrt{\lambda_{\max}})^2$ and $\beta^* = \bigl((\sqrt\kappa - 1)/"
    r"(\sqrt\kappa + 1)\bigr)^2$ the discriminant of that quadratic vanishes at both ends of the spectrum, so "
    r"both factors there have modulus $\sqrt{\beta^*} = (\sqrt\kappa - 1)/(\sqrt\kappa + 1)$",
    sp.Matrix([_sum(_sum(1, beta_star, -eta_star * lmin) ** 2, -4 * beta_star),
               _sum(_sum(1, beta_star, -eta_star * lmax) ** 2, -4 * beta_star)]),
    sp.Matrix([0, 0]),
    definitions={eta_star: 4 / _sum(sp.sqrt(lmin), sp.sqrt(lmax)) ** 2, beta_star: sp.Pow(_ratio, 2, evaluate=False),
                 kappa: lmax / lmin},
    domain={lmin: (0.05, 1.0), lmax: (1.0, 20.0)}, assumptions=r"$0 < \lambda_{\min} \le \lambda_{\max}$",
    prove=False))  # proof: 0.8 s

# --- one sigmoid neuron -------------------------------------------------------------------------

x, y, b, wn = sp.Symbol("x", **_R), sp.Symbol("y", **_R), sp.Symbol("b", **_R), sp.Symbol("w", **_R)
_z = _sum(wn * x, b)
_bce = losses.LOSSES["binary_cross_entropy"].symbolic(sigma(_z), y)
register(Derivation(
    "gd.neuron-gradient", 5,
    r"for one example, the cross-entropy of the neuron $\sigma(wx + b)$ changes with $w$ at the rate "
    r"$(\sigma(wx + b) - y)\,x$ (and with $b$ at the rate $\sigma(wx + b) - y$)",
    sp.Matrix([sp.Derivative(_bce, wn), sp.Derivative(_bce, b)]),
    sp.Matrix([sp.Mul(_sum(sigma(_z), -y), x, evaluate=False), _sum(sigma(_z), -y)]),
    definitions={sigma: SIGMA_Z_DEF}, domain={wn: (-3.0, 3.0), b: (-3.0, 3.0), x: (-3.0, 3.0), y: (0.0, 1.0)},
    prove=False))  # proof: 0.9 s

# --- RMSProp and Adam ---------------------------------------------------------------------------
# One coordinate at a time: both rules act on each coordinate separately (elementwise squares, roots and
# quotients), so a scalar entry states them exactly, and is checked against the optimizers on 1-vectors.

_wt1, _wn1 = sp.Symbol("w_t", **_R), sp.Symbol("w_{t+1}", **_R)
_gt, _st, _snext = sp.Symbol("g_t", **_R), sp.Symbol("s_t", nonnegative=True), sp.Symbol("s_{t+1}", nonnegative=True)
rho, eps = sp.Symbol(r"\rho", nonnegative=True), sp.Symbol(r"\epsilon", positive=True)


def _rmsprop_step(w, s, g, eta, rho, eps):
    w = np.array([w])
    opt = optim.RMSProp(eta, decay=rho, eps=eps)
    opt.square_avg = [np.array([s])]
    opt.step([w], [np.array([g])])
    return w[0]


register(Definition(
    "gd.rmsprop", 5,
    r"RMSProp, in each coordinate: the step is the gradient divided by the root of $s$, a running mean of "
    r"the squared gradient that forgets by the factor $\rho$ per step",
    _wn1, _sum(_wt1, -sp.Mul(eta, _gt, sp.Pow(_sum(sp.sqrt(_snext), eps), -1), evaluate=False)),
    definitions={_snext: _sum(sp.Mul(rho, _st, evaluate=False), sp.Mul(_sum(1, -rho), _gt**2, evaluate=False))},
    code=_rmsprop_step, code_name="mathcore.optim.RMSProp.step",
    arguments={_wt1: "w", _st: "s", _gt: "g", eta: "eta", rho: "rho", eps: "eps"},
    domain={eta: (0.001, 1.0), rho: (0.0, 0.999), eps: (1e-8, 1e-3), _st: (0.0, 4.0)},
    assumptions=r"$0 \le \rho < 1$, $\epsilon > 0$, $s_0 = 0$"))

beta1, beta2 = sp.Symbol(r"\beta_1", nonnegative=True), sp.Symbol(r"\beta_2", nonnegative=True)
_tn = sp.Symbol("t", integer=True, positive=True)
_w_prev, _w_now = sp.Symbol("w_{t-1}", **_R), sp.Symbol("w_t", **_R)
_m_prev, _m_now, _m_hat = sp.Symbol("m_{t-1}", **_R), sp.Symbol("m_t", **_R), sp.Symbol(r"\hat m_t", **_R)
_v_prev, _v_now, _v_hat = (sp.Symbol("v_{t-1}", nonnegative=True), sp.Symbol("v_t", nonnegative=True),
                           sp.Symbol(r"\hat v_t", nonnegative=True))


def _adam_step(w, m, v, g, t, eta, beta1, beta2, eps):
    w = np.array([w])
    opt = optim.Adam(eta, beta1=beta1, beta2=beta2, eps=eps)
    opt.m, opt.v, opt.t = [np.array([m])], [np.array([v])], int(round(t)) - 1  # the state after step t - 1
    opt.step([w], [np.array([g])])
    return w[0]


def _corrected(x, b):
    return sp.Mul(x, sp.Pow(_sum(1, -b**_tn), -1), evaluate=False)


register(Definition(
    "gd.adam", 5,
    r"Adam, in each coordinate at step $t = 1, 2, \ldots$: a running mean $m$ of the gradient (momentum) "
    r"divided by the root of a running mean $v$ of its square (RMSProp), both corrected for starting at 0",
    _w_now, _sum(_w_prev, -sp.Mul(eta, _m_hat, sp.Pow(_sum(sp.sqrt(_v_hat), eps), -1), evaluate=False)),
    definitions={_m_hat: _corrected(_m_now, beta1), _v_hat: _corrected(_v_now, beta2),
                 _m_now: _sum(sp.Mul(beta1, _m_prev, evaluate=False), sp.Mul(_sum(1, -beta1), _gt, evaluate=False)),
                 _v_now: _sum(sp.Mul(beta2, _v_prev, evaluate=False), sp.Mul(_sum(1, -beta2), _gt**2, evaluate=False))},
    code=_adam_step, code_name="mathcore.optim.Adam.step",
    arguments={_w_prev: "w", _m_prev: "m", _v_prev: "v", _gt: "g", _tn: "t", eta: "eta", beta1: "beta1",
               beta2: "beta2", eps: "eps"},
    domain={eta: (0.001, 1.0), beta1: (0.0, 0.99), beta2: (0.9, 0.9999), eps: (1e-8, 1e-3), _v_prev: (0.0, 4.0),
            _tn: range(1, 60)},
    assumptions=r"$0 \le \beta_1, \beta_2 < 1$, $\epsilon > 0$, $m_0 = v_0 = 0$"))


_RANDOM = "g"  # the gradients g_1, g_2, ... and g are the random quantities of the entries below


class _Expect(sp.Function):
    """The expectation E[X], typeset with square brackets.

    SymPy cannot take the expectation of an unspecified random gradient, so when an entry is checked
    (``doit``), it is taken in a model: every gradient g_1, ..., g_t and g is c + d or c - d with probability
    1/2, independently. That is a stationary gradient (each has mean c and second moment c^2 + d^2 whatever
    its step), checked at random c and d: a step that used anything beyond linearity and stationarity
    (independence, say, or a particular distribution) would fail at some point.
    """

    nargs = 1

    @classmethod
    def eval(cls, x):
        # A sum over k written out puts E[g_1], E[g_2], ... in its terms: the g_k of a check, taken at once
        if any(_is_checked_gradient(s) and s.name != _RANDOM for s in x.free_symbols) and not x.atoms(_Grad, sp.Sum):
            return _model_expectation(x)
        return None

    def doit(self, **hints):
        x = self.args[0].doit(**hints) if hints.get("deep", True) else self.args[0]
        if x.atoms(_Grad, sp.Sum):  # g_k of a symbolic k: wait until the sum over k is written out
            return self.func(x)
        return _model_expectation(x)

    def _latex(self, printer, exp=None):
        out = rf"\mathbb{{E}}\left[{printer._print(self.args[0])}\right]"
        return out if exp is None else rf"\left({out}\right)^{{{exp}}}"


def _is_checked_gradient(s) -> bool:
    return s.name == _RANDOM or (s.name.startswith(_RANDOM + "_") and s.name[2:].isdigit())


def _model_expectation(x):
    """E[x] in the model of :class:`_Expect`: the mean over every choice of signs of the gradients in ``x``."""
    randoms = sorted((s for s in x.free_symbols if _is_checked_gradient(s)), key=lambda s: s.name)
    total = sp.Integer(0)
    for signs in np.ndindex(*(2,) * len(randoms)):
        total += x.xreplace({r: _mean_g + (1 - 2 * s) * _spread_g for r, s in zip(randoms, signs)})
    return sp.expand(total / 2 ** len(randoms))  # a polynomial in c and d: far shorter to lambdify


class _Grad(sp.Function):
    """The gradient g_k at step k, typeset g_k; at a whole number k it is the plain symbol g_k a check samples."""

    nargs = 1

    @classmethod
    def eval(cls, k):
        if k.is_Integer:
            return sp.Symbol(f"{_RANDOM}_{k}", real=True)
        return None

    def _latex(self, printer, exp=None):
        out = f"{_RANDOM}_{{{printer._print(self.args[0])}}}"
        return out if exp is None else f"{out}^{{{exp}}}"


_g_any = sp.Symbol(_RANDOM, real=True)  # the gradient at any one step, whose mean every g_k shares
_mean_g, _spread_g = sp.Symbol("c", real=True), sp.Symbol("d", real=True)
_k, _j = sp.Symbol("k", integer=True, positive=True), sp.Symbol("j", integer=True, nonnegative=True)
#: The number of steps t at which a plain Chain checks the entries below (in a test that plants a mistake);
#: _Stationary checks each of its sizes.
_T_CHECKED = 4


class _Stationary(Chain):
    """A chain about the running means over the first ``t`` steps, checked for each ``t`` in ``sizes``.

    ``t`` counts steps, a whole number, which :class:`Derivation` cannot sample: its definition (``t`` ->
    a size) is set to each size in turn, the sums expanded, and every step evaluated at the same 200
    seeded points at once, so a wrong step fails by its number, its rule and the point, as in any chain.
    The definition of ``t`` is not shown in the where-line: the title says which sizes were checked.
    """

    def __init__(self, *args, sizes, **kwargs):
        super().__init__(*args, **kwargs)
        self.sizes = tuple(sizes)

    @property
    def where(self) -> list[str]:
        return [w for w in super().where if not w.startswith(f"{sp.latex(_tn)} = ")]

    def verify(self) -> bool:
        self.status = "not verified yet"
        for size in self.sizes:
            exprs = []
            for step in self.steps:  # the definitions substituted, then doit, as Derivation.expanded does
                e = step.expr
                for name, definition in {**self.definitions, _tn: size}.items():
                    e = e.subs(name, definition)
                exprs.append(e.doit())
            symbols = sorted(set().union(*(e.free_symbols for e in exprs)), key=lambda s: s.name)
            rng = np.random.default_rng(_seed(f"{self.label}@t={size}"))
            points = {s: np.array([_draw(rng, self.domain.get(s, (-4.0, 4.0))) for _ in range(N_POINTS)])
                      for s in symbols}
            evaluate = sp.lambdify(symbols, exprs, modules=["numpy"])
            with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                values = [np.broadcast_to(np.asarray(v, dtype=np.float64), (N_POINTS,))
                          for v in evaluate(*[points[s] for s in symbols])]
            for k in range(1, len(exprs)):
                bad = ~np.isclose(values[k - 1], values[k], rtol=RTOL, atol=RTOL)
                if bad.any():
                    i = int(np.argmax(bad))
                    shown = ", ".join(f"{s} = {points[s][i]:.6g}" for s in symbols)
                    raise AssertionError(f"{self.label}: step {k} ({self.steps[k].reason}) does not follow from "
                                         f"step {k - 1}: the sides differ at t = {size}, {shown}: "
                                         f"{values[k - 1][i]} and {values[k][i]}")
        self.status = f"checked numerically step by step, all {len(self.steps) - 1} steps, at {N_POINTS} points"
        return True


def _ema_sum(b, g, upper, power_shift=0):
    """(1 - b) sum_{k=1}^{upper} b^(upper - k + power_shift) g_k, the unrolled running mean, as typeset."""
    power = _sum(_tn, -_k) if upper == _tn or power_shift else _sum(_tn, -1, -_k)
    return sp.Mul(_sum(1, -b), sp.Sum(sp.Mul(sp.Pow(b, power, evaluate=False), g, evaluate=False),
                                      (_k, 1, upper)), evaluate=False)


_T_MINUS_1 = _sum(_tn, -1)  # t - 1, written in that order


_EMA_DOMAIN = {beta1: (0.05, 0.95), beta2: (0.05, 0.95), _mean_g: (-3.0, 3.0), _spread_g: (0.0, 3.0)}
_SIZES = (1, 2, 4)

register(_Stationary(
    "gd.ema-unrolled", 5,
    r"the running mean $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$ from $m_0 = 0$, unrolled: a weighted sum of "
    r"all the gradients so far, the weights $(1 - \beta_1)\beta_1^{t-k}$ falling geometrically with age. By "
    r"induction on $t$: if the formula holds for $t - 1$ it holds for $t$ (at $t = 1$ the sum for $t - 1$ "
    r"is empty, $m_0 = 0$). Checked at $t = 1, 2, 4$, where the sums can be written out",
    [Step(_sum(sp.Mul(beta1, _m_prev, evaluate=False), sp.Mul(_sum(1, -beta1), _Grad(_tn), evaluate=False))),
     Step(_sum(sp.Mul(beta1, _ema_sum(beta1, _Grad(_k), _T_MINUS_1), evaluate=False),
               sp.Mul(_sum(1, -beta1), _Grad(_tn), evaluate=False)),
          "the formula for mₜ₋₁, the induction hypothesis"),
     Step(_sum(_ema_sum(beta1, _Grad(_k), _T_MINUS_1, power_shift=1),
               sp.Mul(_sum(1, -beta1), sp.Pow(beta1, 0, evaluate=False), _Grad(_tn), evaluate=False)),
          "move β₁ into the sum, β₁ · β₁ᵗ⁻¹⁻ᵏ = β₁ᵗ⁻ᵏ, and write 1 = β₁⁰"),
     Step(_ema_sum(beta1, _Grad(_k), _tn), "the last term is the term k = t of the sum")],
    definitions={_m_prev: _ema_sum(beta1, _Grad(_k), _T_MINUS_1), _tn: _T_CHECKED}, domain=_EMA_DOMAIN, sizes=_SIZES,
    prove=False))


def _bias_chain(label, b, mean, hat, g_k, g, what, names, stationary):
    def before(*factors):  # 1/(1 - b^t) times the factors, the fraction kept in front as written
        return sp.Mul(sp.Pow(_sum(1, -b**_tn), -1, evaluate=False), *factors, evaluate=False)
    g_mean = _Expect(g)
    return _Stationary(
        label, 5,
        rf"if the {what} has the same expectation at every step (a stationary gradient), the corrected running "
        rf"mean ${sp.latex(hat)}$ is unbiased at every step $t$: dividing by $1 - {sp.latex(b)}^t$ undoes the pull "
        rf"towards the starting value 0. Checked at $t = 1, 2, 4$, with each gradient $c \pm d$ with probability "
        rf"one half, independently, for random $c$ and $d$ (a stationary gradient SymPy can take expectations of)",
        [Step(_Expect(hat)),
         Step(before(_Expect(mean)), "{} = {} / (1 − {}ᵗ), and a constant factor comes out of an "
                                     "expectation".format(*names)),
         Step(before(_Expect(_ema_sum(b, g_k, _tn))), "unroll the running mean (the identity above)"),
         Step(before(_ema_sum(b, _Expect(g_k), _tn)), "linearity of expectation"),
         Step(before(_ema_sum(b, g_mean, _tn)), stationary),
         Step(before(_sum(1, -b), g_mean, sp.Sum(sp.Pow(b, _j), (_j, 0, _T_MINUS_1))),
              "take the expectation out of the sum and count j = t − k from 0 to t − 1"),
         Step(before(_sum(1, -b), g_mean, sp.Mul(_sum(1, -b**_tn), sp.Pow(_sum(1, -b), -1), evaluate=False)),
              "the geometric sum 1 + r + … + rᵗ⁻¹ = (1 − rᵗ)/(1 − r)"),
         Step(g_mean, "cancel")],
        definitions={hat: sp.Mul(mean, sp.Pow(_sum(1, -b**_tn), -1), evaluate=False), mean: _ema_sum(b, g_k, _tn),
                     _tn: _T_CHECKED},
        domain=_EMA_DOMAIN, sizes=_SIZES, assumptions=rf"$0 < {sp.latex(b)} < 1$ and $t \ge 1$",
        prove=False)  # _Stationary checks numerically; see the module docstring


register(_bias_chain("gd.adam-bias-m", beta1, _m_now, _m_hat, _Grad(_k), _g_any, "gradient $g_k$",
                     ("m̂ₜ", "mₜ", "β₁"), "stationary: every gₖ has the expectation of g"))
register(_bias_chain("gd.adam-bias-v", beta2, _v_now, _v_hat, _Grad(_k) ** 2, _g_any**2, "squared gradient $g_k^2$",
                     ("v̂ₜ", "vₜ", "β₂"), "stationary: every gₖ² has the expectation of g²"))
