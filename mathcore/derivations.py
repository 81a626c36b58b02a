r"""The book's equations as SymPy objects that check themselves.

Every display equation in a chapter is a :class:`Derivation` in the registry
:data:`DERIVATIONS`, rendered from the same object that :meth:`Derivation.verify`
checks, so the text a reader sees and the check that backs it cannot drift.

``verify()`` first asks SymPy for a proof (``lhs.equals(rhs)`` after the named
functions are replaced by their definitions). Whether or not that succeeds, it
also evaluates both sides at 200 seeded points of the stated domain (and at any
listed special points, such as the kink of ReLU), in float64, and requires
agreement to a relative error of 1e-9: both sides are closed forms of O(1)
values evaluated once each, so a correct identity agrees to about 1e-14 and a
wrong one is off by far more. A failure raises AssertionError naming the
point.

Named functions (``sigma``, ``relu``, ...) are undefined SymPy functions in the
typeset equation, so it reads as the book writes it, and their definitions come
from the same symbolic twins (``act.symbolic``) the tests compare with the NumPy
code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import sympy as sp

from . import activations, losses, regularization
from ._validate import lookup

__all__ = ["Derivation", "DERIVATIONS", "get", "register", "by_chapter", "N_POINTS"]

#: Seeded points per numerical check (the issue asks for at least 100).
N_POINTS = 200
#: Relative agreement required at each point; see the module docstring.
RTOL = 1e-9

x = activations.X


@dataclass
class Derivation:
    """An identity ``lhs = rhs`` of the book, with what is needed to check it.

    Parameters
    ----------
    label : str
        Registry key, ``"<chapter topic>.<name>"``.
    chapter : int
        The chapter that shows it.
    title : str
        One line saying what it states.
    lhs, rhs : sympy expressions or matrices
        The two sides as typeset. ``Derivative`` objects stay unevaluated in
        the typeset form and are evaluated when checking.
    definitions : dict
        Named function (an undefined ``sympy.Function``) or symbol -> its
        definition (a ``Lambda`` or an expression), substituted before checking.
    domain : dict
        Symbol -> (low, high) interval to sample; default (-4, 4).
    points : list of dict
        Extra points to check, e.g. ``[{x: 0}]`` at a kink.
    assumptions : str
        Conditions under which the identity holds, shown with it.
    prove : bool
        Ask SymPy for a symbolic proof (default). Set False where SymPy is known
        to fail slowly (piecewise functions of several variables): the numerical
        check still runs, and the status says which kind of check passed.
    """

    label: str
    chapter: int
    title: str
    lhs: sp.Basic
    rhs: sp.Basic
    definitions: dict = field(default_factory=dict)
    domain: dict = field(default_factory=dict)
    points: list = field(default_factory=list)
    assumptions: str = ""
    prove: bool = True
    status: str = field(default="not verified yet", init=False)

    @property
    def latex(self) -> str:
        """LaTeX of ``lhs = rhs``, terms in the order they were written (``evaluate=False`` keeps it)."""
        return f"{sp.latex(self.lhs, order='none')} = {sp.latex(self.rhs, order='none')}"

    @property
    def where(self) -> list[str]:
        """LaTeX of each definition the typeset equation uses, directly or through another definition."""
        shown, todo = [], [self.lhs, self.rhs]
        used: set = set()
        while todo:
            expr = todo.pop(0)
            atoms = expr.free_symbols | {f.func for f in expr.atoms(sp.core.function.AppliedUndef)}
            for name, definition in self.definitions.items():
                if name in atoms and name not in used:
                    used.add(name)
                    body = definition.expr if isinstance(definition, sp.Lambda) else definition
                    todo.append(sp.sympify(body))
        for name, definition in self.definitions.items():  # in the order they are substituted
            if name not in used:
                continue
            if isinstance(definition, sp.Lambda):
                head = sp.latex(name(*definition.variables))
                shown.append(f"{head} = {sp.latex(definition.expr, order='none')}")
            else:
                shown.append(f"{sp.latex(name)} = {sp.latex(definition, order='none')}")
        return shown

    def expanded(self) -> tuple[sp.Basic, sp.Basic]:
        """Both sides with every definition substituted and every derivative evaluated."""
        def expand(e):
            for name, definition in self.definitions.items():
                if isinstance(name, sp.Symbol):
                    e = e.subs(name, definition)
                else:
                    e = e.replace(name, definition)
            return e.doit()
        return expand(self.lhs), expand(self.rhs)

    def _free(self, lhs, rhs) -> list[sp.Symbol]:
        return sorted((lhs.free_symbols | rhs.free_symbols), key=lambda s: s.name)

    def verify(self) -> bool:
        """True if the identity holds; AssertionError naming the failing point otherwise."""
        lhs, rhs = self.expanded()
        pairs = list(zip(lhs, rhs)) if isinstance(lhs, sp.MatrixBase) else [(lhs, rhs)]
        if isinstance(lhs, sp.MatrixBase) and lhs.shape != rhs.shape:
            raise AssertionError(f"{self.label}: sides have shapes {lhs.shape} and {rhs.shape}")
        proved = self.prove and all(_proves_zero(sp.sympify(a - b)) for a, b in pairs)
        symbols = self._free(lhs, rhs)
        rng = np.random.default_rng(_seed(self.label))
        samples = []
        for _ in range(N_POINTS):
            samples.append({s: float(rng.uniform(*self.domain.get(s, (-4.0, 4.0)))) for s in symbols})
        samples += [{s: float(p.get(s, 0.5)) for s in symbols} for p in self.points]
        # SciPy only where a special function needs it: importing it costs a chapter 0.4 s
        modules = ["scipy", "numpy"] if any(e.has(sp.erf) for pair in pairs for e in pair) else ["numpy"]
        fl = sp.lambdify(symbols, [a for a, _ in pairs], modules=modules)
        fr = sp.lambdify(symbols, [b for _, b in pairs], modules=modules)
        # an overflow or 0/0 inside either side is a bug in the entry, not a pass
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            for point in samples:
                args = [point[s] for s in symbols]
                a = np.asarray(fl(*args), dtype=np.float64)
                b = np.asarray(fr(*args), dtype=np.float64)
                if not np.allclose(a, b, rtol=RTOL, atol=RTOL):
                    shown = ", ".join(f"{s} = {v:.6g}" for s, v in point.items())
                    raise AssertionError(f"{self.label}: the sides differ at {shown}: lhs = {a}, rhs = {b}")
        n = len(samples)
        self.status = ("proved symbolically by SymPy and checked at " if proved else "checked numerically at ") \
            + f"{n} points"
        return True

    def show(self):
        """Verify, then return a display object: the typeset equation with its status."""
        self.verify()
        return _Shown(self)

    def _repr_markdown_(self) -> str:
        return _Shown(self)._repr_markdown_()


def _proves_zero(d: sp.Expr) -> bool:
    # Rewriting hyperbolic and trigonometric functions as exponentials first lets
    # simplify see identities such as tanh(x) = 2 sigma(2x) - 1 at once.
    return d == 0 or d.rewrite(sp.exp).equals(0) is True


def _seed(label: str) -> int:
    # hash() is salted per process; a stable seed keeps the checked points reproducible
    return int.from_bytes(label.encode(), "little") % 2**32


class _Shown:
    def __init__(self, d: Derivation):
        self.d = d

    def _repr_markdown_(self) -> str:
        # Plain Markdown with $-math, not HTML: Jupyter and MyST both typeset it.
        d = self.d
        mark = "✓" if d.status != "not verified yet" else "?"
        where = ("where " + ", ".join(f"${w}$" for w in d.where) + ".\n\n") if d.where else ""
        cond = f" Holds for {d.assumptions}." if d.assumptions else ""
        return (f"$$\n{d.latex}\n$$\n\n{where}"
                f"{mark} `{d.label}`: {d.title}.{cond} *Verified: {d.status}.*\n")

    def _repr_latex_(self) -> str:
        return f"$${self.d.latex}$$"

    def __repr__(self) -> str:
        return f"{self.d.label}: {self.d.latex}  [{self.d.status}]"


DERIVATIONS: dict[str, Derivation] = {}


def register(d: Derivation) -> Derivation:
    """Add ``d`` to :data:`DERIVATIONS` (a duplicate label is an error)."""
    if d.label in DERIVATIONS:
        raise ValueError(f"derivation label {d.label!r} is already registered")
    DERIVATIONS[d.label] = d
    return d


def get(label: str) -> Derivation:
    """Return the derivation registered as ``label`` (ValueError lists the known labels)."""
    return lookup(DERIVATIONS, label, "derivation")


def by_chapter(chapter: int) -> list[Derivation]:
    """Every derivation shown in ``chapter``, in registration order."""
    return [d for d in DERIVATIONS.values() if d.chapter == chapter]


# --- named functions as the book writes them ------------------------------------------------

sigma = sp.Function("sigma")
SIGMA_DEF = sp.Lambda(x, 1 / (1 + sp.exp(-x)))
Phi = sp.Function("Phi")
phi = sp.Function("phi")
GAUSS_DEFS = {Phi: sp.Lambda(x, (1 + sp.erf(x / sp.sqrt(2))) / 2),
              phi: sp.Lambda(x, sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi))}

# --- Chapter 1: neurons --------------------------------------------------------------------

w1, w2, b, x1, x2, t, eta, c, d = sp.symbols("w_1 w_2 b x_1 x_2 t eta c d", real=True)
#: ||w||, a symbol in the typeset equations, defined in the "where" line
NORM_W = sp.Symbol(r"\lVert\mathbf{w}\rVert", positive=True)
_NORM_DEF = {NORM_W: sp.sqrt(w1**2 + w2**2)}
_W_AWAY_FROM_0 = {w1: (0.2, 3.0), w2: (-3.0, -0.2)}  # keep ||w|| away from 0, where no boundary exists
_x1t, _x2t = sp.Function("x_1"), sp.Function("x_2")
_xs1, _xs2 = sp.symbols("x^*_1 x^*_2", real=True)


def _sum(*terms):
    return sp.Add(*terms, evaluate=False)


register(Derivation(
    "neuron.boundary-points", 1,
    r"every point $\mathbf{x}(t) = -b\,\mathbf{w}/\lVert\mathbf{w}\rVert^2 + t\,(-w_2, w_1)$ satisfies "
    r"$\mathbf{w}\cdot\mathbf{x} + b = 0$, so the boundary is the line through $-b\,\mathbf{w}/\lVert\mathbf{w}\rVert^2$ "
    r"perpendicular to $\mathbf{w}$",
    _sum(w1 * _x1t(t), w2 * _x2t(t), b), sp.Integer(0),
    definitions={_x1t: sp.Lambda(t, -b * w1 / NORM_W**2 - t * w2), _x2t: sp.Lambda(t, -b * w2 / NORM_W**2 + t * w1),
                 **_NORM_DEF},
    domain=_W_AWAY_FROM_0, assumptions=r"every $\mathbf{w} \ne 0$ and every $t$"))

register(Derivation(
    "neuron.boundary-distance", 1,
    r"the point $\mathbf{x}^* = -b\,\mathbf{w}/\lVert\mathbf{w}\rVert^2$ of the boundary lies at distance "
    r"$|b|/\lVert\mathbf{w}\rVert$ from the origin",
    sp.sqrt(_xs1**2 + _xs2**2), sp.Abs(b) / NORM_W,
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
    step(_sum(c * w1 * x1, c * w2 * x2, c * b)), step(_sum(w1 * x1, w2 * x2, b)),
    definitions={step: sp.Lambda(x, activations.ACTIVATIONS["step"].symbolic(x))},
    domain={c: (0.05, 20.0)}, assumptions="every $c > 0$", prove=False))

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
register(Derivation(
    "neuron.sigmoid-gradient", 1,
    r"the derivative of a sigmoid neuron's squared error with respect to a weight, by the chain rule",
    sp.Derivative(sp.Mul(sp.Rational(1, 2), _sum(sigma(_zf), -y) ** 2, evaluate=False), w1),
    sp.Mul(_sum(sigma(_zf), -y), sigma(_zf), _sum(1, -sigma(_zf)), x1, evaluate=False),
    definitions={_zf: _sum(w1 * x1, w2 * x2, b), sigma: SIGMA_DEF}, domain={y: (0.0, 1.0)}))

# --- Chapter 3: every activation's derivative, from its symbolic twin ---------------------

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

# --- Chapter 4: every loss's gradient --------------------------------------------------------

p, z = losses.P, losses.Z
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

# --- Chapter 7: the penalties' (sub)gradients ------------------------------------------------

_w, _lam = regularization.W, regularization.LAM
register(Derivation(
    "regularization.l2.gradient", 7, "the derivative of the L2 (ridge) penalty, the weight-decay term",
    sp.Derivative(regularization.PENALTIES["l2"].symbolic(_w, _lam), _w), _lam * _w))
register(Derivation(
    "regularization.l1.gradient", 7, "the subgradient of the L1 (lasso) penalty, 0 at $w = 0$ by convention",
    sp.Derivative(regularization.PENALTIES["l1"].symbolic(_w, _lam), _w), _lam * sp.sign(_w),
    points=[{_w: 0.0}], domain={_lam: (0.0, 2.0)}))
