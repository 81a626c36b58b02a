"""How the book writes what SymPy would print differently."""
from __future__ import annotations

import sympy as sp

__all__ = ["Partial"]


class Partial(sp.Derivative):
    """A partial derivative typeset as a fraction, ``\\frac{\\partial C}{\\partial z_{11}}``.

    SymPy prints ``Derivative(C, z)`` as an operator, and as the ordinary
    :math:`d/dz` whenever the expression it differentiates is a single symbol
    or a function of one variable, even where the book means one partial
    derivative among many (the entries of a Jacobian, a gradient by each
    logit). It is a plain ``Derivative`` in every other respect (``doit``
    evaluates it).
    """

    def _latex(self, printer):
        ((v, n),) = self.variable_count
        return rf"\frac{{\partial {printer._print(self.expr)}}}{{\partial {printer._print(v)}}}"
