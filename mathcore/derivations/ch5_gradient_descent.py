"""Chapter 5, Gradient descent: directional derivatives, the iteration on a quadratic, minibatches, momentum.

Every entry here is a polynomial or rational identity (or, for the neuron, the
chain rule through a sigmoid), and every one is checked at 200 seeded points.
SymPy proves all of them too; entries with ``prove=False`` are those whose
proof takes 0.5 to 1.5 s (measured), which a chapter that must run in a few
seconds cannot afford. Set ``prove=True`` to have SymPy prove them as well.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import sympy as sp

from ._core import SIGMA_DEF, SIGMA_Z_DEF, Chain, Derivation, Step, register, sigma, unevaluated_sum as _sum
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
