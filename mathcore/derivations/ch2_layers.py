"""Chapter 2, Layers and forward propagation: the matrix form, linear collapse, XOR by hand, curves from units.

The matrix identities are written with ``MatrixSymbol`` s (``W``, ``a``, ...),
so they typeset as the book writes them, and each symbol is defined in the
"where" line as an explicit matrix of entries, which is what is checked.
The chapter's notation (a layer, a batch, a step of the forward pass, the
parameter count) is registered as :class:`Definition` s, checked against the
``mathcore.layers`` functions the chapter calls.
"""

from __future__ import annotations


import numpy as np
import sympy as sp
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from ._core import SIGMA_DEF, Chain, Derivation, Step, register, sigma, unevaluated_sum as _sum, x
from ._definition import Definition
from .. import activations, layers, neuron


relu = sp.Function("relu")
step = sp.Function("step")
RELU_DEF = sp.Lambda(x, activations.ACTIVATIONS["relu"].symbolic(x))
STEP_DEF = sp.Lambda(x, activations.ACTIVATIONS["step"].symbolic(x))


# === The chapter's notation and its displayed identities ===============================================
# Definitions are checked against the code the chapter calls (layers.dense_forward, layers.forward,
# layers.count_parameters); the helpers below typeset them as the book writes them.


class _Entrywise(ElementwiseApplyFunction):
    r"""``f`` applied to every entry of a matrix expression, typeset :math:`f(\mathbf z)` as the book writes it.

    SymPy's own form, :math:`(x \mapsto f(x))_\circ(\mathbf z)`, is exact but not the book's notation;
    ``.doit()`` on an explicit matrix applies ``f`` entry by entry, which is what the checks evaluate.
    """

    def _latex(self, printer):
        name = printer._print(self.function.expr.func)
        arg = printer._print(self.expr)
        return f"{name}({arg})" if isinstance(self.expr, sp.MatrixSymbol) else rf"{name}\left({arg}\right)"


def _entrywise(f, M):
    return _Entrywise(sp.Lambda(x, f(x)), M)


def _indexed(base: sp.IndexedBase, rows: int, cols: int = 1) -> sp.Matrix:
    """The entries ``base[i, j]`` (``base[i]`` for a column), numbered from 1, as a Definition's code receives them."""
    return sp.Matrix(rows, cols, lambda i, j: base[i + 1, j + 1] if cols > 1 else base[i + 1])


class _Width(sp.Indexed):
    """Entry ``k`` of :data:`_n`, typeset :math:`n_{k-1}`: widths are numbered from 0, a Definition's arrays from 1."""

    def _latex(self, printer):
        return rf"{printer._print(self.base.label)}_{{{sp.latex(self.indices[0] - 1)}}}"  # l - 1, not -1 + l


class _Widths(sp.IndexedBase):
    def __getitem__(self, index):
        return _Width(self, index)


# --- one layer: z = W a + b, a = f(z), written for 2 units with 3 inputs ----------------------------

_Wl = sp.MatrixSymbol("W^{(l)}", 2, 3)
_al_prev = sp.MatrixSymbol(r"\mathbf{a}^{(l-1)}", 3, 1)
_bl = sp.MatrixSymbol(r"\mathbf{b}^{(l)}", 2, 1)
_zl = sp.MatrixSymbol(r"\mathbf{z}^{(l)}", 2, 1)
_al = sp.MatrixSymbol(r"\mathbf{a}^{(l)}", 2, 1)
_wI, _aI, _bI, _zI = (sp.IndexedBase(name) for name in ("w", "a", "b", "z"))
register(Definition(
    "layers.pre-activation", 2,
    r"a layer's pre-activations: unit $i$ of layer $l$ weighs the previous layer's activations with row $i$ of "
    r"$W^{(l)}$ and adds its bias $b_i$",
    _zl, _Wl * _al_prev + _bl,
    code=lambda w, a, b: layers.dense_forward(a[None, :], w, b)[0], code_name="mathcore.layers.dense_forward",
    definitions={_Wl: _indexed(_wI, 2, 3), _al_prev: _indexed(_aI, 3), _bl: _indexed(_bI, 2)},
    assumptions=r"layers of any widths; written out here for $n_l = 2$ units with $n_{l-1} = 3$ inputs"))

f = sp.Function("f")
register(Definition(
    "layers.activation", 2,
    r"a layer's activations: the activation function $f$ applied to each entry of $\mathbf{z}^{(l)}$",
    _al, _entrywise(f, _zl),
    code=activations.ACTIVATIONS["tanh"], code_name='mathcore.activations.ACTIVATIONS["tanh"]',
    definitions={_zl: _indexed(_zI, 2), f: sp.Lambda(x, sp.tanh(x))},
    assumptions=r"every activation applied entry by entry (all but softmax); checked here with $f = \tanh$"))

# --- a batch: Z = X W^T + 1 b^T, three samples with two features through a layer of two units -------------

_Xb = sp.MatrixSymbol("X", 3, 2)
_WbT = sp.MatrixSymbol(r"W^{\top}", 2, 2)
_1b = sp.MatrixSymbol(r"\mathbf{1}", 3, 1)
_bbT = sp.MatrixSymbol(r"\mathbf{b}^{\top}", 1, 2)
_XI, _WI = sp.IndexedBase("X"), sp.IndexedBase("W")
register(Definition(
    "layers.batch", 2,
    r"a layer's pre-activations for a batch with one sample per row of $X$; NumPy computes them as "
    r"`X @ W.T + b`, broadcasting $\mathbf{b}$ to every row as $\mathbf{1}\mathbf{b}^\top$ does",
    sp.MatrixSymbol("Z", 3, 2), _Xb * _WbT + _1b * _bbT,
    code=layers.dense_forward,
    definitions={_Xb: _indexed(_XI, 3, 2), _WbT: _indexed(_WI, 2, 2).T, _1b: sp.ones(3, 1),
                 _bbT: _indexed(_bI, 2).T},
    assumptions="any batch and layer; written out here for 3 samples, 2 features and 2 units"))

# --- the forward pass, one layer at a time: A^(l) = f_l(Z^(l)), Z^(l) = A^(l-1) W^(l)T + 1 b^(l)T ---------

_Al = sp.MatrixSymbol("A^{(l)}", 2, 2)
_Zl = sp.MatrixSymbol("Z^{(l)}", 2, 2)
_Al_prev = sp.MatrixSymbol("A^{(l-1)}", 2, 3)
_WlT = sp.MatrixSymbol(r"W^{(l)\top}", 3, 2)
_1l = sp.MatrixSymbol(r"\mathbf{1}", 2, 1)
_blT = sp.MatrixSymbol(r"\mathbf{b}^{(l)\top}", 1, 2)
f_l = sp.Function("f_l")
_AI = sp.IndexedBase("A")
register(Definition(
    "layers.forward-step", 2,
    r"one step of the forward pass of a batch, starting from $A^{(0)} = X$: layer $l$ maps the activations "
    r"$A^{(l-1)}$ of the layer before to its own, $A^{(l)}$, by an affine map and its activation $f_l$",
    _Al, _entrywise(f_l, _Zl),
    code=lambda A, W, b: layers.forward(A, [W, b], "relu").output, code_name="mathcore.layers.forward",
    definitions={_Zl: _Al_prev * _WlT + _1l * _blT, _Al_prev: _indexed(_AI, 2, 3),
                 _WlT: _indexed(_WI, 2, 3).T, _1l: sp.ones(2, 1), _blT: _indexed(_bI, 2).T,
                 f_l: RELU_DEF},
    assumptions=r"every layer $l = 1, \dots, L$; checked for a batch of 2 samples through a layer of 2 ReLU "
                r"units with 3 inputs"))

# --- counting parameters: P = sum_l n_l (n_{l-1} + 1) ----------------------------------------------------

_n = _Widths("n")
_l, _L = sp.symbols("l L", integer=True, positive=True)
register(Definition(
    "layers.parameter-count", 2,
    r"a network of widths $n_0, n_1, \dots, n_L$ has $P$ parameters: layer $l$ has $n_l n_{l-1}$ weights and "
    r"$n_l$ biases",
    sp.Symbol("P"), sp.Sum(sp.Mul(_n[_l + 1], _sum(_n[_l], 1), evaluate=False), (_l, 1, _L)),
    code=lambda n: layers.count_parameters([int(v) for v in n]), code_name="mathcore.layers.count_parameters",
    sizes={_L: 3}, domain={_n: range(1, 101)},
    assumptions="any widths; checked for networks of three layers, with widths drawn from 1 to 100"))

# --- a network is a composition of its layers: F(x) = F_3(F_2(F_1(x))) -------------------------------------

_F, _F1, _F2, _F3 = (sp.Function(name) for name in ("F", "F_1", "F_2", "F_3"))
_f1, _f2, _f3 = (sp.Function(name) for name in ("f_1", "f_2", "f_3"))
_widths = (2, 2, 2, 1)
_xc = sp.MatrixSymbol(r"\mathbf{x}", _widths[0], 1)
_Wc = [sp.MatrixSymbol(f"W^{{({k})}}", _widths[k], _widths[k - 1]) for k in (1, 2, 3)]
_bc = [sp.MatrixSymbol(rf"\mathbf{{b}}^{{({k})}}", _widths[k], 1) for k in (1, 2, 3)]


def _layer_function(k: int, f):
    """F_k(a) = f_k(W^(k) a + b^(k)), a function of the previous layer's activations."""
    a = sp.MatrixSymbol(r"\mathbf{a}", _widths[k - 1], 1)
    return sp.Lambda(a, _entrywise(f, _Wc[k - 1] * a + _bc[k - 1]))


class _Composition(Definition):
    """A Definition whose "where" line names the layer functions but not the entries of their weights.

    The entries (drawn at random for the check) would fill a paragraph and say nothing about composition.
    """

    @property
    def where(self) -> list[str]:
        return [w for w in super().where if not w.split(" = ")[0].startswith(("W^", r"\mathbf{b}", r"\mathbf{x}"))]


register(_Composition(
    "layers.composition", 2,
    r"a network is the composition of its layers, each a function $F_l(\mathbf{a}) = f_l(W^{(l)}\mathbf{a} + "
    r"\mathbf{b}^{(l)})$ of the activations of the layer before",
    _F(_xc), _F3(_F2(_F1(_xc))),
    code=lambda x, W1, b1, W2, b2, W3, b3: layers.forward(x, [W1, b1, W2, b2, W3, b3],
                                                          ["tanh", "tanh", "identity"]).output[0],
    code_name="mathcore.layers.forward",
    definitions={_F1: _layer_function(1, _f1), _F2: _layer_function(2, _f2), _F3: _layer_function(3, _f3),
                 _f1: sp.Lambda(x, sp.tanh(x)), _f2: sp.Lambda(x, sp.tanh(x)), _f3: sp.Lambda(x, x),
                 _xc: _indexed(sp.IndexedBase("x"), _widths[0]),
                 **{_Wc[k]: _indexed(sp.IndexedBase(f"W{k + 1}"), _widths[k + 1], _widths[k]) for k in range(3)},
                 **{_bc[k]: _indexed(sp.IndexedBase(f"b{k + 1}"), _widths[k + 1]) for k in range(3)}},
    assumptions=r"any number of layers $L$; checked for $L = 3$, widths $(2, 2, 2, 1)$, tanh hidden layers and "
                r"an identity output"))

# --- XOR from the gates of Chapter 1 ---------------------------------------------------------------------

_x1, _x2 = sp.symbols("x_1 x_2", real=True)
_XOR, _AND, _OR, _NAND = (sp.Function(rf"\operatorname{{{g}}}") for g in ("XOR", "AND", "OR", "NAND"))


def _gate_output(gate: str, p, q):
    """The output on inputs ``p``, ``q`` of the step neuron that neuron.LOGIC_GATES records for ``gate``."""
    (c1, c2), bias = neuron.LOGIC_GATES[gate]
    return step(_sum(sp.nsimplify(c1) * p, sp.nsimplify(c2) * q, sp.nsimplify(bias)))


def _gate_neuron(gate: str) -> sp.Lambda:
    return sp.Lambda((_x1, _x2), _gate_output(gate, _x1, _x2))


_BITS = [{_x1: p, _x2: q} for p in (0, 1) for q in (0, 1)]
register(Derivation(
    "layers.xor-gates", 2,
    r"XOR is AND of OR and NAND: with the step neurons of Chapter 1 for the three gates, the composition "
    r"outputs 1 exactly when one input is on",
    _XOR(_x1, _x2), _AND(_OR(_x1, _x2), _NAND(_x1, _x2)),
    definitions={_XOR: sp.Lambda((_x1, _x2), sp.Abs(_sum(_x1, -_x2))), _AND: _gate_neuron("AND"),
                 _OR: _gate_neuron("OR"), _NAND: _gate_neuron("NAND"), step: STEP_DEF},
    domain={_x1: range(2), _x2: range(2)}, points=_BITS,
    assumptions=r"every pair of bits $x_1, x_2 \in \{0, 1\}$ (the check draws bits)",
    prove=False))  # an identity on bits only: between them the two sides differ, so there is nothing to prove


def _xor_params() -> list[np.ndarray]:
    """The XOR network of the chapter: hidden units OR and NAND, output unit AND, from neuron.LOGIC_GATES."""
    (w_or, b_or), (w_nand, b_nand), (w_and, b_and) = (neuron.LOGIC_GATES[g] for g in ("OR", "NAND", "AND"))
    return [np.vstack([w_or, w_nand]), np.array([b_or, b_nand]), w_and[None, :], np.array([b_and])]


_y = sp.Symbol("y", real=True)
_h = [_gate_output(g, _x1, _x2) for g in ("OR", "NAND")]  # step(x1 + x2 - 1/2), step(-x1 - x2 + 3/2)
register(Definition(
    "layers.xor-network", 2,
    r"the output of the XOR network, hidden units OR and NAND and output unit AND, as a formula in its inputs",
    _y, _gate_output("AND", *_h),
    code=lambda x_1, x_2: layers.forward(np.array([[x_1, x_2]]), _xor_params(), "step").output[0, 0],
    code_name="mathcore.layers.forward",
    definitions={step: STEP_DEF}, domain={_x1: (-1.0, 2.0), _x2: (-1.0, 2.0)},
    # the four XOR inputs, and a point on each hidden unit's line, where step(0) = 1 decides
    points=[*_BITS, {_x1: 0.25, _x2: 0.25}, {_x1: 0.75, _x2: 0.75}],
    assumptions="every real input, the lines where a unit's sum is 0 included"))

# --- the error of the ReLU broken line through sin 2 pi x ---------------------------------------------------

_hk, _nk = sp.symbols("h n", positive=True)
_max_f2 = sp.Symbol(r"\max_{x} \lvert f''(x) \rvert", positive=True)
register(Chain(
    "layers.interpolation-bound", 2,
    r"for $f(x) = \sin 2\pi x$ and $n$ ReLU units, the classical bound $\frac{h^2}{8}\max|f''|$ on the error of "
    r"linear interpolation is $\frac{\pi^2}{2n^2}$: the knots are $h = \frac{1}{n}$ apart, and "
    r"$f''(x) = -4\pi^2 \sin 2\pi x$ is largest in size, $4\pi^2$, at $x = \frac{1}{4}$",
    [Step(sp.Mul(_hk**2 / 8, _max_f2, evaluate=False)),
     Step(sp.Mul(_hk**2 / 8, 4 * sp.pi**2, evaluate=False),
          "f″(x) = −4π² sin 2πx is largest in size, 4π², where sin 2πx = ±1, as at x = 1/4"),
     Step(sp.Mul(sp.Mul(sp.Rational(1, 8), sp.Pow(_nk, -2), evaluate=False), 4 * sp.pi**2, evaluate=False),
          "the knots are h = 1/n apart"),
     Step(sp.pi**2 / (2 * _nk**2), "4/8 = 1/2")],
    definitions={_max_f2: sp.Abs(sp.diff(sp.sin(2 * sp.pi * x), x, 2).subs(x, sp.Rational(1, 4))), _hk: 1 / _nk},
    domain={_nk: (1.0, 200.0)}, assumptions="every number of units $n$"))

# --- a ReLU network for max(x1, x2), every real input ---------------------------------------------------

register(Derivation(
    "layers.max-relu", 2,
    r"three ReLU units and a linear output compute $\max(x_1, x_2)$ for every real input: "
    r"$\operatorname{relu}(x_1 - x_2)$ adds what $x_1$ exceeds $x_2$ by, and the last two units carry $x_2$ through",
    sp.Max(_x1, _x2), _sum(relu(_sum(_x1, -_x2)), relu(_x2), -relu(-_x2)),
    definitions={relu: RELU_DEF}, points=[{_x1: 1.0, _x2: 1.0}, {_x1: 1.0, _x2: 0.0}, {_x1: 0.0, _x2: 0.0}],
    assumptions=r"every real $(x_1, x_2)$, the kinks $x_1 = x_2$ and $x_2 = 0$ included",
    prove=False))  # SymPy's proof through three Piecewise functions costs more than the chapter can spare


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
