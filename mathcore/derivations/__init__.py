r"""The book's equations as SymPy objects that check themselves.

Every display equation in a chapter is an entry of the registry
:data:`DERIVATIONS`, rendered from the same object that checks it, so the text a
reader sees and the check that backs it cannot drift: a :class:`Derivation` (an
identity), a :class:`Chain` (a derivation whose every step is checked) or a
:class:`Definition` (a notation, checked against the code that computes it).

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

Entries live in one module per chapter, ``chNN_<topic>.py``; a chapter adds its
equations there and they join the registry when :mod:`mathcore.derivations` is
imported.
"""

from ._core import *  # noqa: F403  (the public API: Derivation, DERIVATIONS, get, ...)
from ._core import __all__ as _core_all
from ._definition import Definition, definitions  # noqa: F401

__all__ = [*_core_all, "Definition", "definitions"]

# Importing a chapter's module registers its entries.
from . import (  # noqa: E402, F401
    ch1_neurons, ch2_layers, ch3_activations, ch4_losses, ch5_gradient_descent, ch6_backprop,
    ch7_regularization, ch8_capstone,
)
from . import appendix_matrix_calculus  # noqa: E402, F401
