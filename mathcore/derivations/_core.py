"""The Derivation class and the registry; the entries live in one module per chapter."""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter

from .. import activations
from .._validate import MAX_SYMBOLS, check_scalar, check_seed, flag, lookup, text

__all__ = ["Derivation", "MatrixDerivation", "Step", "Chain", "DERIVATIONS", "get", "register", "by_chapter",
           "chains", "N_POINTS",
           "unevaluated_sum", "ones", "x", "sigma", "SIGMA_DEF", "SIGMA_Z_DEF", "Phi", "phi", "GAUSS_DEFS"]

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
    chapter : int or str
        The chapter that shows it, 1 to 99 (a capital letter for an appendix).
    title : str
        One line saying what it states.
    lhs, rhs : sympy expressions or matrices
        The two sides as typeset. ``Derivative`` objects stay unevaluated in
        the typeset form and are evaluated when checking.
    definitions : dict
        Named function (an undefined ``sympy.Function``) or symbol -> its
        definition (a ``Lambda`` or an expression), substituted before checking.
    domain : dict
        Symbol -> (low, high) interval to sample, or a ``range`` of whole numbers (widths, bits);
        default (-4, 4).
    points : list of dict
        Extra points to check, e.g. ``[{x: 0}]`` at a kink.
    assumptions : str
        Conditions under which the identity holds, shown with it.
    prove : bool
        Ask SymPy for a symbolic proof (default). Set False where SymPy is known
        to fail slowly (piecewise functions of several variables): the numerical
        check still runs, and the status says which kind of check passed.
    wrap : int, optional
        Where an equation too wide for the page breaks (``tests/test_browser.py``
        measures every displayed equation): ``None``, one line (default); ``0``,
        the right side on a line of its own below the left; ``k >= 1``, the first
        ``k`` terms of the right side's sum on the first line, the rest below.

    A malformed field is refused when the entry is written, by a TypeError or
    ValueError that names it: ``lhs`` and ``rhs`` are SymPy objects (``sp.Integer(0)``,
    not ``0``), ``domain`` maps symbols to finite ``(low, high)`` with low < high, and
    ``points`` map symbols to finite numbers.
    """

    label: str
    chapter: int | str
    title: str
    lhs: sp.Basic
    rhs: sp.Basic
    definitions: dict = field(default_factory=dict)
    domain: dict = field(default_factory=dict)
    points: list = field(default_factory=list)
    assumptions: str = ""
    prove: bool = True
    wrap: int | None = None
    status: str = field(default="not verified yet", init=False)

    def __post_init__(self):
        # An entry is checked where it is written: a malformed one would otherwise fail (or pass) only
        # when a chapter shows it, with a SymPy error that does not say which field is wrong.
        text(self.label, "label")
        where = f"{self.label}: "
        _check_chapter(self.chapter, where)
        _check_text(self.title, "title", where)
        _check_text(self.assumptions, "assumptions", where, empty=True)
        _check_expr(self.lhs, "lhs", where)
        _check_expr(self.rhs, "rhs", where)
        self.prove = flag(self.prove, where + "prove")
        _check_definitions(self.definitions, where)
        _check_domain(self.domain, where)
        _check_points(self.points, where)
        if self.wrap is None:
            return
        if isinstance(self.wrap, bool) or not isinstance(self.wrap, int) or self.wrap < 0:
            raise ValueError(f"{self.label}: wrap must be None or an int >= 0, got {self.wrap!r}")
        if self.wrap and not (isinstance(self.rhs, sp.Add) and len(self.rhs.args) > self.wrap):
            raise ValueError(f"{self.label}: wrap={self.wrap} needs a right side that is a sum of more than "
                             f"{self.wrap} terms")

    @property
    def latex(self) -> str:
        """LaTeX of ``lhs = rhs``, terms in the order they were written (``evaluate=False`` keeps it)."""
        lhs = _latex(self.lhs)
        if self.wrap is None:
            return f"{lhs} = {_latex(self.rhs)}"
        if self.wrap == 0:
            return rf"\begin{{aligned}} & {lhs} \\ &= {_latex(self.rhs)} \end{{aligned}}"
        terms = self.rhs.args
        first = _latex(sp.Add(*terms[:self.wrap], evaluate=False))
        rest = _latex(sp.Add(*terms[self.wrap:], evaluate=False))
        # "{}" before the sign: TeX spaces a binary operator after it, a sign at the start of a line reads unary
        rest = f"{{}}{rest}" if rest.startswith("-") else f"{{}}+ {rest}"
        return rf"\begin{{aligned}} {lhs} &= {first} \\ &\quad {rest} \end{{aligned}}"

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
                head = _latex(name(*definition.variables))
                shown.append(f"{head} = {_latex(definition.expr)}")
            else:
                shown.append(f"{_latex(name)} = {_latex(definition)}")
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
            samples.append({s: _draw(rng, self.domain.get(s, (-4.0, 4.0))) for s in symbols})
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
                # shapes first: allclose broadcasts, and an unevaluated c I + M (doit leaves an Identity beside an
                # explicit matrix) evaluates to an array of another shape that it would compare without complaint
                if a.shape != b.shape or not np.allclose(a, b, rtol=RTOL, atol=RTOL):
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


class MatrixDerivation(Derivation):
    r"""An identity of matrix calculus, typeset index-free and checked entry by entry.

    ``lhs`` is ``Derivative(f, X)`` of a ``MatrixSymbol`` expression and ``rhs``
    a matrix expression, e.g. :math:`\partial (x^T A x)/\partial x = (A + A^T) x`.
    To check it, every ``MatrixSymbol`` is replaced by an explicit matrix of
    scalar symbols (``A`` by ``A_11 ... A_33``) and the derivative is taken one
    scalar entry at a time, so SymPy's index-free matrix calculus, the thing
    being stated, is never used to check itself. Layout: the derivative of a
    scalar has the shape of the variable (so a gradient step ``W - eta * dC/dW``
    type-checks); the derivative of a column vector ``f`` by a column vector
    ``x`` is the Jacobian with entries ``d f_i / d x_j``. Non-square shapes in
    the entries catch a transposition that a square example would hide.
    """

    def _subs(self) -> dict:
        matrices = {m for side in (self.lhs, self.rhs) for m in side.atoms(sp.MatrixSymbol)}
        # the column of ones (as in X W^T + 1 b^T) is a constant, not a variable
        return {m: sp.ImmutableMatrix.ones(*m.shape) if m.name == ONES_NAME else _explicit(m) for m in matrices}

    def _evaluate(self, e, subs) -> sp.ImmutableMatrix:
        if isinstance(e, sp.Derivative):
            (var, order), = e.variable_count
            if order != 1 or var not in subs:
                raise ValueError(f"{self.label}: only first derivatives by a MatrixSymbol are supported")
            f, v = self._evaluate(e.expr, subs), subs[var]
            if f.shape == (1, 1):
                return v.applyfunc(lambda s: sp.diff(f[0, 0], s))
            if f.cols == 1 and v.cols == 1:
                return f.jacobian(v)
            raise ValueError(f"{self.label}: derivative of a {f.shape} matrix by a {v.shape} one")
        out = e.xreplace(subs).doit()
        if isinstance(out, sp.MatrixExpr):
            out = out.as_explicit()
        return sp.ImmutableMatrix(out) if isinstance(out, sp.MatrixBase) else sp.ImmutableMatrix([[out]])

    def expanded(self) -> tuple[sp.Basic, sp.Basic]:
        subs = self._subs()
        return self._evaluate(self.lhs, subs), self._evaluate(self.rhs, subs)

    def finite_difference_error(self, seed: int = 0, h: float = 1e-5) -> float:
        """Relative error between the right-hand side and central differences of the function.

        A third, independent check: the differentiated function is evaluated in
        NumPy at a seeded point and :func:`mathcore.gradcheck.numerical_gradient`
        perturbs each entry of the variable; no symbolic derivative is involved.
        """
        from ..gradcheck import numerical_gradient, relative_error  # gradcheck imports nothing from here

        seed = check_seed(seed)
        if not isinstance(self.lhs, sp.Derivative):
            raise ValueError(f"{self.label}: the left-hand side is not a derivative")
        subs = self._subs()
        (var, _), = self.lhs.variable_count
        f = self._evaluate(self.lhs.expr, subs)
        rhs = self._evaluate(self.rhs, subs)
        symbols = sorted(f.free_symbols | rhs.free_symbols, key=lambda s: s.name)
        values = np.random.default_rng(seed).uniform(-2.0, 2.0, len(symbols))
        index = {s: k for k, s in enumerate(symbols)}
        entries = [index[s] for s in subs[var]]        # the variable's entries, row by row
        f_num = sp.lambdify([symbols], list(f), "numpy")
        numeric = np.empty((len(f), len(entries)))
        for i in range(len(f)):
            numeric[i] = numerical_gradient(lambda: float(f_num(values)[i]), [values], h=h)[0][entries]
        # a scalar's gradient has the variable's shape; a vector's Jacobian is (len f, len var)
        shape = subs[var].shape if len(f) == 1 else (len(f), len(entries))
        analytic = np.array(sp.lambdify([symbols], rhs, "numpy")(values), dtype=np.float64)
        return relative_error(numeric.reshape(shape), analytic.reshape(shape))

    @property
    def latex(self) -> str:
        # SymPy writes d/dW for a derivative of a trace; the book writes partial derivatives throughout
        return super().latex.replace(r"\frac{d}{d ", r"\frac{\partial}{\partial ")


@dataclass(frozen=True)
class Step:
    """One link of a :class:`Chain`: the expression shown, and the rule that gives it from the one before.

    Parameters
    ----------
    expr : sympy expression or matrix
        What the reader sees on this line of the chain.
    reason : str
        The rule used, in a few words of plain text (Unicode, no LaTeX): "chain
        rule", "substitute σ′ = σ(1 − σ)", "sum over the batch". The first step
        of a chain is where it starts and has no reason.
    """

    expr: sp.Basic
    reason: str = ""


class Chain(Derivation):
    r"""A derivation written as a chain of equalities, every link checked.

    ``steps[0].expr = steps[1].expr = ... = steps[-1].expr``, each step with the
    rule that justifies it. :meth:`verify` checks every consecutive pair as a
    :class:`Derivation` of its own (a SymPy proof where SymPy finds one, and
    seeded points always), so a wrong step fails by its index, its rule and the
    point where its two sides differ, not merely the chain's end. The first and
    last steps are the chain's ``lhs`` and ``rhs``: a chain is a registry entry
    like any other, typeset as aligned equalities with each rule beside its line.

    Parameters
    ----------
    label, chapter, title
        As for :class:`Derivation`.
    steps : sequence of Step or (expr, reason) pairs
        At least two; the first without a reason.
    **kwargs
        ``definitions``, ``domain``, ``points``, ``assumptions``, ``prove`` as for
        :class:`Derivation`; they apply to every link.
    """

    def __init__(self, label: str, chapter, title: str, steps, **kwargs):
        text(label, "label")
        steps = _check_steps(steps, f"{label}: ")
        if len(steps) < 2:
            raise ValueError(f"{label}: a chain needs at least two steps, got {len(steps)}")
        if steps[0].reason:
            raise ValueError(f"{label}: the first step is where the chain starts and takes no reason, "
                             f"got {steps[0].reason!r}")
        for k, step in enumerate(steps[1:], start=1):
            if not (isinstance(step.reason, str) and step.reason.strip()):
                raise ValueError(f"{label}: step {k} needs a reason (the rule that gives it from step {k - 1})")
            if "$" in step.reason or "\\" in step.reason:
                raise ValueError(f"{label}: step {k}'s reason is plain text, not LaTeX: {step.reason!r}")
        if "wrap" in kwargs:
            raise ValueError(f"{label}: a chain has one line per step; wrap does not apply")
        super().__init__(label, chapter, title, steps[0].expr, steps[-1].expr, **kwargs)
        self.steps = steps

    def links(self) -> list[Derivation]:
        """Each consecutive pair of steps as a derivation of its own: link k is step k - 1 = step k."""
        return [Derivation(f"{self.label}/step{k}", self.chapter, step.reason, self.steps[k - 1].expr, step.expr,
                           definitions=self.definitions, domain=self.domain, points=self.points,
                           prove=self.prove)
                for k, step in enumerate(self.steps) if k]

    def verify(self) -> bool:
        """True if every step follows from the one before; AssertionError naming the first that does not."""
        proved = 0
        for k, link in enumerate(self.links(), start=1):
            try:
                link.verify()
            except AssertionError as exc:
                detail = str(exc).split(": ", 1)[1]
                self.status = "not verified yet"
                raise AssertionError(f"{self.label}: step {k} ({link.title}) does not follow from step {k - 1}: "
                                     f"{detail}") from None
            proved += link.status.startswith("proved")
        n, points = len(self.steps) - 1, N_POINTS + len(self.points)
        # the same opening words as a single identity's status ("proved ...", "checked ...")
        if proved == n:
            self.status = f"proved symbolically by SymPy step by step, all {n} steps, and checked at {points} points"
        elif proved == 0:
            self.status = f"checked numerically step by step, all {n} steps, at {points} points"
        else:
            self.status = (f"checked step by step, all {n} steps, at {points} points; {proved} of them also proved "
                           "symbolically by SymPy")
        return True

    @property
    def latex(self) -> str:
        """The aligned chain, each line numbered; the rules go in a list under it (:attr:`reasons`).

        Beside the lines they would make the display wider than a page's column.
        """
        lines = []
        for k, step in enumerate(self.steps):
            if k == 0:
                continue
            head = _latex(self.steps[0].expr) if k == 1 else ""
            lines.append(rf"{head} &= {_latex(step.expr)} \qquad \text{{({k})}}")
        return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"

    @property
    def reasons(self) -> str:
        """Markdown: the numbered list of the rules, line k of the chain by rule k."""
        return "\n".join(f"{k}. {_markdown(step.reason)}" for k, step in enumerate(self.steps) if k)


def _markdown(reason: str) -> str:
    """``reason`` as Markdown text: the characters Markdown would read as markup escaped."""
    for char in "\\`*_[]<>|":
        reason = reason.replace(char, "\\" + char)
    return reason


def chains() -> list[Chain]:
    """Every registered derivation written as a chain of checked steps."""
    return [d for d in DERIVATIONS.values() if isinstance(d, Chain)]


#: The name of :func:`ones`, a constant to :class:`MatrixDerivation`.
ONES_NAME = r"\mathbf{1}"


def ones(n: int) -> sp.MatrixSymbol:
    """The column of ``n`` ones, typeset :math:`\\mathbf 1`, for :class:`MatrixDerivation` entries."""
    # each entry becomes a SymPy symbol when the entry is checked
    n = check_scalar(n, "n", low=1, high=MAX_SYMBOLS, integer=True)
    return sp.MatrixSymbol(ONES_NAME, n, 1)


def _explicit(m: sp.MatrixSymbol) -> sp.ImmutableMatrix:
    """``m`` as a matrix of scalar symbols: ``x_1, x_2`` for a column, ``W_11, W_12, ...`` otherwise."""
    if m.cols == 1:
        return sp.ImmutableMatrix(m.rows, 1, [sp.Symbol(f"{m.name}_{i + 1}") for i in range(m.rows)])
    return sp.ImmutableMatrix(m.rows, m.cols, [sp.Symbol(f"{m.name}_{i + 1}{j + 1}")
                                               for i in range(m.rows) for j in range(m.cols)])


class _BookLatex(LatexPrinter):
    """SymPy's LaTeX with the book's transpose, :math:`W^\\top` (SymPy writes :math:`W^T`)."""

    def _print_Transpose(self, expr):
        out = super()._print_Transpose(expr)
        return out[:-len("^{T}")] + r"^{\top}" if out.endswith("^{T}") else out

    def _print_MatMul(self, expr):
        # SymPy brackets a fraction in front of a matrix product, (2/3) X^T (Xw - y); the book writes 2/3 X^T ...
        return _LEADING_FRACTION.sub(r"\1 ", super()._print_MatMul(expr))


_LEADING_FRACTION = re.compile(r"^\\left\((\\frac\{[^{}]*\}\{[^{}]*\})\\right\) ")


def _latex(expr) -> str:
    """LaTeX of ``expr`` with terms in the order written (``evaluate=False`` keeps it)."""
    return _BookLatex({"order": "none"}).doprint(expr)


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
        steps = f"{d.reasons}\n\n" if isinstance(d, Chain) else ""
        return (f"$$\n{d.latex}\n$$\n\n{steps}{where}"
                f"{mark} `{d.label}`: {d.title}.{cond} *Verified: {d.status}.*\n")

    def _repr_latex_(self) -> str:
        return f"$${self.d.latex}$$"

    def __repr__(self) -> str:
        return f"{self.d.label}: {self.d.latex}  [{self.d.status}]"


#: Every verified equation of the book by label, in registration order.
DERIVATIONS: dict[str, Derivation] = {}


def register(d: Derivation) -> Derivation:
    """Add ``d`` to :data:`DERIVATIONS` (a duplicate label is an error)."""
    if not isinstance(d, Derivation):
        raise TypeError(f"d must be a Derivation, got {type(d).__name__}")
    if d.label in DERIVATIONS:
        raise ValueError(f"derivation label {d.label!r} is already registered")
    DERIVATIONS[d.label] = d
    return d


def get(label: str) -> Derivation:
    """Return the derivation registered as ``label`` (ValueError lists the known labels)."""
    text(label, "label")
    return lookup(DERIVATIONS, label, "derivation label")


def by_chapter(chapter: int | str) -> list[Derivation]:
    """Every derivation shown in ``chapter``, in registration order."""
    _check_chapter(chapter)
    return [d for d in DERIVATIONS.values() if d.chapter == chapter]


# --- named functions as the book writes them ------------------------------------------------

sigma = sp.Function("sigma")
SIGMA_DEF = sp.Lambda(x, 1 / (1 + sp.exp(-x)))
#: The same function written in z, for entries whose input is called x (a neuron's z = wx + b): their
#: "where" line then reads sigma(z) = 1/(1 + e^-z), not sigma(x), which would clash with the input.
SIGMA_Z_DEF = sp.Lambda(sp.Symbol("z", real=True), 1 / (1 + sp.exp(-sp.Symbol("z", real=True))))
Phi = sp.Function("Phi")
phi = sp.Function("phi")
GAUSS_DEFS = {Phi: sp.Lambda(x, (1 + sp.erf(x / sp.sqrt(2))) / 2),
              phi: sp.Lambda(x, sp.exp(-x**2 / 2) / sp.sqrt(2 * sp.pi))}


def unevaluated_sum(*terms):
    """A sum typeset in the order written (SymPy would otherwise sort its terms).

    Each term is a SymPy expression or a finite real number.
    """
    for i, term in enumerate(terms):
        if not isinstance(term, sp.Expr):
            check_scalar(term, f"terms[{i}]")
    return sp.Add(*terms, evaluate=False)



# --- checks of an entry's fields, where it is written ----------------------------------------

#: Chapters are numbered from 1; appendices are lettered.
MAX_CHAPTER = 99


def _check_chapter(chapter, where: str = "") -> None:
    if isinstance(chapter, str):
        if len(chapter) == 1 and "A" <= chapter <= "Z":
            return
        raise ValueError(f"{where}chapter must be a chapter number or an appendix letter A to Z, got {chapter!r}")
    if isinstance(chapter, bool) or not isinstance(chapter, numbers.Integral):
        raise TypeError(f"{where}chapter must be a chapter number (an int) or an appendix letter, "
                        f"got {type(chapter).__name__}")
    check_scalar(chapter, f"{where}chapter", low=1, high=MAX_CHAPTER, integer=True)


def _check_text(value, name: str, where: str, empty: bool = False) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{where}{name} must be a string, got {type(value).__name__}")
    if not empty and not value.strip():
        raise ValueError(f"{where}{name} must not be blank")


def _check_expr(value, name: str, where: str) -> None:
    # SymPy objects only: a bool or a float NaN would reach lambdify and be compared as a number
    if not isinstance(value, (sp.Basic, sp.MatrixBase)):
        raise TypeError(f"{where}{name} must be a SymPy expression or matrix (sp.Integer(0) for 0), "
                        f"got {type(value).__name__}")


def _check_definitions(definitions, where: str) -> None:
    if not isinstance(definitions, dict):
        raise TypeError(f"{where}definitions must be a dict, got {type(definitions).__name__}")
    for name, definition in definitions.items():
        if not isinstance(name, (sp.Basic, sp.FunctionClass)):
            raise TypeError(f"{where}definitions must map SymPy symbols or functions to their definitions, "
                            f"got a key of type {type(name).__name__}")
        if isinstance(definition, int) and not isinstance(definition, bool):
            continue  # a size, such as n = 3: exact, and substituted as SymPy's Integer
        _check_expr(definition, f"definitions[{name}]", where)


#: What a domain or a point may give values to: a symbol, or (for a Definition, which samples arrays) an
#: IndexedBase, one of its entries, or a MatrixSymbol.
_SAMPLED = (sp.Symbol, sp.IndexedBase, sp.Indexed, sp.MatrixSymbol)


def _draw(rng, interval) -> float:
    """One sample: uniform on a (low, high) interval, or a whole number from a ``range`` (widths, bits)."""
    if isinstance(interval, range):
        return float(interval[int(rng.integers(len(interval)))])
    return float(rng.uniform(*interval))


def _check_domain(domain, where: str) -> None:
    if not isinstance(domain, dict):
        raise TypeError(f"{where}domain must be a dict of symbol -> (low, high), got {type(domain).__name__}")
    for symbol, interval in domain.items():
        if not isinstance(symbol, _SAMPLED):
            raise TypeError(f"{where}domain's keys must be SymPy symbols, got {type(symbol).__name__}")
        if isinstance(interval, range):
            if len(interval) == 0:
                raise ValueError(f"{where}domain[{symbol}] must not be an empty range")
            continue
        if not (isinstance(interval, (tuple, list)) and len(interval) == 2):
            raise TypeError(f"{where}domain[{symbol}] must be a (low, high) pair, got {interval!r}")
        low, high = (check_scalar(v, f"{where}domain[{symbol}]") for v in interval)
        if not low < high:
            raise ValueError(f"{where}domain[{symbol}] must have low < high, got ({low}, {high})")


def _check_points(points, where: str) -> None:
    if not isinstance(points, (list, tuple)):
        raise TypeError(f"{where}points must be a list of dicts symbol -> value, got {type(points).__name__}")
    for i, point in enumerate(points):
        if not isinstance(point, dict):
            raise TypeError(f"{where}points[{i}] must be a dict symbol -> value, got {type(point).__name__}")
        for symbol, value in point.items():
            if not isinstance(symbol, _SAMPLED):
                raise TypeError(f"{where}points[{i}]'s keys must be SymPy symbols, got {type(symbol).__name__}")
            check_scalar(value, f"{where}points[{i}][{symbol}]")


def _check_steps(steps, where: str) -> tuple:
    if not isinstance(steps, (list, tuple)):
        raise TypeError(f"{where}steps must be a list of Step or (expr, reason) pairs, got {type(steps).__name__}")
    out = []
    for k, step in enumerate(steps):
        if not isinstance(step, Step):
            if not (isinstance(step, (tuple, list)) and 1 <= len(step) <= 2):
                raise TypeError(f"{where}steps[{k}] must be a Step or an (expr, reason) pair, "
                                f"got {type(step).__name__}")
            step = Step(*step)
        _check_expr(step.expr, f"steps[{k}].expr", where)
        out.append(step)
    return tuple(out)
