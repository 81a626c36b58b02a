"""Chapter 6, Backpropagation: the chain rule, and the four equations checked against SymPy on a whole network.

The four equations are checked on a 2-2-2 network whose every weight, bias,
input and target is a SymPy symbol, with sigmoid units in both layers and the
cost :math:`C = \\tfrac12\\sum_j (a^{(2)}_j - y_j)^2` (``mathcore``'s mean
squared error of one example with two outputs). Each entry's left side is
SymPy differentiating that whole cost, written out from the input up; its
right side is what the equations give, with the errors
:math:`\\delta^{(l)}_j` defined layer by layer. The definitions are
substituted in the order listed (the cost first, the input layer last), so
the "where" line of each entry is the network itself.

The chapter's matrix forms of the four equations, for one example and for a
batch (``backprop.four-equations`` and ``.batch``), are checked the same way,
on that network and on a 2-2-1 network fed two examples: each notation of the
display (:math:`\\delta^{(l)}`, :math:`\\nabla_a C`, :math:`\\sigma'(z^{(l)})`, ...)
is defined as the explicit matrix it stands for.

SymPy's symbolic proof of these entries takes seconds (the expanded cost has
hundreds of terms), so they are checked numerically, at 200 seeded points
to a relative error of 1e-9, which is what verifies them when the chapter runs.
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.hadamard import HadamardProduct

from ._core import SIGMA_DEF, SIGMA_Z_DEF, Chain, Derivation, Step, _latex, register, sigma, unevaluated_sum as _sum
from ._notation import Partial


class _Sym(sp.Symbol):
    """A symbol with a Python name (``w2_11``, which lambdify takes as it is) and a typeset one (:math:`w^{(2)}_{11}`).

    lambdify renames every symbol whose name is not a Python identifier, at a
    cost of seconds on expressions this size.
    """

    def _latex(self, printer):
        return _TEX.get(self.name, self.name)


#: Python name -> LaTeX of every _Sym.
_TEX: dict[str, str] = {}


class _Node(_Sym):
    """An intermediate quantity of a computation (a cost, a pre-activation, an error): a symbol that SymPy
    treats as depending on every input and parameter.

    The definitions of an entry are substituted one at a time. Substituting a
    plain symbol inside ``Derivative(..., w)`` by an expression in ``w`` makes
    SymPy hold it fixed (a ``Subs``), as the meaning of a partial derivative
    with respect to ``w`` with that symbol independent requires. A node
    declares that it depends on everything (:data:`_LEAVES`), so the
    derivative is the total one, as the chain rule means it; the same
    declaration makes SymPy typeset its derivatives as partial. Every node is
    replaced by its definition before anything is checked.
    """

    @property
    def free_symbols(self):
        if not _LEAVES_READY:
            return {self} | _LEAVES
        cached = _DEPENDS.get(self.name)
        if cached is None:
            cached = _DEPENDS[self.name] = {self} | _LEAVES  # a set: SymPy checks the type
        return set(cached)  # a copy: a caller may change the set it is given


#: Every input and parameter symbol of this module; filled in below.
_LEAVES: set = set()
_LEAVES_READY = False
#: Node name -> its free symbols, computed once (SymPy asks for them thousands of times per entry).
_DEPENDS: dict = {}


def _dsig(z):
    """sigma'(z) = sigma(z)(1 - sigma(z)), kept in the order written."""
    return sp.Mul(sigma(z), _sum(1, -sigma(z)), evaluate=False)


# --- the chain rule ------------------------------------------------------------------------------

_w, _b, _x, _y, _z = sp.symbols("w b x y z", real=True)
register(Derivation(
    "backprop.chain-rule.neuron", 6,
    r"the chain rule on one sigmoid neuron with the squared error: the derivative with respect to the weight is "
    r"a product of three local derivatives, $\partial C/\partial a \cdot \partial a/\partial z \cdot "
    r"\partial z/\partial w$",
    sp.Derivative(_sum(sigma(_sum(_w * _x, _b)), -_y) ** 2, _w),
    sp.Mul(2, _sum(sigma(_z), -_y), _dsig(_z), _x, evaluate=False),
    definitions={_z: _sum(_w * _x, _b), sigma: SIGMA_Z_DEF},
    domain={_y: (0.0, 1.0)}, prove=False))

_h = sp.Symbol("h", real=True)
_v = sp.symbols("v_1:3", real=True)
_c = sp.symbols("c_1:3", real=True)
_o = sp.symbols("o_1:3", real=True, cls=_Node)
_t = sp.symbols("y_1:3", real=True)
_C = _Node("C")
register(Derivation(
    "backprop.chain-rule.paths", 6,
    r"the multivariate chain rule: $h$ reaches the cost through both outputs, and the derivative is the sum "
    r"over the paths, $\sum_j \partial C/\partial o_j \cdot \partial o_j/\partial h$",
    sp.Derivative(_C, _h), _sum(sp.Mul(_sum(_o[0], -_t[0]), _v[0], evaluate=False),
                                sp.Mul(_sum(_o[1], -_t[1]), _v[1], evaluate=False)),
    definitions={_C: sp.Mul(sp.Rational(1, 2), _sum(_sum(_o[0], -_t[0]) ** 2, _sum(_o[1], -_t[1]) ** 2), evaluate=False),
                 **{_o[j]: _sum(_v[j] * _h, _c[j]) for j in range(2)}}))


# --- the four equations on a 2-2-2 network written out in full ----------------------------------

def _sym(name: str, layer: int | None, *idx: int, node: bool = False) -> sp.Symbol:
    sup = f"^{{({layer})}}" if layer is not None else ""
    sub = "".join(str(i) for i in idx)
    plain = f"{name.lstrip(chr(92))}{layer if layer is not None else 'N'}_{sub}"  # N: the network's, not y_1 above
    _TEX[plain] = f"{name}{sup}_{{{sub}}}"
    return (_Node if node else _Sym)(plain, real=True)


#: The symbols of the network, indexed from 0 in Python and from 1 in the typeset names.
X = [_sym("x", None, k + 1) for k in range(2)]
Y = [_sym("y", None, j + 1) for j in range(2)]
W = {l: [[_sym("w", l, j + 1, k + 1) for k in range(2)] for j in range(2)] for l in (1, 2)}
B = {l: [_sym("b", l, j + 1) for j in range(2)] for l in (1, 2)}
Z = {l: [_sym("z", l, j + 1, node=True) for j in range(2)] for l in (1, 2)}
A = {l: [_sym("a", l, j + 1, node=True) for j in range(2)] for l in (1, 2)}
DELTA = {l: [_sym(r"\delta", l, j + 1, node=True) for j in range(2)] for l in (1, 2)}
COST = _C
_LEAVES |= {_w, _b, _x, _y, _h, *_v, *_c, *_t, *X, *Y}
_LEAVES |= {s for l in (1, 2) for s in (*W[l][0], *W[l][1], *B[l])}
# in BP1 and BP2 the pre-activations are the variables: every node depends on them too
_LEAVES |= {s for l in (1, 2) for s in Z[l]}
# The batch form of the four equations is checked on the chapter's 2-2-1 network (the worked example's shape,
# with the weights W^(2) = (w^(2)_11, w^(2)_12) of the network above) fed a batch of n = 2 examples, one per row;
# its pre-activations are variables like those above (declared before the nodes' dependencies are fixed).
_NB = 2
_WIDTH = {0: 2, 1: 2, 2: 1}  # units per layer
XB = [[_sym("X", None, i + 1, k + 1) for k in range(_WIDTH[0])] for i in range(_NB)]  # X: (n, 2), example i in row i
YB = [[_sym("Y", None, i + 1, j + 1) for j in range(_WIDTH[2])] for i in range(_NB)]  # Y: (n, 1)
ZB = {l: [[_sym("Z", l, i + 1, j + 1, node=True) for j in range(_WIDTH[l])] for i in range(_NB)] for l in (1, 2)}
AB = {l: [[_sym("A", l, i + 1, j + 1, node=True) for j in range(_WIDTH[l])] for i in range(_NB)] for l in (1, 2)}
_LEAVES |= {s for row in (*XB, *YB, *ZB[1], *ZB[2]) for s in row}
_LEAVES_READY = True

_cost_def = sp.Mul(sp.Rational(1, 2), _sum(_sum(A[2][0], -Y[0]) ** 2, _sum(A[2][1], -Y[1]) ** 2), evaluate=False)
_inputs = {0: X, 1: A[1]}


def _z_def(l: int, j: int):
    prev = _inputs[l - 1]
    return _sum(sp.Mul(W[l][j][0], prev[0], evaluate=False), sp.Mul(W[l][j][1], prev[1], evaluate=False), B[l][j])


#: BP1 and BP2 as definitions of the errors delta, in the form the equations give them.
_delta_defs = {  # delta^(1) first: its definition uses delta^(2), substituted after it
    **{DELTA[1][j]: sp.Mul(_sum(W[2][0][j] * DELTA[2][0], W[2][1][j] * DELTA[2][1]), _dsig(Z[1][j]),
                           evaluate=False) for j in range(2)},
    **{DELTA[2][j]: sp.Mul(_sum(A[2][j], -Y[j]), _dsig(Z[2][j]), evaluate=False) for j in range(2)},
}
#: The forward pass, output layer first: the order in which the definitions are substituted.
_forward_defs = {
    **{A[2][j]: sigma(Z[2][j]) for j in range(2)},
    **{Z[2][j]: _z_def(2, j) for j in range(2)},
    **{A[1][j]: sigma(Z[1][j]) for j in range(2)},
    **{Z[1][j]: _z_def(1, j) for j in range(2)},
}
_domain = {**{s: (-2.0, 2.0) for s in X}, **{s: (0.0, 1.0) for s in Y},
           **{s: (-2.0, 2.0) for l in (1, 2) for row in W[l] for s in row},
           **{s: (-1.0, 1.0) for l in (1, 2) for s in B[l]}}
_network = "a 2-2-2 network of sigmoid units with the cost $C = \\frac12\\sum_j (a^{(2)}_j - y_j)^2$"


def _upto(last):
    """The forward definitions down to (and including) ``last``; the variables below it stay free."""
    out = {}
    for k, v in _forward_defs.items():
        out[k] = v
        if k == last:
            break
    return out


def _d(f, v):
    return sp.Derivative(f, v)


# --- the chapter's displays: the chain rule, and the four equations in matrix form ------------------------------

class _Vec(sp.MatrixSymbol):
    """A vector or matrix of the book's notation (δ⁽ˡ⁾, ∇ₐC, σ′(z⁽ˡ⁾)), typeset by its name as it is."""

    def _latex(self, printer):
        return self.name


class _Tr(sp.Transpose):
    r"""A transpose typeset :math:`(W^{(l+1)})^\top`: SymPy's :math:`W^{(l+1)}^{T}` is a double superscript."""

    def _latex(self, printer):
        return rf"\left({printer._print(self.arg)}\right)^{{\top}}"


class _Odot(HadamardProduct):
    r"""The elementwise product, typeset :math:`\odot` as the book writes it (SymPy writes :math:`\circ`)."""

    def _latex(self, printer):
        # a product inside is parenthesised, ((W^(l+1))^T delta^(l+1)) odot sigma'(z^(l)), as the book writes it
        return r" \odot ".join(rf"\left({printer._print(a)}\right)" if isinstance(a, (sp.MatMul, sp.MatAdd))
                                else printer._print(a) for a in self.args)


class _SumRows(sp.MatMul):
    r"""The sum of the rows of a matrix, :math:`\sum_{i=1}^n \Delta_{i,:}`: a row of ones times the matrix."""

    def _latex(self, printer):
        return rf"\sum_{{i=1}}^{{n}} {printer._print(self.args[-1])}_{{i,:}}"


class _System(Derivation):
    """Identities shown together as one aligned display, two to a line (the first half of them on the left), and
    checked together, entry by entry, at the same seeded points; their sides may be matrix expressions.

    ``free[k]`` lists the nodes that equation ``k`` keeps as variables (their definitions are not substituted):
    BP1 holds whatever the output layer's pre-activations are, so checking it with them free checks it for every
    input and weight, and costs a fraction of the expansion from the input up.
    """

    def __init__(self, label, chapter, title, lhs, rhs, *, free=None, **kwargs):
        super().__init__(label, chapter, title, sp.Tuple(*lhs), sp.Tuple(*rhs), **kwargs)
        self.free = [set(f) for f in (free or [()] * len(lhs))]

    @property
    def where(self) -> list[str]:
        """The notation only (δ⁽ˡ⁾, ∇C, σ′(z⁽ˡ⁾), ... as explicit matrices): the network is in the title."""
        return [f"{_latex(k)} = {_latex(v)}" for k, v in self.definitions.items() if isinstance(k, sp.MatrixSymbol)]

    @property
    def latex(self) -> str:
        # One equation per row: two side by side were wider than a phone, and MathJax then
        # broke each one inside its brackets.
        eqs = [f"{_latex(a)} &= {_latex(b)}" for a, b in zip(self.lhs, self.rhs)]
        return r"\begin{aligned}" + r",\\[6pt] ".join(eqs) + r"\end{aligned}"  # room between the fractions

    def _explicit(self, e, free) -> sp.ImmutableMatrix:
        """``e`` as an explicit matrix: notation by its definition, every derivative taken, every node substituted.

        Substituting a node inside an unevaluated derivative makes SymPy build a ``Subs`` and query assumptions
        on the whole cost, seconds on these expressions. So each derivative by a node ``v`` is taken directly:
        the definitions listed before ``v`` (the layers above it) are substituted, the result differentiated by
        ``v`` with the nodes still in it held fixed, as a partial derivative means, and the rest substituted after.
        """
        notation = {k: v for k, v in self.definitions.items() if isinstance(k, sp.MatrixSymbol)}
        functions = [(k, v) for k, v in self.definitions.items() if not isinstance(k, sp.Basic)]  # sigma

        def named(expr):  # sigma by its formula first, so that a derivative of it is taken at once
            for name, definition in functions:
                expr = expr.replace(name, definition)
            return expr

        nodes = [(k, named(v)) for k, v in self.definitions.items()
                 if k not in notation and k not in free and isinstance(k, sp.Basic)]

        def down(expr, stop=None):
            for name, definition in nodes:
                if name == stop:
                    break
                expr = expr.xreplace({name: definition})
            return expr

        e = named(e.xreplace(notation))
        e = e.replace(lambda a: isinstance(a, Partial), lambda a: sp.diff(down(a.expr, a.variables[0]), a.variables[0]))
        e = down(e).doit()
        return sp.ImmutableMatrix(e.as_explicit() if isinstance(e, sp.MatrixExpr) else e)

    def expanded(self):
        lhs, rhs = [], []
        for k, (a, b) in enumerate(zip(self.lhs, self.rhs)):
            a, b = self._explicit(a, self.free[k]), self._explicit(b, self.free[k])
            if a.shape != b.shape:
                raise AssertionError(f"{self.label}: the sides of equation {k + 1} have shapes {a.shape} and {b.shape}")
            lhs += list(a)
            rhs += list(b)
        return sp.ImmutableMatrix(lhs), sp.ImmutableMatrix(rhs)


_a_n, _z_n = _Node("chain_a", real=True), _Node("chain_z", real=True)
_TEX.update(chain_a="a", chain_z="z")
register(Derivation(
    "backprop.chain-rule", 6,
    r"the chain rule: $w$ reaches $C$ only through $z$, and $z$ only through $a$, so the derivative is the product "
    r"of the local derivatives; checked here on the sigmoid neuron with the squared error, the example below",
    Partial(_C, _w), sp.Mul(Partial(_C, _a_n), Partial(_a_n, _z_n), Partial(_z_n, _w), evaluate=False),
    # a as sigma's formula, not sigma(z): SymPy would otherwise take d/da as a derivative by the function sigma(z)
    definitions={_C: _sum(_a_n, -_y) ** 2, _a_n: SIGMA_DEF(_z_n), _z_n: _sum(_w * _x, _b)},
    domain={_y: (0.0, 1.0)}, prove=False))


def _grid(rows: int, cols: int, entry) -> sp.ImmutableMatrix:
    return sp.ImmutableMatrix(rows, cols, lambda i, j: entry(i, j))


_dC = {"L": _Vec(r"\delta^{(L)}", 2, 1), "l+1": _Vec(r"\delta^{(l+1)}", 2, 1), "l": _Vec(r"\delta^{(l)}", 2, 1)}
_sys = {"grad": _Vec(r"\nabla_{a^{(L)}} C", 2, 1), "sL": _Vec(r"\sigma'(z^{(L)})", 2, 1),
        "sl": _Vec(r"\sigma'(z^{(l)})", 2, 1), "W": _Vec(r"W^{(l+1)}", 2, 2), "a": _Vec(r"a^{(l-1)}", 2, 1),
        "db": _Vec(r"\frac{\partial C}{\partial b^{(l)}}", 2, 1),
        "dW": _Vec(r"\frac{\partial C}{\partial W^{(l)}}", 2, 2)}
register(_System(
    "backprop.four-equations", 6,
    r"the four equations in matrix form, checked on " + _network + r" ($L = 2$, and $l = 1$, the hidden layer, with "
    r"$a^{(0)} = x$): each error $\delta^{(l)} = \partial C/\partial z^{(l)}$ and each gradient is SymPy's "
    r"derivative of the whole cost, written out from the input up",
    [_dC["L"], _dC["l"], _sys["db"], _sys["dW"]],
    [_Odot(_sys["grad"], _sys["sL"]), _Odot(sp.MatMul(_Tr(_sys["W"]), _dC["l+1"]), _sys["sl"]), _dC["l"],
     sp.MatMul(_dC["l"], _Tr(_sys["a"]))],
    definitions={_dC["L"]: _grid(2, 1, lambda j, _: Partial(COST, Z[2][j])),
                 _dC["l+1"]: _grid(2, 1, lambda j, _: Partial(COST, Z[2][j])),
                 _dC["l"]: _grid(2, 1, lambda j, _: Partial(COST, Z[1][j])),
                 _sys["grad"]: _grid(2, 1, lambda j, _: Partial(COST, A[2][j])),
                 _sys["sL"]: _grid(2, 1, lambda j, _: _dsig(Z[2][j])),
                 _sys["sl"]: _grid(2, 1, lambda j, _: _dsig(Z[1][j])),
                 _sys["W"]: _grid(2, 2, lambda j, k: W[2][j][k]),
                 _sys["a"]: _grid(2, 1, lambda k, _: X[k]),
                 _sys["db"]: _grid(2, 1, lambda j, _: Partial(COST, B[1][j])),
                 _sys["dW"]: _grid(2, 2, lambda j, k: Partial(COST, W[1][j][k])),
                 COST: _cost_def,
                 # a^(2) as sigma's formula: the gradient is a derivative by a^(2) (see BP1 below)
                 **{A[2][j]: SIGMA_DEF(Z[2][j]) for j in range(2)}, **{Z[2][j]: _z_def(2, j) for j in range(2)},
                 **{A[1][j]: sigma(Z[1][j]) for j in range(2)}, **{Z[1][j]: _z_def(1, j) for j in range(2)},
                 sigma: SIGMA_Z_DEF},
    free=[Z[2], Z[1], (), ()],  # BP1 for any z^(2), BP2 for any z^(1); BP3 and BP4 from the input up
    domain=_domain, prove=False))  # SymPy's proof takes seconds on the expanded cost, as for BP1 to BP4 below

#: the batch network's cost: mathcore's mean squared error, the mean over the n x 1 outputs
_CB = _Node("CB", real=True)
_TEX["CB"] = "C"
_cost_batch = sp.Mul(sp.Rational(1, _NB * _WIDTH[2]), _sum(*[_sum(AB[2][i][j], -YB[i][j]) ** 2 for i in range(_NB)
                                                              for j in range(_WIDTH[2])]), evaluate=False)
_inputs_batch = {0: XB, 1: AB[1]}


def _zb_def(l: int, i: int, j: int):
    prev = _inputs_batch[l - 1][i]
    return _sum(*[sp.Mul(W[l][j][k], prev[k], evaluate=False) for k in range(_WIDTH[l - 1])], B[l][j])


def _each(l: int):
    """(i, j) of every entry of layer l's (n, units) matrices."""
    return [(i, j) for i in range(_NB) for j in range(_WIDTH[l])]


_n0, _n1, _n2 = _WIDTH[0], _WIDTH[1], _WIDTH[2]
_DB = {"L": _Vec(r"\Delta^{(L)}", _NB, _n2), "l+1": _Vec(r"\Delta^{(l+1)}", _NB, _n2),
       "l": _Vec(r"\Delta^{(l)}", _NB, _n1)}
_bat = {"grad": _Vec(r"\nabla_{A^{(L)}} C", _NB, _n2), "sL": _Vec(r"\sigma'(Z^{(L)})", _NB, _n2),
        "sl": _Vec(r"\sigma'(Z^{(l)})", _NB, _n1), "W": _Vec(r"W^{(l+1)}", _n2, _n1),
        "A": _Vec(r"A^{(l-1)}", _NB, _n0), "db": _Vec(r"\frac{\partial C}{\partial b^{(l)}}", 1, _n1),
        "dW": _Vec(r"\frac{\partial C}{\partial W^{(l)}}", _n1, _n0)}
register(_System(
    "backprop.four-equations.batch", 6,
    r"the four equations for a batch, one example per row, checked on a 2-2-1 network of sigmoid units fed "
    r"$n = 2$ examples, with the cost $C$ the mean squared error over the $n$ outputs ($L = 2$, $l = 1$, "
    r"$A^{(0)} = X$): each $\Delta^{(l)} = \partial C/\partial Z^{(l)}$ and each gradient is SymPy's derivative "
    r"of the whole cost, written out from the input up",
    [_DB["L"], _DB["l"], _bat["db"], _bat["dW"]],
    [_Odot(_bat["grad"], _bat["sL"]), _Odot(sp.MatMul(_DB["l+1"], _bat["W"]), _bat["sl"]),
     _SumRows(sp.ImmutableMatrix.ones(1, _NB), _DB["l"]), sp.MatMul(_Tr(_DB["l"]), _bat["A"])],
    definitions={_DB["L"]: _grid(_NB, _n2, lambda i, j: Partial(_CB, ZB[2][i][j])),
                 _DB["l+1"]: _grid(_NB, _n2, lambda i, j: Partial(_CB, ZB[2][i][j])),
                 _DB["l"]: _grid(_NB, _n1, lambda i, j: Partial(_CB, ZB[1][i][j])),
                 _bat["grad"]: _grid(_NB, _n2, lambda i, j: Partial(_CB, AB[2][i][j])),
                 _bat["sL"]: _grid(_NB, _n2, lambda i, j: _dsig(ZB[2][i][j])),
                 _bat["sl"]: _grid(_NB, _n1, lambda i, j: _dsig(ZB[1][i][j])),
                 _bat["W"]: _grid(_n2, _n1, lambda j, k: W[2][j][k]),
                 _bat["A"]: _grid(_NB, _n0, lambda i, k: XB[i][k]),
                 _bat["db"]: _grid(1, _n1, lambda _, j: Partial(_CB, B[1][j])),
                 _bat["dW"]: _grid(_n1, _n0, lambda j, k: Partial(_CB, W[1][j][k])),
                 _CB: _cost_batch,
                 **{AB[2][i][j]: SIGMA_DEF(ZB[2][i][j]) for i, j in _each(2)},
                 **{ZB[2][i][j]: _zb_def(2, i, j) for i, j in _each(2)},
                 **{AB[1][i][j]: sigma(ZB[1][i][j]) for i, j in _each(1)},
                 **{ZB[1][i][j]: _zb_def(1, i, j) for i, j in _each(1)},
                 sigma: SIGMA_Z_DEF},
    free=[[s for row in ZB[2] for s in row], [s for row in ZB[1] for s in row], (), ()],  # as for one example
    domain={**_domain, **{s: (-2.0, 2.0) for row in XB for s in row}, **{s: (0.0, 1.0) for row in YB for s in row}},
    prove=False))  # as for one example


# BP1 for unit j = 1 of the output layer, step by step; unit 2 is the same with the index changed
register(Chain(
    "backprop.bp1", 6,
    r"BP1, the error of the output layer: $\delta^{(L)} = \nabla_{a} C \odot \sigma'(z^{(L)})$, here for "
    r"unit 1 of the output layer (unit 2 is the same with the index changed)",
    [Step(_d(COST, Z[2][0])),
     Step(sp.Mul(_d(COST, A[2][0]), _d(A[2][0], Z[2][0]), evaluate=False),
          "chain rule: z₁⁽²⁾ reaches C only through a₁⁽²⁾ = σ(z₁⁽²⁾)"),
     Step(sp.Mul(_sum(A[2][0], -Y[0]), _d(A[2][0], Z[2][0]), evaluate=False),
          "∂C/∂a₁⁽²⁾ = a₁⁽²⁾ − y₁, from C = ½Σⱼ(aⱼ⁽²⁾ − yⱼ)²"),
     Step(_delta_defs[DELTA[2][0]], "a = σ(z), so ∂a/∂z = σ′(z) = σ(z)(1 − σ(z))")],
    # a as sigma's formula, not sigma(z): SymPy would otherwise take d/da as a derivative by the function sigma(z)
    definitions={COST: _cost_def, **{A[2][j]: SIGMA_DEF(Z[2][j]) for j in range(2)}, sigma: SIGMA_Z_DEF},
    domain=_domain, assumptions=_network, prove=False))

# BP2 in index notation, for unit 1 of the hidden layer: the step Nielsen proves. sigma' by its name keeps
# the lines narrow enough for a page's column.
_sigma_prime = sp.Function(r"\sigma'")
_paths = [sp.Mul(_d(COST, Z[2][k]), _d(Z[2][k], Z[1][0]), evaluate=False) for k in range(2)]
register(Chain(
    "backprop.bp2", 6,
    r"BP2, the error moves back one layer: $\delta^{(l)} = ((W^{(l+1)})^\top \delta^{(l+1)}) \odot "
    r"\sigma'(z^{(l)})$, here for unit 1 of the hidden layer, in index notation",
    [Step(_d(COST, Z[1][0])),
     Step(_sum(*_paths), "chain rule over the paths: z₁⁽¹⁾ reaches C through z₁⁽²⁾ and z₂⁽²⁾"),
     Step(_sum(*[sp.Mul(DELTA[2][k], _d(Z[2][k], Z[1][0]), evaluate=False) for k in range(2)]),
          "∂C/∂zₖ⁽²⁾ is δₖ⁽²⁾, by definition"),
     Step(_sum(*[sp.Mul(DELTA[2][k], W[2][k][0], _sigma_prime(Z[1][0]), evaluate=False) for k in range(2)]),
          "zₖ⁽²⁾ = Σᵢ wₖᵢ⁽²⁾ σ(zᵢ⁽¹⁾) + bₖ⁽²⁾, so ∂zₖ⁽²⁾/∂z₁⁽¹⁾ = wₖ₁⁽²⁾ σ′(z₁⁽¹⁾)"),
     Step(sp.Mul(_sum(W[2][0][0] * DELTA[2][0], W[2][1][0] * DELTA[2][1]), _sigma_prime(Z[1][0]), evaluate=False),
          "factor out σ′(z₁⁽¹⁾): the sum is row 1 of (W⁽²⁾)ᵀ δ⁽²⁾")],
    definitions={COST: _cost_def, **{DELTA[2][j]: _delta_defs[DELTA[2][j]] for j in range(2)},
                 **_upto(A[1][1]), _sigma_prime: sp.Lambda(_x, _dsig(_x)), sigma: SIGMA_Z_DEF},
    domain=_domain, assumptions=_network, prove=False))

_all_defs = {COST: _cost_def, **_delta_defs, **_forward_defs, sigma: SIGMA_Z_DEF}
register(Derivation(
    "backprop.bp3", 6,
    r"BP3, the gradient of every bias is the error of its unit, $\partial C/\partial b^{(l)} = \delta^{(l)}$: "
    r"SymPy's derivatives of the whole cost, from the input up, against the errors of BP1 and BP2",
    sp.Matrix([sp.Derivative(COST, B[l][j]) for l in (2, 1) for j in range(2)]),
    sp.Matrix([DELTA[l][j] for l in (2, 1) for j in range(2)]),
    definitions=_all_defs, domain=_domain, assumptions=_network, prove=False))

for _l, _name in ((2, "output"), (1, "hidden")):
    _in = "a^{(1)}_2" if _l == 2 else "x_2"
    register(Chain(
        f"backprop.bp4.{_name}", 6,
        rf"BP4 for the {_name} layer, $\partial C/\partial W^{{({_l})}} = \delta^{{({_l})}} "
        rf"(a^{{({_l - 1})}})^\top$ (with $a^{{(0)}} = x$): entry $(j, k)$ is $\delta^{{({_l})}}_j$ times the "
        rf"input $k$ of the layer, here entry $(1, 2)$; every step checked on the whole cost, from the input up",
        [Step(_d(COST, W[_l][0][1])),
         Step(sp.Mul(_d(COST, Z[_l][0]), _d(Z[_l][0], W[_l][0][1]), evaluate=False),
              f"chain rule: w₁₂⁽{'²' if _l == 2 else '¹'}⁾ reaches C only through z₁⁽{'²' if _l == 2 else '¹'}⁾"),
         Step(sp.Mul(DELTA[_l][0], _d(Z[_l][0], W[_l][0][1]), evaluate=False), "∂C/∂z₁ is δ₁, by definition"),
         Step(sp.Mul(DELTA[_l][0], _inputs[_l - 1][1], evaluate=False),
              "z₁ = w₁₁ (input 1) + w₁₂ (input 2) + b₁, so ∂z₁/∂w₁₂ is input 2")],
        definitions=_all_defs, domain=_domain, assumptions=_network, prove=False))


# --- BP4 over a batch: the mean of the examples' products ------------------------------------------

_n_batch = 2
_xb = [[_sym("x", None, i + 1, k + 1) for k in range(2)] for i in range(_n_batch)]  # x_ik: example i, input k
_yb = [_sym("y", None, i + 1) for i in range(_n_batch)]
_wb = [_sym("w", None, k + 1) for k in range(2)]
_bb = _sym("b", None)
_zb = [_sym("z", None, i + 1, node=True) for i in range(_n_batch)]  # nodes: they depend on w_1
_db = [_sym(r"\delta", None, i + 1) for i in range(_n_batch)]
_Cb = [sp.Function(f"C_{i + 1}") for i in range(_n_batch)]  # the cost of example i, as a function of w_1
_LEAVES |= {*_xb[0], *_xb[1], *_yb, *_wb, _bb}
register(Chain(
    "backprop.bp4.batch", 6,
    r"over a batch the cost is the mean of the examples' costs, so the weight gradient is the mean of their "
    r"BP4 products: $\partial C/\partial w_k = \frac1n\sum_i \delta_i x_{ik}$, entry $k$ of "
    r"$\frac1n X^\top \boldsymbol\delta$ (one sigmoid unit with two inputs, $n = 2$ examples, $k = 1$)",
    [Step(_d(sp.Mul(sp.Rational(1, _n_batch), _sum(*[C(_wb[0]) for C in _Cb]), evaluate=False), _wb[0])),
     Step(sp.Mul(sp.Rational(1, _n_batch), _sum(*[_d(C(_wb[0]), _wb[0]) for C in _Cb]), evaluate=False),
          "the derivative of a mean is the mean of the derivatives"),
     Step(sp.Mul(sp.Rational(1, _n_batch), _sum(*[sp.Mul(_db[i], _xb[i][0], evaluate=False)
                                                  for i in range(_n_batch)]), evaluate=False),
          "BP4 for each example alone: ∂Cᵢ/∂w₁ = δᵢ xᵢ₁")],
    definitions={**{C: sp.Lambda(_wb[0], sp.Mul(sp.Rational(1, 2), _sum(sigma(_zb[i]), -_yb[i]) ** 2,
                                                evaluate=False)) for i, C in enumerate(_Cb)},
                 **{_db[i]: sp.Mul(_sum(sigma(_zb[i]), -_yb[i]), _dsig(_zb[i]), evaluate=False)
                    for i in range(_n_batch)},
                 **{_zb[i]: _sum(sp.Mul(_wb[0], _xb[i][0], evaluate=False), sp.Mul(_wb[1], _xb[i][1], evaluate=False),
                                 _bb) for i in range(_n_batch)},
                 sigma: SIGMA_Z_DEF},
    domain={**{s: (-2.0, 2.0) for row in _xb for s in row}, **{s: (0.0, 1.0) for s in _yb}},
    assumptions=r"each example's cost $C_i = \frac12(\sigma(z_i) - y_i)^2$ with $z_i = w_1 x_{i1} + w_2 x_{i2} + b$",
    prove=False))
