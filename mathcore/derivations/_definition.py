"""Definitions: the notation a chapter introduces, typeset from SymPy and checked against the code."""
from __future__ import annotations

import numpy as np
import sympy as sp

from .._validate import check_scalar
from ._core import N_POINTS, ONES_NAME, RTOL, Derivation, _draw, _explicit, _seed

__all__ = ["Definition", "definitions"]

#: Largest value a symbolic bound takes in a check (``sizes``).
MAX_SIZE = 100


class Definition(Derivation):
    r"""A notation of the book: ``lhs`` stands for ``rhs`` (the MSE, a layer's output, an update rule).

    A definition cannot be proved; it says what a symbol means. What can go
    wrong is that the code the chapters call computes something else, or that
    the typeset formula does. So :meth:`verify` evaluates ``rhs`` at seeded
    points and requires ``code`` (a function of ``mathcore``) to agree, to the
    same relative error as a :class:`Derivation` (1e-9: both are a few
    float64 operations on O(1) values).

    Parameters
    ----------
    label, chapter, title
        As for :class:`Derivation`.
    lhs : sympy expression
        The name being defined, as typeset: a symbol, or an undefined function applied to its arguments.
    rhs : sympy expression or matrix
        What it means. It may use ``Sum``/``Product`` over ``Indexed`` entries with symbolic bounds
        (:math:`\sum_{j=1}^N (p_j - y_j)^2`); ``sizes`` fixes the bounds for the check.
    code : callable
        The implementation (a function of ``mathcore``, or a lambda calling one, then named by
        ``code_name``), called with one keyword argument per ``IndexedBase`` of ``rhs`` (a float64
        array of its entries, 1-d or 2-d by the number of indices, numbered from 1 as the book writes them)
        and per free symbol (a float). It returns a number or an array of ``rhs``'s shape.
    sizes : dict
        Symbol -> int: the value of each symbolic bound during the check (say ``{N: 4}``).
    arguments : dict
        Symbol, IndexedBase or MatrixSymbol -> the keyword ``code`` takes it as, where its typeset name
        (``\eta``, ``\mathbf{w}``) is not a Python name. A ``MatrixSymbol`` is passed as an array of its
        shape (a column vector as a 1-d array).
    domain : dict
        Symbol or IndexedBase -> (low, high) to sample; default (-4, 4).
    points : list of dict
        Extra points, as for :class:`Derivation` (keys: symbols or ``Indexed`` entries).
    **kwargs
        ``definitions``, ``assumptions`` as for :class:`Derivation`.
    """

    def __init__(self, label: str, chapter, title: str, lhs, rhs, *, code, code_name=None, sizes=None,
                 arguments=None, **kwargs):
        if not callable(code):
            raise TypeError(f"{label}: code must be the function that implements the definition, "
                            f"got {type(code).__name__}")
        if code_name is None and getattr(code, "__name__", "<lambda>") == "<lambda>":
            raise ValueError(f"{label}: code is a lambda; give code_name, the mathcore function it calls")
        if code_name is not None and not (isinstance(code_name, str) and code_name.strip()):
            raise TypeError(f"{label}: code_name must be a non-empty string, got {type(code_name).__name__}")
        sizes = {} if sizes is None else sizes
        if not isinstance(sizes, dict):
            raise TypeError(f"{label}: sizes must be a dict of symbol -> int, got {type(sizes).__name__}")
        for symbol, size in sizes.items():
            if not isinstance(symbol, sp.Symbol):
                raise TypeError(f"{label}: sizes' keys must be SymPy symbols, got {type(symbol).__name__}")
            # a sum of MAX_SIZE terms is expanded and lambdified: far more than a check needs, and still quick
            check_scalar(size, f"{label}: sizes[{symbol}]", low=1, high=MAX_SIZE, integer=True)
        arguments = {} if arguments is None else arguments
        if not isinstance(arguments, dict):
            raise TypeError(f"{label}: arguments must be a dict of symbol -> keyword, got {type(arguments).__name__}")
        for key, keyword in arguments.items():
            if not isinstance(key, (sp.Symbol, sp.IndexedBase, sp.MatrixSymbol)):
                raise TypeError(f"{label}: arguments' keys must be symbols, IndexedBase or MatrixSymbol, "
                                f"got {type(key).__name__}")
            if not (isinstance(keyword, str) and keyword.isidentifier()):
                raise ValueError(f"{label}: arguments[{key}] must be a Python name, got {keyword!r}")
        if "prove" in kwargs or "wrap" in kwargs:
            raise ValueError(f"{label}: a definition is checked against its code; prove and wrap do not apply")
        super().__init__(label, chapter, title, lhs, rhs, prove=False, **kwargs)
        self.code = code
        self.code_name = code_name or f"{getattr(code, '__module__', '')}.{getattr(code, '__qualname__', '')}"
        # the point of a definition is that the book's own code computes it
        if not self.code_name.startswith("mathcore."):
            raise ValueError(f"{label}: code must be mathcore's, named by code_name as 'mathcore.<module>.<name>', "
                             f"got {self.code_name!r}")
        self.sizes = dict(sizes)
        self.arguments = dict(arguments)

    def _concrete_rhs(self):
        rhs = self.rhs
        for name, definition in self.definitions.items():
            rhs = rhs.subs(name, definition) if isinstance(name, sp.Symbol) else rhs.replace(name, definition)
        return (rhs.subs(self.sizes) if self.sizes else rhs).doit()

    def verify(self) -> bool:
        """True if ``code`` computes ``rhs`` at every checked point; AssertionError naming the point otherwise."""
        rhs = self._concrete_rhs()
        # a MatrixSymbol becomes a matrix of scalar symbols (w_1, w_2, ... or W_11, ...), as in MatrixDerivation
        matrices = {m: _explicit(m) for m in rhs.atoms(sp.MatrixSymbol) if m.name != ONES_NAME}
        ones = {m: sp.ImmutableMatrix.ones(*m.shape) for m in rhs.atoms(sp.MatrixSymbol) if m.name == ONES_NAME}
        if matrices or ones:
            rhs = rhs.xreplace({**matrices, **ones}).doit()
            if isinstance(rhs, sp.MatrixExpr):
                rhs = rhs.as_explicit()
        entries = sorted(rhs.atoms(sp.Indexed), key=sp.default_sort_key)
        in_matrices = {s for explicit in matrices.values() for s in explicit}
        symbols = sorted(rhs.free_symbols - {e for entry in entries for e in entry.free_symbols}
                         - set(self.sizes) - in_matrices, key=lambda s: s.name)
        stand_in = {entry: sp.Dummy(str(entry)) for entry in entries}
        scalars = list(stand_in.values()) + symbols + sorted(in_matrices, key=lambda s: s.name)
        evaluate = sp.lambdify(scalars, rhs.xreplace(stand_in), modules=["numpy"])
        bases = sorted({entry.base for entry in entries}, key=lambda b: str(b))
        shapes = {base: tuple(max(int(e.indices[k]) for e in entries if e.base == base)
                              for k in range(len(next(e for e in entries if e.base == base).indices)))
                  for base in bases}

        def keyword(key) -> str:
            return self.arguments.get(key, str(key))

        rng = np.random.default_rng(_seed(self.label))

        def draw(key, fallback):
            return _draw(rng, self.domain.get(key, self.domain.get(fallback, (-4.0, 4.0))))

        owner = {s: m for m, explicit in matrices.items() for s in explicit}
        samples = [{**{e: draw(e, e.base) for e in entries}, **{s: draw(s, s) for s in symbols},
                    **{s: draw(owner[s], owner[s]) for s in in_matrices}} for _ in range(N_POINTS)]
        for point in self.points:
            samples.append({key: float(point.get(key, 0.5)) for key in [*entries, *symbols, *in_matrices]})
        constant = not (entries or symbols or in_matrices)
        if constant:  # numbers, such as an exercise's matrix: one comparison says all
            samples = samples[:1]
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            # names and places worked out once: str() of a SymPy object is slow, and there are 200 points
            base_names = {base: keyword(base) for base in bases}
            places = [(e, base_names[e.base], tuple(int(i) - 1 for i in e.indices)) for e in entries]
            matrix_rows = [(keyword(m), m.cols == 1, explicit.tolist()) for m, explicit in matrices.items()]
            symbol_names = [(keyword(s), s) for s in symbols]
            for point in samples:
                kwargs = {name: np.zeros(shapes[base]) for base, name in base_names.items()}
                for e, name, place in places:
                    kwargs[name][place] = point[e]
                for name, column, rows in matrix_rows:
                    values = np.array([[point[s] for s in row] for row in rows])
                    kwargs[name] = values[:, 0] if column else values
                kwargs.update({name: point[s] for name, s in symbol_names})
                expected = np.asarray(evaluate(*[point[s] for s in stand_in], *[point[s] for s in symbols],
                                               *[point[s] for s in sorted(in_matrices, key=lambda s: s.name)]),
                                      dtype=np.float64)
                got = np.asarray(self.code(**kwargs), dtype=np.float64)
                if got.shape != expected.shape and got.size == expected.size:
                    got = got.reshape(expected.shape)
                if got.shape != expected.shape or not np.allclose(got, expected, rtol=RTOL, atol=RTOL):
                    shown = ", ".join(f"{k} = {v:.6g}" for k, v in point.items())
                    raise AssertionError(f"{self.label}: {self.code_name} gives {got} where the "
                                         f"definition gives {expected}, at {shown}")
        if constant:
            self.status = f"the same numbers as the code, `{self.code_name}`"
        else:
            self.status = (f"checked against the code, `{self.code_name}`, at {len(samples)} points "
                           "(a definition: there is nothing to prove, but the code must compute what it says)")
        return True


def definitions() -> list[Definition]:
    """Every registered definition."""
    from ._core import DERIVATIONS
    return [d for d in DERIVATIONS.values() if isinstance(d, Definition)]
