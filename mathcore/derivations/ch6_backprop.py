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

SymPy's symbolic proof of these entries takes seconds (the expanded cost has
hundreds of terms), so they are checked numerically, at 200 seeded points
to a relative error of 1e-9, which is what verifies them when the chapter runs.
"""

from __future__ import annotations

import sympy as sp

from ._core import SIGMA_DEF, Derivation, register, sigma, unevaluated_sum as _sum


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
    definitions={_z: _sum(_w * _x, _b), sigma: SIGMA_DEF},
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


register(Derivation(
    "backprop.bp1", 6,
    r"BP1, the error of the output layer: $\delta^{(L)} = \nabla_{a} C \odot \sigma'(z^{(L)})$, here "
    r"$\delta^{(2)}_j = \partial C/\partial z^{(2)}_j = (a^{(2)}_j - y_j)\,\sigma'(z^{(2)}_j)$",
    sp.Matrix([sp.Derivative(COST, Z[2][j]) for j in range(2)]),
    sp.Matrix([_delta_defs[DELTA[2][j]] for j in range(2)]),
    definitions={COST: _cost_def, **_upto(A[2][1]), sigma: SIGMA_DEF},
    domain=_domain, assumptions=_network, prove=False))

register(Derivation(
    "backprop.bp2", 6,
    r"BP2, the error moves back one layer: $\delta^{(l)} = ((W^{(l+1)})^\top \delta^{(l+1)}) \odot "
    r"\sigma'(z^{(l)})$; the left side is SymPy differentiating the cost through the whole output layer",
    sp.Matrix([sp.Derivative(COST, Z[1][j]) for j in range(2)]),
    sp.Matrix([_delta_defs[DELTA[1][j]] for j in range(2)]),
    definitions={COST: _cost_def, **{DELTA[2][j]: _delta_defs[DELTA[2][j]] for j in range(2)},
                 **_upto(A[1][1]), sigma: SIGMA_DEF},
    domain=_domain, assumptions=_network, prove=False))

_all_defs = {COST: _cost_def, **_delta_defs, **_forward_defs, sigma: SIGMA_DEF}
register(Derivation(
    "backprop.bp3", 6,
    r"BP3, the gradient of every bias is the error of its unit, $\partial C/\partial b^{(l)} = \delta^{(l)}$: "
    r"SymPy's derivatives of the whole cost, from the input up, against the errors of BP1 and BP2",
    sp.Matrix([sp.Derivative(COST, B[l][j]) for l in (2, 1) for j in range(2)]),
    sp.Matrix([DELTA[l][j] for l in (2, 1) for j in range(2)]),
    definitions=_all_defs, domain=_domain, assumptions=_network, prove=False))

for _l, _name in ((2, "output"), (1, "hidden")):
    register(Derivation(
        f"backprop.bp4.{_name}", 6,
        rf"BP4 for the {_name} layer, $\partial C/\partial W^{{({_l})}} = \delta^{{({_l})}} "
        rf"(a^{{({_l - 1})}})^\top$ (with $a^{{(0)}} = x$): entry $(j, k)$ is $\delta^{{({_l})}}_j$ times the "
        rf"input $k$ of the layer; SymPy's derivatives of the whole cost against the equations",
        sp.Matrix([[sp.Derivative(COST, W[_l][j][k]) for k in range(2)] for j in range(2)]),
        sp.Matrix([[sp.Mul(DELTA[_l][j], _inputs[_l - 1][k], evaluate=False) for k in range(2)]
                   for j in range(2)]),
        definitions=_all_defs, domain=_domain, assumptions=_network, prove=False))
