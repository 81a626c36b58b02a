"""Chapter 2, Layers and forward propagation: the matrix form, linear collapse, XOR by hand, curves from units.

The matrix identities are written with ``MatrixSymbol`` s (``W``, ``a``, ...),
so they typeset as the book writes them, and each symbol is defined in the
"where" line as an explicit matrix of entries, which is what is checked.
"""

from __future__ import annotations

import sympy as sp

from ._core import SIGMA_DEF, Chain, Derivation, Step, register, sigma, unevaluated_sum as _sum, x
from .. import activations

relu = sp.Function("relu")
step = sp.Function("step")
RELU_DEF = sp.Lambda(x, activations.ACTIVATIONS["relu"].symbolic(x))
STEP_DEF = sp.Lambda(x, activations.ACTIVATIONS["step"].symbolic(x))


def _entries(name: str, rows: int, cols: int) -> sp.Matrix:
    """A matrix of real symbols named ``name_{ij}`` (or ``name_{i}`` for a column)."""
    def entry(i, j):
        return sp.Symbol(f"{name}_{{{i + 1}{j + 1}}}" if cols > 1 else f"{name}_{{{i + 1}}}", real=True)
    return sp.Matrix(rows, cols, entry)


def _dot(row, col, *extra):
    """``row[0] col[0] + row[1] col[1] + ... + extra``, typeset in that order."""
    return _sum(*[sp.Mul(r, c, evaluate=False) for r, c in zip(row, col)], *extra)


# --- one layer: z = W a + b ---------------------------------------------------------------------

_W = sp.MatrixSymbol("W", 2, 3)
_a = sp.MatrixSymbol(r"\mathbf{a}", 3, 1)
_b = sp.MatrixSymbol(r"\mathbf{b}", 2, 1)
_w, _av, _bv = _entries("w", 2, 3), _entries("a", 3, 1), _entries("b", 2, 1)
register(Derivation(
    "layers.matrix-form", 2,
    r"a layer of two neurons with three inputs: row $i$ of $W\mathbf{a} + \mathbf{b}$ is neuron $i$'s "
    r"weighted sum plus its bias, with the neuron's weights in row $i$ of $W$",
    _W * _a + _b,
    sp.Matrix(2, 1, lambda i, j: _dot(_w.row(i), _av, _bv[i])),
    definitions={_W: _w, _a: _av, _b: _bv},
    assumptions="any number of neurons and inputs; written out here for 2 and 3"))

# --- a batch, one sample per row: Z = X W^T + 1 b^T -------------------------------------------------

# Three samples with two features through a layer of two units: small enough to typeset in full.
# W^T and b^T are symbols of their own, defined by their entries, so they typeset with the book's
# transpose sign, and the "where" line shows W's rows becoming the columns of W^T.
_X = sp.MatrixSymbol("X", 3, 2)
_WT = sp.MatrixSymbol(r"W^{\top}", 2, 2)
_ones = sp.MatrixSymbol(r"\mathbf{1}", 3, 1)
_bT = sp.MatrixSymbol(r"\mathbf{b}^{\top}", 1, 2)
_xv, _w2 = _entries("x", 3, 2), _entries("w", 2, 2)
register(Derivation(
    "layers.batch-form", 2,
    r"a batch of three samples as the rows of $X$, through a layer of two units: entry $(i, j)$ of "
    r"$XW^\top + \mathbf{1}\mathbf{b}^\top$ is unit $j$'s pre-activation on sample $i$, so row $i$ is "
    r"$(W\mathbf{x}_i + \mathbf{b})^\top$",
    _X * _WT + _ones * _bT,
    sp.Matrix(3, 2, lambda i, j: _dot(_xv.row(i), _w2.row(j), _bv[j])),
    definitions={_X: _xv, _WT: _w2.T, _ones: sp.ones(3, 1), _bT: _bv.T},
    assumptions=r"any batch size and layer; $\mathbf{1}\mathbf{b}^\top$ is what NumPy's broadcasting adds to "
                r"each row"))

# --- two linear layers collapse into one --------------------------------------------------------------

_n0, _n1, _n2 = 2, 3, 1
_W1 = sp.MatrixSymbol("W^{(1)}", _n1, _n0)
_W2 = sp.MatrixSymbol("W^{(2)}", _n2, _n1)
_b1 = sp.MatrixSymbol(r"\mathbf{b}^{(1)}", _n1, 1)
_b2 = sp.MatrixSymbol(r"\mathbf{b}^{(2)}", _n2, 1)
_x = sp.MatrixSymbol(r"\mathbf{x}", _n0, 1)
_Wc = sp.MatrixSymbol("W'", _n2, _n0)
_bc = sp.MatrixSymbol(r"\mathbf{b}'", _n2, 1)
register(Chain(
    "layers.linear-collapse", 2,
    r"two linear layers in a row are one linear layer, with weights $W' = W^{(2)}W^{(1)}$ and bias "
    r"$\mathbf{b}' = W^{(2)}\mathbf{b}^{(1)} + \mathbf{b}^{(2)}$",
    [Step(_W2 * (_W1 * _x + _b1) + _b2),
     Step(sp.MatAdd(_W2 * _W1 * _x, _W2 * _b1, _b2, evaluate=False), "a matrix product distributes over a sum"),
     Step(sp.MatAdd(sp.MatMul(_W2, _W1, evaluate=False) * _x, sp.MatAdd(_W2 * _b1, _b2, evaluate=False),
                    evaluate=False), "group: the weights times x, then the rest"),
     Step(_Wc * _x + _bc, "name the product W′ and the constant b′")],
    definitions={_Wc: _W2 * _W1, _bc: _W2 * _b1 + _b2,
                 _W1: _entries("u", _n1, _n0), _b1: _entries("c", _n1, 1),
                 _W2: _entries("v", _n2, _n1), _b2: _entries("d", _n2, 1), _x: _entries("x", _n0, 1)},
    assumptions="layers of any sizes; checked with 2 inputs, 3 hidden units and 1 output"))

# --- a nonlinearity makes something new ----------------------------------------------------------------

register(Derivation(
    "layers.relu-abs", 2,
    r"two ReLU units, one seeing $x$ and one $-x$, summed by an output unit, compute $|x|$, "
    r"which no linear layer computes",
    _sum(relu(x), relu(-x)), sp.Abs(x),
    definitions={relu: RELU_DEF}, points=[{x: 0.0}], prove=False))

# --- XOR by hand ---------------------------------------------------------------------------------------

x1, x2 = sp.symbols("x_1 x_2", real=True)
h1, h2 = sp.symbols("h_1 h_2", real=True)
_half = sp.Rational(1, 2)
register(Derivation(
    "layers.xor-band", 2,
    r"the output unit $\operatorname{step}(h_1 + h_2 - \frac{3}{2})$ is AND of the hidden units, "
    r"their product: the network outputs 1 exactly on the band $\frac{1}{2} \le x_1 + x_2 \le \frac{3}{2}$ "
    r"between the OR unit's line and the NAND unit's line",
    step(_sum(h1, h2, -3 * _half)), sp.Mul(h1, h2, evaluate=False),
    definitions={h1: step(_sum(x1, x2, -_half)), h2: step(_sum(-x1, -x2, 3 * _half)), step: STEP_DEF},
    domain={x1: (-1.0, 2.0), x2: (-1.0, 2.0)},
    # the four XOR inputs, and a point on each hidden unit's line, where step(0) = 1 decides
    points=[{x1: 0, x2: 0}, {x1: 0, x2: 1}, {x1: 1, x2: 0}, {x1: 1, x2: 1},
            {x1: 0.25, x2: 0.25}, {x1: 0.75, x2: 0.75}],
    assumptions=r"every real $(x_1, x_2)$, including the lines themselves, where $\operatorname{step}(0) = 1$",
    prove=False))  # SymPy proves it, but takes 0.3-0.5 s of the chapter's time budget

# --- curves from units: ReLU interpolation and steep sigmoids -------------------------------------------

_ys = sp.symbols("y_0:4", real=True)
_ss = sp.symbols("s_0:3", real=True)
_t = [sp.Integer(0), sp.Rational(1, 3), sp.Rational(2, 3), sp.Integer(1)]
_ell = sp.Function(r"\ell")  # the broken line through the four points
register(Derivation(
    "layers.relu-interpolation", 2,
    r"three ReLU units that switch on at the knots $0, \frac{1}{3}, \frac{2}{3}$, with output weights the "
    r"changes of slope $s_k - s_{k-1}$, draw the broken line $\ell$ through the points $(\frac{k}{3}, y_k)$",
    _sum(_ys[0], sp.Mul(_ss[0], relu(x), evaluate=False),
         sp.Mul(_sum(_ss[1], -_ss[0]), relu(_sum(x, -_t[1])), evaluate=False),
         sp.Mul(_sum(_ss[2], -_ss[1]), relu(_sum(x, -_t[2])), evaluate=False)),
    _ell(x),
    # the knots are 1/3 apart, so the slope of segment k is 3 (y_{k+1} - y_k)
    definitions={_ell: sp.Lambda(x, sp.Piecewise(evaluate=False, *[
                     (_sum(_ys[k], sp.Mul(_ss[k], _sum(x, -_t[k]) if k else x, evaluate=False)),
                      # each case says its own interval, so it reads correctly on its own
                      sp.And(x > _t[k], x <= _t[k + 1]) if k == 1 else (x <= _t[1] if k == 0 else x > _t[2]))
                     for k in range(3)])),
                 **{_ss[k]: sp.Mul(3, _sum(_ys[k + 1], -_ys[k]), evaluate=False) for k in range(3)},
                 relu: RELU_DEF},
    domain={x: (0.0, 1.0)}, points=[{x: 1 / 3}, {x: 2 / 3}],
    assumptions=r"every $x$ in $[0, 1]$ and all values $y_0, \dots, y_3$", prove=False))

kappa, z = sp.symbols("kappa z", real=True)
register(Derivation(
    "layers.sigmoid-step-gap", 2,
    r"a sigmoid made steep by a weight $\kappa$ differs from a step by exactly $\sigma(-\kappa|z|)$, "
    r"which is less than $e^{-\kappa|z|}$",
    sp.Abs(_sum(sigma(kappa * z), -step(z))), sigma(-kappa * sp.Abs(z)),
    definitions={sigma: SIGMA_DEF, step: STEP_DEF},
    domain={kappa: (0.5, 20.0), z: (-4.0, 4.0)}, points=[{z: 0.0}],
    assumptions=r"every $\kappa > 0$ and every $z$, including $z = 0$", prove=False))
