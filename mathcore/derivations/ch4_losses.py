"""Chapter 4, Cost functions: every loss's gradient, where the losses come from, and how to compute them.

Entries with ``prove=False`` are checked numerically at 200 seeded points
(relative error 1e-9), which is what verifies them when the chapter runs.
SymPy can prove most of them too (0.2 to 0.5 s each, measured; the Bernoulli
likelihood and the two-class softmax take seconds or fail), but a chapter that
shows twenty equations in a fresh kernel cannot afford those seconds. Set
``prove=True`` on an entry to have SymPy prove it as well.
"""

from __future__ import annotations

import sympy as sp

from ._core import SIGMA_DEF, Chain, Derivation, Step, register, sigma, unevaluated_sum as _sum
from ._definition import Definition
from .. import losses


# --- the three costs as the chapter defines them, and where they come from ----------------------------------

def _named(tex: str):
    """A function typeset as ``tex(a, b)``: plain parentheses, where SymPy writes ``tex{\\left(a,b \\right)}``."""
    def _latex(self, printer):
        return f"{tex}(" + ", ".join(printer._print(a) for a in self.args) + ")"
    return type(tex.replace("\\operatorname", "").strip("{}"), (sp.Function,), {"_latex": _latex})


def _log_latex(self, printer):
    (arg,) = self.args
    inner = printer._print(arg)
    return rf"\log\left({inner}\right)" if isinstance(arg, (sp.Add, sp.Mul)) else rf"\log {inner}"


#: log typeset as the book writes it, log p_j and log(1 - p_j); named "log" so that lambdify takes it for numpy.log
_log = type("log", (sp.log,), {"_latex": _log_latex})


class _Cond(sp.Function):
    """P(y | x), the probability the model gives to a target: an opaque positive number in a check."""

    def _latex(self, printer):
        target, given = self.args
        return rf"P({printer._print(target)} \mid {printer._print(given)})"


class _Sized(Derivation):
    r"""An identity stated for any size (a sum to $n$, a class label $c_i$), checked at given sizes.

    :class:`Derivation` samples every free symbol as a real number, but a bound or a class label must
    be an integer, so each assignment of ``sizes`` (symbol or ``Indexed`` -> int) is substituted and the
    identity checked at seeded points for each. After that, every ``Indexed`` entry and every
    :class:`_Cond` left is a plain symbol sampled from the domain given for its base (an ``IndexedBase``)
    or from ``probabilities`` (a ``_Cond``). ``entries`` rewrites entries first (base -> function of the
    indices): a one-hot target ``y_ik`` as ``KroneckerDelta(k, c_i)``. (``Definition`` has ``sizes``, and
    a ``Derivation``'s definitions may fix a size, but only one, shown in its where-line.)
    """

    def __init__(self, label, chapter, title, lhs, rhs, *, sizes, entries=None, probabilities=(0.01, 1.0),
                 **kwargs):
        super().__init__(label, chapter, title, lhs, rhs, prove=False, **kwargs)  # a proof at n = 3 proves n = 3
        self.sizes = list(sizes)
        self.entries = dict(entries or {})
        self.probabilities = tuple(probabilities)
        self._at = self.sizes[0]

    def expanded(self):
        def expand(e):
            e = e.subs({s: v for s, v in self._at.items() if not isinstance(s, sp.Indexed)}).doit()
            for base, rule in self.entries.items():
                e = e.replace(lambda a, base=base: isinstance(a, sp.Indexed) and a.base == base,
                              lambda a, rule=rule: rule(*a.indices))
            e = e.xreplace({s: v for s, v in self._at.items() if isinstance(s, sp.Indexed)})
            opaque = {a: (a.base, sp.Symbol(str(a), positive=True)) for a in e.atoms(sp.Indexed)}
            opaque |= {a: (_Cond, sp.Symbol(f"P({a.args[0]} | {a.args[1]})", positive=True))
                       for a in e.atoms(_Cond)}
            for base, symbol in opaque.values():
                low_high = self.probabilities if base is _Cond else self.domain.get(base, (-4.0, 4.0))
                self.domain.setdefault(symbol, low_high)
            return e.xreplace({a: symbol for a, (_, symbol) in opaque.items()})
        return expand(self.lhs), expand(self.rhs)

    def verify(self) -> bool:
        for at in self.sizes:
            self._at = at
            super().verify()
        # Derivation.verify's status counts the points of one size; say that each size had its own
        shown = "; ".join(", ".join(f"{s} = {v}" for s, v in at.items() if not isinstance(s, sp.Indexed))
                          or f"size {k + 1}" for k, at in enumerate(self.sizes))
        self.status = f"{self.status} for each of {len(self.sizes)} sizes ({shown})"
        return True


_j, _i, _k = sp.symbols("j i k", integer=True, positive=True)
_Nel, _nex, _K = sp.symbols("N n K", integer=True, positive=True)  # elements, examples, classes
_pB, _yB = sp.IndexedBase("p", real=True), sp.IndexedBase("y", real=True)
_cB = sp.IndexedBase("c", integer=True)


def _mean(size, body, sign=1):
    """(sign/size) times body, typeset as the book writes a mean: \\frac1N \\sum ..."""
    return sp.Mul(*([-1] if sign < 0 else []), sp.UnevaluatedExpr(1 / size), body, evaluate=False)


register(Definition(
    "loss.mse", 4, r"the mean squared error of $N$ predictions: the mean of the squared differences",
    _named(r"\operatorname{MSE}")(_pB, _yB), _mean(_Nel, sp.Sum(_sum(_pB[_j], -_yB[_j]) ** 2, (_j, 1, _Nel))),
    code=lambda p, y: losses.LOSSES["mse"](p, y), code_name="mathcore.losses.LOSSES['mse']", sizes={_Nel: 5}))
register(Definition(
    "loss.binary_cross_entropy", 4,
    "the binary cross-entropy of $N$ predicted probabilities of the answer “yes”",
    _named(r"\operatorname{BCE}")(_pB, _yB),
    _mean(_Nel, sp.Sum(_sum(_yB[_j] * _log(_pB[_j]), sp.Mul(_sum(1, -_yB[_j]), _log(_sum(1, -_pB[_j])),
                                                                   evaluate=False)), (_j, 1, _Nel)), sign=-1),
    code=lambda p, y: losses.LOSSES["binary_cross_entropy"](p, y),
    code_name="mathcore.losses.LOSSES['binary_cross_entropy']", sizes={_Nel: 5},
    domain={_pB: (0.001, 0.999), _yB: (0.0, 1.0)}))
# a sum inside a sum: SymPy would merge them into one sum over both indices, typeset with \substack
_ce_terms = sp.UnevaluatedExpr(sp.Sum(_yB[_i, _k] * _log(_pB[_i, _k]), (_k, 1, _K)))
register(Definition(
    "loss.cross_entropy", 4,
    r"the categorical cross-entropy of $n$ rows of $K$ predicted probabilities: summed over the classes, "
    r"averaged over the examples",
    _named(r"\operatorname{CE}")(_pB, _yB), _mean(_nex, sp.Sum(_ce_terms, (_i, 1, _nex)), sign=-1),
    code=lambda p, y: losses.LOSSES["cross_entropy"](p, y), code_name="mathcore.losses.LOSSES['cross_entropy']",
    sizes={_nex: 3, _K: 4}, domain={_pB: (0.001, 1.0), _yB: (0.0, 1.0)}))
register(_Sized(
    "loss.cross_entropy.one-hot", 4,
    r"with one-hot targets only the probability given to the true class $c_i$ of each example counts "
    r"(checked for 3 examples of 4 classes and for 2 examples of 3 classes, with their true classes given)",
    _mean(_nex, sp.Sum(_ce_terms, (_i, 1, _nex)), sign=-1), _mean(_nex, sp.Sum(_log(_pB[_i, _cB[_i]]), (_i, 1, _nex)),
                                                                  sign=-1),
    sizes=[{_nex: 3, _K: 4, _cB[1]: 2, _cB[2]: 4, _cB[3]: 1}, {_nex: 2, _K: 3, _cB[1]: 3, _cB[2]: 3}],
    entries={_yB: lambda i, k: sp.KroneckerDelta(k, _cB[i])}, domain={_pB: (0.001, 1.0)},
    assumptions=r"one-hot targets, $y_{ik} = 1$ if $k = c_i$ and $y_{ik} = 0$ otherwise"))
_xB = sp.IndexedBase("x", real=True)
register(_Sized(
    "loss.nll.sum", 4,
    r"the negative log of the likelihood of $n$ independent examples is a sum of one cost per example "
    r"(checked for $n = 1, 3, 6$)",
    -_log(sp.Product(_Cond(_yB[_i], _xB[_i]), (_i, 1, _nex))), sp.Sum(-_log(_Cond(_yB[_i], _xB[_i])), (_i, 1, _nex)),
    sizes=[{_nex: 1}, {_nex: 3}, {_nex: 6}],
    assumptions="every probability $P(y_i \\mid x_i) > 0$"))


p, y, z = losses.P, losses.Y, losses.Z
register(Derivation(
    "loss.mse.gradient", 4, "the derivative of the squared error with respect to the prediction $p$",
    sp.Derivative(losses.LOSSES["mse"].symbolic(p, y), p), sp.Mul(2, _sum(p, -y), evaluate=False)))
_pn = sp.symbols("p_1:4", real=True)
_yn = sp.symbols("y_1:4", real=True)
_N = len(_pn)
_MSE = sp.Function(r"\operatorname{MSE}")
_mse_terms = [_sum(pk, -yk) ** 2 for pk, yk in zip(_pn, _yn)]
register(Chain(
    "loss.mse.mean-gradient", 4,
    r"the mean squared error of $N$ predictions (here $N = 3$) changes with one prediction at $\frac2N$ times "
    r"its error: the $\frac1N$ of the mean stays in the gradient",
    [Step(sp.Derivative(_MSE(*_pn), _pn[0])),
     Step(sp.Derivative(sp.Mul(sp.Rational(1, _N), _sum(*_mse_terms), evaluate=False), _pn[0]),
          "the mean over the N = 3 predictions"),
     Step(sp.Mul(sp.Rational(1, _N), sp.Derivative(_mse_terms[0], _pn[0]), evaluate=False),
          "only the first term depends on p₁"),
     Step(sp.Mul(sp.Rational(1, _N), 2, _sum(_pn[0], -_yn[0]), evaluate=False),
          "chain rule on a square: 2(p₁ − y₁) times ∂(p₁ − y₁)/∂p₁ = 1"),
     Step(sp.Mul(sp.Rational(2, _N), _sum(_pn[0], -_yn[0]), evaluate=False), "(1/N)·2 = 2/N")],
    definitions={_MSE: sp.Lambda(_pn, sp.Mul(sp.Rational(1, _N), _sum(*_mse_terms), evaluate=False))}))
register(Derivation(
    "loss.binary_cross_entropy.gradient", 4, "the derivative of binary cross-entropy with respect to the predicted probability $p$",
    sp.Derivative(losses.LOSSES["binary_cross_entropy"].symbolic(p, y), p), (p - y) / (p * (1 - p)),
    domain={p: (0.001, 0.999), y: (0.0, 1.0)}, assumptions="$0 < p < 1$",
    prove=False))  # SymPy's proof takes 0.3 s
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
    sp.Derivative(losses.LOSSES["binary_cross_entropy"].symbolic(sigma(z), y), z), _sum(sigma(z), -y),
    definitions={sigma: SIGMA_DEF}, domain={z: (-10.0, 10.0), y: (0.0, 1.0)}))
_zs = sp.symbols("z_1:4", real=True)
_C = sp.Function("C")
_LSE = sp.Function(r"\operatorname{LSE}")  # log-sum-exp
_LSE_DEF = sp.Lambda(_zs, sp.log(_sum(*[sp.exp(zk) for zk in _zs])))
#: the softmax probabilities p_k = e^{z_k} / sum_j e^{z_j}, symbols defined in the "where" line
_softmax_defs = {pk: sp.exp(zk) / _sum(*[sp.exp(zj) for zj in _zs]) for pk, zk in zip(_ps, _zs)}
_S = _sum(*[sp.exp(zj) for zj in _zs])  # the softmax's denominator
register(Chain(
    "loss.softmax_cross_entropy.gradient", 4,
    r"softmax and cross-entropy together: the derivative with respect to a logit is $p_k - y_k$; "
    r"here $C = -\sum_k y_k \log p_k$ is written on the logits, as in `loss.softmax-ce.logits`",
    [Step(sp.Derivative(_C(*_zs), _zs[0])),
     Step(sp.Derivative(_sum(*[-yk * zk for yk, zk in zip(_ys, _zs)], _LSE(*_zs)), _zs[0]),
          "C on the logits: −Σ yₖ zₖ + log Σⱼ exp(zⱼ)"),
     Step(_sum(-_ys[0], sp.Derivative(_LSE(*_zs), _zs[0])), "only the term y₁z₁ of the sum depends on z₁"),
     Step(_sum(-_ys[0], sp.Mul(sp.Pow(_S, -1, evaluate=False), sp.Derivative(_S, _zs[0]), evaluate=False)),
          "chain rule: the derivative of log u is u′/u"),
     Step(_sum(-_ys[0], sp.Mul(sp.exp(_zs[0]), sp.Pow(_S, -1, evaluate=False), evaluate=False)),
          "only exp(z₁) depends on z₁"),
     Step(_sum(_ps[0], -_ys[0]), "that fraction is the softmax probability p₁")],
    definitions={_C: sp.Lambda(_zs, _sum(*[-yk * zk for yk, zk in zip(_ys, _zs)], _LSE(*_zs))), _LSE: _LSE_DEF,
                 _ps[0]: _softmax_defs[_ps[0]], _ys[2]: 1 - _ys[0] - _ys[1]},
    domain={_ys[0]: (0.0, 0.5), _ys[1]: (0.0, 0.5)},
    assumptions="targets on the simplex, $y_1 + y_2 + y_3 = 1$"))


# --- where the losses come from: maximum likelihood -----------------------------------------

_mu, _s = sp.Symbol(r"\mu", real=True), sp.Symbol("s", positive=True)
_sqrt_2pi = sp.Pow(sp.Mul(2, sp.pi, evaluate=False), sp.Rational(1, 2), evaluate=False)  # typeset as sqrt(2 pi)
_N = sp.Function(r"\mathcal{N}")
_N_DEF = sp.Lambda((y, _mu, _s), sp.Mul(sp.Pow(sp.Mul(_sqrt_2pi, _s, evaluate=False), -1, evaluate=False),
                                        sp.exp(-(y - _mu) ** 2 / (2 * _s**2)), evaluate=False))
register(Derivation(
    "loss.gaussian-nll", 4,
    r"the negative log-likelihood of a target $y$ under a Gaussian with mean $\mu$ (the prediction) and "
    r"standard deviation $s$ is a scaled squared error plus a term that does not depend on $\mu$",
    -sp.log(_N(y, _mu, _s)),
    _sum((y - _mu) ** 2 / (2 * _s**2), sp.log(sp.Mul(_sqrt_2pi, _s, evaluate=False))),
    definitions={_N: _N_DEF}, domain={_s: (0.2, 3.0)}, assumptions="every $s > 0$", prove=False))

_n = 3
_mus = sp.symbols(rf"\mu_1:{_n + 1}", real=True)
_yn = sp.symbols(f"y_1:{_n + 1}", real=True)
_MSE = sp.Symbol(r"\operatorname{MSE}", nonnegative=True)
register(Derivation(
    "loss.gaussian-nll-mse", 4,
    r"for $n = 3$ independent examples (the algebra is the same for any $n$) the negative log-likelihood is "
    r"$n/(2s^2)$ times the mean squared error, plus a term free of the predictions",
    -sp.log(sp.Mul(*[_N(yi, mi, _s) for yi, mi in zip(_yn, _mus)], evaluate=False)),
    _sum(sp.Mul(sp.Rational(_n, 2) / _s**2, _MSE, evaluate=False),
         sp.Mul(_n, sp.log(sp.Mul(_sqrt_2pi, _s, evaluate=False)), evaluate=False)),
    definitions={_N: _N_DEF, _MSE: sp.Mul(sp.Rational(1, _n), _sum(*[(mi - yi) ** 2 for mi, yi in zip(_mus, _yn)]),
                                          evaluate=False)},
    # |mu - y| <= 4 and s >= 0.5: each density >= e^-32, so the product cannot underflow to 0
    domain={_s: (0.5, 3.0), **{v: (-2.0, 2.0) for v in (*_mus, *_yn)}}, assumptions="every $s > 0$",
    prove=False))

_Bern = sp.Function(r"\operatorname{Bern}")
register(Derivation(
    "loss.bernoulli-nll", 4,
    r"the negative log-likelihood of a label $y$ under a Bernoulli distribution with $P(y = 1) = p$ is the "
    r"binary cross-entropy",
    -sp.log(_Bern(y, p)), losses.LOSSES["binary_cross_entropy"].symbolic(p, y),
    definitions={_Bern: sp.Lambda((y, p), sp.Mul(p**y, (1 - p) ** (1 - y), evaluate=False))},
    domain={p: (0.001, 0.999), y: (0.0, 1.0)},
    assumptions=r"$0 < p < 1$; for $y \in \{0, 1\}$, $p^y(1-p)^{1-y}$ is $p$ when $y = 1$ and $1 - p$ when $y = 0$",
    prove=False))  # SymPy needs 2 s and still cannot combine the logs of powers

_Cat = sp.Function(r"\operatorname{Cat}")
_pc = sp.symbols("p_1:4", positive=True)
register(Derivation(
    "loss.categorical-nll", 4,
    r"the negative log-likelihood of a one-hot label $\mathbf{y}$ under a categorical distribution with "
    r"probabilities $\mathbf{p}$ is the categorical cross-entropy",
    -sp.log(_Cat(*_ys)), _sum(*[losses.LOSSES["cross_entropy"].symbolic(pk, yk) for pk, yk in zip(_pc, _ys)]),
    definitions={_Cat: sp.Lambda(_ys, sp.Mul(*[pk**yk for pk, yk in zip(_pc, _ys)], evaluate=False))},
    domain={**{pk: (0.001, 1.0) for pk in _pc}, **{yk: (0.0, 1.0) for yk in _ys}},
    assumptions=r"every $p_k > 0$; for a one-hot $\mathbf{y}$ the product is the probability of the true class",
    prove=False))

_Lap = sp.Function(r"\operatorname{Laplace}")
register(Derivation(
    "loss.laplace-nll", 4,
    r"the negative log-likelihood under a Laplace distribution with centre $\mu$ and scale $s$ is the absolute "
    r"error divided by $s$, plus a term free of $\mu$",
    -sp.log(_Lap(y, _mu, _s)), _sum(sp.Abs(y - _mu) / _s, sp.log(2 * _s)),
    definitions={_Lap: sp.Lambda((y, _mu, _s), sp.exp(-sp.Abs(y - _mu) / _s) / (2 * _s))},
    domain={_s: (0.2, 3.0)}, assumptions="every $s > 0$", prove=False))


# --- learning speed: sigmoid with squared error against sigmoid with cross-entropy ----------

_sq = _sum(sigma(z), -y) ** 2  # mathcore's (and PyTorch's) squared error, without a factor 1/2
_bce_sig = losses.LOSSES["binary_cross_entropy"].symbolic(sigma(z), y)
_dsig = sp.Mul(sigma(z), _sum(1, -sigma(z)), evaluate=False)
register(Derivation(
    "loss.sigmoid-mse.gradient", 4,
    r"a sigmoid output with the squared error: the derivative with respect to the logit carries the factor "
    r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$",
    sp.Derivative(_sq, z), sp.Mul(2, _sum(sigma(z), -y), _dsig, evaluate=False),
    definitions={sigma: SIGMA_DEF}, domain={z: (-10.0, 10.0), y: (0.0, 1.0)}))

register(Derivation(
    "loss.sigmoid-derivative-bound", 4,
    r"$\frac14 - \sigma'(z)$ is a square, so $\sigma'(z) \le \frac14$, with equality only where "
    r"$\sigma(z) = \frac12$, at $z = 0$",
    _sum(sp.Rational(1, 4), -_dsig), _sum(sigma(z), -sp.Rational(1, 2)) ** 2,
    definitions={sigma: SIGMA_DEF}, domain={z: (-10.0, 10.0)}, prove=False))

register(Derivation(
    "loss.sigmoid-bce.second-derivative", 4,
    r"the second derivative of binary cross-entropy in the logit is $\sigma'(z) > 0$: convex in $z$",
    sp.Derivative(_bce_sig, (z, 2)), _dsig,
    definitions={sigma: SIGMA_DEF}, domain={z: (-10.0, 10.0), y: (0.0, 1.0)}, prove=False))

register(Derivation(
    "loss.sigmoid-mse.second-derivative", 4,
    r"the second derivative of the squared error in the logit, negative wherever "
    r"$(\sigma(z) - y)(1 - 2\sigma(z)) < -\sigma'(z)$",
    sp.Derivative(_sq, (z, 2)),
    sp.Mul(2, _dsig, _sum(_dsig, sp.Mul(_sum(sigma(z), -y), _sum(1, -2 * sigma(z)), evaluate=False)),
           evaluate=False),
    definitions={sigma: SIGMA_DEF}, domain={z: (-10.0, 10.0), y: (0.0, 1.0)}, prove=False))

# Indexed p_k rather than symbols: SymPy typesets the derivative of a lone symbol as d/dz, and these are partial
_pi = [sp.IndexedBase("p", real=True)[k] for k in (1, 2, 3)]
register(Derivation(
    "loss.softmax-ce.chain-rule", 4,
    r"the chain rule through the softmax: $\partial C/\partial p_k = -y_k/p_k$ times "
    r"$\partial p_k/\partial z_1$, summed over $k$, collapses to $p_1 - y_1$",
    _sum(*[sp.Mul(-1, yk / pk, sp.Derivative(pk, _zs[0]), evaluate=False) for yk, pk in zip(_ys, _pi)]),
    _sum(_pi[0], -_ys[0]),
    definitions={**{pk: _softmax_defs[ps] for pk, ps in zip(_pi, _ps)}, _ys[2]: 1 - _ys[0] - _ys[1]},
    domain={_ys[0]: (0.0, 0.5), _ys[1]: (0.0, 0.5)},
    assumptions="targets on the simplex, $y_1 + y_2 + y_3 = 1$", prove=False))

_z1, _z2 = _zs[0], _zs[1]
_q = [sp.Function("q_1"), sp.Function("q_2")]
register(Derivation(
    "loss.two-class-softmax", 4,
    r"softmax cross-entropy over two classes is binary cross-entropy of $\sigma(z_1 - z_2)$",
    _sum(-y * sp.log(_q[0](_z1, _z2)), -((1 - y) * sp.log(_q[1](_z1, _z2)))),
    losses.LOSSES["binary_cross_entropy"].symbolic(sigma(_z1 - _z2), y),
    definitions={_q[0]: sp.Lambda((_z1, _z2), sp.exp(_z1) / (sp.exp(_z1) + sp.exp(_z2))),
                 _q[1]: sp.Lambda((_z1, _z2), sp.exp(_z2) / (sp.exp(_z1) + sp.exp(_z2))), sigma: SIGMA_DEF},
    domain={_z1: (-8.0, 8.0), _z2: (-8.0, 8.0), y: (0.0, 1.0)},
    assumptions=r"$q_1, q_2$ the softmax of $(z_1, z_2)$", prove=False, wrap=0))


# --- computing from logits, stably --------------------------------------------------------

register(Derivation(
    "loss.sigmoid-bce.stable", 4,
    r"binary cross-entropy of $\sigma(z)$ written without $\sigma$: no exponential of a large positive number, "
    r"no logarithm of 0",
    _bce_sig, _sum(sp.Max(z, 0), -z * y, sp.log(1 + sp.exp(-sp.Abs(z)))),
    # |z| <= 10 keeps the naive left side accurate to 1e-12 in float64; beyond, it is the side that fails
    definitions={sigma: SIGMA_DEF}, domain={z: (-10.0, 10.0), y: (0.0, 1.0)}, points=[{z: 0.0}],
    assumptions="every real $z$", prove=False))

_c = sp.Symbol("c", real=True)
register(Derivation(
    "loss.log-sum-exp.shift", 4,
    r"log-sum-exp is unchanged by shifting every logit by $c$ and adding $c$ back; with $c = \max_k z_k$ "
    r"every exponent is $\le 0$",
    _LSE(*_zs), _sum(_c, _LSE(*[zk - _c for zk in _zs])),
    definitions={_LSE: _LSE_DEF},
    domain={_c: (-4.0, 4.0)}, assumptions="every real $c$", prove=False))

register(Derivation(
    "loss.softmax-ce.logits", 4,
    r"softmax cross-entropy written on the logits: minus the true class's logit plus log-sum-exp",
    _sum(*[-yk * sp.log(pk) for yk, pk in zip(_ys, _ps)]),
    _sum(*[-yk * zk for yk, zk in zip(_ys, _zs)], _LSE(*_zs)),
    definitions={**_softmax_defs, _LSE: _LSE_DEF, _ys[2]: 1 - _ys[0] - _ys[1]},
    domain={_ys[0]: (0.0, 0.5), _ys[1]: (0.0, 0.5)},
    assumptions="targets on the simplex, $y_1 + y_2 + y_3 = 1$", prove=False))
