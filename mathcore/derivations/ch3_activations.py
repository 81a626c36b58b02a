"""Chapter 3, Activation functions: every activation's derivative, from its symbolic twin; the relations
between activations (tanh and the sigmoid, two-class softmax); the softmax Jacobian; why sigma' <= 1/4 and
what a chain of such factors does; the identities behind the numerically stable forms."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from ._core import GAUSS_DEFS, SIGMA_DEF, Chain, Derivation, Phi, phi, Step, register, sigma, unevaluated_sum as _sum, x
from ._definition import Definition
from ._notation import Partial
from .. import activations


_ACT_DERIVATIVES = {
    "identity": sp.Integer(1),
    "step": sp.Integer(0),
    "sigmoid": sp.Mul(sigma(x), _sum(1, -sigma(x)), evaluate=False),
    "tanh": 1 - sp.tanh(x) ** 2,
    "relu": sp.Piecewise((0, x <= 0), (1, True)),
    "leaky_relu": sp.Piecewise((sp.Rational(1, 100), x <= 0), (1, True)),
    "elu": sp.Piecewise((sp.exp(x), x <= 0), (1, True)),
    "softplus": sigma(x),
    "gelu": Phi(x) + x * phi(x),
    "silu": sp.Mul(sigma(x), _sum(1, sp.Mul(x, _sum(1, -sigma(x)), evaluate=False)), evaluate=False),
}
# The function each derivative is typeset for: sigma and tanh by their own names (tanh is SymPy's and needs no
# definition); the rest as named functions, with an underscore that is not a subscript.
_NAMED = {"sigmoid": sigma, "tanh": sp.tanh, "leaky_relu": sp.Function(r"\operatorname{leaky\_relu}")}


def _kink_clause(kink: str) -> str:
    kink = kink.rstrip(".")
    return f"; at the kink, {kink[0].lower()}{kink[1:]}" if kink else ""


_e = sp.exp(-x)
_one_plus = _sum(1, _e)  # 1 + e^{-x}
#: sigma' step by step: the one derivative every later chapter leans on (the others are checked as results).
_STEPS = {"sigmoid": [
    Step(sp.Derivative(sp.Pow(_one_plus, -1, evaluate=False), x), "definition of σ"),
    Step(sp.Mul(-1, sp.Pow(_one_plus, -2, evaluate=False), sp.Derivative(_one_plus, x), evaluate=False),
         "chain rule on u⁻¹, with u = 1 + e⁻ˣ"),
    Step(sp.Mul(_e, sp.Pow(_one_plus, -2, evaluate=False), evaluate=False), "the derivative of e⁻ˣ is −e⁻ˣ"),
    Step(sp.Mul(sigma(x), sp.Mul(_e, sp.Pow(_one_plus, -1, evaluate=False), evaluate=False), evaluate=False),
         "split the square: one factor 1/(1 + e⁻ˣ) is σ(x)"),
    Step(sp.Mul(sigma(x), _sum(1, -sigma(x)), evaluate=False), "e⁻ˣ/(1 + e⁻ˣ) = 1 − σ(x)"),
]}


for _name, _act in activations.ACTIVATIONS.items():
    _f = _NAMED.get(_name) or sp.Function(_name)
    _defs = {} if _f is sp.tanh else {_f: sp.Lambda(x, _act.symbolic(x))}
    _common = (f"activation.{_name}.derivative", 3, f"the derivative of {_name}" + _kink_clause(_act.kink))
    if _name in _STEPS:
        assert _STEPS[_name][-1].expr == _ACT_DERIVATIVES[_name]  # the chain ends where the table says
        register(Chain(*_common, [Step(sp.Derivative(_f(x), x)), *_STEPS[_name]],
                       definitions={**_defs, sigma: SIGMA_DEF}, domain={x: (-6.0, 6.0)}))
        continue
    register(Derivation(
        *_common, sp.Derivative(_f(x), x), _ACT_DERIVATIVES[_name],
        definitions={**_defs, sigma: SIGMA_DEF, **GAUSS_DEFS},
        points=[{x: k} for k in _act.kink_points],
        domain={x: (-6.0, 6.0)},
        assumptions="every real x except 0, where the derivative is 0 by convention" if _name == "step" else ""))

register(Derivation(
    "activation.tanh-sigmoid", 3, r"$\tanh$ is a sigmoid stretched to $(-1, 1)$",
    sp.tanh(x), _sum(2 * sigma(2 * x), -1), definitions={sigma: SIGMA_DEF}))


# --- sigmoid: symmetry, and why sigma' <= 1/4 -----------------------------------------------

register(Derivation(
    "activation.sigmoid-symmetry", 3,
    r"the sigmoid is symmetric about $(0, \tfrac12)$: turning $x$ round turns $\sigma$ upside down",
    sigma(-x), _sum(1, -sigma(x)), definitions={sigma: SIGMA_DEF}))

register(Derivation(
    "activation.sigmoid-derivative-bound", 3,
    r"$\sigma'$ is $\tfrac14$ minus a square, so $\sigma'(x) \le \tfrac14$, with equality only where "
    r"$\sigma(x) = \tfrac12$, that is at $x = 0$",
    sp.Derivative(sigma(x), x), _sum(sp.Rational(1, 4), -_sum(sigma(x), -sp.Rational(1, 2)) ** 2),
    definitions={sigma: SIGMA_DEF}))

# A chain of three sigmoid units a_k = sigma(z_k), z_k = w_k a_{k-1}, a_0 = x: the chain rule
# makes the derivative a product of one weight and one sigma' per unit.
_w = sp.symbols("w_1:4", real=True)
_z = sp.symbols("z_1:4", real=True)
sigma_prime = sp.Function(r"\sigma'")
register(Derivation(
    "activation.chain-product", 3,
    r"through a chain of three sigmoid units the derivative of the output with respect to the input is a "
    r"product with one factor $w_k\,\sigma'(z_k)$ per unit",
    sp.Derivative(sigma(_z[2]), x),
    sp.Mul(_w[2], sigma_prime(_z[2]), _w[1], sigma_prime(_z[1]), _w[0], sigma_prime(_z[0]), evaluate=False),
    definitions={_z[2]: _w[2] * sigma(_z[1]), _z[1]: _w[1] * sigma(_z[0]), _z[0]: _w[0] * x,
                 sigma_prime: sp.Lambda(x, sp.Mul(sigma(x), _sum(1, -sigma(x)), evaluate=False)),
                 sigma: SIGMA_DEF}))


# --- softmax ---------------------------------------------------------------------------------

_zs = sp.symbols("z_1:4", real=True)
_ps = sp.symbols("p_1:4", positive=True)
_exp_sum = _sum(*(sp.exp(zk) for zk in _zs))
_P_DEFS = {_ps[i]: sp.exp(_zs[i]) / _exp_sum for i in range(3)}

register(Derivation(
    "activation.softmax-jacobian", 3,
    r"the Jacobian of softmax for $K = 3$: $\partial p_i/\partial z_j = p_i(\delta_{ij} - p_j)$, that is "
    r"$\operatorname{diag}(\mathbf p) - \mathbf p\mathbf p^\top$",
    sp.Matrix(3, 3, lambda i, j: Partial(_ps[i], _zs[j])),
    sp.Matrix(3, 3, lambda i, j: sp.Mul(_ps[i], _sum(1, -_ps[j]), evaluate=False) if i == j
              else -sp.Mul(_ps[i], _ps[j], evaluate=False)),
    definitions=_P_DEFS,
    # SymPy's proof of the nine entries takes 1.3 s; the numerical check takes 0.3 s
    prove=False))

_K = sp.Symbol("K", integer=True, positive=True)
_k, _j = sp.symbols("k j", integer=True, positive=True)
_zb, _pb = sp.IndexedBase("z", real=True), sp.IndexedBase("p", positive=True)
register(Definition(
    "activation.softmax", 3,
    r"softmax turns $K$ logits $z_1, \dots, z_K$ into $K$ probabilities (checked for $K = 3$, at $k = 2$)",
    _pb[_k], sp.exp(_zb[_k]) / sp.Sum(sp.exp(_zb[_j]), (_j, 1, _K)),
    code=lambda z: activations.softmax(z)[1], code_name="mathcore.activations.softmax", sizes={_K: 3, _k: 2},
    domain={_zb: (-10.0, 10.0)}))
register(Derivation(
    "activation.softmax-sums-to-one", 3,
    "the probabilities of softmax are positive and sum to 1, whatever the logits (here $K = 3$)",
    _sum(*_ps), sp.Integer(1), definitions=_P_DEFS, domain={zk: (-10.0, 10.0) for zk in _zs},
    prove=False))  # SymPy proves it in 0.6 s, more than the chapter can spare
_J = sp.Symbol("J")
_pair = sp.symbols("p_1 p_2", positive=True)
register(Derivation(
    "activation.softmax-jacobian-example", 3,
    r"the Jacobian of two-class softmax at the logits $\mathbf z = (\log 2, 0)$, where $\mathbf p = (2/3, 1/3)$",
    _J, sp.MatMul(sp.Rational(2, 9), sp.ImmutableMatrix([[1, -1], [-1, 1]]), evaluate=False),
    definitions={_J: sp.Matrix(2, 2, lambda i, j: sp.Mul(_pair[i], _sum(1, -_pair[j]), evaluate=False) if i == j
                               else -sp.Mul(_pair[i], _pair[j], evaluate=False)),
                 **{p: sp.Mul(sp.exp(top, evaluate=False),
                              sp.Pow(_sum(sp.exp(sp.log(2), evaluate=False), sp.exp(0, evaluate=False)), -1),
                              evaluate=False)
                    for p, top in zip(_pair, (sp.log(2), sp.Integer(0)))}}))

_z1, _z2 = sp.symbols("z_1 z_2", real=True)
_p1 = sp.Symbol("p_1", positive=True)
register(Derivation(
    "activation.softmax-two-class", 3,
    "with two classes, softmax is the sigmoid of the difference of the two logits",
    _p1, sigma(_z1 - _z2),
    definitions={_p1: sp.exp(_z1) / _sum(sp.exp(_z1), sp.exp(_z2)), sigma: SIGMA_DEF}))

_c = sp.Symbol("c", real=True)  # the shift, written c in Chapters 3 and 4 alike
register(Derivation(
    "activation.softmax-shift", 3,
    r"subtracting the same $c$ from every logit leaves softmax unchanged",
    sp.exp(_zs[0] - _c) / _sum(*(sp.exp(zk - _c) for zk in _zs)), sp.exp(_zs[0]) / _exp_sum,
    domain={_c: (-20.0, 20.0)}, assumptions="every real $c$"))


# --- numerical stability -----------------------------------------------------------------------

register(Derivation(
    "activation.logsumexp-shift", 3,
    r"the log-sum-exp trick: $\log\sum_k e^{z_k}$ is the same for every $c$; with $c = \max_k z_k$ "
    "no exponent is positive, so nothing overflows",
    sp.log(_exp_sum), _sum(_c, sp.log(_sum(*(sp.exp(_sum(zk, -_c)) for zk in _zs)))),
    domain={_c: (-20.0, 20.0)}, assumptions="every real $c$",
    # SymPy's proof takes 0.3 s; the numerical check, with c anywhere in [-20, 20], 0.05 s
    prove=False))

register(Derivation(
    "activation.log-softmax", 3,
    "the logarithm of a softmax probability, computed without forming the probability",
    sp.log(_ps[0]), _sum(_zs[0], -sp.log(_exp_sum)), definitions=_P_DEFS))

register(Derivation(
    "activation.sigmoid-stable", 3,
    r"two forms of the sigmoid: the first never overflows for $x \ge 0$, the second for $x < 0$",
    sigma(x), sp.exp(x) / _sum(1, sp.exp(x)), definitions={sigma: SIGMA_DEF}, domain={x: (-30.0, 30.0)}))

_softplus = sp.Function("softplus")
register(Derivation(
    "activation.softplus-stable", 3,
    r"softplus written so that no exponent is positive: ReLU plus a correction that is largest, "
    r"$\log 2$, at $x = 0$",
    _softplus(x), _sum(sp.Max(x, 0), sp.log(_sum(1, sp.exp(-sp.Abs(x))))),
    definitions={_softplus: sp.Lambda(x, activations.ACTIVATIONS["softplus"].symbolic(x))},
    domain={x: (-30.0, 30.0)}, points=[{x: 0}],
    # Max and Abs defeat SymPy's proof (0.5 s to give up); the numerical check takes 0.05 s
    prove=False))


# --- initialisation: the variance that survives a layer ------------------------------------------

class _Integral(sp.Integral):
    """An integral typeset as SymPy's, integrated by SymPy once per process (every link that shows it reuses it)."""

    def doit(self, **hints):
        return _integrated(sp.Integral(*self.args))


@lru_cache(maxsize=None)
def _integrated(integral: sp.Integral) -> sp.Expr:
    return integral.doit()


def _moment(m):
    # a moment given as an integral is computed when first checked, not when the module is imported
    return m.doit() if isinstance(m, _Integral) or (isinstance(m, sp.Mul) and m.has(_Integral)) else m


def _expectation(weights: dict, inputs: dict, random: list) -> tuple[type, type]:
    r"""E and Var for a layer's random quantities, exactly, from the moments that the derivation assumes.

    ``random`` lists weight and input symbols, paired by name (``w_1`` with ``a_1``, ``w`` with ``a``);
    ``weights[k]`` and ``inputs[k]`` are :math:`\mathbb E[w^k]` and :math:`\mathbb E[a^k]`. Every weight is
    independent of every other random quantity; inputs may depend on one another (a product of two different
    inputs gets a moment of its own, a free symbol), which is the situation of a hidden layer. The expectation
    of a polynomial is then the sum over its monomials of the products of these moments, so each step of a
    derivation is checked against the model exactly, not by sampling.
    """
    def expect(expr):
        expr = sp.expand(expr)
        poly = sp.Poly(expr, *random)
        total = sp.Integer(0)
        for monomial, coeff in poly.terms():
            value, joint = coeff, []
            for s, k in zip(random, monomial):
                if not k:
                    continue
                if s.name.startswith("w"):
                    value *= _moment(weights[k])
                else:
                    joint.append((s, k))
            if len(joint) == 1:
                value *= _moment(inputs[joint[0][1]])
            elif joint:  # E[a_j a_k] of two dependent inputs: unknown, and multiplied by E[w_j] E[w_k] = 0
                value *= sp.Symbol("m_{" + ",".join(f"{s.name}^{k}" for s, k in joint) + "}", real=True)
            total += value
        return total

    class E(sp.Function):
        nargs = 1

        def _latex(self, printer):
            return rf"\mathbb{{E}}\left[{printer._print(self.args[0])}\right]"

        def doit(self, **hints):
            return expect(self.args[0].doit(**hints))

    class Var(sp.Function):
        nargs = 1

        def _latex(self, printer):
            return rf"\operatorname{{Var}}\left({printer._print(self.args[0])}\right)"

        def doit(self, **hints):
            arg = self.args[0].doit(**hints)
            return expect(arg**2) - expect(arg) ** 2

    return E, Var


_N_IN = 3
_half = sp.Rational(1, 2)
_n_in, _n_out = sp.Symbol(r"n_{\mathrm{in}}", positive=True), sp.Symbol(r"n_{\mathrm{out}}", positive=True)
_wr, _ar = sp.symbols("w a", real=True)
_wj, _aj = sp.symbols(f"w_1:{_N_IN + 1}", real=True), sp.symbols(f"a_1:{_N_IN + 1}", real=True)
_zl = sp.Symbol("z", real=True)
_s, _u = sp.Symbol("s", positive=True), sp.Symbol("u", real=True)
#: E[ReLU(u)^2] for u ~ N(0, s^2): ReLU(u) is 0 for u < 0 and u above, so the integral runs over u > 0 only
_sqrt_2pi = sp.Pow(sp.Mul(2, sp.pi, evaluate=False), _half, evaluate=False)
_RELU_SQUARE = _Integral(sp.Mul(_u**2, sp.Pow(sp.Mul(_sqrt_2pi, _s, evaluate=False), -1, evaluate=False),
                                sp.exp(-_u**2 / (2 * _s**2)), evaluate=False), (_u, 0, sp.oo))
# The forward pass: z = w_1 a_1 + ... + w_n a_n with zero-mean weights of any variance v, independent of the
# inputs; the inputs have any mean and any second moment m (they may depend on one another).
_v_w, _m2 = sp.Symbol("v_w", positive=True), sp.Symbol("m_2", positive=True)
_m_a = sp.Symbol(r"\mathbb{E}[a]", positive=True)
_E_f, _Var_f = _expectation({1: 0, 2: _v_w}, {1: _m_a, 2: _m2}, [_wr, *_wj, _ar, *_aj])
_Z_DEF = _sum(*[sp.Mul(w_, a_, evaluate=False) for w_, a_ in zip(_wj, _aj)])
register(Chain(
    "init.forward-variance", 3,
    r"through one layer the variance of a pre-activation $z = \sum_{j=1}^{n_{\mathrm{in}}} w_j a_j$ is the "
    r"fan-in times the weights' variance times the inputs' second moment ($n_{\mathrm{in}} = 3$ inputs; the "
    r"weights are independent, of mean 0, and independent of the inputs, which may depend on each other and "
    r"need not have mean 0)",
    [Step(_Var_f(_zl)),
     Step(_sum(*[_Var_f(sp.Mul(w_, a_, evaluate=False)) for w_, a_ in zip(_wj, _aj)]),
          "the terms are uncorrelated: E(wⱼaⱼwₖaₖ) = E(wⱼ)E(wₖ)E(aⱼaₖ) = 0 for j ≠ k, and so is each mean"),
     Step(sp.Mul(_n_in, _Var_f(sp.Mul(_wr, _ar, evaluate=False)), evaluate=False),
          "the terms have the distribution of one product wa"),
     Step(sp.Mul(_n_in, _E_f(sp.Mul(_wr**2, _ar**2, evaluate=False)), evaluate=False),
          "E(wa) = E(w)E(a) = 0, so Var(wa) = E((wa)²)"),
     Step(sp.Mul(_n_in, _E_f(_wr**2), _E_f(_ar**2), evaluate=False), "w and a are independent"),
     Step(sp.Mul(_n_in, _Var_f(_wr), _E_f(_ar**2), evaluate=False), "E(w) = 0, so E(w²) = Var(w)")],
    definitions={_zl: _Z_DEF, _n_in: _N_IN},
    domain={_v_w: (0.01, 3.0), _m2: (0.01, 3.0), _m_a: (0.0, 1.0)},
    assumptions=r"every weight variance and every second moment of the inputs"))

# The backward pass: a unit of the layer below receives g = w_1 delta_1 + ... + w_n delta_n from the n_out units
# above (the weights of its column of W), before its own f'(z) multiplies it in. The errors have mean 0.
_dk, _dr = sp.symbols(rf"\delta_1:{_N_IN + 1}", real=True), sp.Symbol(r"\delta", real=True)
_gl = sp.Symbol("g", real=True)
_E_b, _Var_b = _expectation({1: 0, 2: _v_w}, {1: 0, 2: _m2}, [_wr, *_wj, _dr, *_dk])
register(Chain(
    "init.backward-variance", 3,
    r"backwards through one layer the variance of the error that a unit receives, "
    r"$g = \sum_{k=1}^{n_{\mathrm{out}}} w_k \delta_k$ (a column of $W$ times the errors above), is the fan-out "
    r"times the weights' variance times the variance of the errors ($n_{\mathrm{out}} = 3$; zero-mean weights "
    r"independent of the errors they multiply, errors of mean 0)",
    [Step(_Var_b(_gl)),
     Step(_sum(*[_Var_b(sp.Mul(w_, d_, evaluate=False)) for w_, d_ in zip(_wj, _dk)]),
          "the terms are uncorrelated: E(wⱼδⱼwₖδₖ) = E(wⱼ)E(wₖ)E(δⱼδₖ) = 0 for j ≠ k, and so is each mean"),
     Step(sp.Mul(_n_out, _Var_b(sp.Mul(_wr, _dr, evaluate=False)), evaluate=False),
          "the terms have the distribution of one product wδ"),
     Step(sp.Mul(_n_out, _E_b(_wr**2), _E_b(_dr**2), evaluate=False),
          "E(wδ) = 0 and w is independent of δ, so Var(wδ) = E(w²)E(δ²)"),
     Step(sp.Mul(_n_out, _Var_b(_wr), _Var_b(_dr), evaluate=False),
          "E(w) = 0 and E(δ) = 0, so second moments are variances")],
    definitions={_gl: _sum(*[sp.Mul(w_, d_, evaluate=False) for w_, d_ in zip(_wj, _dk)]), _n_out: _N_IN},
    domain={_v_w: (0.01, 3.0), _m2: (0.01, 3.0)},
    assumptions=r"every weight variance and every variance of the errors; the independence of the weights from "
                r"the errors is an assumption (Glorot and Bengio's), good for wide layers and measured below"))


# ReLU halves the second moment of any symmetric input. Checked for a mixture of two Gaussians, a symmetric density
# that is not Gaussian: the steps use only p(-u) = p(u).
_p = sp.Function("p")
_s1, _s2, _c = sp.Symbol("s_1", positive=True), sp.Symbol("s_2", positive=True), sp.Symbol("c", positive=True)


def _gauss(s):
    return sp.exp(-_u**2 / (2 * s**2)) / (sp.sqrt(2 * sp.pi) * s)


_P_DEF = sp.Lambda(_u, _c * _gauss(_s1) + (1 - _c) * _gauss(_s2))
_relu = sp.Function(r"\operatorname{relu}")


class _RectifiedMoment(sp.Function):
    """E[relu(u)^2] for u of density p: typeset as the expectation, computed as the integral over u > 0."""

    nargs = 1

    def _latex(self, printer):
        return rf"\mathbb{{E}}\left[{printer._print(_relu(self.args[0]) ** 2)}\right]"

    def doit(self, **hints):
        return _Integral(_u**2 * _P_DEF(_u), (_u, 0, sp.oo)).doit()


class _SymmetricVar(sp.Function):
    """Var(u) for u of density p: E[u^2] - E[u]^2, each an integral over the line."""

    nargs = 1

    def _latex(self, printer):
        return rf"\operatorname{{Var}}\left({printer._print(self.args[0])}\right)"

    def doit(self, **hints):
        line = (_u, -sp.oo, sp.oo)
        return _Integral(_u**2 * _P_DEF(_u), line).doit() - _Integral(_u * _P_DEF(_u), line).doit() ** 2


_upper = _Integral(_u**2 * _p(_u), (_u, 0, sp.oo))
register(Chain(
    "init.relu-second-moment", 3,
    r"ReLU keeps half the second moment of a symmetric input: for $u$ with density $p(-u) = p(u)$, "
    r"$\mathbb E[\operatorname{relu}(u)^2] = \tfrac12 \operatorname{Var}(u)$ (checked for a mixture of two "
    r"Gaussians, a symmetric density that is not Gaussian)",
    [Step(_RectifiedMoment(_u)),
     Step(_upper, "relu(u) is 0 for negative u and u for positive u: only positive u contribute"),
     Step(sp.Mul(_half, _sum(_upper, _Integral(_u**2 * _p(_u), (_u, -sp.oo, 0))), evaluate=False),
          "p is symmetric: substituting u → −u turns the integral over positive u into the one over negative u"),
     Step(sp.Mul(_half, _Integral(_u**2 * _p(_u), (_u, -sp.oo, sp.oo)), evaluate=False),
          "the two halves make up the whole line"),
     Step(sp.Mul(_half, _SymmetricVar(_u), evaluate=False),
          "a symmetric u has mean 0, so the whole integral E(u²) is Var(u)")],
    definitions={_p: _P_DEF}, domain={_s1: (0.2, 3.0), _s2: (0.2, 3.0), _c: (0.0, 1.0)},
    assumptions=r"every symmetric density with a finite variance"))

# He's model: the forward chain's layer with Var(w) = 2/n_in, and inputs a = ReLU(u), u ~ N(0, s^2), of any mean
_E, _Var = _expectation({1: 0, 2: sp.Rational(2, _N_IN)}, {1: _m_a, 2: _RELU_SQUARE}, [_wr, *_wj, _ar, *_aj])
register(Chain(
    "init.he-variance", 3,
    r"He initialisation keeps the variance: with ReLU inputs $a = \operatorname{relu}(u)$ of a "
    r"$u \sim \mathcal N(0, s^2)$, weights of variance $2/n_{\mathrm{in}}$ give the next layer's $z$ the same "
    r"variance $s^2$ ($n_{\mathrm{in}} = 3$ inputs; the inputs may depend on each other, never on the weights)",
    [Step(_Var(_zl)),
     Step(sp.Mul(_n_in, _Var(_wr), _E(_ar**2), evaluate=False),
          "the forward chain: independent zero-mean weights"),
     Step(sp.Mul(_n_in, _Var(_wr), sp.Mul(_half, _s**2, evaluate=False), evaluate=False),
          "a = relu(u) with u symmetric of variance s²: ReLU keeps half the second moment"),
     Step(_s**2, "He's choice, Var(w) = 2/nᵢₙ")],
    definitions={_zl: _Z_DEF, _n_in: _N_IN},
    domain={_s: (0.1, 3.0), _m_a: (0.0, 2.0)}, assumptions=r"every $s > 0$"))

# Glorot's compromise: the forward pass keeps its variance when n_in Var(w) = 1, the backward pass when
# n_out Var(w) = 1; Var(w) = 2/(n_in + n_out) makes the mean of the two factors exactly 1.
_V = sp.Symbol(r"\operatorname{Var}(w)", positive=True)
_fan_sum = _sum(_n_in, _n_out)
register(Chain(
    "init.glorot-compromise", 3,
    r"Glorot's compromise: the forward pass multiplies the variance by $n_{\mathrm{in}} \operatorname{Var}(w)$ per "
    r"layer, the backward pass by $n_{\mathrm{out}} \operatorname{Var}(w)$; "
    r"$\operatorname{Var}(w) = 2/(n_{\mathrm{in}} + n_{\mathrm{out}})$ makes their mean exactly 1, and both 1 when "
    r"$n_{\mathrm{in}} = n_{\mathrm{out}}$",
    [Step(sp.Mul(_half, _sum(sp.Mul(_n_in, _V, evaluate=False), sp.Mul(_n_out, _V, evaluate=False)),
                 evaluate=False)),
     Step(sp.Mul(_half, _fan_sum, _V, evaluate=False), "take out the common factor Var(w)"),
     Step(sp.Mul(_half, _fan_sum, sp.Mul(2, sp.Pow(_fan_sum, -1, evaluate=False), evaluate=False), evaluate=False),
          "Glorot's choice, Var(w) = 2/(nᵢₙ + nₒᵤₜ)"),
     Step(sp.Integer(1), "the factors cancel")],
    definitions={_V: 2 / _sum(_n_in, _n_out)}, domain={_n_in: (1.0, 1000.0), _n_out: (1.0, 1000.0)},
    assumptions=r"all fan-ins and fan-outs $n_{\mathrm{in}}, n_{\mathrm{out}} \ge 1$"))

# Glorot's uniform form: w ~ U(-r, r), the moments integrated against the density 1/(2r)
_r = sp.Symbol("r", positive=True)
_R_DEF = sp.sqrt(6 / _sum(_n_in, _n_out))
_fan = _sum(_n_in, _n_out)


def _uniform(k, r):
    """E[w^k] for w ~ U(-r, r), typeset as the density 1/(2r) times the integral."""
    return sp.Mul(sp.Pow(sp.Mul(2, r, evaluate=False), -1, evaluate=False), _Integral(_wr**k, (_wr, -r, r)),
                  evaluate=False)


_E_u, _Var_u = _expectation({1: _uniform(1, _R_DEF), 2: _uniform(2, _R_DEF)}, {}, [_wr])
register(Chain(
    "init.glorot-variance", 3,
    r"Glorot's uniform form: $w \sim \mathcal U(-r, r)$ with $r = \sqrt{6/(n_{\mathrm{in}} + n_{\mathrm{out}})}$ "
    r"has the compromise variance $2/(n_{\mathrm{in}} + n_{\mathrm{out}})$, one over the mean of the two fans, "
    r"between the forward pass's $1/n_{\mathrm{in}}$ and the backward pass's $1/n_{\mathrm{out}}$",
    [Step(_Var_u(_wr)),
     Step(_uniform(2, _r), "w ~ U(−r, r) has density 1/(2r) on (−r, r) and mean 0, so Var(w) = E(w²)"),
     Step(sp.Mul(sp.Rational(1, 3), _r**2, evaluate=False), "integrate: w³/3 from −r to r is 2r³/3"),
     Step(sp.Mul(2, sp.Pow(_fan, -1, evaluate=False), evaluate=False),
          "Glorot's r = √(6/(nᵢₙ + nₒᵤₜ)), so r² = 6/(nᵢₙ + nₒᵤₜ)"),
     Step(sp.Pow(sp.Mul(_half, _fan, evaluate=False), -1, evaluate=False),
          "one over the mean of nᵢₙ and nₒᵤₜ: between the forward 1/nᵢₙ and the backward 1/nₒᵤₜ")],
    definitions={_r: _R_DEF}, domain={_n_in: (1.0, 100.0), _n_out: (1.0, 100.0)},
    assumptions=r"all fan-ins and fan-outs $n_{\mathrm{in}}, n_{\mathrm{out}} \ge 1$"))
